"""The reward interface: ``reward(prompts, completions, metadata=None, **kw) -> list[float]``.

The same callables work as TRL ``reward_funcs``: TRL calls them with keyword arguments ``prompts``,
``completions``, ``completion_ids`` and every other dataset column (``metadata``, ``reference``, ``id``...)
as a list per batch; unknown keywords are ignored here. Prompts and completions may be plain strings or
chat message lists.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from alignkit.judges.base import Judge, as_prompt_text, as_response_text


class Reward(abc.ABC):
    """Base class of alignkit's rewards (callable, batch-first, TRL-compatible).

    Subclasses implement :meth:`score` on plain strings. ``name`` (also exposed as ``__name__``, which
    TRL uses for its logs) defaults to ``default_name``.
    """

    default_name = "reward"

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.default_name
        self.__name__ = self.name
        self.last_n_failed = 0

    @abc.abstractmethod
    def score(
        self, prompts: list[str], completions: list[str], metadata: list[dict[str, Any]], **kwargs: Any
    ) -> list[float]:
        """One float per completion."""

    def __call__(
        self,
        prompts: Sequence[Any],
        completions: Sequence[Any],
        metadata: Sequence[dict[str, Any] | None] | None = None,
        **kwargs: Any,
    ) -> list[float]:
        if len(prompts) != len(completions):
            raise ValueError(f"got {len(prompts)} prompts but {len(completions)} completions")
        meta = [dict(m or {}) for m in metadata] if metadata is not None else [{} for _ in prompts]
        if len(meta) != len(prompts):
            raise ValueError(f"got {len(meta)} metadata dicts for {len(prompts)} prompts")
        return self.score(
            [as_prompt_text(p) for p in prompts], [as_response_text(c) for c in completions], meta, **kwargs
        )

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (worker pools, models)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class JudgeReward(Reward):
    """A reward read from a judge's verdicts.

    Args:
        judge: the judge (or a judge config / shipped judge name, see :func:`alignkit.judges.build_judge`).
        use: ``"score"`` (the judge's graded score: pass fraction, followed fraction...) or ``"value"``
            (1.0 when satisfied, else 0.0).
        on_failure: reward for a response on which the judge failed (-1); ``None`` returns ``None``,
            which TRL turns into NaN and leaves out of the reward sum. Failures are counted in
            ``last_n_failed`` either way.
    """

    def __init__(
        self,
        judge: Judge | dict[str, Any] | str,
        use: str = "score",
        on_failure: float | None = 0.0,
        name: str | None = None,
    ) -> None:
        from alignkit.judges.loading import build_judge

        self.judge = build_judge(judge)
        super().__init__(name or self.judge.name)
        if use not in ("score", "value"):
            raise ValueError(f"use must be 'score' or 'value', got {use!r}")
        self.use = use
        self.on_failure = on_failure

    def score(
        self, prompts: list[str], completions: list[str], metadata: list[dict[str, Any]], **kwargs: Any
    ) -> list[float]:
        verdicts = self.judge(prompts, completions, metadata)
        self.last_n_failed = sum(v.failed for v in verdicts)
        out: list[Any] = []
        for v in verdicts:
            if v.failed:
                out.append(self.on_failure)
            elif self.use == "value" or v.score is None:
                out.append(float(v.passed))
            else:
                out.append(float(v.score))
        return out

    def close(self) -> None:
        self.judge.close()
