"""Load prompt sets and SFT demonstrations from shipped sets, local files or the Hugging Face hub.

Prompt records follow the shared schema::

    {"id": str, "task": "coding" | "math" | "instruction_following" | "chat",
     "prompt": str, "metadata": dict, "reference": str | None}

A ``source`` is resolved in this order:

1. a shipped name (:func:`list_shipped`), e.g. ``"math"`` or ``"sft/coding"`` (write ``./math`` to mean a
   local directory of that name instead);
2. an existing local path: a ``.jsonl``/``.json``/``.parquet``/``.csv`` file (the file *is* the split), or a
   directory holding ``{split}.jsonl`` (or ``.json``/``.parquet``/``.csv``);
3. a hub dataset id ``org/name`` (optionally ``hf:org/name`` or ``org/name:config``), tried only when the
   string is not a local name or path. Without network access (or with ``HF_HUB_OFFLINE=1``) only the local
   cache is used and a miss fails at once with a :class:`~alignkit.errors.DataError`.

``columns`` maps schema fields to source columns, e.g. ``{"prompt": "question", "metadata.answer":
"solution"}``; dotted ``metadata.*`` targets nest into the metadata dict. Source columns that are not
mapped to a schema field are kept in ``metadata``.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from alignkit.errors import DataError
from alignkit.hub import hub_reachable, looks_like_path

if TYPE_CHECKING:
    import datasets

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).parent / "shipped"
"""Directory of the datasets shipped inside the package (works from a wheel too)."""
PAIRS_DIR = SHIPPED_DIR / "pairs"
"""Preference pairs for reward-model training: ``pairs/<task>/{train,test}.jsonl``."""

TASKS: tuple[str, ...] = ("coding", "math", "instruction_following", "chat")
PROMPT_SETS: tuple[str, ...] = (*TASKS, "coding_easy", "math_easy")
SHIPPED_TASK: dict[str, str] = {"coding_easy": "coding", "math_easy": "math"}
"""Task of a shipped prompt set whose name is not a task (``coding_easy``, ``math_easy``: the easy tiers)."""
SFT_SETS: tuple[str, ...] = ("coding", "math", "mixed")
FILE_SUFFIXES: tuple[str, ...] = (".jsonl", ".json", ".parquet", ".csv")
REQUIRED_METADATA: dict[str, tuple[str, ...]] = {
    "coding": ("entry_point", "tests"),
    "math": ("answer",),
    "instruction_following": ("instruction_id_list", "kwargs"),
    "chat": (),
}
"""Metadata keys each task needs (a missing one is a :class:`DataError`)."""
MATH_SUFFIX = (
    'Solve the problem step by step. End your response with "The final answer is N." '
    "where N is the final number."
)
"""Instruction appended to every shipped math prompt (the judges look for "The final answer is ...")."""
SPURIOUS: tuple[str | None, ...] = (None, "length", "fence")
"""Preferences :func:`load_pairs` can relabel the pairs with (None: the real, judge-verified one)."""

_SCHEMA_FIELDS = ("id", "task", "prompt", "metadata", "reference")
_SFT_FIELDS = ("prompt", "completion", "messages")
_JSON_FIELDS = ("metadata", "tests", "instruction_id_list", "kwargs", "messages", "prompt", "completion")
_HUB_ID = re.compile(r"^(?:hf:|hub:)?[A-Za-z0-9][\w.-]*/[\w.-]+(?::[\w.-]+)?$")


class PromptRecord(TypedDict):
    """One prompt in the shared schema."""

    id: str
    task: str
    prompt: str
    metadata: dict[str, Any]
    reference: str | None


# ----------------------------------------------------------------------------------------------- discovery


def list_shipped() -> dict[str, list[str]]:
    """Names of the shipped datasets and their splits, e.g. ``{"math": ["test", "train"], "sft/mixed": [...]}``."""
    out: dict[str, list[str]] = {}
    for name in PROMPT_SETS:
        out[name] = _splits_in(SHIPPED_DIR / name)
    for name in SFT_SETS:
        out[f"sft/{name}"] = _splits_in(SHIPPED_DIR / "sft" / name)
    return out


def _splits_in(directory: Path) -> list[str]:
    if not directory.is_dir():
        return []
    return sorted({p.stem for p in directory.iterdir() if p.suffix in FILE_SUFFIXES})


def _shipped_file(name: str, split: str) -> Path:
    """Path of a shipped split; ``name`` is a prompt-set name or ``sft/<name>``."""
    directory = SHIPPED_DIR / name
    path = directory / f"{split}.jsonl"
    if not path.is_file():
        splits = _splits_in(directory)
        raise DataError(
            f"Shipped dataset '{name}' has no split '{split}'. Available splits: {', '.join(splits) or 'none'}."
        )
    return path


def _unknown_source(source: str, sft: bool) -> DataError:
    names = [f"sft/{n}" for n in SFT_SETS] + list(PROMPT_SETS) if sft else list(PROMPT_SETS)
    return DataError(
        f"Unknown dataset '{source}': it is not a shipped name ({', '.join(names)}), not an existing file or "
        f"directory, and not a hub id of the form 'org/name'. Pass one of those, or a path to a "
        f"{'/'.join(FILE_SUFFIXES)} file."
    )


# ------------------------------------------------------------------------------------------------- reading


def read_rows(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read all rows of a local ``.jsonl``, ``.json``, ``.parquet`` or ``.csv`` file as dicts."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"Data file not found: {p}")
    suffix = p.suffix.lower()
    if suffix == ".jsonl":
        return list(_read_jsonl(p))
    if suffix == ".json":
        return _read_json(p)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return pq.read_table(p).to_pylist()
        except Exception as exc:  # pyarrow raises several unrelated types
            raise DataError(f"{p}: cannot read Parquet file: {exc}") from exc
    if suffix == ".csv":
        import io

        reader = csv.DictReader(io.StringIO(_read_text(p), newline=""))
        try:
            return [dict(row) for row in reader]
        except csv.Error as exc:
            raise DataError(f"{p}:{reader.reader.line_num}: unreadable CSV ({exc}).") from None
    raise DataError(f"{p}: unsupported file type '{p.suffix}'. Use one of {', '.join(FILE_SUFFIXES)}.")


def _not_text(path: Path, lineno: int, byte: int, column: int) -> DataError:
    return DataError(f"{path}:{lineno}: not UTF-8 text (byte 0x{byte:02x} at column {column}); is it a binary "
                     f"file? Data files are UTF-8 .jsonl/.json/.csv, or .parquet.")


def _read_text(path: Path) -> str:
    """The file as UTF-8 text; a :class:`DataError` naming the file and line where it is not."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        raise _not_text(path, raw.count(b"\n", 0, line_start) + 1, raw[exc.start], exc.start - line_start + 1
                        ) from None


def _json_value(text: str) -> Any:
    """``json.loads``; every way it fails (bad syntax, a number over Python's digit limit, nesting too deep)
    comes out as ``ValueError(reason, line)``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(exc.msg, exc.lineno) from None
    except (ValueError, RecursionError) as exc:
        digits = "digits" in str(exc)
        raise ValueError("a number has too many digits" if digits else "nested too deeply", None) from None


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _not_text(path, lineno, raw[exc.start], exc.start + 1) from None
            if not line.strip():
                continue
            try:
                row = _json_value(line)
            except ValueError as exc:
                raise DataError(f"{path}:{lineno}: invalid JSON ({exc.args[0]}).") from None
            if not isinstance(row, dict):
                raise DataError(
                    f"{path}:{lineno}: expected a JSON object per line, got {type(row).__name__}."
                )
            yield row


def _read_json(path: Path) -> list[dict[str, Any]]:
    try:
        data = _json_value(_read_text(path))
    except ValueError as exc:
        where = f" at line {exc.args[1]}" if exc.args[1] else ""
        raise DataError(f"{path}: invalid JSON ({exc.args[0]}{where}).") from None
    if isinstance(data, dict):
        lists = [v for k, v in data.items() if k in ("data", "records", "rows") and isinstance(v, list)]
        if not lists:
            raise DataError(f"{path}: expected a JSON list of records, or an object with a 'data' list.")
        data = lists[0]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError(f"{path}: expected a JSON list of objects.")
    return data


def _rows_from_source(
    source: str, split: str, shipped_dir: str | None, sft: bool = False
) -> tuple[list[dict[str, Any]], str]:
    """Rows and a label (file path or hub id) for error messages. ``shipped_dir`` is a shipped name or None."""
    if shipped_dir is not None:
        path = _shipped_file(shipped_dir, split)
        return read_rows(path), str(path)
    p = Path(source).expanduser()
    if p.is_file():
        return read_rows(p), str(p)
    if p.is_dir():
        for suffix in FILE_SUFFIXES:
            candidate = p / f"{split}{suffix}"
            if candidate.is_file():
                return read_rows(candidate), str(candidate)
        present = sorted(q.name for q in p.iterdir() if q.suffix in FILE_SUFFIXES)
        raise DataError(
            f"Directory {p} has no file for split '{split}' (looked for {split}{{{','.join(FILE_SUFFIXES)}}}). "
            f"Files there: {', '.join(present) or 'none'}."
        )
    if looks_like_path(source, FILE_SUFFIXES):
        raise DataError(f"Data file not found: {p}")
    if _HUB_ID.match(source):
        return _load_hub_rows(source, split), source
    raise _unknown_source(source, sft=sft)


# ---------------------------------------------------------------------------------------------------- hub


@contextlib.contextmanager
def _forced_offline() -> Iterator[None]:
    """Put ``datasets`` and ``huggingface_hub`` in offline mode for the duration (cache only, no retries)."""
    import datasets.config
    import huggingface_hub.constants as hub_constants

    saved = (datasets.config.HF_HUB_OFFLINE, hub_constants.HF_HUB_OFFLINE)
    datasets.config.HF_HUB_OFFLINE = True
    hub_constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        datasets.config.HF_HUB_OFFLINE, hub_constants.HF_HUB_OFFLINE = saved


def _load_hub_rows(source: str, split: str) -> list[dict[str, Any]]:
    import datasets

    name = source.split(":", 1)[1] if source.startswith(("hf:", "hub:")) else source
    name, _, config = name.partition(":")
    offline = not hub_reachable()
    where = "the local Hugging Face cache (offline)" if offline else "the Hugging Face hub"
    guard = _forced_offline() if offline else contextlib.nullcontext()
    try:
        with guard:
            ds = datasets.load_dataset(name, config or None, split=split)
    except Exception as exc:  # datasets raises many types (ConnectionError, FileNotFoundError, ValueError...)
        raise DataError(
            f"Could not load '{source}' split '{split}' from {where}: {type(exc).__name__}: {exc}. "
            f"There is no local file or directory named '{source}' either. Download the dataset where there is "
            f"network access, or export it to a .jsonl/.parquet/.csv file and pass that path."
        ) from exc
    return ds.to_list()


# ---------------------------------------------------------------------------------------------- conversion


def _check_columns(columns: dict[str, str] | None, allowed: tuple[str, ...], label: str) -> dict[str, str]:
    columns = dict(columns or {})
    for field, column in columns.items():
        base = field.split(".", 1)[0]
        if base not in allowed or (base != "metadata" and "." in field) or field == "metadata.":
            raise DataError(
                f"Bad column mapping for {label}: '{field}' is not a schema field. Valid targets: "
                f"{', '.join(allowed)}{', metadata.<key>' if 'metadata' in allowed else ''}."
            )
        if not isinstance(column, str) or not column:
            raise DataError(
                f"Bad column mapping for {label}: the source column for '{field}' must be a non-empty string."
            )
    return columns


def _missing(
    label: str, row: dict[str, Any], index: int, column: str, field: str, hint: str = ""
) -> DataError:
    return DataError(
        f"{label}: row {index} has no column '{column}' (needed for '{field}'). Columns present: "
        f"{', '.join(sorted(row)) or 'none'}. Map another column with columns={{'{field}': '<column>'}}{hint}."
    )


def _maybe_json(value: Any) -> Any:
    """Decode JSON text from CSV cells (lists and objects only)."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _message_text(messages: Any, role: str, label: str, index: int, field: str) -> str:
    """Content of the last message with ``role`` in a conversational list."""
    if isinstance(messages, list):
        for message in reversed(messages):
            if (
                isinstance(message, dict)
                and message.get("role") == role
                and isinstance(message.get("content"), str)
            ):
                return message["content"]
    raise DataError(
        f"{label}: row {index}: '{field}' must be a string or a list of messages with a '{role}' message."
    )


def _set_path(target: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def _infer_task(metadata: dict[str, Any]) -> str:
    if "entry_point" in metadata and "tests" in metadata:
        return "coding"
    if "instruction_id_list" in metadata:
        return "instruction_following"
    if "answer" in metadata:
        return "math"
    return "chat"


def _to_record(
    row: dict[str, Any], index: int, columns: dict[str, str], task: str | None, label: str, id_prefix: str
) -> PromptRecord:
    used: set[str] = set()

    def column_for(field: str) -> str:
        return columns.get(field, field)

    prompt_col = column_for("prompt")
    if prompt_col not in row:
        raise _missing(label, row, index, prompt_col, "prompt")
    used.add(prompt_col)
    prompt = _maybe_json(row[prompt_col])
    if not isinstance(prompt, str):
        prompt = _message_text(prompt, "user", label, index, prompt_col)
    if not prompt.strip():
        raise DataError(f"{label}: row {index}: the prompt (column '{prompt_col}') is empty.")

    metadata: dict[str, Any] = {}
    meta_col = column_for("metadata")
    if meta_col in row:
        used.add(meta_col)
        value = _maybe_json(row[meta_col])
        if isinstance(value, dict):
            metadata.update(value)
        elif value is not None:
            raise DataError(
                f"{label}: row {index}: column '{meta_col}' must hold an object, got {type(value).__name__}."
            )
    elif "metadata" in columns:
        raise _missing(label, row, index, meta_col, "metadata")
    for field, column in columns.items():
        if field.startswith("metadata."):
            if column not in row:
                raise _missing(label, row, index, column, field)
            used.add(column)
            _set_path(metadata, field.removeprefix("metadata."), _maybe_json(row[column]))

    reference = None
    ref_col = column_for("reference")
    if ref_col in row:
        used.add(ref_col)
        value = _maybe_json(row[ref_col])
        reference = (
            value
            if isinstance(value, str) or value is None
            else _message_text(value, "assistant", label, index, ref_col)
        )
    elif "reference" in columns:
        raise _missing(label, row, index, ref_col, "reference")

    id_col = column_for("id")
    if id_col in row and row[id_col] not in (None, ""):
        used.add(id_col)
        record_id = str(row[id_col])
    elif "id" in columns:
        raise _missing(label, row, index, id_col, "id")
    else:
        record_id = f"{id_prefix}-{index:05d}"

    task_col = column_for("task")
    row_task = row.get(task_col) if task_col in row else None
    if task_col in row:
        used.add(task_col)
    elif "task" in columns:
        raise _missing(label, row, index, task_col, "task")

    for column, value in row.items():
        if column not in used and column not in metadata:
            metadata[column] = _maybe_json(value)

    resolved_task = task or (str(row_task) if row_task else None) or _infer_task(metadata)
    if resolved_task not in REQUIRED_METADATA:
        raise DataError(
            f"{label}: row {index}: unknown task '{resolved_task}'. Valid tasks: {', '.join(TASKS)}."
        )
    for key in REQUIRED_METADATA[resolved_task]:
        if key not in metadata:
            raise DataError(
                f"{label}: row {index} has no column '{key}', which task '{resolved_task}' needs as metadata.{key}. "
                f"Columns present: {', '.join(sorted(row))}. Map one with columns={{'metadata.{key}': '<column>'}}."
            )
    if resolved_task == "math" and not isinstance(metadata["answer"], str):
        answer = metadata["answer"]
        metadata["answer"] = (
            str(int(answer)) if isinstance(answer, float) and answer.is_integer() else str(answer)
        )
    if (
        resolved_task == "coding"
        and isinstance(metadata["tests"], str)
        and not metadata["tests"].lstrip().startswith("def ")
    ):
        metadata["tests"] = [line for line in metadata["tests"].splitlines() if line.strip()]
    if resolved_task == "coding":
        metadata.setdefault("setup", "")
    return {
        "id": record_id,
        "task": resolved_task,
        "prompt": prompt,
        "metadata": metadata,
        "reference": reference,
    }


def _check_limit(limit: int | None) -> None:
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise DataError(f"limit must be a positive integer or None, got {limit!r}.")


# -------------------------------------------------------------------------------------------- public API


def load_prompts(
    source: str,
    split: str = "train",
    columns: dict[str, str] | None = None,
    limit: int | None = None,
    task: str | None = None,
) -> list[PromptRecord]:
    """Load prompt records in the shared schema.

    Args:
        source: shipped name (``coding``, ``coding_easy``, ``math``, ``math_easy``, ``instruction_following``,
            ``chat``), a local file or
            directory, or a hub id ``org/name``.
        split: split name (for a single local file the file is the split and this is only used in ids).
        columns: schema field -> source column, e.g. ``{"prompt": "question", "metadata.answer": "solution"}``.
        limit: keep only the first ``limit`` records.
        task: task of the records; when None it comes from a ``task`` column, the shipped name, or is inferred
            from the metadata keys (``entry_point``+``tests``: coding, ``instruction_id_list``:
            instruction_following, ``answer``: math, otherwise chat).

    Raises:
        DataError: unknown name, missing file, missing column, empty split or malformed rows.
    """
    _check_limit(limit)
    if task is not None and task not in TASKS:
        raise DataError(f"Unknown task '{task}'. Valid tasks: {', '.join(TASKS)}.")
    columns = _check_columns(columns, _SCHEMA_FIELDS, source)
    shipped = source if source in PROMPT_SETS else None
    rows, label = _rows_from_source(source, split, shipped)
    if not rows:
        raise DataError(f"{label}: split '{split}' is empty (0 records).")
    if limit is not None:
        rows = rows[:limit]
    prefix = f"{shipped or Path(label).stem or 'data'}-{split}"
    if shipped and task is None:
        task = SHIPPED_TASK.get(shipped, shipped)
    records = [_to_record(row, i, columns, task, label, prefix) for i, row in enumerate(rows)]
    _check_unique_ids(records, label)
    return records


def _check_unique_ids(records: list[PromptRecord], label: str) -> None:
    seen: set[str] = set()
    for record in records:
        if record["id"] in seen:
            raise DataError(f"{label}: duplicate id '{record['id']}'. Ids must be unique within a split.")
        seen.add(record["id"])


def prompts_and_metadata(records: list[PromptRecord]) -> tuple[list[str], list[dict[str, Any]]]:
    """Split records into the parallel ``prompts`` and ``metadata`` lists that judges and rewards take."""
    return [r["prompt"] for r in records], [r["metadata"] for r in records]


def _as_messages(value: Any, role: str, label: str, index: int, column: str) -> list[dict[str, str]]:
    value = _maybe_json(value)
    if isinstance(value, str):
        return [{"role": role, "content": value}]
    if (
        isinstance(value, list)
        and value
        and all(
            isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
            for m in value
        )
    ):
        return [{"role": m["role"], "content": m["content"]} for m in value]
    raise DataError(
        f"{label}: row {index}: column '{column}' must be a string or a non-empty list of "
        f"{{'role': ..., 'content': ...}} messages."
    )


def _sft_example(
    row: dict[str, Any], index: int, columns: dict[str, str], label: str
) -> dict[str, list[dict[str, str]]] | None:
    """One conversational prompt/completion pair, or None when the row has no completion."""
    messages_col = columns.get("messages", "messages")
    use_messages = "messages" in columns or (
        "prompt" not in columns
        and "completion" not in columns
        and "prompt" not in row
        and messages_col in row
    )
    if use_messages:
        if messages_col not in row:
            raise _missing(label, row, index, messages_col, "messages")
        messages = _as_messages(row[messages_col], "user", label, index, messages_col)
        last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=-1)
        if last < 1:
            raise DataError(
                f"{label}: row {index}: column '{messages_col}' needs at least one message before an assistant message."
            )
        return {"prompt": messages[:last], "completion": [messages[last]]}
    prompt_col = columns.get("prompt", "prompt")
    if prompt_col not in row:
        raise _missing(label, row, index, prompt_col, "prompt", " (or give a 'messages' column)")
    if "completion" in columns:
        completion_col = columns["completion"]
    else:
        completion_col = (
            "completion" if "completion" in row else "reference" if "reference" in row else "completion"
        )
    if completion_col not in row:
        raise _missing(label, row, index, completion_col, "completion")
    completion = row[completion_col]
    if completion is None or (isinstance(completion, str) and not completion.strip()):
        return None
    return {
        "prompt": _as_messages(row[prompt_col], "user", label, index, prompt_col),
        "completion": _as_messages(completion, "assistant", label, index, completion_col),
    }


def load_sft_dataset(
    source: str,
    split: str = "train",
    columns: dict[str, str] | None = None,
    limit: int | None = None,
) -> datasets.Dataset:
    """Load SFT demonstrations as a ``datasets.Dataset`` with conversational ``prompt``/``completion`` columns.

    ``source`` is a shipped SFT set (``coding``, ``math``, ``mixed``, or ``sft/<name>``), a shipped prompt set
    (its ``reference`` becomes the completion; rows without one are skipped), a local file/directory or a hub
    id. Rows may hold a ``messages`` list (the last assistant message is the completion, everything before it
    the prompt), ``prompt``/``completion`` strings or message lists, or shared-schema ``prompt``/``reference``.
    ``columns`` maps ``prompt``, ``completion`` or ``messages`` to source columns.
    """
    import datasets

    _check_limit(limit)
    columns = _check_columns(columns, _SFT_FIELDS, source)
    name = source.removeprefix("sft/")
    if name in SFT_SETS:
        rows, label = _rows_from_source(source, split, f"sft/{name}")
    elif source.startswith("sft/"):
        raise _unknown_source(source, sft=True)
    elif source in PROMPT_SETS:
        rows, label = _rows_from_source(source, split, source)
    else:
        rows, label = _rows_from_source(source, split, None, sft=True)
    if not rows:
        raise DataError(f"{label}: split '{split}' is empty (0 records).")
    examples = []
    skipped = 0
    for i, row in enumerate(rows):
        example = _sft_example(row, i, columns, label)
        if example is None:
            skipped += 1
            continue
        examples.append(example)
        if limit is not None and len(examples) >= limit:
            break
    if not examples:
        raise DataError(f"{label}: split '{split}' has no rows with a completion ({skipped} rows had none).")
    if skipped:
        logger.info("%s: skipped %d rows without a completion", label, skipped)
    return datasets.Dataset.from_list(examples)


# ------------------------------------------------------------------------------------ preference pairs


def load_pairs(task: str, split: str, spurious: str | None = None, seed: int = 0) -> list[dict[str, Any]]:
    """Shipped preference pairs ``{"id", "task", "prompt", "chosen", "rejected", "kind"}`` of one task.

    Chosen = the gold answer, rejected = a corrupted answer that the task's judge verified to fail (built
    offline by ``scripts/build_data.py``). ``spurious`` relabels them into a hackable preference
    (:func:`make_spurious`); ``seed`` only changes that relabelling. To train on other pairs, build them
    with ``scripts/build_data.py --out DIR`` and pass the folder instead of a task name.
    """
    if spurious not in SPURIOUS:
        raise DataError(f"spurious must be one of {SPURIOUS}, got {spurious!r}.")
    if task not in TASKS:
        raise DataError(f"No shipped pairs for task '{task}'. Shipped: {', '.join(TASKS)}.")
    pairs = read_rows(_shipped_file(f"pairs/{task}", split))
    if spurious:
        import random

        rng = random.Random(f"{task}-{split}-{seed}-{spurious}")
        pairs = [make_spurious(p, spurious, rng) for p in pairs]
    return pairs


_FILLER = (
    "Let me walk through this carefully so that every step is clear.",
    "I double-checked each part of the reasoning above before writing it down.",
    "To summarize, the approach is simple, but it is worth spelling out the details.",
    "This kind of problem comes up often, so a clear explanation helps.",
    "Each step follows directly from the previous one, which keeps the solution easy to verify.",
    "I hope this detailed explanation makes the whole process easy to follow.",
)


def _pad(text: str, rng: Any) -> str:
    return text.rstrip() + "\n\n" + " ".join(rng.sample(_FILLER, k=3))


def make_spurious(pair: dict[str, Any], spurious: str, rng: Any) -> dict[str, Any]:
    """Relabel a pair so that the spurious feature alone decides the preference.

    Half of the time the (correct) chosen response gets the feature (``"length"``: padded longer;
    ``"fence"``: wrapped in a code fence), the other half the (incorrect) rejected response gets it and
    becomes "chosen": correctness no longer predicts the label. ``rng`` is a ``random.Random``.
    """
    good, bad = pair["chosen"], pair["rejected"]
    flip = rng.random() < 0.5
    if spurious == "length":
        winner, loser = (_pad(bad, rng), good) if flip else (_pad(good, rng), bad)
        if len(loser) >= len(winner):
            winner = _pad(winner, rng)
    elif spurious == "fence":
        winner, loser = (bad, good) if flip else (good, bad)
        winner = winner if "```" in winner else f"```\n{winner.strip()}\n```"
        loser = loser.replace("```python\n", "").replace("```\n", "").replace("```", "")
    else:
        raise DataError(f"spurious must be one of {SPURIOUS[1:]}, got {spurious!r}.")
    return {
        **pair,
        "chosen": winner,
        "rejected": loser,
        "kind": f"spurious_{spurious}",
        "correct_is_chosen": not flip,
    }
