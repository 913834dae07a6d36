"""The ``code`` judge: the response's program must pass the prompt's unit tests.

The code is extracted from the response (a fenced block, or the raw response when it is code) with the
sandbox's ``extract_code``, and run against ``metadata["tests"]`` (MBPP-style assert lines, or a
HumanEval ``def check(candidate): ...`` string) calling ``metadata["entry_point"]``, in the sandbox
executor's warm, isolated workers (time and memory limits per program). A response with no code, a
program that fails a test, crashes or runs past its time limit violates the constraint; a sandbox that
cannot run at all is a judge failure (-1). The score is the fraction of tests passed.

Metadata: ``{"entry_point": "func_name", "tests": [...], "setup": "<optional trusted imports>"}``.
"""

from __future__ import annotations

import threading
from typing import Any

from alignkit.judges.base import BatchJudge, JudgeVerdict

_SANDBOX_FAILURES = (
    "sandbox unavailable",
    "internal sandbox error",
    "sandbox worker failed",
    "sandbox failure",
    "the trusted setup or test code failed",
)


def is_sandbox_failure(message: str) -> bool:
    """Whether an ``error`` verdict's message blames the sandbox or the tests rather than the program."""
    text = message.strip().lower()
    return any(text.startswith(prefix) for prefix in _SANDBOX_FAILURES)


class CodeJudge(BatchJudge):
    """Unit tests from the metadata, run in the sandbox.

    Args:
        timeout_s: time limit per program (the sandbox enforces it).
        memory_mb: memory limit per program.
        max_workers: sandbox worker processes (``None``: the sandbox's default, one per core).
        executor: an existing :class:`alignkit.sandbox.Executor` to use (then the three limits above
            are the executor's own, and :meth:`close` leaves it running). By default the judge takes a
            handle, at first use, on the process-wide pool for these settings
            (:func:`alignkit.sandbox.shared_executor`), so the judge and the code reward of one process
            run on one set of workers, each with its own time limit; closing drops the handle.
        share_executor: ``False`` starts a pool of the judge's own instead.
        all_results: run every test even after one failed, so that the verdict's score is the pass
            fraction (what :class:`alignkit.rewards.CodePassFraction` needs). ``False`` (a judge's
            all-must-pass question) stops at the first failing test: a program that loops forever in
            every test then costs one time limit, not one per test. The score is then 1.0 or 0.0.
        tests_key, entry_point_key, setup_key: metadata keys.
    """

    default_name = "code"

    def __init__(
        self,
        name: str | None = None,
        timeout_s: float = 3.0,
        memory_mb: int = 1024,
        max_workers: int | None = None,
        executor: Any = None,
        share_executor: bool = True,
        all_results: bool = False,
        tests_key: str = "tests",
        entry_point_key: str = "entry_point",
        setup_key: str = "setup",
    ) -> None:
        super().__init__(name)
        from alignkit.sandbox.executor import check_limits

        check_limits(max_workers, timeout_s, memory_mb)  # refused here, not at the first judged batch
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.max_workers = max_workers
        self.tests_key, self.entry_point_key, self.setup_key = tests_key, entry_point_key, setup_key
        self.share_executor = share_executor
        self.all_results = all_results
        self._executor = executor
        self._owns_executor = executor is None
        self._executor_lock = threading.Lock()

    @property
    def executor(self) -> Any:
        """The sandbox executor (started at first use)."""
        with self._executor_lock:  # mixtures call judges from threads
            if self._executor is None:
                from alignkit.sandbox import Executor, shared_executor

                make = shared_executor if self.share_executor else Executor
                self._executor = make(
                    max_workers=self.max_workers, timeout_s=self.timeout_s, memory_mb=self.memory_mb
                )
            return self._executor

    def make_payload(self, prompt: str, response: str, metadata: dict[str, Any]) -> dict[str, Any] | JudgeVerdict:
        from alignkit.sandbox import extract_code

        tests = metadata.get(self.tests_key)
        entry_point = metadata.get(self.entry_point_key)
        if not tests or not entry_point:
            return JudgeVerdict.error(
                f"{self.name}: metadata needs {self.tests_key!r} and {self.entry_point_key!r}"
            )
        code = extract_code(response, str(entry_point))
        if not code or not code.strip():
            return JudgeVerdict.violated("no code found in the response")
        return {
            "kind": "function",
            "program": code,
            "tests": list(tests) if isinstance(tests, list | tuple) else str(tests),
            "entry_point": str(entry_point),
            "setup": str(metadata.get(self.setup_key) or ""),
            "all_results": self.all_results,
        }

    def run_batch(self, payloads: list[Any]) -> list[Any]:
        return self.executor.map(payloads)

    def to_verdict(self, verdict: Any) -> JudgeVerdict:
        """Map a sandbox ``Verdict`` to a judge verdict with the pass fraction as score (when the judge runs
        every test, ``all_results``; otherwise the score of a failure is 0).

        A failing, crashing or timed-out program violates; a sandbox that could not run it, or trusted
        test code that is itself broken, is a judge failure (-1).
        """
        if verdict.status == "error" and is_sandbox_failure(verdict.message or ""):
            return JudgeVerdict.error(f"sandbox could not judge: {(verdict.message or '').strip()[:200]}")
        n_tests = int(getattr(verdict, "n_tests", 0) or 0)
        n_passed = int(getattr(verdict, "n_passed", 0) or 0)
        if verdict.passed:
            score = 1.0
        elif self.all_results and n_tests:
            score = n_passed / n_tests
        else:  # stopped at the first failure: n_passed counts the tests before it, not a pass fraction
            score = 0.0
        message = (getattr(verdict, "message", "") or "").strip().splitlines()
        detail = f": {message[-1][:200]}" if message else ""
        if verdict.passed:
            return JudgeVerdict.ok(f"passed {n_passed}/{n_tests} tests", score)
        return JudgeVerdict.violated(f"{verdict.status} ({n_passed}/{n_tests} tests passed){detail}", score)

    def close(self) -> None:
        with self._executor_lock:
            executor = self._executor
            if self._owns_executor:
                self._executor = None
        if executor is not None and self._owns_executor:
            executor.close()
