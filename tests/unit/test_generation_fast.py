"""The continuous-batching generator (``generation.backend=fast``) against HF ``generate`` and the model itself."""

from __future__ import annotations

import copy
import math

import pytest
import torch

from alignkit.generation.fast import FastGenerator, Request
from alignkit.generation.rollout import (
    GenerationSettings,
    HFGenerator,
    chat_prompt_ids,
    make_generator,
    rollout,
)

PROMPTS = ["Hello there", "Write a python function that adds two numbers, please.", "x",
           "What is 2+2? Explain in detail with many words, step by step."]


def _scrambled(model, std: float = 0.3, seed: int = 0):
    """Re-draw the weights with a larger spread: a random tiny model then writes varied, peaked text (at init it
    repeats one token, which would make every comparison below trivially equal)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 2:
                p.normal_(0, std, generator=g)
    return model.eval()


@pytest.fixture()
def model(tokenizer):
    from alignkit.models.loading import build_tiny

    return _scrambled(build_tiny(tokenizer))


@pytest.fixture()
def prompt_ids(tokenizer):
    return [chat_prompt_ids(tokenizer, p) for p in PROMPTS]


def _settings(**kw):
    base = dict(backend="fast", max_new_tokens=24, temperature=0.0, batch_size=3)
    return GenerationSettings(**(base | kw))


def _other_arch(kind: str, tokenizer):
    """A tiny random model of another supported architecture (its attention code differs from Llama's)."""
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = AutoConfig.for_model(kind, vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128,
                               num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                               max_position_embeddings=512, eos_token_id=tokenizer.eos_token_id,
                               pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True)
    torch.manual_seed(0)
    return _scrambled(AutoModelForCausalLM.from_config(cfg), seed=1)


# ---------------------------------------------------------------------------------------------------- greedy identity
@pytest.mark.parametrize("hf_batch", [1, 4])
def test_greedy_tokens_equal_hf_generate(model, tokenizer, prompt_ids, hf_batch):
    """Catches wrong per-row positions, keys written to the wrong row/position, a mask off by one, rows mixed up
    when a finished row is replaced or the live rows are packed: any of them changes the greedy tokens."""
    hf = HFGenerator(model, tokenizer, _settings(backend="hf", batch_size=hf_batch))
    fast = FastGenerator(model, tokenizer, _settings(batch_size=3))  # 8 samples through 3 slots
    expected = hf.generate_ids(prompt_ids, 2)
    got = fast.generate_ids(prompt_ids, 2)
    assert got == expected
    assert len({tuple(ids) for ids, _ in got}) >= 4  # the comparison is not between identical rows


@pytest.mark.parametrize("kind", ["qwen2", "mistral"])
def test_greedy_tokens_equal_hf_generate_other_architectures(kind, tokenizer, prompt_ids):
    """Qwen2 (q/k/v biases) and Mistral run through the same engine: catches Llama-only assumptions."""
    m = _other_arch(kind, tokenizer)
    expected = HFGenerator(m, tokenizer, _settings(backend="hf", batch_size=4)).generate_ids(prompt_ids)
    assert FastGenerator(m, tokenizer, _settings(batch_size=2)).generate_ids(prompt_ids) == expected


def test_end_of_sequence_ends_a_sample_like_generate(model, tokenizer, prompt_ids):
    """A token declared end-of-sequence (generation_config) ends the sample and is kept, as in ``generate``."""
    free = FastGenerator(model, tokenizer, _settings()).generate_ids(prompt_ids[:1])[0][0]
    model.generation_config.eos_token_id = [tokenizer.eos_token_id, free[5]]
    cut = free.index(free[5]) + 1
    hf = HFGenerator(model, tokenizer, _settings(backend="hf", batch_size=1)).generate_ids(prompt_ids[:1])
    fast = FastGenerator(model, tokenizer, _settings()).generate_ids(prompt_ids[:1])
    assert fast == hf == [(free[:cut], False)]


# ---------------------------------------------------------------------------------------------------- sampling
def _exact_joint(model, prompt: list[int], temperature: float, top_k: int) -> dict[tuple[int, int], float]:
    """P(t1, t2 | prompt) under temperature and top-k, from full forward passes (no cache, no engine)."""
    def dist(ids):
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0, -1].float() / temperature
        top = torch.topk(logits, top_k)
        return dict(zip(top.indices.tolist(), top.values.softmax(-1).tolist(), strict=True))

    joint = {}
    for t1, p1 in dist(prompt).items():
        for t2, p2 in dist(prompt + [t1]).items():
            joint[(t1, t2)] = p1 * p2
    return joint


def _chi2_pvalue(counts: dict, probs: dict, n: int) -> float:
    """Pearson's chi-square goodness of fit, cells with expectation < 5 pooled (Wilson-Hilferty for the tail)."""
    stat, dof, pool_o, pool_e = 0.0, -1, 0, 0.0
    for cell, p in probs.items():
        e, o = n * p, counts.get(cell, 0)
        if e < 5:
            pool_o, pool_e = pool_o + o, pool_e + e
            continue
        stat, dof = stat + (o - e) ** 2 / e, dof + 1
    outside = n - sum(counts.get(c, 0) for c in probs)  # samples the distribution gives probability 0
    if outside:
        return 0.0
    if pool_e > 0:
        stat, dof = stat + (pool_o - pool_e) ** 2 / pool_e, dof + 1
    z = ((stat / dof) ** (1 / 3) - (1 - 2 / (9 * dof))) / math.sqrt(2 / (9 * dof))
    return 0.5 * math.erfc(z / math.sqrt(2))


def test_sampled_pairs_follow_the_model_distribution(tokenizer):
    """3000 two-token samples of one prompt (one shared prefill, 64 slots) against the exact joint distribution.

    Catches: temperature or top-k not applied, the first token of every sample copied from one draw (shared
    prefill), the second token drawn with a stale cache. The same counts must be rejected against the T=1
    distribution, so the test has the power to fail."""
    from alignkit.models.loading import build_tiny

    m = _scrambled(build_tiny(tokenizer), std=0.06, seed=3)
    prompt = chat_prompt_ids(tokenizer, "Say something.")
    t, k, n = 0.7, 6, 3000
    torch.manual_seed(0)
    gen = FastGenerator(m, tokenizer, _settings(max_new_tokens=2, temperature=t, top_k=k, batch_size=64))
    counts: dict[tuple[int, int], int] = {}
    for ids, _ in gen.generate_ids([prompt], n):
        counts[tuple(ids)] = counts.get(tuple(ids), 0) + 1
    exact = _exact_joint(m, prompt, t, k)
    assert max(exact.values()) > 3 * min(exact.values())  # temperature changes this distribution noticeably
    assert _chi2_pvalue(counts, exact, n) > 1e-3
    assert _chi2_pvalue(counts, _exact_joint(m, prompt, 1.0, k), n) < 1e-3


def test_top_p_keeps_the_nucleus_only(model, tokenizer, prompt_ids):
    """With top_p the first token is always inside the smallest set reaching p (catches a reversed filter)."""
    with torch.no_grad():
        probs = model(torch.tensor([prompt_ids[0]])).logits[0, -1].softmax(-1)
    order = probs.argsort(descending=True)
    nucleus = set(order[: int((probs[order].cumsum(0) < 0.5).sum()) + 1].tolist())
    gen = FastGenerator(model, tokenizer, _settings(max_new_tokens=1, temperature=1.0, top_p=0.5, batch_size=16))
    firsts = {ids[0] for ids, _ in gen.generate_ids(prompt_ids[:1], 200)}
    assert firsts <= nucleus and len(nucleus) > 1


# ---------------------------------------------------------------------------------------------------- scheduling
def test_a_sample_that_finishes_early_frees_its_slot(model, tokenizer, prompt_ids):
    """2 slots, three prompts of 2, 12 and 12 tokens: the third starts when the first ends, so the batch takes 12
    decode steps (the first token of each sample comes from its prefill); static batches would take 11 + 11."""
    gen = FastGenerator(model, tokenizer, _settings(batch_size=2))
    reqs = [Request(prompt_ids[0], max_new_tokens=2), Request(prompt_ids[1], max_new_tokens=12),
            Request(prompt_ids[2], max_new_tokens=12)]
    outs = gen.generate(reqs)
    assert [len(o[0].ids) for o in outs] == [2, 12, 12]
    assert gen.last_stats["decode_steps"] == 12
    # the late prompt's tokens are the ones it gets alone
    alone = FastGenerator(model, tokenizer, _settings(batch_size=1)).generate([reqs[2]])
    assert outs[2][0].ids == alone[0][0].ids


def test_samples_of_one_prompt_share_one_prefill(model, tokenizer, prompt_ids):
    gen = FastGenerator(model, tokenizer, _settings(max_new_tokens=3, temperature=1.0, batch_size=4))
    gen.generate_ids(prompt_ids[:2], 5)
    assert gen.last_stats["prefill_tokens"] == len(prompt_ids[0]) + len(prompt_ids[1])


def test_max_new_tokens_and_stop_strings_per_request(model, tokenizer, prompt_ids):
    gen = FastGenerator(model, tokenizer, _settings(max_new_tokens=20))
    free = [o[0].ids for o in gen.generate([Request(p) for p in prompt_ids[:3]])]
    # a stop string that the second prompt's greedy text contains, made of the text of its tokens 6-7
    stop = tokenizer.decode(free[1][6:8], skip_special_tokens=True)
    assert stop.strip() and stop not in tokenizer.decode(free[1][:7], skip_special_tokens=True)
    outs = gen.generate([Request(prompt_ids[0], max_new_tokens=3), Request(prompt_ids[1], stop=[stop]),
                         Request(prompt_ids[2], max_new_tokens=7)])
    assert outs[0][0].ids == free[0][:3] and outs[0][0].finish_reason == "length"
    assert outs[1][0].ids == free[1][:8] and outs[1][0].finish_reason == "stop"  # ends on the completing token
    assert outs[2][0].ids == free[2][:7] and outs[2][0].truncated


def test_rollout_cuts_the_text_at_the_stop_string(model, tokenizer):
    gen = make_generator(model, tokenizer, _settings(max_new_tokens=20))
    free = rollout(gen, tokenizer, ["Hello there"])[0]
    stop = tokenizer.decode(free.completion_ids[6:8], skip_special_tokens=True)
    gen.settings.stop = [stop]
    r = rollout(gen, tokenizer, ["Hello there"])[0]
    assert r.completion_ids == free.completion_ids[:8] and not r.truncated
    assert stop not in r.text and free.text.startswith(r.text)


def test_call_settings_do_not_leak_into_later_calls(model, tokenizer, prompt_ids):
    """A sampled call with its own temperature/top-k/top-p/length/stop, then the defaults again: greedy, full
    length, no stop. Catches overrides stored on the generator, its settings or the model's generation_config."""
    s = _settings(max_new_tokens=10)
    gen = FastGenerator(model, tokenizer, s)
    before = gen.generate_ids(prompt_ids)
    cfg_before = model.generation_config.to_dict()
    gen.generate_ids(prompt_ids, 3, temperature=1.5, top_k=5, top_p=0.9, max_new_tokens=2, stop=["e"])
    assert gen.generate_ids(prompt_ids) == before
    assert all(len(ids) == 10 for ids, _ in before)
    assert s == _settings(max_new_tokens=10) and model.generation_config.to_dict() == cfg_before


# ---------------------------------------------------------------------------------------------------- weights
def test_bf16_generation_follows_the_trained_weights(model, tokenizer, prompt_ids):
    """The bf16 copy is refreshed from the fp32 policy at every call (a stale copy would sample an old policy),
    and the policy itself stays fp32."""
    gen = FastGenerator(model, tokenizer, _settings(dtype="bfloat16"))
    first = gen.generate_ids(prompt_ids)
    _scrambled(model, seed=7)  # an "optimizer step" that changes every weight
    second = gen.generate_ids(prompt_ids)
    reference = copy.deepcopy(model).to(torch.bfloat16)
    assert second == FastGenerator(reference, tokenizer, _settings()).generate_ids(prompt_ids)
    assert second != first
    assert next(model.parameters()).dtype == torch.float32


def test_training_mode_is_restored(model, tokenizer, prompt_ids):
    model.train()
    FastGenerator(model, tokenizer, _settings(max_new_tokens=2)).generate_ids(prompt_ids[:1])
    assert model.training


# ---------------------------------------------------------------------------------------------------- selection
def test_make_generator_backends(model, tokenizer):
    from alignkit.errors import ConfigError

    assert isinstance(make_generator(model, tokenizer, _settings(backend="auto")), FastGenerator)
    # issue 16: the fast path is the default on CPU (GenerationSettings and recipes/generation/cpu.yaml)
    assert isinstance(make_generator(model, tokenizer, GenerationSettings()), FastGenerator)
    from omegaconf import OmegaConf

    from alignkit.config import builtin_recipes_dir

    assert OmegaConf.load(builtin_recipes_dir() / "generation" / "cpu.yaml").backend == "auto"
    assert isinstance(make_generator(model, tokenizer, _settings(backend="hf")), HFGenerator)
    gpt2_like = copy.deepcopy(model)
    gpt2_like.config.model_type = "gpt2"
    assert isinstance(make_generator(gpt2_like, tokenizer, _settings(backend="auto")), HFGenerator)
    with pytest.raises(ConfigError, match="backend=fast cannot run"):
        make_generator(gpt2_like, tokenizer, _settings(backend="fast"))
    with pytest.raises(ConfigError, match="backend='turbo'"):
        make_generator(model, tokenizer, _settings(backend="turbo"))
    with pytest.raises(ConfigError, match="generation.dtype"):
        make_generator(model, tokenizer, _settings(dtype="int8"))


@pytest.mark.slow
def test_greedy_tokens_equal_hf_generate_on_the_embedded_model():
    """The embedded model in fp32, 8 HumanEval chat prompts, 160 new tokens, 4 slots (rows are replaced and
    packed during the run), against HF generate at batch 8 (left-padded, as eval ran before)."""
    from alignkit.eval.tasks.humaneval import HumanEval
    from alignkit.models import load_model, load_tokenizer

    tok = load_tokenizer("smollm2-135m-instruct")
    m = load_model("smollm2-135m-instruct", trainable=False, dtype="float32", device="cpu")
    task = HumanEval()
    ids = [chat_prompt_ids(tok, task.prompt(doc)) for doc in task.load()[:8]]
    settings = dict(max_new_tokens=160, temperature=0.0)
    expected = HFGenerator(m, tok, _settings(backend="hf", batch_size=8, **settings)).generate_ids(ids)
    got = FastGenerator(m, tok, _settings(batch_size=4, **settings)).generate_ids(ids)
    assert got == expected
