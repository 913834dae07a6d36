"""``alignkit cgpo``: Constrained Generative Policy Optimization with a Mixture of Judges.

Xu et al., "The Perfect Blend: Redefining RLHF with Mixture of Judges" (arXiv 2409.20370). The problem is

    max_π  E[r(x, y)]   subject to   every judge of x's task accepts y,   KL(π ‖ π_ref) ≤ KL_max,

solved with primal-type optimizers (no Lagrange multiplier). This file reads like the paper:

* **Algorithm 1** (one step of one task): sample B prompts, generate K responses each, let the task's Mixture
  of Judges split them into satisfied (X⁺) and violated (X⁻), score them with the task's reward, update with
  the task's optimizer. See :meth:`CGPOTrainer._collect`.
* **Eq. 5** calibrated reward ``R_calib(x, y) = σ(r(x, y) − r(x, ȳ))`` with ȳ a baseline response (the
  data's gold answer, or a greedy sample of π_ref drawn before RL starts): :func:`calibrated_reward`.
* **CRPG**, eq. 11 and 12: :func:`crpg_rewards`, :func:`crpg_loss`.
* **CODPO**, eq. 14 and its pair rules: :func:`codpo_pairs`, :func:`codpo_loss`.
* **CRRAFT**, eq. 17 and 18: :func:`crraft_select`, :func:`crraft_loss`.
* **Algorithm 2** (multi-task stratification): every task computes its gradient g_l on its own prompts, with
  its own reward, judges, optimizer and hyper-parameters; one optimizer step applies ``Σ_l ρ_l g_l``. See
  :meth:`CGPOTrainer.train_step`.

The loop is a plain :class:`accelerate.Accelerator` loop (not a ``GRPOTrainer`` subclass, because CODPO pairs
and CRRAFT selection need whole prompt groups), so ``accelerate launch`` with the configs of
``recipes/accelerate/`` gives DDP, DeepSpeed ZeRO-2/3 or FSDP: each rank takes its own shard of every task's
prompts, batch statistics (the CRPG baseline, the CODPO/CRRAFT normalisers, logged metrics) are reduced
across ranks, and every rank runs the same number of forward and backward passes per step.

Gradients of all three losses are taken through per-sequence log-probabilities ``ℓ_i = log π(y_i|x_i)``
only. When the sequences of a task do not fit in one micro-batch, the loss ``L(ℓ)`` is first evaluated on
log-probabilities computed without gradients, its coefficients ``c_i = ∂L/∂ℓ_i`` are taken by autograd,
and the gradient ``Σ_i c_i ∇ℓ_i = ∇L`` is then accumulated micro-batch by micro-batch (exact, with memory
bounded by the micro-batch).
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from alignkit.config.schema import GenerationConfig, RecipeBase
from alignkit.errors import ConfigError, DataError, UserError
from alignkit.trainers.common import StepTimer, linear_warmup_schedule, sequence_logprobs

log = logging.getLogger(__name__)

OPTIMIZERS = ("crpg", "codpo", "crraft")
BASELINES = ("reference", "policy")
BASELINE = -1  # crraft_select: "train on the baseline answer ȳ"


# --------------------------------------------------------------------------------------------------------------
# Recipe schema
# --------------------------------------------------------------------------------------------------------------


@dataclass
class TaskDataConfig:
    """A task's prompts (see :func:`alignkit.data.load_prompts`)."""

    source: str = "coding"  # a shipped task (coding, math, instruction_following, chat), a JSONL file, a hub set
    split: str = "train"
    limit: int | None = None  # keep the first N prompts (after `where`)
    columns: dict[str, str] = field(default_factory=dict)  # schema field -> source column
    # Keep prompts whose metadata matches: {key: value} or {key: [values]} (e.g. {category: factual}); this is
    # how one prompt set is stratified into disjoint tasks (Algorithm 2).
    where: dict[str, Any] = field(default_factory=dict)


@dataclass
class TaskConfig:
    """One task of Algorithm 2: its prompts, reward, judges, optimizer and hyper-parameters.

    Tasks are keyed by name under ``tasks:`` (``tasks.coding.kl_max=...`` on the command line).
    """

    data: TaskDataConfig = field(default_factory=TaskDataConfig)
    reward: Any = None  # a `_target_` config of a reward callable (reward(prompts, completions, metadata))
    judges: dict[str, Any] = field(default_factory=dict)  # name -> `_target_` config; empty: unconstrained RL
    optimizer: str = "crpg"  # crpg | codpo | crraft
    kl_max: float = 10.0  # KL_max (nats, sequence-level log-ratio): eq. 11 clipping, eq. 17 filter
    num_samples: int = 4  # K responses per prompt
    prompts_per_step: int = 2  # B prompts per step, over all ranks (divisible by the number of processes)
    beta: float = 0.1  # CODPO: DPO temperature β (eq. 14)
    lam: float = 1.0  # CODPO: weight λ of the length-normalised likelihood of the chosen answer (eq. 14)
    weight: float = 1.0  # ρ_l of Algorithm 2
    baseline: str = "reference"  # ȳ of eq. 5: reference = the data's gold answer; policy = greedy π_ref sample
    max_new_tokens: int | None = None  # None: generation.max_new_tokens
    temperature: float | None = None  # None: generation.temperature (crpg also scores log-probs at it)


@dataclass
class CGPOTrainerConfig:
    """Optimisation settings shared by all tasks."""

    max_steps: int = 4
    lr: float = 1e-6
    weight_decay: float = 0.0
    adam_beta1: float = 0.9
    adam_beta2: float = 0.95
    adam_eps: float = 1e-8
    warmup_steps: int = 0
    lr_schedule: str = "constant"  # constant | linear | cosine (after warm-up)
    grad_clip: float = 1.0  # max gradient norm; 0 disables clipping
    micro_batch_size: int = 16  # sequences per forward/backward pass
    log_every: int = 1
    save_every: int = 0  # 0: checkpoint at the end only
    keep_checkpoints: int = 2
    save_model: bool = True  # write the trained model (HF format) to <run>/final at the end
    progress: bool = True  # rich progress bar on the main process


@dataclass
class CGPORecipe(RecipeBase):
    """Schema of ``recipes/cgpo/*.yaml``."""

    generation: GenerationConfig = field(default_factory=GenerationConfig)
    trainer: CGPOTrainerConfig = field(default_factory=CGPOTrainerConfig)
    tasks: dict[str, TaskConfig] = field(default_factory=dict)

    @staticmethod
    def check(cfg) -> None:
        """Reject bad combinations, naming the key and the fix."""
        t = cfg.trainer
        if t.max_steps < 1:
            raise ConfigError(f"trainer.max_steps={t.max_steps} must be >= 1.")
        if t.lr <= 0:
            raise ConfigError(f"trainer.lr={t.lr} must be > 0.")
        if t.micro_batch_size < 1:
            raise ConfigError(f"trainer.micro_batch_size={t.micro_batch_size} must be >= 1.")
        if t.lr_schedule not in ("constant", "linear", "cosine"):
            raise ConfigError(f"trainer.lr_schedule={t.lr_schedule!r}: use constant, linear or cosine.")
        if t.grad_clip < 0:
            raise ConfigError(f"trainer.grad_clip={t.grad_clip} must be >= 0 (0 disables clipping).")
        if not cfg.tasks:
            raise ConfigError("The recipe has no tasks: add at least one under `tasks:` (see recipes/cgpo/coding.yaml).")
        for name, task in cfg.tasks.items():
            key = f"tasks.{name}"
            if task.optimizer not in OPTIMIZERS:
                raise ConfigError(f"{key}.optimizer={task.optimizer!r}: use one of {', '.join(OPTIMIZERS)}.")
            if task.baseline not in BASELINES:
                raise ConfigError(f"{key}.baseline={task.baseline!r}: use reference (the data's gold answer) or "
                                  f"policy (a greedy sample of the starting policy).")
            if task.reward is None:
                raise ConfigError(f"{key}.reward is missing: give a `_target_` reward config, e.g. "
                                  f"{key}.reward._target_=alignkit.rewards.rules.CodePassFraction.")
            if task.kl_max <= 0:
                raise ConfigError(f"{key}.kl_max={task.kl_max} must be > 0.")
            if task.prompts_per_step < 1:
                raise ConfigError(f"{key}.prompts_per_step={task.prompts_per_step} must be >= 1.")
            if task.num_samples < 1:
                raise ConfigError(f"{key}.num_samples={task.num_samples} must be >= 1.")
            if task.optimizer == "codpo" and task.num_samples < 2:
                raise ConfigError(f"{key}.num_samples={task.num_samples}: codpo needs pairs, use >= 2.")
            if task.optimizer == "crpg" and task.num_samples * task.prompts_per_step < 2:
                raise ConfigError(f"{key}: crpg's batch-mean baseline needs at least 2 responses per step; "
                                  f"raise {key}.num_samples or {key}.prompts_per_step.")
            if task.optimizer == "codpo" and task.beta <= 0:
                raise ConfigError(f"{key}.beta={task.beta} must be > 0.")
            if task.lam < 0:
                raise ConfigError(f"{key}.lam={task.lam} must be >= 0.")
            if task.weight < 0:
                raise ConfigError(f"{key}.weight={task.weight} (ρ) must be >= 0.")
            for jname, judge in (task.judges or {}).items():
                if judge is not None and (not hasattr(judge, "keys") or "_target_" not in judge):
                    raise ConfigError(f"{key}.judges.{jname} needs a `_target_` (or pull a shipped judge with "
                                      f"`- /judges@{key}.judges.{jname}: {jname}` in the defaults list).")
        if sum(task.weight for task in cfg.tasks.values()) <= 0:
            raise ConfigError("Every task has weight 0: set tasks.<name>.weight (ρ) > 0 for at least one task.")


# --------------------------------------------------------------------------------------------------------------
# The paper's equations, as pure functions of per-response tensors
# --------------------------------------------------------------------------------------------------------------


def calibrated_reward(rewards: torch.Tensor, baseline_rewards: torch.Tensor, temperature: float = 1.0
                      ) -> torch.Tensor:
    """Eq. 5: ``R_calib(x, y) = σ(r(x, y) − r(x, ȳ))``, the probability that y beats the baseline ȳ.

    ``temperature`` divides the reward gap (1, as in the paper, unless the reward's scale asks otherwise).
    """
    return torch.sigmoid((rewards - baseline_rewards) / temperature)


def kl_clip_factor(kl: torch.Tensor, kl_max: float) -> torch.Tensor:
    """The KL regulariser of eq. 11: ``max{1 − log(π/π_ref)(y|x) / KL_max, 0}``."""
    return torch.clamp(1.0 - kl / kl_max, min=0.0)


def crpg_rewards(calibrated: torch.Tensor, satisfied: torch.Tensor, kl: torch.Tensor, kl_max: float) -> torch.Tensor:
    """Eq. 11: ``R̃ = max{1 − KL/KL_max, 0} · R_cr`` with ``R_cr = R_calib`` if y satisfies every judge, else 0.

    A response whose reward could not be computed (NaN) counts like a violation: zero reward.
    """
    ok = satisfied.bool() & ~torch.isnan(calibrated)
    r_cr = torch.where(ok, calibrated, torch.zeros_like(calibrated))
    return kl_clip_factor(kl, kl_max) * r_cr


def crpg_loss(logps: torch.Tensor, rewards: torch.Tensor, baseline: torch.Tensor | float | None = None,
              normalizer: float | None = None) -> torch.Tensor:
    """Eq. 12: REINFORCE on R̃ minus its batch mean; ``∇L = −(1/N) Σ (R̃_i − mean R̃) ∇ log π(y_i|x_i)``.

    Args:
        logps: sequence log-probabilities log π(y|x) (gradients flow through these only).
        rewards: R̃ of eq. 11 (treated as constants).
        baseline: the batch mean of R̃; defaults to ``rewards.mean()`` (pass the mean over all ranks).
        normalizer: N; defaults to ``len(logps)``.
    """
    rewards = rewards.detach()
    if baseline is None:
        baseline = rewards.mean()
    n = float(len(logps)) if normalizer is None else float(normalizer)
    return -((rewards - baseline) * logps).sum() / max(n, 1e-12)


@dataclass(frozen=True)
class Pair:
    """A CODPO preference pair: indices of the chosen y⁺ and the rejected y⁻ among all responses."""

    chosen: int
    rejected: int
    fallback: bool  # True: no violated response, y⁻ is the lowest-reward response overall


def codpo_pairs(rewards: Sequence[float], satisfied: Sequence[bool], group_size: int) -> list[Pair | None]:
    """CODPO's pair rules, per prompt (responses in prompt-major groups of ``group_size``).

    * y⁺ = the highest-reward response among the satisfied ones (X⁺); no satisfied response: skip (None);
    * y⁻ = the lowest-reward response among the violated ones (X⁻); no violated response: the lowest-reward
      response overall (other than y⁺).

    Responses whose reward is NaN (the reward failed) take part in neither role.
    """
    out: list[Pair | None] = []
    for start in range(0, len(rewards), group_size):
        idx = [i for i in range(start, start + group_size) if not math.isnan(float(rewards[i]))]
        pos = [i for i in idx if satisfied[i]]
        neg = [i for i in idx if not satisfied[i]]
        if not pos:
            out.append(None)
            continue
        chosen = max(pos, key=lambda i: (float(rewards[i]), -i))
        if neg:
            out.append(Pair(chosen, min(neg, key=lambda i: (float(rewards[i]), i)), fallback=False))
            continue
        others = [i for i in idx if i != chosen]
        if not others:
            out.append(None)
            continue
        out.append(Pair(chosen, min(others, key=lambda i: (float(rewards[i]), i)), fallback=True))
    return out


def codpo_loss(logp_chosen: torch.Tensor, ref_chosen: torch.Tensor, logp_rejected: torch.Tensor,
               ref_rejected: torch.Tensor, chosen_lengths: torch.Tensor, beta: float, lam: float,
               normalizer: float | None = None) -> torch.Tensor:
    """Eq. 14, averaged over pairs:

    ``L = −log σ(β[log π/π_ref(y⁺) − log π/π_ref(y⁻)]) − (λ/|y⁺|) · log π(y⁺|x)``.
    """
    margin = beta * ((logp_chosen - ref_chosen) - (logp_rejected - ref_rejected))
    per_pair = -F.logsigmoid(margin) - lam * logp_chosen / chosen_lengths.clamp(min=1).to(logp_chosen.dtype)
    n = float(len(per_pair)) if normalizer is None else float(normalizer)
    return per_pair.sum() / max(n, 1e-12)


def crraft_select(rewards: Sequence[float], satisfied: Sequence[bool], kl: Sequence[float], kl_max: float,
                  group_size: int, baseline_satisfied: Sequence[bool]) -> list[int | None]:
    """Eq. 17, per prompt: drop responses that violate a judge or whose KL exceeds KL_max; pick the
    highest-reward survivor. None survives: :data:`BASELINE` (train on ȳ) if ȳ passes the judges, else None
    (skip the prompt). Responses whose reward is NaN never survive.
    """
    out: list[int | None] = []
    for p, start in enumerate(range(0, len(rewards), group_size)):
        alive = [i for i in range(start, start + group_size)
                 if satisfied[i] and float(kl[i]) <= kl_max and not math.isnan(float(rewards[i]))]
        if alive:
            out.append(max(alive, key=lambda i: (float(rewards[i]), -i)))
        elif baseline_satisfied[p]:
            out.append(BASELINE)
        else:
            out.append(None)
    return out


def crraft_loss(logps: torch.Tensor, calibrated: torch.Tensor, normalizer: float | None = None) -> torch.Tensor:
    """Eq. 18: supervised fine-tuning on the selected y*, weighted by R_calib(x, y*):
    ``L = −(1/S) Σ R_calib(x, y*) · log π(y*|x)``."""
    n = float(len(logps)) if normalizer is None else float(normalizer)
    return -(calibrated.detach() * logps).sum() / max(n, 1e-12)


# --------------------------------------------------------------------------------------------------------------
# Tasks at run time
# --------------------------------------------------------------------------------------------------------------


class Task:
    """A task of Algorithm 2 with its prompts, reward, Mixture of Judges and baseline answers ȳ.

    The reward r is wrapped in :class:`alignkit.rewards.CalibratedReward`, which caches r(x, ȳ) per prompt id
    (and ȳ itself), and saves/loads that cache so that a resumed run calibrates against the same ȳ.
    """

    def __init__(self, name: str, cfg: Any, records: list[dict], reward: Callable, judges: Any, seed: int = 0):
        from alignkit.rewards.calibrated import CalibratedReward

        if not records:
            raise DataError(f"tasks.{name}: the data source {cfg.data.source!r} gave no prompts.")
        self.name, self.cfg, self.records = name, cfg, records
        self.judges, self.seed = judges, seed
        if isinstance(reward, CalibratedReward):
            if reward.baseline != cfg.baseline:
                raise ConfigError(f"tasks.{name}.baseline={cfg.baseline} but its CalibratedReward uses "
                                  f"baseline={reward.baseline}: make them agree (or give the base reward only).")
            self.calibrator = reward
        else:
            self.calibrator = CalibratedReward(base_reward=reward, baseline=cfg.baseline, name=f"{name}_calibrated")
        self.reward = self.calibrator.base  # r(x, y)
        self.baseline_text: dict[int, str | None] = {}
        self._baseline_ok: dict[int, bool] = {}
        self.baseline_judge_failures = 0  # judge failures (-1) on ȳ, reported in the metrics
        self._epoch_order: dict[int, list[int]] = {}

    @property
    def optimizer(self) -> str:
        return self.cfg.optimizer

    def global_positions(self, step: int) -> list[int]:
        """Indices into ``records`` of the B prompts of ``step``: a seeded shuffle per epoch (resumable)."""
        n, b = len(self.records), self.cfg.prompts_per_step
        out = []
        for pos in range(step * b, (step + 1) * b):
            epoch, offset = divmod(pos, n)
            if epoch not in self._epoch_order:
                perm = list(range(n))
                random.Random(f"{self.seed}-{self.name}-{epoch}").shuffle(perm)
                self._epoch_order = {epoch: perm}  # keep the current epoch only
            out.append(self._epoch_order[epoch][offset])
        return out

    def local_positions(self, step: int, rank: int, world: int) -> list[int]:
        """This rank's shard of the step's prompts."""
        positions = self.global_positions(step)
        per_rank = len(positions) // world
        return positions[rank * per_rank:(rank + 1) * per_rank]

    def baseline_rewards(self, indices: list[int]) -> list[float]:
        """r(x, ȳ) per prompt, scored once per prompt and cached."""
        cal = self.calibrator
        todo = [i for i in dict.fromkeys(indices)
                if cal.baseline_reward(self.records[i]["prompt"], self.records[i]["id"]) is None]
        if todo:
            cal.precompute([self.records[i]["prompt"] for i in todo], [self.baseline_text.get(i) or "" for i in todo],
                           [self.records[i].get("metadata") or {} for i in todo], [self.records[i]["id"] for i in todo])
        out = []
        for i in indices:
            value = cal.baseline_reward(self.records[i]["prompt"], self.records[i]["id"])
            out.append(float("nan") if value is None else float(value))
        return out

    def calibrate(self, rewards: torch.Tensor, baseline_rewards: torch.Tensor) -> torch.Tensor:
        """Eq. 5 with the calibrator's temperature."""
        return calibrated_reward(rewards, baseline_rewards, self.calibrator.temperature)

    def baseline_satisfied(self, indices: list[int]) -> list[bool]:
        """Does ȳ pass the task's judges (CRRAFT's fallback)? Definite verdicts are cached; when a judge
        itself failed (-1) on ȳ, ȳ does not pass this time and is judged again next time."""
        todo = [i for i in dict.fromkeys(indices) if i not in self._baseline_ok]
        out = {i: self._baseline_ok.get(i, False) for i in indices}
        have = [i for i in todo if self.baseline_text.get(i)]
        for i in todo:
            if i not in have:
                self._baseline_ok[i] = False
        if have:
            res = self.judges.judge([self.records[i]["prompt"] for i in have], [self.baseline_text[i] for i in have],
                                    [self.records[i].get("metadata") or {} for i in have])
            for i, ok, failed in zip(have, res.satisfied, res.failed, strict=True):
                out[i] = bool(ok)
                if failed:
                    self.baseline_judge_failures += 1
                else:
                    self._baseline_ok[i] = bool(ok)
        return [out[i] for i in indices]

    def close(self) -> None:
        for thing in (self.judges, self.calibrator):
            close = getattr(thing, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:  # noqa: BLE001 - closing must not hide the run's result
                    log.debug("closing %r failed", thing, exc_info=True)


@dataclass
class TaskBatch:
    """One task's data for one step (Algorithm 1), local to this rank."""

    task: Task
    indices: list[int]  # record indices, B_local
    prompt_ids: list[list[int]]  # per response (N = B_local · K)
    completion_ids: list[list[int]]
    texts: list[str]
    truncated: list[bool]
    satisfied: torch.Tensor  # [N] bool
    judge_values: dict[str, list[int]]
    rewards: torch.Tensor  # [N] raw r(x, y), NaN where the reward failed
    calibrated: torch.Tensor  # [N] eq. 5
    ref_logps: torch.Tensor  # [N] log π_ref(y|x)
    policy_logps: torch.Tensor | None  # [N] log π(y|x) without gradient (None: computed in the fused pass)
    lengths: torch.Tensor  # [N] completion tokens
    logprob_temperature: float = 1.0  # T in log softmax(logits / T) for every log π and log π_ref of this batch
    # Filled by the optimizer's plan:
    grad_prompt_ids: list[list[int]] = field(default_factory=list)
    grad_completion_ids: list[list[int]] = field(default_factory=list)
    coefficients: torch.Tensor | None = None  # ∂L/∂ℓ_i for the grad sequences (two-pass mode)
    fused: bool = False  # crpg in one micro-batch: compute the loss from the grad forward itself
    baseline_ok: list[bool] = field(default_factory=list)  # crraft: does ȳ pass the judges, per prompt
    loss_from_surrogate: bool = False  # a linear loss (eq. 18): its value is the sum of the surrogates
    loss: float = 0.0
    skipped: int = 0  # prompts skipped by the optimizer
    n_micro: int = 0  # grad micro-batches (synchronised across ranks)
    extra: dict[str, float] = field(default_factory=dict)
    timer: dict[str, float] = field(default_factory=dict)

    @property
    def kl(self) -> torch.Tensor:
        """Per-response sequence log-ratio log π(y|x) − log π_ref(y|x)."""
        assert self.policy_logps is not None
        return self.policy_logps - self.ref_logps


# --------------------------------------------------------------------------------------------------------------
# The trainer
# --------------------------------------------------------------------------------------------------------------


class CGPOTrainer:
    """Multi-task CGPO (Algorithm 2) on an :class:`accelerate.Accelerator`.

    Build it with :func:`build_trainer` from a recipe, or directly with loaded parts (tests, scripts).
    ``callbacks`` are called as ``cb(trainer, step, metrics)`` after every optimizer step on every rank.
    """

    def __init__(self, *, accelerator, model, ref_model, tokenizer, generator, tasks: list[Task],
                 trainer_cfg: Any, run_dir: Path, config_dict: dict | None = None,
                 callbacks: Sequence[Callable] = ()):
        from alignkit.runs import Checkpoints, MetricsLog

        self.accelerator = accelerator
        self.tokenizer = tokenizer
        self.tasks = tasks
        self.cfg = trainer_cfg
        self.run_dir = Path(run_dir)
        self.callbacks = list(callbacks)
        self.config_dict = config_dict or {}
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        self.eos_id = tokenizer.eos_token_id
        self.world = accelerator.num_processes
        self.rank = accelerator.process_index
        for task in tasks:
            if task.cfg.prompts_per_step % self.world:
                raise ConfigError(
                    f"tasks.{task.name}.prompts_per_step={task.cfg.prompts_per_step} is not divisible by the "
                    f"{self.world} processes: make it a multiple of {self.world}.")
        decay, no_decay = [], []
        for n, p in model.named_parameters():
            if p.requires_grad:
                (no_decay if p.ndim < 2 or "norm" in n.lower() else decay).append(p)
        groups = [{"params": decay, "weight_decay": trainer_cfg.weight_decay},
                  {"params": no_decay, "weight_decay": 0.0}]
        optimizer = torch.optim.AdamW([g for g in groups if g["params"]], lr=trainer_cfg.lr,
                                      betas=(trainer_cfg.adam_beta1, trainer_cfg.adam_beta2), eps=trainer_cfg.adam_eps)
        scheduler = linear_warmup_schedule(optimizer, trainer_cfg.warmup_steps, trainer_cfg.max_steps,
                                           trainer_cfg.lr_schedule)
        self.model, self.optimizer, self.scheduler = accelerator.prepare(model, optimizer, scheduler)
        self.ref_model = _prepare_reference(ref_model, accelerator)
        self.generator = generator  # holds the same parameters as the prepared model (DDP wraps, not copies)
        self.metrics = MetricsLog(self.run_dir / "metrics.jsonl")
        self.checkpoints = Checkpoints(self.run_dir, keep=trainer_cfg.keep_checkpoints)
        self.step = 0
        self.optimizer_steps = 0  # steps that applied a gradient (a step where every task was skipped does not)
        self.timer = StepTimer()
        self.history: list[dict[str, Any]] = []

    # -- helpers ------------------------------------------------------------------------------------------------

    @property
    def unwrapped(self):
        return self.accelerator.unwrap_model(self.model)

    def _reduce_sum(self, values: list[float]) -> list[float]:
        t = torch.tensor(values, dtype=torch.float64, device=self.accelerator.device)
        if self.world > 1:
            t = self.accelerator.reduce(t, reduction="sum")
        return t.tolist()

    def _reduce_max(self, value: int) -> int:
        if self.world == 1:
            return int(value)
        t = torch.tensor([value], dtype=torch.long, device=self.accelerator.device)
        return int(self.accelerator.gather(t).max().item())

    @torch.no_grad()
    def _score(self, model, prompt_ids, completion_ids, temperature: float = 1.0) -> torch.Tensor:
        was_training = model.training
        model.eval()
        try:
            return sequence_logprobs(model, prompt_ids, completion_ids, pad_id=self.pad_id, temperature=temperature,
                                     micro_batch_size=self.cfg.micro_batch_size).float().cpu()
        finally:
            model.train(was_training)

    def reference_logps(self, prompt_ids, completion_ids, temperature: float = 1.0) -> torch.Tensor:
        """log π_ref(y|x) (a frozen copy, or the policy with its LoRA adapter disabled)."""
        from alignkit.models import reference_forward

        with reference_forward(self.unwrapped, self.ref_model) as ref:
            return self._score(ref, prompt_ids, completion_ids, temperature)

    def _logprob_temperature(self, task: Task) -> float:
        """T of the log-probs a task's loss and KL use.

        crpg is REINFORCE (eq. 12): its gradient is unbiased for the distribution the responses were sampled
        from, softmax(logits / T), so π and π_ref are both scored at the sampling temperature (as TRL's GRPO
        does). codpo (a DPO loss) and crraft (weighted SFT) fit the model's own distribution: T = 1.
        """
        if task.optimizer != "crpg":
            return 1.0
        t = task.cfg.temperature
        if t is None:
            t = getattr(getattr(self.generator, "settings", None), "temperature", 1.0)
        return float(t) if t and t > 0 else 1.0

    # -- baselines ȳ ----------------------------------------------------------------------------------------------

    def prepare_baselines(self) -> None:
        """ȳ per prompt for eq. 5: the data's gold answer, or a greedy sample of π_ref (``baseline=policy``).

        π_ref is frozen, so with HF generation ȳ is drawn lazily, from π_ref itself, the first time a prompt
        is used (:meth:`ensure_baselines`): the same distribution as drawing every ȳ before RL starts, without
        paying for prompts a short run never reaches. vLLM holds the *current* policy, so with it every ȳ is
        drawn here, before the first update. Sampled ȳ are kept in ``<run>/baselines/<task>.rank<R>.jsonl``
        and read back on resume.
        """
        from accelerate.utils import gather_object

        from alignkit.generation import rollout

        for task in self.tasks:
            if task.cfg.baseline == "reference":
                missing = [r["id"] for r in task.records if not r.get("reference")]
                if missing:
                    raise DataError(
                        f"tasks.{task.name}.baseline=reference but {len(missing)} prompts have no gold answer "
                        f"(e.g. {missing[0]}): use tasks.{task.name}.baseline=policy.")
                task.baseline_text = {i: r["reference"] for i, r in enumerate(task.records)}
                continue
            by_id: dict[str, str] = {}
            for path in sorted((self.run_dir / "baselines").glob(f"{task.name}.rank*.jsonl")):
                for line in path.read_text().splitlines():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:  # a line torn by a kill
                        continue
                    by_id[row["id"]] = row["text"]
            task.baseline_text = {i: by_id[r["id"]] for i, r in enumerate(task.records) if r["id"] in by_id}
            if getattr(self.generator, "settings", None) is not None and self.generator.settings.backend == "vllm":
                todo = [i for i in range(self.rank, len(task.records), self.world) if i not in task.baseline_text]
                texts = [r.text for r in rollout(self.generator, self.tokenizer,
                                                 [task.records[i]["prompt"] for i in todo], 1, temperature=0.0,
                                                 max_new_tokens=task.cfg.max_new_tokens)] if todo else []
                self._store_baselines(task, dict(zip(todo, texts, strict=True)))
                pairs = gather_object(list(task.baseline_text.items())) if self.world > 1 else []
                task.baseline_text.update(dict(pairs))

    def ensure_baselines(self, task: Task, indices: list[int]) -> None:
        """Draw the missing ȳ of ``indices`` greedily from π_ref (``baseline=policy``, HF generation)."""
        if task.cfg.baseline != "policy":
            return
        todo = [i for i in dict.fromkeys(indices) if i not in task.baseline_text]
        if not todo:
            return
        from alignkit.generation import HFGenerator, rollout
        from alignkit.models import reference_forward

        with reference_forward(self.unwrapped, self.ref_model) as ref:
            generator = HFGenerator(ref, self.tokenizer, self.generator.settings)
            rolls = rollout(generator, self.tokenizer, [task.records[i]["prompt"] for i in todo], 1,
                            temperature=0.0, max_new_tokens=task.cfg.max_new_tokens)
        self._store_baselines(task, {i: r.text for i, r in zip(todo, rolls, strict=True)})

    def _store_baselines(self, task: Task, texts: dict[int, str]) -> None:
        if not texts:
            return
        task.baseline_text.update(texts)
        path = self.run_dir / "baselines" / f"{task.name}.rank{self.rank}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as fh:
            for i, text in texts.items():
                fh.write(json.dumps({"id": task.records[i]["id"], "text": text}) + "\n")

    # -- Algorithm 1 for one task (everything but the gradient) ---------------------------------------------------

    def _collect(self, task: Task, step: int) -> TaskBatch:
        """Sample, judge, score and plan one task's update for this step."""
        from alignkit.generation import rollout

        cfg = task.cfg
        k = cfg.num_samples
        timer = StepTimer()
        indices = task.local_positions(step, self.rank, self.world)
        records = [task.records[i] for i in indices]
        with timer("baseline"):
            self.ensure_baselines(task, indices)
        prompts = [r["prompt"] for r in records]
        # Alg. 1: K responses for each of the B prompts.
        with timer("generation"):
            rolls = rollout(self.generator, self.tokenizer, prompts, k, temperature=cfg.temperature,
                            max_new_tokens=cfg.max_new_tokens)
        texts = [r.text for r in rolls]
        rep_prompts = [prompts[r.prompt_index] for r in rolls]
        # The judges also see whether the generator cut the response at max_new_tokens (the format judge).
        rep_meta = [{**(records[r.prompt_index].get("metadata") or {}), "truncated": r.truncated} for r in rolls]
        # Alg. 1: the Mixture of Judges splits the responses into X⁺ (satisfied) and X⁻ (violated).
        base_ok: list[bool] = []
        with timer("judging"):
            verdict = task.judges.judge(rep_prompts, texts, rep_meta)
            if task.optimizer == "crraft":
                failures = task.baseline_judge_failures
                base_ok = task.baseline_satisfied(indices)
                base_failures = task.baseline_judge_failures - failures
        # Eq. 5: the task's reward and the calibrated reward against ȳ.
        with timer("reward"):
            raw = task.reward(rep_prompts, texts, rep_meta)
            rewards = torch.tensor([float("nan") if v is None else float(v) for v in raw], dtype=torch.float32)
            base = torch.tensor(task.baseline_rewards(indices), dtype=torch.float32).repeat_interleave(k)
            calibrated = task.calibrate(rewards, base)
        prompt_ids = [r.prompt_ids for r in rolls]
        completion_ids = [r.completion_ids for r in rolls]
        lp_t = self._logprob_temperature(task)
        with timer("update"):
            ref_logps = self.reference_logps(prompt_ids, completion_ids, lp_t)
            fused = task.optimizer == "crpg" and len(rolls) <= self.cfg.micro_batch_size
            policy_logps = None if fused else self._score(self.model, prompt_ids, completion_ids, lp_t)
        batch = TaskBatch(
            task=task, indices=indices, prompt_ids=prompt_ids, completion_ids=completion_ids, texts=texts,
            truncated=[r.truncated for r in rolls], satisfied=torch.tensor(verdict.satisfied, dtype=torch.bool),
            judge_values=verdict.per_judge, rewards=rewards, calibrated=calibrated, ref_logps=ref_logps,
            policy_logps=policy_logps, lengths=torch.tensor([len(c) for c in completion_ids], dtype=torch.float32),
            fused=fused, baseline_ok=base_ok, logprob_temperature=lp_t,
        )
        if task.optimizer == "crraft":
            batch.extra["baseline_judge_failed"] = float(base_failures)
        with timer("update"):
            self._plan(batch)
        batch.timer = timer.reset()
        return batch

    def _plan(self, b: TaskBatch) -> None:
        """Choose the sequences that get a gradient and, in two-pass mode, their coefficients ∂L/∂ℓ_i."""
        task, k = b.task, b.task.cfg.num_samples
        if task.optimizer == "crpg":
            b.grad_prompt_ids, b.grad_completion_ids = b.prompt_ids, b.completion_ids
            if not b.fused:
                leaf = b.policy_logps.clone().requires_grad_(True)
                loss = self._crpg_objective(b, leaf)
                (b.coefficients,) = torch.autograd.grad(loss, leaf)
                b.loss = float(loss.detach())
        elif task.optimizer == "codpo":
            pairs = codpo_pairs(b.rewards.tolist(), b.satisfied.tolist(), k)
            valid = [p for p in pairs if p is not None]
            b.skipped = len(pairs) - len(valid)
            b.extra["pair_fallback_rate"] = sum(p.fallback for p in valid)
            n_pairs_global = self._reduce_sum([len(valid)])[0]
            normalizer = n_pairs_global / self.world
            chosen = [p.chosen for p in valid]
            rejected = [p.rejected for p in valid]
            b.grad_prompt_ids = [b.prompt_ids[i] for i in chosen + rejected]
            b.grad_completion_ids = [b.completion_ids[i] for i in chosen + rejected]
            leaf = b.policy_logps[chosen + rejected].clone().requires_grad_(True)
            n = len(valid)
            loss = codpo_loss(leaf[:n], b.ref_logps[chosen], leaf[n:], b.ref_logps[rejected], b.lengths[chosen],
                              task.cfg.beta, task.cfg.lam, normalizer=normalizer) if n else leaf.sum() * 0.0
            b.coefficients = torch.autograd.grad(loss, leaf)[0] if n else torch.zeros(0)
            b.loss = float(loss.detach())
            # (every rank logs the same keys, zeros included: the metrics are summed across ranks key by key)
            margin = (b.policy_logps[chosen] - b.ref_logps[chosen]) - (b.policy_logps[rejected] - b.ref_logps[rejected])
            b.extra["dpo_margin"] = float(margin.sum())
            b.extra["chosen_reward"] = float(b.rewards[chosen].sum())
            b.extra["rejected_reward"] = float(b.rewards[rejected].sum())
            b.extra["pairs"] = float(n)
        else:  # crraft
            picks = crraft_select(b.rewards.tolist(), b.satisfied.tolist(), b.kl.tolist(), task.cfg.kl_max, k,
                                  b.baseline_ok)
            b.skipped = sum(p is None for p in picks)
            prompt_ids, completion_ids, weights = [], [], []
            n_baseline = 0
            for p, pick in enumerate(picks):
                if pick is None:
                    continue
                if pick == BASELINE:
                    # ȳ as the target: its calibrated reward is σ(r(ȳ) − r(ȳ)) = 0.5 (eq. 5).
                    n_baseline += 1
                    prompt_ids.append(b.prompt_ids[p * k])
                    completion_ids.append(self._answer_ids(task.baseline_text[b.indices[p]]))
                    weights.append(float(calibrated_reward(torch.tensor(0.0), torch.tensor(0.0))))
                else:
                    prompt_ids.append(b.prompt_ids[pick])
                    completion_ids.append(b.completion_ids[pick])
                    weights.append(float(b.calibrated[pick]))
            b.extra["baseline_used"] = float(n_baseline)
            n_sel_global = self._reduce_sum([len(weights)])[0]
            normalizer = n_sel_global / self.world
            b.grad_prompt_ids, b.grad_completion_ids = prompt_ids, completion_ids
            w = torch.tensor(weights, dtype=torch.float32)
            # eq. 18 is linear in log π(y*|x): ∂L/∂ℓ_i = −R_calib(x, y*_i) / S.
            b.coefficients = -w / max(normalizer, 1e-12) if weights else torch.zeros(0)
            b.loss_from_surrogate = True  # the loss is Σ c_i ℓ_i itself: summed up during the gradient pass
            b.extra["selected_calibrated_reward"] = float(w.sum())
        n_local = 1 if b.fused else math.ceil(len(b.grad_completion_ids) / self.cfg.micro_batch_size)
        b.n_micro = self._reduce_max(n_local)

    def _answer_ids(self, text: str) -> list[int]:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return [*ids, self.eos_id] if self.eos_id is not None else list(ids)

    def _crpg_objective(self, b: TaskBatch, logps: torch.Tensor) -> torch.Tensor:
        """Eq. 11 then eq. 12 for this rank's responses, with the baseline and N taken over all ranks."""
        kl = logps.detach().float().cpu() - b.ref_logps
        rtilde = crpg_rewards(b.calibrated, b.satisfied, kl, b.task.cfg.kl_max)
        total, count = self._reduce_sum([float(rtilde.sum()), float(len(rtilde))])
        b.extra["crpg_reward"] = float(rtilde.sum())
        b.extra["kl_factor"] = float(kl_clip_factor(kl, b.task.cfg.kl_max).sum())
        if b.policy_logps is None:
            b.policy_logps = logps.detach().float().cpu()
        return crpg_loss(logps, rtilde.to(logps.device), baseline=total / max(count, 1),
                         normalizer=count / self.world)

    # -- Algorithm 2: one optimizer step over all tasks -----------------------------------------------------------

    def train_step(self, step: int) -> dict[str, Any]:
        """Collect every task, then accumulate Σ_l ρ_l ∇L_l and take one optimizer step."""
        acc = self.accelerator
        t_start = time.perf_counter()
        self.model.train()
        batches = [self._collect(task, step) for task in self.tasks]
        total_micro = sum(b.n_micro for b in batches)
        done = 0
        for b in batches:
            t0 = time.perf_counter()
            rho = b.task.cfg.weight
            for m in range(b.n_micro):
                done += 1
                last = done == total_micro
                acc.sync_gradients = last  # DeepSpeed: step only after the last backward of the step
                ctx = acc.no_sync(self.model) if not last else _nullcontext()
                with ctx:
                    loss = self._micro_loss(b, m)
                    acc.backward(rho * loss)
            b.timer["update"] = b.timer.get("update", 0.0) + time.perf_counter() - t0
        acc.sync_gradients = True
        grad_norm = float("nan")
        t0 = time.perf_counter()
        if total_micro:
            if self.cfg.grad_clip > 0:
                norm = acc.clip_grad_norm_(self.model.parameters(), self.cfg.grad_clip)
                grad_norm = float(norm) if norm is not None else float("nan")
            self.optimizer.step()
            self.optimizer_steps += 1
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        if hasattr(self.generator, "sync_weights"):
            self.generator.sync_weights()  # vLLM samples from the updated policy at the next step
        optim_time = time.perf_counter() - t0
        metrics = self._metrics(batches)
        metrics["grad_norm"] = grad_norm
        metrics["lr"] = self.scheduler.get_last_lr()[0]
        metrics["loss"] = sum(b.task.cfg.weight * metrics[f"{b.task.name}/loss"] for b in batches)
        metrics["time/optimizer"] = optim_time
        metrics["time/step"] = time.perf_counter() - t_start
        return metrics

    def _micro_loss(self, b: TaskBatch, m: int) -> torch.Tensor:
        """The loss whose gradient is this micro-batch's share of ∇L_l."""
        mb = self.cfg.micro_batch_size
        if b.fused:  # crpg, everything in one pass: eq. 11–12 on the log-probs that carry the gradient
            logps = sequence_logprobs(self.model, b.grad_prompt_ids, b.grad_completion_ids, pad_id=self.pad_id,
                                      temperature=b.logprob_temperature)
            loss = self._crpg_objective(b, logps)
            b.loss = float(loss.detach())
            return loss
        lo, hi = m * mb, (m + 1) * mb
        prompt_ids, completion_ids = b.grad_prompt_ids[lo:hi], b.grad_completion_ids[lo:hi]
        coef = b.coefficients[lo:hi] if b.coefficients is not None else torch.zeros(0)
        if not completion_ids:  # padding micro-batch so that every rank runs the same passes: zero gradient
            prompt_ids, completion_ids = b.prompt_ids[:1], b.completion_ids[:1]
            coef = torch.zeros(1)
        logps = sequence_logprobs(self.model, prompt_ids, completion_ids, pad_id=self.pad_id,
                                  temperature=b.logprob_temperature)
        # Surrogate Σ c_i ℓ_i: its gradient is Σ c_i ∇ℓ_i, this micro-batch's part of ∇L (c_i = ∂L/∂ℓ_i).
        surrogate = (coef.to(logps.device, logps.dtype) * logps).sum()
        if b.loss_from_surrogate:
            b.loss += float(surrogate.detach())
        return surrogate

    # -- metrics --------------------------------------------------------------------------------------------------

    def _metrics(self, batches: list[TaskBatch]) -> dict[str, Any]:
        """Per-task metrics, summed over ranks then averaged (timings: this rank's)."""
        out: dict[str, Any] = {}
        for b in batches:
            name, k = b.task.name, b.task.cfg.num_samples
            n = len(b.texts)
            kl = b.kl
            finite = ~torch.isnan(b.rewards)
            judge_names = sorted(b.judge_values)
            sums = {
                "reward_mean": float(torch.nan_to_num(b.rewards, nan=0.0).sum()),
                "reward_count": float(finite.sum()),
                "calibrated_reward_mean": float(torch.nan_to_num(b.calibrated, nan=0.0).sum()),
                "satisfied_rate": float(b.satisfied.sum()),
                "kl_mean": float(kl.sum()),
                "kl_over_max_rate": float((kl > b.task.cfg.kl_max).sum()),
                "response_length_mean": float(b.lengths.sum()),
                "truncated_rate": float(sum(b.truncated)),
                "responses": float(n),
                "prompts": float(n // k),
                "skipped_prompt_rate": float(b.skipped),
                "loss": b.loss,
            }
            for j in judge_names:
                sums[f"judge/{j}/violation_rate"] = float(sum(v == 0 for v in b.judge_values[j]))
                sums[f"judge/{j}/failure_rate"] = float(sum(v == -1 for v in b.judge_values[j]))
            for key, value in b.extra.items():
                sums[f"extra/{key}"] = float(value)
            keys = list(sums)
            totals = dict(zip(keys, self._reduce_sum([sums[k_] for k_ in keys]), strict=True))
            resp, prompts = max(totals["responses"], 1.0), max(totals["prompts"], 1.0)
            prefix = f"{name}/"
            out[prefix + "reward_mean"] = totals["reward_mean"] / max(totals["reward_count"], 1.0)
            out[prefix + "reward_failed_rate"] = 1.0 - totals["reward_count"] / resp
            out[prefix + "calibrated_reward_mean"] = totals["calibrated_reward_mean"] / max(totals["reward_count"], 1.0)
            out[prefix + "satisfied_rate"] = totals["satisfied_rate"] / resp
            out[prefix + "skipped_prompt_rate"] = totals["skipped_prompt_rate"] / prompts
            out[prefix + "kl_mean"] = totals["kl_mean"] / resp
            out[prefix + "kl_over_max_rate"] = totals["kl_over_max_rate"] / resp
            out[prefix + "response_length_mean"] = totals["response_length_mean"] / resp
            out[prefix + "truncated_rate"] = totals["truncated_rate"] / resp
            out[prefix + "loss"] = totals["loss"] / self.world
            for j in judge_names:
                out[f"{prefix}judge/{j}/violation_rate"] = totals[f"judge/{j}/violation_rate"] / resp
                out[f"{prefix}judge/{j}/failure_rate"] = totals[f"judge/{j}/failure_rate"] / resp
            ex = {k_[6:]: v for k_, v in totals.items() if k_.startswith("extra/")}
            if "crpg_reward" in ex:
                out[prefix + "crpg_reward_mean"] = ex["crpg_reward"] / resp
                out[prefix + "kl_factor_mean"] = ex["kl_factor"] / resp
            if "pairs" in ex:
                pairs = max(ex["pairs"], 1.0)
                out[prefix + "pairs"] = ex["pairs"]
                out[prefix + "pair_fallback_rate"] = ex["pair_fallback_rate"] / pairs
                for key in ("dpo_margin", "chosen_reward", "rejected_reward"):
                    if key in ex:
                        out[f"{prefix}{key}_mean"] = ex[key] / pairs
            if "baseline_used" in ex:
                selected = prompts - totals["skipped_prompt_rate"]
                out[prefix + "baseline_used_rate"] = ex["baseline_used"] / prompts
                out[prefix + "baseline_judge_failures"] = ex.get("baseline_judge_failed", 0.0)
                if "selected_calibrated_reward" in ex:
                    out[prefix + "selected_calibrated_reward_mean"] = ex["selected_calibrated_reward"] / max(selected, 1.0)
            for phase in ("generation", "judging", "reward", "update", "baseline"):
                out[f"{prefix}time/{phase}"] = b.timer.get(phase, 0.0)
        return out

    # -- checkpoints ----------------------------------------------------------------------------------------------

    def save_checkpoint(self, step: int) -> Path | None:
        """``accelerator.save_state`` into ``checkpoints/step-N`` (atomic), plus the trainer state."""
        from accelerate.utils import broadcast_object_list

        from alignkit.runs import atomic_write_json

        acc = self.accelerator
        _quiet_accelerate_checkpointing()

        def write(tmp: Path) -> None:
            if self.world > 1:
                broadcast_object_list([str(tmp)], from_process=0)
            acc.save_state(str(tmp))
            atomic_write_json(tmp / "trainer_state.json", {"step": step, "optimizer_steps": self.optimizer_steps,
                                                           "tasks": [t.name for t in self.tasks]})
            acc.wait_for_everyone()

        if acc.is_main_process:
            path = self.checkpoints.save(step, write)
            log.info("Checkpoint: %s", path)
        else:
            holder: list[Any] = [None]
            broadcast_object_list(holder, from_process=0)
            acc.save_state(holder[0])
            acc.wait_for_everyone()
            path = None
        acc.wait_for_everyone()
        return path

    def load_checkpoint(self, path: Path) -> int:
        """Restore model, optimizer, scheduler and RNG states; return the step to continue from."""
        from alignkit.runs import step_of

        self.accelerator.load_state(str(path))
        state_file = path / "trainer_state.json"
        state = json.loads(state_file.read_text()) if state_file.exists() else {"step": step_of(path)}
        self.step = int(state["step"])
        self.optimizer_steps = int(state.get("optimizer_steps", self.step))
        if self.accelerator.is_main_process:
            self.metrics.truncate_after(self.step)
        if hasattr(self.generator, "sync_weights"):
            self.generator.sync_weights()
        return self.step

    # -- the loop -------------------------------------------------------------------------------------------------

    def train(self) -> dict[str, Any]:
        """Run until ``trainer.max_steps``; returns a summary."""
        acc, cfg = self.accelerator, self.cfg
        self.prepare_baselines()
        t_start = time.perf_counter()
        progress = _make_progress(enabled=cfg.progress and acc.is_main_process)
        last: dict[str, Any] = {}
        with progress:
            bar = progress.add_task("cgpo", total=cfg.max_steps, completed=self.step, info="")
            while self.step < cfg.max_steps:
                metrics = self.train_step(self.step)
                self.step += 1
                last = metrics
                self.history.append({"step": self.step, **metrics})
                if acc.is_main_process and (self.step % max(cfg.log_every, 1) == 0 or self.step == cfg.max_steps):
                    self.metrics.write(self.step, metrics)
                    if acc.trackers:
                        acc.log({k: v for k, v in metrics.items() if isinstance(v, int | float)}, step=self.step)
                    log.info("step %d/%d %s", self.step, cfg.max_steps, _brief(metrics, self.tasks))
                progress.update(bar, completed=self.step, info=_brief(metrics, self.tasks))
                for cb in self.callbacks:
                    cb(self, self.step, metrics)
                if cfg.save_every and self.step % cfg.save_every == 0 and self.step < cfg.max_steps:
                    self.save_checkpoint(self.step)
        self.save_checkpoint(self.step)
        self._write_rank_state()
        if cfg.save_model:
            self.save_model(self.run_dir / "final")
        elapsed = time.perf_counter() - t_start
        summary: dict[str, Any] = {"steps": self.step, "train_seconds": round(elapsed, 2)}
        for task in self.tasks:
            for key in ("reward_mean", "calibrated_reward_mean", "satisfied_rate", "kl_mean"):
                if f"{task.name}/{key}" in last:
                    summary[f"{task.name}/{key}"] = last[f"{task.name}/{key}"]
        return summary

    def parameter_fingerprint(self) -> str:
        """A hash of every parameter's float64 sum: equal on all ranks when data parallelism keeps them in sync."""
        import hashlib

        with torch.no_grad():
            sums = torch.stack([p.detach().double().sum() for p in self.unwrapped.parameters()])
        return hashlib.sha256(sums.cpu().numpy().tobytes()).hexdigest()[:16]

    def _write_rank_state(self) -> None:
        """``<run>/ranks/rank<R>.json``: steps done and a parameter fingerprint per rank (DDP consistency check)."""
        from accelerate.utils import DistributedType

        from alignkit.runs import atomic_write_json

        sharded = self.accelerator.distributed_type in (DistributedType.DEEPSPEED, DistributedType.FSDP)
        state = {"rank": self.rank, "world_size": self.world, "steps": self.step,
                 "optimizer_steps": self.optimizer_steps,
                 "parameter_fingerprint": None if sharded else self.parameter_fingerprint()}
        atomic_write_json(self.run_dir / "ranks" / f"rank{self.rank}.json", state)
        if self.world > 1 and not sharded:
            from accelerate.utils import gather_object

            prints = gather_object([state["parameter_fingerprint"]])
            if len(set(prints)) > 1:
                log.warning("The ranks' parameters differ after training (%s): data parallelism is out of sync.",
                            prints)

    def save_model(self, path: Path) -> None:
        """The trained policy in Hugging Face format (LoRA: the adapter), with its tokenizer."""
        from transformers.utils import logging as hf_logging

        acc = self.accelerator
        state = acc.get_state_dict(self.model)
        if acc.is_main_process:
            bars = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()
            try:
                self.unwrapped.save_pretrained(str(path), state_dict=state, safe_serialization=True)
            finally:
                if bars:
                    hf_logging.enable_progress_bar()
            self.tokenizer.save_pretrained(str(path))
            log.info("Saved the trained policy to %s", path)
        acc.wait_for_everyone()

    def close(self) -> None:
        for task in self.tasks:
            task.close()
        if self.accelerator.trackers:
            self.accelerator.end_training()


class _DropSharedTensorNote(logging.Filter):
    """accelerate warns on every save that tied embeddings are stored once; that is expected, not a problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Removed shared tensor" not in record.getMessage()


def _quiet_accelerate_checkpointing() -> None:
    """Keep accelerate's per-file "saved ..." lines out of the run's log (the checkpoint folder is logged once)."""
    for name in ("accelerate.checkpointing", "accelerate.accelerator"):
        logging.getLogger(name).setLevel(logging.WARNING)
    other = logging.getLogger("accelerate.utils.other")
    if not any(isinstance(f, _DropSharedTensorNote) for f in other.filters):
        other.addFilter(_DropSharedTensorNote())


class _nullcontext:  # noqa: N801 - tiny local stand-in, avoids importing contextlib in the hot loop
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _prepare_reference(ref_model, accelerator):
    """Place π_ref for the distributed setup (DeepSpeed/FSDP shard it like TRL does; DDP keeps a local copy)."""
    if ref_model is None:
        return None
    from accelerate.utils import DistributedType

    if accelerator.distributed_type == DistributedType.DEEPSPEED:
        from trl.models.utils import prepare_deepspeed

        return prepare_deepspeed(ref_model, accelerator)
    if accelerator.distributed_type == DistributedType.FSDP:
        from trl.models.utils import prepare_fsdp

        return prepare_fsdp(ref_model, accelerator)
    return ref_model.to(accelerator.device)


def _brief(metrics: dict[str, Any], tasks: list[Task]) -> str:
    parts = []
    for t in tasks:
        r = metrics.get(f"{t.name}/reward_mean", float("nan"))
        s = metrics.get(f"{t.name}/satisfied_rate", float("nan"))
        kl = metrics.get(f"{t.name}/kl_mean", float("nan"))
        parts.append(f"{t.name}: r={r:.3f} sat={s:.2f} kl={kl:.3f}")
    parts.append(f"{metrics.get('time/step', 0.0):.1f}s/step")
    return " | ".join(parts)


def _make_progress(enabled: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("{task.fields[info]}"), disable=not enabled, transient=False)


# --------------------------------------------------------------------------------------------------------------
# Building from a recipe
# --------------------------------------------------------------------------------------------------------------


def _plain(node: Any) -> Any:
    from omegaconf import DictConfig, ListConfig, OmegaConf

    if isinstance(node, DictConfig | ListConfig):
        return OmegaConf.to_container(node, resolve=True)
    return node


def build_reward(spec: Any, task_name: str) -> Callable:
    """Instantiate a task's reward from its ``_target_`` config."""
    from hydra.utils import instantiate

    spec = _plain(spec)
    if callable(spec):
        return spec
    if not isinstance(spec, dict) or "_target_" not in spec:
        raise ConfigError(f"tasks.{task_name}.reward needs a `_target_` (e.g. alignkit.rewards.rules.CodePassFraction).")
    try:
        reward = instantiate(spec, _convert_="all")
    except Exception as err:
        raise ConfigError(f"tasks.{task_name}.reward: could not build {spec['_target_']}: {err}") from err
    if not callable(reward):
        raise ConfigError(f"tasks.{task_name}.reward: {spec['_target_']} is not callable as "
                          f"reward(prompts, completions, metadata).")
    return reward


def build_judges(specs: Any, task_name: str):
    """The task's Mixture of Judges from ``name -> _target_ config`` (empty: no constraint)."""
    from alignkit.judges import MixtureOfJudges

    specs = _plain(specs) or {}
    judges = []
    for key, spec in specs.items():
        if spec is None:
            continue
        spec = dict(spec)
        spec.setdefault("name", key)
        judges.append(spec)
    try:
        return MixtureOfJudges(judges)
    except UserError:
        raise
    except Exception as err:
        raise ConfigError(f"tasks.{task_name}.judges: could not build the judges: {err}") from err


def load_task_records(name: str, data: Any) -> list[dict]:
    """The task's prompts as records ``{id, task, prompt, metadata, reference}``."""
    from alignkit.data import load_prompts

    data = _plain(data)
    where = data.get("where") or {}
    records = list(load_prompts(data["source"], split=data.get("split", "train"),
                                columns=data.get("columns") or None, limit=None if where else data.get("limit")))
    if where:
        records = [r for r in records if _matches(r.get("metadata") or {}, where)]
        if not records:
            raise DataError(f"tasks.{name}.data.where={where} keeps none of the prompts of {data['source']!r}: "
                            f"check the metadata keys and values.")
        if data.get("limit"):
            records = records[:data["limit"]]
    return records


def _matches(metadata: dict, where: dict) -> bool:
    for key, wanted in where.items():
        value = metadata.get(key)
        if isinstance(wanted, list | tuple):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def build_trainer(cfg, run_dir: Path, callbacks: Sequence[Callable] = ()) -> CGPOTrainer:
    """Load the policy, π_ref, the generator and every task of a composed recipe."""
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    from alignkit.config.schema import model_kwargs
    from alignkit.generation import GenerationSettings, make_generator
    from alignkit.models import load_model, load_reference, load_tokenizer

    report_to = [r for r in (cfg.report_to or []) if r and r != "none"]
    # On a machine without GPUs, processes started by `accelerate launch` / torchrun train on CPU over gloo.
    cpu = cfg.model.device == "cpu" or (cfg.model.device == "auto" and not torch.cuda.is_available())
    accelerator = Accelerator(cpu=cpu, log_with=report_to or None, project_dir=str(run_dir))
    run_dir = _agree_on_run_dir(accelerator, Path(run_dir))
    set_seed(int(cfg.seed), device_specific=True)
    kwargs = model_kwargs(cfg.model)
    if accelerator.num_processes > 1 and kwargs["device"] == "auto":
        kwargs["device"] = str(accelerator.device)
    tokenizer = load_tokenizer(cfg.model.name_or_path)
    model = load_model(cfg.model.name_or_path, **kwargs)
    ref = load_reference(model, cfg.model.name_or_path, **kwargs)
    settings = GenerationSettings(**_plain(cfg.generation))
    tasks = []
    for name, tcfg in cfg.tasks.items():
        records = load_task_records(name, tcfg.data)
        tasks.append(Task(name, tcfg, records, build_reward(tcfg.reward, name), build_judges(tcfg.judges, name),
                          seed=int(cfg.seed)))
        log.info("tasks.%s: %d prompts, optimizer=%s, K=%d, B=%d, KL_max=%g, ρ=%g, judges=%s", name, len(records),
                 tcfg.optimizer, tcfg.num_samples, tcfg.prompts_per_step, tcfg.kl_max, tcfg.weight,
                 tasks[-1].judges.names or "none")
    generator = make_generator(model, tokenizer, settings, accelerator)
    trainer = CGPOTrainer(accelerator=accelerator, model=model, ref_model=ref, tokenizer=tokenizer,
                          generator=generator, tasks=tasks, trainer_cfg=cfg.trainer, run_dir=run_dir,
                          callbacks=callbacks)
    if report_to:
        from omegaconf import OmegaConf

        flat = OmegaConf.to_container(cfg, resolve=True)
        accelerator.init_trackers(f"alignkit-cgpo-{cfg.recipe}", config=_flatten(flat))
    return trainer


def _agree_on_run_dir(accelerator, run_dir: Path) -> Path:
    """Every rank writes to the main process's run directory."""
    if accelerator.num_processes == 1:
        return run_dir
    from accelerate.utils import broadcast_object_list

    holder = [str(run_dir)]
    broadcast_object_list(holder, from_process=0)
    return Path(holder[0])


def _flatten(d: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        elif isinstance(v, int | float | str | bool) or v is None:
            out[key] = v
        else:
            out[key] = str(v)
    return out


def _resume_checkpoint(resume_from: Path) -> Path:
    from alignkit.runs import Checkpoints

    resume_from = Path(resume_from)
    if (resume_from / "trainer_state.json").exists() or resume_from.name.startswith("step-"):
        return resume_from
    latest = Checkpoints(resume_from).latest()
    if latest is None:
        raise UserError(f"resume: {resume_from} has no checkpoint yet; start a new run without resume=.")
    return latest


def run(cfg, run_dir: Path, resume_from: Path | None = None, callbacks: Sequence[Callable] = ()) -> dict:
    """Entry point of ``alignkit cgpo``: train every task of the recipe; returns a summary."""
    trainer = build_trainer(cfg, Path(run_dir), callbacks=callbacks)
    try:
        if resume_from is not None:
            ckpt = _resume_checkpoint(Path(resume_from))
            step = trainer.load_checkpoint(ckpt)
            log.info("Resumed from %s (step %d)", ckpt, step)
        summary = trainer.train()
    finally:
        trainer.close()
    summary["run_dir"] = str(trainer.run_dir)
    return summary
