"""eva's solver (arXiv 2411.00062): preference pairs, DPO and SimPO steps on `tiny`, recipe checks, reward lookup."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch

from alignkit.errors import ConfigError, UserError
from alignkit.trainers.eva import best_worst_pair, best_worst_pairs, latest_reward_model

# --- pairs ----------------------------------------------------------------------------------------------------


def test_best_against_worst():
    pair, reason = best_worst_pair([0.2, 0.9, -0.4, 0.5])
    assert reason is None and (pair.chosen, pair.rejected) == (1, 2)
    assert pair.gap == pytest.approx(1.3)


def test_ties_and_small_gaps_are_dropped_and_counted():
    groups = [[1.0, 1.0, 1.0], [0.0, 0.05, 0.02], [0.0, 1.0, 0.5], [None, 2.0, float("nan")], [0.3, 0.8]]
    pairs, dropped = best_worst_pairs(groups, min_gap=0.1)
    assert [p is None for p in pairs] == [True, True, False, True, False]
    assert dropped == {"tie": 1, "small_gap": 1, "too_few_rewards": 1}


def test_failed_rewards_take_no_part_in_pairs():
    # A failed reward (None/NaN) must not be read as the worst response.
    pair, _ = best_worst_pair([None, 0.4, float("nan"), 0.1])
    assert (pair.chosen, pair.rejected) == (1, 3)


def test_the_same_text_twice_is_a_tie_whatever_the_rewards():
    pair, reason = best_worst_pair([0.1, 0.9], texts=["same answer", "same answer"])
    assert pair is None and reason == "tie"


def test_first_of_equal_rewards_is_chosen_and_rejected():
    pair, _ = best_worst_pair([0.5, 0.9, 0.9, 0.1, 0.1])
    assert (pair.chosen, pair.rejected) == (1, 3)


# --- DPO and SimPO steps on tiny ------------------------------------------------------------------------------


PAIRS = [
    ("Name a colour.", "Blue is a calm colour.", "zzzz qqqq xxxx"),
    ("Say hello.", "Hello, nice to meet you!", "no no no no no"),
    ("Count to three.", "One, two, three.", "purple elephant runs"),
    ("Give a fruit.", "An apple.", "table chair sofa lamp"),
]


def _pairs(tokenizer):
    from alignkit.generation import chat_prompt_ids

    out = []
    for prompt, chosen, rejected in PAIRS:
        eos = [tokenizer.eos_token_id]
        out.append({"prompt": prompt, "chosen": chosen, "rejected": rejected,
                    "prompt_ids": chat_prompt_ids(tokenizer, prompt),
                    "chosen_ids": tokenizer(chosen, add_special_tokens=False)["input_ids"] + eos,
                    "rejected_ids": tokenizer(rejected, add_special_tokens=False)["input_ids"] + eos})
    return out


def _margins(model, pairs, tokenizer, normalise: bool) -> torch.Tensor:
    from alignkit.trainers.common import sequence_logprobs

    prompts = [p["prompt_ids"] for p in pairs]
    with torch.no_grad():
        lw = sequence_logprobs(model, prompts, [p["chosen_ids"] for p in pairs], pad_id=tokenizer.pad_token_id)
        ll = sequence_logprobs(model, prompts, [p["rejected_ids"] for p in pairs], pad_id=tokenizer.pad_token_id)
    if normalise:
        lw = lw / torch.tensor([len(p["chosen_ids"]) for p in pairs])
        ll = ll / torch.tensor([len(p["rejected_ids"]) for p in pairs])
    return lw - ll


def _solver(**kw):
    base = dict(loss="dpo", beta=0.1, simpo_gamma=0.5, learning_rate=5e-3, num_train_epochs=1.0, max_steps=1,
                per_device_train_batch_size=4, gradient_accumulation_steps=1, max_length=128,
                lr_scheduler_type="constant", warmup_steps=0, weight_decay=0.0, max_grad_norm=1.0,
                micro_batch_size=8, logging_steps=1, extra={})
    base.update(kw)
    return SimpleNamespace(**base)


def test_one_dpo_step_raises_the_chosen_margin(tiny_model, tokenizer, tmp_path):
    from alignkit.trainers.eva import train_dpo

    pairs = _pairs(tokenizer)
    before = _margins(tiny_model, pairs, tokenizer, normalise=False)
    out = train_dpo(tiny_model, None, tokenizer, pairs, _solver(), tmp_path / "dpo", seed=0)
    after = _margins(tiny_model, pairs, tokenizer, normalise=False)
    assert out["solver/steps"] == 1
    assert (after - before).mean() > 0.05, (before, after)
    assert tokenizer.padding_side == "left"  # generation still pads on the left


def test_one_dpo_step_with_lora_and_the_initial_reference(tokenizer, tmp_path):
    from alignkit.models import load_model
    from alignkit.trainers.eva import train_dpo

    model = load_model("tiny", device="cpu", lora={"r": 8, "alpha": 16, "dropout": 0.0,
                                                   "target_modules": ["q_proj", "v_proj", "o_proj"]})
    ref = load_model("tiny", device="cpu", trainable=False)
    pairs = _pairs(tokenizer)
    before = _margins(model, pairs, tokenizer, normalise=False)
    train_dpo(model, ref, tokenizer, pairs, _solver(learning_rate=2e-2), tmp_path / "dpo", seed=0)
    after = _margins(model, pairs, tokenizer, normalise=False)
    assert (after - before).mean() > 0.01
    assert list(model.peft_config) == ["default"]  # no reference adapter left behind


def test_one_simpo_step_raises_the_length_normalised_margin(tiny_model, tokenizer, tmp_path):
    from alignkit.trainers.eva import train_simpo

    pairs = _pairs(tokenizer)
    before = _margins(tiny_model, pairs, tokenizer, normalise=True)
    out = train_simpo(tiny_model, tokenizer, pairs, _solver(loss="simpo", beta=2.0, learning_rate=5e-3),
                      tmp_path / "simpo", seed=0)
    after = _margins(tiny_model, pairs, tokenizer, normalise=True)
    assert out["solver/steps"] == 1
    assert (after - before).mean() > 0.01, (before, after)


def test_simpo_loss_against_a_hand_computation():
    from alignkit.trainers.eva import simpo_objective_loss

    logps = torch.tensor([-4.0, -9.0, -12.0, -6.0])  # chosen 0, 1 then rejected 0, 1
    lengths = torch.tensor([2.0, 3.0, 4.0, 2.0])
    beta, gamma = 2.0, 0.5
    by_hand = []
    for w, lw, r, lr in ((-4.0, 2.0, -12.0, 4.0), (-9.0, 3.0, -6.0, 2.0)):
        z = beta * w / lw - beta * r / lr - gamma
        by_hand.append(-math.log(1 / (1 + math.exp(-z))))
    got = simpo_objective_loss(logps, lengths, 2, beta, gamma)
    assert float(got) == pytest.approx(sum(by_hand) / 2, rel=1e-6)


# --- recipe checks --------------------------------------------------------------------------------------------


def _compose(*overrides):
    from alignkit.config import compose_recipe
    from alignkit.trainers.eva import EvaRecipe

    return compose_recipe("eva-evolve", "eva_evolve", "math", ["model=tiny", *overrides], EvaRecipe)


@pytest.mark.parametrize(("override", "key"), [
    ("solver.loss=ppo", "solver.loss"),
    ("solver.reference=frozen", "solver.reference"),
    ("creator.proxy=range", "creator.proxy"),
    ("creator.sample_fraction=1.5", "creator.sample_fraction"),
    ("creator.num_samples=1", "creator.num_samples"),
    ("creator.evolver.source=endpoint", "creator.evolver.url"),
    ("creator.operators.concretize.kind=sideways", "creator.operators.concretize.kind"),
    ("creator.filters.near_duplicate=0", "creator.filters.near_duplicate"),
    ("solver.max_steps=0", "solver.max_steps"),
])
def test_bad_values_name_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        _compose(override)


def test_every_recipe_composes_with_its_operators():
    cfg = _compose()
    assert set(cfg.creator.operators) == {"add_constraints", "deepen", "concretize", "more_reasoning", "expand",
                                          "breadth"}
    assert cfg.creator.operators.breadth.metadata == "parse"


# --- the reward model of the default recipe ---------------------------------------------------------------------


def test_missing_reward_model_names_the_command_to_run(tmp_path):
    with pytest.raises(UserError, match="alignkit rm recipe=chat"):
        latest_reward_model("auto:rm/chat", runs_root=tmp_path)


def test_newest_reward_model_run_is_used(tmp_path):
    import os

    for i, stamp in enumerate(["20240101-000000", "20240102-000000"]):
        model = tmp_path / "rm" / "chat" / stamp / "model"
        model.mkdir(parents=True)
        (model / "config.json").write_text("{}")
        os.utime(model, (1000 + i, 1000 + i))
    (tmp_path / "rm" / "chat" / "20240103-000000").mkdir()  # a run that did not finish: no model
    assert latest_reward_model("auto:rm/chat", runs_root=tmp_path).parent.name == "20240102-000000"


# --- the loop's evolver choice ------------------------------------------------------------------------------------


def _loop(monkeypatch, tmp_path, *overrides):
    import alignkit.trainers.eva as eva

    monkeypatch.setattr(eva, "build_reward", lambda spec, key="reward": (lambda p, c, m=None: [0.0] * len(c)))
    cfg = _compose("data.limit=2", "heldout.limit=1", *overrides)
    return eva.EvaLoop(cfg, tmp_path)


def test_endpoint_evolver_is_built_from_the_recipe(monkeypatch, tmp_path):
    from alignkit.trainers.eva_creator import EndpointEvolver

    loop = _loop(monkeypatch, tmp_path, "creator.evolver.source=endpoint", "creator.evolver.url=http://127.0.0.1:9/v1",
                 "creator.evolver.model=served", "creator.evolver.temperature=0.2", "creator.evolver.max_new_tokens=33")
    ev = loop.evolver()
    assert isinstance(ev, EndpointEvolver) and loop.evolver() is ev  # built once
    s = ev.endpoint.settings
    assert (ev.endpoint.url, s.model, s.temperature, s.max_new_tokens) == (
        "http://127.0.0.1:9/v1/chat/completions", "served", 0.2, 33)


def test_model_evolver_samples_from_its_own_model_with_its_own_settings(monkeypatch, tmp_path):
    from alignkit.models import load_model

    loop = _loop(monkeypatch, tmp_path, "creator.evolver.source=model", "creator.evolver.model=tiny",
                 "creator.evolver.temperature=0.0", "creator.evolver.max_new_tokens=5")
    loop.set_policy(load_model("tiny", device="cpu"))
    ev = loop.evolver()
    assert ev.generator.model is not loop.model  # a separate model, not the policy
    out = ev.complete(["Rewrite: hello", "Rewrite: world"])
    assert len(out) == 2 and all(len(loop.tokenizer(t)["input_ids"]) <= 6 for t in out)
    # the solver's sampling settings are untouched by the evolver's
    assert loop.settings.temperature == loop.cfg.generation.temperature
