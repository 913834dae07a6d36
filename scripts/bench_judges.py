"""Benchmark the rule judges: verdicts per second on 1,000 responses, with 1 and 2 workers.

Responses are built from the shipped prompt sets so that the mix is realistic: for code, gold programs,
mutated (failing) programs, prose without code and truncated blocks; for math, correct answers in the
three accepted formats and equivalent forms, wrong answers and missing answers; for instruction
following, rule-built texts that follow all of the prompt's IFEval instructions or all but one, and
generic texts. The worker pools are started
and warmed before timing (they stay warm across calls in training, so start-up is not part of the rate).

    PYTHONPATH=src python scripts/bench_judges.py                  # 1,000 each, 1 and 2 workers
    PYTHONPATH=src python scripts/bench_judges.py --n 200 --tasks math --workers 1 2 4 --out bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # datagen/ (the pair builders) is not installed


def _records(task: str) -> list[dict[str, Any]]:
    from alignkit.data import load_prompts

    return load_prompts(task, "train") + load_prompts(task, "test")


def code_batch(n: int, rng: random.Random) -> tuple[list[str], list[str], list[dict]]:
    from datagen.pairs import describe_instead_of_code, mutate_code, truncate

    records = _records("coding")
    prompts, responses, metadata = [], [], []
    for i in range(n):
        rec = records[i % len(records)]
        kind = i % 4
        if kind in (0, 1):
            response = rec["reference"]
        elif kind == 2:
            mutants = mutate_code(rec["reference"], rng, limit=1)
            response = mutants[0][1] if mutants else truncate(rec["reference"], 0.6)
        else:
            response = rng.choice(
                [
                    truncate(rec["reference"], 0.6),
                    describe_instead_of_code(rec["prompt"], rec["metadata"]["entry_point"]),
                ]
            )
        prompts.append(rec["prompt"])
        responses.append(response)
        metadata.append(rec["metadata"])
    return prompts, responses, metadata


def math_batch(n: int, rng: random.Random) -> tuple[list[str], list[str], list[dict]]:
    records = _records("math")
    prompts, responses, metadata = [], [], []
    for i in range(n):
        rec = records[i % len(records)]
        answer = rec["metadata"]["answer"]
        body = rec["reference"].rsplit("The final answer is", 1)[0].rstrip()
        kind = i % 6
        if kind == 0:
            response = rec["reference"]
        elif kind == 1:
            response = f"{body}\nSo the answer is $\\boxed{{{answer}}}$."
        elif kind == 2:
            response = f"{body}\n#### {answer}"
        elif kind == 3:
            response = f"{body}\nThe final answer is ${answer} + 0$."  # equivalent form: needs sympy
        elif kind == 4:
            response = f"{body}\nThe final answer is {answer}1."  # wrong
        else:
            response = body  # no final answer
        prompts.append(rec["prompt"])
        responses.append(response)
        metadata.append(rec["metadata"])
    return prompts, responses, metadata


_IF_TEXTS = [
    "the morning light spreads across the quiet garden and the birds begin to sing while the town slowly wakes up",
    "THE MORNING LIGHT SPREADS ACROSS THE QUIET GARDEN AND THE BIRDS BEGIN TO SING WHILE THE TOWN WAKES UP",
    "Section 1\nThe morning light spreads across the garden.\n\nSection 2\nBirds begin to sing.\n\nSection 3\nThe town wakes up.",
    '"The morning light spreads across the garden, and the birds begin to sing. The town slowly wakes up."',
    "* The garden is quiet.\n* The birds sing.\n* The town wakes up.\n\nP.S. Enjoy the morning.",
    "Imagine a quiet garden at dawn. Light spreads over the grass. Birds sing. The town wakes. Is there anything else I can help with?",
]


def if_batch(n: int, rng: random.Random) -> tuple[list[str], list[str], list[dict]]:
    from datagen.if_synth import synthesize

    records = _records("instruction_following")
    prompts, responses, metadata = [], [], []
    for i in range(n):
        rec = records[i % len(records)]
        ids = rec["metadata"]["instruction_id_list"]
        kind = i % 3
        if kind == 0:  # follows every instruction (by construction)
            response = synthesize(rec["prompt"], rec["metadata"], seed=i)
        elif kind == 1:  # follows all but one
            response = synthesize(rec["prompt"], rec["metadata"], seed=i, skip=ids[i % len(ids)])
        else:  # generic text
            response = _IF_TEXTS[i % len(_IF_TEXTS)]
        prompts.append(rec["prompt"])
        responses.append(response)
        metadata.append(rec["metadata"])
    return prompts, responses, metadata


def make_judge(task: str, workers: int) -> Any:
    if task == "code":
        from alignkit.judges.code import CodeJudge

        return CodeJudge(max_workers=workers)
    if task == "math":
        from alignkit.judges.math import MathJudge

        return MathJudge(num_workers=workers)
    from alignkit.judges.instruction_following import InstructionFollowingJudge

    return InstructionFollowingJudge(num_workers=workers)


BATCHES = {"code": code_batch, "math": math_batch, "instruction_following": if_batch}


def bench(task: str, n: int, workers: int, repeats: int, seed: int) -> dict[str, Any]:
    prompts, responses, metadata = BATCHES[task](n, random.Random(seed))
    judge = make_judge(task, workers)
    try:
        judge(prompts[:16], responses[:16], metadata[:16])  # start and warm the workers
        times, verdicts = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            verdicts = judge(prompts, responses, metadata)
            times.append(time.perf_counter() - start)
    finally:
        judge.close()
    best = min(times)
    counts = Counter(v.value for v in verdicts)
    return {
        "task": task,
        "workers": workers,
        "n": n,
        "seconds": best,
        "verdicts_per_s": n / best,
        "satisfied": counts.get(1, 0),
        "violated": counts.get(0, 0),
        "failed": counts.get(-1, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="responses per task")
    parser.add_argument("--tasks", nargs="+", default=list(BATCHES), choices=list(BATCHES))
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--repeats", type=int, default=1, help="timed runs per setting (best is kept)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    args = parser.parse_args()

    rows = []
    print(f"cpu cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}")
    print(
        f"{'judge':<22} {'workers':>7} {'n':>6} {'seconds':>8} {'verdicts/s':>11} {'speedup':>8}  pass/violate/fail"
    )
    for task in args.tasks:
        base = None
        for workers in args.workers:
            row = bench(task, args.n, workers, args.repeats, args.seed)
            base = base or row["verdicts_per_s"]
            row["speedup_vs_first"] = row["verdicts_per_s"] / base
            rows.append(row)
            print(
                f"{task:<22} {workers:>7} {row['n']:>6} {row['seconds']:>8.2f} {row['verdicts_per_s']:>11.1f} "
                f"{row['speedup_vs_first']:>7.2f}x  {row['satisfied']}/{row['violated']}/{row['failed']}"
            )
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"cpu_count": os.cpu_count(), "results": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
