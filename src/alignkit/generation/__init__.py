"""Batched rollouts: HF generate on CPU, vLLM through TRL on GPU (``generation.backend``)."""

from alignkit.generation.rollout import (
    GenerationSettings,
    HFGenerator,
    Rollout,
    VLLMGenerator,
    chat_prompt_ids,
    generate,
    make_generator,
    rollout,
)

__all__ = ["GenerationSettings", "HFGenerator", "Rollout", "VLLMGenerator", "chat_prompt_ids", "generate",
           "make_generator", "rollout"]
