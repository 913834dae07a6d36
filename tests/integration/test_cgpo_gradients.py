"""Gradient checks of CGPO's losses (eq. 12, 14, 18): the trainer's parameter gradient on the tiny 2-layer model
equals an independent computation (the closed form from per-sequence log-probabilities, then autograd), for a
batch with satisfied, violated and failed samples (a failed judge, a failed reward); in one process, fused and
micro-batched, and on a 2-process CPU ``accelerate launch`` where each rank holds half of the batch.

Catches: a wrong sign or normaliser, a baseline over the wrong samples, a failed sample punished (R̃ = 0) or
used as a rejected answer, a KL factor on the wrong side, a padding/position error in scoring, micro-batches
that do not add up, and data-parallel averaging that does not give the global gradient.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
from cgpo_gradient_case import CRRAFT_PICKS, completion_ids, independent_gradient, parts, trainer_gradient  # noqa: E402
from launch import launch_two_cpu_processes  # noqa: E402

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


@pytest.mark.parametrize(("optimizer", "options"), [
    ("crpg", {"baseline_estimator": "rloo"}),
    ("crpg", {"loss_normalization": "token_mean"}),
    ("crraft", {"loss_normalization": "token_mean"}),
])
def test_baseline_and_normalisation_options_follow_their_definitions(case, tmp_path, optimizer, options):
    """Defect 3's options: per-prompt RLOO instead of the batch mean; a token mean instead of a sequence mean."""
    from accelerate import Accelerator

    tok, policy, ref, default = case
    got, _ = trainer_gradient(optimizer, tok, policy, ref, Accelerator(cpu=True), tmp_path, 2, **options)
    if optimizer == "crraft":  # eq. 18 over tokens: the sequence-mean gradient times S / Σ|y*|
        tokens = sum(len(completion_ids(tok, text)) for _, text in CRRAFT_PICKS)
        want = default["crraft"] * len(CRRAFT_PICKS) / tokens
    else:
        want = independent_gradient(optimizer, tok, policy, ref, **options)
    assert not torch.allclose(want, default[optimizer], atol=1e-6, rtol=1e-3)  # the option changes something
    assert torch.allclose(got, want, atol=1e-6, rtol=1e-4), (got - want).abs().max()


def test_two_process_gradient_equals_the_closed_form(case, tmp_path):
    tok, policy, ref, want = case
    out = tmp_path / "grads.pt"
    proc = launch_two_cpu_processes([str(Path(__file__).parent / "cgpo_gradient_case.py"), str(out)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    saved = torch.load(out)
    assert saved["world"] == 2
    for optimizer in OPTIMIZERS:
        got = saved["grads"][optimizer]
        assert torch.allclose(got, want[optimizer], atol=1e-6, rtol=1e-4), (optimizer, (got - want[optimizer]).abs().max())
