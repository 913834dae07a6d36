"""trainers/common.py: the padded layout, token log-probs against an unpadded forward, schedules, timers."""

from __future__ import annotations

import math
import time

import pytest
import torch

from alignkit.trainers.common import (
    StepTimer,
    completion_mask,
    linear_warmup_schedule,
    masked_mean,
    pad_pairs,
    sequence_logprobs,
    token_logprobs,
)


def test_pad_pairs_left_pads_prompts_right_pads_completions_and_counts_positions():
    b = pad_pairs([[5, 6, 7], [8]], [[9], [10, 11]], pad_id=0)
    assert b.input_ids.tolist() == [[5, 6, 7, 9, 0], [0, 0, 8, 10, 11]]
    assert b.attention_mask.tolist() == [[1, 1, 1, 1, 0], [0, 0, 1, 1, 1]]
    assert b.position_ids[1, 2:].tolist() == [0, 1, 2]  # positions count real tokens, as generate does
    assert b.completion_ids.tolist() == [[9, 0], [10, 11]]
    assert b.completion_mask.tolist() == [[1.0, 0.0], [1.0, 1.0]]
    empty = pad_pairs([[1]], [[]], pad_id=0)
    assert empty.completion_mask.tolist() == [[0.0]]  # an empty completion keeps a valid shape, all masked
    with pytest.raises(ValueError):
        pad_pairs([[1]], [], pad_id=0)


def test_completion_mask_and_masked_mean():
    assert completion_mask([2, 0, 3]).tolist() == [[1, 1, 0], [0, 0, 0], [1, 1, 1]]
    v = torch.tensor([[1.0, 3.0, 100.0], [2.0, 0.0, 0.0]])
    m = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    assert masked_mean(v, m).item() == pytest.approx(2.0)
    assert masked_mean(v, m, dim=1).tolist() == pytest.approx([2.0, 2.0])
    assert masked_mean(v, torch.zeros_like(m)).item() == 0.0


def test_token_logprobs_match_an_unpadded_forward_in_a_mixed_batch(tiny_model):
    prompts, completions = [[11, 12, 13, 14], [21]], [[31, 32], [41, 42, 43]]
    batch = pad_pairs(prompts, completions, pad_id=0)
    with torch.no_grad():
        got = token_logprobs(tiny_model, batch, temperature=0.5)
        for i, (p, c) in enumerate(zip(prompts, completions, strict=True)):
            ids = torch.tensor([p + c])
            logits = tiny_model(input_ids=ids).logits[0, len(p) - 1:-1] / 0.5
            want = torch.log_softmax(logits.float(), -1).gather(-1, torch.tensor(c)[:, None])[:, 0]
            assert torch.allclose(got[i, :len(c)], want, atol=1e-5)
            assert got[i, len(c):].abs().sum() == 0


def test_sequence_logprobs_is_the_same_whole_or_in_micro_batches(tiny_model):
    prompts = [[11, 12], [13], [14, 15, 16]]
    completions = [[20, 21, 22], [23], [24, 25]]
    with torch.no_grad():
        whole = sequence_logprobs(tiny_model, prompts, completions, pad_id=0)
        split = sequence_logprobs(tiny_model, prompts, completions, pad_id=0, micro_batch_size=1)
    assert whole.shape == (3,) and torch.allclose(whole, split, atol=1e-5)
    assert (whole < 0).all()


def test_warmup_then_linear_and_cosine_decay():
    def factors(kind):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        sched = linear_warmup_schedule(opt, warmup_steps=2, total_steps=6, kind=kind)
        out = []
        for _ in range(6):
            out.append(sched.get_last_lr()[0])
            opt.step()
            sched.step()
        return out

    assert factors("constant") == pytest.approx([0.5, 1.0, 1.0, 1.0, 1.0, 1.0])
    assert factors("linear") == pytest.approx([0.5, 1.0, 1.0, 0.75, 0.5, 0.25])
    cos = factors("cosine")
    assert cos[:3] == pytest.approx([0.5, 1.0, 1.0]) and cos[4] == pytest.approx(0.5 * (1 + math.cos(math.pi / 2)))
    with pytest.raises(ValueError):
        factors("step")


def test_step_timer_accumulates_per_phase_and_resets():
    timer = StepTimer(sync_cuda=False)
    for _ in range(2):
        with timer("a"):
            time.sleep(0.01)
    with timer("b"):
        pass
    totals = timer.reset()
    assert totals["a"] >= 0.02 and totals["b"] < totals["a"]
    assert timer.reset() == {}


def test_torch_threads_gives_the_callers_thread_count_back():
    import torch

    from alignkit.trainers.common import torch_threads

    before = torch.get_num_threads()
    other = 1 if before != 1 else 2
    with torch_threads(other):
        assert torch.get_num_threads() == other
    assert torch.get_num_threads() == before
    try:
        with torch_threads(other):
            raise RuntimeError("the block failed")
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before  # restored on error too
    with torch_threads(None):
        assert torch.get_num_threads() == before
