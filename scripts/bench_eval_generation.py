"""HumanEval generation throughput: the eval runner's path against the path ``alignkit eval humaneval`` took before
the task API (``alignkit.generation.generate`` in chunks of ``batch_size`` problems, in dataset order).

Both run greedy chat-mode generation for the same problems with the same model, batch size and token budget, in
alternating rounds of one process (so machine load affects both alike). Prints seconds per round, the ratio
new / old (below 1: the runner is faster) and how many responses are identical (greedy: they should all be, up to
floating-point differences between batch compositions).

Run: ``PYTHONPATH=src python scripts/bench_eval_generation.py --problems 16 --tokens 128 --rounds 2``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--problems", type=int, default=16)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    import torch

    from alignkit.eval.runner import generate_missing
    from alignkit.eval.samples import read_generated
    from alignkit.eval.task import Generation
    from alignkit.eval.tasks.humaneval import CHAT_TEMPLATE, HumanEval
    from alignkit.generation import GenerationSettings, generate, make_generator
    from alignkit.models import load_model, load_tokenizer

    torch.manual_seed(0)
    tokenizer = load_tokenizer(args.model)
    model = load_model(args.model, trainable=False, device="cpu")
    task = HumanEval()
    docs = task.load()[: args.problems]

    def old() -> list[str]:  # what eval/humaneval.py did: generate() per chunk of batch_size problems
        out: list[str] = []
        for start in range(0, len(docs), args.batch_size):
            chunk = docs[start:start + args.batch_size]
            texts = generate(model, tokenizer, [CHAT_TEMPLATE.format(prompt=d["prompt"]) for d in chunk], n=1,
                             max_new_tokens=args.tokens, temperature=0.0, batch_size=args.batch_size, chat=True,
                             backend="hf")
            out += [t[0] for t in texts]
        return out

    def new() -> list[str]:  # the runner: make_generator + Generation, chunks sorted by prompt length
        settings = GenerationSettings(max_new_tokens=args.tokens, temperature=0.0, batch_size=args.batch_size)
        gen = Generation(make_generator(model, tokenizer, settings), tokenizer, temperature=0.0,
                         max_new_tokens=args.tokens)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "samples.jsonl"
            generate_missing(task, docs, path, gen, 1, args.batch_size, show_progress=False)
            by_id = {r["task_id"]: r["response"] for r in read_generated(path)}
        return [by_id[d["id"]] for d in docs]

    times: dict[str, list[float]] = {"old": [], "new": []}
    outputs: dict[str, list[str]] = {}
    for r in range(args.rounds):
        for name, fn in ((("old", old), ("new", new)) if r % 2 == 0 else (("new", new), ("old", old))):
            t0 = time.perf_counter()
            outputs[name] = fn()
            times[name].append(time.perf_counter() - t0)
            print(f"round {r + 1} {name}: {times[name][-1]:.1f} s", flush=True)
    same = sum(a == b for a, b in zip(outputs["old"], outputs["new"], strict=True))
    o, n = statistics.median(times["old"]), statistics.median(times["new"])
    print(f"{args.problems} HumanEval problems, {args.tokens} new tokens, batch {args.batch_size}: "
          f"old {o:.1f} s, new {n:.1f} s (median of {args.rounds}); ratio new/old = {n / o:.2f}; "
          f"identical responses: {same}/{len(docs)}")
    task.close()


if __name__ == "__main__":
    main()
