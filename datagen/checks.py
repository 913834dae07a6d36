"""Checks that run trusted gold solutions (used by the prompt-set builder and the unit tests)."""

from __future__ import annotations

import json
import subprocess
import sys

_HARNESS = r"""
import json, sys
failures = []
for item in json.load(sys.stdin):
    program = item["setup"] + "\n" + item["program"] + "\n" + "\n".join(item["tests"]) + "\n"
    try:
        exec(compile(program, item["name"], "exec"), {"__name__": "__main__"})
    except BaseException as exc:  # noqa: BLE001 - report every failure
        failures.append(f"{item['name']}: {type(exc).__name__}: {exc}")
print(json.dumps(failures))
"""


def failing_solutions(items: list[dict], timeout_s: float = 120.0) -> list[str]:
    """Run each trusted gold solution against its assert tests in one fresh subprocess.

    ``items`` hold ``name``, ``program`` (the solution code), ``tests`` (assert lines) and optional ``setup``.
    Returns one message per failing item (empty when all pass). Only for trusted code: nothing is sandboxed.
    """
    payload = [
        {
            "name": it["name"],
            "program": it["program"],
            "tests": list(it["tests"]),
            "setup": it.get("setup", ""),
        }
        for it in items
    ]
    proc = subprocess.run(
        [sys.executable, "-c", _HARNESS],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if proc.returncode != 0:
        return [f"harness crashed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}"]
    return list(json.loads(proc.stdout.strip().splitlines()[-1]))
