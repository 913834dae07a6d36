"""``alignkit eval TASK``: generate with the configured model and score with the task's evaluator.

Tasks are recipes under ``recipes/eval/`` (``alignkit eval humaneval``). ``samples=PATH`` scores an existing
samples file without loading a model. Results and per-sample files go to the run directory; re-running with
``output_dir=`` of an interrupted evaluation resumes it (samples already generated are kept).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from alignkit.config.schema import ExecutorConfig, GenerationConfig, RecipeBase, model_kwargs
from alignkit.errors import ConfigError

log = logging.getLogger(__name__)

TASKS = ("humaneval",)


@dataclass
class EvalRecipe(RecipeBase):
    """Schema of ``recipes/eval/*.yaml``."""

    task: str = "humaneval"
    mode: str = "chat"  # chat (instruct models: ask for the function) | completion (base models continue)
    n: int = 1  # samples per problem
    ks: list[int] = field(default_factory=lambda: [1])
    limit: int | None = None  # first N problems only
    samples: str | None = None  # score this samples.jsonl instead of generating
    generation: GenerationConfig = field(default_factory=GenerationConfig)
    executor: ExecutorConfig = field(default_factory=ExecutorConfig)

    @staticmethod
    def check(cfg) -> None:
        if cfg.task not in TASKS:
            raise ConfigError(f"task={cfg.task!r} is not an evaluation task; use one of {', '.join(TASKS)}.")
        if cfg.mode not in ("chat", "completion"):
            raise ConfigError(f"mode={cfg.mode!r}: use chat or completion.")
        if cfg.n < 1:
            raise ConfigError("n must be >= 1.")
        bad = [k for k in cfg.ks if k < 1 or k > cfg.n]
        if bad:
            raise ConfigError(f"ks={list(cfg.ks)}: every k must be between 1 and n={cfg.n}; set n higher or drop k.")
        if cfg.n > 1 and cfg.generation.temperature == 0:
            raise ConfigError(f"n={cfg.n} samples with generation.temperature=0 are all identical; "
                              f"set generation.temperature=0.8 (or similar) for pass@k.")
        if cfg.samples and not Path(cfg.samples).expanduser().is_file():
            raise ConfigError(f"samples={cfg.samples}: no such file.")


def _generate_fn(cfg):
    """``generate(prompts, n) -> n responses per prompt`` for the configured model (chat or completion)."""
    from alignkit.generation import generate
    from alignkit.models import load_model, load_tokenizer

    tokenizer = load_tokenizer(cfg.model.name_or_path)
    model = load_model(cfg.model.name_or_path, trainable=False, **model_kwargs(cfg.model))
    g = cfg.generation

    def fn(prompts: list[str], n: int) -> list[list[str]]:
        return generate(model, tokenizer, prompts, n=n, max_new_tokens=g.max_new_tokens, temperature=g.temperature,
                        batch_size=g.batch_size, chat=cfg.mode == "chat", stop=list(g.stop) or None,
                        system_prompt=g.system_prompt)

    return fn


def run(cfg, run_dir: Path, resume_from: Path | None = None) -> dict[str, Any]:
    from alignkit.eval.humaneval import run_humaneval
    from alignkit.sandbox import Executor

    samples = Path(cfg.samples).expanduser() if cfg.samples else None
    generate_fn = None if samples else _generate_fn(cfg)
    e = cfg.executor
    with Executor(max_workers=e.max_workers, timeout_s=e.timeout_s, memory_mb=e.memory_mb) as executor:
        results = run_humaneval(
            run_dir, generate=generate_fn, mode=cfg.mode, n=cfg.n, ks=tuple(cfg.ks), limit=cfg.limit,
            samples_path=samples, executor=executor, batch_size=cfg.generation.batch_size,
            config=OmegaConf.to_container(cfg, resolve=True), model_name=cfg.model.name_or_path,
        )
    return {k: v for k, v in results.items() if isinstance(v, int | float | str)} | {
        f"pass@{k}": v for k, v in results.get("pass_at_k", {}).items()}
