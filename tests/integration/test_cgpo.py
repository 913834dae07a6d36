"""``alignkit cgpo`` end to end: every optimizer and the multi-task blend on the tiny model, resume, DDP over gloo,
and (slow) the headline command on the embedded model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

sys.path.insert(0, str(Path(__file__).parent))

from alignkit.config import compose_recipe  # noqa: E402
from alignkit.trainers.cgpo import CGPORecipe, run  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CHAT_TASKS = ("chat_general", "chat_factual", "chat_harmful")
CHAT_JUDGES = {"chat_general": "llm_false_refusal", "chat_factual": "llm_factuality", "chat_harmful": "llm_safety"}


# The tiny-model runs exercise training: no held-out eval and no charts (the coding recipe's demo has both).
NO_EVAL = ("eval.tasks=[]", "trainer.plot=false")


def compose(recipe: str, tmp: Path, *overrides: str):
    return compose_recipe("cgpo", "cgpo", recipe, ["model=tiny", f"output_dir={tmp}", "trainer.progress=false",
                                                    *NO_EVAL, *overrides], CGPORecipe)


def short(*tasks: str, tokens: int = 12) -> list[str]:
    return [f"tasks.{t}.max_new_tokens={tokens}" for t in tasks]


def tiny_llms(*tasks: str) -> list[str]:
    """Chat tasks read rewards and verdicts from a judge LLM: use the tiny model there too (a random judge, so the
    start-of-training judge check is turned off: these tests exercise the machinery, not the judges)."""
    out = ["judge_check.enabled=false"]
    for t in tasks:
        out.append(f"tasks.{t}.reward.judge.model=tiny")
        out.append(f"tasks.{t}.judges.{CHAT_JUDGES[t]}.model=tiny")
    return out


def metrics(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def rank_state(run_dir: Path, rank: int = 0) -> dict:
    return json.loads((run_dir / "ranks" / f"rank{rank}.json").read_text())


def initial_fingerprint() -> str:
    import hashlib

    import torch

    from alignkit.models import load_model

    model = load_model("tiny", device="cpu")
    sums = torch.stack([p.detach().double().sum() for p in model.parameters()])
    return hashlib.sha256(sums.numpy().tobytes()).hexdigest()[:16]


@pytest.mark.parametrize("optimizer", ["crpg", "codpo", "crraft"])
def test_coding_two_steps_on_tiny_for_each_optimizer(tmp_path, optimizer):
    cfg = compose("coding", tmp_path, "trainer.max_steps=2", f"tasks.coding.optimizer={optimizer}",
                  *short("coding"))
    summary = run(cfg, tmp_path, None)
    rows = metrics(tmp_path)
    assert [r["step"] for r in rows] == [1, 2] and summary["steps"] == 2
    for row in rows:
        for key in ("reward_mean", "calibrated_reward_mean", "satisfied_rate", "skipped_prompt_rate", "kl_mean",
                    "response_length_mean", "loss", "judge/code/violation_rate", "judge/format/violation_rate",
                    "time/generation", "time/judging", "time/reward", "time/update"):
            assert f"coding/{key}" in row, key
        assert row["coding/response_length_mean"] <= 12
    assert (tmp_path / "checkpoints" / "checkpoint-2" / "trainer_state.json").is_file()
    assert (tmp_path / "final" / "config.json").is_file()
    state = rank_state(tmp_path)
    # The random tiny model never passes the unit tests: every response violates the code judge.
    assert all(r["coding/satisfied_rate"] == 0.0 for r in rows)
    if optimizer == "crpg":  # eq. 11: violating responses get R̃ = 0, so there is nothing to learn
        assert all(r["coding/crpg_reward_mean"] == 0.0 and r["grad_norm"] == 0.0 for r in rows)
        assert state["parameter_fingerprint"] == initial_fingerprint()
    elif optimizer == "codpo":  # no satisfied response: every prompt is skipped, no update
        assert all(r["coding/skipped_prompt_rate"] == 1.0 for r in rows)
        assert state["optimizer_steps"] == 0
    else:  # crraft falls back to the gold answer ȳ, which passes the judges, and trains on it
        used = [r["coding/baseline_used_rate"] for r in rows]
        # (a prompt whose ȳ could not be judged, a judge failure, is skipped that step and counted)
        assert all(u + r["coding/skipped_prompt_rate"] == pytest.approx(1.0) for u, r in zip(used, rows, strict=True))
        assert sum(used) > 0 and all(r["coding/loss"] > 0 for r, u in zip(rows, used, strict=True) if u > 0)
        assert state["optimizer_steps"] >= 1
        assert state["parameter_fingerprint"] != initial_fingerprint()


def test_unconstrained_coding_moves_the_policy(tmp_path):
    cfg = compose("coding_unconstrained", tmp_path, "trainer.max_steps=2", "trainer.learning_rate=1e-3",
                  "trainer.save_model=false", "rewards@tasks.coding.reward=llm_helpfulness",
                  "tasks.coding.reward.judge.model=tiny", *short("coding"))
    run(cfg, tmp_path, None)
    rows = metrics(tmp_path)
    assert all(r["coding/satisfied_rate"] == 1.0 for r in rows)  # no judges: everything counts
    assert not any(k.startswith("coding/judge/") for k in rows[0])
    assert rows[0]["grad_norm"] > 0
    assert abs(rows[1]["coding/kl_mean"]) > 0  # the second step samples from an updated policy


def test_multitask_two_steps_on_tiny(tmp_path):
    tasks = ("coding", "math", "instruction_following", *CHAT_TASKS)
    cfg = compose("multitask", tmp_path, "trainer.max_steps=2", "trainer.save_model=false", *short(*tasks),
                  *tiny_llms(*CHAT_TASKS))
    assert [cfg.tasks[t].optimizer for t in tasks] == ["crpg", "crpg", "crraft", "codpo", "codpo", "codpo"]
    run(cfg, tmp_path, None)
    rows = metrics(tmp_path)
    assert [r["step"] for r in rows] == [1, 2]
    for row in rows:
        for t in tasks:
            assert f"{t}/reward_mean" in row and f"{t}/time/generation" in row, t
        for t in CHAT_TASKS:  # codpo: one pair per prompt that was not skipped (B = 2 prompts per step)
            assert row[f"{t}/pairs"] == pytest.approx(2 * (1 - row[f"{t}/skipped_prompt_rate"]))
    assert "chat_factual/judge/llm_factuality/violation_rate" in rows[0]
    assert "instruction_following/judge/instruction_following/violation_rate" in rows[0]
    # baseline=policy: ȳ was drawn from π_ref for the prompts used, and kept for resume.
    assert (tmp_path / "baselines" / "instruction_following.rank0.jsonl").is_file()


def test_lora_policy_uses_the_adapter_free_base_as_reference(tmp_path):
    """With LoRA, π_ref is the policy with its adapter disabled: no second model, and only the adapter trains."""
    cfg = compose("coding", tmp_path, "model=lora", "model.name_or_path=tiny", "trainer.max_steps=2",
                  "trainer.learning_rate=1e-2", "tasks.coding.optimizer=crraft", *short("coding"))
    assert cfg.model.lora.r > 0
    run(cfg, tmp_path, None)
    rows = metrics(tmp_path)
    assert [r["step"] for r in rows] == [1, 2]
    assert abs(rows[0]["coding/kl_mean"]) < 1e-4  # step 1: the fresh adapter is a no-op, π = π_ref
    assert (tmp_path / "final" / "adapter_config.json").is_file()


def test_resume_continues_from_the_last_checkpoint(tmp_path):
    overrides = ["tasks.coding.optimizer=crraft", "trainer.save_steps=1", "trainer.save_model=false",
                 *short("coding")]
    run(compose("coding", tmp_path, "trainer.max_steps=2", *overrides), tmp_path, None)
    first = metrics(tmp_path)
    # Simulate a kill after step 2 was logged but before its checkpoint was complete.
    shutil.rmtree(tmp_path / "checkpoints" / "checkpoint-2")
    (tmp_path / "checkpoints" / "latest").write_text("checkpoint-1\n")
    run(compose("coding", tmp_path, "trainer.max_steps=3", *overrides), tmp_path, tmp_path)
    rows = metrics(tmp_path)
    assert [r["step"] for r in rows] == [1, 2, 3]
    # Weights, optimizer and RNG state come back with the checkpoint: step 2 samples the same responses from the
    # same policy as before the "kill" (the loss is left out: it depends on the sandbox judging ȳ).
    for key in ("coding/reward_mean", "coding/response_length_mean", "coding/kl_mean"):
        assert rows[1][key] == pytest.approx(first[1][key], rel=1e-5, abs=1e-6), key
    assert (tmp_path / "checkpoints" / "checkpoint-3").is_dir()


def test_accelerate_launch_two_cpu_processes_train_in_step(tmp_path):
    """DDP over gloo: both ranks take their own prompts, run the same steps and end with equal parameters.

    Without output_dir=, the main process picks the run directory and the other rank is told which: one launch
    makes exactly one run directory, and only the main process prints (the summary, its logs)."""
    from launch import launch_two_cpu_processes

    proc = launch_two_cpu_processes(
        ["-m", "alignkit.cli", "cgpo", "recipe=coding", "model=tiny", "trainer.max_steps=2",
         "tasks.coding.optimizer=crraft", "tasks.coding.max_new_tokens=12", "trainer.save_model=false",
         "trainer.progress=false", *NO_EVAL], cwd=tmp_path, ALIGNKIT_LOG_LEVEL="INFO", COLUMNS="200")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    runs = [p for p in (tmp_path / "runs" / "cgpo" / "coding").iterdir()]
    assert len(runs) == 1, runs  # rank 1 made no run directory of its own
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["cgpo"]
    run_dir = runs[0]
    states = [rank_state(run_dir, r) for r in (0, 1)]
    assert [s["world_size"] for s in states] == [2, 2]
    assert [s["steps"] for s in states] == [2, 2]
    # the same optimizer steps on both ranks (2, unless a sandbox failure left a whole step without ȳ)
    assert states[0]["optimizer_steps"] == states[1]["optimizer_steps"] >= 1
    assert states[0]["parameter_fingerprint"] == states[1]["parameter_fingerprint"]
    assert states[0]["parameter_fingerprint"] != initial_fingerprint()
    assert {"random_states_0.pkl", "random_states_1.pkl"} <= {p.name for p in (run_dir / "checkpoints" / "checkpoint-2").iterdir()}
    assert [r["step"] for r in metrics(run_dir)] == [1, 2]
    assert json.loads((run_dir / "summary.json").read_text())["steps"] == 2
    assert (run_dir / "config.yaml").is_file() and (run_dir / "train.log").is_file()
    # Only the main process prints: one summary, one "done", one copy of each log line.
    assert proc.stdout.count("summary") == 1, proc.stdout
    assert proc.stdout.count("done") == 1, proc.stdout
    assert proc.stderr.count("Run directory:") == 1, proc.stderr
    assert proc.stderr.count("tasks.coding:") == 1, proc.stderr


@pytest.mark.slow
def test_cli_cgpo_coding_on_the_embedded_model(tmp_path):
    """The headline command (make demo), as a user runs it, with two steps instead of six to bound the test's time:
    held-out pass rate at step 0 and at the end, training metrics at steps 1-2, charts in <run>/report."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "alignkit.cli", "cgpo", "recipe=coding", "trainer.max_steps=2",
           f"output_dir={tmp_path}"]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = metrics(tmp_path)
    evals = [r for r in rows if "eval/coding_easy/pass@1" in r]
    assert [r["step"] for r in evals] == [0, 2]
    assert all(0 <= r["eval/coding_easy/pass@1"] <= 1 for r in evals)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["eval/coding_easy/pass@1 @step 0"] == evals[0]["eval/coding_easy/pass@1"]
    assert summary["eval/coding_easy/pass@1 @step 2"] == evals[1]["eval/coding_easy/pass@1"]
    assert len(summary["coding/kl_mean by step"].split()) == 2
    assert (tmp_path / "report" / "report.html").is_file() and list((tmp_path / "report").glob("*.png"))
    rows = [r for r in rows if "coding/reward_mean" in r]
    assert [r["step"] for r in rows] == [1, 2]
    assert rows[0]["coding/response_length_mean"] > 0
    for row in rows:  # satisfied means every judge accepted: no more than any one judge accepted
        for judge in ("code", "format"):
            accepted = 1 - row[f"coding/judge/{judge}/violation_rate"] - row[f"coding/judge/{judge}/failure_rate"]
            assert row["coding/satisfied_rate"] <= accepted + 1e-9, judge
    assert (tmp_path / "final" / "model.safetensors").is_file()
    assert json.loads((tmp_path / "summary.json").read_text())["steps"] == 2
