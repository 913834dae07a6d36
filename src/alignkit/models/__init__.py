"""Policies, reference models and tokenizers: ``load_model``, ``load_tokenizer``, ``load_reference``."""

from alignkit.models.loading import (
    EMBEDDED_NAME,
    TINY_NAME,
    LoraSettings,
    TinySettings,
    build_tiny,
    cache_dir,
    embedded_checkpoint,
    is_peft,
    load_model,
    load_reference,
    load_tokenizer,
    reference_forward,
    resolve_device,
    resolve_dtype,
)

__all__ = [
    "EMBEDDED_NAME", "TINY_NAME", "LoraSettings", "TinySettings", "build_tiny", "cache_dir",
    "embedded_checkpoint", "is_peft", "load_model", "load_reference", "load_tokenizer", "reference_forward",
    "resolve_device", "resolve_dtype",
]
