"""``alignkit cgpo``: Constrained Generative Policy Optimization with a Mixture of Judges.

Xu et al., "The Perfect Blend: Redefining RLHF with Mixture of Judges" (arXiv 2409.20370). The problem is

    max_π  E[r(x, y)]   subject to   every judge of x's task accepts y,   KL(π ‖ π_ref) ≤ KL_max,

solved with primal-type optimizers (no Lagrange multiplier). This file reads like the paper:

* **Algorithm 1** (one step of one task): sample B prompts, generate K responses each, let the task's Mixture
  of Judges split them into satisfied (X⁺) and violated (X⁻), score them with the task's reward, update with
  the task's optimizer. See :meth:`CGPOTrainer.collect`.
* **Eq. 5** calibrated reward ``R_calib(x, y) = σ(r(x, y) − r(x, ȳ))`` with ȳ a baseline response (the
  data's gold answer, or a greedy sample of π_ref drawn before RL starts): :func:`calibrated_reward`.
* **CRPG**, eq. 11 and 12: :func:`crpg_rewards`, then REINFORCE with the batch-mean baseline
  (:func:`alignkit.trainers.losses.reinforce_loss`; per-prompt RLOO or group-normalised baselines as options).
* **CODPO**, eq. 14 and its pair rules: :func:`codpo_pairs`, :func:`alignkit.trainers.losses.codpo_loss`.
* **CRRAFT**, eq. 17 and 18: :func:`crraft_select`, :func:`alignkit.trainers.losses.weighted_nll_loss`.
* **Algorithm 2** (multi-task stratification): every task computes its gradient g_l on its own prompts, with
  its own reward, judges, optimizer and hyper-parameters; one optimizer step applies ``Σ_l ρ_l g_l``. See
  :meth:`CGPOTrainer.train_step`.

A response whose reward failed (NaN) or whose judges could not decide (a judge returned -1 and none said
"violated") is neither in X⁺ nor in X⁻: it is left out of the baseline, the pairs, the selection and the loss,
and counted (``<task>/undecided_rate``, ``<task>/judge/<name>/failure_rate``, ``<task>/reward_failed_rate``).

Everything that is not the paper (scoring under π and π_ref, the exact micro-batched gradient, accelerate,
checkpoints, resume, logging) is the RL engine's: :mod:`alignkit.trainers.engine`. Each task's loss is an
:class:`~alignkit.trainers.engine.Objective` of per-sequence log-probabilities ``ℓ_i = log π(y_i|x_i)``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from alignkit.errors import ConfigError, DataError
from alignkit.judges.check import PreflightSettings, preflight
from alignkit.runs import atomic_write_json
from alignkit.trainers import losses
from alignkit.trainers.common import StepTimer
from alignkit.trainers.engine import (
    Objective,
    PromptDataConfig,
    PromptOrder,
    RLEngine,
    RLRecipe,
    Sample,
    build_accelerator,
    build_judges,
    build_reward,
    close_quietly,
    init_trackers,
    load_policy_and_reference,
    load_prompt_records,
    make_generator,
    run_trainer,
)

log = logging.getLogger(__name__)

OPTIMIZERS = ("crpg", "codpo", "crraft")
BASELINES = ("reference", "policy")
NORMALIZATIONS = ("sequence_sum", "token_mean")
BASELINE = -1  # crraft_select: "train on the baseline answer ȳ"


# --------------------------------------------------------------------------------------------------------------
# Recipe schema
# --------------------------------------------------------------------------------------------------------------


@dataclass
class TaskConfig:
    """One task of Algorithm 2: its prompts, reward, judges, optimizer and hyper-parameters.

    Tasks are keyed by name under ``tasks:`` (``tasks.coding.kl_max=...`` on the command line).
    """

    data: PromptDataConfig = field(default_factory=PromptDataConfig)
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
    # crpg's baseline in eq. 12: batch_mean (the paper) | rloo (per-prompt leave-one-out) | group_norm (GRPO's)
    baseline_estimator: str = "batch_mean"
    # crpg and crraft: sequence_sum (the paper: Σ_t log π per sequence, mean over sequences) | token_mean
    # (divided by the number of tokens instead of sequences, so long answers do not dominate)
    loss_normalization: str = "sequence_sum"


@dataclass
class CGPORecipe(RLRecipe):
    """Schema of ``recipes/cgpo/*.yaml``: the RL recipe (model, generation, trainer, eval) plus the tasks."""

    tasks: dict[str, TaskConfig] = field(default_factory=dict)
    # The start-of-training check of every LLM judge on its validation set (alignkit.judges.check.preflight).
    judge_check: PreflightSettings = field(default_factory=PreflightSettings)

    @staticmethod
    def check(cfg) -> None:
        """Reject bad combinations, naming the key and the fix."""
        RLRecipe.check(cfg)
        jc = cfg.judge_check
        for key in ("min_accuracy", "min_decision_mass", "max_failure_rate"):
            if not 0.0 <= jc[key] <= 1.0:
                raise ConfigError(f"judge_check.{key}={jc[key]} must be in [0, 1].")
        if jc.num_items < 1:
            raise ConfigError(f"judge_check.num_items={jc.num_items} must be >= 1 (or judge_check.enabled=false).")
        if not cfg.tasks:
            raise ConfigError("The recipe has no tasks: add at least one under `tasks:` (see recipes/cgpo/coding.yaml).")
        for name, t in cfg.tasks.items():
            k = f"tasks.{name}"
            rules = [  # (bad, the message that names the key and the fix)
                (t.optimizer not in OPTIMIZERS, f"{k}.optimizer={t.optimizer!r}: use one of {', '.join(OPTIMIZERS)}."),
                (t.baseline not in BASELINES, f"{k}.baseline={t.baseline!r}: use reference (the data's gold answer) "
                                              f"or policy (a greedy sample of the starting policy)."),
                (t.reward is None, f"{k}.reward is missing: give a `_target_` reward config, e.g. "
                                   f"{k}.reward._target_=alignkit.rewards.rules.CodePassFraction."),
                (t.kl_max <= 0, f"{k}.kl_max={t.kl_max} must be > 0."),
                (t.prompts_per_step < 1, f"{k}.prompts_per_step={t.prompts_per_step} must be >= 1."),
                (t.num_samples < 1, f"{k}.num_samples={t.num_samples} must be >= 1."),
                (t.optimizer == "codpo" and t.num_samples < 2,
                 f"{k}.num_samples={t.num_samples}: codpo needs pairs, use >= 2."),
                (t.optimizer == "crpg" and t.num_samples * t.prompts_per_step < 2,
                 f"{k}: crpg's baseline needs at least 2 responses per step; raise {k}.num_samples."),
                (t.optimizer == "codpo" and t.beta <= 0, f"{k}.beta={t.beta} must be > 0."),
                (t.baseline_estimator not in losses.ESTIMATORS,
                 f"{k}.baseline_estimator={t.baseline_estimator!r}: use one of {', '.join(losses.ESTIMATORS)}."),
                (t.baseline_estimator != "batch_mean" and t.num_samples < 2,
                 f"{k}.baseline_estimator={t.baseline_estimator} compares a prompt's samples: {k}.num_samples >= 2."),
                (t.loss_normalization not in NORMALIZATIONS,
                 f"{k}.loss_normalization={t.loss_normalization!r}: use sequence_sum or token_mean."),
                (t.optimizer == "codpo" and t.loss_normalization != "sequence_sum",
                 f"{k}.loss_normalization is for crpg and crraft (eq. 14 is length-normalised): remove it."),
                (t.lam < 0, f"{k}.lam={t.lam} must be >= 0."),
                (t.weight < 0, f"{k}.weight={t.weight} (ρ) must be >= 0."),
            ]
            rules += [(j is not None and (not hasattr(j, "keys") or "_target_" not in j),
                       f"{k}.judges.{jn} needs a `_target_` (or pull a shipped judge with "
                       f"`- /judges@{k}.judges.{jn}: {jn}` in the defaults list).") for jn, j in (t.judges or {}).items()]
            for bad, message in rules:
                if bad:
                    raise ConfigError(message)
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


def crpg_rewards(calibrated: torch.Tensor, satisfied: torch.Tensor, kl: torch.Tensor, kl_max: float,
                 failed: torch.Tensor | None = None) -> torch.Tensor:
    """Eq. 11: ``R̃ = max{1 − KL/KL_max, 0} · R_cr`` with ``R_cr = R_calib`` if y satisfies every judge, else 0.

    A response whose reward could not be computed (NaN) or that a judge failed to judge (``failed``) is neither
    satisfied nor violated: its R̃ is NaN, and eq. 12 leaves it out (no gradient, not in the baseline).
    """
    r_cr = torch.where(satisfied.bool(), calibrated, torch.zeros_like(calibrated))
    r_cr = torch.where(torch.isnan(calibrated), torch.full_like(r_cr, float("nan")), r_cr)
    if failed is not None:
        r_cr = torch.where(failed.bool(), torch.full_like(r_cr, float("nan")), r_cr)
    return kl_clip_factor(kl, kl_max) * r_cr


@dataclass(frozen=True)
class Pair:
    """A CODPO preference pair: indices of the chosen y⁺ and the rejected y⁻ among all responses."""

    chosen: int
    rejected: int
    fallback: bool  # True: no violated response, y⁻ is the lowest-reward response overall


def codpo_pairs(rewards: Sequence[float], satisfied: Sequence[bool], group_size: int,
                failed: Sequence[bool] | None = None) -> list[Pair | None]:
    """CODPO's pair rules, per prompt (responses in prompt-major groups of ``group_size``).

    * y⁺ = the highest-reward response among the satisfied ones (X⁺); no satisfied response: skip (None);
    * y⁻ = the lowest-reward response among the violated ones (X⁻); no violated response: the lowest-reward
      response overall (other than y⁺).

    Responses whose reward is NaN (the reward failed) or that a judge failed to judge take part in neither role.
    """
    out: list[Pair | None] = []
    for start in range(0, len(rewards), group_size):
        idx = [i for i in range(start, start + group_size)
               if not math.isnan(float(rewards[i])) and not (failed is not None and failed[i])]
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


# --------------------------------------------------------------------------------------------------------------
# Tasks at run time
# --------------------------------------------------------------------------------------------------------------


class Task:
    """A task of Algorithm 2 with its prompts, reward, Mixture of Judges and baseline answers ȳ.

    The reward r is wrapped in :class:`alignkit.rewards.CalibratedReward`, the one cache of ȳ and r(x, ȳ) per
    prompt id (persisted for resume, see :meth:`CGPOTrainer.prepare_baselines`).
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
        self._baseline_ok: dict[int, bool] = {}
        self.baseline_judge_failures = 0  # judge failures (-1) on ȳ, reported in the metrics
        self.order = PromptOrder(len(records), cfg.prompts_per_step, seed=f"{seed}-{name}")

    @property
    def optimizer(self) -> str:
        return self.cfg.optimizer

    def ybar(self, i: int) -> str | None:
        """ȳ of prompt ``i`` (None until it is known)."""
        return self.calibrator.baseline_text(self.records[i]["prompt"], self.records[i]["id"])

    def _fields(self, indices: list[int]) -> tuple[list[str], list[dict], list[str]]:
        recs = [self.records[i] for i in indices]
        return [r["prompt"] for r in recs], [r.get("metadata") or {} for r in recs], [r["id"] for r in recs]

    def baseline_satisfied(self, indices: list[int]) -> list[bool]:
        """Does ȳ pass the task's judges (CRRAFT's fallback)? Definite verdicts are cached; when a judge
        itself failed (-1) on ȳ, ȳ does not pass this time and is judged again next time."""
        todo = [i for i in dict.fromkeys(indices) if i not in self._baseline_ok]
        out = {i: self._baseline_ok.get(i, False) for i in indices}
        have = [i for i in todo if self.ybar(i)]
        for i in todo:
            if i not in have:
                self._baseline_ok[i] = False
        if have:
            res = self.judges.judge([self.records[i]["prompt"] for i in have], [self.ybar(i) for i in have],
                                    [self.records[i].get("metadata") or {} for i in have])
            for i, ok, failed in zip(have, res.satisfied, res.failed, strict=True):
                out[i] = bool(ok)
                if failed:
                    self.baseline_judge_failures += 1
                else:
                    self._baseline_ok[i] = bool(ok)
        return [out[i] for i in indices]

    def close(self) -> None:
        close_quietly(self.judges, self.calibrator)


@dataclass
class TaskBatch:
    """One task's data for one step (Algorithm 1), local to this rank."""

    task: Task
    indices: list[int]  # record indices, B_local
    samples: list[Sample]  # per response (N = B_local · K), prompt-major
    texts: list[str]
    truncated: list[bool]
    satisfied: torch.Tensor  # [N] bool
    undecided: torch.Tensor  # [N] bool: a judge failed (-1) and no judge said "violated"
    judge_values: dict[str, list[int]]
    rewards: torch.Tensor  # [N] raw r(x, y), NaN where the reward failed
    calibrated: torch.Tensor  # [N] eq. 5
    ref_logps: torch.Tensor  # [N] log π_ref(y|x)
    policy_logps: torch.Tensor | None  # [N] log π(y|x) without gradient (None until the loss has seen them)
    lengths: torch.Tensor  # [N] completion tokens
    logprob_temperature: float = 1.0  # T in log softmax(logits / T) for every log π and log π_ref of this batch
    baseline_ok: list[bool] = field(default_factory=list)  # crraft: does ȳ pass the judges, per prompt
    objective: Objective | None = None  # the task's loss, for the engine's update
    loss: float = 0.0
    skipped: int = 0  # prompts skipped by the optimizer
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


class CGPOTrainer(RLEngine):
    """Multi-task CGPO (Algorithm 2) on the RL engine.

    Build it with :func:`build_trainer` from a recipe, or directly with loaded parts (tests, scripts).
    """

    name = "cgpo"

    def __init__(self, *, tasks: list[Task], **engine_kwargs):
        super().__init__(**engine_kwargs)
        self.tasks = tasks
        for task in tasks:
            if task.cfg.prompts_per_step % self.world:
                raise ConfigError(
                    f"tasks.{task.name}.prompts_per_step={task.cfg.prompts_per_step} is not divisible by the "
                    f"{self.world} processes: make it a multiple of {self.world}.")

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

    def on_train_start(self) -> None:
        self.prepare_baselines()

    def prepare_baselines(self) -> None:
        """ȳ per prompt for eq. 5: the data's gold answer, or a greedy sample of π_ref (``baseline=policy``).

        π_ref is frozen, so with HF generation ȳ is drawn lazily, from π_ref itself, the first time a prompt
        is used (:meth:`ensure_baselines`): the same distribution as drawing every ȳ before RL starts, without
        paying for prompts a short run never reaches. vLLM holds the *current* policy, so with it every ȳ is
        drawn here, before the first update. The task's :class:`~alignkit.rewards.CalibratedReward` keeps ȳ and
        appends sampled ones to ``<run>/baselines/<task>.rank<R>.jsonl``, read back on resume.
        """
        for task in self.tasks:
            cal = task.calibrator
            every = list(range(len(task.records)))
            prompts, _, ids = task._fields(every)
            if task.cfg.baseline == "reference":
                missing = [r["id"] for r in task.records if not r.get("reference")]
                if missing:
                    raise DataError(
                        f"tasks.{task.name}.baseline=reference but {len(missing)} prompts have no gold answer "
                        f"(e.g. {missing[0]}): use tasks.{task.name}.baseline=policy.")
                cal.set_baselines(prompts, [r["reference"] for r in task.records], ids, persist=False)
                continue
            folder = self.run_dir / "baselines"
            for path in sorted(folder.glob(f"{task.name}.rank*.jsonl")):
                cal.load(path)
            cal.cache_path = folder / f"{task.name}.rank{self.rank}.jsonl"
            if getattr(self.generator, "settings", None) is not None and self.generator.settings.backend == "vllm":
                mine = [i for i in range(self.rank, len(task.records), self.world) if task.ybar(i) is None]
                cal.sample_baselines(None, None, *task._fields(mine), max_new_tokens=task.cfg.max_new_tokens,
                                     generate_fn=lambda _m, _t, p, n=1, **kw: [
                                         [r.text] for r in self.rollout(p, n, temperature=0.0, **kw)])
                shared = self.gather_objects([(i, task.ybar(i)) for i in mine])
                others = [(i, t) for i, t in shared if t is not None and task.ybar(i) is None]
                if others:
                    p, _, d = task._fields([i for i, _ in others])
                    cal.set_baselines(p, [t for _, t in others], d, persist=False)

    def ensure_baselines(self, task: Task, indices: list[int]) -> None:
        """Draw the missing ȳ of ``indices`` greedily from π_ref (``baseline=policy``, HF generation)."""
        if task.cfg.baseline != "policy":
            return
        todo = [i for i in dict.fromkeys(indices) if task.ybar(i) is None]
        if not todo:
            self.generate_from_reference([])  # (ZeRO-3/FSDP: another rank may be gathering the weights)
            return
        task.calibrator.sample_baselines(None, self.tokenizer, *task._fields(todo),
                                         max_new_tokens=task.cfg.max_new_tokens,
                                         generate_fn=lambda _m, _t, p, n=1, **kw: [
                                             [r.text] for r in self.generate_from_reference(p, n, **kw)])

    # -- Algorithm 1 for one task (everything but the gradient) ---------------------------------------------------

    def collect(self, task: Task, step: int) -> TaskBatch:
        """Sample, judge, score and build one task's loss for this step."""
        cfg = task.cfg
        k = cfg.num_samples
        timer = StepTimer()
        indices = task.order.shard(step, self.rank, self.world)  # B prompts over all ranks, this rank's share
        records = [task.records[i] for i in indices]
        with timer("baseline"):
            self.ensure_baselines(task, indices)
        prompts = [r["prompt"] for r in records]
        # Alg. 1: K responses for each of the B prompts.
        with timer("generation"):
            rolls = self.rollout(prompts, k, temperature=cfg.temperature, max_new_tokens=cfg.max_new_tokens)
        texts = [r.text for r in rolls]
        rep_prompts = [prompts[r.prompt_index] for r in rolls]
        # The judges also see whether the generator cut the response at max_new_tokens (the format judge).
        rep_meta = [{**(records[r.prompt_index].get("metadata") or {}), "truncated": r.truncated} for r in rolls]
        # Alg. 1: the Mixture of Judges splits the responses into X⁺ (satisfied) and X⁻ (violated).
        base_ok: list[bool] = []
        with timer("judging"):
            verdict = task.judges.judge(rep_prompts, texts, rep_meta)
            violated = [any(v[i] == 0 for v in verdict.per_judge.values()) for i in range(len(texts))]
            undecided = torch.tensor([f and not v for f, v in zip(verdict.failed, violated, strict=True)],
                                     dtype=torch.bool)
            if task.optimizer == "crraft":
                failures = task.baseline_judge_failures
                base_ok = task.baseline_satisfied(indices)
                base_failures = task.baseline_judge_failures - failures
        # Eq. 5: the task's reward and the calibrated reward against ȳ.
        with timer("reward"):
            raw = task.reward(rep_prompts, texts, rep_meta)
            rewards = torch.tensor([float("nan") if v is None else float(v) for v in raw], dtype=torch.float32)
            base = torch.tensor(task.calibrator.baseline_rewards(*task._fields(indices)), dtype=torch.float32)
            calibrated = calibrated_reward(rewards, base.repeat_interleave(k), task.calibrator.temperature)
        samples = [Sample.of(r.prompt_ids, r.completion_ids) for r in rolls]
        lp_t = self._logprob_temperature(task)
        with timer("update"):
            ref_logps = self.score(samples, lp_t, reference=True).sequence
            # crpg's loss sees π's log-probs in the engine's update; codpo and crraft need them first.
            policy_logps = None if task.optimizer == "crpg" else self.score(samples, lp_t).sequence
        batch = TaskBatch(
            task=task, indices=indices, samples=samples, texts=texts, truncated=[r.truncated for r in rolls],
            satisfied=torch.tensor(verdict.satisfied, dtype=torch.bool), undecided=undecided,
            judge_values=verdict.per_judge,
            rewards=rewards, calibrated=calibrated, ref_logps=ref_logps, policy_logps=policy_logps,
            lengths=torch.tensor([len(s) for s in samples], dtype=torch.float32), baseline_ok=base_ok,
            logprob_temperature=lp_t,
        )
        if task.optimizer == "crraft":
            batch.extra["baseline_judge_failed"] = float(base_failures)
        with timer("update"):
            batch.objective = {"crpg": self._crpg, "codpo": self._codpo, "crraft": self._crraft}[task.optimizer](batch)
        batch.timer = timer.reset()
        return batch

    def _crpg(self, b: TaskBatch) -> Objective:
        """CRPG: eq. 11, then eq. 12 for this rank's responses, with the baseline and N taken over all ranks."""
        cfg = b.task.cfg

        def loss(logps: torch.Tensor) -> torch.Tensor:
            b.policy_logps = logps.detach().float().cpu()
            kl = b.policy_logps - b.ref_logps
            rtilde = crpg_rewards(b.calibrated, b.satisfied, kl, cfg.kl_max, failed=b.undecided)  # eq. 11
            valid = ~torch.isnan(rtilde)  # undecided responses are left out of eq. 12
            tokens = float(b.lengths[valid].sum())
            total, count, all_tokens = self.reduce_sum([float(rtilde[valid].sum()), float(valid.sum()), tokens])
            b.extra["crpg_reward"] = float(rtilde[valid].sum())
            b.extra["kl_factor"] = float(kl_clip_factor(kl, cfg.kl_max).sum())
            # Eq. 12: R̃ minus its batch mean (or a per-prompt baseline), over N responses (or their tokens).
            adv = losses.advantages(cfg.baseline_estimator, rtilde, cfg.num_samples, valid,
                                    batch_mean=total / max(count, 1))
            n = all_tokens if cfg.loss_normalization == "token_mean" else count
            return losses.reinforce_loss(logps, adv, normalizer=n / self.world)

        return Objective(b.samples, loss=loss, weight=cfg.weight, temperature=b.logprob_temperature,
                         name=b.task.name)

    def _codpo(self, b: TaskBatch) -> Objective:
        """CODPO: the pair rules, then eq. 14 averaged over the pairs of all ranks."""
        cfg = b.task.cfg
        pairs = codpo_pairs(b.rewards.tolist(), b.satisfied.tolist(), cfg.num_samples, b.undecided.tolist())
        valid = [p for p in pairs if p is not None]
        b.skipped = len(pairs) - len(valid)
        n = len(valid)
        normalizer = self.reduce_sum([n])[0] / self.world
        chosen, rejected = [p.chosen for p in valid], [p.rejected for p in valid]
        # (every rank logs the same keys, zeros included: the metrics are summed across ranks key by key)
        margin = (b.policy_logps[chosen] - b.ref_logps[chosen]) - (b.policy_logps[rejected] - b.ref_logps[rejected])
        b.extra.update(pair_fallback_rate=sum(p.fallback for p in valid), dpo_margin=float(margin.sum()),
                       chosen_reward=float(b.rewards[chosen].sum()), rejected_reward=float(b.rewards[rejected].sum()),
                       pairs=float(n))

        def loss(logps: torch.Tensor) -> torch.Tensor:
            if not n:
                return logps.sum() * 0.0
            return losses.codpo_loss(logps[:n], b.ref_logps[chosen], logps[n:], b.ref_logps[rejected],
                                     b.lengths[chosen], cfg.beta, cfg.lam, normalizer=normalizer)  # eq. 14

        return Objective([b.samples[i] for i in chosen + rejected], loss=loss, logps=b.policy_logps[chosen + rejected],
                         weight=cfg.weight, temperature=b.logprob_temperature, name=b.task.name)

    def _crraft(self, b: TaskBatch) -> Objective:
        """CRRAFT: eq. 17 selects y* per prompt (or ȳ), eq. 18 is linear in log π(y*|x): c_i = −R_calib / S."""
        cfg, k = b.task.cfg, b.task.cfg.num_samples
        picks = crraft_select(b.rewards.tolist(), b.satisfied.tolist(), b.kl.tolist(), cfg.kl_max, k, b.baseline_ok)
        b.skipped = sum(p is None for p in picks)
        samples, weights = [], []
        n_baseline = 0
        for p, pick in enumerate(picks):
            if pick is None:
                continue
            if pick == BASELINE:
                # ȳ as the target: its calibrated reward is σ(r(ȳ) − r(ȳ)) = 0.5 (eq. 5).
                n_baseline += 1
                samples.append(Sample.of(b.samples[p * k].prompt_ids, self._answer_ids(b.task.ybar(b.indices[p]))))
                weights.append(float(calibrated_reward(torch.tensor(0.0), torch.tensor(0.0))))
            else:
                samples.append(b.samples[pick])
                weights.append(float(b.calibrated[pick]))
        b.extra["baseline_used"] = float(n_baseline)
        selected, tokens = self.reduce_sum([len(weights), float(sum(len(s) for s in samples))])
        normalizer = (tokens if cfg.loss_normalization == "token_mean" else selected) / self.world
        w = torch.tensor(weights, dtype=torch.float32)
        b.extra["selected_calibrated_reward"] = float(w.sum())
        # Eq. 18, L = −(1/S) Σ R_calib(x, y*) log π(y*|x), is linear in log π (no scoring pass needed).
        return Objective(samples, loss=lambda logps: losses.weighted_nll_loss(logps, w, normalizer=normalizer),
                         linear=True, weight=cfg.weight, temperature=b.logprob_temperature, name=b.task.name)

    def _answer_ids(self, text: str) -> list[int]:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return [*ids, self.eos_id] if self.eos_id is not None else list(ids)

    # -- Algorithm 2: one optimizer step over all tasks -----------------------------------------------------------

    def train_step(self, step: int) -> dict[str, Any]:
        """Collect every task, then accumulate Σ_l ρ_l ∇L_l and take one optimizer step."""
        t_start = time.perf_counter()
        batches = [self.collect(task, step) for task in self.tasks]
        t0 = time.perf_counter()
        result = self.update([b.objective for b in batches])
        update_time = time.perf_counter() - t0
        for b, value in zip(batches, result.losses, strict=True):
            b.loss = value
            b.timer["update"] = b.timer.get("update", 0.0) + update_time / max(len(batches), 1)
        metrics = self._metrics(batches)
        metrics["grad_norm"] = result.grad_norm if result.stepped else float("nan")
        metrics["lr"] = self.scheduler.get_last_lr()[0]
        metrics["loss"] = sum(b.task.cfg.weight * metrics[f"{b.task.name}/loss"] for b in batches)
        metrics["time/step"] = time.perf_counter() - t_start
        return metrics

    # -- metrics --------------------------------------------------------------------------------------------------

    def _metrics(self, batches: list[TaskBatch]) -> dict[str, Any]:
        """Per-task metrics: sums over ranks, divided by the count each is a mean over (timings: this rank's)."""
        out: dict[str, Any] = {}
        for b in batches:
            kl, k = b.kl, b.task.cfg.num_samples
            sums = {  # name -> (this rank's sum, what the mean is over)
                "reward_mean": (torch.nan_to_num(b.rewards, nan=0.0).sum(), "scored"),
                "calibrated_reward_mean": (torch.nan_to_num(b.calibrated, nan=0.0).sum(), "scored"),
                "satisfied_rate": (b.satisfied.sum(), "responses"),
                "undecided_rate": (b.undecided.sum(), "responses"),
                "kl_mean": (kl.sum(), "responses"),
                "kl_over_max_rate": ((kl > b.task.cfg.kl_max).sum(), "responses"),
                "response_length_mean": (b.lengths.sum(), "responses"),
                "truncated_rate": (sum(b.truncated), "responses"),
                "skipped_prompt_rate": (b.skipped, "prompts"),
                "loss": (b.loss, "ranks"),
                "crpg_reward_mean": (b.extra.get("crpg_reward"), "responses"),
                "kl_factor_mean": (b.extra.get("kl_factor"), "responses"),
                "pairs": (b.extra.get("pairs"), "one"),
                "pair_fallback_rate": (b.extra.get("pair_fallback_rate"), "n_pairs"),
                "dpo_margin_mean": (b.extra.get("dpo_margin"), "n_pairs"),
                "chosen_reward_mean": (b.extra.get("chosen_reward"), "n_pairs"),
                "rejected_reward_mean": (b.extra.get("rejected_reward"), "n_pairs"),
                "baseline_used_rate": (b.extra.get("baseline_used"), "prompts"),
                "baseline_judge_failures": (b.extra.get("baseline_judge_failed"), "one"),
                "selected_calibrated_reward_mean": (b.extra.get("selected_calibrated_reward"), "selected"),
            }
            for j, values in sorted(b.judge_values.items()):
                sums[f"judge/{j}/violation_rate"] = (sum(v == 0 for v in values), "responses")
                sums[f"judge/{j}/failure_rate"] = (sum(v == -1 for v in values), "responses")
            sums = {key: v for key, v in sums.items() if v[0] is not None}  # the same keys on every rank
            counts = {"scored": float((~torch.isnan(b.rewards)).sum()), "responses": float(len(b.texts)),
                      "prompts": float(len(b.texts) // k), "selected": float(len(b.objective.samples)),
                      "ranks": 1.0, "one": 1.0 / self.world, "n_pairs": b.extra.get("pairs", 0.0)}
            means = self.reduce_means(sums, counts)
            out.update({f"{b.task.name}/{key}": v for key, v in means.items() if not key.startswith("_")})
            out[f"{b.task.name}/reward_failed_rate"] = 1.0 - means["_scored"] / max(means["_responses"], 1.0)
            for phase in ("generation", "judging", "reward", "update", "baseline"):
                out[f"{b.task.name}/time/{phase}"] = b.timer.get(phase, 0.0)
        return out

    def brief(self, metrics: dict[str, Any]) -> str:
        def m(t, key):
            return metrics.get(f"{t.name}/{key}", float("nan"))

        return " | ".join([f"{t.name}: r={m(t, 'reward_mean'):.3f} sat={m(t, 'satisfied_rate'):.2f} "
                           f"kl={m(t, 'kl_mean'):.3f}" for t in self.tasks] + [f"{metrics['time/step']:.1f}s/step"])

    def summary(self, last: dict[str, Any]) -> dict[str, Any]:
        keys = ("reward_mean", "calibrated_reward_mean", "satisfied_rate", "kl_mean")
        out = {f"{t.name}/{k}": last[f"{t.name}/{k}"] for t in self.tasks for k in keys if f"{t.name}/{k}" in last}
        for t in self.tasks:  # the curves, step by step (this process's steps; also in metrics.jsonl)
            for k in ("satisfied_rate", "kl_mean"):
                values = [h[f"{t.name}/{k}"] for h in self.history if f"{t.name}/{k}" in h]
                if len(values) > 1:
                    out[f"{t.name}/{k} by step"] = " ".join(f"{v:.3g}" for v in values)
        return out

    def checkpoint_state(self) -> dict[str, Any]:
        return {"tasks": [t.name for t in self.tasks]}

    def close(self) -> None:
        for task in self.tasks:
            task.close()
        super().close()


# --------------------------------------------------------------------------------------------------------------
# Building from a recipe
# --------------------------------------------------------------------------------------------------------------


def build_trainer(cfg, run_dir: Path, callbacks: Sequence[Callable] = ()) -> CGPOTrainer:
    """Load the policy, π_ref, the generator and every task of a composed recipe."""
    accelerator, run_dir = build_accelerator(cfg, Path(run_dir))
    model, ref, tokenizer = load_policy_and_reference(cfg, accelerator)
    tasks = []
    for name, tcfg in cfg.tasks.items():
        key = f"tasks.{name}"
        records = load_prompt_records(tcfg.data, f"{key}.data")
        tasks.append(Task(name, tcfg, records, build_reward(tcfg.reward, f"{key}.reward"),
                          build_judges(tcfg.judges, f"{key}.judges"), seed=int(cfg.seed)))
        log.info("tasks.%s: %d prompts, optimizer=%s, K=%d, B=%d, KL_max=%g, ρ=%g, judges=%s", name, len(records),
                 tcfg.optimizer, tcfg.num_samples, tcfg.prompts_per_step, tcfg.kl_max, tcfg.weight,
                 tasks[-1].judges.names or "none")
    # Judges that cannot tell right from wrong make CGPO learn noise: check every LLM judge on its validation set
    # before training, and stop with the judge's name and the fix below the configured accuracy or decision mass.
    checked = preflight([t.judges for t in tasks], cfg.judge_check)
    if checked and accelerator.is_main_process:
        atomic_write_json(run_dir / "judge_check.json", checked)
    trainer = CGPOTrainer(accelerator=accelerator, model=model, ref_model=ref, tokenizer=tokenizer,
                          generator=make_generator(cfg, model, tokenizer, accelerator), tasks=tasks,
                          trainer_cfg=cfg.trainer, eval_cfg=cfg.eval, run_dir=run_dir, callbacks=callbacks)
    init_trackers(accelerator, cfg, f"alignkit-cgpo-{cfg.recipe}")
    return trainer


def run(cfg, run_dir: Path, resume_from: Path | None = None, callbacks: Sequence[Callable] = ()) -> dict:
    """Entry point of ``alignkit cgpo``: train every task of the recipe; returns a summary."""
    return run_trainer(build_trainer(cfg, Path(run_dir), callbacks=callbacks), resume_from)
