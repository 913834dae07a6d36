"""Evaluation: a generic runner, samples and results files, and one file per task in ``eval/tasks/``.

Write a task by subclassing :class:`alignkit.eval.task.Task` (its data, prompt, scoring and metrics) in
``eval/tasks/<task>.py`` and adding ``recipes/eval/<task>.yaml`` whose ``task._target_`` names the class; the runner
(:mod:`alignkit.eval.runner`) does generation, resume, samples files and ``results.json`` for every task alike.
"""

from alignkit.eval.task import Doc, Generation, Sample, Task, build_task

__all__ = ["Doc", "Generation", "Sample", "Task", "build_task"]
