"""Build the data shipped in src/alignkit/data/shipped/ from the builders in datagen/ (deterministic).

    PYTHONPATH=src python scripts/build_data.py                  # everything (about 2 minutes: pairs run judges)
    PYTHONPATH=src python scripts/build_data.py --only prompts   # prompt sets, SFT sets and README (seconds)
    PYTHONPATH=src python scripts/build_data.py --check          # compare with the files on disk (exit 1 if stale)
    PYTHONPATH=src python scripts/build_data.py --out /tmp/data  # build elsewhere
    PYTHONPATH=src python scripts/build_data.py --only pairs --tasks coding --spurious length --out /tmp/p

Writes {coding,math,instruction_following,chat}/{train,test}.jsonl, sft/{coding,math,mixed}/{train,test}.jsonl,
README.md and pairs/<task>/{train,test}.jsonl (chosen = the gold answer, rejected = a corrupted answer that the
task's judge verified to fail). The pairs are built from the prompt sets of the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "src"):  # datagen/ is not installed with the package
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from alignkit.data.loading import SHIPPED_DIR  # noqa: E402
from datagen import pairs, prompt_sets  # noqa: E402


def build_files(
    only: str | None = None,
    tasks: tuple[str, ...] = pairs.TASKS,
    spurious: str | None = None,
    seed: int = 0,
    log=print,
) -> dict[str, str]:
    """Texts of the shipped files, keyed by path relative to the shipped folder."""
    sets, sft = prompt_sets.build_sets()
    out: dict[str, str] = {}
    if only in (None, "prompts"):
        out.update(prompt_sets.files(sets, sft))
    if only in (None, "pairs"):
        # The pair builder reads records as the loaders return them (a JSON round trip).
        records = {
            name: {split: json.loads(json.dumps(rows)) for split, rows in s.items()}
            for name, s in sets.items()
        }
        texts = pairs.pair_files(records, tasks, spurious=spurious, seed=seed, log=log)
        out.update({f"pairs/{name}": text for name, text in texts.items()})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="compare with the files on disk instead of writing"
    )
    parser.add_argument(
        "--out", type=Path, default=SHIPPED_DIR, help="output folder (default: the shipped one)"
    )
    parser.add_argument("--only", choices=["prompts", "pairs"], default=None, help="build only this part")
    parser.add_argument(
        "--tasks", nargs="+", choices=pairs.TASKS, default=list(pairs.TASKS), help="pair tasks"
    )
    parser.add_argument(
        "--spurious",
        choices=["length", "fence"],
        default=None,
        help="build a hackable preference instead (written to pairs/<task>_<spurious>/)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the pair corruptions (shipped: 0)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    files = build_files(args.only, tuple(args.tasks), args.spurious, args.seed)
    if args.check:
        stale = [
            name
            for name, text in files.items()
            if not (args.out / name).is_file() or (args.out / name).read_text(encoding="utf-8") != text
        ]
        if stale:
            print("Out of date (run scripts/build_data.py):\n  " + "\n  ".join(stale))
            return 1
        print(f"All {len(files)} data files in {args.out} are up to date.")
        return 0
    total = 0
    for name, text in files.items():
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
        rows = text.count("\n") if path.suffix == ".jsonl" else 0
        print(f"{name}: {rows} rows" if rows else name)
    print(f"Total size: {total / 1e6:.2f} MB in {args.out} ({time.perf_counter() - start:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
