"""``alignkit report RUN_DIR [RUN_DIR ...]``: one self-contained HTML page and a PNG per chart for training and
evaluation runs.

From each run's ``metrics.jsonl`` it draws, per step: reward, calibrated reward, KL, the per-judge violation rates,
judge failures, response length, loss, learning rate, step time, and every ``eval/<task>/<metric>`` logged during
training (plus any other logged number, under "other"); from an ``alignkit eval`` run's ``results.json``, each
task's metrics with their standard errors. Several runs are overlaid on the same axes (e.g. the reward-hacking pair:
a run with judges and one without).

The page has no external reference at all (no CDN, no font, no script from the network): the charts are inline
SVG drawn by matplotlib, so it renders offline, and the same charts are written as PNG files next to it. A small
inline script counts the data points each chart actually rendered and shows the count under it (and in
``data-rendered-points``), which the tests read back from a headless browser.
"""

from __future__ import annotations

import html
import io
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alignkit.errors import UserError

# (chart id, title, y label, pattern on the metric key without its task prefix); the first match wins
CATEGORIES: list[tuple[str, str, str, str]] = [
    ("calibrated_reward", "Calibrated reward", "calibrated reward", r"calibrated_reward(_mean)?$"),
    ("reward", "Reward", "reward", r"(^|_)reward(_mean)?$"),
    ("kl", "KL to the reference", "KL", r"(^|/|_)kl(_mean)?$"),
    ("judge_violations", "Judge violation rate", "violation rate", r"judge/[^/]+/violation_rate$"),
    ("judge_failures", "Judge failures", "failure rate", r"judge/[^/]+/failure_rate$|reward_failed_rate$"),
    ("length", "Response length", "tokens", r"(response_)?length(_mean)?$"),
    ("loss", "Loss", "loss", r"(^|/|_)loss$"),
    ("learning_rate", "Learning rate", "learning rate", r"^(lr|learning_rate)$"),
    ("step_time", "Step time", "seconds", r"^time/|(^|_)step_time$|^step_seconds$"),
]
_SKIP = {"step", "time", "epoch", "total_flos"}
_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
           "#bcbd22"]


@dataclass
class Run:
    """One run directory's data."""

    path: Path
    label: str
    steps: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # metric -> [(step, value)]
    results: dict[str, Any] | None = None  # an eval run's results.json


@dataclass
class Chart:
    id: str
    title: str
    ylabel: str
    series: list[tuple[str, str, list[float], list[float], list[float] | None]] = field(default_factory=list)
    kind: str = "line"  # line (x = step) | bar (x = metric)

    @property
    def points(self) -> int:
        return sum(len(s[3]) for s in self.series)


# ---------------------------------------------------------------------------------------------- reading


def _label(path: Path) -> str:
    """``recipe/timestamp`` for a run under runs/<command>/<recipe>/<timestamp>, else the folder name."""
    cfg = path / "config.yaml"
    recipe = None
    if cfg.is_file():
        m = re.search(r"^recipe:\s*(\S+)", cfg.read_text(errors="replace"), re.M)
        recipe = m.group(1) if m else None
    return f"{recipe}/{path.name}" if recipe and recipe != path.name else path.name


def load_run(path: str | Path) -> Run:
    """Read a run directory (``metrics.jsonl`` and/or ``results.json``)."""
    p = Path(path).expanduser()
    if not p.is_dir():
        raise UserError(f"{p}: no such run directory.")
    metrics, results = p / "metrics.jsonl", p / "results.json"
    if not metrics.is_file() and not results.is_file():
        raise UserError(f"{p}: no metrics.jsonl or results.json; pass a run directory of alignkit (runs/<command>/...).")
    run = Run(p, _label(p))
    if metrics.is_file():
        for lineno, line in enumerate(metrics.read_text(errors="replace").splitlines(), 1):
            try:
                row = json.loads(line)
            except ValueError:
                continue  # a line torn by a kill
            if not isinstance(row, dict) or not isinstance(row.get("step"), int | float):
                continue
            for key, value in row.items():
                if key in _SKIP or isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                if value != value or value in (float("inf"), float("-inf")):
                    continue
                run.steps.setdefault(key, []).append((int(row["step"]), float(value)))
            del lineno
    if results.is_file():
        try:
            data = json.loads(results.read_text())
            run.results = data if isinstance(data.get("results"), dict) else None
        except (ValueError, AttributeError):
            run.results = None
    for key, pts in run.steps.items():  # one value per step (a resumed run may have logged a step twice)
        run.steps[key] = sorted(dict(pts).items())
    return run


# ---------------------------------------------------------------------------------------------- planning


def _category(key: str) -> tuple[str, str, str] | None:
    bare = key.split("/", 1)[1] if "/" in key and not key.startswith(("judge/", "time/", "eval/")) else key
    for cid, title, ylabel, pattern in CATEGORIES:
        if re.search(pattern, bare) or re.search(pattern, key):
            return cid, title, ylabel
    return None


def plan_charts(runs: list[Run]) -> list[Chart]:
    """The charts to draw, in a fixed order: the named categories, eval metrics per task, then the rest."""
    charts: dict[str, Chart] = {}
    order = [c[0] for c in CATEGORIES]
    multi = len(runs) > 1
    for run in runs:
        for key, pts in sorted(run.steps.items()):
            if not pts:
                continue
            if key.startswith("eval/") and key.count("/") >= 2:
                _, task, metric = key.split("/", 2)
                cid, title, ylabel, name = f"eval_{task}", f"Eval during training: {task}", "value", metric
            else:
                cat = _category(key)
                if cat is None:
                    base = re.sub(r"[^a-z0-9]+", "_", key.split("/")[-1].lower()).strip("_") or "metric"
                    cid, title, ylabel = f"other_{base}", f"Other: {key.split('/')[-1]}", key.split("/")[-1]
                else:
                    cid, title, ylabel = cat
                name = key
            chart = charts.setdefault(cid, Chart(cid, title, ylabel))
            label = f"{run.label} · {name}" if multi else name
            chart.series.append((label, run.label, [float(s) for s, _ in pts], [v for _, v in pts], None))
        if run.results:
            for task, metrics in run.results["results"].items():
                cid = f"results_{task}"
                chart = charts.setdefault(cid, Chart(cid, f"Evaluation: {task}", "value", kind="bar"))
                names = [m for m, v in metrics.items() if m != "alias" and not m.endswith("_stderr")
                         and isinstance(v, int | float)]
                values = [float(metrics[m]) for m in names]
                errs = [float(metrics.get(f"{m}_stderr")) if isinstance(metrics.get(f"{m}_stderr"), int | float)
                        else 0.0 for m in names]
                if names:
                    chart.series.append((run.label, run.label, names, values, errs))  # type: ignore[arg-type]

    def rank(c: Chart) -> tuple[int, str]:
        if c.id in order:
            return order.index(c.id), c.id
        return (len(order), c.id) if c.id.startswith(("eval_", "results_")) else (len(order) + 1, c.id)

    return sorted(charts.values(), key=rank)


# ---------------------------------------------------------------------------------------------- drawing


def _figure(chart: Chart, runs: list[Run]):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 3.6), dpi=110)
    ax = fig.add_subplot(1, 1, 1)
    run_color = {r.label: _COLORS[i % len(_COLORS)] for i, r in enumerate(runs)}
    styles = ["-", "--", ":", "-."]
    markers = ["o", "s", "^", "D", "v", "P", "X"]
    if chart.kind == "bar":
        names: list[str] = []
        for s in chart.series:
            names += [n for n in s[2] if n not in names]
        width = 0.8 / max(1, len(chart.series))
        for j, (label, run_label, xs, ys, errs) in enumerate(chart.series):
            pos = [names.index(x) + j * width - 0.4 + width / 2 for x in xs]
            bars = ax.bar(pos, ys, width, yerr=errs, capsize=3, color=run_color[run_label], label=label,
                          error_kw={"elinewidth": 1})
            for k, rect in enumerate(bars.patches):
                rect.set_gid(f"series-{j}-point-{k}")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=30, ha="right", fontsize=7)
    else:
        per_run: dict[str, int] = {}
        for j, (label, run_label, xs, ys, _) in enumerate(chart.series):
            k = per_run.get(run_label, 0)
            per_run[run_label] = k + 1
            color = run_color[run_label] if len(runs) > 1 else _COLORS[j % len(_COLORS)]
            (line,) = ax.plot(xs, ys, linestyle=styles[k % len(styles)] if len(runs) > 1 else "-",
                              marker=markers[k % len(markers)], markersize=3.5, linewidth=1.4, color=color,
                              label=label)
            line.set_gid(f"series-{j}")
        ax.set_xlabel("step")
        if chart.id == "learning_rate":
            ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
    ax.set_title(chart.title, fontsize=10)
    ax.set_ylabel(chart.ylabel)
    ax.grid(alpha=0.3)
    if chart.series:
        ax.legend(fontsize=7, loc="best", framealpha=0.8)
    fig.tight_layout()
    return fig


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return text[text.index("<svg"):]


def build_report(run_dirs: list[str | Path], out_dir: str | Path, title: str | None = None) -> Path:
    """Write ``report.html`` and one PNG per chart into ``out_dir``; return the page's path."""
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "alignkit"  # stable ids, so that reports of the same runs are identical
    runs = [load_run(d) for d in run_dirs]
    charts = plan_charts(runs)
    if not charts:
        raise UserError("nothing to plot: the runs' metrics.jsonl / results.json hold no numeric metric.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    blocks = []
    for chart in charts:
        fig = _figure(chart, runs)
        fig.savefig(out / f"{chart.id}.png")
        svg = _svg(fig)
        blocks.append(
            f'<figure class="chart" id="{chart.id}" data-kind="{chart.kind}" data-expected-points="{chart.points}">'
            f"{svg}<figcaption>{html.escape(chart.title)} · <a href=\"{chart.id}.png\">{chart.id}.png</a> · "
            f'<span class="count">{chart.points} points</span></figcaption></figure>')
    rows = "".join(f"<tr><td>{html.escape(r.label)}</td><td><code>{html.escape(str(r.path))}</code></td>"
                   f"<td>{max((s for pts in r.steps.values() for s, _ in pts), default='—')}</td>"
                   f"<td>{len(r.steps)}</td><td>{len((r.results or {}).get('results', {}))}</td></tr>" for r in runs)
    heading = html.escape(title or ("alignkit report: " + ", ".join(r.label for r in runs)))
    page = _PAGE.format(title=heading, date=time.strftime("%Y-%m-%d %H:%M"), rows=rows, charts="\n".join(blocks),
                        n=len(charts))
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #222; }}
h1 {{ font-size: 20px; }}
table {{ border-collapse: collapse; font-size: 13px; margin-bottom: 16px; }}
td, th {{ border: 1px solid #ccc; padding: 3px 8px; text-align: left; }}
.grid {{ display: flex; flex-wrap: wrap; gap: 12px; }}
figure.chart {{ margin: 0; border: 1px solid #ddd; padding: 6px; width: 620px; }}
figure.chart svg {{ width: 612px; height: auto; }}
figcaption {{ font-size: 12px; color: #555; }}
#status {{ font-size: 13px; padding: 4px 8px; background: #eef; display: inline-block; }}
</style></head>
<body>
<h1>{title}</h1>
<p>Written {date} by <code>alignkit report</code>. {n} charts; PNG copies sit next to this page.
<span id="status">checking charts…</span></p>
<table><tr><th>run</th><th>directory</th><th>last step</th><th>metrics per step</th><th>eval tasks (results.json)</th></tr>{rows}</table>
<div class="grid">
{charts}
</div>
<script>
// Count the data points each chart rendered (markers of a line chart, bars of a bar chart) with a non-empty box.
(function () {{
  var figures = document.querySelectorAll("figure.chart"), ok = 0, total = 0;
  figures.forEach(function (f) {{
    var svg = f.querySelector("svg"), n = 0;
    var box = svg ? svg.getBoundingClientRect() : {{width: 0, height: 0}};
    if (svg && box.width > 0 && box.height > 0) {{
      var sel = f.dataset.kind === "bar" ? 'g[id^="series-"][id*="-point-"] path' : 'g[id^="series-"] use';
      f.querySelectorAll(sel).forEach(function (el) {{
        var b = el.getBoundingClientRect();
        if (b.width > 0 && b.height > 0) n += 1;
      }});
    }}
    f.dataset.renderedPoints = n;
    f.querySelector(".count").textContent = n + " of " + f.dataset.expectedPoints + " points rendered";
    total += n;
    if (n > 0 && String(n) === f.dataset.expectedPoints) ok += 1;
  }});
  var s = document.getElementById("status");
  s.textContent = ok + " of " + figures.length + " charts rendered all their points (" + total + " points)";
  s.dataset.ok = ok; s.dataset.charts = figures.length;
}})();
</script>
</body></html>
"""


def main(run_dirs: list[Path], out: Path | None, title: str | None) -> Path:
    """CLI entry: the report's folder defaults to ``<run>/report`` for one run, ``runs/report/<time>`` for several."""
    if not run_dirs:
        raise UserError("alignkit report needs at least one run directory.")
    if out is None:
        out = Path(run_dirs[0]) / "report" if len(run_dirs) == 1 else \
            Path("runs") / "report" / time.strftime("%Y%m%d-%H%M%S")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a directory.")
    try:
        return build_report(run_dirs, out, title)
    except OSError as err:
        raise UserError(f"cannot write the report to {out}: {err.strerror or err}.") from None
