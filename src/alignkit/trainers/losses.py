"""Losses and estimators of the RL trainers, as pure functions of log-probabilities and rewards.

Each function names the equation it implements. Log-probabilities ``logps`` are per sequence (``[N]``, the sum of
the trained tokens' log π) unless the name says ``token``; gradients flow through ``logps`` only (rewards,
advantages and weights are constants). A loss returns ``Σ_i loss_i / normalizer`` with ``normalizer`` defaulting
to the number of items: pass the count over all ranks (divided by the number of ranks) when the batch is sharded,
so that the data-parallel average of the ranks' gradients is the gradient of the global loss.

Samples whose reward or judge failed are left out (``valid`` masks): they get no advantage, take no part in a
baseline and do not count in a normaliser.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "advantages", "batch_mean_advantages", "codpo_loss", "dpo_loss", "group_norm_advantages", "kl_k1", "kl_k3",
    "reinforce_loss", "rloo_advantages", "segment_weighted_kl", "simpo_loss", "weighted_nll_loss",
]

ESTIMATORS = ("batch_mean", "rloo", "group_norm")


def _mean_of(total: torch.Tensor | float, n: float) -> float:
    return float(total) / max(float(n), 1e-12)


def _valid(rewards: torch.Tensor, valid: torch.Tensor | None) -> torch.Tensor:
    ok = ~torch.isnan(rewards)
    return ok if valid is None else ok & valid.bool()


# --------------------------------------------------------------------------------------------------------------
# Baselines: advantages A_i = R_i − b_i
# --------------------------------------------------------------------------------------------------------------


def batch_mean_advantages(rewards: torch.Tensor, valid: torch.Tensor | None = None,
                          mean: float | None = None) -> torch.Tensor:
    """CGPO eq. 12's baseline: ``A_i = R_i − mean_j R_j`` over the batch's valid samples (0 for invalid ones).

    ``mean``: the batch mean when the batch spans several ranks (default: this batch's).
    """
    ok = _valid(rewards, valid)
    r = torch.where(ok, rewards, torch.zeros_like(rewards))
    if mean is None:
        mean = _mean_of(r.sum(), ok.sum())
    return torch.where(ok, r - mean, torch.zeros_like(r))


def rloo_advantages(rewards: torch.Tensor, group_size: int, valid: torch.Tensor | None = None) -> torch.Tensor:
    """Per-prompt leave-one-out (RLOO, Ahmadian et al. 2024): ``A_i = R_i − mean_{j≠i, same prompt} R_j``.

    ``rewards`` are prompt-major groups of ``group_size``. A sample alone among its group's valid samples has no
    baseline and gets 0 (no signal), as does an invalid sample.
    """
    ok = _valid(rewards, valid).view(-1, group_size)
    r = torch.where(ok, rewards.view(-1, group_size), torch.zeros(()))
    count = ok.sum(-1, keepdim=True).to(r.dtype)
    others = (r.sum(-1, keepdim=True) - r) / (count - 1).clamp(min=1)
    adv = torch.where(ok & (count > 1), r - others, torch.zeros_like(r))
    return adv.view(-1)


def group_norm_advantages(rewards: torch.Tensor, group_size: int, valid: torch.Tensor | None = None,
                          eps: float = 1e-4) -> torch.Tensor:
    """Group-normalised (GRPO, Shao et al. 2024): ``A_i = (R_i − mean_g R) / (std_g R + eps)`` per prompt group,
    with the population std over the group's valid samples; 0 for invalid samples and one-sample groups."""
    ok = _valid(rewards, valid).view(-1, group_size)
    r = torch.where(ok, rewards.view(-1, group_size), torch.zeros(()))
    count = ok.sum(-1, keepdim=True).to(r.dtype)
    mean = r.sum(-1, keepdim=True) / count.clamp(min=1)
    var = (torch.where(ok, r - mean, torch.zeros_like(r)) ** 2).sum(-1, keepdim=True) / count.clamp(min=1)
    adv = torch.where(ok & (count > 1), (r - mean) / (var.sqrt() + eps), torch.zeros_like(r))
    return adv.view(-1)


def advantages(estimator: str, rewards: torch.Tensor, group_size: int, valid: torch.Tensor | None = None,
               batch_mean: float | None = None) -> torch.Tensor:
    """``batch_mean`` (CGPO eq. 12, the default), ``rloo`` or ``group_norm``."""
    if estimator == "batch_mean":
        return batch_mean_advantages(rewards, valid, batch_mean)
    if estimator == "rloo":
        return rloo_advantages(rewards, group_size, valid)
    if estimator == "group_norm":
        return group_norm_advantages(rewards, group_size, valid)
    raise ValueError(f"unknown baseline estimator {estimator!r}; use one of {ESTIMATORS}")


# --------------------------------------------------------------------------------------------------------------
# Policy gradient, preference and likelihood losses
# --------------------------------------------------------------------------------------------------------------


def reinforce_loss(logps: torch.Tensor, advantages: torch.Tensor, normalizer: float | None = None) -> torch.Tensor:
    """REINFORCE with a baseline (CGPO eq. 12): ``L = −(1/N) Σ_i A_i log π(y_i|x_i)``, so that
    ``∇L = −(1/N) Σ_i (R_i − b_i) ∇ log π(y_i|x_i)``.

    ``normalizer``: N (sequence sum, the paper) or the number of tokens (token mean).
    """
    n = float(len(logps)) if normalizer is None else float(normalizer)
    return -(advantages.detach().to(logps.device, logps.dtype) * logps).sum() / max(n, 1e-12)


def dpo_loss(logp_chosen: torch.Tensor, ref_chosen: torch.Tensor, logp_rejected: torch.Tensor,
             ref_rejected: torch.Tensor, beta: float, normalizer: float | None = None) -> torch.Tensor:
    """DPO (Rafailov et al. 2023, eq. 7): ``L = −log σ(β[log π/π_ref(y⁺) − log π/π_ref(y⁻)])``, mean over pairs."""
    margin = beta * ((logp_chosen - ref_chosen) - (logp_rejected - ref_rejected))
    n = float(len(margin)) if normalizer is None else float(normalizer)
    return -F.logsigmoid(margin).sum() / max(n, 1e-12)


def simpo_loss(logp_chosen: torch.Tensor, len_chosen: torch.Tensor, logp_rejected: torch.Tensor,
               len_rejected: torch.Tensor, beta: float, gamma: float, normalizer: float | None = None
               ) -> torch.Tensor:
    """SimPO (Meng et al. 2024, eq. 6), reference-free and length-normalised, with target margin γ:
    ``L = −log σ(β/|y⁺| · log π(y⁺|x) − β/|y⁻| · log π(y⁻|x) − γ)``, mean over pairs."""
    lc = len_chosen.to(logp_chosen.dtype).clamp(min=1)
    lr = len_rejected.to(logp_rejected.dtype).clamp(min=1)
    margin = beta * logp_chosen / lc - beta * logp_rejected / lr - gamma
    n = float(len(margin)) if normalizer is None else float(normalizer)
    return -F.logsigmoid(margin).sum() / max(n, 1e-12)


def weighted_nll_loss(logps: torch.Tensor, weights: torch.Tensor, normalizer: float | None = None) -> torch.Tensor:
    """Weighted negative log-likelihood (CGPO eq. 18, CRRAFT): ``L = −(1/S) Σ_i w_i log π(y*_i|x_i)`` with
    ``w_i = R_calib(x, y*_i)``; ``S`` the number of selected answers (or of their tokens: token mean)."""
    n = float(len(logps)) if normalizer is None else float(normalizer)
    return -(weights.detach().to(logps.device, logps.dtype) * logps).sum() / max(n, 1e-12)


def codpo_loss(logp_chosen: torch.Tensor, ref_chosen: torch.Tensor, logp_rejected: torch.Tensor,
               ref_rejected: torch.Tensor, chosen_lengths: torch.Tensor, beta: float, lam: float,
               normalizer: float | None = None) -> torch.Tensor:
    """CGPO eq. 14 (CODPO), mean over pairs: DPO plus λ times the length-normalised NLL of the chosen answer,
    ``L = −log σ(β[log π/π_ref(y⁺) − log π/π_ref(y⁻)]) − (λ/|y⁺|) · log π(y⁺|x)``."""
    margin = beta * ((logp_chosen - ref_chosen) - (logp_rejected - ref_rejected))
    per_pair = -F.logsigmoid(margin) - lam * logp_chosen / chosen_lengths.clamp(min=1).to(logp_chosen.dtype)
    n = float(len(per_pair)) if normalizer is None else float(normalizer)
    return per_pair.sum() / max(n, 1e-12)


# --------------------------------------------------------------------------------------------------------------
# KL estimators, per token (Schulman, "Approximating KL divergence", 2020)
# --------------------------------------------------------------------------------------------------------------


def kl_k1(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """``k1 = log π(t) − log π_ref(t)`` per sampled token: unbiased for KL(π‖π_ref), high variance, can be < 0."""
    return logp - ref_logp.to(logp.device, logp.dtype)


def kl_k3(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """``k3 = exp(r) − r − 1`` with ``r = log π_ref(t) − log π(t)``: unbiased for KL(π‖π_ref), always ≥ 0, low
    variance (the estimator GRPO and BY571's SCoRe use per token)."""
    r = ref_logp.to(logp.device, logp.dtype) - logp
    return torch.exp(r) - r - 1.0


def segment_weighted_kl(kl_tokens: torch.Tensor, kl_weight: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``Σ_t w_t · kl_t`` over the trained tokens of each sequence, ``[N, C] -> [N]``: with ``kl_weight`` from
    :class:`alignkit.trainers.engine.LogProbs`, each segment gets its own weight (SCoRe Stage I: β₂ on
    attempt 1, β₁ on attempt 2)."""
    w = (kl_weight * mask).to(kl_tokens.device, kl_tokens.dtype)
    return (w * kl_tokens).sum(-1)
