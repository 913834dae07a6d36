"""Every recipe of every command composes against its schema, and its components instantiate."""

from __future__ import annotations

import importlib

import pytest
from hydra.utils import instantiate
from omegaconf import DictConfig, ListConfig, OmegaConf

from alignkit.cli import COMMANDS
from alignkit.config import compose_recipe, recipe_files

CASES = [(c, name) for c in COMMANDS if c.module for name in sorted(recipe_files(c.recipes))]


def _targets(node, path="") -> list[tuple[str, DictConfig]]:
    found = []
    if isinstance(node, DictConfig):
        if "_target_" in node:
            found.append((path, node))
        else:
            for k in node:
                found += _targets(node[k], f"{path}.{k}" if path else str(k))
    elif isinstance(node, ListConfig):
        for i, item in enumerate(node):
            found += _targets(item, f"{path}[{i}]")
    return found


def test_every_command_that_is_built_has_recipes():
    assert {c.name for c, _ in CASES} >= {"sft", "eval"}


@pytest.mark.parametrize(("command", "recipe"), CASES, ids=[f"{c.name}:{r}" for c, r in CASES])
def test_recipe_composes_and_instantiates(command, recipe):
    schema = getattr(importlib.import_module(command.module), command.schema)
    cfg = compose_recipe(command.name, command.recipes, recipe, ["model=tiny"], schema)
    assert cfg.recipe == recipe and cfg.command == command.name
    first = recipe_files(command.recipes)[recipe].read_text().splitlines()[0]
    assert first.startswith(f"# alignkit {command.name}"), "a recipe starts with the command that runs it"
    for path, node in _targets(cfg):
        obj = instantiate(OmegaConf.to_container(node, resolve=True))
        module, _, name = node._target_.rpartition(".")
        target = getattr(importlib.import_module(module), name)
        # the recipe builds what its `_target_` names (not a partial, a dict, or a parent class's default)
        assert isinstance(obj, target) if isinstance(target, type) else callable(obj), path
