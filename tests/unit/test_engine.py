"""The RL engine: scoring multi-segment samples and the exact micro-batched gradient at every level, against an
independent computation (one unpadded forward per sample, autograd on the loss written out by hand)."""

from __future__ import annotations

import copy
import os
from dataclasses import replace

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from alignkit.trainers.engine import (  # noqa: E402
    LogProbs,
    Objective,
    PromptOrder,
    RLEngine,
    RLTrainerConfig,
    Sample,
    Segment,
    disable_dropout,
)


@pytest.fixture(scope="module")
def parts():
    from alignkit.models import load_model, load_tokenizer

    return load_tokenizer("tiny"), load_model("tiny", device="cpu")


def make_engine(parts, tmp_path, **cfg) -> RLEngine:
    from accelerate import Accelerator

    tok, base = parts
    trainer_cfg = replace(RLTrainerConfig(), max_grad_norm=0.0, learning_rate=1e-3, progress=False, **cfg)
    return RLEngine(accelerator=Accelerator(cpu=True), model=copy.deepcopy(base),
                    ref_model=copy.deepcopy(base).eval().requires_grad_(False), tokenizer=tok, generator=None,
                    trainer_cfg=trainer_cfg, run_dir=tmp_path)


def samples() -> list[Sample]:
    """Two-attempt samples: attempt 1 (KL weight 0.5), a masked instruction turn, attempt 2 (KL weight 2)."""
    g = torch.Generator().manual_seed(0)

    def ids(n):
        return torch.randint(5, 400, (n,), generator=g).tolist()

    return [Sample(ids(3 + i), [Segment(ids(2 + i), kl_weight=0.5), Segment(ids(3), train=False, kl_weight=0.0),
                                Segment(ids(4 - i), kl_weight=2.0)]) for i in range(3)]


def direct_token_logps(model, sample: Sample, temperature: float = 1.0) -> torch.Tensor:
    """log π of every completion token from one unpadded forward pass (gradient kept)."""
    ids = torch.tensor([sample.prompt_ids + sample.completion_ids])
    logits = model(input_ids=ids).logits[0, :-1] / temperature
    logps = torch.log_softmax(logits.float(), -1).gather(-1, ids[0, 1:, None])[:, 0]
    return logps[len(sample.prompt_ids) - 1:]


def flat_grad(model) -> torch.Tensor:
    return torch.cat([p.grad.flatten() if p.grad is not None else torch.zeros(p.numel())
                      for p in model.parameters()])


def assert_same_gradient(got: torch.Tensor, want: torch.Tensor) -> None:
    """Equal up to fp32 summation order (micro-batches and padding change it; so does the thread count): the
    difference is within 1e-5 of the gradient's norm, element by element and as a whole. A wrong term (a missing
    mask, KL weight or coefficient) moves the gradient by percents."""
    scale = float(want.norm())
    assert scale > 0
    diff = (got - want).abs()
    assert float(diff.norm()) <= 1e-5 * scale, (float(diff.norm()), scale)
    assert float(diff.max()) <= 1e-5 * float(want.abs().max()), (float(diff.max()), float(want.abs().max()))


def engine_grad(engine: RLEngine, objectives) -> tuple[torch.Tensor, list[float]]:
    seen = {}
    real = engine.optimizer.step

    def capture(*a, **kw):
        seen["g"] = flat_grad(engine.model).clone()
        return real(*a, **kw)

    engine.optimizer.step = capture
    result = engine.update(objectives)
    return seen["g"], result.losses


def test_score_lines_up_tokens_segments_and_masks_with_a_plain_forward(parts, tmp_path):
    engine = make_engine(parts, tmp_path, micro_batch_size=2)
    batch = samples()
    got = engine.score(batch, temperature=0.7)
    for i, s in enumerate(batch):
        want = direct_token_logps(engine.model, s, 0.7).detach()
        n = len(s)
        assert torch.allclose(got.tokens[i, :n], want, atol=1e-5)
        assert got.tokens[i, n:].abs().sum() == 0  # padding
        a, m, b = (len(seg.ids) for seg in s.segments)
        # log π(y|x) sums the trained tokens only: attempt 1 and attempt 2, not the instruction turn
        assert got.sequence[i] == pytest.approx(float(want[:a].sum() + want[a + m:].sum()), abs=1e-4)
        assert got.segments()[i].tolist() == pytest.approx(
            [float(want[:a].sum()), float(want[a:a + m].sum()), float(want[a + m:].sum())], abs=1e-4)
        assert got.kl_weight[i, :n].tolist() == [0.5] * a + [0.0] * m + [2.0] * b
        assert got.mask[i, :n].tolist() == [1.0] * a + [0.0] * m + [1.0] * b


def per_token_kl_loss(ref: LogProbs):
    """A SCoRe-like token-level loss: Σ kl_weight·k3 over trained tokens + a REINFORCE term, mean over samples."""
    adv = torch.tensor([1.0, -0.5, 0.25])

    def loss(tokens: torch.Tensor) -> torch.Tensor:
        r = ref.tokens.to(tokens.device) - tokens
        k3 = torch.exp(r) - r - 1
        w = (ref.kl_weight * ref.mask).to(tokens.device)
        seq = (tokens * ref.mask.to(tokens.device)).sum(-1)
        return ((w * k3).sum(-1) - adv.to(tokens.device) * seq).mean()

    return loss


@pytest.mark.parametrize("micro_batch_size", [64, 1])
def test_token_level_gradient_equals_autograd_of_the_loss(parts, tmp_path, micro_batch_size):
    engine = make_engine(parts, tmp_path, micro_batch_size=micro_batch_size)
    batch = samples()
    # π ≠ π_ref so that the KL term has a gradient: perturb the reference.
    g = torch.Generator().manual_seed(1)  # seeded: the test sees the same π_ref whatever ran before it
    with torch.no_grad():
        for p in engine.ref_model.parameters():
            p.add_(0.02 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    ref = engine.score(batch, reference=True)
    loss = per_token_kl_loss(ref)
    got, losses = engine_grad(engine, [Objective(batch, loss=loss, level="token", weight=0.7)])
    # Independent: pad the direct per-token log-probs into [N, C] and differentiate the same loss.
    model = copy.deepcopy(parts[1])
    width = ref.tokens.shape[1]
    rows = [torch.nn.functional.pad(direct_token_logps(model, s), (0, width - len(s))) for s in batch]
    want_loss = loss(torch.stack(rows))
    (0.7 * want_loss).backward()
    want = flat_grad(model)
    assert want.abs().sum() > 0
    assert_same_gradient(got, want)
    assert losses[0] == pytest.approx(float(want_loss.detach()), rel=1e-4)


@pytest.mark.parametrize("micro_batch_size", [64, 2])
def test_segment_level_gradient_skips_the_masked_turn(parts, tmp_path, micro_batch_size):
    """A reward per attempt (SCoRe Stage II, γ = 0): c_{i,s} on attempt s. The instruction turn (masked) gets
    no gradient even though the loss weights it."""
    engine = make_engine(parts, tmp_path, micro_batch_size=micro_batch_size)
    batch = samples()
    weights = torch.tensor([[1.0, 5.0, -2.0], [0.5, 5.0, 1.0], [-1.0, 5.0, 0.0]])
    got, _ = engine_grad(engine, [Objective(batch, loss=lambda seg: -(weights.to(seg.device) * seg).sum(),
                                            level="segment")])
    model = copy.deepcopy(parts[1])
    total = 0.0
    for s, w in zip(batch, weights, strict=True):
        tok = direct_token_logps(model, s)
        a, m, _ = (len(seg.ids) for seg in s.segments)
        total = total - (w[0] * tok[:a].sum() + w[2] * tok[a + m:].sum())  # no term for the masked turn
    total.backward()
    assert_same_gradient(got, flat_grad(model))


def test_linear_coefficients_and_empty_objectives(parts, tmp_path):
    """coefficients= is the gradient of Σ c_i ℓ_i; an objective with no samples adds nothing."""
    engine = make_engine(parts, tmp_path, micro_batch_size=2)
    batch = samples()
    c = torch.tensor([0.3, -1.0, 2.0])
    got, losses = engine_grad(engine, [Objective(batch, coefficients=c),
                                       Objective([], loss=lambda lp: lp.sum() * 0.0)])
    model = copy.deepcopy(parts[1])
    seq = []
    for s in batch:
        tok = direct_token_logps(model, s)
        a, m, _ = (len(seg.ids) for seg in s.segments)
        seq.append(tok[:a].sum() + tok[a + m:].sum())  # trained segments only
    seq = torch.stack(seq)
    (c * seq).sum().backward()
    assert_same_gradient(got, flat_grad(model))
    assert losses[0] == pytest.approx(float((c * seq).sum()), rel=1e-4) and losses[1] == 0.0


def test_an_update_moves_the_parameters_down_the_loss(parts, tmp_path):
    engine = make_engine(parts, tmp_path, micro_batch_size=1)
    batch = samples()[:2]
    before = engine.score(batch).sequence
    engine.update([Objective(batch, loss=lambda lp: -lp.mean())])  # maximise log π(y|x)
    after = engine.score(batch).sequence
    assert (after > before).all()
    assert engine.optimizer_steps == 1


def test_dropout_is_off_for_scoring_and_training():
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Dropout(0.5))
    disable_dropout(model)
    model.train()
    x = torch.ones(2, 4)
    assert torch.equal(model(x), model(x))


def test_prompt_order_is_a_per_epoch_permutation_sharded_by_rank():
    order = PromptOrder(6, 4, seed="s")
    seen = order.step(0) + order.step(1) + order.step(2)
    assert sorted(seen[:6]) == list(range(6)) and sorted(seen[6:]) == list(range(6))
    assert order.shard(1, 0, 2) + order.shard(1, 1, 2) == order.step(1)
    assert PromptOrder(6, 4, seed="s").step(2) == order.step(2) and PromptOrder(6, 4, seed="t").step(0) != order.step(0)


class ToyTrainer(RLEngine):
    """Maximises log π of one fixed sample: enough to drive the loop."""

    name = "toy"

    def train_step(self, step):
        batch = samples()[:1]
        result = self.update([Objective(batch, loss=lambda lp: -lp.mean())])
        return {"loss": result.losses[0], "grad_norm": result.grad_norm}


def test_the_loop_evaluates_at_start_every_n_steps_and_end_and_logs_eval_metrics(parts, tmp_path, monkeypatch):
    import json
    import sys
    import types
    from types import SimpleNamespace

    calls = []
    fake = types.ModuleType("alignkit.eval.during_training")

    def evaluate(model, tokenizer, tasks, limit=None, generator=None, max_new_tokens=None):
        calls.append((list(tasks), limit))
        return {**{f"{t}/pass@1": 0.25 * len(calls) for t in tasks}, "problems": 3}  # a bare metric: the only task's

    fake.evaluate = evaluate
    monkeypatch.setitem(sys.modules, "alignkit.eval.during_training", fake)
    from accelerate import Accelerator

    tok, base = parts
    cfg = replace(RLTrainerConfig(), max_steps=5, save_steps=2, save_total_limit=1, save_model=False, progress=False,
                  plot=True)
    trainer = ToyTrainer(accelerator=Accelerator(cpu=True), model=copy.deepcopy(base), ref_model=None, tokenizer=tok,
                         generator=None, trainer_cfg=cfg, run_dir=tmp_path,
                         eval_cfg=SimpleNamespace(tasks=["humaneval"], every=2, limit=3))
    summary = trainer.train()
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    eval_steps = [r["step"] for r in rows if "eval/humaneval/pass@1" in r]
    # the summary holds the first and the last evaluation (the demo prints its held-out pass rate before/after)
    assert summary["eval/humaneval/pass@1 @step 0"] == 0.25 and summary["eval/humaneval/pass@1 @step 5"] == 1.0
    assert not any(k.startswith("time/") for k in summary)
    # trainer.plot: the run's report (alignkit report) with a chart of the eval metric and of the loss
    pngs = sorted(p.name for p in (tmp_path / "report").glob("*.png"))
    assert (tmp_path / "report" / "report.html").is_file() and any("eval" in n for n in pngs), pngs
    assert eval_steps == [0, 2, 4, 5] and calls == [(["humaneval"], 3)] * 4
    assert all(r["eval/humaneval/problems"] == 3 for r in rows if "eval/humaneval/pass@1" in r)
    assert [r["step"] for r in rows if "loss" in r] == [1, 2, 3, 4, 5]
    # one checkpoint kept (save_total_limit=1), named as TRL names them
    assert [p.name for p in (tmp_path / "checkpoints").iterdir() if p.is_dir()] == ["checkpoint-5"]


def test_metrics_go_to_the_report_to_trackers_as_well_as_metrics_jsonl(parts, tmp_path):
    """trainer.report_to: what metrics.jsonl gets, the trackers get (with the same step)."""
    from accelerate import Accelerator
    from accelerate.tracking import GeneralTracker

    class Recorder(GeneralTracker):
        name, requires_logging_directory = "recorder", False
        logged: list = []

        def __init__(self):
            super().__init__()

        @property
        def tracker(self):
            return self

        def store_init_configuration(self, values):
            pass

        def log(self, values, step=None, **kw):
            Recorder.logged.append((step, dict(values)))

    tok, base = parts
    cfg = replace(RLTrainerConfig(), max_steps=2, save_model=False, progress=False)
    trainer = ToyTrainer(accelerator=Accelerator(cpu=True, log_with=[Recorder()]), model=copy.deepcopy(base),
                         ref_model=None, tokenizer=tok, generator=None, trainer_cfg=cfg, run_dir=tmp_path)
    trainer.accelerator.init_trackers("t")
    trainer.train()
    assert [s for s, _ in Recorder.logged] == [1, 2]
    assert all("loss" in v and "grad_norm" in v for _, v in Recorder.logged)


def test_report_to_a_tracker_that_is_not_installed_is_a_config_error(monkeypatch):
    import importlib.util

    from alignkit.errors import ConfigError
    from alignkit.trainers.engine import tracker_names

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name.startswith(("wandb", "tensorb"))
                        else real(name, *a))
    with pytest.raises(ConfigError, match="pip install wandb"):
        tracker_names(["wandb"])
    assert tracker_names(["none"]) == []


def test_deepspeed_takes_max_grad_norm_unless_its_config_sets_clipping():
    from types import SimpleNamespace

    from alignkit.trainers.engine import _deepspeed_clipping

    def accelerator(ds_config):
        return SimpleNamespace(state=SimpleNamespace(deepspeed_plugin=SimpleNamespace(deepspeed_config=ds_config)))

    auto = {"gradient_clipping": "auto"}
    _deepspeed_clipping(accelerator(auto), 0.5)
    assert auto["gradient_clipping"] == 0.5  # accelerate would otherwise fill "auto" with 1.0
    missing: dict = {}
    _deepspeed_clipping(accelerator(missing), 0.0)
    assert missing["gradient_clipping"] == 0.0  # max_grad_norm=0: no clipping, also under DeepSpeed
    fixed = {"gradient_clipping": 2.0}
    _deepspeed_clipping(accelerator(fixed), 0.5)
    assert fixed["gradient_clipping"] == 2.0  # the user's DeepSpeed config wins (and a warning says so)
    _deepspeed_clipping(SimpleNamespace(state=SimpleNamespace(deepspeed_plugin=None)), 1.0)  # not DeepSpeed
