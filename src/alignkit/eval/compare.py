"""``alignkit eval compare RUN_A RUN_B``: each metric of two evaluation runs, the difference B − A, and a paired
bootstrap confidence interval over the problems both runs scored.

Each run directory's ``results.json`` holds, per task, every problem's metric as ``(numerator, denominator)``;
the comparison pairs the problems by id, so the variation between problems, common to both runs, cancels (the
same test lm-eval users reach for with paired tests). A difference is called significant when its 95% interval
excludes zero. Metrics that are not sums over problems (the length-controlled win rate) are shown without an
interval.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alignkit.errors import UserError
from alignkit.eval.metrics import paired_bootstrap

USAGE = "alignkit eval compare RUN_A RUN_B [--resamples N] [--confidence 0.95] [--seed S]"


def load_results(path: str | Path) -> dict[str, Any]:
    """``results.json`` of a run directory (or the file itself)."""
    p = Path(path).expanduser()
    file = p / "results.json" if p.is_dir() else p
    if not file.is_file():
        raise UserError(f"{p}: no results.json (is it an `alignkit eval` run directory?).")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise UserError(f"{file}: not a readable results.json ({err}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise UserError(f"{file}: not an alignkit eval results.json (no 'results').")
    return data


def compare(a: dict[str, Any], b: dict[str, Any], *, resamples: int = 10_000, confidence: float = 0.95,
            seed: int = 0) -> list[dict[str, Any]]:
    """One row per (task, metric) present in both results: values, difference, interval, significance."""
    rows = []
    for task, res_b in b["results"].items():
        res_a = a["results"].get(task)
        if res_a is None:
            continue
        items_a = a.get("items", {}).get(task, {})
        items_b = b.get("items", {}).get(task, {})
        shared = [i for i in items_a if i in items_b]
        for metric, vb in res_b.items():
            if metric == "alias" or metric.endswith("_stderr") or metric not in res_a:
                continue
            va = res_a[metric]
            row: dict[str, Any] = {"task": task, "metric": metric, "a": va, "b": vb,
                                   "diff": (vb - va) if isinstance(va, int | float) and isinstance(vb, int | float)
                                   else None, "n": 0, "ci_low": None, "ci_high": None, "significant": None}
            pa = [items_a[i][metric] for i in shared if metric in items_a[i] and metric in items_b[i]]
            pb = [items_b[i][metric] for i in shared if metric in items_a[i] and metric in items_b[i]]
            if pa:
                boot = paired_bootstrap([tuple(x) for x in pa], [tuple(x) for x in pb], resamples=resamples,
                                        seed=seed, confidence=confidence)
                row.update(n=boot["n"], diff=boot["diff"], ci_low=boot["ci_low"], ci_high=boot["ci_high"],
                           p_value=boot["p_value"], significant=not (boot["ci_low"] <= 0.0 <= boot["ci_high"]))
            rows.append(row)
    return rows


def _parse(args: list[str]) -> tuple[list[str], dict[str, float]]:
    runs, opts = [], {"resamples": 10_000.0, "confidence": 0.95, "seed": 0.0}
    it = iter(args)
    for arg in it:
        if arg.startswith("--"):
            key = arg[2:].split("=", 1)[0]
            if key not in opts:
                raise UserError(f"Unknown option {arg!r}. Usage: {USAGE}")
            value = arg.split("=", 1)[1] if "=" in arg else next(it, None)
            try:
                opts[key] = float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise UserError(f"{arg}: needs a number. Usage: {USAGE}") from None
        else:
            runs.append(arg)
    if len(runs) != 2:
        raise UserError(f"compare takes two run directories, got {len(runs)}. Usage: {USAGE}")
    if not 0 < opts["confidence"] < 1 or opts["resamples"] < 100:
        raise UserError("--confidence must be in (0, 1) and --resamples at least 100.")
    return runs, opts


def main(args: list[str]) -> None:
    """CLI entry: print the comparison table."""
    from rich.console import Console
    from rich.table import Table

    runs, opts = _parse(args)
    a, b = load_results(runs[0]), load_results(runs[1])
    rows = compare(a, b, resamples=int(opts["resamples"]), confidence=opts["confidence"], seed=int(opts["seed"]))
    console = Console()
    if not rows:
        raise UserError(f"{runs[0]} and {runs[1]} share no task; nothing to compare.")
    level = f"{opts['confidence']:.0%}"
    table = Table(title=f"B − A   (A = {runs[0]}, B = {runs[1]})")
    for col in ("task", "metric", "A", "B", "B − A", f"{level} CI (paired bootstrap)", "problems", "significant"):
        table.add_column(col, justify="left" if col in ("task", "metric") else "right")

    def fmt(x: Any) -> str:
        return f"{x:.4f}" if isinstance(x, int | float) else "—"

    for r in rows:
        ci = f"[{r['ci_low']:+.4f}, {r['ci_high']:+.4f}]" if r["ci_low"] is not None else "—"
        sig = "—" if r["significant"] is None else ("[bold green]yes[/]" if r["significant"] else "no")
        diff = f"{r['diff']:+.4f}" if isinstance(r["diff"], float) else "—"
        table.add_row(r["task"], r["metric"], fmt(r["a"]), fmt(r["b"]), diff, ci, str(r["n"] or "—"), sig)
    console.print(table)
    sig = [f"{r['task']}/{r['metric']}" for r in rows if r["significant"]]
    console.print(f"Significant at {level} (interval excludes 0): " + (", ".join(sig) if sig else "none"))
