"""Recipes: composing (Hydra compose API), typed schemas, validation."""

from alignkit.config.compose import (
    builtin_recipes_dir,
    component_recipe,
    compose_recipe,
    first_comment,
    recipe_files,
    to_yaml,
    validate,
)
from alignkit.config.schema import ExecutorConfig, GenerationConfig, ModelConfig, RecipeBase, model_kwargs

__all__ = ["ExecutorConfig", "GenerationConfig", "ModelConfig", "RecipeBase", "builtin_recipes_dir", "component_recipe",
           "compose_recipe",
           "first_comment", "model_kwargs", "recipe_files", "to_yaml", "validate"]
