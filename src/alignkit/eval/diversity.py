"""Diversity of a set of texts: distinct n-grams, mean length, self-BLEU.

Used to follow how a prompt set changes when eva's creator evolves it (``alignkit eva-evolve``), and usable
on any list of responses.

* ``distinct-n``: unique word n-grams over all n-grams of the set (Li et al., 2016); higher is more diverse.
* ``self-BLEU``: the mean, over texts, of BLEU-4 of one text against all the others as references (Zhu et al.,
  2018, "Texygen"); higher means the texts resemble each other more. Sentence BLEU with the geometric mean of
  the modified 1..4-gram precisions, the brevity penalty against the closest reference length, and
  "method 1" smoothing (a zero count becomes ``epsilon``), as in NLTK's ``sentence_bleu`` with
  ``SmoothingFunction().method1``. It is quadratic in the number of texts, so at most ``max_texts`` texts
  (a seeded sample) are used.

Texts are lower-cased and split into words and punctuation marks by :func:`words`.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens."""
    return _WORD.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Unique n-grams / all n-grams over the set (0 when the set has no n-gram)."""
    total, unique = 0, set()
    for text in texts:
        grams = ngrams(words(text), n)
        total += len(grams)
        unique.update(grams)
    return len(unique) / total if total else 0.0


def sentence_bleu(hypothesis: Sequence[str], references: Sequence[Sequence[str]], max_n: int = 4,
                  epsilon: float = 0.1) -> float:
    """BLEU of one tokenized hypothesis against tokenized references (uniform weights up to ``max_n``)."""
    if not hypothesis or not references:
        return 0.0
    log_precisions = []
    for n in range(1, max_n + 1):
        hyp = Counter(ngrams(hypothesis, n))
        denominator = max(1, sum(hyp.values()))  # a hypothesis shorter than n has precision 0/1 at order n
        max_ref: Counter = Counter()
        for ref in references:
            for gram, count in Counter(ngrams(ref, n)).items():
                max_ref[gram] = max(max_ref[gram], count)
        clipped = sum(min(count, max_ref[gram]) for gram, count in hyp.items())
        if n == 1 and clipped == 0:
            return 0.0  # no word in common with any reference
        numerator = clipped if clipped > 0 else epsilon
        log_precisions.append(math.log(numerator / denominator))
    hyp_len = len(hypothesis)
    closest = min((len(r) for r in references), key=lambda r: (abs(r - hyp_len), r))
    brevity = 1.0 if hyp_len > closest else math.exp(1 - closest / hyp_len)
    return brevity * math.exp(sum(log_precisions) / max_n)


def self_bleu(texts: Sequence[str], max_texts: int = 200, seed: int = 0, max_n: int = 4) -> float:
    """Mean BLEU of each text against all others (NaN with fewer than two texts)."""
    tokens = [words(t) for t in texts if t and t.strip()]
    if len(tokens) > max_texts:
        tokens = random.Random(seed).sample(tokens, max_texts)
    if len(tokens) < 2:
        return float("nan")
    scores = [sentence_bleu(hyp, tokens[:i] + tokens[i + 1:], max_n=max_n) for i, hyp in enumerate(tokens)]
    return sum(scores) / len(scores)


def diversity_metrics(texts: Sequence[str], prefix: str = "", max_texts: int = 200, seed: int = 0
                      ) -> dict[str, float]:
    """``distinct_1``, ``distinct_2``, ``mean_words``, ``self_bleu`` and ``n`` of a set of texts."""
    lengths = [len(words(t)) for t in texts]
    return {
        f"{prefix}n": float(len(texts)),
        f"{prefix}distinct_1": distinct_n(texts, 1),
        f"{prefix}distinct_2": distinct_n(texts, 2),
        f"{prefix}mean_words": sum(lengths) / len(lengths) if lengths else 0.0,
        f"{prefix}self_bleu": self_bleu(texts, max_texts=max_texts, seed=seed),
    }
