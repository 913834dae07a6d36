"""The RL engine: what every on-policy trainer of alignkit (CGPO, SCoRe, eva) shares.

A trainer file holds its paper (how to sample, judge, reward and which loss); this module holds the rest:
loading the policy and the frozen reference π_ref, scoring completions under both, the exact micro-batched
gradient of any loss of the log-probabilities, ``accelerate`` (DDP, DeepSpeed ZeRO-2/3, FSDP), the optimizer
and scheduler, the step loop with ``rich`` progress, ``metrics.jsonl`` (and TensorBoard / W&B), evaluation
during training, checkpoints ``checkpoints/checkpoint-N``, resume, and the final model.

Writing a new trainer
=====================

One file, one recipe folder, one ``Command`` line:

1. ``src/alignkit/trainers/<method>.py`` with a recipe schema and a trainer::

       @dataclass
       class MyRecipe(RLRecipe):              # model, generation, trainer (TRL names), eval, seed... come with it
           my_method: MyMethodConfig = field(default_factory=MyMethodConfig)

       class MyTrainer(RLEngine):
           def train_step(self, step: int) -> dict[str, float]:
               idx = self.prompts.shard(step, self.rank, self.world)       # this rank's prompts of the step
               with self.generation_context():                          # ZeRO-3/FSDP: gathered weights
                   rolls = rollout(self.generator, self.tokenizer, [...], n=k)
               samples = [Sample.of(r.prompt_ids, r.completion_ids) for r in rolls]
               ref = self.score(samples, reference=True)                 # LogProbs of π_ref (no gradient)
               rewards = ...
               def loss(logps):                                          # L(ℓ), ℓ = log π(y|x) per sample
                   return losses.reinforce(logps, rewards, baseline=...)
               result = self.update([Objective(samples, loss=loss)])    # exact ∇L, clip, optimizer step
               return {"loss": result.losses[0], "grad_norm": result.grad_norm, ...}

       def run(cfg, run_dir, resume_from=None, callbacks=()):       # the CLI calls this
           accelerator, run_dir = build_accelerator(cfg, run_dir)
           model, ref, tokenizer = load_policy_and_reference(cfg, accelerator)
           trainer = MyTrainer(accelerator=accelerator, model=model, ref_model=ref, tokenizer=tokenizer,
                               generator=make_generator(cfg, model, tokenizer, accelerator),
                               trainer_cfg=cfg.trainer, eval_cfg=cfg.eval, run_dir=run_dir, callbacks=callbacks)
           init_trackers(accelerator, cfg, "alignkit-my-method")
           return run_trainer(trainer, resume_from)

2. ``recipes/<method>/default.yaml`` whose first line is the command that runs it.
3. One line in ``cli.py``'s ``COMMANDS``: ``Command("my-method", "help", "<method>", "alignkit.trainers.<method>",
   "MyRecipe")``.

Samples made of segments
========================

A :class:`Sample` is a prompt and a completion made of one or more :class:`Segment`\\ s. Each segment has a loss
mask (``train``: the policy wrote these tokens and they are trained; ``False`` for, e.g., a user turn holding
SCoRe's self-correction instruction between attempt 1 and attempt 2) and a ``kl_weight`` (SCoRe Stage I: β₂ on
attempt 1, β₁ on attempt 2). Everything is scored in one forward pass over ``prompt + segment 1 + segment 2 ...``.

:meth:`RLEngine.score` returns :class:`LogProbs`: per-token log-probabilities ``tokens [N, C]``, the loss mask
``mask``, the per-token ``kl_weight``, the segment index of every token, ``sequence [N]`` (the sum over trained
tokens: log π(y|x)) and ``segments() [N, S]`` (the sum per segment).

The exact micro-batched gradient
================================

An :class:`Objective` is a loss ``L`` of the policy's log-probabilities of some samples, at one of three levels:
``sequence`` (``L(ℓ)``, ``ℓ [N]``), ``segment`` (``ℓ [N, S]``: e.g. a reward per attempt) or ``token``
(``ℓ [N, C]``: e.g. a per-token KL). :meth:`RLEngine.update` takes a list of objectives (each with a weight, ρ
of CGPO's Algorithm 2), accumulates ``Σ weight · ∇L`` and takes one optimizer step:

* when every rank's samples fit in one micro-batch (``trainer.micro_batch_size`` sequences), ``L`` is computed
  on the log-probs of the gradient forward itself (one pass);
* otherwise ``L`` is evaluated on log-probs computed without gradient (or given as ``Objective.logps``), the
  coefficients ``c = ∂L/∂ℓ`` are taken by autograd, and ``Σ c·∇ℓ = ∇L`` is accumulated micro-batch by
  micro-batch: exact, with memory bounded by the micro-batch;
* a loss that is linear in ℓ can give its coefficients directly (``Objective.coefficients``).

``Objective.loss`` is called exactly once per update on every rank, so it may reduce across ranks
(:meth:`RLEngine.reduce_sum`), e.g. for a batch-mean baseline over all processes.

Dropout is off (defect 4 of issue 10): the policy and π_ref have every dropout probability set to 0 when the
engine is built (as TRL's ``disable_dropout``), so the log-probabilities that define the loss (scored without
gradient) and the ones that carry the gradient come from the same function. ``model.lora.dropout`` is ignored
by RL trainers for that reason.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import torch

from alignkit.config.schema import TRAINER_RENAMED, GenerationConfig, RecipeBase
from alignkit.errors import ConfigError, UserError
from alignkit.eval.during_training import EvalSettings
from alignkit.trainers.common import PaddedBatch, StepTimer, linear_warmup_schedule, pad_pairs, token_logprobs

log = logging.getLogger(__name__)

LEVELS = ("sequence", "segment", "token")
SCHEDULES = ("constant", "linear", "cosine")
TRACKERS = ("tensorboard", "wandb")

__all__ = [
    "EvalConfig", "LogProbs", "Objective", "PromptOrder", "RLEngine", "RLRecipe", "RLTrainerConfig", "Sample",
    "Segment", "UpdateResult", "build_accelerator", "disable_dropout", "load_policy_and_reference",
    "resume_checkpoint", "run_trainer",
]


# --------------------------------------------------------------------------------------------------------------
# Configuration shared by every RL trainer (TRL's option names)
# --------------------------------------------------------------------------------------------------------------


@dataclass
class RLTrainerConfig:
    """Optimisation, logging and checkpoint settings of an RL trainer (``trainer.*``), named as in TRL."""

    max_steps: int = 4
    learning_rate: float = 1e-6
    weight_decay: float = 0.0
    adam_beta1: float = 0.9
    adam_beta2: float = 0.95
    adam_epsilon: float = 1e-8
    warmup_steps: int = 0
    lr_scheduler_type: str = "constant"  # constant | linear | cosine (after warm-up)
    max_grad_norm: float = 1.0  # 0 disables clipping; under DeepSpeed it fills the config's gradient_clipping
    micro_batch_size: int = 16  # sequences per forward/backward pass (memory only: the gradient is exact)
    logging_steps: int = 1
    save_steps: int = 0  # checkpoint every N steps; 0: at the end only
    save_total_limit: int = 2  # checkpoints kept
    save_model: bool = True  # write the trained model (HF format) to <run>/final at the end
    progress: bool = True  # rich progress bar on the main process
    report_to: list[str] = field(default_factory=list)  # tensorboard, wandb (offline unless WANDB_MODE is set)
    plot: bool = False  # at the end, write <run>/report (alignkit report: report.html and one PNG per chart)

    # Old names, refused with a message naming the new one.
    renamed: ClassVar[dict[str, str]] = {k: v for k, v in TRAINER_RENAMED.items() if k != "batch_size"}

    @staticmethod
    def check(t: Any, key: str = "trainer") -> None:
        """Reject bad values, naming the key and the fix."""
        if t.max_steps < 1:
            raise ConfigError(f"{key}.max_steps={t.max_steps} must be >= 1.")
        if t.learning_rate <= 0:
            raise ConfigError(f"{key}.learning_rate={t.learning_rate} must be > 0.")
        if t.micro_batch_size < 1:
            raise ConfigError(f"{key}.micro_batch_size={t.micro_batch_size} must be >= 1.")
        if t.lr_scheduler_type not in SCHEDULES:
            raise ConfigError(f"{key}.lr_scheduler_type={t.lr_scheduler_type!r}: use constant, linear or cosine.")
        if t.max_grad_norm < 0:
            raise ConfigError(f"{key}.max_grad_norm={t.max_grad_norm} must be >= 0 (0 disables clipping).")
        if t.logging_steps < 1:
            raise ConfigError(f"{key}.logging_steps={t.logging_steps} must be >= 1.")
        if t.save_steps < 0:
            raise ConfigError(f"{key}.save_steps={t.save_steps} must be >= 0 (0: checkpoint at the end only).")
        if t.save_total_limit < 1:
            raise ConfigError(f"{key}.save_total_limit={t.save_total_limit} must be >= 1 (resume needs one).")
        for r in t.report_to or []:
            if r not in (*TRACKERS, "none"):
                raise ConfigError(f"{key}.report_to: {r!r} is not supported; use tensorboard or wandb (or []).")


@dataclass
class PromptDataConfig:
    """Where a trainer's prompts come from (see :func:`alignkit.data.load_prompts`)."""

    source: str = "coding"  # a shipped task (coding, math, instruction_following, chat), a JSONL file, a hub set
    split: str = "train"
    limit: int | None = None  # keep the first N prompts (after `where`)
    columns: dict[str, str] = field(default_factory=dict)  # schema field -> source column
    # Keep prompts whose metadata matches: {key: value} or {key: [values]} (e.g. {category: factual}); this is
    # how one prompt set is stratified into disjoint tasks (CGPO's Algorithm 2).
    where: dict[str, Any] = field(default_factory=dict)


# Evaluation during training (``eval.tasks/every/limit/max_new_tokens``): one schema for every trainer.
EvalConfig = EvalSettings


@dataclass
class RLRecipe(RecipeBase):
    """Fields every RL recipe has: generation, trainer (TRL names) and eval during training."""

    generation: GenerationConfig = field(default_factory=GenerationConfig)
    trainer: RLTrainerConfig = field(default_factory=RLTrainerConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    @staticmethod
    def check(cfg) -> None:
        RLTrainerConfig.check(cfg.trainer)
        EvalSettings.validate(cfg.eval)


# --------------------------------------------------------------------------------------------------------------
# Samples, log-probabilities and objectives
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Segment:
    """A run of completion tokens with its loss mask and its weight in a per-token KL term."""

    ids: list[int]
    train: bool = True  # the policy wrote these tokens and they are trained (False: masked, e.g. a user turn)
    kl_weight: float = 1.0


@dataclass
class Sample:
    """A prompt and a completion made of segments, scored in one forward pass over prompt + segments."""

    prompt_ids: list[int]
    segments: list[Segment]

    @classmethod
    def of(cls, prompt_ids: Sequence[int], completion_ids: Sequence[int]) -> Sample:
        """A single-segment sample: every completion token trained."""
        return cls(list(prompt_ids), [Segment(list(completion_ids))])

    @property
    def completion_ids(self) -> list[int]:
        return [t for s in self.segments for t in s.ids]

    def __len__(self) -> int:
        return sum(len(s.ids) for s in self.segments)


def _token_layout(samples: Sequence[Sample], width: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(segment index, loss mask, kl weight)``, each ``[N, width]``; segment index -1 on padding."""
    n = len(samples)
    seg = torch.full((n, width), -1, dtype=torch.long)
    mask = torch.zeros((n, width))
    klw = torch.zeros((n, width))
    for i, s in enumerate(samples):
        col = 0
        for j, part in enumerate(s.segments):
            k = len(part.ids)
            seg[i, col:col + k] = j
            if part.train:
                mask[i, col:col + k] = 1.0
            klw[i, col:col + k] = float(part.kl_weight)
            col += k
    return seg, mask, klw


@dataclass
class LogProbs:
    """Log-probabilities of samples' completion tokens under one model (no gradient, float32, CPU).

    ``tokens``, ``mask``, ``kl_weight`` and ``segment`` are ``[N, C]`` with ``C`` the longest completion;
    ``sequence`` is ``[N]``: the sum over trained tokens, log π(y|x).
    """

    tokens: torch.Tensor
    mask: torch.Tensor
    kl_weight: torch.Tensor
    segment: torch.Tensor
    sequence: torch.Tensor
    n_segments: int

    def segments(self) -> torch.Tensor:
        """``[N, S]``: the sum of each segment's token log-probs (masked segments included)."""
        return _segment_sums(self.tokens, self.segment, self.n_segments)

    def at(self, level: str) -> torch.Tensor:
        return {"sequence": lambda: self.sequence, "segment": self.segments, "token": lambda: self.tokens}[level]()

    @property
    def lengths(self) -> torch.Tensor:
        """Trained tokens per sample."""
        return self.mask.sum(-1)


def _linear_coefficients(o: Objective) -> torch.Tensor:
    n = len(o.samples)
    if o.level == "sequence":
        shape: tuple[int, ...] = (n,)
    elif o.level == "segment":
        shape = (n, max((len(s.segments) for s in o.samples), default=1))
    else:
        shape = (n, max((len(s) for s in o.samples), default=1))
    leaf = torch.zeros(shape, requires_grad=True)
    loss = o.loss(leaf)
    if not n or not loss.requires_grad:
        return torch.zeros(shape)
    return torch.autograd.grad(loss, leaf)[0]


def _segment_sums(tokens: torch.Tensor, segment: torch.Tensor, n_segments: int) -> torch.Tensor:
    onehot = (segment.unsqueeze(-1) == torch.arange(n_segments, device=segment.device)).to(tokens.dtype)
    return torch.einsum("nc,ncs->ns", tokens, onehot)


@dataclass
class Objective:
    """A loss of the policy's log-probabilities of ``samples``, whose gradient :meth:`RLEngine.update` takes.

    Give ``loss`` (a function of the log-probs at ``level``: ``[N]``, ``[N, S]`` or ``[N, C]``) or, for a loss
    linear in them, ``coefficients`` (``∂L/∂ℓ`` at ``level``; the loss value is then ``Σ c·ℓ``).
    ``linear=True`` says that ``loss`` is linear in ℓ without a constant term (weighted NLL): its coefficients
    are taken by autograd at ℓ = 0 and no pass without gradient is needed.
    ``logps``: the policy's log-probs at ``level`` already computed without gradient (saves a pass).
    ``temperature``: the T of ``log softmax(logits / T)`` (the sampling temperature for REINFORCE-type losses).
    ``weight`` multiplies the gradient (ρ of CGPO's Algorithm 2).
    """

    samples: list[Sample]
    loss: Callable[[torch.Tensor], torch.Tensor] | None = None
    coefficients: torch.Tensor | None = None
    level: str = "sequence"
    weight: float = 1.0
    temperature: float = 1.0
    logps: torch.Tensor | None = None
    linear: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"Objective.level={self.level!r}: use one of {LEVELS}")
        if (self.loss is None) == (self.coefficients is None):
            raise ValueError("an Objective needs exactly one of loss= or coefficients=")


@dataclass
class UpdateResult:
    """What :meth:`RLEngine.update` did: the loss value per objective, the gradient norm, whether it stepped."""

    losses: list[float]
    grad_norm: float
    stepped: bool


@dataclass
class _Plan:
    obj: Objective
    n_micro: int = 0
    fused: bool = False
    coefficients: torch.Tensor | None = None
    loss: float = 0.0
    from_surrogate: bool = False


# --------------------------------------------------------------------------------------------------------------
# Prompt order and sharding
# --------------------------------------------------------------------------------------------------------------


class PromptOrder:
    """Which prompts each step uses: a seeded shuffle per epoch (so a resumed run continues the same order),
    ``per_step`` prompts per step over all ranks, each rank taking an equal contiguous share."""

    def __init__(self, n: int, per_step: int, seed: str):
        self.n, self.per_step, self.seed = n, per_step, seed
        self._epoch_order: dict[int, list[int]] = {}

    def step(self, step: int) -> list[int]:
        """Indices (into the prompt list) of the ``per_step`` prompts of ``step``, over all ranks."""
        out = []
        for pos in range(step * self.per_step, (step + 1) * self.per_step):
            epoch, offset = divmod(pos, self.n)
            if epoch not in self._epoch_order:
                perm = list(range(self.n))
                random.Random(f"{self.seed}-{epoch}").shuffle(perm)
                self._epoch_order = {epoch: perm}  # keep the current epoch only
            out.append(self._epoch_order[epoch][offset])
        return out

    def shard(self, step: int, rank: int, world: int) -> list[int]:
        """This rank's share of the step's prompts (``per_step`` must be divisible by ``world``)."""
        positions = self.step(step)
        per_rank = len(positions) // world
        return positions[rank * per_rank:(rank + 1) * per_rank]


# --------------------------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------------------------


def disable_dropout(model) -> None:
    """Set every dropout probability of ``model`` to 0 (``nn.Dropout`` modules and attention dropout)."""
    if model is None:
        return
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
        if isinstance(getattr(module, "attention_dropout", None), float):
            module.attention_dropout = 0.0
    config = getattr(model, "config", None)
    if config is not None and isinstance(getattr(config, "attention_dropout", None), float):
        config.attention_dropout = 0.0


class RLEngine:
    """The shared on-policy loop; a trainer subclasses it and implements :meth:`train_step`.

    Hooks a trainer may override: :meth:`on_train_start` (before the first step, also after resume),
    :meth:`checkpoint_state` / :meth:`load_checkpoint_state` (extra JSON state kept in checkpoints),
    :meth:`brief` (the progress bar's text), :meth:`summary` (what ``run`` returns) and :meth:`close`.
    ``callbacks`` are called as ``cb(trainer, step, metrics)`` after every step on every rank.
    """

    name = "rl"

    def __init__(self, *, accelerator, model, ref_model, tokenizer, generator, trainer_cfg: Any, run_dir: Path,
                 eval_cfg: Any = None, callbacks: Sequence[Callable] = ()):
        from alignkit.runs import Checkpoints, MetricsLog

        self.accelerator = accelerator
        self.tokenizer = tokenizer
        self.cfg = trainer_cfg
        self.eval_cfg = eval_cfg
        self.run_dir = Path(run_dir)
        self.callbacks = list(callbacks)
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        self.eos_id = tokenizer.eos_token_id
        self.world = accelerator.num_processes
        self.rank = accelerator.process_index
        disable_dropout(model)
        disable_dropout(ref_model)
        decay, no_decay = [], []
        for n, p in model.named_parameters():
            if p.requires_grad:
                (no_decay if p.ndim < 2 or "norm" in n.lower() else decay).append(p)
        groups = [{"params": decay, "weight_decay": trainer_cfg.weight_decay},
                  {"params": no_decay, "weight_decay": 0.0}]
        optimizer = torch.optim.AdamW([g for g in groups if g["params"]], lr=trainer_cfg.learning_rate,
                                      betas=(trainer_cfg.adam_beta1, trainer_cfg.adam_beta2),
                                      eps=trainer_cfg.adam_epsilon)
        scheduler = linear_warmup_schedule(optimizer, trainer_cfg.warmup_steps, trainer_cfg.max_steps,
                                           trainer_cfg.lr_scheduler_type)
        self.model, self.optimizer, self.scheduler = accelerator.prepare(model, optimizer, scheduler)
        self.ref_model = _prepare_reference(ref_model, accelerator)
        self.generator = generator  # holds the same parameters as the prepared model (DDP wraps, not copies)
        self.metrics = MetricsLog(self.run_dir / "metrics.jsonl")
        self.checkpoints = Checkpoints(self.run_dir, keep=trainer_cfg.save_total_limit)
        self.step = 0
        self.optimizer_steps = 0  # steps that applied a gradient
        self.history: list[dict[str, Any]] = []
        self.eval_history: list[tuple[int, dict[str, float]]] = []  # (step, eval/<task>/<metric>) on the main process
        self._last_eval: int | None = None

    # -- to implement -------------------------------------------------------------------------------------------

    def train_step(self, step: int) -> dict[str, Any]:
        """One step: sample, score, :meth:`update`; return the step's metrics (already reduced over ranks)."""
        raise NotImplementedError

    def on_train_start(self) -> None:
        """Called once before the first step of :meth:`train` (after a resume too)."""

    def checkpoint_state(self) -> dict[str, Any]:
        """Extra JSON-serialisable state saved with every checkpoint (main process's)."""
        return {}

    def load_checkpoint_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`checkpoint_state` returned."""

    def brief(self, metrics: dict[str, Any]) -> str:
        """One line for the progress bar and the log."""
        keys = [k for k in ("loss", "reward_mean", "grad_norm") if k in metrics]
        parts = [f"{k}={metrics[k]:.3f}" for k in keys if isinstance(metrics[k], int | float)]
        return " ".join(parts + [f"{metrics.get('time/step', 0.0):.1f}s/step"])

    def summary(self, last: dict[str, Any]) -> dict[str, Any]:
        """What :meth:`train` returns besides steps and time: by default the last step's scalar metrics."""
        return {k: v for k, v in last.items() if isinstance(v, int | float) and not k.startswith("time/")}

    # -- ranks ----------------------------------------------------------------------------------------------------

    @property
    def unwrapped(self):
        return self.accelerator.unwrap_model(self.model)

    @property
    def is_main(self) -> bool:
        return self.accelerator.is_main_process

    def reduce_sum(self, values: list[float]) -> list[float]:
        """Element-wise sum over ranks (float64)."""
        t = torch.tensor(values, dtype=torch.float64, device=self.accelerator.device)
        if self.world > 1:
            t = self.accelerator.reduce(t, reduction="sum")
        return t.tolist()

    def reduce_max(self, values: list[int] | int) -> list[int] | int:
        """Element-wise max over ranks (one int or a list of ints)."""
        single = isinstance(values, int)
        vals = [int(values)] if single else [int(v) for v in values]
        if self.world > 1:
            t = torch.tensor([vals], dtype=torch.long, device=self.accelerator.device)
            vals = self.accelerator.gather(t).max(dim=0).values.tolist()
        return vals[0] if single else vals

    def reduce_metrics(self, sums: dict[str, float]) -> dict[str, float]:
        """Sum every value over ranks, key by key (every rank must pass the same keys)."""
        keys = list(sums)
        return dict(zip(keys, self.reduce_sum([float(sums[k]) for k in keys]), strict=True))

    def reduce_means(self, sums: dict[str, tuple[Any, str]], counts: dict[str, float]) -> dict[str, float]:
        """Means over all ranks: ``sums`` maps a metric to (this rank's sum, the name of its count in
        ``counts``); both are summed over ranks, then divided (a zero count divides by 1). Every rank must pass
        the same keys."""
        totals = self.reduce_metrics({**{k: float(v) for k, (v, _) in sums.items()}, **counts})
        return {k: totals[k] / max(totals[over], 1.0) for k, (_, over) in sums.items()} | {
            f"_{k}": totals[k] for k in counts}

    def gather_objects(self, items: list) -> list:
        """Concatenate a picklable list from every rank (rank order)."""
        if self.world == 1:
            return list(items)
        from accelerate.utils import gather_object

        return gather_object(list(items))

    # -- generation ---------------------------------------------------------------------------------------------

    @contextmanager
    def generation_context(self, model=None) -> Iterator[Any]:
        """Full weights for HF ``generate``: gathers ZeRO-3 parameters and FSDP-1 shards (as TRL's
        ``unwrap_model_for_generation``); yields the unwrapped model. Every rank must enter it together."""
        from accelerate.utils import DistributedType

        model = self.model if model is None else model
        acc = self.accelerator
        if acc.distributed_type not in (DistributedType.DEEPSPEED, DistributedType.FSDP):
            yield acc.unwrap_model(model)
            return
        from trl.distributed import DistributedBackend
        from trl.models.utils import unwrap_model_for_generation

        with unwrap_model_for_generation(model, acc) as unwrapped, \
                DistributedBackend(acc).summon_full_params(model, recurse=False):
            yield unwrapped

    @property
    def sharded(self) -> bool:
        """DeepSpeed or FSDP: parameters may be sharded, gathering them for generation takes every rank."""
        from accelerate.utils import DistributedType

        return self.accelerator.distributed_type in (DistributedType.DEEPSPEED, DistributedType.FSDP)

    def rollout(self, prompts: Sequence[Any], n: int = 1, *, temperature: float | None = None,
                max_new_tokens: int | None = None) -> list:
        """Sample ``n`` responses per chat prompt from the policy with the run's generator (HF or vLLM), under
        :meth:`generation_context`; ``temperature``/``max_new_tokens`` for this call only (None: the recipe's
        ``generation`` settings). Returns :class:`alignkit.generation.Rollout`\\ s, prompt-major."""
        from alignkit.generation import rollout

        with self.generation_context():
            return rollout(self.generator, self.tokenizer, prompts, n, temperature=temperature,
                           max_new_tokens=max_new_tokens)

    def generate_ids(self, prompt_ids: Sequence[Sequence[int]], n: int = 1, *, temperature: float | None = None,
                     max_new_tokens: int | None = None) -> list[tuple[list[int], bool]]:
        """Like :meth:`rollout` from token ids (e.g. attempt 1 + an instruction turn, not re-tokenized text):
        ``(completion_ids, truncated)`` per sample, prompt-major."""
        with self.generation_context():
            return self.generator.generate_ids([list(p) for p in prompt_ids], n, temperature=temperature,
                                               max_new_tokens=max_new_tokens)

    def generate_from_reference(self, prompts: Sequence[Any], n: int = 1, *, temperature: float = 0.0,
                                max_new_tokens: int | None = None) -> list:
        """Sample ``n`` responses per chat prompt from π_ref (HF ``generate`` or the CPU fast path; greedy by
        default); returns :class:`alignkit.generation.Rollout`\\ s. Under ZeRO-3/FSDP every rank must call it
        (with or without prompts), since gathering the weights takes them all."""
        if self.sharded:
            if not self.reduce_max(int(bool(prompts))):
                return []
        elif not prompts:
            return []
        from dataclasses import replace

        from alignkit.generation import GenerationSettings, make_generator, rollout
        from alignkit.models import reference_forward

        holder = self.ref_model if self.ref_model is not None else self.model
        settings = getattr(self.generator, "settings", None) or GenerationSettings()
        # HF generate or the CPU fast path on π_ref's own weights (vLLM holds the policy, not π_ref)
        settings = replace(settings, dtype="auto",
                           backend="hf" if settings.backend == "vllm" else settings.backend)
        with self.generation_context(holder) as full, \
                reference_forward(full, full if self.ref_model is not None else None) as ref:
            if not prompts:
                return []
            return rollout(make_generator(ref, self.tokenizer, settings), self.tokenizer, prompts, n,
                           temperature=temperature, max_new_tokens=max_new_tokens)

    @contextmanager
    def reference_context(self) -> Iterator[Any]:
        """The module that computes π_ref: the frozen copy, or the policy with its LoRA adapter disabled."""
        from alignkit.models import reference_forward

        with reference_forward(self.unwrapped, self.ref_model) as ref:
            yield ref

    # -- scoring ------------------------------------------------------------------------------------------------

    def _forward_tokens(self, model, samples: Sequence[Sample], temperature: float
                        ) -> tuple[torch.Tensor, PaddedBatch]:
        batch = pad_pairs([s.prompt_ids for s in samples], [s.completion_ids for s in samples], self.pad_id)
        device = self.accelerator.device if model is self.model else next(model.parameters()).device
        batch = batch.to(device)
        return token_logprobs(model, batch, temperature), batch

    @torch.no_grad()
    def score(self, samples: Sequence[Sample], temperature: float = 1.0, reference: bool = False) -> LogProbs:
        """Log-probs of every completion token of ``samples`` under π (or π_ref), in micro-batches, no gradient.

        The policy is scored in the same mode as it is trained (dropout off, see the module doc).
        """
        if reference:
            with self.reference_context() as ref:
                return self._score(ref, samples, temperature)
        return self._score(self.model, samples, temperature)

    def _score(self, model, samples: Sequence[Sample], temperature: float) -> LogProbs:
        n, mb = len(samples), self.cfg.micro_batch_size
        width = max(1, max((len(s) for s in samples), default=0))
        seg, mask, klw = _token_layout(samples, width)
        tokens = torch.zeros((n, width))
        seqs = []
        for lo in range(0, n, mb):
            values, _ = self._forward_tokens(model, samples[lo:lo + mb], temperature)
            values = values.float().cpu()
            c = values.shape[1]
            tokens[lo:lo + mb, :c] = values
            seqs.append((values * mask[lo:lo + mb, :c]).sum(-1))
        sequence = torch.cat(seqs) if seqs else torch.zeros(0)
        n_seg = max((len(s.segments) for s in samples), default=1)
        return LogProbs(tokens, mask, klw, seg, sequence, n_seg)

    def _live(self, samples: Sequence[Sample], temperature: float, level: str) -> torch.Tensor:
        """Log-probs at ``level`` with gradient (one micro-batch); trained tokens only carry the gradient."""
        values, _ = self._forward_tokens(self.model, samples, temperature)
        c = values.shape[1]
        seg, mask, _ = _token_layout(samples, c)
        mask = mask.to(values.device)
        if level == "sequence":
            return (values * mask).sum(-1)
        live = torch.where(mask.bool(), values, values.detach())
        if level == "token":
            return live
        n_seg = max((len(s.segments) for s in samples), default=1)
        return _segment_sums(live, seg.to(values.device), n_seg)

    # -- the exact micro-batched gradient -----------------------------------------------------------------------

    def update(self, objectives: Sequence[Objective]) -> UpdateResult:
        """Accumulate ``Σ weight·∇L`` over the objectives (see the module doc) and take one optimizer step.

        Every rank must call this with the same number of objectives; the number of forward/backward passes is
        agreed across ranks (a rank with fewer samples runs zero-weight passes).
        """
        acc, mb = self.accelerator, self.cfg.micro_batch_size
        plans = [_Plan(o) for o in objectives]
        local = []
        for p in plans:
            n = len(p.obj.samples)
            local += [math.ceil(n / mb), 0 if n > 0 else 1]
        agreed = self.reduce_max(local) if plans else []
        for k, p in enumerate(plans):
            n_micro, some_empty = agreed[2 * k], agreed[2 * k + 1]
            o = p.obj
            if o.coefficients is not None:  # a linear loss: c = ∂L/∂ℓ given
                p.coefficients, p.from_surrogate = o.coefficients.detach().float().cpu(), True
            elif o.linear:  # c = ∂L/∂ℓ does not depend on ℓ
                p.coefficients, p.from_surrogate = _linear_coefficients(o), True
            elif n_micro == 1 and not some_empty and o.logps is None:
                p.fused = True  # L on the log-probs of the gradient pass itself
            else:
                logps = o.logps
                if logps is None:
                    logps = self.score(o.samples, o.temperature).at(o.level) if o.samples else torch.zeros(0)
                leaf = logps.detach().float().cpu().clone().requires_grad_(True)
                loss = o.loss(leaf)
                p.loss = float(loss.detach())
                p.coefficients = (torch.autograd.grad(loss, leaf, allow_unused=True)[0]
                                  if leaf.numel() and loss.requires_grad else None)
                if p.coefficients is None:
                    p.coefficients = torch.zeros_like(leaf)
            p.n_micro = n_micro
        total = sum(p.n_micro for p in plans)
        done = 0
        for p in plans:
            for m in range(p.n_micro):
                done += 1
                last = done == total
                acc.sync_gradients = last  # DeepSpeed: step only after the last backward of the step
                with acc.no_sync(self.model) if not last else nullcontext():
                    acc.backward(p.obj.weight * self._micro_loss(p, m))
        acc.sync_gradients = True
        grad_norm = float("nan")
        if total:
            grad_norm = self._clip()
            self.optimizer.step()
            self.optimizer_steps += 1
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        if hasattr(self.generator, "sync_weights"):
            self.generator.sync_weights()  # vLLM samples from the updated policy at the next step
        return UpdateResult([p.loss for p in plans], grad_norm, bool(total))

    def _clip(self) -> float:
        from accelerate.utils import DistributedType

        acc = self.accelerator
        if acc.distributed_type == DistributedType.DEEPSPEED:  # clipped by DeepSpeed (gradient_clipping)
            norm = acc.clip_grad_norm_(self.model.parameters(), self.cfg.max_grad_norm or 1.0)
            return float(norm) if norm is not None else float("nan")
        if self.cfg.max_grad_norm > 0:
            norm = acc.clip_grad_norm_(self.model.parameters(), self.cfg.max_grad_norm)
            return float(norm) if norm is not None else float("nan")
        return float("nan")

    def _micro_loss(self, p: _Plan, m: int) -> torch.Tensor:
        """The loss whose gradient is micro-batch ``m``'s share of ∇L."""
        o, mb = p.obj, self.cfg.micro_batch_size
        if p.fused:
            loss = o.loss(self._live(o.samples, o.temperature, o.level))
            p.loss = float(loss.detach())
            return loss
        samples = o.samples[m * mb:(m + 1) * mb]
        if not samples:  # a padding pass, so that every rank runs the same passes: zero gradient
            tok = self.eos_id if self.eos_id is not None else self.pad_id
            return self._live([Sample.of([tok], [tok])], o.temperature, "sequence").sum() * 0.0
        live = self._live(samples, o.temperature, o.level)
        coef = p.coefficients[m * mb:(m + 1) * mb]
        if o.level != "sequence":  # [n, S] or [n, C]: this micro-batch may be narrower than the whole
            coef = coef[:, :live.shape[1]]
        # Surrogate Σ c·ℓ: its gradient is Σ c·∇ℓ, this micro-batch's part of ∇L (c = ∂L/∂ℓ).
        surrogate = (coef.to(live.device, live.dtype) * live).sum()
        if p.from_surrogate:
            p.loss += float(surrogate.detach())
        return surrogate

    # -- the loop -------------------------------------------------------------------------------------------------

    def train(self) -> dict[str, Any]:
        """Run until ``trainer.max_steps``; returns a summary."""
        acc, cfg = self.accelerator, self.cfg
        self.on_train_start()
        t_start = time.perf_counter()
        progress = _make_progress(enabled=cfg.progress and acc.is_main_process)
        last: dict[str, Any] = {}
        eval_every = self.eval_cfg.every if self.eval_cfg is not None else 0
        if self.step == 0:
            self.evaluate(0)
        with progress:
            bar = progress.add_task(self.name, total=cfg.max_steps, completed=self.step, info="")
            while self.step < cfg.max_steps:
                t0 = time.perf_counter()
                metrics = self.train_step(self.step)
                metrics.setdefault("time/step", time.perf_counter() - t0)
                self.step += 1
                last = metrics
                self.history.append({"step": self.step, **metrics})
                info = self.brief(metrics)
                if acc.is_main_process and (self.step % cfg.logging_steps == 0 or self.step == cfg.max_steps):
                    self.log_metrics(self.step, metrics)
                    log.info("step %d/%d %s", self.step, cfg.max_steps, info)
                progress.update(bar, completed=self.step, info=info)
                for cb in self.callbacks:
                    cb(self, self.step, metrics)
                if eval_every and self.step % eval_every == 0 and self.step < cfg.max_steps:
                    self.evaluate(self.step)
                if cfg.save_steps and self.step % cfg.save_steps == 0 and self.step < cfg.max_steps:
                    self.save_checkpoint(self.step)
        self.evaluate(self.step)
        self.save_checkpoint(self.step)
        self._write_rank_state()
        if cfg.save_model:
            self.save_model(self.run_dir / "final")
        out: dict[str, Any] = {"steps": self.step, "train_seconds": round(time.perf_counter() - t_start, 2)}
        out.update(self.summary(last))
        out.update(self.eval_summary())
        if cfg.plot and acc.is_main_process:
            self.write_report()
        return out

    def eval_summary(self) -> dict[str, Any]:
        """The eval metrics at the first and at the last evaluation of this run (``eval/<task>/<metric> @step``)."""
        if not self.eval_history:
            return {}
        first, last = self.eval_history[0], self.eval_history[-1]
        out: dict[str, Any] = {}
        for key in first[1]:
            if key.startswith("time/"):
                continue
            out[f"{key} @step {first[0]}"] = first[1][key]
            if last[0] != first[0] and key in last[1]:
                out[f"{key} @step {last[0]}"] = last[1][key]
        return out

    def write_report(self) -> Path | None:
        """``alignkit report`` of this run into ``<run>/report`` (charts as report.html and PNGs)."""
        try:
            from alignkit.report import main as build_report

            path = build_report([self.run_dir], None, None)
        except Exception as err:  # noqa: BLE001 - a chart is not worth failing a finished run
            log.warning("could not write the report of %s: %s", self.run_dir, err)
            return None
        log.info("report: %s", path)
        return path

    def log_metrics(self, step: int, metrics: dict[str, Any]) -> None:
        """Main process: ``metrics.jsonl`` and the trackers of ``trainer.report_to``."""
        self.metrics.write(step, metrics)
        if self.accelerator.trackers:
            self.accelerator.log({k: v for k, v in metrics.items() if isinstance(v, int | float)}, step=step)

    def evaluate(self, step: int) -> dict[str, float]:
        """``eval.tasks`` on the current policy, logged as ``eval/<task>/<metric>`` in ``metrics.jsonl``.

        Calls ``alignkit.eval.during_training.evaluate(model, tokenizer, tasks=, limit=, generator=)`` (imported
        here, so trainers without eval never import it) on the main process, inside :meth:`generation_context`
        entered by every rank (ZeRO-3/FSDP-1 weights are gathered); the other ranks wait.
        """
        ev = self.eval_cfg
        if ev is None or not ev.tasks:
            return {}
        if self._last_eval == step:
            return {}
        self._last_eval = step
        metrics: dict[str, float] = {}
        with self.generation_context() as model:
            if self.is_main:
                from alignkit.eval.during_training import evaluate

                t0 = time.perf_counter()
                result = evaluate(model, self.tokenizer, tasks=list(ev.tasks), limit=ev.limit,
                                  generator=self.generator, max_new_tokens=getattr(ev, "max_new_tokens", None))
                for key, value in (result or {}).items():  # "<task>/<metric>" (a bare metric: the only task's)
                    if not key.startswith("eval/"):
                        key = f"eval/{key}" if "/" in key or len(ev.tasks) != 1 else f"eval/{ev.tasks[0]}/{key}"
                    metrics[key] = float(value)
                metrics["time/eval"] = time.perf_counter() - t0
                self.eval_history.append((step, dict(metrics)))
                self.log_metrics(step, metrics)
                log.info("eval at step %d: %s", step, {k: round(v, 4) for k, v in metrics.items()})
        self.accelerator.wait_for_everyone()
        return metrics

    # -- checkpoints ----------------------------------------------------------------------------------------------

    def save_checkpoint(self, step: int) -> Path | None:
        """``accelerator.save_state`` into ``checkpoints/checkpoint-N`` (atomic), plus the trainer state."""
        from accelerate.utils import broadcast_object_list

        from alignkit.runs import atomic_write_json

        acc = self.accelerator
        _quiet_accelerate_checkpointing()
        extra = self.checkpoint_state()

        def write(tmp: Path) -> None:
            if self.world > 1:
                broadcast_object_list([str(tmp)], from_process=0)
            acc.save_state(str(tmp))
            atomic_write_json(tmp / "trainer_state.json", {"step": step, "optimizer_steps": self.optimizer_steps,
                                                           "trainer": self.name, **extra})
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
        """Restore model, optimizer, scheduler, RNG and trainer states; return the step to continue from."""
        from alignkit.runs import step_of

        self.accelerator.load_state(str(path))
        state_file = path / "trainer_state.json"
        state = json.loads(state_file.read_text()) if state_file.exists() else {"step": step_of(path)}
        self.step = int(state["step"])
        self.optimizer_steps = int(state.get("optimizer_steps", self.step))
        self.load_checkpoint_state(state)
        if self.accelerator.is_main_process:
            self.metrics.truncate_after(self.step)
        if hasattr(self.generator, "sync_weights"):
            self.generator.sync_weights()
        return self.step

    def parameter_fingerprint(self) -> str:
        """A hash of every parameter's float64 sum: equal on all ranks when data parallelism keeps them in sync."""
        import hashlib

        with torch.no_grad():
            sums = torch.stack([p.detach().double().sum() for p in self.unwrapped.parameters()])
        return hashlib.sha256(sums.cpu().numpy().tobytes()).hexdigest()[:16]

    def _write_rank_state(self) -> None:
        """``<run>/ranks/rank<R>.json``: steps done and a parameter fingerprint per rank (DDP consistency check)."""
        from alignkit.runs import atomic_write_json

        sharded = self.sharded
        state = {"rank": self.rank, "world_size": self.world, "steps": self.step,
                 "optimizer_steps": self.optimizer_steps,
                 "parameter_fingerprint": None if sharded else self.parameter_fingerprint()}
        atomic_write_json(self.run_dir / "ranks" / f"rank{self.rank}.json", state)
        if self.world > 1 and not sharded:
            prints = self.gather_objects([state["parameter_fingerprint"]])
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
        if self.accelerator.trackers:
            self.accelerator.end_training()


# --------------------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------------------


def build_accelerator(cfg, run_dir: Path):
    """An :class:`accelerate.Accelerator` for a composed RL recipe, and the run directory every rank agrees on.

    CPU processes (gloo) when the model lives on CPU; ``trainer.report_to`` trackers (TensorBoard under
    ``$TENSORBOARD_LOGGING_DIR`` or ``<run>/tensorboard``, where the TRL-based commands write theirs too;
    W&B offline unless ``WANDB_MODE`` says otherwise); under DeepSpeed, ``trainer.max_grad_norm`` becomes the
    config's ``gradient_clipping`` (a number already in the DeepSpeed config wins, with a warning).
    """
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    report_to = tracker_names(cfg.trainer.report_to)
    cpu = cfg.model.device == "cpu" or (cfg.model.device == "auto" and not torch.cuda.is_available())
    if "wandb" in report_to:
        os.environ.setdefault("WANDB_MODE", "offline")
        os.environ.setdefault("WANDB_DIR", str(run_dir))
    logging_dir = Path(os.environ.get("TENSORBOARD_LOGGING_DIR") or Path(run_dir) / "tensorboard")
    accelerator = Accelerator(cpu=cpu, log_with=report_to or None, project_dir=str(logging_dir))
    run_dir = agree_on_run_dir(accelerator, Path(run_dir))
    _deepspeed_clipping(accelerator, cfg.trainer.max_grad_norm)
    set_seed(int(cfg.seed), device_specific=True)
    return accelerator, run_dir


def tracker_names(report_to) -> list[str]:
    """The trackers of ``trainer.report_to`` that are installed (a missing one is a :class:`ConfigError`)."""
    import importlib.util

    names = [r for r in (report_to or []) if r and r != "none"]
    for r in names:
        module = "tensorboard" if r == "tensorboard" else r
        if importlib.util.find_spec(module) is None and not (
                r == "tensorboard" and importlib.util.find_spec("tensorboardX") is not None):
            raise ConfigError(f"trainer.report_to={r} needs the {module} package: pip install {module} "
                              f"(or drop it: trainer.report_to=[]).")
    return names


def init_trackers(accelerator, cfg, project: str) -> None:
    """Start the ``trainer.report_to`` trackers with the flattened config (main process)."""
    if not tracker_names(cfg.trainer.report_to):
        return
    from omegaconf import OmegaConf

    flat = _flatten(OmegaConf.to_container(cfg, resolve=True))
    init = {"wandb": {"dir": os.environ.get("WANDB_DIR"), "name": Path(str(cfg.output_dir or "run")).name}}
    accelerator.init_trackers(os.environ.get("WANDB_PROJECT", project), config=flat, init_kwargs=init)


def _deepspeed_clipping(accelerator, max_grad_norm: float) -> None:
    plugin = getattr(accelerator.state, "deepspeed_plugin", None)
    if plugin is None:
        return
    ds = plugin.deepspeed_config
    current = ds.get("gradient_clipping")
    if current in (None, "auto"):
        ds["gradient_clipping"] = float(max_grad_norm)
    elif float(current) != float(max_grad_norm):
        log.warning("DeepSpeed's config sets gradient_clipping=%s; trainer.max_grad_norm=%s is not used.",
                    current, max_grad_norm)


def agree_on_run_dir(accelerator, run_dir: Path) -> Path:
    """Every rank writes to the main process's run directory."""
    if accelerator.num_processes == 1:
        return run_dir
    from accelerate.utils import broadcast_object_list

    holder = [str(run_dir)]
    broadcast_object_list(holder, from_process=0)
    return Path(holder[0])


def load_policy_and_reference(cfg, accelerator):
    """``(policy, reference, tokenizer)`` from ``cfg.model``: π_ref is a frozen copy, or ``None`` when the policy
    has a LoRA adapter (then π_ref is the policy with the adapter disabled, see :meth:`RLEngine.score`)."""
    from alignkit.config.schema import model_kwargs
    from alignkit.models import load_model, load_reference, load_tokenizer

    kwargs = model_kwargs(cfg.model)
    if accelerator.num_processes > 1 and kwargs["device"] == "auto":
        kwargs["device"] = str(accelerator.device)
    tokenizer = load_tokenizer(cfg.model.name_or_path)
    model = load_model(cfg.model.name_or_path, **kwargs)
    ref = load_reference(model, cfg.model.name_or_path, **kwargs)
    if (cfg.model.lora.r or 0) > 0 and (cfg.model.lora.dropout or 0) > 0:
        log.info("model.lora.dropout=%s is not used: RL trainers run with dropout off.", cfg.model.lora.dropout)
    return model, ref, tokenizer


def make_generator(cfg, model, tokenizer, accelerator):
    """The rollout generator of ``cfg.generation``."""
    from alignkit.generation import GenerationSettings
    from alignkit.generation import make_generator as _make

    return _make(model, tokenizer, GenerationSettings(**_plain(cfg.generation)), accelerator)


def resume_checkpoint(resume_from: Path) -> Path:
    """The checkpoint folder to resume from: ``resume_from`` itself, or the latest one of that run."""
    from alignkit.runs import Checkpoints

    resume_from = Path(resume_from)
    if (resume_from / "trainer_state.json").exists() or resume_from.name.startswith(("checkpoint-", "step-")):
        return resume_from
    latest = Checkpoints(resume_from).latest()
    if latest is None:
        raise UserError(f"resume: {resume_from} has no checkpoint yet; start a new run without resume=.")
    return latest


def run_trainer(trainer: RLEngine, resume_from: Path | None = None) -> dict[str, Any]:
    """Resume (when asked), train, close; returns the summary with ``run_dir``."""
    try:
        if resume_from is not None:
            ckpt = resume_checkpoint(Path(resume_from))
            step = trainer.load_checkpoint(ckpt)
            log.info("Resumed from %s (step %d)", ckpt, step)
        summary = trainer.train()
    finally:
        trainer.close()
    summary["run_dir"] = str(trainer.run_dir)
    return summary


# --------------------------------------------------------------------------------------------------------------
# Components from recipes: prompts, rewards, judges (``key`` names the config section in messages)
# --------------------------------------------------------------------------------------------------------------


def load_prompt_records(data: Any, key: str = "data") -> list[dict]:
    """Prompts as records ``{id, task, prompt, metadata, reference}`` from a :class:`PromptDataConfig`."""
    from alignkit.data import load_prompts
    from alignkit.errors import DataError

    data = _plain(data)
    where = data.get("where") or {}
    records = list(load_prompts(data["source"], split=data.get("split", "train"),
                                columns=data.get("columns") or None, limit=None if where else data.get("limit")))
    if where:
        records = [r for r in records if metadata_matches(r.get("metadata") or {}, where)]
        if not records:
            raise DataError(f"{key}.where={where} keeps none of the prompts of {data['source']!r}: "
                            f"check the metadata keys and values.")
        if data.get("limit"):
            records = records[:data["limit"]]
    if not records:
        raise DataError(f"{key}: the data source {data['source']!r} gave no prompts.")
    return records


def metadata_matches(metadata: dict, where: dict) -> bool:
    """``where`` is ``{key: value}`` or ``{key: [values]}``; every key must match."""
    for name, wanted in where.items():
        value = metadata.get(name)
        if isinstance(wanted, list | tuple):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def build_reward(spec: Any, key: str = "reward") -> Callable:
    """A reward ``reward(prompts, completions, metadata) -> list[float | None]`` from its ``_target_`` config."""
    from hydra.utils import instantiate

    spec = _plain(spec)
    if callable(spec):
        return spec
    if not isinstance(spec, dict) or "_target_" not in spec:
        raise ConfigError(f"{key} needs a `_target_` (e.g. alignkit.rewards.rules.CodePassFraction).")
    try:
        reward = instantiate(spec, _convert_="all")
    except Exception as err:
        raise ConfigError(f"{key}: could not build {spec['_target_']}: {err}") from err
    if not callable(reward):
        raise ConfigError(f"{key}: {spec['_target_']} is not callable as reward(prompts, completions, metadata).")
    return reward


def build_judges(specs: Any, key: str = "judges"):
    """A Mixture of Judges from ``name -> _target_ config`` (empty or all null: no constraint)."""
    from alignkit.judges import MixtureOfJudges

    judges = []
    for name, spec in (_plain(specs) or {}).items():
        if spec is None:
            continue
        spec = dict(spec)
        spec.setdefault("name", name)
        judges.append(spec)
    try:
        return MixtureOfJudges(judges)
    except UserError:
        raise
    except Exception as err:
        raise ConfigError(f"{key}: could not build the judges: {err}") from err


# --------------------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------------------


def close_quietly(*things: Any) -> None:
    """Call ``close()`` on each thing that has one; a failure is logged, never raised (a run's result stands)."""
    for thing in things:
        close = getattr(thing, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # noqa: BLE001
                log.debug("closing %r failed", thing, exc_info=True)


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


def _make_progress(enabled: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("{task.fields[info]}"), disable=not enabled, transient=False)


def _plain(node: Any) -> Any:
    from omegaconf import DictConfig, ListConfig, OmegaConf

    if isinstance(node, DictConfig | ListConfig):
        return OmegaConf.to_container(node, resolve=True)
    return node


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


__all__ += ["PromptDataConfig", "StepTimer", "agree_on_run_dir", "build_judges", "build_reward", "init_trackers",
            "close_quietly", "load_prompt_records", "make_generator", "metadata_matches", "tracker_names"]
