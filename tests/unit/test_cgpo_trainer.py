"""The CGPO trainer's update on the tiny model with a scripted generator, judges and reward.

Checks Algorithm 2's gradient combination Σ ρ_l g_l, that the micro-batched two-pass gradient equals the
single-pass one, and that CRRAFT/CODPO train only on the responses their rules allow.
"""

from __future__ import annotations

import copy
import os
from dataclasses import replace
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from alignkit.generation import GenerationSettings  # noqa: E402
from alignkit.judges import Judge, JudgeVerdict, MixtureOfJudges  # noqa: E402
from alignkit.trainers.cgpo import CGPOTrainer, Task, TaskConfig  # noqa: E402
from alignkit.trainers.engine import RLTrainerConfig  # noqa: E402


class ScriptedGenerator:
    """Returns the same K completions for a prompt every time: sample s is 'yes' or 'no' repeated."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.settings = GenerationSettings(max_new_tokens=16, temperature=1.0)

    def generate_ids(self, prompt_ids, n=1, *, temperature=None, max_new_tokens=None, progress=None):
        out = []
        for ids in prompt_ids:
            for s in range(n):
                word = "yes" if (s + len(ids)) % 2 == 0 else "no"
                text = " ".join([word] * (s + 1))
                out.append((self.tokenizer(text, add_special_tokens=False)["input_ids"] + [self.tokenizer.eos_token_id],
                            False))
        return out


class SaysYes(Judge):
    default_name = "says_yes"

    def judge(self, prompts, responses, metadata=None):
        return [JudgeVerdict.ok() if "yes" in r else JudgeVerdict.violated("no yes") for r in responses]


def length_reward(prompts, completions, metadata=None, **kw):
    """Longer is better; 'no' answers get a large reward, to tempt an unconstrained optimizer."""
    return [len(c.split()) + (5.0 if "no" in c else 0.0) for c in completions]


RECORDS = [
    {"id": f"t-{i}", "task": "toy", "prompt": f"Question number {i}: say yes?" + " please" * i, "metadata": {},
     "reference": "yes yes"}
    for i in range(4)
]


@pytest.fixture(scope="module")
def parts():
    from alignkit.models import load_model, load_tokenizer

    tok = load_tokenizer("tiny")
    return tok, load_model("tiny", device="cpu")


def make_trainer(parts, tmp_path: Path, task_cfgs: dict[str, TaskConfig], **trainer_kw) -> CGPOTrainer:
    from accelerate import Accelerator

    tok, base = parts
    model = copy.deepcopy(base)
    ref = copy.deepcopy(base).eval().requires_grad_(False)
    tasks = [Task(name, cfg, RECORDS, length_reward, MixtureOfJudges([SaysYes()]), seed=0)
             for name, cfg in task_cfgs.items()]
    cfg = replace(RLTrainerConfig(), max_grad_norm=0.0, learning_rate=1e-3, progress=False, save_model=False,
                  **trainer_kw)
    return CGPOTrainer(accelerator=Accelerator(cpu=True), model=model, ref_model=ref, tokenizer=tok,
                       generator=ScriptedGenerator(tok), tasks=tasks, trainer_cfg=cfg, run_dir=tmp_path)


def step_grads(trainer: CGPOTrainer) -> tuple[torch.Tensor, dict]:
    """Run one train_step and return the flat gradient that the optimizer step saw."""
    seen = {}
    real_step = trainer.optimizer.step

    def capture(*a, **kw):
        seen["g"] = torch.cat([p.grad.detach().flatten().clone() if p.grad is not None else torch.zeros(p.numel())
                               for p in trainer.model.parameters()])
        return real_step(*a, **kw)

    trainer.optimizer.step = capture
    trainer.prepare_baselines()
    metrics = trainer.train_step(0)
    return seen["g"], metrics


def task(optimizer: str, weight: float = 1.0, **kw) -> TaskConfig:
    return TaskConfig(optimizer=optimizer, weight=weight, num_samples=4, prompts_per_step=2, kl_max=5.0, **kw)


def test_two_tasks_combine_gradients_with_their_weights(parts, tmp_path):
    g1, _ = step_grads(make_trainer(parts, tmp_path / "a", {"a": task("crpg")}))
    g2, _ = step_grads(make_trainer(parts, tmp_path / "b", {"b": task("crraft")}))
    both, metrics = step_grads(make_trainer(parts, tmp_path / "ab", {"a": task("crpg", 0.3),
                                                                      "b": task("crraft", 2.0)}))
    assert g1.abs().sum() > 0 and g2.abs().sum() > 0
    assert torch.allclose(both, 0.3 * g1 + 2.0 * g2, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("optimizer", ["crpg", "codpo", "crraft"])
def test_micro_batched_gradient_equals_single_pass(parts, tmp_path, optimizer):
    whole, m1 = step_grads(make_trainer(parts, tmp_path / "one", {"t": task(optimizer)}, micro_batch_size=64))
    split, m2 = step_grads(make_trainer(parts, tmp_path / "many", {"t": task(optimizer)}, micro_batch_size=1))
    assert whole.abs().sum() > 0
    assert torch.allclose(whole, split, atol=1e-6, rtol=1e-4)
    assert m1["t/loss"] == pytest.approx(m2["t/loss"], rel=1e-4, abs=1e-6)


def test_crraft_and_codpo_train_only_on_allowed_responses(parts, tmp_path):
    trainer = make_trainer(parts, tmp_path, {"r": task("crraft"), "d": task("codpo", beta=0.1)})
    trainer.prepare_baselines()
    batches = [trainer.collect(t, 0) for t in trainer.tasks]
    tok = parts[0]
    crraft_texts = [tok.decode(s.completion_ids, skip_special_tokens=True) for s in batches[0].objective.samples]
    assert crraft_texts and all("yes" in t for t in crraft_texts)  # never a violating ("no") answer
    codpo = batches[1].objective.samples
    n = len(codpo) // 2
    chosen = [tok.decode(s.completion_ids, skip_special_tokens=True) for s in codpo[:n]]
    rejected = [tok.decode(s.completion_ids, skip_special_tokens=True) for s in codpo[n:]]
    assert n > 0 and all("yes" in t for t in chosen) and all("no" in t for t in rejected)


def test_metrics_cover_every_phase_and_judge(parts, tmp_path):
    _, metrics = step_grads(make_trainer(parts, tmp_path, {"t": task("crpg")}))
    for key in ("reward_mean", "calibrated_reward_mean", "satisfied_rate", "skipped_prompt_rate", "kl_mean",
                "response_length_mean", "loss", "judge/says_yes/violation_rate", "judge/says_yes/failure_rate",
                "time/generation", "time/judging", "time/reward", "time/update"):
        assert f"t/{key}" in metrics, key
    assert 0.0 < metrics["t/satisfied_rate"] < 1.0
    assert metrics["t/satisfied_rate"] + metrics["t/judge/says_yes/violation_rate"] == pytest.approx(1.0)
    assert abs(metrics["t/kl_mean"]) < 1e-4  # first step: π = π_ref


def test_crpg_scores_log_probs_at_the_sampling_temperature(parts, tmp_path):
    from alignkit.trainers.common import sequence_logprobs

    trainer = make_trainer(parts, tmp_path / "t", {"c": task("crpg", temperature=0.5), "d": task("codpo")},
                           micro_batch_size=1)  # two-pass: policy log-probs are computed in _collect
    trainer.prepare_baselines()
    crpg, codpo = (trainer.collect(t, 0) for t in trainer.tasks)
    assert crpg.objective.temperature == 0.5 and codpo.objective.temperature == 1.0
    prompt_ids = [s.prompt_ids for s in crpg.samples]
    completion_ids = [s.completion_ids for s in crpg.samples]
    at = {t: sequence_logprobs(trainer.model, prompt_ids, completion_ids, pad_id=trainer.pad_id,
                               temperature=t).detach() for t in (0.5, 1.0)}
    assert not torch.allclose(at[0.5], at[1.0], atol=1e-3)
    assert torch.allclose(crpg.ref_logps, at[0.5], atol=1e-4)  # π_ref at the same T: KL starts at 0
    trainer.update([crpg.objective, codpo.objective])
    assert torch.allclose(crpg.policy_logps, at[0.5], atol=1e-4)  # what the loss saw
    # The fused single-pass gradient uses the same T as the two-pass one.
    split, m1 = step_grads(make_trainer(parts, tmp_path / "s", {"c": task("crpg", temperature=0.5)},
                                        micro_batch_size=1))
    whole, m2 = step_grads(make_trainer(parts, tmp_path / "w", {"c": task("crpg", temperature=0.5)},
                                        micro_batch_size=64))
    assert whole.abs().sum() > 0 and torch.allclose(whole, split, atol=1e-6, rtol=1e-4)
