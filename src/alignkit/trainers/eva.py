"""``alignkit eva-evolve``: eva, a creator that evolves the prompt set and a solver that learns from it.

Ye et al., "Evolving Alignment via Asymmetric Self-Play" (arXiv 2411.00062). Classic preference optimization
trains on a fixed prompt set; eva makes prompt creation a player: a *creator* moves the prompt distribution
toward prompts the *solver* can still learn from (a minimax-regret game, approximated with rewards). Every
iteration t = 1..T (Algorithm 1 of the paper):

* **creator — estimate**: n responses of π_{t−1} to every prompt of X_{t−1}, scored by the recipe's reward; the
  informativeness of a prompt is the reward gap max − min (or variance, max − mean, best − second best):
  :meth:`EvaLoop.phase_estimate`, :func:`alignkit.trainers.eva_creator.informativeness`;
* **creator — sample**: a quarter of X_{t−1}, drawn in proportion to informativeness (min-max normalised);
* **creator — evolve**: each sampled prompt rewritten into m variants (in-depth and in-breadth operators), the
  variants filtered; the kept ones plus a uniform buffer of X_{t−1} (~80/20) form X_t:
  :meth:`EvaLoop.phase_creator`, :mod:`alignkit.trainers.eva_creator`;
* **solver**: n responses of π_{t−1} to every prompt of X_t, the best and the worst as a preference pair
  (:func:`best_worst_pairs`), and one iteration of preference optimization — DPO through TRL's ``DPOTrainer``
  (:func:`train_dpo`) or SimPO with the engine's loss (:class:`SimPOSolver`) — giving π_t.

With ``creator.enabled=false`` every iteration trains on the initial set X_0 (the fixed-prompt baseline of the
paper's comparison; ``scripts/eva_vs_fixed.py`` runs both).

The run directory keeps everything each iteration made (see :class:`IterationDir`) and the policy after every
iteration (``checkpoints/checkpoint-<t>``). Each iteration has five phases (estimate, creator, pairs, solver,
heldout); each writes its files atomically and is recorded in the iteration's ``state.json``, so ``resume=``
continues at the first unfinished phase and a kill loses at most the phase it interrupted. Every phase seeds its random
generators from (seed, iteration, phase), so a resumed run samples what the uninterrupted run would have.

The loop runs in one process (the solver's TRL trainer or engine uses the accelerator that process sees).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from alignkit.config.schema import GenerationConfig, RecipeBase
from alignkit.errors import ConfigError, DataError, UserError
from alignkit.eval.during_training import EvalSettings
from alignkit.trainers.eva_creator import (
    ASSIGN_MODES,
    PROXIES,
    FilterConfig,
    Operator,
    VariantFilter,
    as_prompt_record,
    build_operators,
    drop_counts,
    evolve_prompts,
    informativeness,
    mix_prompt_set,
    reward_summary,
    sample_prompts,
    sampling_weights,
)

log = logging.getLogger(__name__)

LOSSES = ("dpo", "simpo")
REFERENCES = ("previous", "initial")
EVOLVER_SOURCES = ("policy", "model", "endpoint")
PHASES = ("estimate", "creator", "pairs", "solver", "heldout")
RM_AUTO_PREFIX = "auto:"


# --------------------------------------------------------------------------------------------------------------
# Recipe schema
# --------------------------------------------------------------------------------------------------------------


@dataclass
class PromptSourceConfig:
    """A prompt set (see :func:`alignkit.data.load_prompts`)."""

    source: str = "chat"  # a shipped set (chat, coding, math, instruction_following), a JSONL file, a hub set
    split: str = "train"
    limit: int | None = None  # the first N prompts (after `where`)
    columns: dict[str, str] = field(default_factory=dict)  # schema field -> source column
    where: dict[str, Any] = field(default_factory=dict)  # keep prompts whose metadata matches {key: value|[values]}


@dataclass
class HeldOutConfig(PromptSourceConfig):
    """A fixed prompt set the policy is scored on before the first and after every solver step."""

    source: str | None = None  # None: the source of `data`
    split: str = "test"
    limit: int | None = 16
    num_samples: int = 1  # responses per prompt
    temperature: float = 0.0  # 0: greedy (lowest variance between iterations)
    max_new_tokens: int | None = None  # None: generation.max_new_tokens


@dataclass
class EvolverConfig:
    """Who rewrites the prompts."""

    source: str = "policy"  # policy (the current π_{t-1}) | model (any causal LM) | endpoint (OpenAI-compatible)
    model: str | None = None  # source=model: a model name/path; source=endpoint: the served model's name
    url: str | None = None  # source=endpoint: the server's base URL, e.g. http://localhost:8000/v1
    api_key_env: str | None = "OPENAI_API_KEY"  # source=endpoint: environment variable holding the key, if any
    temperature: float = 0.7
    top_p: float = 1.0  # source=endpoint (in-process models use generation.top_p)
    max_new_tokens: int = 128
    timeout_s: float = 60.0
    concurrency: int = 4  # source=endpoint: requests in flight


@dataclass
class CreatorConfig:
    """eva's creator: estimate, sample, evolve, mix."""

    enabled: bool = True  # false: every iteration trains on the initial set (the fixed-prompt baseline)
    num_samples: int = 4  # n responses per prompt for the informativeness estimate (paper: 6)
    proxy: str = "gap"  # gap (max − min, the paper's) | variance | max_mean | best_second
    sample_fraction: float = 0.25  # share of the prompts that are evolved
    sampling: str = "informativeness"  # informativeness (∝ min-max normalised proxy) | uniform (ablation)
    num_variants: int = 4  # m variants per sampled prompt (paper: 4)
    operator_choice: str = "distinct"  # distinct (m different operators per prompt) | random (EvolInstruct's)
    operators: dict[str, Operator] = field(default_factory=dict)  # name -> template (recipes/eva_evolve/operators)
    prompt_suffix: str | None = None  # a fixed instruction kept out of the evolver's view and re-attached
    required_metadata: list[str] = field(default_factory=list)  # fields the reward needs (math: answer)
    filters: FilterConfig = field(default_factory=FilterConfig)
    buffer_fraction: float = 0.2  # share of the next set drawn uniformly from the current one (paper: ~20 %)
    min_set_size: int = 8  # top the buffer up to this size when few variants survive
    max_set_size: int | None = None  # cap the next set (variants subsampled uniformly)
    evolver: EvolverConfig = field(default_factory=EvolverConfig)


@dataclass
class SolverConfig:
    """Preference pairs and one iteration of preference optimization (TRL's option names)."""

    loss: str = "dpo"  # dpo (TRL DPOTrainer) | simpo (the engine's SimPO loss: reference-free)
    num_samples: int = 4  # n responses per prompt (paper: 6); best vs worst make the pair
    min_gap: float = 0.0  # pairs whose reward gap is <= this are dropped (ties always are)
    beta: float = 0.05  # DPO: β (paper 0.05). SimPO: β of the length-normalised reward (SimPO paper: 2-10)
    simpo_gamma: float = 0.5  # SimPO: the target margin γ
    reference: str = "previous"  # π_ref of iteration t: previous (π_{t−1}, iterative DPO) | initial (π_0)
    learning_rate: float = 5e-7  # paper: 5e-7 (GPU, 9B); CPU recipes raise it
    num_train_epochs: float = 2.0  # paper: 2 epochs per iteration
    max_steps: int = -1  # > 0: exactly this many optimizer steps per iteration (overrides epochs)
    per_device_train_batch_size: int = 8  # pairs per optimizer step
    gradient_accumulation_steps: int = 1  # DPO only
    max_length: int = 512  # prompt + response tokens (DPO truncation)
    lr_scheduler_type: str = "constant"
    warmup_steps: int = 0
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    micro_batch_size: int = 8  # SimPO: sequences per forward/backward pass (memory only; the gradient is exact)
    logging_steps: int = 1
    extra: dict[str, Any] = field(default_factory=dict)  # DPO: any other DPOConfig field


@dataclass
class EvaRecipe(RecipeBase):
    """Schema of ``recipes/eva_evolve/*.yaml``."""

    iterations: int = 2  # T
    data: PromptSourceConfig = field(default_factory=PromptSourceConfig)  # the initial prompt set X_0
    heldout: HeldOutConfig = field(default_factory=HeldOutConfig)
    generation: GenerationConfig = field(default_factory=GenerationConfig)  # the solver's and creator's sampling
    reward: Any = None  # `_target_` of reward(prompts, completions, metadata) -> list[float]
    fallback_reward: Any = None  # scores evolved prompts that lack the metadata `reward` needs (None: drop them)
    creator: CreatorConfig = field(default_factory=CreatorConfig)
    solver: SolverConfig = field(default_factory=SolverConfig)
    # benchmarks (alignkit eval's tasks) on π_0 and after every iteration, as eval/<task>/<metric>
    eval: EvalSettings = field(default_factory=EvalSettings)

    @staticmethod
    def check(cfg) -> None:
        """Reject bad values and combinations, naming the key and the fix."""
        EvalSettings.validate(cfg.eval)
        if cfg.iterations < 1:
            raise ConfigError(f"iterations={cfg.iterations} must be >= 1.")
        if cfg.reward is None or not hasattr(cfg.reward, "keys") or "_target_" not in cfg.reward:
            raise ConfigError("reward needs a `_target_` (e.g. pull a shipped one: `- /rewards@reward: "
                              "math_correctness` in the recipe's defaults, or reward._target_=...).")
        c, s, h = cfg.creator, cfg.solver, cfg.heldout
        if c.proxy not in PROXIES:
            raise ConfigError(f"creator.proxy={c.proxy!r}: use one of {', '.join(PROXIES)}.")
        if c.sampling not in ("informativeness", "uniform"):
            raise ConfigError(f"creator.sampling={c.sampling!r}: use informativeness or uniform.")
        if c.operator_choice not in ASSIGN_MODES:
            raise ConfigError(f"creator.operator_choice={c.operator_choice!r}: use distinct or random.")
        if not 0 < c.sample_fraction <= 1:
            raise ConfigError(f"creator.sample_fraction={c.sample_fraction} must be in (0, 1].")
        if not 0 <= c.buffer_fraction < 1:
            raise ConfigError(f"creator.buffer_fraction={c.buffer_fraction} must be in [0, 1).")
        if c.num_samples < 2:
            raise ConfigError(f"creator.num_samples={c.num_samples}: informativeness needs >= 2 responses.")
        if c.num_variants < 1:
            raise ConfigError(f"creator.num_variants={c.num_variants} must be >= 1.")
        if c.min_set_size < 1:
            raise ConfigError(f"creator.min_set_size={c.min_set_size} must be >= 1.")
        if c.max_set_size is not None and c.max_set_size < c.min_set_size:
            raise ConfigError(f"creator.max_set_size={c.max_set_size} is below creator.min_set_size="
                              f"{c.min_set_size}.")
        if c.enabled:
            build_operators(c.operators)  # names the operator and field that is wrong
        FilterConfig.check(c.filters)
        ev = c.evolver
        if ev.source not in EVOLVER_SOURCES:
            raise ConfigError(f"creator.evolver.source={ev.source!r}: use policy, model or endpoint.")
        if ev.source == "model" and not ev.model:
            raise ConfigError("creator.evolver.source=model needs creator.evolver.model=<model name or folder>.")
        if ev.source == "endpoint" and not ev.url:
            raise ConfigError("creator.evolver.source=endpoint needs creator.evolver.url=http://host:port/v1.")
        if s.loss not in LOSSES:
            raise ConfigError(f"solver.loss={s.loss!r}: use dpo or simpo.")
        if s.reference not in REFERENCES:
            raise ConfigError(f"solver.reference={s.reference!r}: use previous (π of the last iteration) or "
                              f"initial (the starting policy).")
        if s.num_samples < 2:
            raise ConfigError(f"solver.num_samples={s.num_samples}: a preference pair needs >= 2 responses.")
        if s.min_gap < 0:
            raise ConfigError(f"solver.min_gap={s.min_gap} must be >= 0.")
        if s.beta <= 0:
            raise ConfigError(f"solver.beta={s.beta} must be > 0.")
        if s.learning_rate <= 0:
            raise ConfigError(f"solver.learning_rate={s.learning_rate} must be > 0.")
        if s.max_steps == 0 or s.max_steps < -1:
            raise ConfigError(f"solver.max_steps={s.max_steps}: use a positive number, or -1 for "
                              f"solver.num_train_epochs.")
        if s.max_steps == -1 and s.num_train_epochs <= 0:
            raise ConfigError(f"solver.num_train_epochs={s.num_train_epochs} must be > 0.")
        for key in ("per_device_train_batch_size", "gradient_accumulation_steps", "micro_batch_size",
                    "logging_steps", "max_length"):
            if getattr(s, key) < 1:
                raise ConfigError(f"solver.{key}={getattr(s, key)} must be >= 1.")
        if s.lr_scheduler_type not in ("constant", "linear", "cosine"):
            raise ConfigError(f"solver.lr_scheduler_type={s.lr_scheduler_type!r}: use constant, linear or cosine.")
        if h.num_samples < 1:
            raise ConfigError(f"heldout.num_samples={h.num_samples} must be >= 1.")


# --------------------------------------------------------------------------------------------------------------
# The solver's preference pairs (best vs worst of n)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairChoice:
    """The responses of one prompt that make its preference pair (indices into that prompt's responses)."""

    chosen: int
    rejected: int
    chosen_reward: float
    rejected_reward: float

    @property
    def gap(self) -> float:
        return self.chosen_reward - self.rejected_reward


PAIR_DROP_REASONS = ("too_few_rewards", "tie", "small_gap")


def best_worst_pair(rewards: Sequence[float | None], min_gap: float = 0.0, texts: Sequence[str] | None = None
                    ) -> tuple[PairChoice | None, str | None]:
    """The paper's pair: the highest-reward response against the lowest-reward one.

    Responses whose reward failed (``None``/NaN) take no part. Returns ``(None, reason)`` when fewer than two
    rewards are valid, when best and worst tie (equal rewards, or the same text), or when the gap is not above
    ``min_gap``. Among equal rewards the first response is chosen and the first one rejected.
    """
    valid = [(i, float(r)) for i, r in enumerate(rewards) if r is not None and not math.isnan(float(r))]
    if len(valid) < 2:
        return None, "too_few_rewards"
    best = max(valid, key=lambda t: (t[1], -t[0]))
    worst = min(valid, key=lambda t: (t[1], t[0]))
    gap = best[1] - worst[1]
    if gap <= 0 or (texts is not None and texts[best[0]] == texts[worst[0]]):
        return None, "tie"
    if gap <= min_gap:
        return None, "small_gap"
    return PairChoice(best[0], worst[0], best[1], worst[1]), None


def best_worst_pairs(groups: Sequence[Sequence[float | None]], min_gap: float = 0.0,
                     texts: Sequence[Sequence[str]] | None = None
                     ) -> tuple[list[PairChoice | None], dict[str, int]]:
    """:func:`best_worst_pair` for every prompt, and the number of prompts dropped per reason."""
    out, reasons = [], Counter()
    for k, rewards in enumerate(groups):
        pair, reason = best_worst_pair(rewards, min_gap, texts[k] if texts is not None else None)
        out.append(pair)
        if reason:
            reasons[reason] += 1
    return out, {r: int(reasons.get(r, 0)) for r in PAIR_DROP_REASONS}


# --------------------------------------------------------------------------------------------------------------
# SimPO on the engine (Meng et al., 2024): reference-free, length-normalised, with a target margin γ
# --------------------------------------------------------------------------------------------------------------


def simpo_objective_loss(logps: torch.Tensor, lengths: torch.Tensor, n_pairs: int, beta: float, gamma: float
                         ) -> torch.Tensor:
    """The mean SimPO loss of ``n_pairs`` pairs laid out as ``[chosen..., rejected...]`` in ``logps``/``lengths``.

    ``L = −log σ(β/|y_w| · log π(y_w|x) − β/|y_l| · log π(y_l|x) − γ)`` (:func:`alignkit.trainers.losses.simpo_loss`).
    """
    from alignkit.trainers.losses import simpo_loss

    return simpo_loss(logps[:n_pairs], lengths[:n_pairs], logps[n_pairs:], lengths[n_pairs:], beta=beta, gamma=gamma)


# --------------------------------------------------------------------------------------------------------------
# The run directory
# --------------------------------------------------------------------------------------------------------------


def write_jsonl(path: Path, rows: Sequence[dict]) -> None:
    """Atomically write one JSON object per line."""
    from alignkit.runs import atomic_write_text

    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False, default=_json_default) + "\n" for r in rows))


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


class IterationDir:
    """``<run>/iterations/iter-<t>/``: everything iteration t made.

    ``estimate.jsonl``   X_{t−1}: every prompt's n responses, their rewards, informativeness and every proxy
    ``sampled.jsonl``    the prompts drawn for evolution, with their weight and draw order
    ``children.jsonl``   every variant: parent → child, operator, kept or dropped and why (``dropped.jsonl``: the
                         dropped ones)
    ``prompts.jsonl``    X_t, the prompt set the solver trains on (``datasets.load_dataset("json", ...)`` and
                         ``alignkit.data.load_prompts`` read it)
    ``responses.jsonl``  the solver's n responses per prompt of X_t and their rewards
    ``pairs.jsonl``      the preference pairs (prompt, chosen, rejected, rewards, gap)
    ``heldout.jsonl``    the held-out prompts' responses and rewards after the solver
    ``metrics.json``     the iteration's metrics (also a line of ``<run>/metrics.jsonl``)
    ``state.json``       the finished phases
    The policy after iteration t is ``<run>/checkpoints/checkpoint-<t>``. ``iter-000`` holds X_0 and the held-out
    rewards of the initial policy.
    """

    def __init__(self, run_dir: Path, t: int):
        self.t = t
        self.path = Path(run_dir) / "iterations" / f"iter-{t:03d}"

    def file(self, name: str) -> Path:
        return self.path / name

    def state(self) -> dict:
        f = self.file("state.json")
        return json.loads(f.read_text()) if f.exists() else {"iteration": self.t, "phases": {}, "done": False}

    def done(self, phase: str) -> bool:
        return phase in self.state()["phases"]

    def mark(self, phase: str, done: bool = False) -> None:
        from alignkit.runs import atomic_write_json

        state = self.state()
        state["phases"][phase] = round(time.time(), 3)
        state["done"] = done or state.get("done", False)
        atomic_write_json(self.file("state.json"), state)

    @property
    def finished(self) -> bool:
        return bool(self.state().get("done"))


def _phase_seed(seed: int, t: int, phase: str) -> int:
    return int(hashlib.sha256(f"{seed}-{t}-{phase}".encode()).hexdigest()[:12], 16)


# --------------------------------------------------------------------------------------------------------------
# Building pieces from the recipe
# --------------------------------------------------------------------------------------------------------------


def _plain(node: Any) -> Any:
    from omegaconf import DictConfig, ListConfig, OmegaConf

    if isinstance(node, DictConfig | ListConfig):
        return OmegaConf.to_container(node, resolve=True)
    return node


def load_records(src: Any, key: str) -> list[dict]:
    """Prompt records of a :class:`PromptSourceConfig` section (``where`` applied before ``limit``)."""
    from alignkit.data import load_prompts

    d = _plain(src)
    where = d.get("where") or {}
    records = list(load_prompts(d["source"], split=d.get("split", "train"), columns=d.get("columns") or None,
                                limit=None if where else d.get("limit")))
    if where:
        def matches(meta: dict) -> bool:
            return all(meta.get(k) in (v if isinstance(v, list | tuple) else [v]) for k, v in where.items())

        records = [r for r in records if matches(r.get("metadata") or {})]
        if not records:
            raise DataError(f"{key}.where={where} keeps none of the prompts of {d['source']!r}: check the metadata "
                            f"keys and values.")
        if d.get("limit"):
            records = records[:d["limit"]]
    for r in records:
        r.setdefault("origin", "initial")
        r.setdefault("reward_source", "primary")
    return records


def latest_reward_model(spec: str, runs_root: str | Path = "runs") -> Path:
    """``auto:rm/<recipe>``: the reward model of the newest finished ``alignkit rm recipe=<recipe>`` run."""
    from alignkit.rewards.reward_model import RM_INFO_FILE

    target = spec[len(RM_AUTO_PREFIX):].strip("/")
    command, _, recipe = target.partition("/")
    if command != "rm" or not recipe:
        raise ConfigError(f"reward.model={spec!r}: write auto:rm/<recipe> (e.g. auto:rm/chat) or a folder.")
    root = Path(runs_root) / "rm" / recipe
    found = sorted((p for p in root.glob("*/model") if (p / RM_INFO_FILE).is_file() or (p / "config.json").is_file()),
                   key=lambda p: p.stat().st_mtime)
    if not found:
        raise UserError(
            f"This recipe scores responses with a reward model trained by `alignkit rm recipe={recipe}`, and there "
            f"is none under {root.resolve()}. Train it first (a few minutes on CPU):\n"
            f"    alignkit rm recipe={recipe}\n"
            f"then run this command again from the same directory, or pass reward.model=<reward-model folder>.")
    return found[-1]


def build_reward(spec: Any, key: str = "reward") -> Callable:
    """The engine's :func:`~alignkit.trainers.engine.build_reward`, where ``model: auto:rm/<recipe>`` first finds
    the newest reward model trained by ``alignkit rm recipe=<recipe>``."""
    from alignkit.trainers import engine

    spec = _plain(spec)
    model = spec.get("model") if isinstance(spec, dict) else None
    if isinstance(model, str) and model.startswith(RM_AUTO_PREFIX):
        spec = {**spec, "model": str(latest_reward_model(model))}
        log.info("%s: using the reward model %s", key, spec["model"])
    return engine.build_reward(spec, key)


# --------------------------------------------------------------------------------------------------------------
# Policy checkpoints
# --------------------------------------------------------------------------------------------------------------


def save_policy(model, tokenizer, path: Path) -> None:
    """The policy in Hugging Face format (LoRA: the adapter only; its base is ``model.name_or_path``)."""
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model.save_pretrained(str(path), safe_serialization=True)
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    tokenizer.save_pretrained(str(path))


def load_policy(cfg, checkpoint: Path | None):
    """π from ``cfg.model`` (``checkpoint``: the policy saved after an iteration)."""
    from alignkit.config.schema import model_kwargs
    from alignkit.models import load_model

    kwargs = model_kwargs(cfg.model)
    lora = (cfg.model.lora.r or 0) > 0
    if checkpoint is None:
        return load_model(cfg.model.name_or_path, **kwargs)
    if not lora:
        return load_model(str(checkpoint), **{**kwargs, "lora": None})
    from peft import PeftModel

    base = load_model(cfg.model.name_or_path, **{**kwargs, "lora": None})
    return PeftModel.from_pretrained(base, str(checkpoint), is_trainable=True)


def frozen_initial_policy(cfg):
    """π_0, frozen (the reference when ``solver.reference=initial``)."""
    from alignkit.config.schema import model_kwargs
    from alignkit.models import load_model

    kwargs = {**model_kwargs(cfg.model), "lora": None, "gradient_checkpointing": False}
    return load_model(cfg.model.name_or_path, trainable=False, **kwargs)


# --------------------------------------------------------------------------------------------------------------
# Solvers
# --------------------------------------------------------------------------------------------------------------


def train_dpo(model, ref_model, tokenizer, pairs: Sequence[dict], solver: Any, out_dir: Path, seed: int = 0,
              model_dtype: torch.dtype | None = None) -> dict[str, Any]:
    """One iteration of DPO on ``pairs`` with TRL's ``DPOTrainer``; the model is updated in place.

    π_ref: ``ref_model`` when given (``solver.reference=initial``); otherwise the policy as it is now, i.e. the
    previous iteration's (full fine-tuning: its log-probs are precomputed before the first step; LoRA: TRL keeps
    a frozen copy of the current adapter as the "ref" adapter, removed again afterwards).
    """
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import DPOConfig, DPOTrainer

    from alignkit.models import is_peft

    device = next(model.parameters()).device
    use_cpu = device.type == "cpu"
    dtype = model_dtype or next(model.parameters()).dtype
    logs: list[dict] = []

    class _Logs(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs:
                row = {k: v for k, v in logs.items() if isinstance(v, int | float)}
                row["step"] = state.global_step
                collected.append(row)

    collected = logs
    settings: dict[str, Any] = dict(
        output_dir=str(out_dir),
        learning_rate=solver.learning_rate,
        beta=solver.beta,
        loss_type=["sigmoid"],
        num_train_epochs=solver.num_train_epochs,
        max_steps=solver.max_steps,
        per_device_train_batch_size=solver.per_device_train_batch_size,
        gradient_accumulation_steps=solver.gradient_accumulation_steps,
        max_length=solver.max_length,
        lr_scheduler_type=solver.lr_scheduler_type,
        warmup_steps=solver.warmup_steps,
        weight_decay=solver.weight_decay,
        max_grad_norm=solver.max_grad_norm,
        logging_steps=solver.logging_steps,
        save_strategy="no",  # the solver phase is redone as a whole after a kill; eva saves the policy itself
        report_to="none",
        disable_tqdm=True,
        seed=seed,
        data_seed=seed,
        use_cpu=use_cpu,
        bf16=dtype == torch.bfloat16,
        fp16=dtype == torch.float16,
        dataloader_num_workers=0,
        dataloader_pin_memory=not use_cpu,
        precompute_ref_log_probs=ref_model is None and not is_peft(model),
        ddp_find_unused_parameters=False,
    )
    settings.update(_plain(solver.extra) or {})
    dataset = Dataset.from_list([{
        "prompt": [{"role": "user", "content": p["prompt"]}],
        "chosen": [{"role": "assistant", "content": p["chosen"]}],
        "rejected": [{"role": "assistant", "content": p["rejected"]}],
    } for p in pairs])
    side = tokenizer.padding_side
    trainer = DPOTrainer(model=model, ref_model=ref_model, args=DPOConfig(**settings), train_dataset=dataset,
                         processing_class=tokenizer, callbacks=[_Logs()])
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    for noisy in (PrinterCallback, ProgressCallback):
        trainer.remove_callback(noisy)
    try:
        result = trainer.train()
    finally:
        tokenizer.padding_side = side
    trained = trainer.accelerator.unwrap_model(trainer.model)
    if is_peft(trained) and "ref" in trained.peft_config:
        trained.delete_adapter("ref")
        trained.set_adapter("default")
    train_logs = [r for r in logs if "loss" in r]
    out = {"solver/steps": int(trainer.state.global_step), "solver/train_loss": float(result.training_loss)}
    if train_logs:
        last = train_logs[-1]
        for key in ("loss", "rewards/margins", "rewards/accuracies", "rewards/chosen", "rewards/rejected"):
            if key in last:
                out[f"solver/last_{key.replace('/', '_')}"] = float(last[key])
    return out


class SimPOSolver:
    """One iteration of SimPO on the engine: ``update`` takes the exact gradient of the mean SimPO loss of a batch
    of pairs, scored on the exact token ids that were sampled. Built lazily on the engine's ``RLEngine``."""

    def __new__(cls, *args, **kwargs):
        from alignkit.trainers.engine import RLEngine

        class _SimPO(RLEngine):
            name = "eva-simpo"

            def __init__(self, *, pair_samples, beta: float, gamma: float, per_step: int, seed: str, **kw):
                from alignkit.trainers.engine import PromptOrder

                super().__init__(**kw)
                self.pair_samples = pair_samples
                self.beta, self.gamma = beta, gamma
                self.order = PromptOrder(len(pair_samples), per_step, seed)

            def train_step(self, step: int) -> dict[str, Any]:
                from alignkit.trainers.engine import Objective

                idx = self.order.shard(step, self.rank, self.world)
                chosen = [self.pair_samples[i][0] for i in idx]
                rejected = [self.pair_samples[i][1] for i in idx]
                samples = chosen + rejected
                lengths = torch.tensor([max(1, len(s)) for s in samples], dtype=torch.float32)
                b = len(idx)
                margins: list[float] = []

                def loss(logps: torch.Tensor) -> torch.Tensor:
                    norm = logps / lengths.to(logps.device)
                    margins.append(float((norm[:b] - norm[b:]).mean().detach()))
                    return simpo_objective_loss(logps, lengths.to(logps.device), b, self.beta, self.gamma)

                result = self.update([Objective(samples, loss=loss)])
                return {"loss": result.losses[0], "grad_norm": result.grad_norm,
                        "logp_margin_per_token": margins[-1] if margins else float("nan")}

            def save_checkpoint(self, step: int):  # the eva loop saves the policy after the solver phase
                return None

        return _SimPO(*args, **kwargs)


def train_simpo(model, tokenizer, pairs: Sequence[dict], solver: Any, out_dir: Path, seed: int = 0,
                accelerator=None) -> dict[str, Any]:
    """One iteration of SimPO on ``pairs`` (which hold the sampled token ids) with the engine's step loop."""
    from accelerate import Accelerator

    from alignkit.trainers.engine import RLTrainerConfig, Sample

    per_step = solver.per_device_train_batch_size
    steps = solver.max_steps if solver.max_steps > 0 else max(
        1, math.ceil(len(pairs) * solver.num_train_epochs / per_step))
    tcfg = RLTrainerConfig(max_steps=steps, learning_rate=solver.learning_rate, weight_decay=solver.weight_decay,
                           warmup_steps=solver.warmup_steps, lr_scheduler_type=solver.lr_scheduler_type,
                           max_grad_norm=solver.max_grad_norm, micro_batch_size=solver.micro_batch_size,
                           logging_steps=solver.logging_steps, save_model=False, save_total_limit=1)
    if accelerator is None:
        accelerator = Accelerator(cpu=next(model.parameters()).device.type == "cpu")
    samples = [(Sample.of(p["prompt_ids"], p["chosen_ids"]), Sample.of(p["prompt_ids"], p["rejected_ids"]))
               for p in pairs]
    engine = SimPOSolver(accelerator=accelerator, model=model, ref_model=None, tokenizer=tokenizer, generator=None,
                         trainer_cfg=tcfg, run_dir=out_dir, pair_samples=samples, beta=solver.beta,
                         gamma=solver.simpo_gamma, per_step=min(per_step, len(samples)), seed=f"{seed}-simpo")
    summary = engine.train()
    engine.close()
    out = {"solver/steps": int(summary.get("steps", steps))}
    if "loss" in summary:
        out["solver/last_loss"] = float(summary["loss"])
    if "logp_margin_per_token" in summary:
        out["solver/last_logp_margin_per_token"] = float(summary["logp_margin_per_token"])
    return out


# --------------------------------------------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Responses:
    """n responses to each of a list of prompts, and their rewards (``None`` where the reward failed)."""

    texts: list[list[str]]
    completion_ids: list[list[list[int]]]
    prompt_ids: list[list[int]]
    rewards: list[list[float | None]]
    truncated: list[list[bool]]


class EvaLoop:
    """T iterations of creator then solver over one run directory (see the module doc).

    ``phase_callbacks`` are called as ``cb(loop, iteration, phase)`` after every finished phase (tests use them
    to interrupt a run).
    """

    def __init__(self, cfg, run_dir: Path, phase_callbacks: Sequence[Callable] = ()):
        from alignkit.generation import GenerationSettings
        from alignkit.models import load_tokenizer
        from alignkit.runs import MetricsLog

        self.cfg = cfg
        self.run_dir = Path(run_dir)
        self.callbacks = list(phase_callbacks)
        self.tokenizer = load_tokenizer(cfg.model.name_or_path)
        self.settings = GenerationSettings(**_plain(cfg.generation))
        self.metrics = MetricsLog(self.run_dir / "metrics.jsonl")
        self.initial = load_records(cfg.data, "data")
        held = _plain(cfg.heldout)
        held["source"] = held.get("source") or cfg.data.source
        self.heldout = load_records(held, "heldout")
        self.reward = build_reward(cfg.reward)
        self.fallback = build_reward(cfg.fallback_reward, "fallback_reward") if cfg.fallback_reward else None
        c = cfg.creator
        self.operators = build_operators(_plain(c.operators)) if c.enabled else []
        self.judge = None
        if c.enabled and c.filters.judge is not None:
            from alignkit.judges import build_judge

            self.judge = build_judge(_plain(c.filters.judge))
        self.model = None
        self.generator = None
        self._initial_ref = None
        self._evolver = None
        self.history: list[dict] = []

    # -- policy ---------------------------------------------------------------------------------------------------

    def set_policy(self, model) -> None:
        from alignkit.generation import make_generator

        self.model = model
        self.generator = make_generator(model, self.tokenizer, self.settings)

    @property
    def lora(self) -> bool:
        return (self.cfg.model.lora.r or 0) > 0

    def checkpoint(self, t: int) -> Path:
        from alignkit.runs import Checkpoints

        return Checkpoints(self.run_dir).root / f"checkpoint-{t}"  # where Checkpoints.save(t) puts it

    # -- sampling and scoring -------------------------------------------------------------------------------------

    def _seed(self, t: int, phase: str) -> int:
        s = _phase_seed(int(self.cfg.seed), t, phase)
        torch.manual_seed(s)
        return s

    def generate(self, records: Sequence[dict], n: int, label: str, temperature: float | None = None,
                 max_new_tokens: int | None = None) -> Responses:
        """n responses of the current policy to every record's prompt, scored by its reward."""
        from alignkit.generation import rollout
        from alignkit.progress import make_progress

        total = len(records) * n
        with make_progress(transient=True) as progress:
            task = progress.add_task(label, total=total, info="")
            rolls = rollout(self.generator, self.tokenizer, [r["prompt"] for r in records], n,
                            temperature=temperature, max_new_tokens=max_new_tokens,
                            progress=lambda k: progress.advance(task, k))
        texts = [[rolls[i * n + j].text for j in range(n)] for i in range(len(records))]
        ids = [[rolls[i * n + j].completion_ids for j in range(n)] for i in range(len(records))]
        trunc = [[rolls[i * n + j].truncated for j in range(n)] for i in range(len(records))]
        prompt_ids = [rolls[i * n].prompt_ids if n else [] for i in range(len(records))]
        return Responses(texts, ids, prompt_ids, self.score(records, texts), trunc)

    def score(self, records: Sequence[dict], texts: Sequence[Sequence[str]]) -> list[list[float | None]]:
        """Rewards of every response; a prompt whose ``reward_source`` is ``fallback`` uses the fallback reward.

        A failed reward is ``None`` (left out of pairs and informativeness, and counted), never a 0.
        """
        out: list[list[float | None]] = [[None] * len(t) for t in texts]
        for source, fn in (("primary", self.reward), ("fallback", self.fallback)):
            idx = [i for i, r in enumerate(records) if r.get("reward_source", "primary") == source]
            if not idx:
                continue
            if fn is None:
                raise ConfigError(f"{len(idx)} prompts need the fallback reward but `fallback_reward` is not set.")
            prompts, completions, metas = [], [], []
            for i in idx:
                for text in texts[i]:
                    prompts.append(records[i]["prompt"])
                    completions.append(text)
                    metas.append(records[i].get("metadata") or {})
            values = fn(prompts, completions, metas) if prompts else []
            k = 0
            for i in idx:
                for j in range(len(texts[i])):
                    v = values[k]
                    k += 1
                    out[i][j] = None if v is None or math.isnan(float(v)) else float(v)
        return out

    # -- the run ------------------------------------------------------------------------------------------------

    def last_finished(self) -> int:
        """The last iteration whose phases all finished (-1: not even the initial evaluation)."""
        t = -1
        while IterationDir(self.run_dir, t + 1).finished and (t + 1 == 0 or self.checkpoint(t + 1).is_dir()):
            t += 1
        return t

    def run(self) -> dict[str, Any]:
        cfg = self.cfg
        t_done = self.last_finished()
        if t_done >= 0:
            log.info("Resuming after iteration %d of %d", t_done, cfg.iterations)
        if self.metrics.path.exists():  # lines of an iteration that did not finish are logged again
            self.metrics.truncate_after(t_done)
        self.set_policy(load_policy(cfg, self.checkpoint(t_done) if t_done >= 1 else None))
        if t_done < 0:
            self.run_initial()
        for t in range(max(t_done, 0) + 1, cfg.iterations + 1):
            self.run_iteration(t)
        last = self.iteration_metrics(cfg.iterations)
        summary = {k: last[k] for k in ("heldout/reward_before", "heldout/reward_after", "solver/n_pairs",
                                        "set/n", "creator/informativeness_mean") if k in last}
        summary["iterations"] = cfg.iterations
        summary["heldout/reward_initial"] = self.iteration_metrics(0).get("heldout/reward_after")
        summary["run_dir"] = str(self.run_dir)
        return summary

    def iteration_metrics(self, t: int) -> dict[str, Any]:
        f = IterationDir(self.run_dir, t).file("metrics.json")
        return json.loads(f.read_text()) if f.exists() else {}

    def _finish_phase(self, it: IterationDir, phase: str, metrics: dict[str, Any], done: bool = False) -> None:
        from alignkit.runs import atomic_write_json

        state = it.state()
        state.setdefault("metrics", {})[phase] = metrics
        state["phases"][phase] = round(time.time(), 3)
        state["done"] = done
        atomic_write_json(it.file("state.json"), state)
        for cb in self.callbacks:
            cb(self, it.t, phase)

    def _phase_metrics(self, it: IterationDir) -> dict[str, Any]:
        merged: dict[str, Any] = {"iteration": it.t}
        for values in it.state().get("metrics", {}).values():
            merged.update(values)
        return merged

    def run_initial(self) -> None:
        """Iteration 0: X_0 and the initial policy's held-out reward."""
        from alignkit.eval.diversity import diversity_metrics

        it = IterationDir(self.run_dir, 0)
        write_jsonl(it.file("prompts.jsonl"), [as_prompt_record(r) for r in self.initial])
        write_jsonl(self.run_dir / "heldout_prompts.jsonl", [as_prompt_record(r) for r in self.heldout])
        self._seed(0, "heldout")
        metrics = self.heldout_eval(it)
        metrics.update(diversity_metrics([r["prompt"] for r in self.initial], prefix="set/", seed=self.cfg.seed))
        self._finish_iteration(it, metrics)

    def _finish_iteration(self, it: IterationDir, heldout: dict[str, Any]) -> None:
        """Write the iteration's metrics (``metrics.json``, a ``metrics.jsonl`` line), then mark it finished: a kill
        in between leaves it unfinished, and the resumed run drops that line and writes it again."""
        from alignkit.runs import atomic_write_json

        metrics = {**self._phase_metrics(it), **heldout}
        atomic_write_json(it.file("metrics.json"), metrics)
        self.metrics.write(it.t, metrics)
        self.history.append(metrics)
        brief = {k: round(v, 4) for k, v in metrics.items() if k in (
            "heldout/reward_after", "creator/informativeness_mean", "solver/n_pairs", "set/n", "creator/n_kept")
            and isinstance(v, int | float)}
        log.info("iteration %d/%d done: %s", it.t, self.cfg.iterations, brief)
        self._finish_phase(it, "heldout", heldout, done=True)

    def run_iteration(self, t: int) -> None:
        it = IterationDir(self.run_dir, t)
        current = read_jsonl(IterationDir(self.run_dir, t - 1).file("prompts.jsonl"))
        c = self.cfg.creator
        estimate: list[dict] = []
        if c.enabled:
            if not it.done("estimate"):
                self._seed(t, "estimate")
                self._finish_phase(it, "estimate", self.phase_estimate(it, current))
            estimate = read_jsonl(it.file("estimate.jsonl"))
            if not it.done("creator"):
                seed = self._seed(t, "creator")
                self._finish_phase(it, "creator", self.phase_creator(it, current, estimate, seed))
        elif not it.done("creator"):
            # The fixed-prompt baseline: every iteration trains on X_0.
            from alignkit.eval.diversity import diversity_metrics

            write_jsonl(it.file("prompts.jsonl"), [as_prompt_record(r) for r in self.initial])
            self._finish_phase(it, "creator", diversity_metrics([r["prompt"] for r in self.initial], prefix="set/",
                                                                seed=self.cfg.seed))
        prompts = read_jsonl(it.file("prompts.jsonl"))
        if not it.done("pairs"):
            self._seed(t, "pairs")
            self._finish_phase(it, "pairs", self.phase_pairs(it, prompts, estimate))
        if not it.done("solver"):
            seed = self._seed(t, "solver")
            self._finish_phase(it, "solver", self.phase_solver(it, seed))
        elif self.model is None or getattr(self, "_policy_iteration", None) != t:
            self.set_policy(load_policy(self.cfg, self.checkpoint(t)))
        self._policy_iteration = t
        self._seed(t, "heldout")
        metrics = self.heldout_eval(it)
        before = self.iteration_metrics(t - 1).get("heldout/reward_after")
        metrics["heldout/reward_before"] = before
        if before is not None and metrics.get("heldout/reward_after") is not None:
            metrics["heldout/reward_delta"] = metrics["heldout/reward_after"] - before
        self._finish_iteration(it, metrics)

    # -- creator --------------------------------------------------------------------------------------------------

    def phase_estimate(self, it: IterationDir, current: list[dict]) -> dict[str, Any]:
        """Creator, estimate: n responses to every prompt of X_{t−1}, rewards, informativeness."""
        c = self.cfg.creator
        res = self.generate(current, c.num_samples, f"iter {it.t}: estimate")
        rows, info = [], []
        for k, rec in enumerate(current):
            summary = reward_summary(res.rewards[k])
            value = informativeness(res.rewards[k], c.proxy)
            info.append(value)
            rows.append({"id": rec["id"], "prompt": rec["prompt"], "origin": rec.get("origin"),
                         "informativeness": None if math.isnan(value) else value,
                         "proxies": {p: (None if math.isnan(v) else v) for p, v in summary.items()},
                         "responses": res.texts[k], "rewards": res.rewards[k],
                         "completion_ids": res.completion_ids[k], "truncated": res.truncated[k]})
        write_jsonl(it.file("estimate.jsonl"), rows)
        ok = [v for v in info if not math.isnan(v)]
        flat = [r for group in res.rewards for r in group]
        mean = sum(ok) / len(ok) if ok else float("nan")
        return {
            "creator/proxy": c.proxy,
            "creator/informativeness_mean": mean,
            "creator/informativeness_std": (math.sqrt(sum((v - mean) ** 2 for v in ok) / len(ok)) if ok
                                            else float("nan")),
            "creator/informativeness_min": min(ok) if ok else float("nan"),
            "creator/informativeness_max": max(ok) if ok else float("nan"),
            "creator/informativeness_missing": len(info) - len(ok),
            "creator/reward_mean": _mean([r for r in flat if r is not None]),
            "creator/reward_failed": sum(r is None for r in flat),
        }

    def evolver(self):
        """The evolver model (built once): the policy, a configured causal LM, or an endpoint."""
        from alignkit.trainers.eva_creator import EndpointEvolver, ModelEvolver

        ev = self.cfg.creator.evolver
        if ev.source == "policy":
            return ModelEvolver(self.generator, self.tokenizer, ev.temperature, ev.max_new_tokens)
        if self._evolver is None:
            if ev.source == "model":
                from alignkit.generation import make_generator
                from alignkit.models import load_model, load_tokenizer

                model = load_model(ev.model, device=self.cfg.model.device, dtype=self.cfg.model.dtype,
                                   trainable=False)
                tok = load_tokenizer(ev.model)
                self._evolver = ModelEvolver(make_generator(model, tok, self.settings), tok, ev.temperature,
                                             ev.max_new_tokens)
            else:
                from alignkit.generation.endpoint import ChatEndpoint, EndpointSettings

                self._evolver = EndpointEvolver(ChatEndpoint(EndpointSettings(
                    url=ev.url, model=ev.model or "default", api_key_env=ev.api_key_env,
                    temperature=ev.temperature, top_p=ev.top_p, max_new_tokens=ev.max_new_tokens,
                    timeout_s=ev.timeout_s, concurrency=ev.concurrency)))
        return self._evolver

    def phase_creator(self, it: IterationDir, current: list[dict], estimate: list[dict], seed: int
                      ) -> dict[str, Any]:
        """Creator, sample + evolve + filter + mix: X_t from X_{t−1}."""
        from alignkit.eval.diversity import diversity_metrics

        c = self.cfg.creator
        rng = random.Random(seed)
        info = [float("nan") if row["informativeness"] is None else row["informativeness"] for row in estimate]
        weights = [1.0] * len(info) if c.sampling == "uniform" else sampling_weights(info)
        order = sample_prompts(info, c.sample_fraction, seed=seed, uniform=c.sampling == "uniform")
        write_jsonl(it.file("sampled.jsonl"), [
            {"id": current[i]["id"], "draw": k, "informativeness": None if math.isnan(info[i]) else info[i],
             "weight": weights[i], "prompt": current[i]["prompt"]} for k, i in enumerate(order)])
        parents = [current[i] for i in order]
        children = evolve_prompts(parents, self.evolver(), self.operators, c.num_variants, rng=rng,
                                  iteration=it.t, assign=c.operator_choice, prompt_suffix=c.prompt_suffix)
        filt = VariantFilter(c.filters, required_metadata=c.required_metadata, fallback=self.fallback is not None,
                             judge=self.judge, length_fn=self._prompt_tokens)
        kept, dropped = filt(children, {r["id"]: r for r in current}, current, prompt_suffix=c.prompt_suffix)
        write_jsonl(it.file("children.jsonl"), [_child_row(ch) for ch in children])
        write_jsonl(it.file("dropped.jsonl"), [_child_row(ch) for ch in dropped])
        mixed = mix_prompt_set(kept, current, c.buffer_fraction, rng, c.min_set_size, c.max_set_size)
        write_jsonl(it.file("prompts.jsonl"), [as_prompt_record(r) for r in mixed])
        sampled_info = [info[i] for i in order if not math.isnan(info[i])]
        metrics: dict[str, Any] = {
            "creator/n_prompts": len(current),
            "creator/n_sampled": len(order),
            "creator/sampled_informativeness_mean": _mean(sampled_info),
            "creator/n_variants": len(children),
            "creator/n_kept": len(kept),
            "creator/kept_rate": len(kept) / len(children) if children else 0.0,
            "set/evolved": sum(r.get("origin") == "evolved" for r in mixed),
            "set/buffer": sum(r.get("origin") == "buffer" for r in mixed),
        }
        metrics.update({f"creator/dropped/{k}": v for k, v in drop_counts(dropped).items()})
        by_op = Counter(ch["operator"] for ch in kept)
        metrics.update({f"creator/kept/{op.name}": int(by_op.get(op.name, 0)) for op in self.operators})
        metrics.update(diversity_metrics([r["prompt"] for r in mixed], prefix="set/", seed=self.cfg.seed))
        if len(kept) == 0:
            log.warning("iteration %d: no evolved variant survived the filters (%s); X_%d is the buffer only.",
                        it.t, {k: v for k, v in drop_counts(dropped).items() if v}, it.t)
        return metrics

    def _prompt_tokens(self, text: str) -> int:
        from alignkit.generation import chat_prompt_ids

        return len(chat_prompt_ids(self.tokenizer, text, self.settings.system_prompt))

    # -- solver ---------------------------------------------------------------------------------------------------

    def phase_pairs(self, it: IterationDir, prompts: list[dict], estimate: list[dict]) -> dict[str, Any]:
        """Solver, data: n responses of π_{t−1} to every prompt of X_t; best vs worst pairs.

        Buffer prompts were answered by the same policy in this iteration's estimate with the same settings; those
        responses are reused when the estimate drew as many as the solver needs.
        """
        s = self.cfg.solver
        known = {row["id"]: row for row in estimate if len(row["responses"]) == s.num_samples}
        todo = [k for k, r in enumerate(prompts) if r["id"] not in known]
        fresh = self.generate([prompts[k] for k in todo], s.num_samples, f"iter {it.t}: responses") if todo else None
        from alignkit.generation import chat_prompt_ids

        position = {k: j for j, k in enumerate(todo)}
        rows = []
        for k, rec in enumerate(prompts):
            if rec["id"] in known:
                row = known[rec["id"]]
                texts, rewards, ids = row["responses"], row["rewards"], row["completion_ids"]
            else:
                j = position[k]
                texts, rewards, ids = fresh.texts[j], fresh.rewards[j], fresh.completion_ids[j]
            rows.append({"id": rec["id"], "prompt": rec["prompt"], "responses": texts, "rewards": rewards,
                         "completion_ids": ids, "reused": rec["id"] in known})
        write_jsonl(it.file("responses.jsonl"), rows)
        choices, dropped = best_worst_pairs([r["rewards"] for r in rows], s.min_gap, [r["responses"] for r in rows])
        pairs = []
        for row, choice in zip(rows, choices, strict=True):
            if choice is None:
                continue
            pairs.append({"id": row["id"], "prompt": row["prompt"],
                          "chosen": row["responses"][choice.chosen], "rejected": row["responses"][choice.rejected],
                          "chosen_reward": choice.chosen_reward, "rejected_reward": choice.rejected_reward,
                          "gap": choice.gap,
                          "prompt_ids": chat_prompt_ids(self.tokenizer, row["prompt"], self.settings.system_prompt),
                          "chosen_ids": row["completion_ids"][choice.chosen],
                          "rejected_ids": row["completion_ids"][choice.rejected]})
        write_jsonl(it.file("pairs.jsonl"), pairs)
        flat = [r for row in rows for r in row["rewards"]]
        metrics = {
            "solver/n_prompts": len(rows),
            "solver/n_pairs": len(pairs),
            "solver/reused_responses": sum(r["reused"] for r in rows),
            "solver/reward_mean": _mean([r for r in flat if r is not None]),
            "solver/reward_failed": sum(r is None for r in flat),
            "solver/chosen_reward_mean": _mean([p["chosen_reward"] for p in pairs]),
            "solver/rejected_reward_mean": _mean([p["rejected_reward"] for p in pairs]),
            "solver/gap_mean": _mean([p["gap"] for p in pairs]),
        }
        metrics.update({f"solver/dropped/{k}": v for k, v in dropped.items()})
        return metrics

    def phase_solver(self, it: IterationDir, seed: int) -> dict[str, Any]:
        """Solver, update: one iteration of DPO or SimPO on the pairs; π_t saved as ``checkpoints/checkpoint-<t>``.
        """
        from alignkit.runs import Checkpoints

        s = self.cfg.solver
        pairs = read_jsonl(it.file("pairs.jsonl"))
        work = it.file("solver")
        if not pairs:
            log.warning("iteration %d: no preference pair (every prompt's rewards tied or failed); the policy is "
                        "not updated this iteration.", it.t)
            metrics: dict[str, Any] = {"solver/steps": 0}
        elif s.loss == "dpo":
            ref = None
            if s.reference == "initial":
                if self._initial_ref is None:
                    self._initial_ref = frozen_initial_policy(self.cfg)
                ref = self._initial_ref
            metrics = train_dpo(self.model, ref, self.tokenizer, pairs, s, work, seed=seed % (2 ** 31))
        else:
            metrics = train_simpo(self.model, self.tokenizer, pairs, s, work, seed=seed % (2 ** 31))
        if hasattr(self.generator, "sync_weights"):
            self.generator.sync_weights()
        Checkpoints(self.run_dir, keep=0).save(it.t, lambda tmp: save_policy(self.model, self.tokenizer, tmp))
        self._policy_iteration = it.t
        return metrics

    # -- held-out ---------------------------------------------------------------------------------------------

    def heldout_eval(self, it: IterationDir) -> dict[str, Any]:
        """The current policy's reward on the fixed held-out prompts."""
        from alignkit.eval.diversity import words

        h = self.cfg.heldout
        res = self.generate(self.heldout, h.num_samples, f"iter {it.t}: held-out", temperature=h.temperature,
                            max_new_tokens=h.max_new_tokens)
        write_jsonl(it.file("heldout.jsonl"), [
            {"id": r["id"], "responses": res.texts[k], "rewards": res.rewards[k]} for k, r in enumerate(self.heldout)])
        flat = [v for group in res.rewards for v in group]
        lengths = [len(words(t)) for group in res.texts for t in group]
        out = {"heldout/reward_after": _mean([v for v in flat if v is not None]),
               "heldout/reward_failed": sum(v is None for v in flat),
               "heldout/response_words": _mean(lengths)}
        ev = self.cfg.eval
        if ev.tasks:  # the same benchmarks as every other trainer's eval.tasks, on π_t
            from alignkit.eval.during_training import evaluate

            t0 = time.perf_counter()
            out.update(evaluate(self.model, self.tokenizer, tasks=list(ev.tasks), limit=ev.limit,
                                generator=self.generator, max_new_tokens=ev.max_new_tokens, seed=self.cfg.seed))
            out["time/eval"] = time.perf_counter() - t0
        return out

    def close(self) -> None:
        for thing in (self.reward, self.fallback, self.judge):
            close = getattr(thing, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:  # noqa: BLE001 - closing must not hide the run's result
                    log.debug("closing %r failed", thing, exc_info=True)


def _mean(values: Sequence[float]) -> float | None:
    vals = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    return sum(vals) / len(vals) if vals else None


def _child_row(ch: dict) -> dict:
    return {"id": ch["id"], "parent_id": ch["parent_id"], "operator": ch["operator"], "kind": ch.get("kind"),
            "status": ch.get("status"), "reason": ch.get("reason"), "prompt": ch["prompt"], "raw": ch.get("raw"),
            "metadata": ch.get("metadata") or {}, "reward_source": ch.get("reward_source", "primary")}


def run(cfg, run_dir: Path, resume_from: Path | None = None, phase_callbacks: Sequence[Callable] = ()) -> dict:
    """Entry point of ``alignkit eva-evolve``: T iterations of creator and solver; returns a summary."""
    if resume_from is not None and not IterationDir(Path(run_dir), 0).file("state.json").exists():
        log.warning("resume: %s has no finished phase yet; starting from the beginning.", run_dir)
    loop = EvaLoop(cfg, Path(run_dir), phase_callbacks=phase_callbacks)
    try:
        return loop.run()
    finally:
        loop.close()
