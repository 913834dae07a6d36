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
REPO = Path(__file__).resolve().parents[2]
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


def test_sft_on_tiny_moves_parameters_and_lowers_loss(tmp_path, tokenizer, monkeypatch):
    from alignkit.models import load_model
    from alignkit.trainers.sft import SFTRecipe, run

    cfg = compose_recipe("sft", "sft", "coding", [*QUICK, "trainer.max_steps=12", "trainer.learning_rate=3e-3",
                                                  "trainer.save_steps=100", "data.limit=4"], SFTRecipe)
    before = load_model("tiny", device="cpu")
    monkeypatch.setattr(tokenizer, "padding_side", "right")  # the tokenizer is shared by the session: restored
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


def test_sft_accelerate_launch_two_cpu_processes_make_one_run_directory(tmp_path):
    """DDP over gloo without output_dir=: the main process picks the run directory, the other rank uses it and
    prints nothing; a resumed launch (resume=true) continues that run on both ranks."""
    import socket

    def launch(*extra: str) -> subprocess.CompletedProcess:
        with socket.socket() as sock:  # a free port for the rendezvous
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
               "ALIGNKIT_LOG_LEVEL": "INFO", "COLUMNS": "200"}
        cmd = [str(Path(sys.executable).with_name("accelerate")), "launch", "--config_file",
               str(REPO / "recipes" / "accelerate" / "cpu_ddp.yaml"), "--num_processes", "2", "--main_process_port",
               str(port), "-m", "alignkit.cli", "sft", "recipe=coding", *QUICK, "trainer.save_steps=2",
               "trainer.learning_rate=1e-3", *extra]
        proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return proc

    first = launch("trainer.max_steps=2")
    runs = list((tmp_path / "runs" / "sft" / "coding").iterdir())
    assert len(runs) == 1, runs
    out = runs[0]
    assert first.stdout.count("summary") == 1 and first.stdout.count("done") == 1, first.stdout
    assert first.stderr.count("Run directory:") == 1, first.stderr
    assert json.loads((out / "summary.json").read_text())["global_step"] == 2

    second = launch("trainer.max_steps=4", "resume=true")
    assert len(list((tmp_path / "runs" / "sft" / "coding").iterdir())) == 1
    assert second.stdout.count("summary") == 1, second.stdout
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if "loss" in r] == [1, 2, 3, 4]
    assert json.loads((out / "summary.json").read_text())["global_step"] == 4
    assert (out / "config.resume-1.yaml").is_file()


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
