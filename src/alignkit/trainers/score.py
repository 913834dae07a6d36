"""``alignkit score-init`` and ``alignkit score-rl``: SCoRe, self-correction by multi-turn RL.

Kumar et al., "Training Language Models to Self-Correct via Reinforcement Learning" (arXiv 2409.12917). The same
policy answers a problem, reads its answer and a fixed self-correction instruction, and answers again::

    x → y₁ ~ π(·|x);    [x, y₁, p] → y₂ ~ π(·|x, y₁, p)        (p: "There might be an error ...")

Rewards are the task judge's binary verdicts r(y_t) ∈ {0, 1} (math: the final answer checked with math-verify;
code: the unit tests in the sandbox). A judge that fails (-1) gives no reward: the attempt is left out of the
baseline and the loss and counted, never read as wrong. This file reads like the paper:

* **Stage I** (eq. 3, ``score-init``): maximize r(y₂) while the first attempt stays close to the base model,
  ``E[r(y₂)] − β₂ KL(π(·|x) ‖ π_ref(·|x)) − β₁ KL(π(·|x, y₁, p) ‖ π_ref(·|x, y₁, p))``: :func:`stage1_rewards` and
  the per-attempt KL weights of :func:`kl_weights`.
* **Stage II** (eq. 4, ``score-rl``): ``E[r(y₁) + r(y₂)] − β₁ KL`` with the shaping bonus
  ``b = α (r(y₂) − r(y₁))`` on the second attempt: :func:`stage2_rewards`.
* Credit per attempt with γ = 0 (each attempt's tokens get their own reward, plus the bonus on attempt 2):
  :func:`attempt_returns`. Policy gradient (REINFORCE) with a per-problem leave-one-out baseline over the ``n``
  rollouts of each problem (RLOO; ``baseline=reinforce`` for none): :func:`attempt_advantages`,
  :func:`score_loss`.
* KL per token against the frozen reference π_ref (the base model; with LoRA, the adapter-free policy), with the
  k1 or k3 estimator, weighted per attempt, either subtracted from the attempt's reward (``kl_penalty=reward``,
  the default with k1: REINFORCE on ``r − β·log π/π_ref``, the exact gradient of the KL-regularised objective) or
  added to the loss (``kl_penalty=loss`` with k3: differentiated directly, as GRPO and BY571's SCoRe do):
  :func:`kl_per_token`.

Rollouts are built from token ids (:mod:`alignkit.generation.multiturn`): the tokens scored are exactly the tokens
sampled, and only tokens the model wrote are in the loss (prompt, instruction turn and padding are masked). The
number of attempts is ``score.attempts`` (default 2). Everything generic (scoring under π and π_ref, the exact
micro-batched gradient, accelerate, checkpoints, resume) is the engine's (:mod:`alignkit.trainers.engine`).

Where the paper is silent: rewards and KL of earlier attempts in Stage I (eq. 3 rewards the last attempt only, so
the first attempt's tokens get no reward, only the β₂ KL); for more than two attempts the bonus
``α (r(y_t) − r(y_{t−1}))`` is given at every attempt after the first and β₂ weighs every attempt but the last.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from alignkit.errors import ConfigError, DataError
from alignkit.trainers.engine import (
    Objective,
    PromptOrder,
    RLEngine,
    RLRecipe,
    Sample,
    Segment,
    build_accelerator,
    init_trackers,
    load_policy_and_reference,
    make_generator,
    run_trainer,
)

log = logging.getLogger(__name__)

BASELINES = ("rloo", "reinforce")
KL_ESTIMATORS = ("k1", "k3")
KL_PENALTIES = ("reward", "loss")

MATH_INSTRUCTION = (
    "There might be an error in the solution above because of lack of understanding of the question. Please "
    "correct the error, if any, and rewrite the solution. Only output the final solution! At the end of the "
    'Solution, when you give your final answer, write it in the form "Final Answer: The final answer is $answer$. '
    'I hope it is correct."'
)
"""The paper's self-correction instruction for MATH."""
CODE_INSTRUCTION = (
    "# There might be an error in the code above because of lack of understanding of the question. Please correct "
    "the error, if any, and rewrite the solution. Only output the final correct Python program!"
)
"""The paper's self-correction instruction for code (MBPP, HumanEval)."""


# --------------------------------------------------------------------------------------------------------------
# Recipe schema
# --------------------------------------------------------------------------------------------------------------


@dataclass
class ScoreDataConfig:
    """The training problems (see :func:`alignkit.data.load_prompts`); the held-out split is for evaluation."""

    source: str = "math_easy"  # shipped (math_easy, math, coding), a JSONL/Parquet file, or a hub set
    split: str = "train"
    limit: int | None = None  # the first N problems
    columns: dict[str, str] = field(default_factory=dict)  # schema field -> source column


@dataclass
class ScoreConfig:
    """What both stages share (``score.*``)."""

    instruction: str = MATH_INSTRUCTION  # the self-correction instruction, a user turn before every later attempt
    attempts: int = 2  # attempts per rollout
    num_generations: int = 4  # n rollouts per problem (the RLOO group)
    prompts_per_step: int = 2  # problems per step, over all processes (divisible by their number)
    baseline: str = "rloo"  # rloo (leave-one-out over the n rollouts of a problem) | reinforce (none)
    beta: float = 0.01  # β₁: KL weight of the last attempt (Stage I) / of every attempt (Stage II)
    # KL per sampled token. reward + k1 (default): REINFORCE on r − β·log(π/π_ref), the exact gradient of the
    # KL-regularised objective; loss + k3: β·k3 differentiated directly (GRPO, BY571's SCoRe). reward + k3 is
    # allowed (TRL's RLOO offers it) but its gradient is biased; loss + k1 is refused (zero expected gradient).
    kl_estimator: str = "k1"  # k1 | k3
    kl_penalty: str = "reward"  # reward | loss
    gamma: float = 0.0  # credit of later attempts' rewards to earlier attempts (the paper: 0)
    init_from: str | None = None  # a run directory (its final model or last checkpoint) or a checkpoint folder


@dataclass
class StageIConfig(ScoreConfig):
    """Stage I (eq. 3)."""

    beta2: float = 0.1  # β₂: the strong KL weight on the first attempt(s)


@dataclass
class StageIIConfig(ScoreConfig):
    """Stage II (eq. 4)."""

    alpha: float = 10.0  # α of the shaping bonus b = α (r(y₂) − r(y₁)); the paper asks for α > 1


def _check_common(cfg, stage2: bool) -> None:
    RLRecipe.check(cfg)
    s = cfg.score
    if s.attempts < 2:
        raise ConfigError(f"score.attempts={s.attempts}: self-correction needs at least 2 attempts.")
    if s.num_generations < 1:
        raise ConfigError(f"score.num_generations={s.num_generations} must be >= 1.")
    if s.baseline not in BASELINES:
        raise ConfigError(f"score.baseline={s.baseline!r}: use rloo or reinforce.")
    if s.baseline == "rloo" and s.num_generations < 2:
        raise ConfigError(f"score.baseline=rloo needs score.num_generations >= 2 (got {s.num_generations}); "
                          f"or use score.baseline=reinforce.")
    if s.prompts_per_step < 1:
        raise ConfigError(f"score.prompts_per_step={s.prompts_per_step} must be >= 1.")
    if s.kl_estimator not in KL_ESTIMATORS:
        raise ConfigError(f"score.kl_estimator={s.kl_estimator!r}: use k1 or k3.")
    if s.kl_penalty not in KL_PENALTIES:
        raise ConfigError(f"score.kl_penalty={s.kl_penalty!r}: use reward or loss.")
    if s.kl_penalty == "loss" and s.kl_estimator == "k1":
        raise ConfigError("score.kl_penalty=loss with score.kl_estimator=k1: the gradient of k1 on tokens sampled "
                          "from π is zero in expectation, so the KL would do nothing; use score.kl_estimator=k3 "
                          "with kl_penalty=loss, or kl_penalty=reward.")
    if s.beta < 0 or (not stage2 and s.beta2 < 0):
        raise ConfigError("score.beta and score.beta2 must be >= 0.")
    if not 0 <= s.gamma <= 1:
        raise ConfigError(f"score.gamma={s.gamma} must be in [0, 1].")
    if not str(s.instruction).strip():
        raise ConfigError("score.instruction is empty: give the self-correction instruction.")
    if cfg.judge is None or not hasattr(cfg.judge, "keys") or "_target_" not in cfg.judge:
        raise ConfigError("The recipe's `judge` needs a `_target_` (pull a shipped one with `- /judges@judge: math` "
                          "or `code` in the defaults list).")
    if cfg.generation.temperature <= 0:
        raise ConfigError(f"generation.temperature={cfg.generation.temperature}: RL samples; use a temperature > 0 "
                          f"(the paper: 1.0).")


@dataclass
class ScoreInitRecipe(RLRecipe):
    """Schema of ``recipes/score_init/*.yaml``."""

    data: ScoreDataConfig = field(default_factory=ScoreDataConfig)
    judge: Any = None  # a `_target_` judge config: the reward is its verdict (1 right, 0 wrong, -1 failed)
    score: StageIConfig = field(default_factory=StageIConfig)

    @staticmethod
    def check(cfg) -> None:
        _check_common(cfg, stage2=False)


@dataclass
class ScoreRLRecipe(RLRecipe):
    """Schema of ``recipes/score_rl/*.yaml``."""

    data: ScoreDataConfig = field(default_factory=ScoreDataConfig)
    judge: Any = None
    score: StageIIConfig = field(default_factory=StageIIConfig)

    @staticmethod
    def check(cfg) -> None:
        _check_common(cfg, stage2=True)
        if cfg.score.alpha < 0:
            raise ConfigError(f"score.alpha={cfg.score.alpha} must be >= 0 (the paper: α > 1, e.g. 10).")


# --------------------------------------------------------------------------------------------------------------
# The paper's equations, as pure functions of per-attempt tensors [N rollouts, T attempts]
# --------------------------------------------------------------------------------------------------------------


def verdict_rewards(values: Sequence[Sequence[int]]) -> torch.Tensor:
    """``[N, T]`` rewards from judge verdicts: 1 → 1, 0 → 0, -1 (the judge failed) → NaN (left out)."""
    t = torch.tensor([[float(v) for v in row] for row in values], dtype=torch.float64)
    return torch.where(t < 0, torch.full_like(t, math.nan), t)


def stage1_rewards(r: torch.Tensor) -> torch.Tensor:
    """Eq. 3: only the last attempt is rewarded, r̃_T = r(y_T); earlier attempts get 0 (they have the β₂ KL)."""
    out = torch.zeros_like(r)
    out[:, -1] = r[:, -1]
    return out


def stage2_rewards(r: torch.Tensor, alpha: float) -> torch.Tensor:
    """Eq. 4: every attempt gets its reward, and each later attempt the shaping bonus α (r(y_t) − r(y_{t−1})):
    with two attempts, r̃₁ = r(y₁) and r̃₂ = r(y₂) + α (r(y₂) − r(y₁)). A failed judge on y_{t−1} leaves the
    bonus (so r̃_t) undefined: NaN, left out."""
    out = r.clone()
    out[:, 1:] = r[:, 1:] + alpha * (r[:, 1:] - r[:, :-1])
    return out


def attempt_returns(rewards: torch.Tensor, gamma: float = 0.0) -> torch.Tensor:
    """What each attempt's tokens are credited with: ``G_t = Σ_{k≥t} γ^{k−t} r̃_k``; with γ = 0 (the paper),
    ``G_t = r̃_t``. NaN when a reward it uses is undefined."""
    if gamma == 0:
        return rewards.clone()
    out = rewards.clone()
    for t in range(rewards.shape[1] - 2, -1, -1):
        out[:, t] = rewards[:, t] + gamma * out[:, t + 1]
    return out


def attempt_advantages(returns: torch.Tensor, group_size: int, baseline: str) -> torch.Tensor:
    """``[N, T]`` advantages, attempt by attempt: RLOO ``A_i = G_i − mean_{j≠i} G_j`` over the rollouts of the
    same problem (prompt-major groups of ``group_size``) whose return is defined, or the return itself
    (``reinforce``). An undefined return gets 0 and is no one's baseline."""
    from alignkit.trainers.losses import rloo_advantages

    valid = ~torch.isnan(returns)
    out = torch.zeros_like(returns)
    for t in range(returns.shape[1]):
        if baseline == "rloo":
            out[:, t] = rloo_advantages(returns[:, t], group_size, valid[:, t])
        else:
            out[:, t] = torch.where(valid[:, t], returns[:, t], torch.zeros_like(returns[:, t]))
    return out


def kl_weights(attempts: int, stage: int, beta: float, beta2: float = 0.0) -> list[float]:
    """KL weight of each attempt: Stage I (eq. 3) β₂ on every attempt but the last and β₁ on the last; Stage II
    (eq. 4) β₁ on all."""
    if stage == 1:
        return [beta2] * (attempts - 1) + [beta]
    return [beta] * attempts


def kl_per_token(logps: torch.Tensor, ref_logps: torch.Tensor, estimator: str) -> torch.Tensor:
    """Per-token estimate of KL(π ‖ π_ref) on the sampled tokens: k1 = log π − log π_ref, or
    k3 = exp(log π_ref − log π) − (log π_ref − log π) − 1 (≥ 0, low variance)."""
    from alignkit.trainers.losses import kl_k1, kl_k3

    return kl_k1(logps, ref_logps) if estimator == "k1" else kl_k3(logps, ref_logps)


def per_attempt_sums(values: torch.Tensor, attempt_of_token: torch.Tensor, attempts: int) -> torch.Tensor:
    """``[N, C] -> [N, T]``: the sum of per-token values over each attempt's tokens (``attempt_of_token`` is -1 on
    tokens the model did not write)."""
    onehot = (attempt_of_token.unsqueeze(-1) == torch.arange(attempts, device=values.device)).to(values.dtype)
    return torch.einsum("nc,nct->nt", values, onehot)


def score_loss(logps: torch.Tensor, advantages: torch.Tensor, attempt_of_token: torch.Tensor,
               kl_tokens: torch.Tensor | None = None, kl_weight: torch.Tensor | None = None,
               normalizer: float | None = None) -> torch.Tensor:
    """The SCoRe loss of the policy's per-token log-probs ``[N, C]``::

        L = −(1/N) Σ_i Σ_t A_{i,t} log π(y_{i,t} | context) + (1/N) Σ_i Σ_tokens w · kl      (kl: loss mode only)

    ``A_{i,t}`` (constants) multiply the log-probability of attempt t's tokens only (REINFORCE with γ-credit per
    attempt); tokens with ``attempt_of_token = -1`` (prompt, instruction turn, padding) are in neither term.
    """
    n = float(logps.shape[0]) if normalizer is None else float(normalizer)
    written = attempt_of_token >= 0
    idx = attempt_of_token.clamp(min=0)
    adv_tok = torch.where(written, advantages.to(logps.dtype).gather(1, idx), torch.zeros_like(logps))
    loss = -(adv_tok.detach() * torch.where(written, logps, torch.zeros_like(logps))).sum()
    if kl_tokens is not None:
        loss = loss + torch.where(written, kl_weight.to(logps.dtype) * kl_tokens, torch.zeros_like(logps)).sum()
    return loss / max(n, 1e-12)


# --------------------------------------------------------------------------------------------------------------
# Rollouts as engine samples
# --------------------------------------------------------------------------------------------------------------


def to_sample(rollout, weights: Sequence[float]) -> Sample:
    """An engine :class:`Sample` of a multi-turn rollout: each attempt a trained segment with its KL weight, each
    instruction turn between attempts a masked segment."""
    segments = []
    for t, attempt in enumerate(rollout.attempts):
        segments.append(Segment(list(attempt.ids), train=True, kl_weight=float(weights[t])))
        if t < len(rollout.glue):
            segments.append(Segment(list(rollout.glue[t]), train=False, kl_weight=0.0))
    return Sample(list(rollout.prompt_ids), segments)


def attempt_index(segment: torch.Tensor) -> torch.Tensor:
    """Per token, the attempt that wrote it (segments alternate attempt, instruction turn, attempt...), else -1."""
    return torch.where((segment >= 0) & (segment % 2 == 0), segment // 2, torch.full_like(segment, -1))


# --------------------------------------------------------------------------------------------------------------
# The trainer
# --------------------------------------------------------------------------------------------------------------


class ScoreTrainer(RLEngine):
    """One step: B problems × n two-attempt rollouts, judged per attempt, one exact policy-gradient update."""

    def __init__(self, *, stage: int, score_cfg: Any, records: list[dict], judge: Any, temperature: float,
                 seed: int = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self.name = "score-init" if stage == 1 else "score-rl"
        self.stage, self.s, self.records, self.judge = stage, score_cfg, records, judge
        self.temperature = float(temperature)
        self.weights = kl_weights(score_cfg.attempts, stage, score_cfg.beta, getattr(score_cfg, "beta2", 0.0))
        if score_cfg.prompts_per_step % self.world:
            raise ConfigError(f"score.prompts_per_step={score_cfg.prompts_per_step} must be divisible by the "
                              f"number of processes ({self.world}).")
        self.order = PromptOrder(len(records), score_cfg.prompts_per_step, f"{seed}-{self.name}")

    def on_train_start(self) -> None:
        if self.s.init_from and hasattr(self.generator, "sync_weights"):
            self.generator.sync_weights()  # vLLM starts from the model's files, not from init_from's weights

    # -- one step --------------------------------------------------------------------------------------------

    def rollouts(self, indices: list[int]):
        from alignkit.generation.multiturn import multiturn_rollout

        prompts = [self.records[i]["prompt"] for i in indices]
        with self.generation_context():
            return multiturn_rollout(self.generator, self.tokenizer, prompts, self.s.instruction,
                                     n=self.s.num_generations, attempts=self.s.attempts,
                                     temperature=self.temperature)

    def judge_attempts(self, indices: list[int], rolls) -> list[list[int]]:
        """Verdict values ``[N][T]`` (1, 0, -1), one judge call for every attempt of the step."""
        T = self.s.attempts
        prompts, texts, meta = [], [], []
        for r in rolls:
            rec = self.records[indices[r.prompt_index]]
            for attempt in r.attempts:
                prompts.append(rec["prompt"])
                texts.append(attempt.text)
                meta.append(rec.get("metadata") or {})
        verdicts = self.judge(prompts, texts, meta)
        values = [v.value for v in verdicts]
        return [values[i * T:(i + 1) * T] for i in range(len(rolls))]

    def train_step(self, step: int) -> dict[str, Any]:
        s, T = self.s, self.s.attempts
        indices = self.order.shard(step, self.rank, self.world)
        rolls = self.rollouts(indices)
        verdicts = self.judge_attempts(indices, rolls)
        r = verdict_rewards(verdicts)
        shaped = stage1_rewards(r) if self.stage == 1 else stage2_rewards(r, s.alpha)
        samples = [to_sample(roll, self.weights) for roll in rolls]
        ref = self.score(samples, self.temperature, reference=True)
        attempt_of_token = attempt_index(ref.segment)
        seen: dict[str, torch.Tensor] = {}

        def loss(logps: torch.Tensor) -> torch.Tensor:
            """Eq. 3 / eq. 4 on this step's rollouts, from the policy's per-token log-probs [N, C]."""
            dev = logps.device
            ref_tok, who = ref.tokens.to(dev), attempt_of_token.to(dev)
            klw = ref.kl_weight.to(dev)
            kl_now = kl_per_token(logps.detach(), ref_tok, s.kl_estimator)
            kl_attempt = per_attempt_sums(torch.where(who >= 0, kl_now, torch.zeros_like(kl_now)), who, T).cpu()
            rewards = shaped.clone()
            if s.kl_penalty == "reward":  # r̃_t − β_t·KL_t, the KL of attempt t's own tokens
                rewards = rewards - torch.tensor(self.weights, dtype=rewards.dtype) * kl_attempt.to(rewards.dtype)
            returns = attempt_returns(rewards, s.gamma)
            adv = attempt_advantages(returns, s.num_generations, s.baseline)
            seen.update(kl=kl_attempt, adv=adv, returns=returns)
            kl_live = kl_per_token(logps, ref_tok, s.kl_estimator) if s.kl_penalty == "loss" else None
            return score_loss(logps, adv.to(dev), who, kl_live, klw)

        result = self.update([Objective(samples, loss=loss, level="token", temperature=self.temperature,
                                        name=self.name)])
        return self.step_metrics(rolls, verdicts, seen, result)

    # -- metrics -----------------------------------------------------------------------------------------------

    def step_metrics(self, rolls, verdicts: list[list[int]], seen: dict[str, torch.Tensor], result) -> dict:
        """Acc@t1, Acc@t2, Δ, Δ^{i→c}, Δ^{c→i}, KL and length of each attempt, edit-distance ratio between the
        first and the last attempt, judge failures, loss; summed over processes, then divided."""
        from alignkit.eval.self_correction_metrics import edit_distance_ratio

        T = self.s.attempts
        sums: dict[str, float] = {"rollouts": float(len(rolls)), "both_judged": 0.0, "i_to_c": 0.0, "c_to_i": 0.0,
                                  "edit_ratio": 0.0}
        for t in range(T):
            sums.update({f"right_{t}": 0.0, f"judged_{t}": 0.0, f"failed_{t}": 0.0, f"kl_{t}": 0.0,
                         f"len_{t}": 0.0, f"trunc_{t}": 0.0, f"right_both_{t}": 0.0})
        for roll, v in zip(rolls, verdicts, strict=True):
            for t, a in enumerate(roll.attempts):
                sums[f"len_{t}"] += len(a.ids)
                sums[f"trunc_{t}"] += float(a.truncated)
                sums[f"failed_{t}"] += float(v[t] == -1)
                sums[f"judged_{t}"] += float(v[t] != -1)
                sums[f"right_{t}"] += float(v[t] == 1)
            sums["edit_ratio"] += edit_distance_ratio(roll.attempts[0].text, roll.attempts[-1].text)
            if v[0] != -1 and v[-1] != -1:  # the transitions compare the first and the last attempt
                sums["both_judged"] += 1
                sums["i_to_c"] += float(v[0] == 0 and v[-1] == 1)
                sums["c_to_i"] += float(v[0] == 1 and v[-1] == 0)
                for t in range(T):
                    sums[f"right_both_{t}"] += float(v[t] == 1)
        kl = seen.get("kl")
        for t in range(T):
            sums[f"kl_{t}"] = float(kl[:, t].sum()) if kl is not None else 0.0
        sums["loss"] = float(result.losses[0]) if result.losses else 0.0
        total = self.reduce_metrics(sums)

        def rate(num: float, den: float) -> float:
            return num / den if den else math.nan

        n, both = total["rollouts"], total["both_judged"]
        out: dict[str, Any] = {}
        for t in range(T):
            out[f"accuracy_t{t + 1}"] = rate(total[f"right_both_{t}"], both)
        first, last = out["accuracy_t1"], out[f"accuracy_t{T}"]
        out[f"delta_t1_t{T}"] = last - first if both else math.nan
        out["delta_i_to_c"] = rate(total["i_to_c"], both)
        out["delta_c_to_i"] = rate(total["c_to_i"], both)
        for t in range(T):
            out[f"kl_attempt{t + 1}"] = rate(total[f"kl_{t}"], n)
            out[f"length_attempt{t + 1}"] = rate(total[f"len_{t}"], n)
            out[f"truncated_attempt{t + 1}"] = rate(total[f"trunc_{t}"], n)
            out[f"judge_failures_attempt{t + 1}"] = int(total[f"failed_{t}"])
        out["judge_failures"] = int(sum(total[f"failed_{t}"] for t in range(T)))
        out["edit_distance_ratio"] = rate(total["edit_ratio"], n)
        out["loss"] = total["loss"] / self.world
        out["grad_norm"] = result.grad_norm
        out["learning_rate"] = self.scheduler.get_last_lr()[0]
        out["rollouts"] = int(n)
        return out

    def brief(self, metrics: dict[str, Any]) -> str:
        T = self.s.attempts
        parts = [f"acc@t1={metrics.get('accuracy_t1', math.nan):.3f}",
                 f"acc@t{T}={metrics.get(f'accuracy_t{T}', math.nan):.3f}",
                 f"loss={metrics.get('loss', math.nan):.3f}", f"{metrics.get('time/step', 0.0):.1f}s/step"]
        return " ".join(parts)

    def close(self) -> None:
        try:
            self.judge.close()
        except Exception:  # noqa: BLE001 - closing must not hide the run's result
            log.debug("closing the judge failed", exc_info=True)
        super().close()


# --------------------------------------------------------------------------------------------------------------
# Starting weights (init_from) and building
# --------------------------------------------------------------------------------------------------------------


def resolve_init_from(path: str) -> Path:
    """The folder whose weights start the policy: a checkpoint folder as given; for a run directory its final
    model (``final/``), else its latest checkpoint; or a model folder (HF weights or a LoRA adapter)."""
    from alignkit.runs import Checkpoints

    p = Path(path).expanduser()
    if not p.is_dir():
        raise ConfigError(f"score.init_from={path}: no such directory; give a score-init run directory, one of its "
                          f"checkpoints (checkpoints/checkpoint-N) or a model folder.")
    if (p / "trainer_state.json").is_file() or p.name.startswith("checkpoint-"):
        return p
    if (p / "final").is_dir():
        return p / "final"
    if any((p / f).is_file() for f in ("model.safetensors", "adapter_model.safetensors", "pytorch_model.bin")):
        return p
    latest = Checkpoints(p).latest()
    if latest is not None:
        return latest
    raise ConfigError(f"score.init_from={path}: holds no final model and no checkpoint yet (a run that stopped "
                      f"before its first checkpoint?).")


def load_initial_weights(model, source: Path) -> None:
    """Load ``source``'s weights into the policy (before training starts); π_ref stays the base model.

    A LoRA adapter (``adapter_model.safetensors``) needs a LoRA policy with the same settings; full weights
    (``model.safetensors`` of a final model or of an accelerate checkpoint) need a policy of the same shape.
    """
    from safetensors.torch import load_file

    from alignkit.models.loading import is_peft

    adapter = source / "adapter_model.safetensors"
    full = source / "model.safetensors"
    if adapter.is_file():
        if not is_peft(model):
            raise ConfigError(f"score.init_from: {source} holds a LoRA adapter, but this run trains all weights; "
                              f"use the same LoRA settings as that run (model=lora).")
        from peft import set_peft_model_state_dict

        result = set_peft_model_state_dict(model, load_file(str(adapter)))
        unexpected = list(getattr(result, "unexpected_keys", []) or [])
        if unexpected:
            raise ConfigError(f"score.init_from: the adapter in {source} does not fit this model's LoRA layers "
                              f"({unexpected[:3]}...); use the LoRA settings of the run that wrote it.")
        log.info("Policy starts from the LoRA adapter in %s", source)
        return
    if not full.is_file():
        raise ConfigError(f"score.init_from: {source} has neither model.safetensors nor adapter_model.safetensors.")
    state = load_file(str(full))
    own = model.state_dict()
    if is_peft(model) and not any("lora_" in k for k in state):
        raise ConfigError(f"score.init_from: {source} holds full weights, but this run uses LoRA. Train Stage II "
                          f"with the same settings as Stage I, or start LoRA on top of it with "
                          f"model.name_or_path={source} (then π_ref is that model).")
    if not is_peft(model) and any("lora_" in k for k in state):
        raise ConfigError(f"score.init_from: {source} holds a LoRA model's weights, but this run trains all "
                          f"weights; use the same LoRA settings as that run (model=lora).")
    missing, unexpected = model.load_state_dict(state, strict=False)
    tied = {k for k in missing if k.endswith("lm_head.weight")
            and getattr(getattr(model, "config", None), "tie_word_embeddings", False)}
    missing = [k for k in missing if k not in tied]
    if missing or unexpected:
        raise ConfigError(f"score.init_from: the weights in {source} do not fit this model (missing {missing[:3]}, "
                          f"unexpected {unexpected[:3]}); use the model.name_or_path of the run that wrote them.")
    if len(own) and not state:
        raise ConfigError(f"score.init_from: {source}/model.safetensors is empty.")
    log.info("Policy starts from the weights in %s", source)


def load_records(data: Any) -> list[dict]:
    from alignkit.data import load_prompts

    records = list(load_prompts(data.source, split=data.split, columns=dict(data.columns or {}) or None,
                                limit=data.limit))
    if not records:
        raise DataError(f"data.source={data.source}: no problems in split {data.split}.")
    return records


def build_trainer(cfg, run_dir: Path, callbacks: Sequence[Callable] = ()) -> ScoreTrainer:
    """Load the policy (from ``score.init_from`` when given), π_ref, the generator, the problems and the judge."""
    from omegaconf import OmegaConf

    from alignkit.judges.loading import build_judge

    stage = 2 if OmegaConf.get_type(cfg.score) is StageIIConfig else 1
    accelerator, run_dir = build_accelerator(cfg, Path(run_dir))
    model, ref, tokenizer = load_policy_and_reference(cfg, accelerator)
    if cfg.score.init_from:
        load_initial_weights(model, resolve_init_from(cfg.score.init_from))
    records = load_records(cfg.data)
    judge = build_judge(OmegaConf.to_container(cfg.judge, resolve=True))
    log.info("SCoRe Stage %s: %d problems from %s/%s, %d attempts, n=%d, B=%d, baseline=%s, KL %s (%s) weights %s%s",
             "I" if stage == 1 else "II", len(records), cfg.data.source, cfg.data.split, cfg.score.attempts,
             cfg.score.num_generations, cfg.score.prompts_per_step, cfg.score.baseline, cfg.score.kl_estimator,
             cfg.score.kl_penalty, kl_weights(cfg.score.attempts, stage, cfg.score.beta,
                                              cfg.score.get("beta2", 0.0)),
             f", α={cfg.score.alpha}" if stage == 2 else "")
    trainer = ScoreTrainer(stage=stage, score_cfg=cfg.score, records=records, judge=judge,
                           temperature=cfg.generation.temperature, seed=int(cfg.seed), accelerator=accelerator,
                           model=model, ref_model=ref, tokenizer=tokenizer,
                           generator=make_generator(cfg, model, tokenizer, accelerator), trainer_cfg=cfg.trainer,
                           eval_cfg=cfg.eval, run_dir=run_dir, callbacks=callbacks)
    init_trackers(accelerator, cfg, f"alignkit-{trainer.name}-{cfg.recipe}")
    return trainer


def run(cfg, run_dir: Path, resume_from: Path | None = None, callbacks: Sequence[Callable] = ()) -> dict:
    """Entry point of ``alignkit score-init`` and ``alignkit score-rl``."""
    return run_trainer(build_trainer(cfg, Path(run_dir), callbacks=callbacks), resume_from)
