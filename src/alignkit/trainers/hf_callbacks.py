"""Callbacks that put a transformers/TRL ``Trainer`` run in alignkit's run-directory format."""

from __future__ import annotations

import logging
from pathlib import Path

from transformers import TrainerCallback

from alignkit.runs import MetricsLog

log = logging.getLogger(__name__)


class MetricsJSONLCallback(TrainerCallback):
    """Writes every ``Trainer.log`` call as one line of ``metrics.jsonl`` (main process only)."""

    def __init__(self, run_dir: Path):
        self.metrics = MetricsLog(run_dir / "metrics.jsonl")

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs:
            self.metrics.write(state.global_step, {k: v for k, v in logs.items() if k != "total_flos"})


def last_complete_checkpoint(folder: Path, prune: bool = True) -> Path | None:
    """Newest ``checkpoint-N`` whose ``trainer_state.json`` (written last by Trainer) exists.

    A checkpoint torn by a kill mid-save lacks that file; it is skipped (and removed when ``prune``).
    """
    if not folder.is_dir():
        return None
    cands = sorted((p for p in folder.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
                   key=lambda p: int(p.name.split("-")[-1]))
    for path in reversed(cands):
        if (path / "trainer_state.json").is_file():
            return path
        if prune:
            import shutil

            shutil.rmtree(path, ignore_errors=True)
    return None


def resume_checkpoint(run_dir: Path, resume_from: Path | None) -> Path | None:
    """The Trainer checkpoint to resume ``run_dir`` from (``None``: start at step 0), metrics made to match.

    With ``resume_from`` set, this is the last complete ``checkpoints/checkpoint-N``; ``metrics.jsonl`` lines
    logged after step N (by the run that was killed) are dropped, so that the resumed run logs each step once.
    Only the main process of a multi-process launch prunes torn checkpoints and rewrites the metrics.
    """
    if resume_from is None:
        return None
    from alignkit.runs import is_main_process

    main = is_main_process()
    checkpoint = last_complete_checkpoint(Path(run_dir) / "checkpoints", prune=main)
    if checkpoint is None:
        log.warning("resume: no complete checkpoint in %s; starting from step 0", run_dir)
    elif main:
        log.info("Resuming from %s", checkpoint)
    if main:
        MetricsLog(Path(run_dir) / "metrics.jsonl").truncate_after(
            int(checkpoint.name.split("-")[-1]) if checkpoint else 0)
    return checkpoint


class RichStepProgress(TrainerCallback):
    """A ``rich`` progress bar over optimizer steps with the latest loss (main process only).

    (TRL's own RichProgressCallback breaks when ``evaluate()`` is called after ``train()``; this one only
    tracks training.)
    """

    def __init__(self, description: str = "training"):
        self.description = description
        self.progress = None
        self.task = None

    def on_train_begin(self, args, state, control, **kwargs):
        if not state.is_world_process_zero:
            return
        from alignkit.progress import make_progress

        self.progress = make_progress()
        self.progress.start()
        self.task = self.progress.add_task(self.description, total=state.max_steps, completed=state.global_step,
                                           info="")

    def on_step_end(self, args, state, control, **kwargs):
        if self.progress is not None:
            self.progress.update(self.task, completed=state.global_step)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.progress is not None and logs and "loss" in logs:
            self.progress.update(self.task, info=f"loss {logs['loss']:.4f}")

    def on_train_end(self, args, state, control, **kwargs):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


class EvalCallback(TrainerCallback):
    """Runs the recipe's ``eval.tasks`` on the model at step 0, every ``eval.every`` steps and at the end, and logs
    ``eval/<task>/<metric>`` into ``metrics.jsonl`` (main process only; the others go on training and meet it at the
    next synchronisation). Samples and ``results.json`` of each evaluation go to ``<run>/eval/step-NNNNNN/``."""

    def __init__(self, run_dir: Path, settings, tokenizer, seed: int = 0):
        self.run_dir = Path(run_dir)
        self.settings = settings
        self.tokenizer = tokenizer
        self.seed = seed
        self.metrics = MetricsLog(self.run_dir / "metrics.jsonl")
        self.done: set[int] = set()

    def _evaluate(self, state, model) -> None:
        from alignkit.eval.during_training import evaluate

        step = int(state.global_step)
        if not state.is_world_process_zero or step in self.done or model is None:
            return
        s = self.settings
        log.info("evaluating %s at step %d", ", ".join(s.tasks), step)
        results = evaluate(model, self.tokenizer, list(s.tasks), s.limit, max_new_tokens=s.max_new_tokens,
                           out_dir=self.run_dir / "eval" / f"step-{step:06d}", seed=self.seed)
        self.metrics.write(step, results)
        self.done.add(step)

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if state.global_step == 0:
            self._evaluate(state, model)

    def on_step_end(self, args, state, control, model=None, **kwargs):
        every = self.settings.every
        if every and state.global_step % every == 0:
            self._evaluate(state, model)

    def on_train_end(self, args, state, control, model=None, **kwargs):
        self._evaluate(state, model)


def trl_report_to(report_to, run_dir: Path) -> list[str] | str:
    """``trainer.report_to`` for a TRL trainer, with the RL trainers' conventions: TensorBoard logs go to
    ``$TENSORBOARD_LOGGING_DIR`` or ``<run>/tensorboard``, W&B runs offline unless ``WANDB_MODE`` is set."""
    import os

    from alignkit.trainers.engine import tracker_names

    names = tracker_names(report_to)
    if "tensorboard" in names:
        os.environ.setdefault("TENSORBOARD_LOGGING_DIR", str(Path(run_dir) / "tensorboard"))
    if "wandb" in names:
        os.environ.setdefault("WANDB_MODE", "offline")
        os.environ.setdefault("WANDB_DIR", str(run_dir))
    return names or "none"
