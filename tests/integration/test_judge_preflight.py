"""A CGPO run whose LLM judge cannot tell right from wrong stops before training, naming the judge and the fix."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from alignkit.cli import app

runner = CliRunner()


def test_cgpo_stops_at_start_when_an_llm_judge_answers_at_random(tmp_path: Path):
    # The random tiny model as the safety judge: its answer is noise and carries almost no probability.
    out = tmp_path / "run"
    result = runner.invoke(app, [
        "cgpo", "recipe=chat", "model=tiny", f"output_dir={out}", "~tasks.chat_general", "~tasks.chat_factual",
        "tasks.chat_harmful.judges.llm_safety.model=tiny", "judge_check.num_items=12",
    ])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "judge 'llm_safety' (model tiny) cannot be trusted" in text
    assert "judge_check.enabled=false" in text and "smollm2-135m-judges" in text
    assert not (out / "metrics.jsonl").exists()  # stopped before the first step
