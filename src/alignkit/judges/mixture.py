"""The mixture of judges: a task's judges combined by the all-must-pass rule.

A response is *satisfied* only when every judge returns 1. A judge that fails (-1) does not pass the
response (so a failed judge can never be read as a pass) and is counted separately from violations, so
trainers can log per-judge violation and failure rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from alignkit.judges.base import FAILED, SATISFIED, VIOLATED, Judge, JudgeVerdict, normalize_batch


@dataclass
class MixtureResult:
    """Verdicts of every judge on a batch.

    Attributes:
        satisfied: per response, True when every judge returned 1.
        per_judge: judge name -> its verdict values (1, 0, -1) per response.
        reasons: judge name -> its reason strings per response.
        scores: judge name -> its graded scores per response (``None`` where it has none).
    """

    satisfied: list[bool]
    per_judge: dict[str, list[int]] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, list[float | None]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.satisfied)

    @property
    def failed(self) -> list[bool]:
        """Per response: at least one judge failed on it."""
        return [any(values[i] == FAILED for values in self.per_judge.values()) for i in range(len(self))]

    @property
    def violated(self) -> list[bool]:
        """Per response: at least one judge returned 0."""
        return [any(values[i] == VIOLATED for values in self.per_judge.values()) for i in range(len(self))]

    @property
    def n_failed(self) -> int:
        """Number of failed judge verdicts (-1) over all judges and responses."""
        return sum(v == FAILED for values in self.per_judge.values() for v in values)

    @property
    def n_satisfied(self) -> int:
        """Number of satisfied responses."""
        return sum(self.satisfied)

    def verdicts(self, index: int) -> dict[str, JudgeVerdict]:
        """Every judge's verdict on response ``index``."""
        return {
            name: JudgeVerdict(values[index], self.reasons[name][index], self.scores[name][index])
            for name, values in self.per_judge.items()
        }

    def violation_rates(self) -> dict[str, float]:
        """Judge name -> share of responses it found violated (0)."""
        return {n: _share(v, VIOLATED) for n, v in self.per_judge.items()}

    def failure_rates(self) -> dict[str, float]:
        """Judge name -> share of responses on which it failed (-1)."""
        return {n: _share(v, FAILED) for n, v in self.per_judge.items()}

    def metrics(self, prefix: str = "judges/") -> dict[str, float]:
        """Flat metrics for a logger: satisfied rate, failures, per-judge violation and failure rates."""
        out: dict[str, float] = {
            f"{prefix}satisfied_rate": self.n_satisfied / len(self) if len(self) else 0.0,
            f"{prefix}n_failed": float(self.n_failed),
        }
        for name, rate in self.violation_rates().items():
            out[f"{prefix}{name}/violation_rate"] = rate
        for name, rate in self.failure_rates().items():
            out[f"{prefix}{name}/failure_rate"] = rate
        return out


def _share(values: list[int], target: int) -> float:
    return sum(v == target for v in values) / len(values) if values else 0.0


class MixtureOfJudges:
    """Combine judges by the all-must-pass rule, keeping each judge's own verdicts.

    Args:
        judges: judges, or judge configs (dicts with ``_target_``), or names of shipped judge recipes
            (``"math"`` loads ``recipes/judges/math.yaml``).
        parallel: run the judges of a batch concurrently in threads (the rule judges wait on worker
            processes or the sandbox, so they overlap well).
    """

    def __init__(self, judges: Sequence[Judge | dict[str, Any] | str] = (), parallel: bool = True) -> None:
        from alignkit.judges.loading import build_judge

        self.judges: list[Judge] = [build_judge(j) for j in judges]
        names = [j.name for j in self.judges]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"judge names must be unique in a mixture; repeated: {duplicates} (set `name:`)")
        self.parallel = parallel

    @property
    def names(self) -> list[str]:
        """Judge names, in order."""
        return [j.name for j in self.judges]

    def judge(
        self,
        prompts: Sequence[Any],
        responses: Sequence[Any],
        metadata: Sequence[dict[str, Any] | None] | None = None,
    ) -> MixtureResult:
        """Run every judge on the batch and combine the verdicts."""
        prompts_, responses_, metadata_ = normalize_batch(prompts, responses, metadata)
        if self.parallel and len(self.judges) > 1:
            with ThreadPoolExecutor(max_workers=len(self.judges)) as ex:
                futures = [ex.submit(j, prompts_, responses_, metadata_) for j in self.judges]
                all_verdicts = [f.result() for f in futures]
        else:
            all_verdicts = [j(prompts_, responses_, metadata_) for j in self.judges]
        result = MixtureResult(satisfied=[True] * len(responses_))
        for judge, verdicts in zip(self.judges, all_verdicts, strict=True):
            result.per_judge[judge.name] = [v.value for v in verdicts]
            result.reasons[judge.name] = [v.reason for v in verdicts]
            result.scores[judge.name] = [v.score for v in verdicts]
            for i, v in enumerate(verdicts):
                if v.value != SATISFIED:
                    result.satisfied[i] = False
        return result

    __call__ = judge

    def close(self) -> None:
        """Close every judge (worker pools, models)."""
        for judge in self.judges:
            judge.close()

    def __enter__(self) -> MixtureOfJudges:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MixtureOfJudges({self.names})"
