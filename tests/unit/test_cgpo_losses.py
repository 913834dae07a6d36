"""CGPO's own rules against hand computation (arXiv 2409.20370: eq. 5, 11, the CODPO pair rules, eq. 17).
The losses (eq. 12, 14, 18) are in tests/unit/test_losses.py."""

from __future__ import annotations

import math

import pytest
import torch

from alignkit.trainers.cgpo import (
    BASELINE,
    Pair,
    calibrated_reward,
    codpo_pairs,
    crpg_rewards,
    crraft_select,
    kl_clip_factor,
)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# --- eq. 5 ---------------------------------------------------------------------------------------------------


def test_calibrated_reward_is_sigmoid_of_the_reward_gap():
    r = torch.tensor([2.0, -1.0, 0.5])
    base = torch.tensor([1.0, 1.0, 0.5])
    got = calibrated_reward(r, base)
    want = [sigmoid(1.0), sigmoid(-2.0), 0.5]
    assert got.tolist() == pytest.approx(want)


# --- eq. 11 --------------------------------------------------------------------------------------------------


def test_kl_clip_factor_is_one_minus_kl_over_kl_max_floored_at_zero():
    kl = torch.tensor([0.0, 0.5, 1.0, 3.0, -0.5])
    assert kl_clip_factor(kl, 1.0).tolist() == pytest.approx([1.0, 0.5, 0.0, 0.0, 1.5])


def test_crpg_rewards_zero_on_violation_and_clip_by_kl():
    calib = torch.tensor([0.8, 0.9, 0.6, 0.7])
    satisfied = torch.tensor([True, False, True, True])
    kl = torch.tensor([0.0, 0.0, 1.0, 4.0])
    got = crpg_rewards(calib, satisfied, kl, kl_max=2.0)
    # R_cr = [0.8, 0, 0.6, 0.7]; factors = [1, 1, 0.5, 0]
    assert got.tolist() == pytest.approx([0.8, 0.0, 0.3, 0.0])


def test_crpg_rewards_leave_failed_rewards_and_undecided_judges_out():
    """Defect 2: a failed reward (NaN) or an undecided judge (-1) gives NaN (left out of eq. 12), not R̃ = 0
    (which would be a negative advantage, a punishment for a sandbox outage)."""
    calib = torch.tensor([float("nan"), 0.5, 0.9, 0.4])
    satisfied = torch.tensor([True, True, False, False])  # response 2 is "unsatisfied" because its judge failed
    failed = torch.tensor([False, False, True, False])
    got = crpg_rewards(calib, satisfied, torch.zeros(4), 1.0, failed=failed)
    assert math.isnan(got[0]) and got[1].item() == pytest.approx(0.5) and math.isnan(got[2])
    assert got[3].item() == 0.0  # a real violation is still punished


def test_crpg_violating_response_gets_no_positive_weight():
    """A violating response has R̃ = 0 ≤ mean R̃: gradient ascent never raises its probability."""
    from alignkit.trainers.losses import batch_mean_advantages, reinforce_loss

    calib = torch.tensor([0.99, 0.2, 0.7, 0.55])  # the violating one has the highest calibrated reward
    satisfied = torch.tensor([False, True, True, True])
    rtilde = crpg_rewards(calib, satisfied, torch.zeros(4), kl_max=1.0)
    logps = torch.zeros(4, requires_grad=True)
    reinforce_loss(logps, batch_mean_advantages(rtilde)).backward()
    ascent_weight = -logps.grad  # coefficient of ∇ log π in the update direction
    assert ascent_weight[0].item() < 0.0
    assert ascent_weight[2].item() > 0.0


# --- CODPO pair rules ----------------------------------------------------------------------------------------


def test_codpo_pairs_best_satisfied_against_worst_violated():
    rewards = [0.1, 0.9, 0.5, 0.3]
    satisfied = [True, False, True, False]
    # y⁺ = best of X⁺ = index 2 (0.5; index 1 has more reward but violates); y⁻ = worst of X⁻ = index 3 (0.3)
    assert codpo_pairs(rewards, satisfied, 4) == [Pair(2, 3, fallback=False)]


def test_codpo_pairs_skip_prompt_without_satisfied_response():
    assert codpo_pairs([0.1, 0.9], [False, False], 2) == [None]


def test_codpo_pairs_fallback_to_lowest_reward_overall_without_violation():
    assert codpo_pairs([0.4, 0.9, 0.2], [True, True, True], 3) == [Pair(1, 2, fallback=True)]


def test_codpo_pairs_per_prompt_groups_and_nan_rewards():
    rewards = [0.5, float("nan"), 0.1, 0.2, float("nan"), 0.7]
    satisfied = [True, True, False, False, True, True]
    pairs = codpo_pairs(rewards, satisfied, 3)
    assert pairs[0] == Pair(0, 2, fallback=False)
    assert pairs[1] == Pair(5, 3, fallback=False)  # the NaN response 4 is never chosen


def test_codpo_pairs_never_use_a_response_its_judge_failed_on():
    """Defect 2: an undecided response (a judge failed) is not "violated": it never becomes y⁻."""
    rewards = [0.9, 0.1, 0.5]
    satisfied = [True, False, False]
    assert codpo_pairs(rewards, satisfied, 3, failed=[False, True, False]) == [Pair(0, 2, fallback=False)]
    assert codpo_pairs(rewards, satisfied, 3) == [Pair(0, 1, fallback=False)]


def test_codpo_pairs_single_satisfied_response_and_nothing_else():
    assert codpo_pairs([0.5, float("nan")], [True, True], 2) == [None]


# --- eq. 17 --------------------------------------------------------------------------------------------------


def test_crraft_never_picks_a_violating_response():
    rewards = [5.0, 1.0, 2.0]
    satisfied = [False, True, True]
    assert crraft_select(rewards, satisfied, [0.0, 0.0, 0.0], 1.0, 3, [True]) == [2]


def test_crraft_filters_by_kl_max():
    rewards = [1.0, 3.0, 2.0]
    satisfied = [True, True, True]
    kl = [0.1, 2.5, 0.4]
    assert crraft_select(rewards, satisfied, kl, 2.0, 3, [True]) == [2]


def test_crraft_falls_back_to_baseline_or_skips():
    rewards = [1.0, 2.0, 3.0, 4.0]
    satisfied = [False, False, True, False]
    kl = [0.0, 0.0, 9.0, 0.0]
    # prompt 0: nothing satisfied -> baseline passes -> ȳ; prompt 1: survivor is over KL_max, ȳ fails -> skip
    assert crraft_select(rewards, satisfied, kl, 1.0, 2, [True, False]) == [BASELINE, None]


def test_crraft_nan_reward_never_survives():
    assert crraft_select([float("nan"), 0.1], [True, True], [0.0, 0.0], 1.0, 2, [False]) == [1]
