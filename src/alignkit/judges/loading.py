"""Build judges from recipe YAMLs (``recipes/judges/NAME.yaml``), configs or instances.

A judge recipe is a Hydra config with ``_target_: alignkit.judges.<module>.<Class>`` and the class's
constructor arguments; a new judge is one Python file plus one YAML, with no registry to edit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alignkit.judges.base import Judge


def judge_recipe_path(name: str) -> Path:
    """Path of a judge recipe, from a shipped name (``"math"``) or a YAML path."""
    from alignkit.config.compose import component_recipe

    return component_recipe("judges", name)


def load_judge(name: str, **overrides: Any) -> Judge:
    """Instantiate the judge recipe ``name`` (shipped name or YAML path), with keyword overrides.

    Overrides may be objects too (``model=<loaded module>, tokenizer=<tokenizer>``): those are passed to the
    judge's constructor as they are.
    """
    from omegaconf import OmegaConf

    cfg = OmegaConf.load(judge_recipe_path(name))
    plain = {k: v for k, v in overrides.items() if v is None or isinstance(v, str | int | float | bool | list | dict)}
    objects = {k: v for k, v in overrides.items() if k not in plain}
    if plain:
        cfg = OmegaConf.merge(cfg, OmegaConf.create(plain))
    return build_judge(cfg, **objects)


def build_judge(spec: Any, **objects: Any) -> Judge:
    """A judge from an instance, a config with ``_target_``, or a recipe name/path (``objects``: extra
    constructor arguments that are not plain values, e.g. a loaded model)."""
    if isinstance(spec, Judge):
        return spec
    if isinstance(spec, str):
        return load_judge(spec)
    from hydra.utils import instantiate
    from omegaconf import DictConfig, OmegaConf

    if isinstance(spec, dict):
        spec = OmegaConf.create(spec)
    if isinstance(spec, DictConfig):
        if "_target_" not in spec:
            raise ValueError("a judge config needs a `_target_` (e.g. alignkit.judges.math.MathJudge)")
        judge = instantiate(spec, _convert_="all", **objects)
        if not isinstance(judge, Judge):
            raise TypeError(f"{spec._target_} built a {type(judge).__name__}, not a Judge")
        return judge
    raise TypeError(f"cannot build a judge from {type(spec).__name__}")
