"""Run directories: metrics JSONL, atomic checkpoints, resume bookkeeping."""

from __future__ import annotations

import pytest

from alignkit.errors import UserError
from alignkit.runs import (
    Checkpoints,
    MetricsLog,
    SilentExit,
    find_resume_dir,
    launch_rank,
    launch_world_size,
    new_run_dir,
    on_main_then_share,
    step_of,
)


def test_metrics_truncate_after_drops_later_steps_and_torn_lines(tmp_path):
    m = MetricsLog(tmp_path / "metrics.jsonl")
    for step in range(1, 6):
        m.write(step, {"loss": 1.0 / step})
    with open(m.path, "a") as fh:
        fh.write('{"step": 6, "loss"')  # torn by a kill mid-write
    m.truncate_after(3)
    assert [r["step"] for r in m.read()] == [1, 2, 3]


def test_checkpoints_are_published_atomically_and_pruned(tmp_path):
    ck = Checkpoints(tmp_path, keep=2)
    for step in (2, 4, 6):
        ck.save(step, lambda d, s=step: (d / "state.txt").write_text(str(s)))
    assert [p.name for p in ck.list()] == ["checkpoint-4", "checkpoint-6"]
    assert ck.latest().name == "checkpoint-6"

    def boom(d):
        (d / "partial").write_text("x")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        ck.save(8, boom)
    assert ck.latest().name == "checkpoint-6"
    assert not any(p.name.startswith(".tmp") for p in ck.root.iterdir())


def test_resume_finds_latest_run_with_a_checkpoint(tmp_path):
    a = new_run_dir("sft", "coding", None, base=tmp_path)
    Checkpoints(a).save(1, lambda d: None)
    assert find_resume_dir("sft", "coding", True, base=tmp_path) == a
    with pytest.raises(UserError, match="no run"):
        find_resume_dir("sft", "math", True, base=tmp_path)
    assert find_resume_dir("sft", "coding", str(a / "checkpoints" / "checkpoint-1"), base=tmp_path) == a


def test_resume_true_finds_runs_with_trainer_checkpoints(tmp_path):
    """sft and rm checkpoint through transformers' Trainer (checkpoints/checkpoint-N)."""
    a = new_run_dir("rm", "coding", None, base=tmp_path)
    with pytest.raises(UserError, match="no run"):
        find_resume_dir("rm", "coding", True, base=tmp_path)
    (a / "checkpoints" / "checkpoint-4").mkdir(parents=True)
    assert find_resume_dir("rm", "coding", "true", base=tmp_path) == a


def test_launch_rank_and_world_size_come_from_the_launcher(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "PMI_RANK", "PMI_SIZE",
                 "MV2_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    assert (launch_rank(), launch_world_size()) == (0, 1)
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert (launch_rank(), launch_world_size()) == (1, 2)
    monkeypatch.delenv("RANK")
    monkeypatch.delenv("WORLD_SIZE")
    monkeypatch.setenv("OMPI_COMM_WORLD_RANK", "3")
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    assert (launch_rank(), launch_world_size()) == (3, 4)


def test_on_main_then_share_in_one_process_just_decides(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    calls = []
    assert on_main_then_share(lambda: calls.append(1) or "run-dir", cpu=True) == "run-dir"
    assert calls == [1]

    def fail():
        raise UserError("no run to resume")

    with pytest.raises(UserError, match="no run to resume"):  # the main process reports; never SilentExit here
        on_main_then_share(fail, cpu=True)
    assert issubclass(SilentExit, Exception) and not issubclass(SilentExit, UserError)


def test_checkpoints_of_runs_made_before_checkpoint_n_are_still_resumed(tmp_path):
    """Runs written with the old ``step-N`` folders: the newest one (by number, not by name) is found."""
    old = tmp_path / "checkpoints"
    for step in (9, 10):
        (old / f"step-{step}").mkdir(parents=True)
    ck = Checkpoints(tmp_path)
    assert ck.latest().name == "step-10"  # "step-9" sorts after "step-10" as text
    assert step_of(ck.latest()) == 10
