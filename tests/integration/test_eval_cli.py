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
    assert results["results"]["humaneval"]["pass@1"] == 0.0
    assert results["n-samples"]["humaneval"]["samples"] == sum(1 for _ in HOSTILE.open())
    assert secret not in (tmp_path / "results.json").read_text()
    assert secret not in result.output


def test_generate_then_resume_keeps_existing_samples(tmp_path):
    args = ["eval", "humaneval", "model=tiny", "limit=2", "generation.max_new_tokens=8", f"output_dir={tmp_path}"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    path = tmp_path / "samples_humaneval.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [x["task_id"] for x in lines] == ["HumanEval/0", "HumanEval/1"]
    # mark the stored responses: a resumed run that generated them again would lose the marks
    for rec in lines:
        rec["response"] = rec["completion"] = f"    return 'kept {rec['task_id']}'\n"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    again = CliRunner().invoke(app, [*args[:-1], "limit=3", f"output_dir={tmp_path}"])
    assert again.exit_code == 0, again.output
    after = [json.loads(x) for x in path.read_text().splitlines()]
    assert [x["task_id"] for x in after] == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]
    assert [x["completion"] for x in after[:2]] == [x["completion"] for x in lines]  # kept, not generated again
    assert "kept" not in after[2]["completion"]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["n-samples"]["humaneval"]["effective"] == 3


def test_suite_runs_every_task_on_one_model_with_the_command_line_overrides(tmp_path, monkeypatch):
    import alignkit.models

    loads = []
    real = alignkit.models.load_model
    monkeypatch.setattr(alignkit.models, "load_model", lambda *a, **k: loads.append(a) or real(*a, **k))
    args = ["eval", "suite=quick", "model=tiny", "limit=1", "generation.max_new_tokens=4", f"output_dir={tmp_path}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["results"]) == {"humaneval", "mbpp", "gsm8k", "math", "ifeval"}
    assert all(n["effective"] == 1 for n in results["n-samples"].values())  # limit=1 beat the suite's limit=10
    assert {c["generation"]["max_new_tokens"] for c in results["configs"].values()} == {4}
    assert len(loads) == 1  # one model for the whole suite
    for task in results["results"]:
        assert (tmp_path / f"samples_{task}.jsonl").is_file()
    assert results["model"]["name_or_path"] == "tiny"
