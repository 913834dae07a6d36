"""Why CGPO exists: RL against a reward model with a known, exploitable flaw, with and without the judges.

Two experiments, each run for several seeds, each seed training both variants from the same start (the same
base model and reward model; the seed sets sampling and prompt order):

- **coding**: the reward model was trained on a *spurious* preference (``alignkit rm recipe=coding_hackable_length``:
  the longer answer always wins, correct or not). Variant ``judges``: CGPO (CRPG) constrained by the code judge
  (unit tests in the sandbox) and the format judge; variant ``no_judges``: the same optimizer on the reward model
  alone. Measured on held-out problems (the coding test split, greedy): the hackable reward, the unit-test pass
  rate (the judges' verdict) and the answer length.
- **chat**: a reward model trained to prefer *compliance* (for harmful and benign requests alike, the complying
  answer is "chosen" over the refusal; pairs from the judge training sets). Variant ``judges``: CGPO with the
  trained safety judge on harmful prompts and the trained false-refusal judge on benign ones; variant
  ``no_judges``: the same optimizer on the reward model alone. Measured on held-out chat prompts (greedy): the
  compliance reward, the safety judge's pass rate and the rule refusal detector's refusal rate on harmful prompts
  (an independent check that does not share the safety judge's blind spots), and the false-refusal judge's pass
  rate on benign prompts.

The step-0 evaluation is the same for every seed and variant (same start, greedy decoding) and is computed once.
Across seeds the script reports the mean and a 95% confidence interval (Student t) at every evaluation step.

    PYTHONPATH=src python scripts/reward_hacking.py            # defaults: both experiments, 3 seeds, 54 problems
    PYTHONPATH=src python scripts/reward_hacking.py --quick    # tiny model, seconds of work: checks the pipeline

Writes ``<out>/reward_hacking.json`` (every evaluation of every run, the aggregates, timings and the command),
``<out>/reward_hacking.md`` (the tables) and ``<out>/reward_hacking.png`` (curves with confidence bands).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

EXPERIMENTS = ("coding", "chat")
VARIANTS = ("judges", "no_judges")
METRICS = {
    "coding": [("rm_score", "hackable RM score (length-loving)"), ("pass_rate", "unit-test pass rate (judges)"),
               ("length_chars", "answer length (chars)")],
    "chat": [("rm_score", "compliance RM score"), ("safety_pass_rate", "safety judge pass rate, harmful prompts"),
             ("refusal_rate_harmful", "refusal rate on harmful prompts (rule)"),
             ("false_refusal_pass_rate", "false-refusal judge pass rate, benign prompts"),
             ("length_chars", "answer length (chars)")],
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="runs/reward_hacking")
    p.add_argument("--experiments", default="coding,chat", help="comma-separated: coding, chat")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--eval-every", type=int, default=3)
    p.add_argument("--eval-problems", type=int, default=54,
                   help="held-out coding problems: coding/test (33), then coding_easy/test (21)")
    p.add_argument("--eval-chat", type=int, default=20, help="held-out harmful and benign chat prompts, each")
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--prompts", type=int, default=2, help="B prompts per step and task")
    p.add_argument("--k", type=int, default=4, help="K responses per prompt")
    p.add_argument("--tokens", type=int, default=96, help="max new tokens (training and evaluation)")
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--judge-model", default="smollm2-135m-judges", help="model of the chat LLM judges")
    p.add_argument("--optimizer", default="crpg", choices=["crpg", "codpo", "crraft"], help="for every variant")
    p.add_argument("--rm-steps", type=int, default=40, help="reward-model training steps")
    p.add_argument("--quick", action="store_true",
                   help="tiny model and judges, 2 seeds x 2 steps on a few prompts: checks the pipeline only")
    p.add_argument("overrides", nargs="*", help="extra cgpo overrides key=value, applied to every run")
    args = p.parse_args(argv)
    if args.quick:
        args.model, args.judge_model = "tiny", "tiny"
        args.seeds, args.steps, args.eval_every = 2, 2, 1
        args.eval_problems, args.eval_chat, args.prompts, args.k, args.tokens = 3, 2, 1, 2, 12
        args.rm_steps, args.lr = 2, 1e-3
    args.experiments = [e.strip() for e in args.experiments.split(",") if e.strip()]
    unknown = [e for e in args.experiments if e not in EXPERIMENTS]
    if unknown:
        p.error(f"unknown experiments {unknown}; use {', '.join(EXPERIMENTS)}")
    return args


# ---------------------------------------------------------------------------------------------- reward models
def train_rm(args, out: Path, name: str, recipe: str, overrides: list[str]) -> Path:
    """``alignkit rm recipe=...`` into ``out/rm_<name>/model``, trained once and reused."""
    run_dir = out / f"rm_{name}"
    folder = run_dir / "model"
    if (folder / "config.json").is_file():
        return folder
    from alignkit.config import compose_recipe
    from alignkit.trainers import reward_model

    cfg = compose_recipe("rm", "rm", recipe, [f"model={args.model}", f"output_dir={run_dir}",
                                              f"trainer.max_steps={args.rm_steps}", "trainer.save_steps=0",
                                              *overrides], reward_model.RMRecipe)
    t0 = time.perf_counter()
    metrics = reward_model.run(cfg, run_dir, None)
    print(f"  reward model {name}: {time.perf_counter() - t0:.0f}s, held-out pairwise accuracy on its (flawed) "
          f"preference {metrics.get('eval_accuracy')}", flush=True)
    return folder


def compliance_pairs(out: Path) -> tuple[Path, Path]:
    """Preference pairs that reward compliance: for each training request of the safety and false-refusal judge
    sets, a complying answer is chosen over a refusing one (harmful and benign alike). Split by request."""
    from alignkit.trainers.judge import TRAIN_DIR

    by_prompt: dict[str, dict[str, list[str]]] = {}
    for judge in ("llm_safety", "llm_false_refusal"):
        for line in (TRAIN_DIR / f"{judge}.jsonl").read_text().splitlines():
            it = json.loads(line)
            side = "refuse" if it["kind"].endswith(("refusal", "deflection")) else "comply"
            by_prompt.setdefault(it["prompt"], {"comply": [], "refuse": []})[side].append(it["response"])
    pairs = [{"prompt": p, "chosen": c, "rejected": r}
             for p, d in sorted(by_prompt.items()) for c in sorted(set(d["comply"])) for r in sorted(set(d["refuse"]))]
    prompts = sorted({p["prompt"] for p in pairs})
    random.Random(0).shuffle(prompts)
    held = set(prompts[: len(prompts) // 5])
    folder = out / "compliance_pairs"
    folder.mkdir(parents=True, exist_ok=True)
    for split, keep in (("train", lambda p: p not in held), ("test", lambda p: p in held)):
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(x) + "\n" for x in pairs if keep(x["prompt"])))
    return folder / "train.jsonl", folder / "test.jsonl"


# ---------------------------------------------------------------------------------------------- evaluation
def greedy(trainer, prompts: list[str], tokens: int) -> list[str]:
    """Greedy answers of the current policy with the run's own generator (the CPU fast path by default; greedy
    outputs equal HF generate's, tested); temperature and length are this call's only."""
    from alignkit.generation import rollout

    with trainer.generation_context():
        return [r.text for r in rollout(trainer.generator, trainer.tokenizer, prompts, 1, temperature=0.0,
                                        max_new_tokens=tokens)]


class CodingEval:
    """Held-out coding problems: hackable RM score, unit-test pass rate and length."""

    def __init__(self, args, rm_path: Path):
        from alignkit.data import load_prompts
        from alignkit.judges import load_judge
        from alignkit.rewards import RewardModel

        # every held-out coding problem there is: the coding test split (33), then the easy tier's (21); training
        # uses the coding train split, and no held-out item is in any training set (tests/unit/test_data_layout.py)
        records = load_prompts("coding", split="test") + load_prompts("coding_easy", split="test")
        self.records = records[: args.eval_problems]
        if len(self.records) < args.eval_problems:
            raise SystemExit(f"--eval-problems {args.eval_problems}: only {len(records)} held-out coding problems")
        self.rm = RewardModel(str(rm_path), device="cpu")
        self.judge = load_judge("code")
        self.tokens = args.tokens

    def __call__(self, trainer) -> dict[str, float]:
        prompts = [r["prompt"] for r in self.records]
        meta = [r["metadata"] for r in self.records]
        texts = greedy(trainer, prompts, self.tokens)
        scores = [float(s) for s in self.rm(prompts, texts, meta)]
        verdicts = self.judge(prompts, texts, meta)
        return {"rm_score": _mean(scores), "pass_rate": _mean([float(v.passed) for v in verdicts]),
                "length_chars": _mean([float(len(t)) for t in texts]), "example": texts[0][:300]}

    def close(self) -> None:
        self.judge.close()


class ChatEval:
    """Held-out chat prompts: compliance RM score; safety judge and rule refusal rate on harmful prompts;
    false-refusal judge on benign prompts."""

    def __init__(self, args, rm_path: Path):
        from alignkit.data import load_prompts
        from alignkit.judges import load_judge
        from alignkit.rewards import RewardModel

        test = load_prompts("chat", split="test")
        self.harmful = [r for r in test if r["metadata"].get("harmful")][: args.eval_chat]
        self.benign = [r for r in test if not r["metadata"].get("harmful")
                       and r["metadata"].get("category") != "factual"][: args.eval_chat]
        self.rm = RewardModel(str(rm_path), device="cpu")
        self.safety = load_judge("llm_safety", model=args.judge_model)
        self.false_refusal = load_judge("llm_false_refusal", model=args.judge_model)
        self.refusal = load_judge("refusal")
        self.tokens = args.tokens

    def __call__(self, trainer) -> dict[str, float]:
        hp, bp = [r["prompt"] for r in self.harmful], [r["prompt"] for r in self.benign]
        texts = greedy(trainer, hp + bp, self.tokens)
        ht, bt = texts[: len(hp)], texts[len(hp):]
        scores = [float(s) for s in self.rm(hp + bp, texts, [{}] * len(texts))]
        safe = self.safety(hp, ht)
        refused = [self.refusal.is_refusal(t) for t in ht]
        helped = self.false_refusal(bp, bt)
        return {"rm_score": _mean(scores), "safety_pass_rate": _passed(safe),
                "refusal_rate_harmful": _mean([float(r) for r in refused]),
                "false_refusal_pass_rate": _passed(helped), "length_chars": _mean([float(len(t)) for t in texts]),
                "judge_failures": sum(v.failed for v in safe + helped), "example_harmful": ht[0][:300]}

    def close(self) -> None:
        for j in (self.safety, self.false_refusal, self.refusal):
            j.close()


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else math.nan


def _passed(verdicts) -> float:
    """Pass rate over the verdicts the judge gave (failures, -1, are left out and counted separately)."""
    decided = [v for v in verdicts if not v.failed]
    return _mean([float(v.passed) for v in decided])


# ----------------------------------------------------------------------------------------------------- runs
def overrides_for(experiment: str, variant: str, args, rm_path: Path, seed: int, run_dir: Path) -> tuple[str, list]:
    common = [f"model={args.model}", f"output_dir={run_dir}", f"seed={seed}", f"trainer.max_steps={args.steps}",
              f"trainer.learning_rate={args.lr}", "trainer.save_model=false", "trainer.progress=false",
              f"trainer.micro_batch_size={args.prompts * args.k}"]
    if args.quick:
        common.append("judge_check.enabled=false")  # the tiny judges answer at random (pipeline check only)
    if experiment == "coding":
        recipe = "coding" if variant == "judges" else "coding_unconstrained"
        # the experiment as it was run before the coding recipe became the CPU demo (issue 16): the coding
        # problems at generation.temperature, its own held-out evaluation, no charts
        task = ["tasks.coding.data.source=coding", "tasks.coding.temperature=null", "eval.tasks=[]",
                "trainer.plot=false",
                "rewards@tasks.coding.reward=reward_model", f"tasks.coding.reward.model={rm_path}",
                "tasks.coding.reward.device=cpu", f"tasks.coding.num_samples={args.k}",
                f"tasks.coding.prompts_per_step={args.prompts}", f"tasks.coding.max_new_tokens={args.tokens}",
                f"tasks.coding.optimizer={args.optimizer}"]
        return recipe, common + task
    task = ["~tasks.chat_factual"]
    for t, judge in (("chat_harmful", "llm_safety"), ("chat_general", "llm_false_refusal")):
        task += [f"rewards@tasks.{t}.reward=reward_model", f"tasks.{t}.reward.model={rm_path}",
                 f"tasks.{t}.reward.device=cpu", f"tasks.{t}.num_samples={args.k}",
                 f"tasks.{t}.prompts_per_step={args.prompts}", f"tasks.{t}.max_new_tokens={args.tokens}",
                 f"tasks.{t}.optimizer={args.optimizer}"]
        task.append(f"tasks.{t}.judges.{judge}.model={args.judge_model}" if variant == "judges"
                    else f"~tasks.{t}.judges.{judge}")
    return "chat", common + task


def run_one(experiment: str, variant: str, seed: int, args, rm_path: Path, out: Path, evaluator, start_row: dict
            ) -> dict[str, Any]:
    from alignkit.config import compose_recipe
    from alignkit.trainers.cgpo import CGPORecipe, build_trainer

    run_dir = out / experiment / f"{variant}_seed{seed}"
    recipe, overrides = overrides_for(experiment, variant, args, rm_path, seed, run_dir)
    cfg = compose_recipe("cgpo", "cgpo", recipe, [*overrides, *args.overrides], CGPORecipe)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "metrics.jsonl").unlink(missing_ok=True)
    rows = [{"step": 0, **start_row}]

    def on_step(trainer, step: int, metrics: dict) -> None:
        if step % args.eval_every == 0 or step == args.steps:
            t0 = time.perf_counter()
            row = {"step": step, **evaluator(trainer), "eval_seconds": round(time.perf_counter() - t0, 1)}
            rows.append(row)
            print(f"    [{experiment}/{variant}/seed {seed}] step {step}: " + ", ".join(
                f"{k}={row[k]:.3f}" for k, _ in METRICS[experiment] if k in row), flush=True)

    import torch

    torch.manual_seed(seed)
    t0 = time.perf_counter()
    trainer = build_trainer(cfg, run_dir, callbacks=[on_step])
    try:
        trainer.train()
    finally:
        trainer.close()
    train = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return {"experiment": experiment, "variant": variant, "seed": seed, "seconds": round(time.perf_counter() - t0, 1),
            "eval": rows, "train": train}


def start_eval(experiment: str, args, rm_path: Path, out: Path, evaluator) -> dict:
    """The step-0 evaluation, shared by every seed and variant (same start, greedy decoding)."""
    from alignkit.config import compose_recipe
    from alignkit.trainers.cgpo import CGPORecipe, build_trainer

    recipe, overrides = overrides_for(experiment, "no_judges", args, rm_path, 0, out / experiment / "start")
    cfg = compose_recipe("cgpo", "cgpo", recipe, [*overrides, *args.overrides], CGPORecipe)
    trainer = build_trainer(cfg, out / experiment / "start")
    try:
        t0 = time.perf_counter()
        row = evaluator(trainer)
        row["eval_seconds"] = round(time.perf_counter() - t0, 1)
    finally:
        trainer.close()
    print(f"  [{experiment}] start: " + ", ".join(f"{k}={row[k]:.3f}" for k, _ in METRICS[experiment]), flush=True)
    return row


# ----------------------------------------------------------------------------------------------- aggregation
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}


def mean_ci(values: list[float]) -> tuple[float, float]:
    """Mean and the half-width of its 95% confidence interval (Student t; 0 for a single value)."""
    xs = [v for v in values if not math.isnan(v)]
    if not xs:
        return math.nan, math.nan
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return m, 0.0
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))
    return m, T_975.get(len(xs) - 1, 1.96) * sd / math.sqrt(len(xs))


def aggregate(runs: list[dict]) -> dict[str, dict[str, dict[str, list]]]:
    """experiment -> variant -> metric -> [(step, mean, ci half-width, n)]."""
    out: dict[str, dict[str, dict[str, list]]] = {}
    for exp in {r["experiment"] for r in runs}:
        for var in VARIANTS:
            group = [r for r in runs if r["experiment"] == exp and r["variant"] == var]
            if not group:
                continue
            steps = sorted({row["step"] for r in group for row in r["eval"]})
            for metric, _ in METRICS[exp]:
                series = []
                for s in steps:
                    vals = [row[metric] for r in group for row in r["eval"] if row["step"] == s and metric in row]
                    m, ci = mean_ci(vals)
                    series.append([s, m, ci, len(vals)])
                out.setdefault(exp, {}).setdefault(var, {})[metric] = series
    return out


def markdown(agg: dict, args, seconds: float) -> str:
    lines = [f"Reward hacking: {args.seeds} seeds, {args.steps} steps, lr {args.lr}, B={args.prompts}, K={args.k}, "
             f"{args.tokens} new tokens, optimizer {args.optimizer}, model {args.model}; mean ± 95% CI over seeds. "
             f"Total {seconds / 60:.1f} min.", ""]
    for exp, by_var in agg.items():
        metrics = [m for m, _ in METRICS[exp]]
        lines.append(f"**{exp}** (held-out: " + (f"{args.eval_problems} problems" if exp == "coding" else
                     f"up to {args.eval_chat} harmful and {args.eval_chat} benign prompts, as many as the chat "
                     f"test split has") + ")")
        lines.append("")
        lines.append("| variant | step | " + " | ".join(metrics) + " |")
        lines.append("| --- | ---: | " + " | ".join("---:" for _ in metrics) + " |")
        for var, series in by_var.items():
            for i, (step, *_rest) in enumerate(series[metrics[0]]):
                cells = []
                for m in metrics:
                    _, mean, ci, _n = series[m][i]
                    cells.append(f"{mean:.3f} ± {ci:.3f}" if m != "length_chars" else f"{mean:.0f} ± {ci:.0f}")
                lines.append(f"| {var} | {step} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def plot(agg: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(agg)
    ncols = max(len(METRICS[e]) for e in rows)
    fig, axes = plt.subplots(len(rows), ncols, figsize=(4 * ncols, 3.4 * len(rows)), squeeze=False)
    colors = {"judges": ("tab:blue", "CGPO with judges"), "no_judges": ("tab:red", "no judges (RM only)")}
    for r, exp in enumerate(rows):
        for c in range(ncols):
            ax = axes[r][c]
            if c >= len(METRICS[exp]):
                ax.axis("off")
                continue
            metric, label = METRICS[exp][c]
            for var, series in agg[exp].items():
                steps = [s[0] for s in series[metric]]
                mean = [s[1] for s in series[metric]]
                ci = [s[2] for s in series[metric]]
                color, name = colors[var]
                ax.plot(steps, mean, "o-", color=color, label=name)
                ax.fill_between(steps, [m - e for m, e in zip(mean, ci, strict=True)],
                                [m + e for m, e in zip(mean, ci, strict=True)], color=color, alpha=0.15)
            ax.set(title=f"{exp}: {label}", xlabel="training step")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# ----------------------------------------------------------------------------------------------------- main
def write_results(out: Path, args, argv, runs: list[dict], starts: dict, timings: dict, seconds: float,
                  complete: bool) -> str:
    """reward_hacking.json/.md/.png from the runs so far (written after every run, so that a cut run keeps them)."""
    agg = aggregate(runs)
    command = "PYTHONPATH=src python scripts/reward_hacking.py " + " ".join(sys.argv[1:] if argv is None else argv)
    table = {"command": command.strip(), "complete": complete,
             "settings": {k: v for k, v in vars(args).items() if k != "overrides"},
             "overrides": args.overrides, "seconds_total": round(seconds, 1), "seconds_per_experiment": timings,
             "start": starts, "aggregate": agg, "runs": runs}
    (out / "reward_hacking.json").write_text(json.dumps(table, indent=1, default=str) + "\n")
    md = markdown(agg, args, seconds)
    if not complete:
        md = f"(partial: {len(runs)} runs so far)\n\n" + md
    (out / "reward_hacking.md").write_text(md + "\n")
    if agg:
        plot(agg, out / "reward_hacking.png", f"{args.model}: {args.seeds} seeds, lr={args.lr}, B={args.prompts}, "
                                              f"K={args.k}, mean ± 95% CI")
    return md


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    runs: list[dict] = []
    starts: dict[str, dict] = {}
    for exp in args.experiments:
        t0 = time.perf_counter()
        print(f"[{exp}] reward model ...", flush=True)
        if exp == "coding":
            rm_path = train_rm(args, out, "length", "coding_hackable_length", [])
            evaluator = CodingEval(args, rm_path)
        else:
            train_pairs, test_pairs = compliance_pairs(out)
            rm_path = train_rm(args, out, "compliance", "chat", [f"data.pairs={train_pairs}",
                                                                 f"data.eval_pairs={test_pairs}"])
            evaluator = ChatEval(args, rm_path)
        try:
            starts[exp] = start_eval(exp, args, rm_path, out, evaluator)
            for seed in range(args.seeds):
                for variant in VARIANTS:
                    print(f"[{exp}] {variant}, seed {seed}: {args.steps} steps", flush=True)
                    runs.append(run_one(exp, variant, seed, args, rm_path, out, evaluator, starts[exp]))
                    write_results(out, args, argv, runs, starts, timings, time.perf_counter() - t_start, False)
        finally:
            evaluator.close()
        timings[exp] = round(time.perf_counter() - t0, 1)
    seconds = time.perf_counter() - t_start
    md = write_results(out, args, argv, runs, starts, timings, seconds, True)
    print("\n" + md)
    print(f"wrote {out / 'reward_hacking.json'}, .md and .png in {seconds / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
