"""Rewards: ``reward(prompts, completions, metadata=None, **kw) -> list[float]``, usable as TRL ``reward_funcs``.

- :class:`RewardModel`: any one-label ``AutoModelForSequenceClassification`` (e.g. trained by ``alignkit rm``).
- :class:`CalibratedReward`: CGPO's σ(r(x, y) − r(x, ȳ)) around any base reward.
- Rule rewards: :class:`CodePassFraction`, :class:`MathCorrectness`, :class:`InstructionFollowingFraction`.
- :class:`JudgeReward`: a reward read from any judge's verdicts.

Recipes: ``recipes/rewards/NAME.yaml`` (``_target_`` + arguments), built with :func:`load_reward`.
"""

from __future__ import annotations

from typing import Any

from alignkit.rewards.base import JudgeReward, Reward
from alignkit.rewards.calibrated import CalibratedReward
from alignkit.rewards.reward_model import RewardModel
from alignkit.rewards.rules import CodePassFraction, InstructionFollowingFraction, MathCorrectness


def load_reward(name: str, **overrides: Any) -> Any:
    """Instantiate ``recipes/rewards/NAME.yaml`` (or a YAML path) with keyword overrides."""
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    from alignkit.config.compose import component_recipe

    path = component_recipe("rewards", name)
    cfg = OmegaConf.load(path)
    if overrides:
        cfg = OmegaConf.merge(cfg, OmegaConf.create(overrides))
    return instantiate(cfg, _convert_="all")


__all__ = [
    "CalibratedReward",
    "CodePassFraction",
    "InstructionFollowingFraction",
    "JudgeReward",
    "MathCorrectness",
    "Reward",
    "RewardModel",
    "load_reward",
]
