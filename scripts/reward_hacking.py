"""Why CGPO exists: RL against a hackable reward model, with and without the judges.

Runs ``alignkit cgpo recipe=coding`` (CRPG constrained by the code and format judges) and
``recipe=coding_unconstrained`` (the same task, optimizer and hyper-parameters, no judges) for the same number
of steps from the same start and seed, both rewarded by a reward model trained on a *spurious* preference
(``alignkit rm recipe=coding_hackable_length``: the chosen answer is always the longer one, correct or not). Every
``--eval-every`` steps both policies answer held-out coding problems (the shipped test split, greedy decoding)
and the script records the reward model's score and the unit-test pass rate.

    PYTHONPATH=src python scripts/reward_hacking.py                  # CPU defaults (about an hour on 2 cores)
    PYTHONPATH=src python scripts/reward_hacking.py --steps 4 --eval-every 2 --eval-problems 4   # smoke run

Writes ``<out>/reward_hacking.json`` (the table, per variant and evaluation step, plus the training metrics) and
``<out>/reward_hacking.png`` (reward-model score and pass rate against the step, both variants). Expected, per
the paper: without judges the reward-model score climbs while the pass rate stalls or falls; with judges the pass
rate does not fall. The script reports what happened, whatever it is.
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

VARIANTS = ("coding", "coding_unconstrained")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="runs/reward_hacking")
    p.add_argument("--rm", default=None, help="a trained reward-model folder (default: train the hackable one)")
    p.add_argument("--spurious", default="length", choices=["length", "fence"])
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--eval-every", type=int, default=2)
    p.add_argument("--eval-problems", type=int, default=12, help="held-out coding problems (test split)")
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--prompts", type=int, default=2, help="B prompts per step")
    p.add_argument("--k", type=int, default=4, help="K responses per prompt")
    p.add_argument("--tokens", type=int, default=128, help="max new tokens (training and evaluation)")
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--optimizer", default="crpg", choices=["crpg", "codpo", "crraft"], help="for both variants")
    p.add_argument("overrides", nargs="*", help="extra recipe overrides key=value, applied to both variants")
    return p.parse_args(argv)


def hackable_reward_model(args, out: Path) -> Path:
    """``alignkit rm recipe=coding_hackable_length`` (with ``data.spurious`` set), trained once, then reused."""
    if args.rm:
        return Path(args.rm)
    run_dir = out / f"rm_{args.spurious}"
    folder = run_dir / "model"
    if (folder / "config.json").is_file():
        return folder
    from alignkit.config import compose_recipe
    from alignkit.trainers import reward_model

    cfg = compose_recipe("rm", "rm", "coding_hackable_length",
                         [f"model={args.model}", f"data.spurious={args.spurious}", f"seed={args.seed}",
                          f"output_dir={run_dir}"], reward_model.RMRecipe)
    print(f"training the hackable reward model ({args.spurious}) into {folder} ...", flush=True)
    t0 = time.perf_counter()
    metrics = reward_model.run(cfg, run_dir, None)
    print(f"  done in {time.perf_counter() - t0:.0f}s; held-out accuracy on its (spurious) preference: "
          f"{metrics.get('eval_accuracy')}", flush=True)
    return folder


class HeldOutEval:
    """Greedy answers to held-out problems: mean reward-model score and unit-test pass rate."""

    def __init__(self, records, reward_model, code_judge, tokens: int, every: int):
        self.records, self.rm, self.judge = records, reward_model, code_judge
        self.tokens, self.every = tokens, every
        self.rows: list[dict] = []

    def evaluate(self, trainer, step: int, train_metrics: dict | None = None) -> dict:
        from alignkit.generation import HFGenerator, rollout

        t0 = time.perf_counter()
        gen = HFGenerator(trainer.unwrapped, trainer.tokenizer, trainer.generator.settings)
        prompts = [r["prompt"] for r in self.records]
        meta = [r["metadata"] for r in self.records]
        texts = [r.text for r in rollout(gen, trainer.tokenizer, prompts, 1, temperature=0.0,
                                         max_new_tokens=self.tokens)]
        scores = [float(s) for s in self.rm(prompts, texts, meta)]
        verdicts = self.judge(prompts, texts, meta)
        row = {
            "step": step,
            "rm_score": sum(scores) / len(scores),
            "pass_rate": sum(v.passed for v in verdicts) / len(verdicts),
            "length_chars": sum(len(t) for t in texts) / len(texts),
            "has_fence": sum("```" in t for t in texts) / len(texts),
            "eval_seconds": round(time.perf_counter() - t0, 1),
            "example": texts[0][:400],
        }
        if train_metrics:
            row.update({k: train_metrics[k] for k in ("coding/reward_mean", "coding/calibrated_reward_mean",
                                                      "coding/satisfied_rate", "coding/kl_mean",
                                                      "coding/response_length_mean") if k in train_metrics})
        self.rows.append(row)
        print(f"    step {step:>3}: rm_score={row['rm_score']:.3f} pass_rate={row['pass_rate']:.3f} "
              f"length={row['length_chars']:.0f} chars ({row['eval_seconds']}s)", flush=True)
        return row

    def __call__(self, trainer, step: int, metrics: dict) -> None:
        if step % self.every == 0 or step == trainer.cfg.max_steps:
            self.evaluate(trainer, step, metrics)


def run_variant(variant: str, args, rm_path: Path, out: Path, held_out) -> dict:
    from alignkit.config import compose_recipe
    from alignkit.judges import load_judge
    from alignkit.rewards import RewardModel
    from alignkit.trainers.cgpo import CGPORecipe, build_trainer

    run_dir = out / variant
    overrides = [
        f"model={args.model}", f"output_dir={run_dir}", f"seed={args.seed}", f"trainer.max_steps={args.steps}",
        f"trainer.learning_rate={args.lr}", "trainer.save_model=false", "trainer.progress=false",
        f"trainer.micro_batch_size={args.prompts * args.k}",
        "rewards@tasks.coding.reward=reward_model", f"tasks.coding.reward.model={rm_path}",
        "tasks.coding.reward.device=cpu", f"tasks.coding.num_samples={args.k}",
        f"tasks.coding.prompts_per_step={args.prompts}", f"tasks.coding.max_new_tokens={args.tokens}",
        f"tasks.coding.optimizer={args.optimizer}",
        *args.overrides,
    ]
    cfg = compose_recipe("cgpo", "cgpo", variant, overrides, CGPORecipe)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "metrics.jsonl").unlink(missing_ok=True)
    evaluator = HeldOutEval(held_out, RewardModel(str(rm_path), device="cpu"), load_judge("code"), args.tokens,
                            args.eval_every)
    trainer = build_trainer(cfg, run_dir, callbacks=[evaluator])
    print(f"[{variant}] judges: {trainer.tasks[0].judges.names or 'none'}", flush=True)
    t0 = time.perf_counter()
    try:
        evaluator.evaluate(trainer, 0)
        trainer.train()
    finally:
        trainer.close()
        evaluator.judge.close()
    return {"variant": variant, "judges": cfg.tasks.coding.judges and [k for k, v in cfg.tasks.coding.judges.items()
                                                                        if v is not None],
            "seconds": round(time.perf_counter() - t0, 1), "eval": evaluator.rows,
            "train": [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]}


def plot(results: list[dict], path: Path, title: str, optimizer: str = "crpg") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    styles = {"coding": ("tab:blue", f"CGPO ({optimizer.upper()} + code/format judges)"),
              "coding_unconstrained": ("tab:red", f"no judges ({optimizer.upper()} on the reward model alone)")}
    for res in results:
        color, label = styles[res["variant"]]
        steps = [r["step"] for r in res["eval"]]
        axes[0].plot(steps, [r["rm_score"] for r in res["eval"]], "o-", color=color, label=label)
        axes[1].plot(steps, [r["pass_rate"] for r in res["eval"]], "o-", color=color, label=label)
    axes[0].set(xlabel="training step", ylabel="reward-model score (held-out, greedy)", title="hackable RM score")
    axes[1].set(xlabel="training step", ylabel="unit-test pass rate (held-out, greedy)", title="pass rate",
                ylim=(-0.02, 1.02))
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None) -> int:
    args = parse_args(argv)
    from alignkit.data import load_prompts

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rm_path = hackable_reward_model(args, out)
    held_out = load_prompts("coding", split="test", limit=args.eval_problems)
    results = []
    for variant in VARIANTS:
        print(f"[{variant}] {args.steps} steps, eval every {args.eval_every} on {len(held_out)} held-out problems",
              flush=True)
        results.append(run_variant(variant, args, rm_path, out, held_out))
    command = "PYTHONPATH=src python scripts/reward_hacking.py " + " ".join(sys.argv[1:] if argv is None else argv)
    table = {
        "command": command.strip(), "reward_model": str(rm_path), "spurious": args.spurious, "model": args.model,
        "optimizer": args.optimizer, "steps": args.steps, "lr": args.lr, "prompts_per_step": args.prompts, "k": args.k, "tokens": args.tokens,
        "held_out_problems": len(held_out), "results": results,
    }
    (out / "reward_hacking.json").write_text(json.dumps(table, indent=2) + "\n")
    plot(results, out / "reward_hacking.png",
         f"{args.model}, RM trained on a spurious '{args.spurious}' preference, lr={args.lr}, B={args.prompts}, "
         f"K={args.k}, {len(held_out)} held-out problems", args.optimizer)
    print("\nstep  " + "  ".join(f"{v:>34}" for v in VARIANTS))
    print("      " + "  ".join(f"{'rm_score':>11}{'pass_rate':>11}{'chars':>12}" for _ in VARIANTS))
    for i, row in enumerate(results[0]["eval"]):
        cells = []
        for res in results:
            r = res["eval"][i] if i < len(res["eval"]) else None
            cells.append(f"{r['rm_score']:>11.3f}{r['pass_rate']:>11.3f}{r['length_chars']:>12.0f}" if r else " " * 34)
        print(f"{row['step']:>4}  " + "  ".join(cells))
    print(f"\nwrote {out / 'reward_hacking.json'} and {out / 'reward_hacking.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
