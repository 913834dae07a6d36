"""Run directories: resolved config, metrics (JSONL), logs and checkpoints under one folder, and resume.

Layout of a run directory::

    runs/<command>/<recipe>/<timestamp>/
        config.yaml          the resolved config of the run
        metrics.jsonl        one JSON object per logged step, with "step"
        train.log            the log
        checkpoints/checkpoint-N/  one folder per checkpoint (every command: TRL's convention), written atomically
        checkpoints/latest         name of the newest complete checkpoint (RL trainers)

A run killed at any moment (SIGKILL included) and resumed continues from its last complete checkpoint: metrics
lines logged after that checkpoint are dropped on resume, so that the file ends with each step exactly once.

Under ``accelerate launch`` (or torchrun, mpirun) every process runs the CLI; the main process alone picks the run
directory (a new one, or the one to resume) and the others receive it by broadcast (:func:`on_main_then_share`), so
that a launch makes exactly one run directory. Only the main process writes the config, metrics, summary and
logs there.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alignkit.errors import UserError

log = logging.getLogger(__name__)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


class MetricsLog:
    """Append-only ``metrics.jsonl``: one flushed and fsynced line per call."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, step: int, metrics: dict[str, Any]) -> None:
        record = {"step": int(step), "time": round(time.time(), 3), **_plain(metrics)}
        with open(self.path, "a") as fh:
            fh.write(json.dumps(record, sort_keys=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        rows = []
        for line in self.path.read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:  # a line torn by a kill mid-write is dropped
                continue
        return rows

    def truncate_after(self, step: int) -> None:
        """Keep only rows logged at or before ``step`` (used when resuming from the checkpoint at ``step``)."""
        rows = [r for r in self.read() if int(r.get("step", 0)) <= step]
        atomic_write_text(self.path, "".join(json.dumps(r) + "\n" for r in rows))


def _plain(metrics: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in metrics.items():
        if hasattr(v, "item") and callable(v.item):
            v = v.item()
        if isinstance(v, float) and v != v:  # NaN is not JSON
            v = None
        out[k] = v
    return out


class Checkpoints:
    """Atomic step checkpoints ``<run>/checkpoints/checkpoint-N`` (runs made before checkpoint-N used ``step-N``:
    those are still found and resumed)."""

    def __init__(self, run_dir: Path, keep: int = 2):
        self.root = run_dir / "checkpoints"
        self.keep = keep

    def save(self, step: int, write: Callable[[Path], None]) -> Path:
        """Call ``write(tmp_dir)`` then publish it as ``checkpoint-N`` and point ``latest`` at it."""
        self.root.mkdir(parents=True, exist_ok=True)
        final = self.root / f"checkpoint-{step}"
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-checkpoint-{step}-", dir=self.root))
        try:
            write(tmp)
            if final.exists():
                shutil.rmtree(final)
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        atomic_write_text(self.root / "latest", final.name + "\n")
        self._prune()
        return final

    def list(self) -> list[Path]:
        if not self.root.exists():
            return []
        dirs = [p for p in self.root.iterdir() if p.is_dir() and _step_number(p.name) is not None]
        return sorted(dirs, key=lambda p: _step_number(p.name))

    def latest(self) -> Path | None:
        pointer = self.root / "latest"
        if pointer.exists():
            cand = self.root / pointer.read_text().strip()
            if cand.is_dir():
                return cand
        dirs = self.list()
        return dirs[-1] if dirs else None

    def _prune(self) -> None:
        if self.keep <= 0:
            return
        for old in self.list()[: -self.keep]:
            shutil.rmtree(old, ignore_errors=True)


def _step_number(name: str) -> int | None:
    for prefix in ("checkpoint-", "step-"):
        if name.startswith(prefix) and name[len(prefix):].isdigit():
            return int(name[len(prefix):])
    return None


def step_of(checkpoint: Path) -> int:
    step = _step_number(checkpoint.name)
    if step is None:
        raise UserError(f"{checkpoint} is not a checkpoint folder (expected checkpoint-N).")
    return step


def launch_rank() -> int:
    """This process's global rank as set by the launcher (torchrun/accelerate, MPI); 0 for a plain process."""
    return _int_env(("RANK", "OMPI_COMM_WORLD_RANK", "MV2_COMM_WORLD_RANK", "PMI_RANK"), 0)


def launch_world_size() -> int:
    """The number of processes the launcher started (1 for a plain process)."""
    return _int_env(("WORLD_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE", "PMI_SIZE"), 1)


def is_main_process() -> bool:
    return launch_rank() == 0


def _int_env(names: tuple[str, ...], default: int) -> int:
    for name in names:
        value = os.environ.get(name, "").strip()
        if value.lstrip("-").isdigit():
            return int(value)
    return default


def on_main_then_share(decide: Callable[[], Any], cpu: bool) -> Any:
    """Run ``decide()`` on the main process only and return its result on every process.

    With one process this is ``decide()``. Under a multi-process launch it starts the process group (accelerate's
    ``PartialState``, which the trainers' ``Accelerator``/``Trainer`` then reuse; ``cpu`` must match what they ask
    for) and broadcasts the result, which must be picklable. An exception raised by ``decide`` on the main process
    is re-raised there; the other processes then raise :class:`SilentExit` (the main one reports the error).
    """
    if launch_world_size() <= 1:
        return decide()
    from accelerate import PartialState
    from accelerate.utils import broadcast_object_list

    state = PartialState(cpu=cpu)
    if state.num_processes <= 1:
        return decide()
    holder: list[Any] = [None]
    error: Exception | None = None
    if state.is_main_process:
        try:
            holder = [("ok", decide())]
        except Exception as err:  # tell the others before failing, so that they do not wait forever
            error = err
            holder = [("error", 2 if isinstance(err, UserError) else 1)]
    broadcast_object_list(holder, from_process=0)
    if error is not None:
        raise error
    kind, value = holder[0]
    if kind == "error":
        raise SilentExit(value)
    return value


class SilentExit(Exception):
    """A non-main process stops because the main process failed and reports why (exit code in ``args[0]``)."""


def default_run_root(command: str, recipe: str, base: str | Path = "runs") -> Path:
    return Path(base) / command / Path(recipe).stem


def new_run_dir(command: str, recipe: str, output_dir: str | None, base: str | Path = "runs") -> Path:
    """``output_dir`` if given, else ``runs/<command>/<recipe>/<timestamp>`` (unique); made, and checked to
    be a directory this process can write files in (see :func:`ensure_writable_dir`)."""
    if output_dir:
        path = Path(output_dir)
    else:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = default_run_root(command, recipe, base) / stamp
        n = 1
        while path.exists():
            path = default_run_root(command, recipe, base) / f"{stamp}-{n}"
            n += 1
    ensure_writable_dir(path, "output_dir" if output_dir else "the run directory")
    return path


def ensure_writable_dir(path: Path, what: str = "output_dir") -> None:
    """Make ``path`` (and its parents) and write and delete a file there, so that a path that is a file, lies
    on a read-only or virtual file system (``/proc``), is too long or not ours fails now with a
    :class:`UserError` naming it and the fix, not with a traceback at the first checkpoint."""
    shown = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if len(shown) > 120:
        shown = shown[:100] + f"... ({len(shown)} characters)"
    fix = "Pass output_dir=<a directory you can write to>."
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".alignkit-write-check-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except FileExistsError:
        raise UserError(f"{what}={shown} is an existing file, not a directory. {fix}") from None
    except NotADirectoryError:
        raise UserError(f"{what}={shown}: part of the path is a file, not a directory. {fix}") from None
    except OSError as err:
        raise UserError(f"{what}={shown}: cannot make or write this directory ({err.strerror or err}). {fix}") from None
    except ValueError as err:  # an embedded NUL byte
        raise UserError(f"{what}={shown} is not a valid path ({err}). {fix}") from None


def find_resume_dir(command: str, recipe: str, resume: str | bool, base: str | Path = "runs") -> Path:
    """The run to continue: the latest of this recipe (``resume=true``) or a given run/checkpoint path."""
    if resume is True or str(resume).lower() == "true":
        root = default_run_root(command, recipe, base)
        runs = sorted((p for p in root.glob("*") if p.is_dir() and has_checkpoint(p)), key=lambda p: p.stat().st_mtime)
        if not runs:
            raise UserError(f"resume=true: no run of `{command} recipe={recipe}` with a checkpoint under {root}. "
                            f"Start one without resume, or pass resume=PATH.")
        return runs[-1]
    path = Path(str(resume)).expanduser()
    if not path.exists():
        raise UserError(f"resume={resume}: no such run directory.")
    if path.parent.name == "checkpoints":
        return path.parent.parent
    return path


def has_checkpoint(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds a checkpoint ``checkpoints/checkpoint-N`` to resume from (any command)."""
    if Checkpoints(run_dir).latest() is not None:
        return True
    root = run_dir / "checkpoints"
    return root.is_dir() and any(p.is_dir() and p.name[len("checkpoint-"):].isdigit()
                                 for p in root.glob("checkpoint-*"))


def setup_file_logging(run_dir: Path) -> None:
    """Mirror log records into ``<run>/train.log``."""
    handler = logging.FileHandler(run_dir / "train.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(min(logging.getLogger().level or logging.INFO, logging.INFO))
