"""Evaluation during training: the same tasks as ``alignkit eval``, on the policy being trained.

Trainers take an ``eval:`` section (:class:`EvalSettings`: ``eval.tasks=[gsm8k,humaneval]``, ``eval.every=N``,
``eval.limit=``) and call :func:`evaluate` at step 0, every N steps and at the end, on the main process only,
logging the returned ``{"eval/<task>/<metric>": value}`` into ``metrics.jsonl``. A task is named by its eval
recipe (``recipes/eval/<task>.yaml``), which gives its data, scoring and generation settings (greedy unless the
recipe says otherwise); tasks, and their judges' worker pools, are built once per process and kept warm.
"""

from __future__ import annotations

import atexit
import logging
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alignkit.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass
class EvalSettings:
    """The ``eval:`` section of a training recipe."""

    tasks: list[str] = field(default_factory=list)  # eval task recipes (alignkit eval --list); empty: no evaluation
    every: int = 0  # also every N optimizer steps (0: only at step 0 and at the end)
    limit: int | None = 32  # problems per task (null: all)
    max_new_tokens: int | None = None  # override the task recipes' generation.max_new_tokens (shorter = faster)

    @staticmethod
    def validate(settings: Any) -> None:
        """Refuse bad values by name (called from the trainers' recipe checks)."""
        if settings.every < 0:
            raise ConfigError(f"eval.every={settings.every}: use a number of steps >= 1, or 0 for start and end only.")
        if settings.limit is not None and settings.limit < 1:
            raise ConfigError(f"eval.limit={settings.limit}: use a positive number of problems, or null for all.")
        if settings.max_new_tokens is not None and settings.max_new_tokens < 1:
            raise ConfigError(f"eval.max_new_tokens={settings.max_new_tokens} must be >= 1.")
        for name in settings.tasks:
            _task_recipe(str(name))


_TASKS: dict[str, tuple[Any, Any]] = {}
_LOCK = threading.Lock()


def _task_recipe(name: str) -> Any:
    """The composed eval recipe of task ``name`` (its ``task`` section and generation settings)."""
    from alignkit.config import compose_recipe, recipe_files
    from alignkit.eval.runner import EvalRecipe

    available = recipe_files("eval")
    if name not in available and not name.endswith((".yaml", ".yml")):
        raise ConfigError(f"eval.tasks: no eval task `{name}`. Available: {', '.join(sorted(available))}.")
    return compose_recipe("eval", "eval", name, [], EvalRecipe)


def _task(name: str) -> tuple[Any, Any]:
    """``(Task, generation settings)`` for ``name``, built once per process."""
    from alignkit.eval.task import build_task

    with _LOCK:
        if name not in _TASKS:
            cfg = _task_recipe(name)
            _TASKS[name] = (build_task(cfg.task), cfg.generation)
        return _TASKS[name]


@atexit.register
def close_tasks() -> None:
    """Close the cached tasks (their judges' worker pools)."""
    with _LOCK:
        for task, _ in _TASKS.values():
            try:
                task.close()
            except Exception:  # noqa: BLE001 - best effort at exit
                pass
        _TASKS.clear()


def evaluate(model: Any, tokenizer: Any, tasks: list[str], limit: int | None, generator: Any = None, *,
             max_new_tokens: int | None = None, out_dir: str | Path | None = None, seed: int = 0,
             show_progress: bool = False) -> dict[str, float]:
    """Run the eval ``tasks`` on ``model`` and return ``{"eval/<task>/<metric>": value}``, ``<task>`` the recipe name.

    Args:
        model, tokenizer: the policy (any causal LM, wrapped by peft/accelerate or not).
        tasks: eval task recipe names, e.g. ``["gsm8k", "humaneval"]``.
        limit: the first ``limit`` problems of each task (``None``: all).
        generator: a generator from :func:`alignkit.generation.make_generator` to reuse (e.g. the trainer's vLLM
            engine); by default an HF generator with each task recipe's settings. Temperature and length are the
            task's and are passed on every call, so nothing leaks into or out of the trainer's own sampling.
        max_new_tokens: override the task recipes' generation length.
        out_dir: where to keep ``samples_<task>.jsonl`` and ``results.json`` of this evaluation (default: nowhere).
        seed: sampling seed (greedy tasks do not depend on it).
    """
    import transformers
    from omegaconf import OmegaConf

    from alignkit.eval.runner import flat_metrics, results_document, run_task
    from alignkit.eval.task import Generation
    from alignkit.generation import GenerationSettings, make_generator

    if limit is not None and limit < 1:
        raise ConfigError(f"eval limit={limit}: use a positive number of problems, or None for all.")
    tmp = None
    if out_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="alignkit-eval-")
        where = Path(tmp.name)
    else:
        where = Path(out_dir)
    per_task: dict[str, dict[str, Any]] = {}
    try:
        for name in tasks:
            task, g = _task(str(name))
            settings = GenerationSettings(**OmegaConf.to_container(g, resolve=True))
            if max_new_tokens is not None:
                settings.max_new_tokens = int(max_new_tokens)
            gen_obj = generator if generator is not None else make_generator(model, tokenizer, settings)
            gen = Generation(gen_obj, tokenizer, temperature=settings.temperature,
                             max_new_tokens=settings.max_new_tokens, stop=[*settings.stop, *task.stop()],
                             system_prompt=settings.system_prompt)
            transformers.set_seed(seed)
            result = run_task(task, where, gen=gen, n=1, ks=[1], limit=limit, batch_size=settings.batch_size,
                              show_progress=show_progress, config={"limit": limit, "during_training": True})
            per_task[str(name)] = result  # keyed by the eval recipe (coding_easy runs the mbpp task)
        if out_dir is not None:
            from alignkit.runs import atomic_write_json

            atomic_write_json(where / "results.json", results_document(per_task, None, seed, 0.0))
    finally:
        if tmp is not None:
            tmp.cleanup()
    return flat_metrics(per_task, prefix="eval/")
