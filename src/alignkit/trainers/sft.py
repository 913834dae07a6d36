"""``alignkit sft``: supervised fine-tuning with TRL's ``SFTTrainer``.

Conversational prompt/completion data, chat template applied by TRL, loss on the completion tokens only
(``completion_only_loss``), LoRA or full fine-tuning, packing where TRL supports it. Checkpoints, metrics and the
resolved config go to the run directory; ``resume=`` continues from the last complete checkpoint.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from omegaconf import OmegaConf

from alignkit.config.schema import TRAINER_RENAMED, RecipeBase, model_kwargs
from alignkit.errors import ConfigError
from alignkit.eval.during_training import EvalSettings

log = logging.getLogger(__name__)


@dataclass
class DataConfig:
    """Where SFT examples come from (see :func:`alignkit.data.load_sft_dataset`)."""

    source: str = "sft/mixed"  # a shipped set, a local file/folder, or a datasets hub name
    split: str = "train"
    eval_split: str | None = "test"
    columns: dict[str, str] = field(default_factory=dict)  # schema field -> source column
    limit: int | None = None
    eval_limit: int | None = 64


@dataclass
class SFTTrainerConfig:
    """Optimisation settings (a subset of TRL's ``SFTConfig``; everything else keeps TRL's default)."""

    learning_rate: float = 2e-5
    max_steps: int = 30  # -1: train for num_train_epochs
    num_train_epochs: float = 1.0
    per_device_train_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    max_length: int = 512
    warmup_steps: float = 0.0  # an int: steps; a float in (0, 1): a fraction of the run
    weight_decay: float = 0.0
    lr_scheduler_type: str = "constant"
    packing: bool = False
    completion_only_loss: bool = True
    logging_steps: int = 1
    save_steps: int = 10
    save_total_limit: int = 2
    eval_steps: int | None = None  # None: evaluate at the end only
    bf16: bool | None = None  # None: follow model.dtype
    report_to: list[str] = field(default_factory=list)  # tensorboard, wandb (logs in <run>/tensorboard, W&B offline)
    extra: dict[str, Any] = field(default_factory=dict)  # any other SFTConfig field, passed through

    renamed: ClassVar[dict[str, str]] = TRAINER_RENAMED


@dataclass
class SFTRecipe(RecipeBase):
    """Schema of ``recipes/sft/*.yaml``."""

    data: DataConfig = field(default_factory=DataConfig)
    trainer: SFTTrainerConfig = field(default_factory=SFTTrainerConfig)
    eval: EvalSettings = field(default_factory=EvalSettings)  # benchmarks at step 0, every N steps, at the end

    @staticmethod
    def check(cfg) -> None:
        EvalSettings.validate(cfg.eval)
        t = cfg.trainer
        if t.learning_rate <= 0:
            raise ConfigError(f"trainer.learning_rate={t.learning_rate} must be > 0.")
        if t.max_steps == 0 or t.max_steps < -1:
            raise ConfigError(f"trainer.max_steps={t.max_steps}: use a positive number, or -1 for whole epochs.")
        if t.per_device_train_batch_size < 1:
            raise ConfigError("trainer.per_device_train_batch_size must be >= 1.")
        if t.packing and t.completion_only_loss:
            log.debug("packing with completion_only_loss: TRL keeps completion masks when packing (bfd)")


def build_sft_config(cfg, run_dir: Path):
    import torch
    from trl import SFTConfig

    from alignkit.models import resolve_device, resolve_dtype
    from alignkit.trainers.hf_callbacks import trl_report_to

    t = cfg.trainer
    device = resolve_device(cfg.model.device)
    dtype = resolve_dtype(cfg.model.dtype, device)
    bf16 = t.bf16 if t.bf16 is not None else str(dtype) == "torch.bfloat16"
    fp16 = str(dtype) == "torch.float16"
    # CPU whenever the model lives there (model.device=cpu, or auto without a GPU): under a multi-process launch
    # this gives DDP over gloo, and matches the process group the CLI started (see alignkit.runs).
    use_cpu = device.type == "cpu"
    extra = OmegaConf.to_container(t.extra, resolve=True) if t.extra else {}
    settings: dict[str, Any] = dict(
        output_dir=str(run_dir / "checkpoints"),
        learning_rate=t.learning_rate,
        max_steps=t.max_steps,
        num_train_epochs=t.num_train_epochs,
        per_device_train_batch_size=t.per_device_train_batch_size,
        per_device_eval_batch_size=t.per_device_train_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        max_length=t.max_length,
        warmup_steps=t.warmup_steps,
        weight_decay=t.weight_decay,
        lr_scheduler_type=t.lr_scheduler_type,
        packing=t.packing,
        completion_only_loss=t.completion_only_loss,
        logging_steps=t.logging_steps,
        save_steps=t.save_steps,
        save_total_limit=t.save_total_limit,
        eval_strategy="steps" if t.eval_steps else "no",
        eval_steps=t.eval_steps,
        bf16=bf16,
        fp16=fp16,
        use_cpu=use_cpu,
        seed=cfg.seed,
        data_seed=cfg.seed,
        report_to=trl_report_to(cfg.trainer.report_to, run_dir),
        disable_tqdm=True,
        gradient_checkpointing=cfg.model.gradient_checkpointing,
        dataloader_num_workers=0,
        dataloader_pin_memory=not use_cpu and torch.cuda.is_available(),
        # Every parameter that trains gets a gradient (LoRA freezes the rest), so DDP need not search for unused
        # ones (transformers' default would, and warns on every rank).
        ddp_find_unused_parameters=False,
    )
    settings.update(extra)  # trainer.extra: any other SFTConfig field, or one of the above overridden
    return SFTConfig(**settings)


def run(cfg, run_dir: Path, resume_from: Path | None = None) -> dict[str, Any]:
    """Train, save the final model to ``<run>/final``, and return the final metrics."""
    from trl import SFTTrainer

    from alignkit.data import load_sft_dataset
    from alignkit.models import load_model, load_tokenizer
    from alignkit.runs import is_main_process
    from alignkit.trainers.hf_callbacks import (
        EvalCallback,
        MetricsJSONLCallback,
        RichStepProgress,
        resume_checkpoint,
    )

    d = cfg.data
    columns = OmegaConf.to_container(d.columns, resolve=True) if d.columns else None
    train = load_sft_dataset(d.source, split=d.split, columns=columns, limit=d.limit)
    evalset = None
    if d.eval_split:
        evalset = load_sft_dataset(d.source, split=d.eval_split, columns=columns, limit=d.eval_limit)
    tokenizer = load_tokenizer(cfg.model.name_or_path)
    tokenizer.padding_side = "right"
    model = load_model(cfg.model.name_or_path, **model_kwargs(cfg.model))
    args = build_sft_config(cfg, run_dir)
    callbacks = [MetricsJSONLCallback(run_dir), RichStepProgress("sft")]
    if cfg.eval.tasks:
        callbacks.append(EvalCallback(run_dir, cfg.eval, tokenizer, seed=cfg.seed))
    trainer = SFTTrainer(model=model, args=args, train_dataset=train, eval_dataset=evalset,
                         processing_class=tokenizer, callbacks=callbacks)
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    for noisy in (PrinterCallback, ProgressCallback):  # rich progress and metrics.jsonl replace them
        trainer.remove_callback(noisy)
    checkpoint = resume_checkpoint(run_dir, resume_from)
    result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    metrics = dict(result.metrics)
    if evalset is not None:
        metrics.update(trainer.evaluate())
    final = run_dir / "final"
    trainer.save_model(str(final))  # every process takes part (sharded states); the main one writes
    if is_main_process():
        tokenizer.save_pretrained(str(final))
    metrics["global_step"] = trainer.state.global_step
    return metrics
