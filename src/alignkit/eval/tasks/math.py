"""MATH / MATH-500: competition math, the final answer checked for equivalence with math-verify.

Data: a MATH-format file or hub copy (``problem``; ``answer``, or ``solution`` whose last ``\\boxed{}`` is the
answer), e.g. ``source=HuggingFaceH4/MATH-500`` or ``source=/path/math500.jsonl``; by default the shipped held-out
math problems (``prompt`` and ``metadata.answer``), so that the task runs offline.

The prompt asks for the answer in ``\\boxed{}`` (MATH-format data; the shipped prompts ask for "The final
answer is N."). Scoring is the shared math judge: the answer is read from the formats it knows ("The final
answer is X", ``\\boxed{X}``, ``#### X``; the last one written wins) and compared with the gold answer by
math-verify in worker processes with a time limit; a judge that times out or cannot parse the gold answer is a
failure (left out and counted), not a wrong answer. ``exact_match`` is the accuracy; with ``n`` > 1 samples,
``maj@k`` votes on the extracted answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from alignkit.errors import ConfigError, DataError
from alignkit.eval.task import Doc, Sample, Task

BOXED_SUFFIX = "Please reason step by step, and put your final answer within \\boxed{}."


@dataclass(kw_only=True)
class Math(Task):
    """Final-answer accuracy with math-verify (MATH / MATH-500 format)."""

    name: ClassVar[str] = "math"
    description: ClassVar[str] = "MATH / MATH-500: final answer checked with math-verify"
    majority: ClassVar[dict[str, tuple[str, str]]] = {"exact_match": ("answer", "maj@{k}")}

    source: str = "math"  # math (shipped held-out problems) | a MATH-format file | a hub id (HuggingFaceH4/MATH-500)
    split: str = "test"
    prompt_suffix: str = BOXED_SUFFIX  # appended to MATH-format problems
    timeout_s: float = 5.0  # math-verify time limit per answer
    num_workers: int | None = None  # judge worker processes (None: one per core)

    def __post_init__(self) -> None:
        if self.timeout_s <= 0:
            raise ConfigError(f"task.timeout_s={self.timeout_s} must be > 0.")
        self._judge = None

    def load(self) -> list[Doc]:
        from alignkit.judges.math import extract_final_answer

        rows, label = self.read_source(self.source, self.split, "math" if self.source == "math" else None)
        docs = []
        for i, row in enumerate(rows):
            if "problem" in row:
                gold = row.get("answer")
                if gold in (None, "") and row.get("solution"):
                    gold = extract_final_answer(str(row["solution"]), ("boxed",))
                if gold in (None, ""):
                    raise DataError(f"{label}: row {i} has no 'answer' and no \\boxed{{}} answer in 'solution'.")
                prompt = f"{str(row['problem']).strip()}\n\n{self.prompt_suffix}".strip()
                extra = {k: row[k] for k in ("subject", "level", "type") if k in row}
            elif "prompt" in row and isinstance(row.get("metadata"), dict) and "answer" in row["metadata"]:
                prompt, gold, extra = str(row["prompt"]), row["metadata"]["answer"], {}
            else:
                raise DataError(f"{label}: row {i} has neither MATH's 'problem' with 'answer'/'solution' nor a "
                                f"'prompt' with 'metadata.answer'; columns present: {', '.join(sorted(row))}.")
            rid = row.get("id", row.get("unique_id", f"math-{self.split}-{i:05d}"))
            docs.append({"id": str(rid), "prompt": prompt, "gold": str(gold), **extra})
        return docs

    def prompt(self, doc: Doc) -> str:
        return doc["prompt"]

    @property
    def judge(self) -> Any:
        if self._judge is None:
            from alignkit.judges.math import MathJudge

            self._judge = MathJudge(timeout_s=self.timeout_s, num_workers=self.num_workers)
        return self._judge

    def score(self, docs: list[Doc], samples: list[Sample]) -> list[dict[str, Any]]:
        from alignkit.judges.math import extract_final_answer

        responses = [str(s["response"]) for s in samples]
        verdicts = self.judge([d["prompt"] for d in docs], responses, [{"answer": d["gold"]} for d in docs])
        out = []
        for doc, response, v in zip(docs, responses, verdicts, strict=True):
            out.append({"metrics": {"exact_match": None if v.failed else float(v.passed)}, "target": doc["gold"],
                        "extracted": {"answer": extract_final_answer(response, self.judge.formats)},
                        "reason": v.reason})
        return out

    def close(self) -> None:
        if self._judge is not None:
            self._judge.close()
            self._judge = None
