"""Generation throughput: the fast path (continuous batching) against plain HF ``generate``, in one process, with
the machine's limits printed beside them.

    PYTHONPATH=src python scripts/bench_generation.py                      # all sections, 164 HumanEval x 384 tokens
    PYTHONPATH=src python scripts/bench_generation.py --problems 32        # end to end on the first 32 problems
    PYTHONPATH=src python scripts/bench_generation.py --skip-e2e --batches 16
    PYTHONPATH=src python scripts/bench_generation.py --model tiny --problems 4 --new-tokens 16 --steady-tokens 8

1. **limits**: the read bandwidth (sum over a 1 GiB tensor) and the matmul throughput (2048^3 GEMM, fp32 and bf16),
   best of a few tries. For one decode step at batch ``b`` and context ``L``: the *bandwidth bound* is (weight bytes
   + the KV cache read) / bandwidth, the *compute bound* is (2 x matmul parameters x b + attention FLOPs) / GEMM
   throughput; the lower bound on the step time is the larger of the two.
2. **steady state**: decode tokens/s at batch 1, 16, 64 (prefill excluded, every row runs the full ``--steady-tokens``:
   ``min_new_tokens`` for ``generate``, ``ignore_eos`` for the fast path), greedy and sampled (T = 1), for HF
   ``generate`` fp32, the fast path fp32 and the fast path with bf16 weights; the ratio of the step time to the
   lower bound.
3. **end to end**: the HumanEval chat prompts (``alignkit eval humaneval``'s prompts) at ``--new-tokens``, greedy,
   batch 16: HF ``generate`` as eval ran it (left-padded batches of 16) against the fast path (16 slots), wall time,
   CPU time, tokens/s, and how many greedy answers are identical token for token.

Other processes share this machine's cores, so absolute numbers move with the load; the ratios compare runs made
in the same process minutes apart. The CPU time (``time.process_time``) is printed too: it moves less with the load.
A JSON file with every number is written to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--problems", type=int, default=164, help="HumanEval problems in the end-to-end run (max 164)")
    p.add_argument("--new-tokens", type=int, default=384, help="max new tokens in the end-to-end run")
    p.add_argument("--batches", default="1,16,64", help="batch sizes of the steady-state section")
    p.add_argument("--steady-tokens", type=int, default=64, help="new tokens per row in the steady-state section")
    p.add_argument("--modes", default="greedy,sampled", help="steady-state decoding modes")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own)")
    p.add_argument("--skip-limits", action="store_true")
    p.add_argument("--skip-steady", action="store_true")
    p.add_argument("--skip-e2e", action="store_true")
    p.add_argument("--no-bf16", action="store_true", help="leave out the fast path with bf16 weights")
    p.add_argument("--out", default="runs/bench/generation.json")
    return p.parse_args(argv)


# ------------------------------------------------------------------------------------------------ machine limits
def _best(fn, tries: int = 5) -> float:
    fn()
    best = float("inf")
    for _ in range(tries):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def measure_limits() -> dict[str, float]:
    import torch

    x = torch.ones(256 * 1024 * 1024)  # 1 GiB of fp32
    bw = x.numel() * 4 / _best(x.sum)
    del x
    out = {"read_bandwidth_gbs": bw / 1e9}
    for name, dt in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        a, b = torch.randn(2048, 2048).to(dt), torch.randn(2048, 2048).to(dt)
        out[f"gemm_{name}_gflops"] = 2 * 2048**3 / _best(lambda a=a, b=b: a @ b, 3) / 1e9
    return out


def model_costs(model) -> dict[str, float]:
    """Per decode token: matmul parameters; per context token: KV bytes and attention FLOPs factors."""
    import torch

    cfg = model.config
    seen, weight_bytes = set(), 0
    for p in model.parameters():
        if p.data_ptr() not in seen:
            seen.add(p.data_ptr())
            weight_bytes += p.numel() * p.element_size()
    matmul_params = sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear))
    heads = cfg.num_attention_heads
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // heads
    kv_heads = getattr(cfg, "num_key_value_heads", None) or heads
    layers = cfg.num_hidden_layers
    return {
        "weight_bytes_fp32": weight_bytes * 4 / next(model.parameters()).element_size(),
        "matmul_params": matmul_params,
        "kv_values_per_token": 2 * layers * kv_heads * head_dim,  # K and V, all layers
        "attn_flops_per_query_per_ctx": 4 * layers * heads * head_dim,  # QK^T and PV
    }


def bound(costs: dict, limits: dict, batch: int, context: float, bf16: bool) -> dict[str, float]:
    """Lower bounds on one decode step (seconds) at ``batch`` rows of mean ``context`` tokens."""
    nbytes = 2 if bf16 else 4
    weights = costs["weight_bytes_fp32"] * nbytes / 4
    kv = batch * context * costs["kv_values_per_token"] * nbytes
    flops = 2 * costs["matmul_params"] * batch + batch * context * costs["attn_flops_per_query_per_ctx"]
    bw_s = (weights + kv) / (limits["read_bandwidth_gbs"] * 1e9)
    gemm = limits["gemm_bf16_gflops" if bf16 else "gemm_fp32_gflops"] * 1e9
    return {"bandwidth_s": bw_s, "weights_only_bandwidth_s": weights / (limits["read_bandwidth_gbs"] * 1e9),
            "compute_s": flops / gemm, "step_s": max(bw_s, flops / gemm)}


# ------------------------------------------------------------------------------------------------ runners
def _pad(tok, batch):
    import torch

    width = max(len(r) for r in batch)
    ids = torch.full((len(batch), width), tok.pad_token_id)
    mask = torch.zeros_like(ids)
    for i, r in enumerate(batch):
        ids[i, width - len(r):] = torch.tensor(r)
        mask[i, width - len(r):] = 1
    return ids, mask


def hf_steady(model, tok, prompts, tokens: int, sample: bool) -> dict[str, float]:
    """Plain ``generate`` on one left-padded batch; decode time from the first to the last logits call."""
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList

    class Clock(LogitsProcessor):
        def __init__(self):
            self.times = []

        def __call__(self, input_ids, scores):
            self.times.append(time.perf_counter())
            return scores

    clock = Clock()
    ids, mask = _pad(tok, prompts)
    kw = dict(do_sample=True, temperature=1.0, top_p=1.0, top_k=None) if sample else dict(do_sample=False)
    cpu = time.process_time()
    with torch.no_grad():
        model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=tokens, min_new_tokens=tokens,
                       pad_token_id=tok.pad_token_id, logits_processor=LogitsProcessorList([clock]), **kw)
    cpu = time.process_time() - cpu
    steps = len(clock.times) - 1
    decode_s = clock.times[-1] - clock.times[0]
    return {"decode_s": decode_s, "decode_tokens": steps * len(prompts), "step_s": decode_s / steps,
            "tok_s": steps * len(prompts) / decode_s, "cpu_s": cpu}


def fast_steady(gen, prompts, tokens: int, sample: bool) -> dict[str, float]:
    cpu = time.process_time()
    gen.generate_ids(prompts, temperature=1.0 if sample else 0.0, max_new_tokens=tokens, ignore_eos=True)
    cpu = time.process_time() - cpu
    st = gen.last_stats
    return {"decode_s": st["decode_s"], "decode_tokens": st["decoded_tokens"],
            "step_s": st["decode_s"] / st["decode_steps"], "tok_s": st["decoded_tokens"] / st["decode_s"],
            "cpu_s": cpu}


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from alignkit.eval.tasks.humaneval import HumanEval
    from alignkit.generation.fast import FastGenerator
    from alignkit.generation.rollout import GenerationSettings, HFGenerator, chat_prompt_ids
    from alignkit.models import load_model, load_tokenizer

    tok = load_tokenizer(args.model)
    model = load_model(args.model, trainable=False, dtype="float32", device="cpu")
    task = HumanEval()  # chat mode: the prompts of `alignkit eval humaneval`
    prompts = [chat_prompt_ids(tok, task.prompt(doc)) for doc in task.load()]
    report: dict = {"model": args.model, "threads": torch.get_num_threads(), "torch": torch.__version__,
                    "load_avg_start": os.getloadavg()}
    print(f"model {args.model}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)

    def settings(dtype="auto", **kw):
        return GenerationSettings(**({"backend": "fast", "temperature": 0.0, "batch_size": 16, "dtype": dtype} | kw))

    costs = model_costs(model)
    report["costs"] = costs
    limits = None
    if not args.skip_limits:
        limits = measure_limits()
        report["limits"] = limits
        print(f"\nlimits: read bandwidth {limits['read_bandwidth_gbs']:.1f} GB/s, GEMM fp32 "
              f"{limits['gemm_fp32_gflops']:.0f} GFLOP/s, bf16 {limits['gemm_bf16_gflops']:.0f} GFLOP/s; weights "
              f"{costs['weight_bytes_fp32'] / 1e6:.0f} MB fp32, {2 * costs['matmul_params'] / 1e6:.0f} MFLOP/token",
              flush=True)

    variants = [("fast fp32", "auto")] + ([] if args.no_bf16 else [("fast bf16", "bfloat16")])
    if not args.skip_steady:
        report["steady"] = []
        print(f"\nsteady state ({args.steady_tokens} new tokens per row, prefill excluded)", flush=True)
        head = f"{'batch':>5} {'mode':>7} {'runner':>10} {'tok/s':>8} {'ms/step':>8} {'vs HF':>6}"
        if limits:
            head += f" {'bound tok/s':>11} {'x bound':>7} {'(bw / compute ms)':>18}"
        print(head, flush=True)
        for b in [int(x) for x in args.batches.split(",")]:
            rows = (prompts * (b // len(prompts) + 1))[:b]
            context = sum(len(r) for r in rows) / b + args.steady_tokens / 2
            for mode in args.modes.split(","):
                sample = mode == "sampled"
                results = [("HF fp32", False, hf_steady(model, tok, rows, args.steady_tokens, sample))]
                for name, dtype in variants:
                    gen = FastGenerator(model, tok, settings(dtype, batch_size=b))
                    results.append((name, dtype != "auto", fast_steady(gen, rows, args.steady_tokens, sample)))
                    del gen
                base = results[0][2]["tok_s"]
                for name, bf16, r in results:
                    line = f"{b:>5} {mode:>7} {name:>10} {r['tok_s']:>8.1f} {r['step_s'] * 1e3:>8.1f} " \
                           f"{r['tok_s'] / base:>6.2f}"
                    entry = {"batch": b, "mode": mode, "runner": name, **r, "vs_hf": r["tok_s"] / base}
                    if limits:
                        bd = bound(costs, limits, b, context, bf16)
                        entry["bound"] = bd
                        line += f" {b / bd['step_s']:>11.0f} {r['step_s'] / bd['step_s']:>7.2f} " \
                                f"{bd['bandwidth_s'] * 1e3:>8.1f} / {bd['compute_s'] * 1e3:>6.1f}"
                    report["steady"].append(entry)
                    print(line, flush=True)

    if not args.skip_e2e:
        n = min(args.problems, len(prompts))
        sub = prompts[:n]
        print(f"\nend to end: {n} HumanEval chat prompts, up to {args.new_tokens} new tokens, greedy, batch 16",
              flush=True)
        runs = []
        hf = HFGenerator(model, tok, GenerationSettings(backend="hf", max_new_tokens=args.new_tokens,
                                                        temperature=0.0, batch_size=16))
        fast_runs = [(name, FastGenerator(model, tok, settings(dtype, max_new_tokens=args.new_tokens)))
                     for name, dtype in variants]
        # fast fp32 first and last around HF, so that a change in the machine's load shows
        order = [fast_runs[0], ("HF fp32", hf), *fast_runs[1:]]
        outs = {}
        for name, gen in order:
            out, wall, cpu = timed(lambda gen=gen: gen.generate_ids(sub))
            outs[name] = out
            ntok = sum(len(ids) for ids, _ in out)
            runs.append({"runner": name, "tokens": ntok, "wall_s": wall, "cpu_s": cpu, "tok_s": ntok / wall,
                         "load_avg": os.getloadavg()[0]})
            print(f"  {name:>10}: {ntok} tokens in {wall:.1f} s ({cpu:.1f} s CPU), {ntok / wall:.1f} tok/s, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        base = next(r for r in runs if r["runner"] == "HF fp32")
        same = sum(a == b for a, b in zip(outs["HF fp32"], outs["fast fp32"], strict=True))
        print(f"\n{'runner':>10} {'tok/s':>8} {'wall vs HF':>10} {'CPU vs HF':>9}")
        for r in runs:
            r["speedup_wall"] = base["wall_s"] / r["wall_s"] * r["tokens"] / base["tokens"]
            r["speedup_cpu"] = base["cpu_s"] / r["cpu_s"] * r["tokens"] / base["tokens"]
            print(f"{r['runner']:>10} {r['tok_s']:>8.1f} {r['speedup_wall']:>10.2f} {r['speedup_cpu']:>9.2f}")
        print(f"greedy answers identical to HF generate (fp32): {same} / {n}")
        bf16_same = None
        if "fast bf16" in outs:
            bf16_same = sum(a == b for a, b in zip(outs["HF fp32"], outs["fast bf16"], strict=True))
            print(f"greedy answers of the bf16 weights identical to fp32: {bf16_same} / {n}")
        report["e2e"] = {"problems": n, "new_tokens": args.new_tokens, "runs": runs, "identical_fp32": same,
                         "identical_bf16": bf16_same}

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report["load_avg_end"] = os.getloadavg()
    out.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
