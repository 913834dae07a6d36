"""CGPO recipes: composition, per-task overrides, and validation errors that name the key and the fix."""

from __future__ import annotations

import pytest

from alignkit.config import compose_recipe
from alignkit.errors import ConfigError
from alignkit.trainers.cgpo import CGPORecipe
from alignkit.trainers.engine import metadata_matches as _matches


def compose(recipe: str, *overrides: str):
    return compose_recipe("cgpo", "cgpo", recipe, ["model=tiny", *overrides], CGPORecipe)


def test_coding_recipe_has_the_code_and_format_judges_and_crraft():
    cfg = compose("coding")
    task = cfg.tasks.coding
    # the demo's optimizer is CRRAFT (measured to move the held-out pass rate within its budget; crpg did not)
    assert task.optimizer == "crraft" and task.num_samples == 4 and task.prompts_per_step == 4
    # the CPU demo (issue 16): the easy tier, T=0.7, held-out eval on its test split, charts at the end
    assert task.data.source == "coding_easy" and task.temperature == 0.7
    assert list(cfg.eval.tasks) == ["coding_easy"] and cfg.trainer.plot is True
    assert set(task.judges) == {"code", "format"}
    assert task.judges.code._target_ == "alignkit.judges.code.CodeJudge"
    assert task.reward._target_ == "alignkit.rewards.rules.CodePassFraction"


def test_unconstrained_recipe_is_coding_without_judges():
    plain, coding = compose("coding_unconstrained"), compose("coding")
    assert all(v is None for v in plain.tasks.coding.judges.values())
    for key in ("optimizer", "kl_max", "num_samples", "prompts_per_step", "baseline", "reward", "data"):
        assert plain.tasks.coding[key] == coding.tasks.coding[key], key
    assert plain.trainer == coding.trainer


def test_multitask_blends_every_task_with_its_own_optimizer():
    cfg = compose("multitask")
    optimizers = {name: t.optimizer for name, t in cfg.tasks.items()}
    assert optimizers == {"coding": "crpg", "math": "crpg", "instruction_following": "crraft",
                          "chat_general": "codpo", "chat_factual": "codpo", "chat_harmful": "codpo"}
    assert cfg.tasks.chat_factual.data.where == {"category": "factual"}
    assert cfg.tasks.chat_general.kl_max < cfg.tasks.coding.kl_max  # strict KL for chat, loose for code


def test_overrides_reach_one_task_and_swap_its_reward():
    cfg = compose("multitask", "tasks.math.kl_max=2.5", "tasks.coding.weight=0.5",
                  "rewards@tasks.coding.reward=reward_model", "tasks.coding.reward.model=/some/rm")
    assert cfg.tasks.math.kl_max == 2.5 and cfg.tasks.coding.kl_max == 10.0
    assert cfg.tasks.coding.weight == 0.5
    assert cfg.tasks.coding.reward._target_.endswith("RewardModel") and cfg.tasks.coding.reward.model == "/some/rm"


@pytest.mark.parametrize(("override", "key"), [
    ("tasks.coding.optimizer=ppo", "tasks.coding.optimizer"),
    ("tasks.coding.baseline=gold", "tasks.coding.baseline"),
    ("tasks.coding.kl_max=0", "tasks.coding.kl_max"),
    ("tasks.coding.weight=-1", "tasks.coding.weight"),
    ("trainer.learning_rate=0", "trainer.learning_rate"),
    ("trainer.lr_scheduler_type=step", "trainer.lr_scheduler_type"),
])
def test_bad_values_name_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        compose("coding", override)


@pytest.mark.parametrize(("old", "new"), [("trainer.lr=1e-3", "trainer.learning_rate"),
                                          ("trainer.save_every=2", "trainer.save_steps"),
                                          ("trainer.keep_checkpoints=3", "trainer.save_total_limit"),
                                          ("trainer.grad_clip=1.0", "trainer.max_grad_norm")])
def test_an_old_option_name_is_refused_naming_the_new_one(old, new):
    with pytest.raises(ConfigError, match=f"use `{new}`"):
        compose("coding", old)


@pytest.mark.parametrize(("override", "key"), [("tasks.coding.baseline_estimator=ppo", "baseline_estimator"),
                                               ("tasks.coding.loss_normalization=mean", "loss_normalization")])
def test_baseline_estimator_and_loss_normalization_are_checked(override, key):
    with pytest.raises(ConfigError, match=key):
        compose("coding", override)
    assert compose("coding", "tasks.coding.baseline_estimator=rloo").tasks.coding.baseline_estimator == "rloo"


def test_codpo_needs_at_least_two_samples():
    with pytest.raises(ConfigError, match=r"tasks\.coding\.num_samples"):
        compose("coding", "tasks.coding.optimizer=codpo", "tasks.coding.num_samples=1")


def test_unknown_task_key_is_rejected():
    with pytest.raises(ConfigError, match="kl_maxx"):
        compose("coding", "+tasks.coding.kl_maxx=3")


def test_where_filter_matches_values_and_lists():
    assert _matches({"category": "factual", "harmful": False}, {"category": "factual"})
    assert _matches({"category": "open"}, {"category": ["open", "advice"]})
    assert not _matches({"category": "harmful"}, {"category": ["open", "advice"]})
    assert _matches({"harmful": True}, {"harmful": True}) and not _matches({}, {"harmful": True})


def test_prompt_order_covers_each_epoch_and_shards_disjointly_across_ranks():
    from types import SimpleNamespace

    from alignkit.trainers.cgpo import Task

    cfg = SimpleNamespace(optimizer="crpg", prompts_per_step=4, baseline="reference", data=SimpleNamespace(source="x"))
    records = [{"id": str(i), "prompt": f"p{i}", "metadata": {}} for i in range(8)]
    task = Task("t", cfg, records, lambda p, c, m=None: [0.0] * len(p), judges=None, seed=3)
    order = [i for step in range(4) for i in task.order.step(step)]
    assert sorted(order[:8]) == list(range(8)) and sorted(order[8:]) == list(range(8))  # one pass per epoch
    shards = [task.order.shard(5, rank, 2) for rank in (0, 1)]
    assert shards[0] + shards[1] == task.order.step(5) and not set(shards[0]) & set(shards[1])
    again = Task("t", cfg, records, lambda p, c, m=None: [0.0] * len(p), judges=None, seed=3)
    assert again.order.step(5) == task.order.step(5)  # resumable: a function of (seed, step)
