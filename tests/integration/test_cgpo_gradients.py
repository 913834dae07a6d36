"""Gradient checks of CGPO's losses (eq. 12, 14, 18): the trainer's parameter gradient on the tiny 2-layer model
equals an independent computation (the closed form from per-sequence log-probabilities, then autograd), for a
batch with satisfied, violated and failed samples (a failed judge, a failed reward); in one process, fused and
micro-batched, and on a 2-process CPU ``accelerate launch`` where each rank holds half of the batch.

Catches: a wrong sign or normaliser, a baseline over the wrong samples, a failed sample punished (R̃ = 0) or
used as a rejected answer, a KL factor on the wrong side, a padding/position error in scoring, micro-batches
that do not add up, and data-parallel averaging that does not give the global gradient.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
from cgpo_gradient_case import independent_gradient, parts, trainer_gradient  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OPTIMIZERS = ("crpg", "codpo", "crraft")


@pytest.fixture(scope="module")
def case():
    tok, policy, ref = parts()
    return tok, policy, ref, {opt: independent_gradient(opt, tok, policy, ref) for opt in OPTIMIZERS}


@pytest.mark.parametrize("micro_batch_size", [64, 1])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_one_process_gradient_equals_the_closed_form(case, tmp_path, optimizer, micro_batch_size):
    from accelerate import Accelerator

    tok, policy, ref, want = case
    got, metrics = trainer_gradient(optimizer, tok, policy, ref, Accelerator(cpu=True), tmp_path, micro_batch_size)
    assert want[optimizer].abs().sum() > 0
    assert torch.allclose(got, want[optimizer], atol=1e-6, rtol=1e-4), (got - want[optimizer]).abs().max()
    assert metrics["t/undecided_rate"] == pytest.approx(1 / 8)  # the "err" sample, counted
    assert metrics["t/judge/says_yes/failure_rate"] == pytest.approx(1 / 8)
    assert metrics["t/reward_failed_rate"] == pytest.approx(1 / 8)  # "nan yes", counted


def test_two_process_gradient_equals_the_closed_form(case, tmp_path):
    tok, policy, ref, want = case
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    accelerate = Path(sys.executable).with_name("accelerate")
    out = tmp_path / "grads.pt"
    cmd = [str(accelerate), "launch", "--config_file", str(REPO / "recipes" / "accelerate" / "cpu_ddp.yaml"),
           "--num_processes", "2", "--main_process_port", str(port),
           str(Path(__file__).parent / "cgpo_gradient_case.py"), str(out)]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    saved = torch.load(out)
    assert saved["world"] == 2
    for optimizer in OPTIMIZERS:
        got = saved["grads"][optimizer]
        assert torch.allclose(got, want[optimizer], atol=1e-6, rtol=1e-4), (optimizer, (got - want[optimizer]).abs().max())
