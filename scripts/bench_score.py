"""Step time of ``alignkit score-rl`` against TRL's ``GRPOTrainer`` generating the same tokens, in one process.

Both trainers get the same model, the same easy math problems, B problems per step and n samples per problem,
and the same judge (the math judge: final answer with math-verify) as the reward. SCoRe samples two attempts of
exactly ``--tokens`` new tokens each (the second from prompt + attempt 1 + the instruction turn); GRPO samples one
completion of exactly ``2 × --tokens`` new tokens per sample, so both generate ``B · n · 2 · tokens`` tokens per
step (``min_new_tokens`` forces the lengths, so that sampling luck does not decide the comparison). GRPO runs with
a KL term (``beta > 0``) so that both compute reference log-probabilities. What the ratio measures is the cost of
SCoRe's second generation call (prefill of the longer context), per-attempt judging, RLOO and bookkeeping on top of
the same number of generated tokens and one update.

    PYTHONPATH=src python scripts/bench_score.py                        # embedded 135M model, CPU
    PYTHONPATH=src python scripts/bench_score.py --model tiny --steps 2  # smoke test

Prints a table and the ratio ``score-rl / grpo`` of the median step times (goal: <= 1.15), and writes a JSON file.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cgpo import model_source  # noqa: E402 - one way to give GRPOTrainer an offline model folder


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--prompts", type=int, default=2, help="B problems per step")
    p.add_argument("--n", type=int, default=4, help="n samples per problem")
    p.add_argument("--tokens", type=int, default=48, help="new tokens per SCoRe attempt (GRPO: twice this)")
    p.add_argument("--steps", type=int, default=3, help="timed steps per trainer (after one warm-up step)")
    p.add_argument("--rounds", type=int, default=2, help="alternate the two trainers this many times")
    p.add_argument("--lr", type=float, default=1e-6)
    p.add_argument("--beta", type=float, default=0.04, help="GRPO's KL coefficient (> 0: reference log-probs)")
    p.add_argument("--out", default="runs/bench/score_vs_grpo.json")
    return p.parse_args(argv)


def records(n: int) -> list[dict]:
    from alignkit.data import load_prompts

    return load_prompts("math_easy", split="train", limit=n)


class Timer:
    def __init__(self):
        self.times, self.t0 = [], None

    def on_step_begin(self, *a, **k):
        self.t0 = time.perf_counter()

    def on_step_end(self, *a, **k):
        self.times.append(time.perf_counter() - self.t0)


def grpo_step_times(args, source: str, recs: list[dict]) -> list[float]:
    """Time ``1 + steps`` GRPO steps; return the timed ones (the first dropped as warm-up)."""
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from alignkit.judges.math import MathJudge
    from alignkit.models import load_tokenizer

    judge = MathJudge(num_workers=1)
    rows = [{"prompt": [{"role": "user", "content": r["prompt"]}], "answer": r["metadata"]["answer"]} for r in recs]

    def math_reward(prompts, completions, answer=None, **kw):
        texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
        verdicts = judge(["" for _ in texts], texts, [{"answer": a} for a in answer])
        return [float(v.value) if v.value >= 0 else None for v in verdicts]

    timer = type("T", (Timer, TrainerCallback), {})()
    cfg = GRPOConfig(
        output_dir=tempfile.mkdtemp(prefix="bench-grpo-"), per_device_train_batch_size=args.prompts * args.n,
        gradient_accumulation_steps=1, num_generations=args.n, max_completion_length=2 * args.tokens,
        generation_kwargs={"min_new_tokens": 2 * args.tokens}, temperature=1.0, beta=args.beta,
        learning_rate=args.lr, max_steps=args.steps + 1, logging_steps=1, save_strategy="no", report_to="none",
        use_cpu=True, bf16=False, seed=0, num_iterations=1, disable_tqdm=True, dataloader_num_workers=0,
        gradient_checkpointing=False,
    )
    tok = load_tokenizer(source)
    tok.padding_side = "left"
    trainer = GRPOTrainer(model=AutoModelForCausalLM.from_pretrained(source), reward_funcs=[math_reward], args=cfg,
                          train_dataset=Dataset.from_list(rows), processing_class=tok, callbacks=[timer])
    phases = {"generate": [], "judge": [], "generate_and_score_total": [], "loss_forward": []}
    for name, key in (("_generate", "generate"), ("_calculate_rewards", "judge"),
                      ("_generate_and_score_completions", "generate_and_score_total"), ("_compute_loss", "loss_forward")):
        real = getattr(trainer, name)

        def timed(*a, _real=real, _key=key, **k):
            t0 = time.perf_counter()
            try:
                return _real(*a, **k)
            finally:
                phases[_key].append(time.perf_counter() - t0)

        setattr(trainer, name, timed)
    trainer.train()
    judge.close()
    return timer.times[1:], {k: v[1:] for k, v in phases.items()}


def score_step_times(args, source: str, recs: list[dict]) -> tuple[list[float], list[dict]]:
    """Time ``1 + steps`` score-rl steps (Stage II, RLOO, k3 KL); return the timed ones and their metrics."""
    from accelerate import Accelerator

    from alignkit.generation import GenerationSettings, make_generator
    from alignkit.judges.math import MathJudge
    from alignkit.models import load_model, load_reference, load_tokenizer
    from alignkit.trainers.engine import RLTrainerConfig
    from alignkit.trainers.score import ScoreTrainer, StageIIConfig

    tok = load_tokenizer(source)
    model = load_model(source, device="cpu", dtype="float32")
    model.generation_config.min_new_tokens = args.tokens  # exactly `tokens` new tokens per attempt
    ref = load_reference(model, source, device="cpu", dtype="float32")
    settings = GenerationSettings(max_new_tokens=args.tokens, temperature=1.0, batch_size=args.prompts * args.n)
    accelerator = Accelerator(cpu=True)
    trainer = ScoreTrainer(
        stage=2, score_cfg=StageIIConfig(num_generations=args.n, prompts_per_step=args.prompts), records=recs,
        judge=MathJudge(num_workers=1), temperature=1.0, accelerator=accelerator, model=model, ref_model=ref,
        tokenizer=tok, generator=make_generator(model, tok, settings, accelerator),
        trainer_cfg=RLTrainerConfig(max_steps=args.steps + 1, learning_rate=args.lr,
                                    micro_batch_size=args.prompts * args.n, progress=False, save_model=False),
        run_dir=Path(tempfile.mkdtemp(prefix="bench-score-")))
    phases = timed_phases(trainer)
    times, rows = [], []
    for step in range(args.steps + 1):
        for v in phases.values():
            v.append(0.0)
        t0 = time.perf_counter()
        rows.append(trainer.train_step(step))
        times.append(time.perf_counter() - t0)
    trainer.close()
    return times[1:], rows[1:], {k: v[1:] for k, v in phases.items()}


def timed_phases(trainer) -> dict[str, list[float]]:
    """Wrap the parts of a score-rl step (each generation call, judging, π_ref scoring, the update) with timers:
    where the step's time goes, summed per step."""
    phases: dict[str, list[float]] = {"generate_attempt1": [], "generate_attempt2": [], "judge": [],
                                      "reference_logprobs": [], "update": []}
    calls = {"gen": 0}

    def wrap(obj, name, key_of):
        real = getattr(obj, name)

        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return real(*a, **k)
            finally:
                phases[key_of(a, k)][-1] += time.perf_counter() - t0

        setattr(obj, name, timed)

    def gen_key(a, k):
        calls["gen"] += 1
        return "generate_attempt1" if calls["gen"] % 2 == 1 else "generate_attempt2"

    wrap(trainer.generator, "generate_ids", gen_key)
    wrap(trainer, "judge_attempts", lambda a, k: "judge")
    wrap(trainer, "score", lambda a, k: "reference_logprobs")  # train_step scores only π_ref outside update
    wrap(trainer, "update", lambda a, k: "update")
    return phases


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    recs = records(64)
    source = model_source(args.model)
    grpo, score, rows = [], [], []
    phases: dict[str, list[float]] = {}
    gphases: dict[str, list[float]] = {}
    for r in range(args.rounds):  # alternate, so that machine load drifts hit both alike
        print(f"round {r + 1}/{args.rounds}: GRPO ...", flush=True)
        times, parts = grpo_step_times(args, source, recs)
        grpo += times
        for k, v in parts.items():
            gphases.setdefault(k, []).extend(v)
        print(f"round {r + 1}/{args.rounds}: score-rl ...", flush=True)
        times, got, parts = score_step_times(args, source, recs)
        score += times
        rows += got
        for k, v in parts.items():
            phases.setdefault(k, []).extend(v)
    med_g, med_s = statistics.median(grpo), statistics.median(score)
    tokens = args.prompts * args.n * 2 * args.tokens
    result = {
        "model": args.model, "prompts_per_step": args.prompts, "n": args.n, "tokens_per_attempt": args.tokens,
        "generated_tokens_per_step": tokens, "timed_steps_per_trainer": len(grpo), "grpo_step_s": grpo,
        "score_rl_step_s": score, "grpo_median_s": med_g, "score_rl_median_s": med_s,
        "ratio_score_rl_over_grpo": med_s / med_g,
        "score_rl_lengths": [[row["length_attempt1"], row["length_attempt2"]] for row in rows],
        "score_rl_phase_median_s": {k: statistics.median(v) for k, v in phases.items()},
        "grpo_phase_median_s": {k: statistics.median(v) for k, v in gphases.items() if v},
        "torch_threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
        "command": "PYTHONPATH=src python scripts/bench_score.py " + " ".join(sys.argv[1:] if argv is None else argv),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nmodel={args.model} B={args.prompts} n={args.n} tokens/step={tokens} "
          f"({len(grpo)} timed steps each, {args.rounds} alternating rounds)")
    print(f"{'trainer':<10}{'median step (s)':>18}{'all steps (s)':>40}")
    print(f"{'GRPO':<10}{med_g:>18.2f}{'  ' + ' '.join(f'{t:.1f}' for t in grpo):>40}")
    print(f"{'score-rl':<10}{med_s:>18.2f}{'  ' + ' '.join(f'{t:.1f}' for t in score):>40}")
    for k, v in gphases.items():
        if v:
            print(f"  grpo     {k:<22}{statistics.median(v):>8.2f} s (median per call)")
    for k, v in phases.items():
        print(f"  score-rl {k:<22}{statistics.median(v):>8.2f} s (median per step)")
    print(f"ratio score-rl/grpo = {med_s / med_g:.3f}  (goal <= 1.15)")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
