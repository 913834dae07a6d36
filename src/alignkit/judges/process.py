"""Judges whose per-response check runs in a warm worker pool with a per-item time limit."""

from __future__ import annotations

from typing import Any, ClassVar

from alignkit.judges.base import BatchJudge, JudgeVerdict
from alignkit.judges.pool import TaskResult, TimedProcessPool, default_num_workers


class ProcessJudge(BatchJudge):
    """A judge that maps a module-level check function over the batch in worker processes.

    Subclasses set ``worker_fn`` (``"module:function"``; the function takes one payload and returns
    ``(value, reason, score)``), optionally ``worker_warmup`` (run once per worker before it takes
    work), and implement :meth:`make_payload`, which may also return a
    :class:`JudgeVerdict` directly to decide an item without a worker (missing metadata, no answer).

    Args:
        name: judge name in a mixture.
        num_workers: worker processes (``None``: one per core; ``0``: in-process, no time limit).
        timeout_s: per-response time limit; past it the verdict is -1 and the worker is replaced.
        chunk_size: responses sent to a worker at once.
        start_method: multiprocessing start method for the workers.
    """

    worker_fn: ClassVar[str] = ""
    worker_warmup: ClassVar[str | None] = None

    def __init__(
        self,
        name: str | None = None,
        num_workers: int | None = None,
        timeout_s: float = 5.0,
        chunk_size: int = 8,
        start_method: str = "spawn",
    ) -> None:
        super().__init__(name)
        self.num_workers = default_num_workers(num_workers)
        self.timeout_s = float(timeout_s)
        self.chunk_size = chunk_size
        self.start_method = start_method
        self._pool: TimedProcessPool | None = None

    @property
    def pool(self) -> TimedProcessPool:
        """The (lazily started, then kept warm) worker pool."""
        if self._pool is None:
            self._pool = TimedProcessPool(
                self.worker_fn,
                num_workers=self.num_workers,
                timeout_s=self.timeout_s,
                chunk_size=self.chunk_size,
                start_method=self.start_method,
                warmup=self.worker_warmup,
            )
        return self._pool

    def to_verdict(self, result: TaskResult) -> JudgeVerdict:
        """Turn one worker result into a verdict; errors and timeouts become -1."""
        if not result.ok:
            return JudgeVerdict.error(f"{self.name}: {result.error}")
        value, reason, score = result.value
        return JudgeVerdict(int(value), str(reason), None if score is None else float(score))

    def run_batch(self, payloads: list[Any]) -> list[TaskResult]:
        return self.pool.map(payloads)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
