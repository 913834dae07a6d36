"""SCoRe (``score-init``, ``score-rl``): the paper's terms by hand on constructed rollouts, the loss masks, the RLOO
baseline, judge failures, a gradient step on ``tiny`` and starting Stage II from a Stage I run."""

from __future__ import annotations

import copy
import math
import os
from dataclasses import replace

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from alignkit.generation.multiturn import Attempt, MultiTurnRollout  # noqa: E402
from alignkit.generation.rollout import GenerationSettings  # noqa: E402
from alignkit.judges.base import JudgeVerdict  # noqa: E402
from alignkit.trainers.engine import RLTrainerConfig, _token_layout  # noqa: E402
from alignkit.trainers.score import (  # noqa: E402
    ScoreTrainer,
    StageIConfig,
    StageIIConfig,
    attempt_advantages,
    attempt_index,
    attempt_returns,
    kl_per_token,
    kl_weights,
    per_attempt_sums,
    score_loss,
    stage1_rewards,
    stage2_rewards,
    to_sample,
    verdict_rewards,
)

NAN = math.nan


def close(a: torch.Tensor, b) -> bool:
    b = torch.as_tensor(b, dtype=a.dtype)
    return bool(torch.allclose(a, b, atol=1e-6, equal_nan=True))


# ---------------------------------------------------------------------------------------------- the equations


def test_verdicts_become_rewards_and_a_failed_judge_is_nan_not_zero() -> None:
    assert close(verdict_rewards([[1, 0], [-1, 1]]), [[1.0, 0.0], [NAN, 1.0]])


def test_stage2_shaping_bonus_by_hand() -> None:
    """Eq. 4 with α = 10: r̃₁ = r(y₁), r̃₂ = r(y₂) + 10·(r(y₂) − r(y₁)) for each transition."""
    r = verdict_rewards([[0, 1], [1, 0], [1, 1], [0, 0], [-1, 1], [1, -1]])
    assert close(stage2_rewards(r, alpha=10.0), [
        [0, 11],  # i→c: fixed, 1 + 10
        [1, -10],  # c→i: broken, 0 − 10
        [1, 1],  # c→c: no bonus
        [0, 0],  # i→i
        [NAN, NAN],  # r(y₁) unknown: the bonus (so r̃₂) is undefined, left out
        [1, NAN],
    ])


def test_stage1_rewards_only_the_last_attempt() -> None:
    """Eq. 3: maximize r(y₂); attempt 1 gets no reward (its only term is the β₂ KL)."""
    r = verdict_rewards([[1, 0], [0, 1], [-1, 1], [1, -1]])
    assert close(stage1_rewards(r), [[0, 0], [0, 1], [0, 1], [0, NAN]])


def test_gamma_zero_credits_each_attempt_with_its_own_reward() -> None:
    rewards = torch.tensor([[1.0, 11.0], [NAN, 2.0]])
    assert close(attempt_returns(rewards, 0.0), rewards)  # a NaN on attempt 1 does not leak into attempt 2
    assert close(attempt_returns(rewards, 0.5), [[1 + 5.5, 11], [NAN, 2]])


def test_rloo_baseline_against_a_hand_computation() -> None:
    """Leave-one-out over the n = 4 rollouts of each problem, per attempt; an undefined return is no baseline."""
    returns = torch.tensor([[0.0, 1.0], [0.0, 0.0], [1.0, 1.0], [1.0, NAN],  # problem 1
                            [0.0, 3.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])  # problem 2
    adv = attempt_advantages(returns, group_size=4, baseline="rloo")
    # problem 1, attempt 1: returns 0,0,1,1 → A_i = R_i − mean of the other three
    assert close(adv[:4, 0], [0 - 2 / 3, 0 - 2 / 3, 1 - 1 / 3, 1 - 1 / 3])
    # attempt 2: the NaN is left out, so the others' baselines use two rollouts
    assert close(adv[:4, 1], [1 - 0.5, 0 - 1.0, 1 - 0.5, 0.0])
    assert close(adv[4:, 1], [3.0, -1.0, -1.0, -1.0])
    plain = attempt_advantages(returns, group_size=4, baseline="reinforce")
    assert close(plain, torch.nan_to_num(returns, nan=0.0))


def test_kl_weights_per_stage() -> None:
    assert kl_weights(2, stage=1, beta=0.01, beta2=0.1) == [0.1, 0.01]
    assert kl_weights(3, stage=1, beta=0.01, beta2=0.1) == [0.1, 0.1, 0.01]
    assert kl_weights(2, stage=2, beta=0.01) == [0.01, 0.01]


# -------------------------------------------------------------------------------- samples, masks and the KL


def rollout(prompt, a1, glue, a2) -> MultiTurnRollout:
    return MultiTurnRollout(0, list(prompt), [Attempt(list(a1), "", False), Attempt(list(a2), "", False)],
                            [list(glue)])


def test_segments_mark_exactly_the_model_written_tokens() -> None:
    rolls = [rollout([1, 2, 3], [10, 11], [20, 21, 22], [30, 31, 32]), rollout([1], [12, 13, 14], [20], [33])]
    samples = [to_sample(r, [0.1, 0.01]) for r in rolls]
    assert [s.completion_ids for s in samples] == [[10, 11, 20, 21, 22, 30, 31, 32], [12, 13, 14, 20, 33]]
    seg, mask, klw = _token_layout(samples, 8)
    who = attempt_index(seg)
    assert who.tolist() == [[0, 0, -1, -1, -1, 1, 1, 1], [0, 0, 0, -1, 1, -1, -1, -1]]
    assert mask.tolist() == [[1, 1, 0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 1, 0, 0, 0]]
    assert close(klw[0], [0.1, 0.1, 0, 0, 0, 0.01, 0.01, 0.01])


def test_per_segment_kl_by_hand() -> None:
    """π(t) = 1/2 and π_ref(t) = 1/4 on every token: k1 = log 2, k3 = 1/2 + log(1/2)·(−1) − 1 = log 2 − 1/2."""
    who = torch.tensor([[0, 0, -1, 1, 1, 1]])
    logp = torch.full((1, 6), math.log(0.5))
    ref = torch.full((1, 6), math.log(0.25))
    k1 = kl_per_token(logp, ref, "k1")
    k3 = kl_per_token(logp, ref, "k3")
    assert close(k1[0, 0], math.log(2)) and close(k3[0, 0], math.log(2) - 0.5)
    written = torch.where(who >= 0, k3, torch.zeros_like(k3))
    per_attempt = per_attempt_sums(written, who, 2)
    assert close(per_attempt, [[2 * (math.log(2) - 0.5), 3 * (math.log(2) - 0.5)]])
    # Stage I: β₂ = 0.1 on attempt 1, β₁ = 0.01 on attempt 2; the instruction turn (-1) carries nothing.
    weights = torch.tensor(kl_weights(2, 1, 0.01, 0.1))
    assert close((weights * per_attempt).sum(), (0.2 + 0.03) * (math.log(2) - 0.5))


def test_loss_gradient_is_minus_the_attempts_advantage_on_its_tokens_only() -> None:
    """∂L/∂ log π(token) = −A_{i,t}/N on attempt t's tokens and exactly 0 on the prompt turn, the instruction turn
    and padding; in loss mode the KL adds w·∂kl/∂ log π on model tokens only."""
    who = torch.tensor([[0, 0, -1, -1, 1, 1], [0, -1, 1, -1, -1, -1]])
    adv = torch.tensor([[0.5, 2.0], [-1.0, 3.0]])
    logps = torch.randn(2, 6, requires_grad=True)
    score_loss(logps, adv, who).backward()
    expected = torch.tensor([[-0.5, -0.5, 0, 0, -2.0, -2.0], [1.0, 0, -3.0, 0, 0, 0]]) / 2
    assert close(logps.grad, expected)
    logps.grad = None
    ref = torch.zeros(2, 6)
    klw = torch.full((2, 6), 0.25)
    score_loss(logps, torch.zeros(2, 2), who, kl_per_token(logps, ref, "k1"), klw).backward()
    assert close(logps.grad, torch.where(who >= 0, torch.full((2, 6), 0.125), torch.zeros(2, 6)))


# ------------------------------------------------------------------------------------------- the trainer


class ScriptedGenerator:
    """Hands out scripted completions, in call order (attempt 1 of every rollout, then attempt 2)."""

    def __init__(self, tokenizer, script: list[list[str]]):
        self.tokenizer, self.settings = tokenizer, GenerationSettings()
        self.script = [list(s) for s in script]

    def generate_ids(self, prompt_ids, n=1, *, temperature=None, max_new_tokens=None, progress=None):
        texts = self.script.pop(0)
        assert len(texts) == len(prompt_ids) * n
        eos = self.tokenizer.eos_token_id
        return [(self.tokenizer(t, add_special_tokens=False)["input_ids"] + [eos], False) for t in texts]


class WordJudge:
    """1 for a response containing "right", -1 for "broken", else 0."""

    def __call__(self, prompts, responses, metadata=None):
        return [JudgeVerdict.ok() if "right" in r else JudgeVerdict.error("broken sandbox") if "broken" in r
                else JudgeVerdict.violated("wrong") for r in responses]

    def close(self):
        pass


@pytest.fixture(scope="module")
def parts():
    from alignkit.models import load_model, load_tokenizer

    return load_tokenizer("tiny"), load_model("tiny", device="cpu")


def make_trainer(parts, tmp_path, script, *, stage=1, policy=None, lr=1e-2, **score):
    from accelerate import Accelerator

    tok, base = parts
    cfg = (StageIConfig if stage == 1 else StageIIConfig)(num_generations=2, prompts_per_step=1, **score)
    trainer_cfg = replace(RLTrainerConfig(), learning_rate=lr, max_grad_norm=0.0, progress=False, adam_beta2=0.999)
    return ScoreTrainer(stage=stage, score_cfg=cfg, records=[{"prompt": "What is 2 + 5?", "metadata": {}}],
                        judge=WordJudge(), temperature=1.0, accelerator=Accelerator(cpu=True),
                        model=copy.deepcopy(policy if policy is not None else base),
                        ref_model=copy.deepcopy(base).eval().requires_grad_(False), tokenizer=tok,
                        generator=ScriptedGenerator(tok, script), trainer_cfg=trainer_cfg, run_dir=tmp_path)


def attempt_logps(trainer, rolls) -> torch.Tensor:
    """[N, T] log π of each attempt (sum over its tokens) under the current policy."""
    samples = [to_sample(r, trainer.weights) for r in rolls]
    lp = trainer.score(samples, 1.0)
    return per_attempt_sums(torch.where(attempt_index(lp.segment) >= 0, lp.tokens, torch.zeros_like(lp.tokens)),
                            attempt_index(lp.segment), 2)


def attempt_kl(trainer, rolls, estimator: str = "k3") -> torch.Tensor:
    samples = [to_sample(r, trainer.weights) for r in rolls]
    lp, ref = trainer.score(samples, 1.0), trainer.score(samples, 1.0, reference=True)
    who = attempt_index(lp.segment)
    k = torch.where(who >= 0, kl_per_token(lp.tokens, ref.tokens, estimator), torch.zeros_like(lp.tokens))
    return per_attempt_sums(k, who, 2)


def spy_on_loss(trainer) -> dict:
    """Before the update, evaluate the step's loss on the current log-probs and keep ∂L/∂log π per token."""
    seen: dict = {}
    real = trainer.update

    def spy(objectives):
        lp = trainer.score(objectives[0].samples, 1.0)
        logps = lp.tokens.clone().requires_grad_(True)
        objectives[0].loss(logps).backward()
        seen["grad"], seen["who"] = logps.grad, attempt_index(lp.segment)
        return real(objectives)

    trainer.update = spy
    return seen


def test_stage1_step_raises_the_rewarded_second_attempt(parts, tmp_path) -> None:
    script = [["I think it is 8.", "It is 9."], ["Corrected: right, 7.", "Still 9, wrong."]]
    trainer = make_trainer(parts, tmp_path, script, beta=0.0, beta2=0.0)
    rolls = trainer.rollouts([0])
    trainer.generator = ScriptedGenerator(trainer.tokenizer, script)  # the step samples the same rollouts
    before = attempt_logps(trainer, rolls)
    metrics = trainer.train_step(0)
    after = attempt_logps(trainer, rolls)
    assert after[0, 1] > before[0, 1] + 1e-3  # the right second attempt got likelier
    assert after[1, 1] < before[1, 1] - 1e-3  # the wrong one (below the leave-one-out baseline) less likely
    assert metrics["accuracy_t1"] == 0.0 and metrics["accuracy_t2"] == 0.5
    assert metrics["delta_i_to_c"] == 0.5 and metrics["delta_c_to_i"] == 0.0


def test_stage1_beta2_pulls_attempt_one_back_to_the_reference(parts, tmp_path) -> None:
    """Start from a policy that has drifted from π_ref; one Stage I step with a strong β₂ lowers the first
    attempt's KL, and lowers it more than the same step without β₂."""
    tok, base = parts
    torch.manual_seed(0)
    drifted = copy.deepcopy(base)
    with torch.no_grad():
        for p in drifted.parameters():
            p.add_(0.05 * torch.randn_like(p))
    script = [["I think it is 8.", "It is 9."], ["Corrected: right, 7.", "Still 9, wrong."]]
    kls = {}
    for beta2 in (0.0, 1.0):
        trainer = make_trainer(parts, tmp_path / str(beta2), script + script, policy=drifted, lr=3e-3, beta=0.0,
                               beta2=beta2, kl_penalty="loss", kl_estimator="k3")
        rolls = trainer.rollouts([0])
        before = attempt_kl(trainer, rolls)
        trainer.train_step(0)
        kls[beta2] = (before[:, 0].sum().item(), attempt_kl(trainer, rolls)[:, 0].sum().item())
    assert kls[0.0][0] == pytest.approx(kls[1.0][0])  # same start
    assert kls[1.0][1] < kls[1.0][0]  # β₂ pulled attempt 1 toward π_ref
    assert kls[1.0][1] < kls[0.0][1]  # and closer than without it


@pytest.mark.parametrize("estimator", ["k1", "k3"])
def test_reward_mode_advantage_is_the_leave_one_out_kl_penalty(parts, tmp_path, estimator) -> None:
    """kl_penalty=reward: attempt t's return is r̃_t − β_t·KL_t. Both second attempts are right and Stage I gives
    attempt 1 no reward, so attempt 1's RLOO advantage is −β₂·(KL_i − KL_j): ∂L/∂log π on rollout i's first
    attempt tokens is +β₂·(KL_i − KL_j)/N, with the KLs computed independently here."""
    tok, base = parts
    torch.manual_seed(1)
    drifted = copy.deepcopy(base)
    with torch.no_grad():
        for p in drifted.parameters():
            p.add_(0.05 * torch.randn_like(p))
    script = [["I think it is 8.", "A much longer first attempt, which says that it is 9 again."], ["right", "right"]]
    trainer = make_trainer(parts, tmp_path, script + script, policy=drifted, beta=0.0, beta2=0.5,
                           kl_penalty="reward", kl_estimator=estimator)
    rolls = trainer.rollouts([0])
    kl = attempt_kl(trainer, rolls, estimator)
    seen = spy_on_loss(trainer)
    metrics = trainer.train_step(0)
    grad, who = seen["grad"], seen["who"]
    for i, j in ((0, 1), (1, 0)):
        expected = 0.5 * (kl[i, 0] - kl[j, 0]).item() / 2
        assert grad[i][who[i] == 0] == pytest.approx(torch.full_like(grad[i][who[i] == 0], expected), abs=1e-5)
        assert torch.count_nonzero(grad[i][who[i] == 1]) == 0  # equal rewards, β₁ = 0: no signal on attempt 2
    assert abs(kl[0, 0] - kl[1, 0]) > 1e-3  # the check above is not 0 = 0
    assert metrics["kl_attempt1"] == pytest.approx(kl[:, 0].mean().item(), rel=1e-4)


def test_a_failed_judge_is_left_out_of_the_baseline_and_counted(parts, tmp_path) -> None:
    """Three rollouts; attempt 2 of the first hits a failed judge. It gets no advantage and is no one's baseline:
    rollout 2 (right) is compared with rollout 3 (right) only, so its advantage is 0, not 0.5."""
    script = [["a", "b", "c"], ["broken sandbox", "right", "right"]]
    trainer = make_trainer(parts, tmp_path, script, beta=0.0, beta2=0.0)
    trainer.s = replace(trainer.s, num_generations=3)
    seen = spy_on_loss(trainer)
    metrics = trainer.train_step(0)
    grad, who = seen["grad"], seen["who"]
    assert torch.count_nonzero(grad[who == 1]) == 0  # no advantage anywhere on attempt 2
    assert metrics["judge_failures"] == 1 and metrics["judge_failures_attempt2"] == 1
    assert metrics["accuracy_t2"] == 1.0  # over the two rollouts judged on both attempts, not 2/3


def test_stage2_bonus_reaches_the_second_attempt(parts, tmp_path) -> None:
    """Stage II, n = 2: rollout A fixes its answer (i→c), rollout B breaks it (c→i). With α = 10, r̃₂ is 11 for A
    and −10 for B, so attempt 2's leave-one-out advantages are ±21 and attempt 1's (r(y₁) = 0 vs 1) are ∓1: the
    loss gradient on each attempt's tokens is −A/N, and the fixed second attempt becomes likelier."""
    script = [["wrong 8", "right 7"], ["right 7", "oops 9"]]
    trainer = make_trainer(parts, tmp_path, script + script, stage=2, alpha=10.0, beta=0.0)
    rolls = trainer.rollouts([0])
    before = attempt_logps(trainer, rolls)
    seen = spy_on_loss(trainer)
    metrics = trainer.train_step(0)
    after = attempt_logps(trainer, rolls)
    grad, who = seen["grad"], seen["who"]
    for i, (a1, a2) in enumerate([(-1.0, 21.0), (1.0, -21.0)]):
        assert torch.allclose(grad[i][who[i] == 0], torch.tensor(-a1 / 2))
        assert torch.allclose(grad[i][who[i] == 1], torch.tensor(-a2 / 2))
    assert after[0, 1] > before[0, 1] and after[1, 1] < before[1, 1]
    assert metrics["delta_i_to_c"] == 0.5 and metrics["delta_c_to_i"] == 0.5 and metrics["delta_t1_t2"] == 0.0


@pytest.mark.parametrize(("args", "needle"), [
    (["score-init", "score.baseline=ppo"], "score.baseline='ppo'"),
    (["score-init", "score.num_generations=1"], "score.baseline=rloo needs score.num_generations >= 2"),
    (["score-rl", "score.beta2=0.1"], "beta2"),  # Stage II has no β₂: an unknown key, named
    (["score-init", "score.kl_estimator=k2"], "score.kl_estimator='k2'"),
    (["score-init", "score.kl_penalty=loss"], "zero in expectation"),  # k1 in the loss: refused
    (["score-init", "score.attempts=1"], "at least 2 attempts"),
    (["score-rl", "model=tiny", "score.init_from=/nonexistent/run"], "score.init_from=/nonexistent/run"),
])
def test_bad_score_input_exits_2_naming_the_key(tmp_path, args, needle):
    from typer.testing import CliRunner

    from alignkit.cli import app

    result = CliRunner().invoke(app, [*args, f"output_dir={tmp_path}"])
    assert result.exit_code == 2, result.output
    assert needle in result.output and "Traceback" not in result.output
