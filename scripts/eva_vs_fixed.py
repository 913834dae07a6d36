"""eva's claim at our scale: T iterations on evolved prompts against T iterations on the fixed initial set.

Both arms run ``alignkit eva-evolve`` with the same recipe, reward, starting policy, seed and number of solver
updates per iteration (``solver.max_steps``); the only difference is ``creator.enabled`` (true: eva's creator evolves
the prompt set every iteration; false: every iteration trains on the initial set). After every iteration both
policies answer the same fixed held-out prompts (greedy), scored by the same reward. Several seeds.

    PYTHONPATH=src python scripts/eva_vs_fixed.py                       # CPU defaults (hours on 2 busy cores)
    PYTHONPATH=src python scripts/eva_vs_fixed.py --iterations 2 --seeds 0 --prompts 8 --heldout 4   # smoke run
    ... --seeds 1 --arms fixed      # one arm of one seed (run arms/seeds as parallel processes into one --out)
    ... --seeds 0 1 2 --no-run      # report what has finished: per-iteration mean and 95 % t-interval over seeds

The default recipe's reward is the chat reward model of ``alignkit rm recipe=chat``: the script trains it once into
``<out>/rm_chat`` unless ``--rm <folder>`` is given. Writes ``<out>/eva_vs_fixed.json`` (held-out reward per arm,
seed and iteration; solver steps and pairs; prompt-set diversity) and ``<out>/eva_vs_fixed.png``. Runs that already
finished are reused (each arm resumes at its last finished iteration), so the script can be stopped and restarted.
It reports what it measured, whatever that is.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ARMS = {"evolved": "creator.enabled=true", "fixed": "creator.enabled=false"}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="runs/eva_vs_fixed")
    p.add_argument("--recipe", default="default")
    p.add_argument("--rm", default=None, help="a trained reward-model folder (default: train `alignkit rm recipe=chat`)")
    p.add_argument("--iterations", type=int, default=3)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--steps", type=int, default=4, help="solver updates per iteration (both arms)")
    p.add_argument("--prompts", type=int, default=16, help="initial prompt set size")
    p.add_argument("--heldout", type=int, default=16, help="held-out prompts")
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--arms", nargs="+", choices=list(ARMS), default=list(ARMS),
                   help="train only these arms (to run the arms of a seed as parallel processes); all are reported")
    p.add_argument("--no-run", action="store_true", help="only report the runs already under --out (nothing trains)")
    p.add_argument("overrides", nargs="*", help="extra recipe overrides key=value, applied to both arms")
    return p.parse_args(argv)


def reward_model(args, out: Path) -> Path:
    """The chat reward model: ``--rm``, or ``alignkit rm recipe=chat`` trained once into ``<out>/rm_chat``."""
    if args.rm:
        return Path(args.rm)
    folder = out / "rm_chat" / "model"
    if (folder / "config.json").is_file():
        return folder
    from alignkit.config import compose_recipe
    from alignkit.trainers import reward_model as rm

    cfg = compose_recipe("rm", "rm", "chat", [], rm.RMRecipe)
    cfg.output_dir = str(out / "rm_chat")
    print(f"training the chat reward model into {folder} ...", flush=True)
    rm.run(cfg, out / "rm_chat")
    return folder


def run_arm(args, arm: str, seed: int, rm_folder: Path, out: Path) -> Path:
    import torch

    from alignkit.config import compose_recipe
    from alignkit.trainers import eva

    run_dir = out / f"{arm}-seed{seed}"
    overrides = [f"model={args.model}", ARMS[arm], f"iterations={args.iterations}", f"seed={seed}",
                 f"solver.max_steps={args.steps}", f"data.limit={args.prompts}", f"heldout.limit={args.heldout}",
                 *args.overrides]
    if args.recipe == "default":
        overrides.append(f"reward.model={rm_folder}")
    cfg = compose_recipe("eva-evolve", "eva_evolve", args.recipe, overrides, eva.EvaRecipe)
    cfg.output_dir = str(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    t0 = time.time()
    eva.run(cfg, run_dir)
    print(f"{arm} seed {seed}: {time.time() - t0:.0f} s (machine shared)", flush=True)
    return run_dir


def read_arm(run_dir: Path, iterations: int) -> dict:
    rows = {}
    for t in range(iterations + 1):
        f = run_dir / "iterations" / f"iter-{t:03d}" / "metrics.json"
        if f.is_file():
            rows[t] = json.loads(f.read_text())
    keys = ("heldout/reward_after", "solver/steps", "solver/n_pairs", "set/n", "set/distinct_2", "set/self_bleu",
            "set/mean_words", "creator/informativeness_mean", "creator/n_kept", "creator/n_variants")
    return {k: [rows.get(t, {}).get(k) for t in range(iterations + 1)] for k in keys}


def _mean_sd(values):
    vals = [v for v in values if v is not None and not math.isnan(v)]
    if not vals:
        return None, None
    m = sum(vals) / len(vals)
    sd = math.sqrt(sum((v - m) ** 2 for v in vals) / (len(vals) - 1)) if len(vals) > 1 else 0.0
    return m, sd


# Two-sided 95 % quantiles of Student's t with 1..30 degrees of freedom (no scipy in the environment).
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def mean_ci(values) -> tuple[float | None, float | None, int]:
    """Mean, half-width of its 95 % t-interval (None for fewer than 2 values) and the number of values."""
    vals = [v for v in values if v is not None and not math.isnan(v)]
    m, sd = _mean_sd(vals)
    if len(vals) < 2:
        return m, None, len(vals)
    t = T975[len(vals) - 2] if len(vals) - 1 <= len(T975) else 1.960
    return m, t * sd / math.sqrt(len(vals)), len(vals)


def per_iteration_table(result: dict) -> list[dict]:
    """Per iteration: each arm's held-out reward (mean and 95 % CI over seeds) and the paired difference."""
    T = result["iterations"]
    rows = []
    for t in range(T + 1):
        row: dict = {"iteration": t}
        for arm in ARMS:
            m, ci, n = mean_ci([r["heldout/reward_after"][t] for r in result["arms"][arm].values()])
            row[arm] = {"mean": m, "ci95": ci, "n": n}
        diffs = [d[t] for d in result["difference"].values()]
        m, ci, n = mean_ci(diffs)
        row["difference"] = {"mean": m, "ci95": ci, "n": n,
                             "evolved_ahead": sum(d is not None and d > 0 for d in diffs)}
        rows.append(row)
    return rows


def _fmt(m, ci, digits=3):
    if m is None:
        return "n/a"
    return f"{m:+.{digits}f} ± {ci:.{digits}f}" if ci is not None else f"{m:+.{digits}f}"


def markdown_table(table: list[dict]) -> str:
    lines = ["| iteration | evolved prompts | fixed prompts | evolved − fixed (paired) | seeds evolved ahead |",
             "|---|---|---|---|---|"]
    for row in table:
        d = row["difference"]
        lines.append(f"| {row['iteration']} | {_fmt(row['evolved']['mean'], row['evolved']['ci95'])} | "
                     f"{_fmt(row['fixed']['mean'], row['fixed']['ci95'])} | {_fmt(d['mean'], d['ci95'])} | "
                     f"{d['evolved_ahead']}/{d['n']} |")
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    T = result["iterations"]
    xs = list(range(T + 1))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    colors = {"evolved": "tab:blue", "fixed": "tab:orange"}
    for arm, runs in result["arms"].items():
        curves = [[math.nan if v is None else v for v in r["heldout/reward_after"]] for r in runs.values()]
        for c in curves:
            ax.plot(xs, c, color=colors[arm], alpha=0.25, lw=1)
        stats = [mean_ci([c[t] for c in curves]) for t in xs]
        m = [math.nan if s[0] is None else s[0] for s in stats]
        sd = [s[1] or 0.0 for s in stats]  # 95 % CI half-width over seeds
        ax.plot(xs, m, color=colors[arm], lw=2.5, marker="o",
                label=f"{arm} prompts (mean, 95% CI, {len(curves)} seeds)")
        ax.fill_between(xs, [a - b for a, b in zip(m, sd, strict=True)], [a + b for a, b in zip(m, sd, strict=True)],
                        color=colors[arm], alpha=0.15)
    ax.set_xlabel("iteration")
    ax.set_ylabel("held-out reward (greedy)")
    ax.set_xticks(xs)
    ax.legend()
    ax.set_title("held-out reward after each iteration")
    for seed, diff in result["difference"].items():
        bx.plot(xs, [math.nan if v is None else v for v in diff], marker="o", label=f"seed {seed}")
    bx.axhline(0, color="black", lw=0.8)
    bx.set_xlabel("iteration")
    bx.set_ylabel("evolved − fixed")
    bx.set_xticks(xs)
    bx.legend()
    bx.set_title("difference per seed (same start, same updates)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=os.environ.get("ALIGNKIT_LOG_LEVEL", "INFO"), format="%(asctime)s %(message)s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rm_folder = None
    if args.recipe == "default":
        rm_folder = Path(args.rm) if (args.no_run and args.rm) else (None if args.no_run else reward_model(args, out))
    started = time.time()
    result: dict = {"iterations": args.iterations, "seeds": args.seeds, "steps_per_iteration": args.steps,
                    "recipe": args.recipe, "model": args.model, "prompts": args.prompts, "heldout": args.heldout,
                    "overrides": args.overrides, "reward_model": str(rm_folder) if rm_folder else None,
                    "arms": {arm: {} for arm in ARMS}, "difference": {}, "seconds": {}}
    for seed in args.seeds:
        for arm in ARMS:
            run_dir = out / f"{arm}-seed{seed}"
            if not args.no_run and arm in args.arms:
                t0 = time.time()
                run_arm(args, arm, seed, rm_folder, out)
                result["seconds"][f"{arm}-seed{seed}"] = round(time.time() - t0, 1)
            result["arms"][arm][str(seed)] = read_arm(run_dir, args.iterations)
        ev = result["arms"]["evolved"][str(seed)]["heldout/reward_after"]
        fx = result["arms"]["fixed"][str(seed)]["heldout/reward_after"]
        result["difference"][str(seed)] = [None if a is None or b is None else a - b for a, b in zip(ev, fx, strict=True)]
    result["wall_seconds"] = round(time.time() - started, 1)
    T = args.iterations
    table = per_iteration_table(result)
    result["table"] = table
    final = table[T]["difference"]
    result["final_difference_mean"], result["final_difference_ci95"] = final["mean"], final["ci95"]
    result["seeds_evolved_ahead"] = final["evolved_ahead"]
    for arm in ARMS:
        steps = [sum(s or 0 for s in r["solver/steps"][1:]) for r in result["arms"][arm].values()]
        result[f"{arm}_solver_steps"] = steps
    (out / "eva_vs_fixed.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "eva_vs_fixed.md").write_text(markdown_table(table) + "\n")
    plot(result, out / "eva_vs_fixed.png")
    print("\nheld-out reward per iteration (mean ± 95 % t-interval over seeds; difference paired by seed)")
    print(markdown_table(table))
    print(f"\nevolved − fixed after iteration {T}: {_fmt(final['mean'], final['ci95'], 4)} (95 % CI over "
          f"{final['n']} seeds); evolved ahead in {final['evolved_ahead']}/{final['n']} seeds"
          if final["mean"] is not None else "no finished comparison")
    print(f"solver steps per run: evolved {result['evolved_solver_steps']}, fixed {result['fixed_solver_steps']}")
    print(f"wrote {out / 'eva_vs_fixed.json'}, {out / 'eva_vs_fixed.md'} and {out / 'eva_vs_fixed.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
