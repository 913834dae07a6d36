"""``alignkit score-init`` / ``score-rl`` end to end on ``tiny``: Stage II starts from a Stage I run (its final model
or a checkpoint, full fine-tuning and LoRA), kill-and-resume keeps the metrics exact, and (slow) both stages on
the embedded model through the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from alignkit.config import compose_recipe  # noqa: E402
from alignkit.errors import ConfigError  # noqa: E402
from alignkit.trainers.score import ScoreInitRecipe, ScoreRLRecipe, build_trainer, run  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
# A judge whose verdicts vary on the tiny model's random text (at most 3 words?), so that
# Stage I has rewards to learn from and its weights move.
QUICK = ["model=tiny", "judges@judge=format", "judge.min_words=0", "judge.max_words=3", "judge.require_terminal=false",
         "generation.max_new_tokens=6",
         "score.prompts_per_step=1", "score.num_generations=4", "trainer.progress=false"]


def compose(command: str, tmp: Path, *overrides: str):
    schema = ScoreInitRecipe if command == "score-init" else ScoreRLRecipe
    folder = "score_init" if command == "score-init" else "score_rl"
    return compose_recipe(command, folder, "math", [*QUICK, f"output_dir={tmp}", *overrides], schema)


def metrics(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def weights(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(path))


def same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    keys = set(a) & set(b)
    return bool(keys) and all(torch.equal(a[k].float(), b[k].float()) for k in keys)


def test_stage2_starts_from_the_stage1_final_model_or_a_checkpoint(tmp_path):
    stage1 = tmp_path / "stage1"
    run(compose("score-init", stage1, "trainer.max_steps=2", "trainer.save_steps=1", "trainer.learning_rate=5e-2",
                "score.beta2=0.0"), stage1, None)
    final = weights(stage1 / "final" / "model.safetensors")
    ckpt1 = weights(stage1 / "checkpoints" / "checkpoint-1" / "model.safetensors")
    assert not same(final, ckpt1)  # Stage I moved the weights between its checkpoints

    from alignkit.models import load_model

    base = load_model("tiny", device="cpu").state_dict()
    for init, expected in ((stage1, final), (stage1 / "checkpoints" / "checkpoint-1", ckpt1)):
        trainer = build_trainer(compose("score-rl", tmp_path / "s2", f"score.init_from={init}"), tmp_path / "s2")
        try:
            policy = {k: v.detach() for k, v in trainer.unwrapped.state_dict().items()}
            assert same(policy, expected), init  # the policy starts where Stage I ended (or at that checkpoint)
            reference = trainer.ref_model.state_dict()
            assert same(reference, base) and not same(reference, expected)  # π_ref stays the base model
        finally:
            trainer.close()

    stage2 = tmp_path / "stage2"
    summary = run(compose("score-rl", stage2, f"score.init_from={stage1}", "trainer.max_steps=1"), stage2, None)
    assert summary["steps"] == 1 and (stage2 / "final" / "model.safetensors").is_file()
    row = metrics(stage2)[0]
    assert {"accuracy_t1", "accuracy_t2", "delta_t1_t2", "delta_i_to_c", "delta_c_to_i", "kl_attempt1",
            "kl_attempt2", "edit_distance_ratio", "length_attempt1", "judge_failures", "loss"} <= set(row)
    # π (Stage I's weights) ≠ π_ref (the base) from the first step. The k1 estimate on 4 samples can have
    # either sign (its mean under π is the KL, each draw is log π/π_ref); it is exactly 0 only when π = π_ref.
    assert abs(row["kl_attempt1"]) > 1e-4


def test_lora_stage2_continues_the_lora_stage1_adapter(tmp_path):
    stage1 = tmp_path / "stage1"
    lora = ["model=lora", "model.name_or_path=tiny"]
    # 2 steps of 2 problems: rollouts whose verdicts all agree carry no RLOO signal, and Stage I must have moved
    # the adapter for the comparison below to mean anything (seeded, so the same rollouts every run).
    run(compose("score-init", stage1, *lora, "trainer.max_steps=2", "score.prompts_per_step=2",
                "trainer.learning_rate=5e-2", "score.beta2=0.0"), stage1, None)
    adapter = weights(stage1 / "final" / "adapter_model.safetensors")
    trainer = build_trainer(compose("score-rl", tmp_path / "s2", *lora, f"score.init_from={stage1}"),
                            tmp_path / "s2")
    try:
        from peft import get_peft_model_state_dict

        assert same(get_peft_model_state_dict(trainer.unwrapped), adapter)
        assert any(v.abs().sum() > 0 for k, v in adapter.items() if "lora_B" in k)  # a trained adapter, not zeros
    finally:
        trainer.close()
    with pytest.raises(ConfigError, match="holds a LoRA adapter"):
        build_trainer(compose("score-rl", tmp_path / "s3", f"score.init_from={stage1}"), tmp_path / "s3")


def _cli(run_dir: Path, *extra: str, command: str = "score-init") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "alignkit.cli", command, "recipe=math", *QUICK, "trainer.learning_rate=5e-2",
           "trainer.save_steps=1", "trainer.save_model=false", *extra]
    return subprocess.Popen(cmd, cwd=run_dir.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


@pytest.mark.parametrize("command", ["score-init", "score-rl"])
def test_kill_and_resume_keeps_the_metrics_exact(tmp_path, command):
    """SIGKILL a run after its second checkpoint, resume it, and compare every logged metric with an
    uninterrupted run of the same recipe and seed. Stage II starts from a Stage I run (score.init_from): on resume
    the checkpoint's weights, not init_from's, must be the policy."""
    steps = 4
    extra: tuple[str, ...] = ()
    if command == "score-rl":
        stage1 = tmp_path / "stage1"
        run(compose("score-init", stage1, "trainer.max_steps=1", "trainer.learning_rate=5e-2", "score.beta2=0.0"),
            stage1, None)
        extra = (f"score.init_from={stage1}",)
    full = tmp_path / "full"
    proc = _cli(full, f"output_dir={full}", f"trainer.max_steps={steps}", *extra, command=command)
    out = proc.communicate(timeout=1200)[0].decode()
    assert proc.returncode == 0, out[-3000:]

    killed = tmp_path / "killed"
    proc = _cli(killed, f"output_dir={killed}", f"trainer.max_steps={steps}", *extra, command=command)
    try:
        deadline = time.time() + 1200
        while not (killed / "checkpoints" / "checkpoint-2" / "trainer_state.json").is_file():
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.time() < deadline
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert len(metrics(killed)) < steps
    proc = _cli(killed, f"output_dir={killed}", f"resume={killed}", f"trainer.max_steps={steps}", *extra,
                command=command)
    out = proc.communicate(timeout=1200)[0].decode()
    assert proc.returncode == 0, out[-3000:]
    a, b = metrics(full), metrics(killed)
    assert [r["step"] for r in b] == list(range(1, steps + 1))
    for ra, rb in zip(a, b, strict=True):
        for key, value in ra.items():
            if key.startswith("time") or key == "time/step":
                continue
            assert rb[key] == pytest.approx(value, rel=1e-6, abs=1e-9, nan_ok=True), (ra["step"], key)
    assert any(r["grad_norm"] > 0 for r in a)  # the runs learned something, so equal metrics mean something


@pytest.mark.slow
def test_score_init_then_score_rl_on_the_embedded_model(tmp_path):
    """The two commands as a user runs them, on the embedded model with the shipped easy math (2 steps each)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1"}
    common = ["trainer.max_steps=2", "trainer.progress=false", "generation.max_new_tokens=48"]
    s1, s2 = tmp_path / "s1", tmp_path / "s2"
    for command, out_dir, extra in (("score-init", s1, []), ("score-rl", s2, [f"score.init_from={s1}"])):
        proc = subprocess.run([sys.executable, "-m", "alignkit.cli", command, "recipe=math", f"output_dir={out_dir}",
                               *common, *extra], env=env, capture_output=True, text=True, timeout=3600)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        rows = metrics(out_dir)
        assert [r["step"] for r in rows] == [1, 2]
        assert all(r["rollouts"] == 8 and r["judge_failures"] == 0 for r in rows)
    # Stage II's policy starts from Stage I's weights, not π_ref: its first KL estimate is non-zero exactly when
    # Stage I moved the weights (k1 has either sign on 8 rollouts; with no reward signal Stage I stays at π_ref).
    stage1_moved = any(r["grad_norm"] > 0 for r in metrics(s1))
    assert (metrics(s2)[0]["kl_attempt1"] != 0) == stage1_moved, (metrics(s1), metrics(s2)[0])
    assert (s2 / "final" / "model.safetensors").is_file()
