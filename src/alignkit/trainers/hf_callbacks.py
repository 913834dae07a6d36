"""Callbacks that put a transformers/TRL ``Trainer`` run in alignkit's run-directory format."""

from __future__ import annotations

from pathlib import Path

from transformers import TrainerCallback

from alignkit.runs import MetricsLog


class MetricsJSONLCallback(TrainerCallback):
    """Writes every ``Trainer.log`` call as one line of ``metrics.jsonl`` (main process only)."""

    def __init__(self, run_dir: Path):
        self.metrics = MetricsLog(run_dir / "metrics.jsonl")

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs:
            self.metrics.write(state.global_step, {k: v for k, v in logs.items() if k != "total_flos"})


def last_complete_checkpoint(folder: Path) -> Path | None:
    """Newest ``checkpoint-N`` whose ``trainer_state.json`` (written last by Trainer) exists.

    A checkpoint torn by a kill mid-save lacks that file; it is skipped (and removed).
    """
    if not folder.is_dir():
        return None
    cands = sorted((p for p in folder.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
                   key=lambda p: int(p.name.split("-")[-1]))
    for path in reversed(cands):
        if (path / "trainer_state.json").is_file():
            return path
        import shutil

        shutil.rmtree(path, ignore_errors=True)
    return None
