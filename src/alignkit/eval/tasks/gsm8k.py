"""GSM8K: grade-school math word problems, exact match on the final number, strict and flexible as lm-eval.

Data: the shipped held-out math problems by default (same answer format), or GSM8K's own format
(``question``; ``answer`` ending in ``#### N``) from a file or the hub (``source=openai/gsm8k:main``).

The prompt asks for "The final answer is N." Two extractions, as lm-eval reports them:

* ``exact_match_strict``: the answer in the format asked for ("The final answer is N", or a ``#### N`` line; read
  by the math judge's extractor), its leading number;
* ``exact_match_flexible``: the last number anywhere in the response (lm-eval's ``flexible-extract`` regex).

Both compare with the gold number after lm-eval's normalisation (commas, ``$`` and a final period removed).
With ``n`` > 1 samples, ``maj@k_strict`` and ``maj@k_flexible`` vote on the extracted numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from alignkit.errors import DataError
from alignkit.eval.task import Doc, Sample, Task

SUFFIX = 'Solve the problem step by step. End your response with "The final answer is N." where N is the final number.'
_FLEXIBLE = re.compile(r"(-?[$0-9.,]{2,})|(-?[0-9]+)")  # lm-eval's gsm8k flexible-extract
_LEADING_NUMBER = re.compile(r"^\s*\$?\s*(-?\$?[0-9][0-9,]*(?:\.[0-9]+)?)")


def normalize(text: str | None) -> str | None:
    """lm-eval's gsm8k normalisation: drop commas and ``$``, a leading ``#### `` part and a final period."""
    if text is None:
        return None
    s = re.sub(r"(?s).*#### ", "", str(text))
    s = s.replace(",", "").replace("$", "").strip()
    s = re.sub(r"\.$", "", s)
    return s or None


def strict_answer(response: str) -> str | None:
    """The number given in the answer format the prompt asks for (None when the format is missing)."""
    from alignkit.judges.math import extract_final_answer

    answer = extract_final_answer(response, ("final_answer", "hash"))
    if answer is None:
        return None
    m = _LEADING_NUMBER.match(answer)
    return normalize(m.group(1)) if m else None


def flexible_answer(response: str) -> str | None:
    """The last number in the response (lm-eval's flexible extraction)."""
    matches = _FLEXIBLE.findall(response)
    if not matches:
        return None
    last = matches[-1]
    return normalize(last[0] or last[1])


def gold_answer(answer: Any) -> str:
    """The gold number: after ``####`` in GSM8K's answer field, or the answer itself."""
    text = str(answer)
    if "####" in text:
        text = text.rsplit("####", 1)[1]
    return normalize(text) or ""


@dataclass(kw_only=True)
class GSM8K(Task):
    """Exact match on the final number (strict and flexible extraction), maj@k with several samples."""

    name: ClassVar[str] = "gsm8k"
    description: ClassVar[str] = "GSM8K math word problems: exact match, strict and flexible"
    majority: ClassVar[dict[str, tuple[str, str]]] = {
        "exact_match_strict": ("strict", "maj@{k}_strict"),
        "exact_match_flexible": ("flexible", "maj@{k}_flexible"),
    }

    source: str = "math"  # math (shipped held-out problems) | a GSM8K-format file | a hub id (openai/gsm8k:main)
    split: str = "test"
    prompt_suffix: str = SUFFIX  # appended to GSM8K questions (shipped prompts already end with it)

    def load(self) -> list[Doc]:
        rows, label = self.read_source(self.source, self.split, "math" if self.source == "math" else None)
        docs = []
        for i, row in enumerate(rows):
            if "question" in row and "answer" in row:  # GSM8K's own format
                question = str(row["question"]).strip()
                prompt = f"{question}\n\n{self.prompt_suffix}" if self.prompt_suffix else question
                gold = gold_answer(row["answer"])
            elif "prompt" in row and isinstance(row.get("metadata"), dict) and "answer" in row["metadata"]:
                prompt, gold = str(row["prompt"]), gold_answer(row["metadata"]["answer"])
            else:
                raise DataError(f"{label}: row {i} has neither GSM8K's 'question' and 'answer' nor a 'prompt' with "
                                f"'metadata.answer'; columns present: {', '.join(sorted(row))}.")
            if not gold:
                raise DataError(f"{label}: row {i}: empty gold answer.")
            docs.append({"id": str(row.get("id", f"gsm8k-{self.split}-{i:05d}")), "prompt": prompt, "gold": gold})
        return docs

    def prompt(self, doc: Doc) -> str:
        return doc["prompt"]

    def score(self, docs: list[Doc], samples: list[Sample]) -> list[dict[str, Any]]:
        out = []
        for doc, s in zip(docs, samples, strict=True):
            strict, flexible = strict_answer(s["response"]), flexible_answer(s["response"])
            out.append({
                "metrics": {"exact_match_strict": float(strict == doc["gold"]),
                            "exact_match_flexible": float(flexible == doc["gold"])},
                "target": doc["gold"], "extracted": {"strict": strict, "flexible": flexible},
            })
        return out
