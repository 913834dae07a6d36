"""`alignkit eva-evolve` from the command line: the default recipe's reward model, and a 2-iteration run on the
embedded model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def _cli(args: list[str], cwd: Path, timeout: int = 3000) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1", "ALIGNKIT_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "alignkit.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_default_recipe_without_a_reward_model_says_which_command_to_run(tmp_path):
    res = _cli(["eva-evolve", "model=tiny", "data.limit=2", "heldout.limit=1"], cwd=tmp_path, timeout=600)
    assert res.returncode == 2, res.stderr[-2000:]
    assert "alignkit rm recipe=chat" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.slow
def test_two_iterations_on_the_embedded_model(tmp_path):
    rm = _cli(["rm", "recipe=chat", "trainer.max_steps=2", "trainer.num_layers=1", "output_dir=rm"], cwd=tmp_path)
    assert rm.returncode == 0, rm.stderr[-3000:]
    res = _cli(["eva-evolve", "recipe=default", "reward.model=rm/model", "iterations=2", "data.limit=4",
                "heldout.limit=2", "creator.num_samples=2", "solver.num_samples=2", "creator.num_variants=2",
                "creator.sample_fraction=0.5", "creator.min_set_size=4", "generation.max_new_tokens=24",
                "creator.evolver.max_new_tokens=48", "solver.max_steps=1", "solver.per_device_train_batch_size=2",
                "output_dir=eva"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    run = tmp_path / "eva"
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [0, 1, 2]
    for r in rows:
        assert r["heldout/reward_after"] is not None and r["heldout/reward_failed"] == 0
    for t in (1, 2):
        m = rows[t]
        assert m["creator/n_variants"] == 4 and m["solver/n_pairs"] > 0 and m["solver/steps"] == 1
        children = [json.loads(x) for x in (run / "iterations" / f"iter-{t:03d}" / "children.jsonl").read_text()
                    .splitlines()]
        assert all(c["raw"] for c in children)  # the policy answered every evolution request
        assert (run / "checkpoints" / f"checkpoint-{t}" / "model.safetensors").is_file()
    assert json.loads((run / "summary.json").read_text())["iterations"] == 2
