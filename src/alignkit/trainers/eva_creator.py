"""eva's creator: which prompts are informative, which to evolve, how to rewrite them, which variants to keep.

Ye et al., "Evolving Alignment via Asymmetric Self-Play" (arXiv 2411.00062). Each iteration the creator turns
the prompt set X_t into the next set X_{t+1}:

1. **estimate** — n responses per prompt, scored by the recipe's reward; the *informativeness* of a prompt is
   a proxy of the solver's regret on it (:func:`informativeness`): the reward gap max − min (the paper's
   default), the variance, max − mean, or best − second best;
2. **sample** — a fraction of X_t (a quarter by default) drawn without replacement with probability
   proportional to the min-max normalised informativeness (:func:`sample_prompts`), or uniformly (ablation);
3. **evolve** — every sampled prompt is rewritten into m variants by an evolver model with the in-depth
   operators (add constraints, deepen, concretize, more reasoning steps, expand) and the in-breadth operator
   (a new prompt of the same domain), each a YAML template (:class:`Operator`, :func:`evolve_prompts`);
   variants that are empty, copies, near-duplicates, too long, not in the parent's language, without the
   metadata the reward needs, or rejected by an optional judge are dropped and counted by reason
   (:class:`VariantFilter`);
4. **mix** — the kept variants plus a uniform sample of X_t (the buffer, ~20 %) form X_{t+1}
   (:func:`mix_prompt_set`).

Steps 2–4 are here as functions of plain data; step 1's sampling and scoring run on the shared engine
(:mod:`alignkit.trainers.eva`). Prompt records follow alignkit's prompt schema (``id``, ``task``, ``prompt``,
``metadata``, ``reference``) plus eva's lineage columns ``parent_id``, ``operator``, ``origin`` and
``reward_source``.

**Why not distilabel's EvolInstruct.** It was installed and run here: it works offline with an in-process
``TransformersLLM`` and adds no conflicting pins, but (a) it loads its own copy of a model from a path through
``transformers.pipeline`` and cannot sample from the live policy (with its LoRA adapter, on our generator,
vLLM included) that eva evolves with by default; (b) its output does not say which operator made a variant,
which eva's lineage records need; (c) operators are Python dicts picked by NumPy's global RNG, not recipe
templates picked by a seeded RNG; (d) it would add a pipeline framework and ~10 packages for what is a template
fill, one generate call and the cleanup of the answer. The operators' wording follows EvolInstruct's
(WizardLM, arXiv 2304.12244) in our own words; see ``recipes/eva_evolve/operators/``.
"""

from __future__ import annotations

import logging
import math
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from alignkit.errors import ConfigError

log = logging.getLogger(__name__)

PROXIES = ("gap", "variance", "max_mean", "best_second")
KINDS = ("depth", "breadth")
METADATA_MODES = ("inherit", "none", "parse")
ASSIGN_MODES = ("distinct", "random")
DROP_REASONS = ("evolver_failed", "empty", "too_short", "copy", "too_long", "language", "unverifiable",
                "metadata_mismatch", "judge_failed", "judge", "near_duplicate")


# --------------------------------------------------------------------------------------------------------------
# 1. Estimate: informativeness of a prompt from the rewards of its n responses
# --------------------------------------------------------------------------------------------------------------


def _valid(rewards: Sequence[float | None]) -> list[float]:
    """The rewards that were computed (a failed reward is ``None`` or NaN and is left out, not read as 0)."""
    out = []
    for r in rewards:
        if r is None:
            continue
        r = float(r)
        if not math.isnan(r):
            out.append(r)
    return out


def informativeness(rewards: Sequence[float | None], proxy: str = "gap") -> float:
    """The informativeness proxy of one prompt from the rewards of its responses (NaN with < 2 valid rewards).

    * ``gap``: max − min, the paper's default (an advantage/regret proxy);
    * ``variance``: the population variance;
    * ``max_mean``: max − mean;
    * ``best_second``: the best reward minus the second best.
    """
    if proxy not in PROXIES:
        raise ConfigError(f"creator.proxy={proxy!r}: use one of {', '.join(PROXIES)}.")
    vals = sorted(_valid(rewards), reverse=True)
    if len(vals) < 2:
        return float("nan")
    if proxy == "gap":
        return vals[0] - vals[-1]
    mean = sum(vals) / len(vals)
    if proxy == "variance":
        return sum((v - mean) ** 2 for v in vals) / len(vals)
    if proxy == "max_mean":
        return vals[0] - mean
    return vals[0] - vals[1]


def reward_summary(rewards: Sequence[float | None]) -> dict[str, float]:
    """Every proxy and the mean of one prompt's rewards (the authors log them all; the run keeps them)."""
    vals = _valid(rewards)
    out = {p: informativeness(rewards, p) for p in PROXIES}
    out["mean"] = sum(vals) / len(vals) if vals else float("nan")
    out["n_valid"] = float(len(vals))
    return out


# --------------------------------------------------------------------------------------------------------------
# 2. Sample: a fraction of the prompts, without replacement, with probability proportional to informativeness
# --------------------------------------------------------------------------------------------------------------


def sampling_weights(info: Sequence[float]) -> list[float]:
    """Min-max normalised informativeness, as the authors weight prompts: ``(v − min) / (max − min)``.

    The least informative prompt gets weight 0 (drawn only once every positive-weight prompt is taken); a
    prompt without an estimate (NaN) gets 0 too; when every estimate is equal the weights are uniform.
    """
    vals = [float(v) for v in info]
    ok = [v for v in vals if not math.isnan(v)]
    if not ok:
        return [1.0] * len(vals)
    lo, hi = min(ok), max(ok)
    if hi - lo <= 0:
        return [0.0 if math.isnan(v) else 1.0 for v in vals]
    return [0.0 if math.isnan(v) else (v - lo) / (hi - lo) for v in vals]


def sample_count(n: int, fraction: float) -> int:
    """How many of ``n`` prompts a ``fraction`` selects (at least one of a non-empty set)."""
    if n <= 0:
        return 0
    return min(n, max(1, round(fraction * n)))


def weighted_sample_without_replacement(weights: Sequence[float], k: int, rng: random.Random) -> list[int]:
    """``k`` distinct indices, drawn one after another with probability proportional to ``weights``.

    Implemented with Efraimidis–Spirakis keys ``u^(1/w)`` (the ``k`` largest win), which has the distribution of
    successive draws. Zero-weight indices come only after every positive one, uniformly among themselves.
    Returned in draw order.
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    if any(w < 0 or math.isnan(w) for w in weights):
        raise ValueError("weights must be finite and >= 0")
    positive = [(math.log(rng.random() or 1e-300) / w, i) for i, w in enumerate(weights) if w > 0]
    positive.sort(reverse=True)
    chosen = [i for _, i in positive[:k]]
    if len(chosen) < k:
        zeros = [i for i, w in enumerate(weights) if w <= 0]
        rng.shuffle(zeros)
        chosen += zeros[: k - len(chosen)]
    return chosen


def sample_prompts(info: Sequence[float], fraction: float = 0.25, seed: int | str = 0,
                   uniform: bool = False) -> list[int]:
    """eva's sampling step: indices of ``fraction`` of the prompts, proportional to informativeness
    (min-max normalised, :func:`sampling_weights`) or uniform (``uniform=True``, the ablation)."""
    if not 0 < fraction <= 1:
        raise ConfigError(f"creator.sample_fraction={fraction} must be in (0, 1].")
    weights = [1.0] * len(info) if uniform else sampling_weights(info)
    return weighted_sample_without_replacement(weights, sample_count(len(info), fraction), random.Random(seed))


# --------------------------------------------------------------------------------------------------------------
# 3. Evolve: operators (YAML templates), an evolver model, the cleanup of its answers
# --------------------------------------------------------------------------------------------------------------

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Operator:
    """An evolution operator: a template the evolver answers with a new prompt.

    The template holds ``{prompt}`` (the parent prompt, without the recipe's ``prompt_suffix``) and may name
    any metadata field of the parent (``{entry_point}``). Other braces are left alone.
    """

    name: str = ""  # filled from the key under creator.operators
    kind: str = "depth"  # depth (rewrite the prompt) | breadth (a new prompt of the same domain)
    description: str = ""
    template: str = ""
    # What the variant's metadata is: inherit the parent's (the template keeps what it checks: numbers, the
    # function's behaviour); none (no checkable metadata); parse (fields read from the evolver's answer by the
    # regular expressions of `parse`; the prompt is the text before the first match).
    metadata: str = "inherit"
    parse: dict[str, str] = field(default_factory=dict)  # metadata field -> regex with one group
    marker: str | None = None  # keep only the text after the last occurrence of this marker in the answer
    weight: float = 1.0  # relative frequency when operators are drawn

    def check(self, key: str = "creator.operators") -> None:
        where = f"{key}.{self.name or '?'}"
        if self.kind not in KINDS:
            raise ConfigError(f"{where}.kind={self.kind!r}: use depth or breadth.")
        if self.metadata not in METADATA_MODES:
            raise ConfigError(f"{where}.metadata={self.metadata!r}: use one of {', '.join(METADATA_MODES)}.")
        if "{prompt}" not in self.template:
            raise ConfigError(f"{where}.template has no {{prompt}} field: the evolver would never see the prompt.")
        if self.metadata == "parse" and not self.parse:
            raise ConfigError(f"{where}: metadata=parse needs `parse:` (metadata field -> regex with one group).")
        for fname, pattern in self.parse.items():
            try:
                rx = re.compile(pattern)
            except re.error as err:
                raise ConfigError(f"{where}.parse.{fname}: bad regular expression: {err}") from err
            if rx.groups < 1:
                raise ConfigError(f"{where}.parse.{fname}: the regex needs one group around the value.")
        if self.weight <= 0:
            raise ConfigError(f"{where}.weight={self.weight} must be > 0 (delete the operator to disable it).")

    def render(self, prompt: str, metadata: dict[str, Any] | None = None) -> str:
        """The evolver's instruction for one parent prompt."""
        fields_ = {**(metadata or {}), "prompt": prompt}

        def fill(match: re.Match) -> str:
            name = match.group(1)
            if name not in fields_:
                raise KeyError(f"operator {self.name!r}: template field {{{name}}} is neither `prompt` nor a "
                               f"metadata field of the parent ({', '.join(sorted(metadata or {})) or 'none'})")
            return str(fields_[name])

        return _FIELD.sub(fill, self.template)


def build_operators(specs: dict[str, Any]) -> list[Operator]:
    """Operators from ``creator.operators`` (name -> Operator or dict); ``None`` entries are disabled."""
    ops = []
    for name, spec in (specs or {}).items():
        if spec is None:
            continue
        op = spec if isinstance(spec, Operator) else Operator(**{**dict(spec), "name": name})
        op.name = name
        op.check()
        ops.append(op)
    if not ops:
        raise ConfigError("creator.operators is empty: give at least one operator (see recipes/eva_evolve/operators/).")
    return ops


def assign_operators(n_parents: int, m: int, operators: Sequence[Operator], rng: random.Random,
                     mode: str = "distinct") -> list[list[Operator]]:
    """The m operators applied to each parent.

    ``distinct``: m different operators per parent while there are enough (then repeats), drawn by weight;
    ``random``: m independent draws by weight (EvolInstruct's way).
    """
    if mode not in ASSIGN_MODES:
        raise ConfigError(f"creator.operator_choice={mode!r}: use distinct or random.")
    weights = [op.weight for op in operators]
    out = []
    for _ in range(n_parents):
        if mode == "random":
            out.append(rng.choices(list(operators), weights=weights, k=m))
            continue
        picks: list[Operator] = []
        while len(picks) < m:
            take = min(m - len(picks), len(operators))
            order = weighted_sample_without_replacement(weights, take, rng)
            picks += [operators[i] for i in order]
        out.append(picks)
    return out


class Evolver(Protocol):
    """Anything that answers a list of single-turn instructions (``None`` where it failed)."""

    def complete(self, instructions: Sequence[str]) -> list[str | None]: ...


class ModelEvolver:
    """An in-process causal LM as evolver: the current policy (default) or any configured model.

    ``generator`` is an :mod:`alignkit.generation` generator (HF generate or vLLM); sampling settings are passed
    on every call, so nothing leaks into the solver's sampling.
    """

    def __init__(self, generator, tokenizer, temperature: float = 0.7, max_new_tokens: int = 128):
        self.generator, self.tokenizer = generator, tokenizer
        self.temperature, self.max_new_tokens = temperature, max_new_tokens

    def complete(self, instructions: Sequence[str]) -> list[str | None]:
        from alignkit.generation import rollout

        rolls = rollout(self.generator, self.tokenizer, list(instructions), n=1, temperature=self.temperature,
                        max_new_tokens=self.max_new_tokens)
        return [r.text for r in rolls]


class EndpointEvolver:
    """An OpenAI-compatible server as evolver (:class:`alignkit.generation.endpoint.ChatEndpoint`)."""

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def complete(self, instructions: Sequence[str]) -> list[str | None]:
        return self.endpoint.complete(list(instructions))


_LEAD_IN = re.compile(
    r"^\s*(?:#+\s*)?(?:here(?:'s| is)[^\n:]*:|(?:the\s+)?(?:rewritten|created|new|evolved|revised)\s+"
    r"(?:prompt|question|instruction|problem|request)\s*#?\s*:)\s*", re.IGNORECASE)


def clean_variant(text: str, op: Operator) -> tuple[str, dict[str, Any]]:
    """The variant prompt in an evolver's answer, and the metadata parsed from it (``metadata=parse``).

    Keeps the text after the operator's ``marker``; drops a lead-in such as "Rewritten prompt:" or "Here is the
    new prompt:"; strips the quotes the whole answer may be wrapped in.
    """
    if op.marker and op.marker in text:
        text = text.rsplit(op.marker, 1)[1]
    parsed: dict[str, Any] = {}
    if op.metadata == "parse":
        first = len(text)
        for fname, pattern in op.parse.items():
            match = re.search(pattern, text, flags=re.DOTALL)
            if match:
                parsed[fname] = match.group(1).strip()
                first = min(first, match.start())
        text = text[:first]
    text = _LEAD_IN.sub("", text.strip(), count=1).strip()
    for q in ('"', "'", "“", "`"):
        close = "”" if q == "“" else q
        if len(text) > 1 and text.startswith(q) and text.endswith(close) and text.count(q) <= 2:
            text = text[1:-1].strip()
    return text, parsed


def strip_suffix(prompt: str, suffix: str | None) -> str:
    """The prompt without the recipe's fixed instruction suffix (e.g. math's "End your response with ...")."""
    if suffix and prompt.rstrip().endswith(suffix.strip()):
        return prompt.rstrip()[: -len(suffix.strip())].rstrip()
    return prompt


def add_suffix(prompt: str, suffix: str | None) -> str:
    """Re-attach the suffix to a variant (once, even if the evolver copied it)."""
    if not suffix:
        return prompt
    body = prompt.replace(suffix.strip(), "").rstrip()
    return f"{body}\n\n{suffix.strip()}"


def evolve_prompts(parents: Sequence[dict], evolver: Evolver, operators: Sequence[Operator], m: int, *,
                   rng: random.Random, iteration: int, assign: str = "distinct",
                   prompt_suffix: str | None = None) -> list[dict]:
    """Ask the evolver for m variants of every parent; one child record per request (not yet filtered).

    A child carries ``parent_id``, ``operator``, ``kind``, ``raw`` (the evolver's answer, ``None`` when the
    evolver failed) and its metadata: the parent's (``inherit``), none, or the parsed fields (``parse``).
    """
    plan = assign_operators(len(parents), m, operators, rng, assign)
    requests, children = [], []
    for parent, ops in zip(parents, plan, strict=True):
        body = strip_suffix(parent["prompt"], prompt_suffix)
        for op in ops:
            requests.append(op.render(body, parent.get("metadata") or {}))
            children.append({"parent": parent, "op": op})
    answers = evolver.complete(requests) if requests else []
    if len(answers) != len(requests):
        raise RuntimeError(f"the evolver returned {len(answers)} answers for {len(requests)} requests")
    out = []
    for k, (child, raw) in enumerate(zip(children, answers, strict=True)):
        parent, op = child["parent"], child["op"]
        text, parsed = ("", {}) if raw is None else clean_variant(raw, op)
        meta_parent = dict(parent.get("metadata") or {})
        if op.metadata == "inherit":
            metadata = meta_parent
        elif op.metadata == "parse":
            metadata = parsed
        else:
            metadata = {}
        out.append({
            "id": f"eva-t{iteration}-{k:05d}",
            "task": parent.get("task", "chat"),
            "prompt": add_suffix(text, prompt_suffix) if text else "",
            "metadata": metadata,
            "reference": None,  # the parent's gold answer does not answer the variant
            "parent_id": parent["id"],
            "operator": op.name,
            "kind": op.kind,
            "metadata_mode": op.metadata,
            "origin": "evolved",
            "raw": raw,
            "body": text,  # the variant without the suffix: what the filters read
        })
    return out


# --------------------------------------------------------------------------------------------------------------
# Filters: drop and count by reason
# --------------------------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?")


def numbers_in(text: str) -> Counter:
    """The numbers a text states (``1,200`` = ``1200``; ``3.50`` = ``3.5``), as a multiset."""
    out: Counter = Counter()
    for tok in _NUMBER.findall(text):
        value = tok.replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out[value] += 1
    return out


def word_ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    from alignkit.eval.diversity import ngrams, words

    toks = words(text)
    if len(toks) < n:
        return {tuple(toks)} if toks else set()
    return set(ngrams(toks, n))


def ngram_overlap(a: str | set, b: str | set, n: int = 2) -> float:
    """Jaccard overlap of the word n-gram sets of two texts (1 = the same n-grams)."""
    sa = a if isinstance(a, set) else word_ngrams(a, n)
    sb = b if isinstance(b, set) else word_ngrams(b, n)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def normalize_text(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# Stop words of the Latin-script languages the heuristic tells apart (the most frequent function words).
_STOPWORDS = {
    "en": "the and of to is in that it for you with on are this be as what how can your do not or have".split(),
    "fr": "le la les des est et une un du que qui dans pour pas vous sur au avec ce sont je il".split(),
    "de": "der die das und ist nicht ein eine zu den von mit sich des auf für ich sie wie auch".split(),
    "es": "el la los las de que y en un una es por con para no se del al lo como más".split(),
    "it": "il di che è e la per un una non sono gli le del della con si come anche io".split(),
    "pt": "o a os as de que e do da em um uma para com não é se na no por mais".split(),
    "nl": "de het een en van is dat niet op te zijn voor met die ook als er maar".split(),
}
# A word listed by k languages counts 1/k for each of them ("de", "a", "la" say little on their own).
_STOPWORD_WEIGHT = {lang: {w: 1.0 / sum(w in other for other in _STOPWORDS.values()) for w in ws}
                    for lang, ws in _STOPWORDS.items()}


def script_of(text: str) -> str | None:
    """The writing system of most letters (``latin``, ``cyrillic``, ``cjk``, ``ja``, ``hangul``, ``arabic``...)."""
    counts: Counter = Counter()
    kana = 0
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if not name:
            continue
        first = name.split(" ", 1)[0]
        if first in ("HIRAGANA", "KATAKANA"):
            kana += 1
            first = "CJK"
        counts[first] += 1
    if not counts:
        return None
    script, n = counts.most_common(1)[0]
    if n < 0.5 * sum(counts.values()):
        return None
    if script == "CJK" and kana:
        return "ja"
    return script.lower()


def detect_language(text: str) -> str | None:
    """A cheap offline guess: the script, and for Latin script the language whose stop words occur most.

    Returns e.g. ``latin:en``, ``latin:fr``, ``cyrillic``, ``cjk``; ``latin`` when the stop words do not decide
    (a score under 2, or under 1.5 times the runner-up's); ``None`` for a text without letters.
    """
    script = script_of(text)
    if script != "latin":
        return script
    toks = re.findall(r"[^\W\d_]+", text.lower())
    hits = {lang: sum(weights.get(t, 0.0) for t in toks) for lang, weights in _STOPWORD_WEIGHT.items()}
    ranked = sorted(hits.items(), key=lambda kv: kv[1], reverse=True)
    best, n_best = ranked[0]
    if n_best < 2 or (len(ranked) > 1 and ranked[1][1] * 1.5 >= n_best):
        return "latin"
    return f"latin:{best}"


def same_language(parent: str, child: str) -> bool:
    """False only when the guesses are sure to differ: another script, or two different decided languages."""
    a, b = detect_language(parent), detect_language(child)
    if a is None or b is None:
        return True
    if a.split(":")[0] != b.split(":")[0]:
        return False
    if ":" in a and ":" in b:
        return a == b
    return True


@dataclass
class FilterConfig:
    """Which variants are dropped (each reason counted)."""

    min_words: int = 3  # fewer words: too_short
    max_prompt_tokens: int = 256  # longer (in the policy's tokens): too_long
    ngram: int = 2  # n of the word n-grams compared by the near-duplicate filter
    # Jaccard overlap of word n-grams with the parent or an already kept variant at or above which a variant is a
    # near-duplicate (0.6 with bigrams: one word changed in a 12-word prompt, or 3 words appended, is one).
    near_duplicate: float = 0.6
    same_language: bool = True  # drop variants not in the parent's language (script + stop-word heuristic)
    same_numbers: bool = False  # math: an inherited answer holds only if the variant states the parent's numbers
    keep_words: list[str] = field(default_factory=list)  # metadata fields whose value must appear (coding: entry_point)
    judge: Any = None  # optional judge `_target_` config: judge(prompt=parent, response=variant) must pass

    def check(self, key: str = "creator.filters") -> None:
        if self.min_words < 0:
            raise ConfigError(f"{key}.min_words={self.min_words} must be >= 0.")
        if self.max_prompt_tokens < 1:
            raise ConfigError(f"{key}.max_prompt_tokens={self.max_prompt_tokens} must be >= 1.")
        if self.ngram < 1:
            raise ConfigError(f"{key}.ngram={self.ngram} must be >= 1.")
        if not 0 < self.near_duplicate <= 1.0:
            raise ConfigError(f"{key}.near_duplicate={self.near_duplicate} must be in (0, 1] (1: only n-gram "
                              f"identical variants are near-duplicates).")


class VariantFilter:
    """Keeps or drops each child, recording ``status`` (kept/dropped) and ``reason``.

    Args:
        cfg: :class:`FilterConfig`.
        required_metadata: metadata fields the recipe's reward needs (math: answer; coding: tests, entry_point).
        fallback: a variant without them is kept and scored by the recipe's fallback reward (``reward_source =
            "fallback"``) instead of being dropped as ``unverifiable``.
        judge: an optional judge (already built); a -1 verdict drops the variant as ``judge_failed``.
        length_fn: prompt length in tokens (default: words).
    """

    def __init__(self, cfg: FilterConfig, required_metadata: Sequence[str] = (), fallback: bool = False,
                 judge: Any = None, length_fn: Callable[[str], int] | None = None):
        self.cfg = cfg
        self.required = list(required_metadata)
        self.fallback = fallback
        self.judge = judge
        self.length_fn = length_fn or (lambda text: len(text.split()))

    def _cheap(self, child: dict, parent: dict, parent_body: str, existing: set[str]) -> str | None:
        """The first reason to drop a child, from the checks that need no model; None to keep it so far."""
        c = self.cfg
        body = child.get("body", child["prompt"])
        if child.get("raw") is None:
            return "evolver_failed"
        if not re.search(r"\w", body):
            return "empty"
        if len(body.split()) < c.min_words:
            return "too_short"
        norm = normalize_text(body)
        if norm == normalize_text(parent_body) or normalize_text(child["prompt"]) in existing:
            return "copy"
        if self.length_fn(child["prompt"]) > c.max_prompt_tokens:
            return "too_long"
        if c.same_language and not same_language(parent_body, body):
            return "language"
        meta = child.get("metadata") or {}
        if any(meta.get(k) in (None, "", [], {}) for k in self.required):
            if not self.fallback:
                return "unverifiable"
            child["reward_source"] = "fallback"
        if child.get("metadata_mode", "inherit") == "inherit" and meta:
            if c.same_numbers and numbers_in(body) != numbers_in(parent_body):
                return "metadata_mismatch"
            for key in c.keep_words:
                value = meta.get(key)
                if value and not re.search(rf"(?<!\w){re.escape(str(value))}(?!\w)", body):
                    return "metadata_mismatch"
        if ngram_overlap(body, parent_body, c.ngram) >= c.near_duplicate:
            return "near_duplicate"
        return None

    def __call__(self, children: Sequence[dict], parents: dict[str, dict], current: Sequence[dict],
                 prompt_suffix: str | None = None) -> tuple[list[dict], list[dict]]:
        """Split ``children`` into (kept, dropped); ``current`` is the prompt set they must not copy."""
        existing = {normalize_text(r["prompt"]) for r in current}
        survivors = []
        for child in children:
            child.setdefault("reward_source", "primary")
            parent = parents[child["parent_id"]]
            reason = self._cheap(child, parent, strip_suffix(parent["prompt"], prompt_suffix), existing)
            child["status"], child["reason"] = ("dropped", reason) if reason else ("kept", None)
            if reason is None:
                survivors.append(child)
        if self.judge is not None and survivors:
            verdicts = self.judge([parents[c["parent_id"]]["prompt"] for c in survivors],
                                  [c["prompt"] for c in survivors],
                                  [parents[c["parent_id"]].get("metadata") or {} for c in survivors])
            for child, v in zip(survivors, verdicts, strict=True):
                if v.failed:
                    child["status"], child["reason"] = "dropped", "judge_failed"
                elif not v.passed:
                    child["status"], child["reason"] = "dropped", "judge"
        # Near-duplicates among the variants themselves: the first of a near-identical group is kept.
        kept: list[dict] = []
        kept_grams: list[set] = []
        for child in children:
            if child["status"] != "kept":
                continue
            body = child.get("body", child["prompt"])
            grams = word_ngrams(body, self.cfg.ngram)
            norm = normalize_text(child["prompt"])
            if norm in existing:
                child["status"], child["reason"] = "dropped", "copy"
                continue
            if any(ngram_overlap(grams, g) >= self.cfg.near_duplicate for g in kept_grams):
                child["status"], child["reason"] = "dropped", "near_duplicate"
                continue
            existing.add(norm)
            kept.append(child)
            kept_grams.append(grams)
        dropped = [c for c in children if c["status"] == "dropped"]
        return kept, dropped


def drop_counts(dropped: Sequence[dict]) -> dict[str, int]:
    """Dropped variants per reason (every reason present, 0 when none)."""
    counts = Counter(c["reason"] for c in dropped)
    return {reason: int(counts.get(reason, 0)) for reason in DROP_REASONS}


# --------------------------------------------------------------------------------------------------------------
# 4. Mix: kept variants + a uniform buffer of the current set
# --------------------------------------------------------------------------------------------------------------


def buffer_size(n_evolved: int, buffer_fraction: float) -> int:
    """Old prompts to add so that they make ``buffer_fraction`` of the next set (0.2: ~80 % evolved)."""
    if not 0 <= buffer_fraction < 1:
        raise ConfigError(f"creator.buffer_fraction={buffer_fraction} must be in [0, 1).")
    return round(n_evolved * buffer_fraction / (1 - buffer_fraction))


def mix_prompt_set(kept: Sequence[dict], current: Sequence[dict], buffer_fraction: float, rng: random.Random,
                   min_size: int = 0, max_size: int | None = None) -> list[dict]:
    """The next prompt set: the kept variants and a uniform sample of ``current`` (the buffer).

    With more than ``max_size`` prompts the variants are subsampled uniformly (the buffer keeps its share); with
    fewer than ``min_size`` (an evolver whose variants were mostly dropped) the buffer is topped up from
    ``current``, so the set never collapses.
    """
    kept = list(kept)
    if max_size is not None:
        cap = round(max_size * (1 - buffer_fraction))
        if len(kept) > cap:
            kept = [kept[i] for i in sorted(rng.sample(range(len(kept)), cap))]
    n_buffer = max(buffer_size(len(kept), buffer_fraction), min_size - len(kept))
    if max_size is not None:
        n_buffer = min(n_buffer, max_size - len(kept))
    n_buffer = max(0, min(n_buffer, len(current)))
    picks = sorted(rng.sample(range(len(current)), n_buffer))
    buffer = []
    for i in picks:
        rec = dict(current[i])
        rec["origin"] = "buffer"
        buffer.append(rec)
    return [*kept, *buffer]


def as_prompt_record(rec: dict, iteration: int | None = None) -> dict:
    """A record in the saved prompt-set format (the schema columns plus eva's lineage columns)."""
    return {
        "id": rec["id"],
        "task": rec.get("task", "chat"),
        "prompt": rec["prompt"],
        "metadata": dict(rec.get("metadata") or {}),
        "reference": rec.get("reference"),
        "parent_id": rec.get("parent_id"),
        "operator": rec.get("operator"),
        "origin": rec.get("origin", "initial"),
        "reward_source": rec.get("reward_source", "primary"),
    }
