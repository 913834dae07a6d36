"""The matmuls of one decode step, alone: how fast can this CPU run them at the shapes decoding really has?

    PYTHONPATH=src python scripts/bench_decode_matmuls.py                 # batch 1, 16, 64; fp32 and bf16
    PYTHONPATH=src python scripts/bench_decode_matmuls.py --batches 16 --model tiny --steady-tokens 8

``bench_generation.py`` bounds a decode step by the large-GEMM throughput (a 2048^3 matmul). A decode
step's matmuls are skinny instead (batch rows x the model's weight matrices), and run far slower than that.
This script runs every ``nn.Linear`` of the model in order (every decoder layer's, then the LM head) with
``torch.nn.functional.linear`` on a ``(batch, in_features)`` input, as one decode step reads them (each matrix
once, so the weights come from memory, not from a warm cache), in fp32 and with bf16 weights, and prints the
median step: the tokens/s that the matmuls alone would allow. In the same process it then times the fast
path's steady-state decode at the same batch and dtype (``bench_generation.py``'s measurement: HumanEval
prompts, 64 new tokens a row, greedy, prefill excluded) and prints its tokens/s as a share of that ceiling:
how much of its step is matmul and how much is everything else (attention, norms, sampling, Python).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def time_step(xs, ws, reps: int) -> float:
    """Median seconds of one pass over every weight matrix (each with its own input)."""
    import statistics

    import torch

    times = []
    with torch.no_grad():
        for i in range(reps + 2):
            t = time.perf_counter()
            for x, w in zip(xs, ws, strict=True):
                torch.nn.functional.linear(x, w)
            if i >= 2:  # two warm-up passes
                times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--batches", default="1,16,64")
    p.add_argument("--reps", type=int, default=10, help="timed decode steps")
    p.add_argument("--steady-tokens", type=int, default=64, help="new tokens a row, fast path")
    p.add_argument("--no-generator", action="store_true", help="time the matmuls only")
    args = p.parse_args(argv)

    import torch

    from alignkit.eval.tasks.humaneval import HumanEval
    from alignkit.generation.fast import FastGenerator
    from alignkit.generation.rollout import GenerationSettings, chat_prompt_ids
    from alignkit.models import load_model, load_tokenizer
    from bench_generation import fast_steady

    model = load_model(args.model, trainable=False, dtype="float32", device="cpu")
    tok = load_tokenizer(args.model)
    task = HumanEval()
    prompts = [chat_prompt_ids(tok, task.prompt(doc)) for doc in task.load()]
    layers = model.model.layers
    weights = [m.weight for layer in layers for m in layer.modules() if isinstance(m, torch.nn.Linear)]
    weights.append(model.get_output_embeddings().weight)
    print(f"model {args.model}: {len(weights)} weight matrices a step "
          f"({sum(w.numel() for w in weights) * 4 / 1e6:.0f} MB in fp32); {torch.get_num_threads()} threads")
    for b in [int(x) for x in args.batches.split(",")]:
        for dtype in (torch.float32, torch.bfloat16):
            ws = [w.detach().to(dtype).contiguous() for w in weights]
            xs = [torch.randn(b, w.shape[1], dtype=dtype) for w in ws]
            step_s = time_step(xs, ws, args.reps)
            flops = sum(2 * b * w.numel() for w in ws)
            print(f"batch {b:>3} {str(dtype).removeprefix('torch.'):>8}: matmuls of one decode step "
                  f"{step_s * 1e3:7.1f} ms, {flops / step_s / 1e9:6.1f} GFLOP/s "
                  f"-> at most {b / step_s:6.0f} tok/s", flush=True)
            del ws, xs
            if not args.no_generator:
                settings = GenerationSettings(backend="fast", temperature=0.0, batch_size=b,
                                              dtype="auto" if dtype == torch.float32 else "bfloat16")
                rows = (prompts * (b // len(prompts) + 1))[:b]
                r = fast_steady(FastGenerator(model, tok, settings), rows, args.steady_tokens, False)
                print(f"{'':>18}fast path: {r['tok_s']:6.0f} tok/s = {r['tok_s'] * step_s / b:.2f} of that",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
