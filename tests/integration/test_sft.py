"""``alignkit sft`` end to end: parameters move and the loss falls on a fixed batch; resume after SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from alignkit.cli import COMMANDS
from alignkit.config import compose_recipe

SFT = next(c for c in COMMANDS if c.name == "sft")
QUICK = ["model=tiny", "trainer.per_device_train_batch_size=2", "trainer.max_length=256",
         "data.eval_split=null", "data.limit=16"]


def _fixed_batch_loss(model, tokenizer) -> float:
    from alignkit.data import load_sft_dataset

    rows = load_sft_dataset("sft/coding", split="train", limit=4)
    texts = [tokenizer.apply_chat_template(r["prompt"] + r["completion"], tokenize=False) for r in rows]
    enc = tokenizer(texts, return_tensors="pt", padding=True, truncation=True, max_length=256)
    labels = enc["input_ids"].masked_fill(enc["attention_mask"] == 0, -100)
    with torch.no_grad():
        return model(**enc, labels=labels).loss.item()


def test_sft_on_tiny_moves_parameters_and_lowers_loss(tmp_path, tokenizer):
    from alignkit.models import load_model
    from alignkit.trainers.sft import SFTRecipe, run

    cfg = compose_recipe("sft", "sft", "coding", [*QUICK, "trainer.max_steps=12", "trainer.learning_rate=3e-3",
                                                  "trainer.save_steps=100", "data.limit=4"], SFTRecipe)
    before = load_model("tiny", device="cpu")
    tokenizer.padding_side = "right"
    loss_before = _fixed_batch_loss(before, tokenizer)
    metrics = run(cfg, tmp_path)
    after = load_model(str(tmp_path / "final"), device="cpu")
    moved = sum(not torch.equal(a, b) for a, b in zip(before.parameters(), after.parameters(), strict=True))
    assert moved > 0
    assert metrics["global_step"] == 12
    assert _fixed_batch_loss(after, tokenizer) < loss_before - 0.5
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if "loss" in r] == list(range(1, 13))


def _alignkit(*args: str) -> list[str]:
    return [sys.executable, "-m", "alignkit.cli", *args]


def test_sft_resume_after_sigkill_ends_at_same_step_without_duplicate_metrics(tmp_path):
    out = tmp_path / "run"
    args = ["sft", "recipe=coding", *QUICK, "trainer.max_steps=24", "trainer.save_steps=4",
            "trainer.learning_rate=1e-3", f"output_dir={out}"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(_alignkit(*args), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    metrics = out / "metrics.jsonl"
    deadline = time.time() + 300
    try:
        while time.time() < deadline:
            lines = metrics.read_text().splitlines() if metrics.exists() else []
            if len(lines) >= 7:
                break
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the run never logged 7 steps")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    killed_at = len(metrics.read_text().splitlines())
    assert killed_at < 24
    done = subprocess.run(_alignkit(*args[:-1], f"resume={out}"), env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [json.loads(line) for line in metrics.read_text().splitlines()]
    steps = [r["step"] for r in rows if "loss" in r]
    assert steps == list(range(1, 25)), steps
    summary = json.loads((out / "summary.json").read_text())
    assert summary["global_step"] == 24
    assert Path(out / "config.yaml").exists()


@pytest.mark.slow
def test_sft_end_to_end_on_the_embedded_model(tmp_path):
    """The real SmolLM2-135M-Instruct: a few steps of `alignkit sft recipe=coding` through the CLI."""
    out = tmp_path / "run"
    done = subprocess.run(
        _alignkit("sft", "recipe=coding", "trainer.max_steps=3", "trainer.per_device_train_batch_size=4",
                  "trainer.max_length=320", "data.eval_limit=8", f"output_dir={out}"),
        capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    losses = [r["loss"] for r in rows if "loss" in r]
    assert len(losses) == 3 and all(0 < x < 10 for x in losses)  # a trained model, not a random one (~10.8)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["global_step"] == 3 and "eval_loss" in summary
    assert (out / "final" / "config.json").exists() and (out / "config.yaml").exists()
