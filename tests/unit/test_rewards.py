"""Rewards: calibrated reward values, judge/rule rewards, and reward-model scoring."""

from __future__ import annotations

import json
import math

import pytest

from alignkit.judges import Judge, JudgeVerdict
from alignkit.rewards import (
    CalibratedReward,
    InstructionFollowingFraction,
    JudgeReward,
    MathCorrectness,
    Reward,
    RewardModel,
    load_reward,
)
from alignkit.rewards.calibrated import prompt_key, sigmoid


class TableReward(Reward):
    """r(x, y) looked up in a table (constructed rewards); counts its calls."""

    default_name = "table"

    def __init__(self, table: dict[str, float]) -> None:
        super().__init__()
        self.table = table
        self.calls: list[list[str]] = []

    def score(self, prompts, completions, metadata, **kwargs):
        self.calls.append(list(completions))
        return [self.table[c] for c in completions]


def s(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# ---------------------------------------------------------------------------- calibrated reward
def test_calibrated_reward_against_reference_answers():
    base = TableReward({"gold": 1.0, "better": 3.0, "worse": -1.0, "same": 1.0})
    reward = CalibratedReward(base, baseline="reference")
    # TRL passes dataset columns as keyword lists: here the `reference` column.
    out = reward(["q1", "q1", "q1"], ["better", "worse", "same"], reference=["gold", "gold", "gold"])
    assert out == pytest.approx([s(2.0), s(-2.0), 0.5])
    assert base.calls[0] == ["gold"]  # the baseline was scored once for the prompt...
    reward(["q1"], ["better"], reference=["gold"])
    assert ["gold"] not in base.calls[1:]  # ...and cached afterwards


def test_calibrated_reward_reference_from_metadata_and_ids():
    base = TableReward({"a": 0.0, "b": 2.0, "y": 1.0})
    reward = CalibratedReward(base)
    out = reward(
        ["same text", "same text"], ["y", "y"], [{"reference": "a"}, {"reference": "b"}], id=["p1", "p2"]
    )
    assert out == pytest.approx([s(1.0), s(-1.0)])  # keyed by id: same prompt text, different baselines
    assert reward.baseline_reward("same text", "p2") == 2.0


def test_calibrated_reward_policy_baseline_sampled_once_and_persisted(tmp_path):
    base = TableReward({"sampled-q1": 0.5, "sampled-q2": -0.5, "y": 0.5})
    calls = []

    def fake_generate(model, tokenizer, prompts, n=1, **kw):
        calls.append((list(prompts), kw))
        return [[f"sampled-{p}"] for p in prompts]

    reward = CalibratedReward(base, baseline="policy")
    with pytest.raises(KeyError, match="sample_baselines"):
        reward(["q1"], ["y"])
    reward.sample_baselines(None, None, ["q1", "q2"], generate_fn=fake_generate, temperature=1.0)
    reward.sample_baselines(None, None, ["q1", "q2"], generate_fn=fake_generate)  # cached: no new samples
    assert len(calls) == 1 and calls[0][1] == {"temperature": 1.0}
    assert reward(["q1", "q2"], ["y", "y"]) == pytest.approx([0.5, s(1.0)])

    path = reward.save(tmp_path)
    saved = {prompt_key(r["prompt"], r["id"]): r for r in map(json.loads, path.read_text().splitlines())}
    assert saved[prompt_key("q1")]["text"] == "sampled-q1" and saved[prompt_key("q1")]["baseline"] == "policy"
    # read back, ȳ's reward is scored again (the reward model may differ from the first run's)
    resumed = CalibratedReward(TableReward({"y": 0.5, "sampled-q2": -0.5}), baseline="policy", cache_path=tmp_path)
    assert resumed(["q2"], ["y"]) == pytest.approx([s(1.0)])
    with pytest.raises(ValueError, match="baselines"):
        CalibratedReward(base, baseline="reference", cache_path=path)


def test_calibrated_reward_appends_each_new_baseline_to_its_cache_file(tmp_path):
    """A run killed after drawing ȳ finds every ȳ drawn so far (appended one line each, torn line skipped)."""
    cache = tmp_path / "baselines.jsonl"
    reward = CalibratedReward(TableReward({"a": 0.0, "b": 1.0}), baseline="policy", cache_path=cache)
    reward.set_baselines(["q1"], ["a"], ids=["p1"])
    reward.set_baselines(["q2"], ["b"], ids=["p2"])
    with open(cache, "a") as fh:
        fh.write('{"id": "p3", "te')  # killed mid-write
    again = CalibratedReward(TableReward({"a": 0.0, "b": 1.0}), baseline="policy", cache_path=cache)
    assert again.baseline_text("q2", "p2") == "b" and again.baseline_text("q3", "p3") is None
    assert again.baseline_rewards(["q1", "q2"], ids=["p1", "p2"]) == [0.0, 1.0]


class OutageJudge(Judge):
    """Fails (-1) while ``down`` is set; otherwise passes responses containing "good"."""

    default_name = "outage"
    down = True

    def judge(self, prompts, responses, metadata=None):
        if self.down:
            return [JudgeVerdict.error("sandbox unavailable") for _ in responses]
        return [JudgeVerdict.ok() if "good" in r else JudgeVerdict.violated("bad") for r in responses]


def test_calibrated_reward_survives_a_reward_whose_on_failure_is_null():
    """on_failure: null gives None for a failed judge: no crash, NaN (left out) and ȳ scored again later."""
    judge = OutageJudge()
    reward = CalibratedReward(JudgeReward(judge, use="value", on_failure=None), baseline="reference")
    out = reward(["q", "q"], ["good", "bad"], [{"reference": "good answer"}] * 2, id=["1", "1"])
    assert all(math.isnan(v) for v in out)
    assert reward.baseline_reward("q", "1") is None  # the failure was not cached as r(x, ȳ)
    judge.down = False
    out = reward(["q", "q"], ["good", "bad"], [{"reference": "good answer"}] * 2, id=["1", "1"])
    assert out == pytest.approx([0.5, s(-1.0)])  # r(ȳ) = 1: equal -> 0.5, worse -> σ(−1)


def test_calibrated_reward_missing_baseline_and_temperature():
    base = TableReward({"y": 4.0, "g": 0.0})
    half = CalibratedReward(base, missing="half")
    assert half(["q"], ["y"]) == [0.5] and half.last_n_missing == 1
    with pytest.raises(KeyError, match="no reference answer"):
        CalibratedReward(base)(["q"], ["y"])
    warm = CalibratedReward(base, temperature=2.0)
    warm.precompute(["q"], ["g"])
    assert warm(["q"], ["y"]) == pytest.approx([s(2.0)])
    assert sigmoid(-800.0) == pytest.approx(0.0) and sigmoid(800.0) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        CalibratedReward(base, baseline="gold")


def test_calibrated_reward_from_config():
    reward = CalibratedReward({"_target_": "alignkit.rewards.rules.MathCorrectness", "num_workers": 0})
    reward.precompute(["q"], ["The final answer is 1."], [{"answer": "2"}])  # ȳ wrong: r(x, ȳ) = 0
    out = reward(["q", "q"], ["The final answer is 2.", "no answer"], [{"answer": "2"}] * 2)
    assert out == pytest.approx([s(1.0), 0.5])


# ---------------------------------------------------------------------------- judge and rule rewards
class FlakyJudge(Judge):
    default_name = "flaky"

    def judge(self, prompts, responses, metadata=None):
        table = {
            "good": JudgeVerdict.ok("", 1.0),
            "half": JudgeVerdict.violated("", 0.5),
            "boom": JudgeVerdict.error("x"),
        }
        return [table[r] for r in responses]


def test_judge_reward_scores_values_and_failures():
    score = JudgeReward(FlakyJudge())
    assert score(["p"] * 3, ["good", "half", "boom"]) == [1.0, 0.5, 0.0]
    assert score.last_n_failed == 1
    value = JudgeReward(FlakyJudge(), use="value", on_failure=None)
    assert value(["p"] * 3, ["good", "half", "boom"]) == [1.0, 0.0, None]  # None -> NaN in TRL
    assert value.__name__ == "flaky"


def test_rule_rewards_work_as_trl_reward_funcs():
    math_reward = MathCorrectness(num_workers=0)
    out = math_reward(
        prompts=[[{"role": "user", "content": "2+2?"}]] * 3,
        completions=[
            [{"role": "assistant", "content": "The final answer is 4."}],
            [{"role": "assistant", "content": "The final answer is 5."}],
            [{"role": "assistant", "content": "It is 4."}],
        ],
        completion_ids=[[1], [2], [3]],
        metadata=[{"answer": "4"}] * 3,
        trainer_state=None,
        log_metric=lambda *a: None,
    )
    assert out == [1.0, 0.0, 0.0]
    assert math_reward.__name__ == "math_correctness"

    if_reward = InstructionFollowingFraction(num_workers=0)
    meta = {
        "instruction_id_list": ["punctuation:no_comma", "change_case:english_lowercase"],
        "kwargs": [{}, {}],
    }
    responses = [
        "the weather today is warm and the children are playing in the park near the river",
        "the weather today is warm, and the children are playing in the park near the river",
        "The weather today is warm, and the children are playing in the park near the river",
    ]
    assert if_reward(["p"] * 3, responses, [meta] * 3) == [1.0, 0.5, 0.0]


def test_reward_recipes_instantiate():
    reward = load_reward("math_correctness", num_workers=0)
    assert isinstance(reward, MathCorrectness)
    assert reward(["q"], ["#### 3"], [{"answer": "3"}]) == [1.0]
    assert isinstance(load_reward("instruction_following_fraction"), InstructionFollowingFraction)


# ---------------------------------------------------------------------------- reward model scoring
@pytest.fixture(scope="module")
def tiny_rm():
    from transformers import AutoModelForSequenceClassification

    from alignkit.models import build_tiny, load_tokenizer

    tokenizer = load_tokenizer("tiny")
    config = build_tiny(tokenizer).config
    config.num_labels = 1
    config.pad_token_id = tokenizer.pad_token_id
    model = AutoModelForSequenceClassification.from_config(config).eval()
    return model, tokenizer


def test_reward_model_scores_are_batch_invariant_and_chat_aware(tiny_rm):
    model, tokenizer = tiny_rm
    reward = RewardModel(model, tokenizer=tokenizer, batch_size=2)
    prompts = ["Hi", "Tell me a story about a very long river.", "2+2?", "Name a fruit"]
    responses = ["Hello!", "Once upon a time " * 5, "4", "Apple"]
    together = reward(prompts, responses)
    alone = [reward([p], [r])[0] for p, r in zip(prompts, responses, strict=True)]
    assert together == pytest.approx(alone, abs=1e-5)
    assert len(set(round(x, 6) for x in together)) == 4  # different inputs, different rewards
    from alignkit.rewards.reward_model import encode_conversation, render_conversation

    text = render_conversation(tokenizer, "Hi", "Hello!")
    assert "<|im_start|>assistant\nHello!" in text
    assert len(encode_conversation(tokenizer, "Hi", "Hello! " * 100, max_length=16)) == 16


def test_reward_model_rejects_multi_label_models(tiny_rm):
    from transformers import AutoModelForSequenceClassification

    model, tokenizer = tiny_rm
    config = model.config.__class__(**model.config.to_dict())
    config.num_labels = 2
    two = AutoModelForSequenceClassification.from_config(config)
    with pytest.raises(ValueError, match="one label"):
        RewardModel(two, tokenizer=tokenizer)(["p"], ["r"])
