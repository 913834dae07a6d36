"""Reward-model training on preference pairs with TRL's ``RewardTrainer`` (``alignkit rm``).

The reward model is the policy's architecture with a one-logit score head
(``AutoModelForSequenceClassification``), initialised from a causal LM checkpoint. To fit a CPU budget
the backbone can be cut to its first ``num_layers`` transformer layers and its token embeddings frozen;
on GPUs keep every layer. Pairs come from the shipped prompt sets (built offline by
:mod:`datagen.pairs`: gold answers preferred over judge-verified corrupted answers), from a
JSONL file with ``prompt``/``chosen``/``rejected`` columns, or from a list of dicts. Each pair is
tokenized by :func:`alignkit.rewards.reward_model.encode_conversation`, the same function the
:class:`~alignkit.rewards.RewardModel` uses to score, so training and scoring see identical inputs.

The returned metrics include the held-out pairwise accuracy: the share of evaluation pairs (prompts
never seen in training) whose chosen response the saved model scores above the rejected one.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from alignkit.config.schema import TRAINER_RENAMED, RecipeBase
from alignkit.data.loading import TASKS, load_pairs, read_rows
from alignkit.rewards.reward_model import RM_INFO_FILE, RewardModel, encode_conversation

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- pairs
def resolve_pairs(
    source: str | Path | Sequence[dict[str, Any]], split: str, spurious: str | None = None, seed: int = 0
) -> list[dict[str, Any]]:
    """Pairs from a task name (``"coding"``, ``"coding+math"``), a JSONL file, a folder with
    ``{split}.jsonl``, or a list of dicts."""
    if not isinstance(source, str | Path):
        return [dict(p) for p in source]
    text = str(source)
    names = [t.strip() for t in text.split("+")]
    if all(n in TASKS for n in names):
        pairs: list[dict[str, Any]] = []
        for name in names:
            pairs.extend(load_pairs(name, split, spurious=spurious, seed=seed))
        return pairs
    path = Path(text)
    if path.is_dir():
        path = path / f"{split}.jsonl"
    if path.is_file():
        return read_rows(path)
    from alignkit.errors import DataError

    raise DataError(
        f"pairs {text!r} is neither a shipped task ({', '.join(TASKS)}, joined by '+') nor a JSONL file/folder"
    )


def _split_pairs(pairs: list[dict[str, Any]], fraction: float, seed: int) -> tuple[list[dict], list[dict]]:
    """Split by prompt (never the same prompt on both sides)."""
    import random

    prompts = sorted({p["prompt"] for p in pairs})
    random.Random(seed).shuffle(prompts)
    n_eval = max(1, int(round(len(prompts) * fraction)))
    held = set(prompts[:n_eval])
    return [p for p in pairs if p["prompt"] not in held], [p for p in pairs if p["prompt"] in held]


def _check_pairs(pairs: list[dict[str, Any]], what: str) -> None:
    from alignkit.errors import DataError

    if not pairs:
        raise DataError(f"no {what} preference pairs")
    missing = [k for k in ("prompt", "chosen", "rejected") if k not in pairs[0]]
    if missing:
        raise DataError(f"{what} pairs lack the columns {missing} (need prompt, chosen, rejected)")


# ---------------------------------------------------------------------------- model
def build_reward_backbone(
    model: str, num_layers: int | None = None, train_embeddings: bool = False, seed: int = 0
) -> tuple[Any, Any]:
    """A one-label sequence-classification model from a causal LM name, and its tokenizer.

    ``num_layers`` keeps only the first transformer layers (a CPU-speed trick); the pad token is set to
    a token distinct from EOS when the vocabulary has one, so the score is read at the right position.
    """
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification

    from alignkit.models import TINY_NAME, build_tiny, load_tokenizer
    from alignkit.models.loading import resolve

    tokenizer = load_tokenizer(model)
    tokenizer.padding_side = "right"
    for candidate in ("<|endoftext|>", tokenizer.unk_token):
        if candidate and candidate != tokenizer.eos_token and candidate in tokenizer.get_vocab():
            tokenizer.pad_token = candidate
            break
    torch.manual_seed(seed)
    if model == TINY_NAME:
        config = build_tiny(tokenizer).config
        config.num_labels = 1
        if num_layers:
            config.num_hidden_layers = min(num_layers, config.num_hidden_layers)
        config.pad_token_id = tokenizer.pad_token_id
        rm = AutoModelForSequenceClassification.from_config(config)
    else:
        source = resolve(model)
        config = AutoConfig.from_pretrained(source, num_labels=1)
        if num_layers:
            config.num_hidden_layers = min(num_layers, config.num_hidden_layers)
            if getattr(config, "layer_types", None):
                config.layer_types = config.layer_types[: config.num_hidden_layers]
        config.pad_token_id = tokenizer.pad_token_id
        from transformers.utils import logging as hf_logging
        from trl.trainer.reward_trainer import suppress_seqcls_warning

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # the dropped layers and the new score head are expected
        try:
            with suppress_seqcls_warning():
                rm = AutoModelForSequenceClassification.from_pretrained(
                    source, config=config, dtype=torch.float32
                )
        finally:
            hf_logging.set_verbosity(verbosity)
    if not train_embeddings:
        rm.get_input_embeddings().requires_grad_(False)
    return rm, tokenizer


def _tokenize_pairs(tokenizer: Any, pairs: list[dict[str, Any]], max_length: int) -> Any:
    from datasets import Dataset

    rows = {"chosen_ids": [], "rejected_ids": []}
    for p in pairs:
        rows["chosen_ids"].append(encode_conversation(tokenizer, p["prompt"], p["chosen"], max_length))
        rows["rejected_ids"].append(encode_conversation(tokenizer, p["prompt"], p["rejected"], max_length))
    return Dataset.from_dict(rows)


def pairwise_accuracy(reward: Any, pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of pairs whose chosen response scores above the rejected one, the mean margin, and the
    accuracy per pair ``kind`` (when pairs carry one)."""
    prompts = [p["prompt"] for p in pairs]
    chosen = reward(prompts, [p["chosen"] for p in pairs])
    rejected = reward(prompts, [p["rejected"] for p in pairs])
    margins = [c - r for c, r in zip(chosen, rejected, strict=True)]
    by_kind: dict[str, list[float]] = {}
    for p, m in zip(pairs, margins, strict=True):
        by_kind.setdefault(str(p.get("kind", "pair")), []).append(m)
    return {
        "accuracy": sum(m > 0 for m in margins) / len(margins),
        "margin": sum(margins) / len(margins),
        "by_kind": {k: sum(m > 0 for m in v) / len(v) for k, v in sorted(by_kind.items())},
    }


# ---------------------------------------------------------------------------- training
def train_reward_model(*args: Any, num_threads: int | None = None, **kwargs: Any) -> dict[str, Any]:
    """:func:`_train_reward_model` with ``num_threads`` torch threads, the caller's setting restored after."""
    from alignkit.trainers.common import torch_threads

    with torch_threads(num_threads):
        return _train_reward_model(*args, **kwargs)


def _train_reward_model(
    model: str = "smollm2-135m-instruct",
    pairs: str | Path | Sequence[dict[str, Any]] = "coding",
    output_dir: str | Path = "runs/rm",
    eval_pairs: str | Path | Sequence[dict[str, Any]] | None = None,
    eval_fraction: float = 0.2,
    max_steps: int = 150,
    learning_rate: float = 1e-4,
    batch_size: int = 8,
    max_length: int = 320,
    num_layers: int | None = 4,
    train_embeddings: bool = False,
    seed: int = 0,
    report_to: str | list[str] = "none",
    spurious: str | None = None,
    warmup_ratio: float = 0.1,
    weight_decay: float = 0.0,
    logging_steps: int = 10,
    device: str = "auto",
    save: bool = True,
    callbacks: list[Any] | None = None,
    checkpoint_dir: str | Path | None = None,
    save_steps: int = 0,
    save_total_limit: int = 2,
    resume_from_checkpoint: str | Path | None = None,
) -> dict[str, Any]:
    """Train a reward model on preference pairs and report its held-out pairwise accuracy.

    Args:
        model: causal LM to start from (``smollm2-135m-instruct``, ``tiny``, a folder or hub id).
        pairs: training pairs: shipped task name(s) (``"coding"``, ``"coding+math"``; built from the
            ``train`` split), a JSONL file/folder, or a list of dicts with ``prompt``/``chosen``/``rejected``.
        output_dir: where the reward model, its tokenizer, ``alignkit_rm.json`` and ``metrics.json`` go.
        eval_pairs: held-out pairs; default: the ``test`` split for task names, else ``eval_fraction``
            of the prompts held out.
        max_steps, learning_rate, batch_size, warmup_ratio, weight_decay, logging_steps: optimisation.
        max_length: tokens per (prompt, response); longer inputs lose their beginning.
        num_layers: keep only the first N transformer layers (``None``: all).
        train_embeddings: also train the token embeddings (frozen by default).
        seed: seed of the score head, data order and the spurious relabelling of shipped pairs.
        report_to: TRL/transformers loggers (``"none"``, ``"tensorboard"``, ``"wandb"``...).
        spurious: build a hackable preference (``"length"`` or ``"fence"``) from task-name pairs.
        device: ``"auto"`` (GPU when there is one) or ``"cpu"``.
        save: write the trained model to ``output_dir``.
        num_threads: torch CPU threads (default: all cores).
        callbacks: extra ``TrainerCallback``s (they replace transformers' own printing).
        checkpoint_dir: where the Trainer writes ``checkpoint-N`` folders (default: ``output_dir``).
        save_steps: write a resumable checkpoint (model, optimizer, scheduler, RNG, data position) every N
            steps and at the end; 0 writes none.
        save_total_limit: checkpoints kept (the oldest are deleted).
        resume_from_checkpoint: a ``checkpoint-N`` folder to continue from; the run then ends at the same
            step as an uninterrupted one (``train_seconds`` counts the resumed part only).

    Under a multi-process launch every process trains; the main process alone writes the model and its files
    and computes the held-out accuracy (the others return the training metrics only).

    Returns:
        metrics: ``eval_accuracy`` (held-out pairwise accuracy of the saved model), ``eval_margin``,
        ``train_accuracy``, ``train_loss``, ``train_seconds``, ``n_train_pairs``, ``n_eval_pairs``,
        ``output_dir`` and the settings used.
    """
    import torch
    from trl import RewardConfig, RewardTrainer

    output_dir = Path(output_dir)
    train = resolve_pairs(pairs, "train", spurious, seed)
    if eval_pairs is not None:
        held = resolve_pairs(eval_pairs, "test", spurious, seed)
    elif isinstance(pairs, str) and all(n.strip() in TASKS for n in pairs.split("+")):
        held = resolve_pairs(pairs, "test", spurious, seed)
    else:
        train, held = _split_pairs(train, eval_fraction, seed)
    _check_pairs(train, "training")
    _check_pairs(held, "held-out")

    rm, tokenizer = build_reward_backbone(model, num_layers, train_embeddings, seed)
    train_ds = _tokenize_pairs(tokenizer, train, max_length)
    use_cpu = device == "cpu" or not torch.cuda.is_available()
    bf16 = (not use_cpu) and torch.cuda.is_bf16_supported()
    args = RewardConfig(
        output_dir=str(checkpoint_dir or output_dir),
        max_steps=max_steps,
        learning_rate=learning_rate,
        per_device_train_batch_size=batch_size,
        warmup_steps=max(0, int(round(warmup_ratio * max_steps))),
        weight_decay=weight_decay,
        logging_steps=logging_steps,
        report_to=report_to,
        seed=seed,
        data_seed=seed,
        bf16=bf16,
        fp16=False,
        use_cpu=use_cpu,
        gradient_checkpointing=False,
        max_length=None,
        save_strategy="steps" if save_steps > 0 else "no",
        save_steps=save_steps if save_steps > 0 else 500,
        save_total_limit=save_total_limit,
        eval_strategy="no",
        dataloader_num_workers=0,
        disable_tqdm=True,
        ddp_find_unused_parameters=False,  # every trainable parameter gets a gradient
    )
    trainer = RewardTrainer(model=rm, args=args, train_dataset=train_ds, processing_class=tokenizer,
                            callbacks=list(callbacks or []))
    if callbacks:  # the caller's callbacks (metrics.jsonl, rich progress) replace transformers' printing
        from transformers.trainer_callback import PrinterCallback, ProgressCallback

        for noisy in (PrinterCallback, ProgressCallback):
            trainer.remove_callback(noisy)
    start = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=str(resume_from_checkpoint) if resume_from_checkpoint else None)
    train_seconds = time.perf_counter() - start
    history = [h for h in trainer.state.log_history if "accuracy" in h]

    trained = trainer.model
    trained.eval()
    main = trainer.is_world_process_zero()
    if save:
        trainer.save_model(str(output_dir))  # every process takes part (sharded states); the main one writes
    if not main:
        return {"train_loss": float(result.training_loss), "train_seconds": train_seconds,
                "global_step": trainer.state.global_step, "output_dir": str(output_dir)}
    if save:
        output_dir.mkdir(parents=True, exist_ok=True)
        tokenizer.save_pretrained(str(output_dir))
        info = {
            "base_model": model,
            "num_layers": num_layers,
            "max_length": max_length,
            "use_chat_template": True,
            "pairs": pairs if isinstance(pairs, str | Path) else "in-memory",
            "spurious": spurious,
        }
        (output_dir / RM_INFO_FILE).write_text(
            json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in info.items()}, indent=1)
        )
        scorer = RewardModel(str(output_dir), device="cpu" if use_cpu else "auto", max_length=max_length)
    else:
        scorer = RewardModel(trained, tokenizer=tokenizer, max_length=max_length)
    held_out = pairwise_accuracy(scorer, held)
    metrics: dict[str, Any] = {
        "eval_accuracy": held_out["accuracy"],
        "eval_margin": held_out["margin"],
        "train_accuracy": history[-1]["accuracy"] if history else None,
        "train_loss": float(result.training_loss),
        "train_seconds": train_seconds,
        "global_step": trainer.state.global_step,
        "n_train_pairs": len(train),
        "n_eval_pairs": len(held),
        "output_dir": str(output_dir),
        "model": model,
        "num_layers": num_layers,
        "max_steps": max_steps,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "max_length": max_length,
        "spurious": spurious,
        "seed": seed,
    }
    if len(held_out["by_kind"]) > 1:
        for kind, accuracy in held_out["by_kind"].items():
            metrics[f"eval_accuracy/{kind}"] = accuracy
    if save:
        (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=1))
    log.info("reward model: held-out pairwise accuracy %.3f on %d pairs", metrics["eval_accuracy"], len(held))
    return metrics


# --------------------------------------------------------------------------------------------------------------
# `alignkit rm recipe=NAME`: the recipe schema and the CLI entry point.


@dataclass
class RMDataConfig:
    """Preference pairs: a shipped task name (coding, math, instruction_following, chat; join with +), a JSONL
    file or folder with prompt/chosen/rejected."""

    pairs: str = "coding"
    eval_pairs: str | None = None  # None: the shipped test split, or eval_fraction of the prompts
    eval_fraction: float = 0.2
    spurious: str | None = None  # length | fence: a deliberately hackable preference (reward-hacking studies)


@dataclass
class RMTrainerConfig:
    """Optimisation of the reward model (TRL RewardTrainer)."""

    max_steps: int = 40
    learning_rate: float = 2e-4
    per_device_train_batch_size: int = 8
    max_length: int = 256
    num_layers: int | None = 2  # keep the first N transformer layers of the backbone; None: all (GPU)
    train_embeddings: bool = False
    warmup_ratio: float = 0.1
    weight_decay: float = 0.0
    logging_steps: int = 5
    save_steps: int = 20  # a resumable checkpoint (<run>/checkpoints/checkpoint-N) every N steps and at the end
    save_total_limit: int = 2  # checkpoints kept
    report_to: list[str] = field(default_factory=list)  # tensorboard, wandb (logs in <run>/tensorboard, W&B offline)

    renamed: ClassVar[dict[str, str]] = TRAINER_RENAMED


@dataclass
class RMRecipe(RecipeBase):
    """Schema of ``recipes/rm/*.yaml``."""

    data: RMDataConfig = field(default_factory=RMDataConfig)
    trainer: RMTrainerConfig = field(default_factory=RMTrainerConfig)

    @staticmethod
    def check(cfg) -> None:
        from alignkit.errors import ConfigError

        if cfg.data.spurious not in (None, "length", "fence"):
            raise ConfigError(f"data.spurious={cfg.data.spurious!r}: use null, length or fence.")
        if cfg.trainer.max_steps < 1:
            raise ConfigError("trainer.max_steps must be >= 1.")
        if cfg.trainer.num_layers is not None and cfg.trainer.num_layers < 1:
            raise ConfigError("trainer.num_layers must be >= 1, or null for the whole backbone.")
        if cfg.trainer.save_steps < 0:
            raise ConfigError("trainer.save_steps must be >= 0 (0: no checkpoints, so resume= starts over).")
        if cfg.trainer.save_total_limit < 1:
            raise ConfigError("trainer.save_total_limit must be >= 1 (resume needs the last checkpoint).")


def run(cfg, run_dir: Path, resume_from: Path | None = None, callbacks: Sequence[Any] = ()) -> dict[str, Any]:
    """Train the reward model into ``<run>/model`` and report its held-out pairwise accuracy.

    Checkpoints go to ``<run>/checkpoints/checkpoint-N`` every ``trainer.save_steps`` steps; with ``resume_from``
    the run continues from the last complete one (as ``alignkit sft`` does), ending at ``trainer.max_steps``
    with each step's metrics line once. ``callbacks`` are extra ``TrainerCallback``s (tests).
    """
    from alignkit.trainers.hf_callbacks import (
        MetricsJSONLCallback,
        RichStepProgress,
        resume_checkpoint,
        trl_report_to,
    )

    t, d = cfg.trainer, cfg.data
    checkpoint = resume_checkpoint(Path(run_dir), resume_from)
    if resume_from is not None and checkpoint is None and t.save_steps == 0:
        log.warning("trainer.save_steps=0 keeps no checkpoints: retraining from the start")
    return train_reward_model(
        model=cfg.model.name_or_path, pairs=d.pairs, output_dir=run_dir / "model", eval_pairs=d.eval_pairs,
        eval_fraction=d.eval_fraction, max_steps=t.max_steps, learning_rate=t.learning_rate,
        batch_size=t.per_device_train_batch_size, max_length=t.max_length, num_layers=t.num_layers,
        train_embeddings=t.train_embeddings, seed=cfg.seed, report_to=trl_report_to(t.report_to, run_dir),
        spurious=d.spurious, warmup_ratio=t.warmup_ratio, weight_decay=t.weight_decay,
        logging_steps=t.logging_steps, device=cfg.model.device,
        callbacks=[MetricsJSONLCallback(run_dir), RichStepProgress("reward model"), *callbacks],
        checkpoint_dir=Path(run_dir) / "checkpoints", save_steps=t.save_steps, save_total_limit=t.save_total_limit,
        resume_from_checkpoint=checkpoint,
    )
