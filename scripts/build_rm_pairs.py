"""Build the preference-pair files that ship for reward-model training.

Chosen = the shipped gold answer (checked to pass the task's judge); rejected = a corrupted answer the
same judge verifies to fail (mutated programs run in the sandbox, wrong or missing final answers...).
Deterministic: rebuilding gives the same files.

    PYTHONPATH=src python scripts/build_rm_pairs.py                       # all tasks: real preference
    PYTHONPATH=src python scripts/build_rm_pairs.py --spurious length     # hackable length preference
    PYTHONPATH=src python scripts/build_rm_pairs.py --tasks coding --out /tmp/pairs
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    from alignkit.rewards.pair_builder import build_pair_files

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tasks",
        nargs="+",
        default=["coding", "math", "instruction_following", "chat"],
        help="tasks to build",
    )
    parser.add_argument("--spurious", choices=["length", "fence"], default=None)
    parser.add_argument("--out", default=None, help="output folder (default: src/alignkit/rewards/pairs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--math-per-prompt", type=int, default=1, help="pairs per math prompt (1240 prompts)")
    parser.add_argument("--per-prompt", type=int, default=2, help="pairs per prompt for the other tasks")
    args = parser.parse_args()
    start = time.perf_counter()
    build_pair_files(
        args.tasks,
        args.out,
        spurious=args.spurious,
        seed=args.seed,
        per_prompt={"math": args.math_per_prompt, "coding": args.per_prompt},
    )
    print(f"done in {time.perf_counter() - start:.0f}s")


if __name__ == "__main__":
    main()
