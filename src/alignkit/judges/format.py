"""The ``format`` judge: length bounds, a proper ending (not truncated), no degenerate repetition.

Truncation is read from the metadata when the generator recorded it (``finish_reason == "length"`` or
``truncated: true``), else from the text: an unclosed code fence, or (optionally) a last character that
cannot end a sentence. Degenerate repetition is the share of repeated word n-grams: for a response with
``T`` n-grams of which ``U`` are distinct, ``1 - U / T``; above ``max_repeat_ratio`` the response loops.
"""

from __future__ import annotations

import re
from typing import Any

from alignkit.judges.base import Judge, JudgeVerdict

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_DEFAULT_ENDINGS = ".!?\"')]}`*>:;|"


def repeated_ngram_ratio(text: str, n: int = 4) -> float:
    """``1 - distinct/total`` over word n-grams (0 for texts shorter than ``n`` tokens)."""
    tokens = _TOKEN_RE.findall(text.lower())
    total = len(tokens) - n + 1
    if total <= 0:
        return 0.0
    distinct = len({tuple(tokens[i : i + n]) for i in range(total)})
    return 1.0 - distinct / total


def looks_truncated(text: str, require_terminal: bool = True, endings: str = _DEFAULT_ENDINGS) -> str | None:
    """Why the text looks cut off, or ``None`` when it ends properly."""
    stripped = text.rstrip()
    if stripped.count("```") % 2 == 1:
        return "unclosed code fence"
    if require_terminal and stripped and stripped[-1] not in endings and not stripped[-1].isdigit():
        return f"ends mid-sentence ({stripped[-20:]!r})"
    return None


class FormatJudge(Judge):
    """Length bounds, not truncated, no degenerate repetition.

    Args:
        min_words, max_words: bounds on the number of words (``None``: unbounded).
        min_chars, max_chars: bounds on the number of characters (``None``: unbounded).
        require_terminal: also call a response truncated when its last character cannot end a sentence
            (set ``false`` for raw-code tasks).
        endings: characters accepted as a proper last character (digits always are).
        ngram: n of the repetition check.
        max_repeat_ratio: largest accepted share of repeated n-grams.
        min_ngrams_for_repetition: shorter responses skip the repetition check.
    """

    default_name = "format"

    def __init__(
        self,
        name: str | None = None,
        min_words: int | None = 1,
        max_words: int | None = None,
        min_chars: int | None = None,
        max_chars: int | None = None,
        require_terminal: bool = True,
        endings: str = _DEFAULT_ENDINGS,
        ngram: int = 4,
        max_repeat_ratio: float = 0.5,
        min_ngrams_for_repetition: int = 20,
    ) -> None:
        super().__init__(name)
        self.min_words, self.max_words = min_words, max_words
        self.min_chars, self.max_chars = min_chars, max_chars
        self.require_terminal = require_terminal
        self.endings = endings
        self.ngram = ngram
        self.max_repeat_ratio = max_repeat_ratio
        self.min_ngrams_for_repetition = min_ngrams_for_repetition

    def judge_one(self, prompt: str, response: str, metadata: dict[str, Any]) -> JudgeVerdict:
        words = len(response.split())
        chars = len(response.strip())
        if self.min_words is not None and words < self.min_words:
            return JudgeVerdict.violated(f"too short: {words} words < {self.min_words}")
        if self.max_words is not None and words > self.max_words:
            return JudgeVerdict.violated(f"too long: {words} words > {self.max_words}")
        if self.min_chars is not None and chars < self.min_chars:
            return JudgeVerdict.violated(f"too short: {chars} chars < {self.min_chars}")
        if self.max_chars is not None and chars > self.max_chars:
            return JudgeVerdict.violated(f"too long: {chars} chars > {self.max_chars}")
        if metadata.get("finish_reason") == "length" or metadata.get("truncated") is True:
            return JudgeVerdict.violated("truncated: generation stopped at the token limit")
        why = looks_truncated(response, self.require_terminal, self.endings)
        if why:
            return JudgeVerdict.violated(f"truncated: {why}")
        n_tokens = len(_TOKEN_RE.findall(response))
        if n_tokens - self.ngram + 1 >= self.min_ngrams_for_repetition:
            ratio = repeated_ngram_ratio(response, self.ngram)
            if ratio > self.max_repeat_ratio:
                return JudgeVerdict.violated(
                    f"degenerate repetition: {ratio:.2f} of {self.ngram}-grams repeat"
                )
        return JudgeVerdict.ok("well-formed")
