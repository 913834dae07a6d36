"""Run directories: metrics JSONL, atomic checkpoints, resume bookkeeping."""

from __future__ import annotations

import pytest

from alignkit.errors import UserError
from alignkit.runs import Checkpoints, MetricsLog, find_resume_dir, new_run_dir


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
    assert [p.name for p in ck.list()] == ["step-4", "step-6"]
    assert ck.latest().name == "step-6"

    def boom(d):
        (d / "partial").write_text("x")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        ck.save(8, boom)
    assert ck.latest().name == "step-6"
    assert not any(p.name.startswith(".tmp") for p in ck.root.iterdir())


def test_resume_finds_latest_run_with_a_checkpoint(tmp_path):
    a = new_run_dir("sft", "coding", None, base=tmp_path)
    Checkpoints(a).save(1, lambda d: None)
    assert find_resume_dir("sft", "coding", True, base=tmp_path) == a
    with pytest.raises(UserError, match="no run"):
        find_resume_dir("sft", "math", True, base=tmp_path)
    assert find_resume_dir("sft", "coding", str(a / "checkpoints" / "step-1"), base=tmp_path) == a
