"""Multi-turn rollouts from token ids: the second context is the sampled ids, and it matches the chat template."""

from __future__ import annotations

import copy
import logging

import pytest

from alignkit.generation.multiturn import (
    PROMPT,
    check_chat_template,
    instruction_turn_ids,
    multiturn_rollout,
)
from alignkit.generation.rollout import GenerationSettings, HFGenerator, chat_prompt_ids

INSTRUCTION = "There might be an error in the solution above. Please correct the error, if any."
QUESTION = "What is 2 + 5?"


class ScriptedGenerator:
    """Returns scripted completions and records what every call was given."""

    def __init__(self, outputs: list[list[tuple[list[int], bool]]]):
        self.settings = GenerationSettings()
        self.outputs = list(outputs)
        self.calls: list[dict] = []

    def generate_ids(self, prompt_ids, n=1, *, temperature=None, max_new_tokens=None, progress=None):
        self.calls.append({"prompt_ids": [list(p) for p in prompt_ids], "n": n, "temperature": temperature})
        return self.outputs.pop(0)


def _ids(tokenizer, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def test_second_context_is_the_sampled_ids_not_a_re_rendering(tokenizer) -> None:
    """A non-canonical split of the first attempt must reach attempt 2 as sampled (re-tokenizing would merge it)."""
    eos = tokenizer.eos_token_id
    y1 = [i for ch in "2 + 5 = 7" for i in _ids(tokenizer, ch)] + [eos]  # one token per character
    assert y1[:-1] != _ids(tokenizer, "2 + 5 = 7")  # really non-canonical
    y2 = _ids(tokenizer, "It is 7.") + [eos]
    gen = ScriptedGenerator([[(y1, False)], [(y2, False)]])
    (r,) = multiturn_rollout(gen, tokenizer, [QUESTION], INSTRUCTION, temperature=0.7)
    prompt = chat_prompt_ids(tokenizer, QUESTION)
    second_context = gen.calls[1]["prompt_ids"][0]
    assert second_context[: len(prompt) + len(y1)] == prompt + y1
    glue = second_context[len(prompt) + len(y1):]
    assert tokenizer.decode(glue) == f"\n<|im_start|>user\n{INSTRUCTION}<|im_end|>\n<|im_start|>assistant\n"
    assert [c["temperature"] for c in gen.calls] == [0.7, 0.7]
    assert r.attempts[0].ids == y1 and r.attempts[1].ids == y2 and r.attempts[1].text == "It is 7."
    rerendered = chat_prompt_ids(tokenizer, [
        {"role": "user", "content": QUESTION}, {"role": "assistant", "content": "2 + 5 = 7"},
        {"role": "user", "content": INSTRUCTION}])
    assert rerendered[: len(prompt)] == prompt and rerendered != second_context  # what re-rendering text would have scored instead


@pytest.mark.parametrize("truncated", [False, True])
def test_ids_equal_the_templates_rendering_of_the_conversation(tokenizer, truncated: bool) -> None:
    """On the embedded model's template, prompt + y₁ + instruction turn == apply_chat_template(conversation)."""
    text = "2 + 5 = 7.\nFinal Answer: The final answer is $7$."
    y1 = _ids(tokenizer, text) + ([] if truncated else [tokenizer.eos_token_id])
    gen = ScriptedGenerator([[(y1, truncated)], [([tokenizer.eos_token_id], False)]])
    (r,) = multiturn_rollout(gen, tokenizer, [QUESTION], INSTRUCTION)
    expected = chat_prompt_ids(tokenizer, [
        {"role": "user", "content": QUESTION}, {"role": "assistant", "content": text},
        {"role": "user", "content": INSTRUCTION}])
    assert gen.calls[1]["prompt_ids"][0] == expected
    assert r.context_ids(1) == expected
    # A truncated attempt gets the end-of-turn token as glue (not model-written), a finished one already has it.
    assert (r.glue[0][0] == tokenizer.eos_token_id) is truncated
    assert check_chat_template(tokenizer, INSTRUCTION) == []


def test_loss_segments_cover_exactly_the_model_written_tokens(tokenizer) -> None:
    eos = tokenizer.eos_token_id
    y1, y2 = _ids(tokenizer, "wrong: 8") + [eos], _ids(tokenizer, "fixed: 7")  # y2 truncated
    gen = ScriptedGenerator([[(y1, False)], [(y2, True)]])
    (r,) = multiturn_rollout(gen, tokenizer, [QUESTION], INSTRUCTION)
    ids, segment = r.sequence()
    assert [t for t, s in zip(ids, segment, strict=True) if s == 0] == y1
    assert [t for t, s in zip(ids, segment, strict=True) if s == 1] == y2
    prompt = chat_prompt_ids(tokenizer, QUESTION)
    turn = instruction_turn_ids(tokenizer, INSTRUCTION)
    assert segment == [PROMPT] * len(prompt) + [0] * len(y1) + [PROMPT] * (len(turn) - 1) + [1] * len(y2)
    assert ids == r.context_ids(1) + y2


def test_n_rollouts_and_three_attempts_continue_their_own_history(tokenizer) -> None:
    eos = tokenizer.eos_token_id
    a = {k: _ids(tokenizer, k) + [eos] for k in ("p0s0", "p0s1", "p1s0", "p1s1")}
    first = [(a["p0s0"], False), (a["p0s1"], False), (a["p1s0"], False), (a["p1s1"], False)]
    second = [([eos], False)] * 4
    third = [([eos], False)] * 4
    gen = ScriptedGenerator([first, second, third])
    rolls = multiturn_rollout(gen, tokenizer, ["Q zero", "Q one"], ["fix 0", "fix 1"], n=2, attempts=3)
    assert [r.prompt_index for r in rolls] == [0, 0, 1, 1]
    assert gen.calls[0]["n"] == 2 and len(gen.calls[0]["prompt_ids"]) == 2  # attempt 1: each prompt once, n samples
    assert len(gen.calls[1]["prompt_ids"]) == 4 and gen.calls[1]["n"] == 1
    for r, ctx, key in zip(rolls, gen.calls[1]["prompt_ids"], ("p0s0", "p0s1", "p1s0", "p1s1"), strict=True):
        assert ctx == chat_prompt_ids(tokenizer, ["Q zero", "Q one"][r.prompt_index]) + a[key] + r.glue[0]
        assert tokenizer.decode(r.glue[0]).count(f"fix {r.prompt_index}") == 1
    assert gen.calls[2]["prompt_ids"][3] == rolls[3].context_ids(2)
    assert len(rolls[3].glue) == 2 and len(rolls[3].attempts) == 3


def test_a_template_that_rewrites_assistant_turns_is_detected_and_warned(tokenizer, caplog) -> None:
    """A Qwen3-like template strips <think> blocks from earlier assistant turns: the check must say so."""
    tok = copy.deepcopy(tokenizer)
    tok.chat_template = tok.chat_template.replace(
        "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}",
        "{% set c = message['content'] %}{% if message['role'] == 'assistant' and '</think>' in c %}"
        "{% set c = c.split('</think>')[-1].lstrip() %}{% endif %}"
        "{{'<|im_start|>' + message['role'] + '\n' + c + '<|im_end|>' + '\n'}}",
    )
    assert tok.chat_template != tokenizer.chat_template
    problems = check_chat_template(tok, INSTRUCTION)
    assert any("rewrites earlier assistant turns" in p for p in problems)
    gen = ScriptedGenerator([[([tok.eos_token_id], False)], [([tok.eos_token_id], False)]])
    with caplog.at_level(logging.WARNING, logger="alignkit.generation.multiturn"):
        multiturn_rollout(gen, tok, [QUESTION], INSTRUCTION)
    assert "rewrites earlier assistant turns" in caplog.text


def test_hf_generator_on_tiny_samples_attempt_two_from_the_built_context(tokenizer, tiny_model) -> None:
    """With a real model (greedy), attempt 2 is what the model generates from prompt + y₁ + instruction turn."""
    settings = GenerationSettings(max_new_tokens=6, temperature=0.0, batch_size=4)
    gen = HFGenerator(tiny_model, tokenizer, settings)
    (r,) = multiturn_rollout(gen, tokenizer, [QUESTION], INSTRUCTION)
    again = gen.generate_ids([r.context_ids(1)], 1, temperature=0.0)[0][0]
    assert r.attempts[1].ids == again
    assert r.context_ids(1)[: len(r.prompt_ids) + len(r.attempts[0].ids)] == r.prompt_ids + r.attempts[0].ids
