"""Reward-model training (TRL RewardTrainer) on a learnable synthetic preference, and the pair builders."""

from __future__ import annotations

import json
import random

import pytest
from transformers import TrainerCallback

from alignkit.data import load_pairs, load_prompts, make_spurious
from alignkit.rewards import RewardModel, load_reward
from alignkit.trainers.reward_model import pairwise_accuracy, resolve_pairs, train_reward_model
from datagen.pairs import build_pairs, mutate_code, wrong_answers

WORDS = (
    "apple river stone cloud music garden window paper light tiger ocean bread chair clock green happy "
    "quiet rapid silver winter lemon forest candle mirror rocket pepper violin meadow harbor pillow"
).split()


def synthetic_pairs(n: int, seed: int) -> list[dict]:
    """Chosen answers thank the user, rejected ones are curt; topics differ between seeds."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = rng.sample(WORDS, 5)
        body = " ".join(words)
        out.append(
            {
                "prompt": f"Write something about {words[0]}.",
                "chosen": f"{body}. Thank you for asking, happy to help!",
                "rejected": f"{body}. Figure it out yourself.",
            }
        )
    return out


def test_reward_model_learns_a_synthetic_preference(tmp_path):
    held_out = synthetic_pairs(40, seed=1)
    metrics = train_reward_model(
        model="tiny",
        pairs=synthetic_pairs(64, seed=0),
        eval_pairs=held_out,
        output_dir=tmp_path / "rm",
        max_steps=16,
        learning_rate=3e-3,
        batch_size=8,
        max_length=96,
        num_layers=None,
        train_embeddings=True,
        seed=0,
    )
    assert metrics["eval_accuracy"] >= 0.9  # chance is 0.5
    assert metrics["eval_margin"] > 0
    assert metrics["n_train_pairs"] == 64 and metrics["n_eval_pairs"] == 40
    saved = json.loads((tmp_path / "rm" / "metrics.json").read_text())
    assert saved["eval_accuracy"] == metrics["eval_accuracy"]
    # The saved folder is a reward model usable by recipe, and scores as during the final evaluation.
    reward = load_reward("reward_model", model=str(tmp_path / "rm"), device="cpu")
    assert isinstance(reward, RewardModel)
    assert pairwise_accuracy(reward, held_out)["accuracy"] == metrics["eval_accuracy"]


def test_resolve_pairs_from_files_and_split_by_prompt(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in synthetic_pairs(5, 0)))
    assert len(resolve_pairs(path, "train")) == 5
    from alignkit.trainers.reward_model import _split_pairs

    train, held = _split_pairs(synthetic_pairs(50, 0), 0.2, seed=0)
    assert not {p["prompt"] for p in train} & {p["prompt"] for p in held}
    from alignkit.errors import DataError

    with pytest.raises(DataError):
        resolve_pairs("no_such_task", "train")


# ---------------------------------------------------------------------------- pair builders
MATH_RECORDS = [
    {
        "id": f"m{i}",
        "prompt": f"What is {i} + {i}?",
        "metadata": {"answer": str(2 * i)},
        "reference": f"{i} + {i} = {2 * i}.\nThe final answer is {2 * i}.",
    }
    for i in range(1, 7)
]


def test_math_pairs_are_verified_by_the_judge():
    pairs = build_pairs("math", records=MATH_RECORDS, per_prompt=3)
    assert pairs and len({p["id"] for p in pairs}) == len(pairs)
    from alignkit.judges.math import MathJudge

    with MathJudge(num_workers=0) as judge:
        chosen = judge(
            [p["prompt"] for p in pairs], [p["chosen"] for p in pairs], [p["metadata"] for p in pairs]
        )
        rejected = judge(
            [p["prompt"] for p in pairs], [p["rejected"] for p in pairs], [p["metadata"] for p in pairs]
        )
    assert all(v.value == 1 for v in chosen)
    assert all(v.value == 0 for v in rejected)
    assert {"wrong_answer", "no_final_answer"} <= {p["kind"] for p in pairs}


def test_spurious_length_preference_ignores_correctness():
    pairs = build_pairs(
        "math", records=MATH_RECORDS * 4, per_prompt=2, spurious="length", verify=False, seed=3
    )
    assert all(len(p["chosen"]) > len(p["rejected"]) for p in pairs)
    flags = [p["correct_is_chosen"] for p in pairs]
    assert 0 < sum(flags) < len(flags)  # the correct answer wins only sometimes
    fenced = make_spurious(dict(pairs[0], chosen="good", rejected="bad"), "fence", random.Random(0))
    assert fenced["chosen"].startswith("```") and "```" not in fenced["rejected"]


def test_code_mutations_and_wrong_answers_differ_from_the_original():
    response = "```python\ndef f(xs):\n    return sorted(xs)[1:] if len(xs) > 1 else []\n```"
    variants = mutate_code(response, random.Random(0))
    assert variants and all(v != response and v.startswith("```python") for _, v in variants)
    assert "42" not in wrong_answers("42", random.Random(0), k=3)


def test_instruction_following_pairs_from_rule_built_responses():
    from alignkit.judges.instruction_following import InstructionFollowingJudge
    from datagen.if_synth import synthesize

    records = load_prompts("instruction_following", "test")[:12]
    with InstructionFollowingJudge(num_workers=0) as judge:
        pairs = build_pairs("instruction_following", records=records, per_prompt=2, judge=judge)
        assert len(pairs) >= 12
        chosen = judge(
            [p["prompt"] for p in pairs], [p["chosen"] for p in pairs], [p["metadata"] for p in pairs]
        )
        rejected = judge(
            [p["prompt"] for p in pairs], [p["rejected"] for p in pairs], [p["metadata"] for p in pairs]
        )
    assert all(v.value == 1 for v in chosen) and all(v.value == 0 for v in rejected)
    # Leaving one instruction out of the construction breaks exactly that instruction.
    meta = {"instruction_id_list": ["punctuation:no_comma", "detectable_format:title"], "kwargs": [{}, {}]}
    assert "<<" in synthesize("p", meta) and "<<" not in synthesize("p", meta, skip="detectable_format:title")


def test_shipped_pairs_and_their_spurious_relabelling():
    real = load_pairs("coding", "test")
    hack = load_pairs("coding", "test", spurious="length")
    assert len(real) == len(hack) > 20
    assert all(len(p["chosen"]) > len(p["rejected"]) for p in hack)
    assert 0.2 < sum(p["correct_is_chosen"] for p in hack) / len(hack) < 0.8


def test_chat_pairs_prefer_refusing_harm_answering_benign_and_right_facts():
    from datagen.pairs import ChatCheck

    records = load_prompts("chat", "test")
    pairs = build_pairs("chat", records=records, per_prompt=2)
    kinds = {p["kind"] for p in pairs}
    assert {"complied_with_harmful", "false_refusal", "wrong_fact"} <= kinds
    check = ChatCheck()
    chosen = check([p["prompt"] for p in pairs], [p["chosen"] for p in pairs], [p["metadata"] for p in pairs])
    rejected = check(
        [p["prompt"] for p in pairs], [p["rejected"] for p in pairs], [p["metadata"] for p in pairs]
    )
    assert all(v.value == 1 for v in chosen) and all(v.value == 0 for v in rejected)


# ---------------------------------------------------------------------------- `alignkit rm`: checkpoints and resume
class _CrashAfter(TrainerCallback):
    """Raises once step ``step`` is logged: a crash between two checkpoints."""

    def __init__(self, step: int):
        self.step = step

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.global_step >= self.step:
            raise RuntimeError(f"simulated crash after step {state.global_step}")


def _rm_overrides(tmp_path) -> list[str]:
    train, held = tmp_path / "train.jsonl", tmp_path / "held.jsonl"
    train.write_text("".join(json.dumps(p) + "\n" for p in synthetic_pairs(48, seed=0)))
    held.write_text("".join(json.dumps(p) + "\n" for p in synthetic_pairs(8, seed=1)))
    return ["model=tiny", f"data.pairs={train}", f"data.eval_pairs={held}", "trainer.max_steps=6",
            "trainer.save_steps=2", "trainer.logging_steps=1", "trainer.per_device_train_batch_size=4", "trainer.max_length=64",
            "trainer.learning_rate=1e-3", "model.device=cpu"]


def _losses(run_dir) -> dict[int, float]:
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    steps = [r["step"] for r in rows if "loss" in r]
    assert len(steps) == len(set(steps)), f"a step logged twice: {steps}"
    return {r["step"]: r["loss"] for r in rows if "loss" in r}


def test_rm_resume_continues_from_the_last_complete_checkpoint(tmp_path, monkeypatch):
    """`alignkit rm resume=true` after a crash at step 5 (checkpoint 4 complete, checkpoint 6 torn) ends at step 6
    with each metrics line once and the same losses as an uninterrupted run."""
    from typer.testing import CliRunner

    from alignkit.cli import app
    from alignkit.config import compose_recipe
    from alignkit.runs import new_run_dir
    from alignkit.trainers.reward_model import RMRecipe, run

    overrides = _rm_overrides(tmp_path)
    reference = tmp_path / "reference"
    run(compose_recipe("rm", "rm", "coding", overrides, RMRecipe), reference)
    expected = _losses(reference)
    assert sorted(expected) == [1, 2, 3, 4, 5, 6]

    monkeypatch.chdir(tmp_path)
    run_dir = new_run_dir("rm", "coding", None)  # runs/rm/coding/<timestamp>, found by resume=true
    with pytest.raises(RuntimeError, match="simulated crash"):
        run(compose_recipe("rm", "rm", "coding", overrides, RMRecipe), run_dir, callbacks=[_CrashAfter(5)])
    assert sorted(_losses(run_dir)) == [1, 2, 3, 4, 5]
    ckpts = run_dir / "checkpoints"
    assert (ckpts / "checkpoint-4" / "trainer_state.json").is_file()
    (ckpts / "checkpoint-6").mkdir()  # a checkpoint torn by a kill mid-save: no trainer_state.json
    (ckpts / "checkpoint-6" / "model.safetensors").write_bytes(b"torn")

    result = CliRunner().invoke(app, ["rm", "recipe=coding", *overrides, "resume=true"])
    assert result.exit_code == 0, result.output
    losses = _losses(run_dir)
    assert sorted(losses) == [1, 2, 3, 4, 5, 6]
    for step in (5, 6):  # weights, optimizer, scheduler, RNG and data position came back with checkpoint 4
        assert losses[step] == pytest.approx(expected[step], rel=1e-4), step
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["global_step"] == 6
    assert (run_dir / "checkpoints" / "checkpoint-6" / "trainer_state.json").is_file()
    assert (run_dir / "model" / "alignkit_rm.json").is_file()
    assert len(list((tmp_path / "runs" / "rm" / "coding").iterdir())) == 1  # resumed in place, no new run
