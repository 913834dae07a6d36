"""The LLM judge's token-probability decision, on the tiny model and on a scripted stand-in model."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch
from omegaconf import OmegaConf

from alignkit.config import builtin_recipes_dir
from alignkit.judges.llm import LLMJudge

TEMPLATE = "Question: {prompt}\nAnswer: {response}\nIs the answer correct? Answer Yes or No."


@pytest.fixture(scope="module")
def tokenizer():
    from alignkit.models import load_tokenizer

    return load_tokenizer("tiny")


@pytest.fixture(scope="module")
def tiny(tokenizer):
    from alignkit.models import load_model

    return load_model("tiny", device="cpu", trainable=False)


class ScriptedLM(torch.nn.Module):
    """A causal LM stand-in: the next token is "Yes" when the input contains ``trigger``, else "No"."""

    def __init__(self, tokenizer, trigger: str = "GOOD", margin: float = 3.0) -> None:
        super().__init__()
        self.vocab = len(tokenizer)
        self.trigger = set(tokenizer.encode(" " + trigger, add_special_tokens=False))
        self.yes = tokenizer.encode("Yes", add_special_tokens=False)[0]
        self.no = tokenizer.encode("No", add_special_tokens=False)[0]
        self.margin = margin
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, input_ids, attention_mask=None, position_ids=None):
        logits = torch.full((input_ids.shape[0], input_ids.shape[1], self.vocab), -30.0)
        for b in range(input_ids.shape[0]):
            hit = any(int(t) in self.trigger for t in input_ids[b])
            logits[b, -1, self.yes] = self.margin if hit else -self.margin
            logits[b, -1, self.no] = -self.margin if hit else self.margin
        return SimpleNamespace(logits=logits)


def test_decision_follows_the_token_probabilities(tokenizer):
    judge = LLMJudge(model=ScriptedLM(tokenizer), tokenizer=tokenizer, template=TEMPLATE, batch_size=2)
    responses = ["This is GOOD", "bad answer", "very GOOD indeed", "meh"]
    verdicts = judge(["q"] * 4, responses)
    assert [v.value for v in verdicts] == [1, 0, 1, 0]
    # Only "Yes" and "No" carry probability here (every other token sits at -30).
    p_yes, p_no = math.exp(3.0), math.exp(-3.0)
    assert verdicts[0].score == pytest.approx(p_yes / (p_yes + p_no), rel=1e-4)
    assert verdicts[1].score == pytest.approx(p_no / (p_yes + p_no), rel=1e-4)
    assert "Yes" in verdicts[0].reason


def test_invert_and_threshold(tokenizer):
    lm = ScriptedLM(tokenizer, margin=0.2)  # P(Yes) = sigmoid(0.4) ~ 0.6 for a hit
    strict = LLMJudge(model=lm, tokenizer=tokenizer, template=TEMPLATE, threshold=0.7)
    assert strict(["q"], ["GOOD"])[0].value == 0
    inverted = LLMJudge(model=lm, tokenizer=tokenizer, template=TEMPLATE, invert=True)
    assert [v.value for v in inverted(["q", "q"], ["GOOD", "bad"])] == [0, 1]


def test_missing_template_field_is_a_judge_failure(tokenizer):
    judge = LLMJudge(model=ScriptedLM(tokenizer), tokenizer=tokenizer, template="{prompt} {gold} {response}")
    verdicts = judge(["q", "q"], ["GOOD", "GOOD"], [{"gold": "42"}, {}])
    assert [v.value for v in verdicts] == [1, -1]
    assert "gold" in verdicts[1].reason


def test_tiny_model_scores_match_a_manual_forward_and_batching(tiny, tokenizer):
    judge = LLMJudge(model=tiny, tokenizer=tokenizer, template=TEMPLATE, batch_size=3)
    prompts = ["What is 2+2?", "Name a colour.", "Capital of France?", "Say hi."]
    responses = ["4", "A long answer about the colour blue, which is the colour of the sky.", "Paris", ""]
    verdicts = judge(prompts, responses)
    for p, r, v in zip(prompts, responses, verdicts, strict=True):
        text = judge.render(p, r, {})
        ids = tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logp = torch.log_softmax(tiny(input_ids=ids).logits[0, -1].float(), -1)
        yes = torch.logsumexp(logp[judge._pos_ids], 0)
        no = torch.logsumexp(logp[judge._neg_ids], 0)
        expected = torch.sigmoid(yes - no).item()
        assert v.score == pytest.approx(expected, abs=1e-4)  # left padding in the batch changes nothing
        assert v.value == int(expected >= 0.5)
    # The chat template is applied.
    assert "<|im_start|>assistant" in judge.render("q", "r", {})


def test_shipped_templates_render_and_run_on_the_tiny_model(tiny, tokenizer):
    for name in ("llm_factuality", "llm_safety", "llm_false_refusal"):
        cfg = OmegaConf.to_container(OmegaConf.load(builtin_recipes_dir() / "judges" / f"{name}.yaml"))
        cfg.pop("_target_")
        cfg.update(model=tiny, tokenizer=tokenizer)
        judge = LLMJudge(**cfg)
        verdicts = judge(["Who wrote Hamlet?"], ["Shakespeare."], [{"gold": "William Shakespeare"}])
        assert verdicts[0].value in (0, 1) and 0.0 <= verdicts[0].score <= 1.0


def test_positive_and_negative_must_differ(tokenizer):
    judge = LLMJudge(model=ScriptedLM(tokenizer), tokenizer=tokenizer, positive="Yes", negative="Yes")
    verdicts = judge(["q"], ["r"])
    assert verdicts[0].value == -1  # misconfiguration is reported, not a pass
