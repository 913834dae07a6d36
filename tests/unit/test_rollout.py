"""generation/rollout.py: per-call sampling settings (vLLM and HF), EOS trimming, stop strings, prompt order."""

from __future__ import annotations

import pytest
import torch

from alignkit.errors import ConfigError
from alignkit.generation import (
    GenerationSettings,
    HFGenerator,
    VLLMGenerator,
    chat_prompt_ids,
    make_generator,
    rollout,
)
from alignkit.generation.rollout import _trim


class FakeVLLM:
    """Stands in for TRL's VLLMGeneration: records the sampling attributes each ``generate`` call saw."""

    instances: list[FakeVLLM] = []

    def __init__(self, model, accelerator, tokenizer, *, temperature, top_p, top_k, max_completion_length, **kw):
        self.temperature, self.top_p, self.top_k = temperature, top_p, top_k
        self.max_completion_length = max_completion_length
        self.calls: list[dict] = []
        self.fail_next = False
        FakeVLLM.instances.append(self)

    def generate(self, prompts, images, num_generations):
        self.calls.append({"temperature": self.temperature, "max": self.max_completion_length, "n": len(prompts)})
        if self.fail_next:
            raise RuntimeError("engine died")
        return prompts, [[7] * self.max_completion_length for _ in prompts], None, None


@pytest.fixture()
def vllm(monkeypatch, tokenizer):
    import trl.generation.vllm_generation as vg

    monkeypatch.setattr(vg, "VLLMGeneration", FakeVLLM)
    settings = GenerationSettings(backend="vllm", temperature=1.0, max_new_tokens=6)
    gen = VLLMGenerator(None, tokenizer, settings, accelerator=None)
    return gen, FakeVLLM.instances[-1]


def test_vllm_sampling_settings_do_not_leak_between_calls(vllm):
    """Defect 1: the greedy ȳ draw (T=0) left every later rollout at T≈0 (K near-identical samples)."""
    gen, engine = vllm
    gen.generate_ids([[1, 2]], 1, temperature=0.0, max_new_tokens=3)  # ȳ: greedy, short
    gen.generate_ids([[1, 2]], 4)  # a rollout with the recipe's settings
    gen.generate_ids([[1, 2]], 2, temperature=0.7)
    assert [c["temperature"] for c in engine.calls] == [0.0, 1.0, 0.7]
    assert [c["max"] for c in engine.calls] == [3, 6, 6]
    assert [c["n"] for c in engine.calls] == [1, 4, 2]


def test_vllm_settings_are_restored_when_generation_fails(vllm):
    gen, engine = vllm
    engine.fail_next = True
    with pytest.raises(RuntimeError):
        gen.generate_ids([[1]], 1, temperature=0.0, max_new_tokens=2)
    engine.fail_next = False
    gen.generate_ids([[1]], 1)
    assert engine.calls[-1]["temperature"] == 1.0 and engine.calls[-1]["max"] == 6


def test_vllm_marks_a_completion_without_eos_as_truncated(vllm, tokenizer):
    gen, _ = vllm
    (ids, truncated), = gen.generate_ids([[1]], 1, max_new_tokens=2)
    assert ids == [7, 7] and truncated


def test_trim_keeps_the_first_eos_and_cuts_the_rest():
    assert _trim([5, 6, 2, 9, 2], [2], 0) == ([5, 6, 2], True)
    assert _trim([5, 6, 7], [2], 0) == ([5, 6, 7], False)


def test_chat_prompt_ids_end_with_the_assistant_header_and_carry_the_system_prompt(tokenizer):
    plain = chat_prompt_ids(tokenizer, "What is 2+2?")
    text = tokenizer.decode(plain)
    assert "What is 2+2?" in text and text.rstrip().endswith("assistant")
    with_system = tokenizer.decode(chat_prompt_ids(tokenizer, "What is 2+2?", system_prompt="Be terse."))
    assert "Be terse." in with_system and "Be terse." not in text


def test_make_generator_rejects_an_unknown_backend(tokenizer):
    with pytest.raises(ConfigError, match="generation.backend"):
        make_generator(None, tokenizer, GenerationSettings(backend="tgi"))


def test_hf_greedy_is_the_same_alone_and_left_padded_in_a_batch(tokenizer, tiny_model):
    """Left padding (and the attention mask / positions that go with it) must not change what a prompt gets."""
    gen = HFGenerator(tiny_model, tokenizer, GenerationSettings(max_new_tokens=6, temperature=0.0, batch_size=8))
    short, long = chat_prompt_ids(tokenizer, "Hi"), chat_prompt_ids(tokenizer, "A much longer prompt " * 5)
    together = gen.generate_ids([short, long], 1)
    alone = [gen.generate_ids([p], 1)[0] for p in (short, long)]
    assert together == alone
    assert all(len(ids) <= 6 for ids, _ in together)


def test_hf_per_call_temperature_does_not_change_the_settings(tokenizer, tiny_model):
    gen = HFGenerator(tiny_model, tokenizer, GenerationSettings(max_new_tokens=8, temperature=1.0, batch_size=8))
    prompt = chat_prompt_ids(tokenizer, "Hi")
    greedy = gen.generate_ids([prompt], 3, temperature=0.0)
    assert greedy[0] == greedy[1] == greedy[2]
    torch.manual_seed(0)
    sampled = gen.generate_ids([prompt], 3)  # the settings' T = 1: samples differ
    assert len({tuple(ids) for ids, _ in sampled}) > 1
    assert gen.settings.temperature == 1.0


def test_rollout_is_prompt_major_and_cuts_at_stop_strings(tokenizer, tiny_model):
    class Scripted:
        settings = GenerationSettings(stop=["STOP"])

        def generate_ids(self, prompt_ids, n=1, **kw):
            words = ["alpha STOP beta", "gamma"]
            return [(tokenizer(words[j % 2], add_special_tokens=False)["input_ids"], True)
                    for j in range(len(prompt_ids) * n)]

    rolls = rollout(Scripted(), tokenizer, ["p0", "p1"], 2)
    assert [r.prompt_index for r in rolls] == [0, 0, 1, 1]
    assert rolls[0].text.strip() == "alpha" and not rolls[0].truncated  # a stop string is a proper ending
    assert rolls[1].text.strip() == "gamma" and rolls[1].truncated
    assert rolls[2].prompt_ids == chat_prompt_ids(tokenizer, "p1")
