"""trainers/losses.py against hand computations: every number below is worked out in the comment next to it."""

from __future__ import annotations

import math

import pytest
import torch

from alignkit.trainers import losses

NAN = float("nan")


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# --- baselines ---------------------------------------------------------------------------------------------------


def test_batch_mean_baseline_is_cgpo_eq12_and_leaves_failed_samples_out():
    r = torch.tensor([0.8, 0.0, 0.3, NAN])
    # mean over the 3 valid samples = 1.1 / 3; the NaN one gets 0 and does not pull the mean down
    m = 1.1 / 3
    assert losses.batch_mean_advantages(r).tolist() == pytest.approx([0.8 - m, -m, 0.3 - m, 0.0])
    valid = torch.tensor([True, False, True, True])  # a judge failed on sample 1: left out too
    m2 = 1.1 / 2
    assert losses.batch_mean_advantages(r, valid).tolist() == pytest.approx([0.8 - m2, 0.0, 0.3 - m2, 0.0])
    assert losses.batch_mean_advantages(r, mean=0.5).tolist() == pytest.approx([0.3, -0.5, -0.2, 0.0])


def test_rloo_baseline_leaves_each_sample_out_of_its_own_prompt_group():
    r = torch.tensor([1.0, 0.0, 0.5, 4.0, 2.0, NAN])
    # prompt 0: 1 − (0+0.5)/2 = 0.75; 0 − (1+0.5)/2 = −0.75; 0.5 − (1+0)/2 = 0
    # prompt 1 (sample 5 failed): 4 − 2 = 2; 2 − 4 = −2; failed -> 0
    assert losses.rloo_advantages(r, 3).tolist() == pytest.approx([0.75, -0.75, 0.0, 2.0, -2.0, 0.0])
    # a prompt with one valid sample has no baseline: no signal
    assert losses.rloo_advantages(torch.tensor([3.0, NAN]), 2).tolist() == [0.0, 0.0]


def test_group_norm_baseline_divides_by_the_group_std():
    r = torch.tensor([1.0, 0.0, 2.0, 5.0])
    # group 0: mean 0.5, std 0.5 -> ±1; group 1: mean 3.5, std 1.5 -> ∓1
    got = losses.group_norm_advantages(r, 2, eps=0.0)
    assert got.tolist() == pytest.approx([1.0, -1.0, -1.0, 1.0])
    same = losses.group_norm_advantages(torch.tensor([0.7, 0.7]), 2)
    assert same.tolist() == [0.0, 0.0]  # no spread, no signal (not a division by zero)


def test_advantages_dispatches_by_name_and_rejects_unknown_estimators():
    r = torch.tensor([1.0, 0.0, 0.0, 1.0])
    assert losses.advantages("rloo", r, 2).tolist() == pytest.approx([1.0, -1.0, -1.0, 1.0])
    assert losses.advantages("batch_mean", r, 2).tolist() == pytest.approx([0.5, -0.5, -0.5, 0.5])
    with pytest.raises(ValueError, match="ppo"):
        losses.advantages("ppo", r, 2)


# --- REINFORCE (eq. 12) ------------------------------------------------------------------------------------------


def test_reinforce_loss_and_gradient():
    logps = torch.tensor([-3.0, -5.0, -2.0, -4.0], requires_grad=True)
    adv = torch.tensor([0.525, -0.275, 0.025, -0.275])  # R̃ = [0.8, 0, 0.3, 0], mean 0.275
    loss = losses.reinforce_loss(logps, adv)
    # −(0.525·−3 − 0.275·−5 + 0.025·−2 − 0.275·−4) / 4 = −(−1.575 + 1.375 − 0.05 + 1.1) / 4 = −0.2125
    assert loss.item() == pytest.approx(-0.2125)
    loss.backward()
    assert logps.grad.tolist() == pytest.approx([-0.13125, 0.06875, -0.00625, 0.06875])  # −A_i / 4
    # normaliser: the number of tokens (token mean) instead of N
    assert losses.reinforce_loss(logps.detach(), adv, normalizer=17.0).item() == pytest.approx(-0.85 / 17.0)


# --- DPO, SimPO, CODPO (eq. 14), weighted NLL (eq. 18) ------------------------------------------------------------


def test_dpo_loss():
    # margin = 0.5·((−10 + 11) − (−8 + 7.5)) = 0.5·1.5 = 0.75
    got = losses.dpo_loss(torch.tensor([-10.0]), torch.tensor([-11.0]), torch.tensor([-8.0]), torch.tensor([-7.5]),
                          beta=0.5)
    assert got.item() == pytest.approx(-math.log(sigmoid(0.75)))


def test_simpo_loss_is_length_normalised_reference_free_with_margin():
    lc, lr = torch.tensor([-6.0, -2.0], requires_grad=True), torch.tensor([-12.0, -1.0], requires_grad=True)
    got = losses.simpo_loss(lc, torch.tensor([3.0, 2.0]), lr, torch.tensor([4.0, 1.0]), beta=2.0, gamma=0.5)
    # pair 0: 2·(−6/3) − 2·(−12/4) − 0.5 = −4 + 6 − 0.5 = 1.5; pair 1: 2·(−1) − 2·(−1) − 0.5 = −0.5
    want = (-math.log(sigmoid(1.5)) - math.log(sigmoid(-0.5))) / 2
    assert got.item() == pytest.approx(want)
    got.backward()
    # ∂/∂lc_0 = −(1 − σ(1.5))·(β/|y⁺|) / 2 = −(1 − σ(1.5))/3
    assert lc.grad[0].item() == pytest.approx(-(1 - sigmoid(1.5)) / 3)
    assert lr.grad[1].item() == pytest.approx((1 - sigmoid(-0.5)) * 2.0 / 2)


def test_codpo_loss_is_dpo_plus_length_normalised_nll():
    lc, rc, lr, rr = -10.0, -11.0, -8.0, -7.5
    got = losses.codpo_loss(torch.tensor([lc]), torch.tensor([rc]), torch.tensor([lr]), torch.tensor([rr]),
                            torch.tensor([5.0]), beta=0.5, lam=2.0)
    # DPO part as above (margin 0.75) + λ/|y⁺|·(−log π(y⁺)) = 2/5·10 = 4
    assert got.item() == pytest.approx(-math.log(sigmoid(0.75)) + 4.0)
    dpo = losses.dpo_loss(torch.tensor([lc]), torch.tensor([rc]), torch.tensor([lr]), torch.tensor([rr]), 0.5)
    assert got.item() == pytest.approx(dpo.item() + 4.0)


def test_codpo_gradient_raises_chosen_and_lowers_rejected():
    lc = torch.tensor([-4.0, -6.0], requires_grad=True)
    lr = torch.tensor([-5.0, -5.0], requires_grad=True)
    loss = losses.codpo_loss(lc, lc.detach(), lr, lr.detach(), torch.tensor([2.0, 3.0]), beta=1.0, lam=1.0)
    # margins 0: per pair log 2 − lc/|y⁺| -> (log 2 + 2 + log 2 + 2) / 2
    assert loss.item() == pytest.approx(math.log(2) + 2.0)
    loss.backward()
    # ∂/∂lc_0 = (−0.5·β − λ/|y⁺|) / 2 = (−0.5 − 0.5)/2
    assert lc.grad.tolist() == pytest.approx([-0.5, (-0.5 - 1 / 3) / 2])
    assert lr.grad.tolist() == pytest.approx([0.25, 0.25])


def test_weighted_nll_is_crraft_eq18():
    logps = torch.tensor([-3.0, -7.0], requires_grad=True)
    loss = losses.weighted_nll_loss(logps, torch.tensor([0.75, 0.5]))
    assert loss.item() == pytest.approx(-(0.75 * -3.0 + 0.5 * -7.0) / 2)  # = 2.875
    loss.backward()
    assert logps.grad.tolist() == pytest.approx([-0.375, -0.25])


# --- KL estimators ------------------------------------------------------------------------------------------------


def test_k1_and_k3_per_token_and_their_expectation():
    lp, ref = torch.tensor([-1.0, -2.0]), torch.tensor([-1.5, -1.0])
    assert losses.kl_k1(lp, ref).tolist() == pytest.approx([0.5, -1.0])
    # r = ref − lp = [−0.5, 1.0]: k3 = e^r − r − 1 = [e^−0.5 − 0.5, e − 2]
    assert losses.kl_k3(lp, ref).tolist() == pytest.approx([math.exp(-0.5) - 0.5, math.e - 2.0])
    # Both are unbiased for KL(p‖q) when the tokens are sampled from p.
    p = torch.tensor([0.7, 0.2, 0.1])
    q = torch.tensor([0.4, 0.4, 0.2])
    exact = float((p * (p / q).log()).sum())
    k1 = float((p * losses.kl_k1(p.log(), q.log())).sum())
    k3 = float((p * losses.kl_k3(p.log(), q.log())).sum())
    assert k1 == pytest.approx(exact) and k3 == pytest.approx(exact)


def test_segment_weighted_kl_weights_each_segment_and_skips_masked_tokens():
    kl = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    weight = torch.tensor([[0.1, 0.1, 0.0, 0.5]])  # attempt 1 (β₂ = 0.1), instruction, attempt 2 (0.5)
    mask = torch.tensor([[1.0, 1.0, 0.0, 1.0]])
    assert losses.segment_weighted_kl(kl, weight, mask).tolist() == pytest.approx([0.1 + 0.2 + 2.0])
