"""The ``format`` judge: length bounds, a proper ending (not truncated), no degenerate repetition.

Truncation is read from the metadata when the generator recorded it (``finish_reason == "length"`` or
``truncated: true``; the CGPO trainer records ``truncated`` for every response), and from the text
(:func:`looks_truncated`): an unclosed code fence, and (optionally) an ending that leaves a sentence open, such
as a comma or a last word like "the" or "and". Lists, emoji, one-word answers and short sentences need no full
stop. Only when the generator did not record how it stopped is a long last sentence without an ending also
taken for a cut at the token limit. Degenerate repetition is the share of repeated word n-grams: for a response
with ``T`` n-grams of which ``U`` are distinct, ``1 - U / T``; above ``max_repeat_ratio`` the response loops.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from alignkit.judges.base import Judge, JudgeVerdict

_NATURAL_STOPS = ("eos", "stop", "end_turn", "stop_sequence", "eos_token")
_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_DEFAULT_ENDINGS = ".!?\"')]}`*>:;|%\u2026\u3002\uff01\uff1f\u300d\u300f\uff09"


def repeated_ngram_ratio(text: str, n: int = 4) -> float:
    """``1 - distinct/total`` over word n-grams (0 for texts shorter than ``n`` tokens)."""
    tokens = _TOKEN_RE.findall(text.lower())
    total = len(tokens) - n + 1
    if total <= 0:
        return 0.0
    distinct = len({tuple(tokens[i : i + n]) for i in range(total)})
    return 1.0 - distinct / total


# Words after which an English clause cannot end: articles, possessives, coordinating and subordinating
# conjunctions, prepositions that need an object, modal verbs that need a verb ("...that we should", "open the").
# Words that can end a clause ("on", "up", "that", "can", "will", "each", "though") are left out.
DANGLING_WORDS = frozenset("""
a an the my your our their its whose
and or nor but because although whereas unless if than
of to for with at by from into onto upon via between among toward towards per including as
should would could must shall very
""".split())
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+\u2022\u2023\u25e6]|\d{1,3}[.)]|[a-zA-Z][.)])\s+\S")
_SENTENCE_END_RE = re.compile(r"[.!?\u3002\uff01\uff1f\u2026]+[\"')\]]*(?=\s|$)|\n")
_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_LABEL_RE = re.compile(r"^[*_]*[^:*_\n]{1,60}?[*_]*\s*:[*_]*\s+\S")  # "**Title**: explanation" items are prose
_LINK_RE = re.compile(r"(?:https?://|www\.|[\w.-]+@[\w-]+\.|\S*/\S+\.\w+|`)\S*$")  # a URL, an e-mail, a path, code
_JOINERS = "\ufe0e\ufe0f\u200d"  # emoji variation selectors and the zero-width joiner


def _symbol_ending(ch: str) -> bool:
    """An emoji, a pictograph or a currency sign: a deliberate last character, not a cut."""
    cat = unicodedata.category(ch)
    return ch in _JOINERS or cat in ("So", "Sc") or (cat == "Sk" and ord(ch) > 0x2000)


def _open_markup(line: str) -> str | None:
    """What the line opens and never closes: a bold marker, a parenthesis, a quotation."""
    if line.count("**") % 2 == 1:
        return "'**'"
    if line.count("(") > line.count(")"):
        return "'('"
    if line.count('"') % 2 == 1 or line.count("\u201c") > line.count("\u201d"):
        return "a quotation"
    return None


def looks_truncated(
    text: str,
    require_terminal: bool = True,
    endings: str = _DEFAULT_ENDINGS,
    max_open_words: int | None = 8,
    stopped: bool = False,
    long_text_words: int = 20,
) -> str | None:
    """Why the text looks cut off, or ``None`` when it ends properly.

    Always: an unclosed code fence. With ``require_terminal``, the ending is read as a reader would:

    * a last line that opens a bold marker, a parenthesis or a quotation and never closes it is cut;
    * a last character in ``endings``, a digit, an emoji or a currency sign ends the text;
    * any other punctuation ("," "-" "(" "/" ...) leaves it open: cut off;
    * a last word after which a clause cannot end (an article, a conjunction, a preposition or modal that needs
      its object, :data:`DANGLING_WORDS`) is a cut mid-clause, also in a list item;
    * a last list entry ("- apples", "3. Bake for 20 minutes"), a sign-off line ("Best,\nSam"), a link or a
      path, a one-word answer or a short sentence ("Call me at 5 pm") need no full stop;
    * unless the generator recorded that it ``stopped`` on its own (end of sequence or a stop string), which makes
      the guess unnecessary, a last sentence without an ending is taken for a cut at the token limit when it has
      ``max_open_words`` or more words, or follows ``long_text_words`` or more words of text (a long answer that
      ended its sentences until the last one); a list item written as prose ("2. **Wash**: Rinse the rice. Then
      ...", or long) is read as prose; ``max_open_words=None`` turns the guess off.
    """
    stripped = text.rstrip()
    if stripped.count("```") % 2 == 1:
        return "unclosed code fence"
    if not require_terminal or not stripped:
        return None
    body = stripped.rstrip(_JOINERS)
    tail = stripped[-20:]
    last_line = body.rsplit("\n", 1)[-1]
    opened = _open_markup(last_line)
    if opened:
        return f"the last line opens {opened} and never closes it ({tail!r})"
    last = body[-1] if body else stripped[-1]
    if last in endings or last.isdigit() or _symbol_ending(last):
        return None
    if not last.isalnum():
        return f"ends with {last!r}, mid-sentence ({tail!r})"
    words = _WORD_RE.findall(last_line)
    if words and words[-1].lower() in DANGLING_WORDS:
        return f"ends mid-clause after {words[-1]!r} ({tail!r})"
    if _LINK_RE.search(last_line):
        return None
    item = _LIST_ITEM_RE.match(last_line)
    if item:
        entry = last_line[item.end() - 1 :]
        prose = (_LABEL_RE.match(entry) or _SENTENCE_END_RE.search(entry)
                 or (max_open_words is not None and len(words) >= 2 * max_open_words))
        if not prose:  # a list entry ("- apples", "3. Bake for 20 minutes") needs no full stop
            return None
    lines = body.split("\n")
    if len(lines) > 1 and lines[-2].rstrip().endswith(",") and len(words) <= 4:  # "Best regards,\nSam"
        return None
    if max_open_words is not None and not stopped:
        pieces = _SENTENCE_END_RE.split(body)
        open_words = len(_WORD_RE.findall(pieces[-1]))
        before = len(_WORD_RE.findall(body)) - open_words
        if open_words >= max_open_words or before >= long_text_words:
            return f"the last sentence ({open_words} words) has no ending ({tail!r})"
    return None


class FormatJudge(Judge):
    """Length bounds, not truncated, no degenerate repetition.

    Args:
        min_words, max_words: bounds on the number of words (``None``: unbounded).
        min_chars, max_chars: bounds on the number of characters (``None``: unbounded).
        require_terminal: also call a response truncated when its last character cannot end a sentence
            (set ``false`` for raw-code tasks).
        endings: characters accepted as a proper last character (digits, emoji and currency signs always are).
        max_open_words: when the metadata does not say how generation stopped, a last sentence of at least this
            many words without an ending counts as cut at the token limit (``None``: never).
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
        max_open_words: int | None = 8,
        ngram: int = 4,
        max_repeat_ratio: float = 0.5,
        min_ngrams_for_repetition: int = 20,
    ) -> None:
        super().__init__(name)
        self.min_words, self.max_words = min_words, max_words
        self.min_chars, self.max_chars = min_chars, max_chars
        self.require_terminal = require_terminal
        self.endings = endings
        self.max_open_words = max_open_words
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
        finish = metadata.get("finish_reason")
        if finish == "length" or metadata.get("truncated") is True:
            return JudgeVerdict.violated("truncated: generation stopped at the token limit")
        # The generator recorded a stop of its own (end of sequence, a stop string): no need to guess a cut.
        stopped = metadata.get("truncated") is False or finish in _NATURAL_STOPS
        why = looks_truncated(response, self.require_terminal, self.endings, self.max_open_words, stopped)
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
