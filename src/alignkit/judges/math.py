"""The ``math`` judge: the response's final answer must equal the prompt's answer.

The answer is read only from the formats the prompt asks for: "The final answer is X",
``\\boxed{X}`` or a GSM8K-style "#### X" line (the one that comes last in the response wins). A
response with no answer in one of these formats is a violation. The comparison goes through
``math-verify`` (sympy), which can hang or run for long on adversarial input, so it runs in warm worker
processes with a per-item time limit: a timeout is a judge failure (-1), never a pass.

Before the comparison both answers are normalised (:func:`normalize_answer`): the written forms of a plain
number that math-verify does not read are rewritten into ones it does (a currency sign, thousands separators,
scientific notation, a number in words, a mixed number), so equivalence is still decided by math-verify.

Metadata: ``{"answer": "42"}``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from alignkit.judges.base import JudgeVerdict
from alignkit.judges.process import ProcessJudge

FORMATS = ("final_answer", "boxed", "hash")

_FINAL_RE = re.compile(r"final\s+answer\s+is\b\s*:?", re.IGNORECASE)
_HASH_RE = re.compile(r"^[ \t]*####[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_BOXED_RE = re.compile(r"\\(?:boxed|fbox)\s*\{")
_HOPE_RE = re.compile(r"\s*I hope it is correct\.?\s*$", re.IGNORECASE)
_UNIT_SUFFIX_RE = re.compile(r"^\s*([-+]?\d[\d,]*(?:\.\d+)?)\s+[A-Za-z][A-Za-z \t]*$")


def _balanced(text: str, open_at: int) -> str | None:
    """Content of the brace group whose ``{`` is at ``open_at``; ``None`` if it never closes."""
    depth = 0
    for j in range(open_at, len(text)):
        ch = text[j]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[open_at + 1 : j]
    return None


def _last_boxed(text: str) -> tuple[int, str | None] | None:
    """Position and content of the last ``\\boxed{...}`` (content ``None`` when unbalanced)."""
    matches = list(_BOXED_RE.finditer(text))
    if not matches:
        return None
    m = matches[-1]
    return m.start(), _balanced(text, m.end() - 1)


def _clean(answer: str) -> str:
    """Strip decorations around an extracted answer: markdown, dollars, a final period."""
    s = _HOPE_RE.sub("", answer).strip()
    s = s.strip("*").strip()
    for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if s.startswith(left) and s.endswith(right) and len(s) >= len(left) + len(right):
            s = s[len(left) : len(s) - len(right)].strip()
            break
    boxed = _last_boxed(s)
    if boxed is not None and boxed[0] == 0 and boxed[1] is not None:
        s = boxed[1].strip()
    s = s.rstrip(".").strip()
    return s


def _after_final_answer(text: str, start: int) -> str:
    """The answer that follows "final answer is", up to the end of its sentence or line."""
    line = text[start:].split("\n", 1)[0].strip()
    line = line.strip("*").strip()
    if line.startswith("$") and not _CURRENCY_OPEN_RE.match(line):
        closer = "$$" if line.startswith("$$") else "$"
        end = line.find(closer, len(closer))
        return line[: end + len(closer)] if end != -1 else ""
    boxed = _BOXED_RE.match(line)
    if boxed:
        content = _balanced(line, boxed.end() - 1)
        return "" if content is None else content
    m = re.match(r"(.*?)(?:\.(?:\s|$)|$)", line)
    return m.group(1) if m else line


def extract_final_answer(text: str, formats: Sequence[str] = FORMATS) -> str | None:
    """The final answer stated in ``text`` in one of ``formats``, or ``None`` when there is none.

    When several formats appear, the one written last wins (a model that corrects itself states its
    final answer last). An unclosed ``\\boxed{`` or an empty answer counts as no answer.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown answer formats {sorted(unknown)}; choose from {FORMATS}")
    candidates: list[tuple[int, str]] = []
    if "final_answer" in formats:
        matches = list(_FINAL_RE.finditer(text))
        if matches:
            m = matches[-1]
            candidates.append((m.start(), _after_final_answer(text, m.end())))
    if "boxed" in formats:
        boxed = _last_boxed(text)
        if boxed is not None:
            candidates.append((boxed[0], boxed[1] or ""))
    if "hash" in formats:
        matches = list(_HASH_RE.finditer(text))
        if matches:
            candidates.append((matches[-1].start(), matches[-1].group(1)))
    if not candidates:
        return None
    # A \boxed{} inside the "final answer is" sentence sits after it; both give the same answer.
    _, raw = max(candidates, key=lambda c: c[0])
    answer = _clean(raw)
    return answer or None


# A "$" that opens an amount of money, not inline math: "$12.50." or "$1,200 per month" (but "$12$" and "$3+4$"
# are math).
_CURRENCY_OPEN_RE = re.compile(r"^\$\s?[-+]?\d[\d,]*(?:\.\d+)?(?!\s*[$+\-*/^_=\\{}\d])")
_CURRENCY_SIGNS = "$€£¥₹"
_CURRENCY_LEAD_RE = re.compile(
    r"^([-+]?)\s*(?:\\?[" + _CURRENCY_SIGNS + r"]|\\euro\b|\\pounds\b|(?:US\$|USD|EUR|GBP)\s*)\s*(?=[-+]?\.?\d)"
)
_CURRENCY_TRAIL_RE = re.compile(r"(?<=\d)\s*(?:\\?[" + _CURRENCY_SIGNS + r"]|\\euro\b|USD|EUR|GBP)$")
_GROUPED_RE = re.compile(r"^([-+]?)(\d{1,3}(?:(?:,|\{,\}|[ \u2009\u202f\u00a0]|\\,|\\ )\d{3})+)(\.\d+)?$")
_SCI_RE = re.compile(
    r"^([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*(?:[eE]\s*([-+]?\d+)|(?:\*|x|×|·|\\times|\\cdot)\s*10\s*\^\s*"
    r"(?:\{\s*([-+]?\d+)\s*\}|([-+]?\d+)))$"
)
_MIXED_RE = re.compile(
    r"^([-+]?)(\d+)(?:\s+and\s+|\s+|(?=\\))(?:(\d+)\s*/\s*(\d+)|\\[dt]?frac\s*\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\})$"
)
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_NUMBER_WORD_RE = re.compile(
    r"\b(?:minus\s+|negative\s+)?(?:" + "|".join([*_UNITS, *_TENS, *_SCALES]) + r")"
    r"(?:(?:\s+|-|\s+and\s+)(?:" + "|".join([*_UNITS, *_TENS, *_SCALES]) + r"))*"
    r"(?:\s+and\s+a\s+half)?\b",
    re.IGNORECASE,
)


def _words_value(phrase: str) -> str | None:
    """The value of an English cardinal ("one hundred and five", "twenty-one", "minus three", "two and a half")."""
    words = re.split(r"[\s-]+", phrase.lower().strip())
    sign = ""
    if words and words[0] in ("minus", "negative"):
        sign, words = "-", words[1:]
    half = words[-3:] == ["and", "a", "half"]
    if half:
        words = words[:-3]
    total, current, seen = 0, 0, False
    last = None  # kind of the previous word, to refuse ill-formed sequences such as "five five"
    for w in words:
        if w == "and":
            if last not in ("scale", "hundred"):
                return None
            continue
        if w in _UNITS:
            if last in ("unit", "teen") or (last == "tens" and _UNITS[w] >= 10) or (last == "tens" and w == "zero"):
                return None
            current += _UNITS[w]
            last = "teen" if _UNITS[w] >= 10 else "unit"
        elif w in _TENS:
            if last in ("unit", "teen", "tens"):
                return None
            current += _TENS[w]
            last = "tens"
        elif w == "hundred":
            if last not in ("unit", "teen", "tens") or current % 100 == 0 and current:
                return None
            current *= 100
            last = "hundred"
        elif w in _SCALES:
            if current == 0:  # "thousand" alone, "one thousand million"
                return None
            total += current * _SCALES[w]
            current = 0
            last = "scale"
        else:
            return None
        seen = True
    if not seen:
        return None
    value = total + current
    return f"{sign}{value}.5" if half else f"{sign}{value}"


_DENOMINATORS = {
    "half": 2, "halves": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "hundredth": 100, "thousandth": 1000,
}
_FRACTION_WORDS_RE = re.compile(
    r"^([-+]?)(\d+|an?)[\s-]+(" + "|".join(sorted(_DENOMINATORS, key=len, reverse=True)) + r")s?$", re.IGNORECASE
)
_SCALED_RE = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*(hundred|thousand|million|billion|trillion)$", re.IGNORECASE)
_PERCENT_WORD_RE = re.compile(r"(?<=\d)\s*(?:percent|per\s+cent|pct)$", re.IGNORECASE)
# Words after a number that are part of its value, not a unit to drop ("3 quarters" is not 3).
VALUE_WORDS = frozenset([*_DENOMINATORS, *(f"{d}s" for d in _DENOMINATORS), "hundred", "thousand", "million",
                         "billion", "trillion", "percent", "dozen", "score", "squared", "cubed"])


def _number_words_to_digits(s: str) -> str:
    """Rewrite every well-formed cardinal written in words as digits ("fifteen apples" -> "15 apples")."""

    def sub(m: re.Match[str]) -> str:
        value = _words_value(m.group(0))
        return m.group(0) if value is None else value

    return _NUMBER_WORD_RE.sub(sub, s)


def normalize_answer(answer: str) -> str:
    """Rewrite written forms of a number that math-verify does not read into ones it does.

    A currency sign or code ("$12.50", "12.50 €", "USD 5"), thousands separators ("1,234,567", "1 000",
    "1{,}000"), scientific notation ("1.2e3", "1.2 x 10^3"), cardinals in words ("fifteen", "minus
    twenty-one", "two and a half", "1.5 million"), fractions in words ("three quarters", "a half"), "percent",
    and mixed numbers ("2 1/2", "-3 and 3/4", "2\\frac{1}{2}"). Anything else is
    returned unchanged, so the comparison stays math-verify's.
    """
    s = answer.strip()
    s = _number_words_to_digits(s) if re.search(r"[A-Za-z]", s) else s
    s = _CURRENCY_LEAD_RE.sub(r"\1", s)
    if s.count("$") <= 1:  # "12$" is money; the closing "$" of "$x+1$" is not
        s = _CURRENCY_TRAIL_RE.sub("", s).strip()
    m = _GROUPED_RE.match(s)
    if m:
        s = m.group(1) + re.sub(r"\D", "", m.group(2)) + (m.group(3) or "")
    m = _SCI_RE.match(s)
    if m:
        exponent = next(e for e in m.groups()[1:] if e is not None)
        s = f"{m.group(1)}\\times10^{{{int(exponent)}}}"
    s = _PERCENT_WORD_RE.sub("%", s)
    m = _FRACTION_WORDS_RE.match(s)
    if m:  # "three quarters" (now "3 quarters"), "a half"
        num = 1 if m.group(2).lower() in ("a", "an") else int(m.group(2))
        s = f"{'-' if m.group(1) == '-' else ''}\\frac{{{num}}}{{{_DENOMINATORS[m.group(3).lower()]}}}"
    m = _SCALED_RE.match(s)
    if m:  # "1.5 million"
        value = Decimal(m.group(1)) * _SCALES[m.group(2).lower()]
        s = format(value.normalize(), "f")
    m = _MIXED_RE.match(s)
    if m:
        sign, whole = m.group(1), int(m.group(2))
        num, den = (int(m.group(3)), int(m.group(4))) if m.group(3) is not None else (int(m.group(5)), int(m.group(6)))
        if 0 < num < den:  # a proper fraction after a whole number: a mixed number, not a product
            s = f"{'-' if sign == '-' else ''}\\frac{{{whole * den + num}}}{{{den}}}"
    return s


def _plain(s: str) -> str:
    return re.sub(r"\s+", "", s).replace("$", "").rstrip(".")


def _braces_balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def verify_answer(payload: tuple[str, str]) -> tuple[int, str, float | None]:
    """Worker body: compare ``(gold, predicted)`` with math-verify.

    Returns ``(1|0, reason, score)``, or ``(-1, reason, None)`` when the gold answer cannot be parsed.
    """
    import math_verify.grader
    import math_verify.parser
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    # The pool enforces the time limit; math-verify's own signal-based limits stay off (and quiet).
    math_verify.parser.TIMEOUT_WARNING_SHOWN = True
    math_verify.grader.TIMEOUT_WARNING_SHOWN = True
    gold, pred = payload
    config = [LatexExtractionConfig(boxed_match_priority=0), ExprExtractionConfig()]

    def _parse(s: str) -> list[Any]:
        return parse(f"${s}$", extraction_config=config, parsing_timeout=None)

    gold_parsed = _parse(gold) if _braces_balanced(gold) else []
    if not gold_parsed:
        return -1, f"could not parse the gold answer {gold!r}", None
    candidates = [pred]
    unit = _UNIT_SUFFIX_RE.match(pred)
    # "12 dollars" -> "12"; "42 or 43" keeps its digits and is not stripped; "3 quarters" is not 3
    if unit and pred[unit.end(1) :].split()[0].lower() not in VALUE_WORDS:
        candidates.append(unit.group(1))
    for candidate in candidates:
        pred_parsed = _parse(candidate)
        if pred_parsed and verify(gold_parsed, pred_parsed, timeout_seconds=None):
            return 1, f"answer {pred!r} equals {gold!r}", 1.0
    return 0, f"answer {pred!r} does not equal {gold!r}", 0.0


def warmup() -> None:
    """Import math-verify and run one comparison, so no item pays for the cold start."""
    verify_answer(("1/2", "0.5"))


class MathJudge(ProcessJudge):
    """Final-answer correctness against ``metadata["answer"]``.

    Args:
        answer_key: metadata key holding the gold answer.
        formats: accepted answer formats, a subset of ``("final_answer", "boxed", "hash")``.
        num_workers, timeout_s, chunk_size, start_method: see :class:`ProcessJudge`.
    """

    default_name = "math"
    worker_fn = "alignkit.judges.math:verify_answer"
    worker_warmup = "alignkit.judges.math:warmup"

    def __init__(
        self,
        name: str | None = None,
        answer_key: str = "answer",
        formats: Sequence[str] = FORMATS,
        num_workers: int | None = None,
        timeout_s: float = 5.0,
        chunk_size: int = 8,
        start_method: str = "spawn",
    ) -> None:
        super().__init__(name, num_workers, timeout_s, chunk_size, start_method)
        self.answer_key = answer_key
        self.formats = tuple(formats)
        extract_final_answer("", self.formats)  # validate the formats early

    def make_payload(self, prompt: str, response: str, metadata: dict[str, Any]) -> Any:
        gold = metadata.get(self.answer_key)
        if gold is None or str(gold).strip() == "":
            return JudgeVerdict.error(f"{self.name}: metadata has no {self.answer_key!r}")
        gold = normalize_answer(_clean(str(gold)))
        pred = extract_final_answer(response, self.formats)
        if pred is None:
            return JudgeVerdict.violated("no final answer in the required format")
        pred = normalize_answer(pred)
        if _plain(pred) == _plain(gold):
            return JudgeVerdict.ok(f"answer {pred!r} equals {gold!r}")
        return (gold, pred)
