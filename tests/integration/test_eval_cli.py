"""``alignkit eval humaneval`` through the CLI: hostile samples never pass; generation + resume on tiny."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from alignkit.cli import app

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile" / "humaneval_hostile.jsonl"


def test_hostile_samples_file_scores_zero_and_leaks_no_secret(tmp_path, monkeypatch):
    secret = "sk-alignkit-test-secret-4711"
    monkeypatch.setenv("ALIGNKIT_TEST_SECRET", secret)
    result = CliRunner().invoke(app, ["eval", "humaneval", f"samples={HOSTILE}", f"output_dir={tmp_path}"])
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["pass_at_k"]["1"] == 0.0
    assert results["n_samples"] == sum(1 for _ in HOSTILE.open())
    assert secret not in (tmp_path / "results.json").read_text()
    assert secret not in result.output


def test_generate_then_resume_keeps_existing_samples(tmp_path):
    args = ["eval", "humaneval", "model=tiny", "limit=2", "generation.max_new_tokens=8", f"output_dir={tmp_path}"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    lines = (tmp_path / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 2 and all("task_id" in json.loads(x) for x in lines)
    before = (tmp_path / "samples.jsonl").stat().st_mtime_ns
    again = CliRunner().invoke(app, [*args[:-1], "limit=3", f"output_dir={tmp_path}"])
    assert again.exit_code == 0, again.output
    lines_after = (tmp_path / "samples.jsonl").read_text().splitlines()
    assert lines_after[:2] == lines and len(lines_after) == 3  # only the missing problem was generated
    assert before <= (tmp_path / "samples.jsonl").stat().st_mtime_ns
