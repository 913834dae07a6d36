"""The judge interface: batch-first, one verdict per response.

A judge reads prompts, responses and each prompt's metadata and returns one :class:`JudgeVerdict` per
response. ``value`` is 1 when the constraint is satisfied, 0 when it is violated and -1 when the judge
itself failed (bad metadata, a crash, a time limit). A failed verdict is never a pass: the mixture counts
it and the trainers report it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

SATISFIED = 1
VIOLATED = 0
FAILED = -1


@dataclass(frozen=True)
class JudgeVerdict:
    """One judge's decision on one response.

    Attributes:
        value: 1 satisfied, 0 violated, -1 the judge itself failed.
        reason: a short human-readable explanation (always set for -1).
        score: an optional graded value in [0, 1] (pass fraction, P(positive token), ...), used by the
            rule rewards; ``None`` when the judge has no graded notion.
    """

    value: int
    reason: str = ""
    score: float | None = None

    def __post_init__(self) -> None:
        if self.value not in (SATISFIED, VIOLATED, FAILED):
            raise ValueError(f"JudgeVerdict.value must be 1, 0 or -1, got {self.value!r}")

    @property
    def passed(self) -> bool:
        """True only for a satisfied verdict (a failed judge is not a pass)."""
        return self.value == SATISFIED

    @property
    def failed(self) -> bool:
        """True when the judge itself failed on this response."""
        return self.value == FAILED

    @classmethod
    def ok(cls, reason: str = "", score: float | None = 1.0) -> JudgeVerdict:
        """A satisfied verdict."""
        return cls(SATISFIED, reason, score)

    @classmethod
    def violated(cls, reason: str, score: float | None = 0.0) -> JudgeVerdict:
        """A violated verdict."""
        return cls(VIOLATED, reason, score)

    @classmethod
    def error(cls, reason: str) -> JudgeVerdict:
        """A failed-judge verdict (-1)."""
        return cls(FAILED, reason or "judge failed", None)


class Judge:
    """Base class of every judge.

    Subclasses implement :meth:`judge` (a whole batch at once) or, for judges that decide each response on
    its own, :meth:`judge_one`. The ``name`` identifies the judge in a mixture's per-judge record and in
    logs; it defaults to the class attribute ``default_name`` and can be overridden per instance (``name:``
    in the recipe YAML) so that two configurations of one class can sit in one mixture.
    """

    default_name: ClassVar[str] = "judge"

    def __init__(self, name: str | None = None) -> None:
        self.name: str = name or self.default_name

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.judge is Judge.judge and cls.judge_one is Judge.judge_one:
            raise TypeError(f"{cls.__name__} must implement judge() or judge_one()")

    def judge(
        self,
        prompts: Sequence[str],
        responses: Sequence[str],
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> list[JudgeVerdict]:
        """Return one verdict per response (same order, same length); by default :meth:`judge_one` each."""
        meta = metadata if metadata is not None else [{} for _ in responses]
        return [self.judge_one(p, r, m or {}) for p, r, m in zip(prompts, responses, meta, strict=True)]

    def judge_one(self, prompt: str, response: str, metadata: dict[str, Any]) -> JudgeVerdict:
        """The verdict on one response (for judges that need no batch)."""
        raise NotImplementedError(f"{type(self).__name__} implements neither judge() nor judge_one()")

    def __call__(
        self,
        prompts: Sequence[str],
        responses: Sequence[str],
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> list[JudgeVerdict]:
        """Alias of :meth:`judge` with length checks and exception containment.

        An exception raised by the judge turns every verdict of the batch into -1 with the error as reason;
        it is never silently read as a pass.
        """
        prompts, responses, metadata = normalize_batch(prompts, responses, metadata)
        try:
            verdicts = self.judge(prompts, responses, metadata)
        except Exception as exc:  # noqa: BLE001 - a failing judge must be reported, not crash training
            reason = f"{self.name} raised {type(exc).__name__}: {exc}"
            return [JudgeVerdict.error(reason) for _ in responses]
        if len(verdicts) != len(responses):
            reason = f"{self.name} returned {len(verdicts)} verdicts for {len(responses)} responses"
            return [JudgeVerdict.error(reason) for _ in responses]
        return list(verdicts)

    def close(self) -> None:  # noqa: B027 - optional hook, most judges hold nothing
        """Release resources (worker pools, models). Safe to call more than once."""

    def __enter__(self) -> Judge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class BatchJudge(Judge):
    """A judge that runs its checks as one batch of jobs (in worker processes, in the sandbox...).

    :meth:`make_payload` turns each response into a job, or decides it at once by returning a
    :class:`JudgeVerdict` (missing metadata, no answer); :meth:`run_batch` runs the jobs; :meth:`to_verdict`
    reads each result. A response whose payload cannot be built (malformed metadata) gets -1.
    """

    def make_payload(self, prompt: str, response: str, metadata: dict[str, Any]) -> Any:
        """The job for one response, or its verdict when no job is needed."""
        raise NotImplementedError

    def run_batch(self, payloads: list[Any]) -> list[Any]:
        """One result per payload, in order."""
        raise NotImplementedError

    def to_verdict(self, result: Any) -> JudgeVerdict:
        """The verdict of one result."""
        raise NotImplementedError

    def judge(
        self,
        prompts: Sequence[str],
        responses: Sequence[str],
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> list[JudgeVerdict]:
        meta = metadata if metadata is not None else [{} for _ in prompts]
        verdicts: list[JudgeVerdict | None] = [None] * len(responses)
        work: list[tuple[int, Any]] = []
        for i, (prompt, response, md) in enumerate(zip(prompts, responses, meta, strict=True)):
            try:
                payload = self.make_payload(prompt, response, md or {})
            except Exception as exc:  # noqa: BLE001 - malformed metadata is a judge failure for that item
                verdicts[i] = JudgeVerdict.error(f"{self.name}: bad input: {type(exc).__name__}: {exc}")
                continue
            if isinstance(payload, JudgeVerdict):
                verdicts[i] = payload
            else:
                work.append((i, payload))
        if work:
            for (i, _), result in zip(work, self.run_batch([p for _, p in work]), strict=True):
                verdicts[i] = self.to_verdict(result)
        return [v if v is not None else JudgeVerdict.error("no verdict") for v in verdicts]


def normalize_batch(
    prompts: Sequence[Any], responses: Sequence[Any], metadata: Sequence[dict[str, Any] | None] | None
) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """Check lengths and turn conversational inputs into plain strings.

    Prompts may be strings or chat message lists (the last user message is used); responses may be
    strings or message lists (the assistant content is joined). ``metadata=None`` means empty dicts.
    """
    if len(prompts) != len(responses):
        raise ValueError(f"got {len(prompts)} prompts but {len(responses)} responses")
    if metadata is None:
        metadata = [{} for _ in prompts]
    if len(metadata) != len(prompts):
        raise ValueError(f"got {len(metadata)} metadata dicts for {len(prompts)} prompts")
    return (
        [as_prompt_text(p) for p in prompts],
        [as_response_text(r) for r in responses],
        [dict(m or {}) for m in metadata],
    )


def as_prompt_text(prompt: Any) -> str:
    """A prompt as plain text: strings pass through, message lists give their last user message."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list | tuple):
        users = [m.get("content", "") for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        if users:
            return str(users[-1])
        return "\n".join(str(m.get("content", "")) for m in prompt if isinstance(m, dict))
    return "" if prompt is None else str(prompt)


def as_response_text(response: Any) -> str:
    """A response as plain text: strings pass through, message lists give the assistant content."""
    if isinstance(response, str):
        return response
    if isinstance(response, list | tuple):
        parts = [str(m.get("content", "")) for m in response if isinstance(m, dict)]
        return "\n".join(parts)
    return "" if response is None else str(response)
