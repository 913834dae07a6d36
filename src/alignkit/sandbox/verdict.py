"""The result of running candidate code against tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STATUSES = ("passed", "failed", "timeout", "error")


@dataclass
class Verdict:
    """Outcome of one sample.

    ``status`` is ``"passed"`` (every test passed), ``"failed"`` (a test failed: wrong value, the candidate
    raised or exited, wrong output), ``"timeout"`` (a test or the sample ran past its time limit) or
    ``"error"`` (the program did not load — syntax error, exception at import, missing function — or the
    sandbox could not run it). ``details`` holds one ``{"index", "status", "message"}`` per test when all
    results were asked for.
    """

    status: str
    n_passed: int = 0
    n_tests: int = 0
    message: str = ""
    details: list[dict[str, Any]] | None = field(default=None)

    @property
    def passed(self) -> bool:
        """True only when every test passed."""
        return self.status == "passed"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Verdict:
        """Build from the worker's JSON verdict, coercing every field (unknown statuses become errors)."""
        status = d.get("status")
        if status not in STATUSES:
            status = "error"
        details = d.get("details")
        return cls(
            status=str(status),
            n_passed=int(d.get("n_passed") or 0),
            n_tests=int(d.get("n_tests") or 0),
            message=str(d.get("message") or ""),
            details=[dict(x) for x in details] if isinstance(details, list) else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON-ready)."""
        return asdict(self)
