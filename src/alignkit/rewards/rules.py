"""Rule rewards for tasks without a reward model: unit-test pass fraction, math correctness,
instruction-following fraction. Each wraps the matching judge, so the checks, worker pools, time limits
and failure accounting are shared with the judges.
"""

from __future__ import annotations

from typing import Any

from alignkit.rewards.base import JudgeReward


class CodePassFraction(JudgeReward):
    """Fraction of the prompt's unit tests that the response's program passes (0 without code).

    Keyword arguments go to :class:`alignkit.judges.code.CodeJudge` (``timeout_s``, ``memory_mb``,
    ``max_workers``, ``executor``, ``share_executor``...). By default it runs on the process-wide sandbox
    pool that the code judge uses too (one set of workers for both, each with its own time limit).
    """

    def __init__(
        self, name: str = "code_pass_fraction", on_failure: float | None = 0.0, **judge_kwargs: Any
    ) -> None:
        from alignkit.judges.code import CodeJudge

        judge_kwargs.setdefault("all_results", True)  # the fraction needs every test's outcome
        super().__init__(CodeJudge(**judge_kwargs), use="score", on_failure=on_failure, name=name)


class MathCorrectness(JudgeReward):
    """1.0 when the final answer (in a required format) equals ``metadata["answer"]``, else 0.0.

    Keyword arguments go to :class:`alignkit.judges.math.MathJudge`.
    """

    def __init__(
        self, name: str = "math_correctness", on_failure: float | None = 0.0, **judge_kwargs: Any
    ) -> None:
        from alignkit.judges.math import MathJudge

        super().__init__(MathJudge(**judge_kwargs), use="value", on_failure=on_failure, name=name)


class InstructionFollowingFraction(JudgeReward):
    """Fraction of the prompt's IFEval instructions followed (``mode`` strict or loose).

    Keyword arguments go to :class:`alignkit.judges.instruction_following.InstructionFollowingJudge`.
    """

    def __init__(
        self,
        name: str = "instruction_following_fraction",
        on_failure: float | None = 0.0,
        **judge_kwargs: Any,
    ) -> None:
        from alignkit.judges.instruction_following import InstructionFollowingJudge

        super().__init__(
            InstructionFollowingJudge(**judge_kwargs), use="score", on_failure=on_failure, name=name
        )
