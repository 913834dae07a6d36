"""How often does a model solve the shipped problems? First-attempt accuracy, greedy and sampled.

Usage:
    PYTHONPATH=src python scripts/measure_tiers.py math_easy --split test --per-template 3 --samples 2
    PYTHONPATH=src python scripts/measure_tiers.py coding --split train --limit 40 --samples 2

For a math set, ``--per-template K`` takes the first K problems of every template (so every kind of problem is
represented); ``--limit N`` takes the first N problems. Each problem is answered once greedily and ``--samples``
times at ``--temperature``; answers are judged by the shipped judge of the task (math: the math judge with
math-verify; coding: the code judge in the sandbox). Prints per-template and overall accuracies (judge failures
left out and counted) and writes every response with its verdict to ``--out`` (JSONL) when given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", help="shipped prompt set: math_easy, math or coding")
    parser.add_argument("--split", default="test")
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--per-template", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--samples", type=int, default=2)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    import torch

    from alignkit.data import load_prompts
    from alignkit.generation.rollout import generate
    from alignkit.models import load_model, load_tokenizer

    records = load_prompts(args.dataset, split=args.split)
    if args.per_template:
        seen: dict[str, int] = defaultdict(int)
        picked = []
        for r in records:
            key = r["metadata"].get("template", "all")
            if seen[key] < args.per_template:
                seen[key] += 1
                picked.append(r)
        records = picked
    if args.limit:
        records = records[: args.limit]
    task = records[0]["task"]
    if task == "math":
        from alignkit.judges.math import MathJudge

        judge = MathJudge(num_workers=1)
    elif task == "coding":
        from alignkit.judges.code import CodeJudge

        judge = CodeJudge(max_workers=1)
    else:
        raise SystemExit(f"no judge for task {task!r}")
    torch.manual_seed(args.seed)
    tokenizer, model = load_tokenizer(args.model), load_model(args.model, device="cpu")
    prompts = [r["prompt"] for r in records]
    start = time.time()
    greedy = generate(model, tokenizer, prompts, n=1, max_new_tokens=args.max_new_tokens, temperature=0.0,
                      batch_size=args.batch_size)
    sampled = generate(model, tokenizer, prompts, n=args.samples, max_new_tokens=args.max_new_tokens,
                       temperature=args.temperature, batch_size=args.batch_size) if args.samples else [[]] * len(prompts)
    gen_s = time.time() - start
    rows = []
    for r, g, s in zip(records, greedy, sampled, strict=True):
        for kind, text in [("greedy", g[0])] + [("sampled", t) for t in s]:
            rows.append({"id": r["id"], "template": r["metadata"].get("template", "all"), "kind": kind,
                         "response": text})
    by_id = {r["id"]: r for r in records}
    verdicts = judge([by_id[x["id"]]["prompt"] for x in rows], [x["response"] for x in rows],
                     [by_id[x["id"]]["metadata"] for x in rows])
    judge.close()
    for x, v in zip(rows, verdicts, strict=True):
        x["verdict"], x["reason"] = v.value, v.reason
    table: dict[tuple[str, str], list[int]] = defaultdict(list)
    for x in rows:
        table[(x["template"], x["kind"])].append(x["verdict"])
        table[("ALL", x["kind"])].append(x["verdict"])

    def acc(values: list[int]) -> str:
        ok = [v for v in values if v != -1]
        fails = len(values) - len(ok)
        return f"{sum(ok)}/{len(ok)} = {sum(ok) / max(len(ok), 1):.3f}" + (f" ({fails} judge failures)" if fails else "")

    templates = sorted({k[0] for k in table if k[0] != "ALL"}) + ["ALL"]
    print(f"{args.dataset}/{args.split}: {len(records)} problems, model {args.model}, "
          f"T={args.temperature} x{args.samples}, max_new_tokens={args.max_new_tokens}, generation {gen_s:.0f}s")
    print(f"{'template':22s} {'greedy':>18s} {'sampled':>18s}")
    for t in templates:
        print(f"{t:22s} {acc(table[(t, 'greedy')]):>18s} {acc(table[(t, 'sampled')]):>18s}")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for x in rows:
                f.write(json.dumps(x) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
