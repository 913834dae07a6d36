"""``alignkit report``: the charts a run needs, overlaid runs, an offline page that renders in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alignkit.cli import app
from alignkit.report import build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync", "--virtual-time-budget=5000"]


def _training_run(root: Path, name: str, hacked: bool, steps: int = 8) -> Path:
    """A CGPO-like run: per-task reward, calibrated reward, KL, two judges, lengths, loss, lr, step time, and
    eval metrics at steps 0, 4 and 8."""
    run = root / "runs" / "cgpo" / "coding" / name
    run.mkdir(parents=True)
    (run / "config.yaml").write_text(f"command: cgpo\nrecipe: coding_{name}\n")
    lines = []
    for step in range(steps + 1):
        if step % 4 == 0:
            lines.append({"step": step, "eval/humaneval/pass@1": 0.06 - (0.005 * step if hacked else 0.0),
                          "eval/gsm8k/exact_match_strict": 0.2})
        if step == 0:
            continue
        lines.append({"step": step, "time": 1.0, "coding/reward_mean": -1 + (0.1 if hacked else 0.02) * step,
                      "coding/calibrated_reward_mean": 0.3, "coding/kl_mean": 0.01 * step,
                      "coding/judge/code/violation_rate": 0.9, "coding/judge/format/violation_rate": 0.2,
                      "coding/judge/code/failure_rate": 0.0, "coding/response_length_mean": 100 + 10 * step,
                      "loss": 1.0 / step, "lr": 2e-5, "time/step": 50.0, "grad_norm": 1.0})
    lines.insert(3, "{torn line")  # a line torn by a kill is skipped
    (run / "metrics.jsonl").write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return run


def _eval_run(root: Path) -> Path:
    run = root / "runs" / "eval" / "suite-quick" / "t1"
    run.mkdir(parents=True)
    (run / "results.json").write_text(json.dumps({"results": {
        "gsm8k": {"alias": "gsm8k", "exact_match_strict": 0.2, "exact_match_strict_stderr": 0.05,
                  "exact_match_flexible": 0.3, "exact_match_flexible_stderr": 0.06}}}))
    return run


@pytest.fixture()
def report(tmp_path) -> Path:
    runs = [_training_run(tmp_path, "judges", False), _training_run(tmp_path, "none", True), _eval_run(tmp_path)]
    return build_report(runs, tmp_path / "report")


def test_report_has_every_chart_overlaid_and_is_offline(report):
    page = report.read_text()
    charts = dict(re.findall(r'<figure class="chart" id="([^"]+)"[^>]*data-expected-points="(\d+)"', page))
    for needed in ("reward", "calibrated_reward", "kl", "judge_violations", "judge_failures", "length", "loss",
                   "learning_rate", "step_time", "eval_humaneval", "eval_gsm8k", "results_gsm8k"):
        assert needed in charts, needed
        assert (report.parent / f"{needed}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # overlaid: both runs' 8 reward points; both runs' two judges; 3 eval points per run
    assert int(charts["reward"]) == 16 and int(charts["judge_violations"]) == 32
    assert int(charts["eval_humaneval"]) == 6 and int(charts["results_gsm8k"]) == 2
    assert "coding_judges/judges · coding/reward_mean" in page and "coding_none/none · coding/reward_mean" in page
    # nothing is fetched from anywhere: no URL, no external script, style or font
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "<link" not in page


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs it)")
def test_report_renders_every_chart_with_its_points_in_chromium(report, tmp_path):
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", report.as_uri()],
                             capture_output=True, text=True, timeout=180).stdout
        shot = tmp_path / "report.png"
        subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1340,2600",
                        f"--screenshot={shot}", report.as_uri()], capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    figures = re.findall(r'<figure class="chart" id="([^"]+)"[^>]*data-expected-points="(\d+)"'
                         r'[^>]*data-rendered-points="(\d+)"', dom)
    assert len(figures) >= 12, dom[:500]
    bad = [(cid, exp, got) for cid, exp, got in figures if int(got) == 0 or got != exp]
    assert bad == []  # every chart drew every one of its points, none drew nothing
    status = re.search(r'id="status" data-ok="(\d+)" data-charts="(\d+)"', dom)
    assert status and status.group(1) == status.group(2) == str(len(figures))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_report_cli_writes_the_page_and_refuses_bad_input(tmp_path):
    run = _training_run(tmp_path, "judges", False)
    ok = CliRunner().invoke(app, ["report", str(run), "--out", str(tmp_path / "out")])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "out" / "report.html").is_file() and (tmp_path / "out" / "reward.png").is_file()
    missing = CliRunner().invoke(app, ["report", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such run directory" in missing.output and "Traceback" not in missing.output
    empty = tmp_path / "empty"
    empty.mkdir()
    bare = CliRunner().invoke(app, ["report", str(empty)])
    assert bare.exit_code == 2 and "no metrics.jsonl or results.json" in bare.output
