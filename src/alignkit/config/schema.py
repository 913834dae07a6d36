"""Typed schemas shared by every recipe.

Each command's recipe is a dataclass (its *schema*) that inherits :class:`RecipeBase`; composing a recipe merges
the YAML into that dataclass, so an unknown key or a value of the wrong type is rejected with the key's name.
Components built by ``_target_`` (judges, rewards) are typed ``Any`` here and checked when instantiated.
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
    seed: int = 0
    model: ModelConfig = field(default_factory=ModelConfig)

    # Options that moved, refused with a message naming the new place.
    renamed: ClassVar[dict[str, str]] = {"report_to": "trainer.report_to"}


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
