"""Step time of ``alignkit cgpo`` (CRPG) against TRL's ``GRPOTrainer`` on the same work, in one process.

Both trainers get the same model, the same coding prompts, K responses per prompt, B prompts per step, the same
completion length and the same reward (unit-test pass fraction). GRPO runs with a KL term (``beta > 0``) so that
both compute reference log-probabilities. Generation is forced to exactly ``--tokens`` new tokens in both
(``min_new_tokens``), so that sampling luck does not decide the comparison. CGPO additionally runs the coding
task's judges (code: unit tests in the sandbox; format) and the calibrated reward: what the ratio measures is
the cost of the judges and of CGPO's bookkeeping on top of the same generation and update.

CGPO runs once per ``--backends`` entry (default both): ``hf`` (HF ``generate``, as GRPO) and ``fast`` (the
continuous-batching path, alignkit's CPU default since issue 16; ``ignore_eos`` gives it the same exact length as
``min_new_tokens`` gives ``generate``). GRPO always keeps HF ``generate``, as a TRL user on CPU has it. Each
round runs GRPO, then CGPO with every backend, so that drifts of the machine's load hit them alike; one ratio
``cgpo[backend] / grpo`` of median step times per backend.

    PYTHONPATH=src python scripts/bench_cgpo.py                       # embedded 135M model, CPU
    PYTHONPATH=src python scripts/bench_cgpo.py --model tiny --steps 3 # smoke test

Prints a table and the ratios ``cgpo[backend] / grpo`` of the median step times, and writes a JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--prompts", type=int, default=2, help="B prompts per step")
    p.add_argument("--k", type=int, default=4, help="K responses per prompt")
    p.add_argument("--tokens", type=int, default=64, help="new tokens per response (exact)")
    p.add_argument("--steps", type=int, default=4, help="timed steps per trainer (after one warm-up step)")
    p.add_argument("--rounds", type=int, default=2, help="alternate the two trainers this many times")
    p.add_argument("--lr", type=float, default=1e-6)
    p.add_argument("--beta", type=float, default=0.04, help="GRPO's KL coefficient (> 0: reference log-probs)")
    p.add_argument("--backends", default="hf,fast", help="CGPO generation backends to time (comma-separated)")
    p.add_argument("--out", default="runs/bench/cgpo_vs_grpo.json")
    return p.parse_args(argv)


def model_source(name: str) -> str:
    """A folder GRPOTrainer can load (and reload as its reference model) offline."""
    from alignkit.models import embedded_checkpoint

    if name == "smollm2-135m-instruct":
        return str(embedded_checkpoint())
    if name == "tiny":
        from alignkit.models import build_tiny, load_tokenizer

        folder = Path(tempfile.mkdtemp(prefix="bench-tiny-"))
        tok = load_tokenizer("tiny")
        build_tiny(tok).save_pretrained(folder)
        tok.save_pretrained(folder)
        return str(folder)
    return name


def coding_records(n: int) -> list[dict]:
    from alignkit.data import load_prompts

    return load_prompts("coding", split="train", limit=n)


# ----------------------------------------------------------------------------------------------------- GRPO


def grpo_step_times(args, source: str, records: list[dict]) -> list[float]:
    """Time ``1 + steps`` GRPO steps; return the timed ones (first dropped as warm-up)."""
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from alignkit.models import load_tokenizer
    from alignkit.rewards import CodePassFraction

    n_steps = args.steps + 1
    rows = [{"prompt": [{"role": "user", "content": r["prompt"]}], "metadata": json.dumps(r["metadata"])}
            for r in records]
    dataset = Dataset.from_list(rows)
    reward = CodePassFraction()

    def reward_fn(prompts, completions, metadata=None, **kw):
        meta = [json.loads(m) if isinstance(m, str) else m for m in (metadata or [])]
        return reward(prompts, completions, meta)

    reward_fn.__name__ = "code_pass_fraction"

    class Timer(TrainerCallback):
        def __init__(self):
            self.times, self.t0 = [], None

        def on_step_begin(self, *a, **k):
            self.t0 = time.perf_counter()

        def on_step_end(self, *a, **k):
            self.times.append(time.perf_counter() - self.t0)

    timer = Timer()
    batch = args.prompts * args.k
    cfg = GRPOConfig(
        output_dir=tempfile.mkdtemp(prefix="bench-grpo-"), per_device_train_batch_size=batch,
        gradient_accumulation_steps=1, num_generations=args.k, max_completion_length=args.tokens,
        generation_kwargs={"min_new_tokens": args.tokens}, temperature=1.0, beta=args.beta, learning_rate=args.lr,
        max_steps=n_steps, logging_steps=1, save_strategy="no", report_to="none", use_cpu=True, bf16=False,
        seed=0, num_iterations=1, disable_tqdm=True, shuffle_dataset=True, dataloader_num_workers=0,
        gradient_checkpointing=False,  # TRL turns it on by default; the CGPO run does not use it either
    )
    tok = load_tokenizer(source)
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(source)
    trainer = GRPOTrainer(model=model, reward_funcs=[reward_fn], args=cfg, train_dataset=dataset,
                          processing_class=tok, callbacks=[timer])
    trainer.train()
    reward.close()
    return timer.times[1:]


# ----------------------------------------------------------------------------------------------------- CGPO


def cgpo_step_times(args, source: str, records: list[dict], backend: str = "hf") -> tuple[list[float], list[dict]]:
    """Time ``1 + steps`` CGPO (CRPG) steps with the coding task's judges and generation ``backend``; return
    times and metrics."""
    import functools

    from accelerate import Accelerator
    from omegaconf import OmegaConf

    from alignkit.generation import GenerationSettings, make_generator
    from alignkit.judges import MixtureOfJudges, load_judge
    from alignkit.models import load_model, load_reference, load_tokenizer
    from alignkit.rewards import CodePassFraction
    from alignkit.trainers.cgpo import CGPOTrainer, Task, TaskConfig
    from alignkit.trainers.engine import RLTrainerConfig

    tok = load_tokenizer(source)
    model = load_model(source, device="cpu", dtype="float32")
    model.generation_config.min_new_tokens = args.tokens  # exactly `tokens` new tokens, as in GRPO
    ref = load_reference(model, source, device="cpu", dtype="float32")
    settings = GenerationSettings(backend=backend, max_new_tokens=args.tokens, temperature=1.0,
                                  batch_size=args.prompts * args.k)
    generator = make_generator(model, tok, settings)
    if backend == "fast":  # exactly `tokens` new tokens, as min_new_tokens does for generate
        generator.generate_ids = functools.partial(generator.generate_ids, ignore_eos=True)
    task_cfg = OmegaConf.structured(TaskConfig(optimizer="crpg", num_samples=args.k, prompts_per_step=args.prompts,
                                               kl_max=10.0, baseline="reference"))
    judges = MixtureOfJudges([load_judge("code"), load_judge("format", require_terminal=False, max_words=600)])
    task = Task("coding", task_cfg, records, CodePassFraction(), judges, seed=0)
    accelerator = Accelerator(cpu=True)
    trainer_cfg = RLTrainerConfig(max_steps=args.steps + 1, learning_rate=args.lr,
                                  micro_batch_size=args.prompts * args.k, progress=False, save_model=False)
    run_dir = Path(tempfile.mkdtemp(prefix="bench-cgpo-"))
    trainer = CGPOTrainer(accelerator=accelerator, model=model, ref_model=ref, tokenizer=tok,
                          generator=generator, tasks=[task],
                          trainer_cfg=trainer_cfg, run_dir=run_dir)
    trainer.prepare_baselines()
    times, rows = [], []
    for step in range(args.steps + 1):
        t0 = time.perf_counter()
        rows.append(trainer.train_step(step))
        times.append(time.perf_counter() - t0)
    trainer.close()
    return times[1:], rows[1:]


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    records = coding_records(64)
    source = model_source(args.model)
    grpo: list[float] = []
    cgpo: dict[str, list[float]] = {b: [] for b in backends}
    rows: dict[str, list[dict]] = {b: [] for b in backends}
    for r in range(args.rounds):  # alternate, so that machine load drifts hit every trainer alike
        print(f"round {r + 1}/{args.rounds}: GRPO ...", flush=True)
        grpo += grpo_step_times(args, source, records)
        print(f"  GRPO steps (s): {' '.join(f'{t:.1f}' for t in grpo)}", flush=True)
        for b in backends:
            print(f"round {r + 1}/{args.rounds}: CGPO (generation.backend={b}) ...", flush=True)
            times, got = cgpo_step_times(args, source, records, b)
            cgpo[b] += times
            rows[b] += got
            print(f"  CGPO ({b}) steps (s): {' '.join(f'{t:.1f}' for t in cgpo[b])}; ratio to GRPO so far "
                  f"{statistics.median(cgpo[b]) / statistics.median(grpo):.3f}", flush=True)
    med_g = statistics.median(grpo)
    med = {b: statistics.median(cgpo[b]) for b in backends}
    phases = {b: {ph: statistics.median(row[f"coding/time/{ph}"] for row in rows[b])
                  for ph in ("generation", "judging", "reward", "update")} for b in backends}
    result = {
        "model": args.model, "prompts_per_step": args.prompts, "k": args.k, "tokens": args.tokens,
        "timed_steps_per_trainer": len(grpo), "grpo_step_s": grpo, "grpo_median_s": med_g,
        "cgpo_step_s": cgpo, "cgpo_median_s": med, "ratio_cgpo_over_grpo": {b: med[b] / med_g for b in backends},
        "cgpo_phase_median_s": phases, "torch_threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "command": "PYTHONPATH=src python scripts/bench_cgpo.py " + " ".join(sys.argv[1:] if argv is None else argv),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nmodel={args.model} B={args.prompts} K={args.k} tokens={args.tokens} "
          f"({len(grpo)} timed steps each, {args.rounds} alternating rounds, {torch.get_num_threads()} threads)")
    print(f"{'trainer':<22}{'median step (s)':>16}   all steps (s)")
    print(f"{'GRPO (HF generate)':<22}{med_g:>16.2f}   {' '.join(f'{t:.1f}' for t in grpo)}")
    for b in backends:
        print(f"{'CGPO (' + b + ')':<22}{med[b]:>16.2f}   {' '.join(f'{t:.1f}' for t in cgpo[b])}")
    for b in backends:
        print(f"CGPO ({b}) phases (median s): " + ", ".join(f"{k} {v:.2f}" for k, v in phases[b].items()))
    for b in backends:
        print(f"ratio cgpo[{b}]/grpo = {med[b] / med_g:.3f}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
