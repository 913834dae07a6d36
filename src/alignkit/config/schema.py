"""Typed schemas shared by every recipe.

Each command's recipe is a dataclass (its *schema*) that inherits :class:`RecipeBase`; composing a recipe merges
the YAML into that dataclass, so an unknown key or a value of the wrong type is rejected with the key's name.
Components built by ``_target_`` (judges, rewards) are typed ``Any`` here and checked when instantiated.

Numbers are checked when a recipe is composed: every integer must fit in 64 bits, no float may be NaN, and a
field can declare its range in its metadata, ``field(default=4, metadata={"ge": 1})`` (``ge``, ``gt``, ``le``,
``lt``); an out-of-range value is refused with a message naming the key and the range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from alignkit.generation.rollout import GenerationSettings
from alignkit.models.loading import LoraSettings, TinySettings


@dataclass
class ModelConfig:
    """Which model to train, and how to hold it."""

    # smollm2-135m-instruct (embedded), tiny (random, tests), a local HF folder, or a hub id.
    name_or_path: str = "smollm2-135m-instruct"
    dtype: str = "auto"  # auto (bf16 on GPUs that support it, fp32 on CPU) | float32 | bfloat16 | float16
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    gradient_checkpointing: bool = False
    attn_implementation: str | None = None
    lora: LoraSettings = field(default_factory=LoraSettings)
    tiny: TinySettings = field(default_factory=TinySettings)


@dataclass
class RecipeBase:
    """Fields every recipe has."""

    command: str = ""  # filled in by the CLI
    recipe: str = "default"  # filled in by the CLI
    output_dir: str | None = None  # default: runs/<command>/<recipe>/<timestamp>
    resume: str | None = None  # "true" (latest run of this recipe) or a run/checkpoint path
    seed: int = field(default=0, metadata={"ge": 0, "le": 2**32 - 1})  # numpy takes seeds below 2**32
    model: ModelConfig = field(default_factory=ModelConfig)

    # Options that moved, refused with a message naming the new place.
    renamed: ClassVar[dict[str, str]] = {"report_to": "trainer.report_to"}


@dataclass
class ExecutorConfig:
    """The code sandbox (see :class:`alignkit.sandbox.Executor`)."""

    max_workers: int | None = field(default=None, metadata={"ge": 1, "le": 256})  # None: one per core (at most 4)
    timeout_s: float = field(default=3.0, metadata={"gt": 0, "le": 3600})  # per test
    memory_mb: int = field(default=1024, metadata={"ge": 64, "le": 1 << 20})  # address space of a jailed process


@dataclass
class GenerationConfig(GenerationSettings):
    """Rollout settings (see :class:`alignkit.generation.GenerationSettings`)."""


# Old option names every command's ``trainer`` section refuses, naming TRL's name instead.
TRAINER_RENAMED: dict[str, str] = {
    "lr": "learning_rate", "save_every": "save_steps", "keep_checkpoints": "save_total_limit",
    "grad_clip": "max_grad_norm", "log_every": "logging_steps", "lr_schedule": "lr_scheduler_type",
    "adam_eps": "adam_epsilon", "batch_size": "per_device_train_batch_size",
}


def model_kwargs(model: Any) -> dict[str, Any]:
    """Keyword arguments of :func:`alignkit.models.load_model` from a ``model`` config section."""
    from omegaconf import OmegaConf

    m = OmegaConf.to_container(model, resolve=True) if not isinstance(model, dict) else model
    return {
        "dtype": m["dtype"], "device": m["device"], "lora": m["lora"],
        "gradient_checkpointing": m["gradient_checkpointing"], "attn_implementation": m["attn_implementation"],
        "tiny": m["tiny"],
    }
