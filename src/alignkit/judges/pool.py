"""A small warm process pool with a per-item time limit.

Rule-based checks that parse untrusted text (sympy inside math-verify, IFEval checkers) can hang or
crash. :class:`TimedProcessPool` runs a module-level function over a batch of payloads in a few
pre-started worker processes. Each worker receives a chunk of items and streams one result back per
item; the parent knows when each item started, and when one runs past ``timeout_s`` it kills that worker,
records the item as failed, re-queues the rest of the chunk and starts a fresh worker. A slow sample
therefore never blocks the batch past its own time limit, and the pool stays warm across calls.

The pool is spawn-safe (the default start method): the worker function is named by ``"module:attr"``
and imported in the child, so nothing from the parent process (a loaded torch model, threads) is copied.
As with any spawned process, a script that starts a pool must guard its entry point with
``if __name__ == "__main__":``.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any


@dataclass(frozen=True)
class TaskResult:
    """The outcome of one item: ``ok`` with its ``value``, or not ok with an ``error`` message."""

    ok: bool
    value: Any = None
    error: str = ""
    timed_out: bool = False


def resolve_function(spec: str) -> Callable[[Any], Any]:
    """Import ``"package.module:attr"`` (or ``"package.module.attr"``) and return the callable."""
    module_name, sep, attr = spec.partition(":")
    if not sep:
        module_name, _, attr = spec.rpartition(".")
    if not module_name or not attr:
        raise ValueError(f"worker function must be 'module:attr', got {spec!r}")
    func = getattr(importlib.import_module(module_name), attr)
    if not callable(func):
        raise TypeError(f"{spec!r} is not callable")
    return func


def _worker_main(conn: Connection, fn_spec: str, warmup_spec: str | None) -> None:
    """Worker process body: import the function, warm up, signal ready, then serve chunks until told to stop."""
    try:
        fn = resolve_function(fn_spec)
        if warmup_spec:
            resolve_function(warmup_spec)()
    except BaseException as exc:  # noqa: BLE001 - report import failures to the parent
        conn.send(("dead", -1, f"cannot start {fn_spec}: {type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", -1, None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        for index, payload in message:
            try:
                reply = ("ok", index, fn(payload))
            except BaseException as exc:  # noqa: BLE001 - any failure of one item is that item's error
                reply = ("err", index, f"{type(exc).__name__}: {exc}")
            try:
                conn.send(reply)
            except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable return value
                conn.send(("err", index, f"result could not be sent back: {type(exc).__name__}: {exc}"))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    started_at: float
    ready: bool = False
    inflight: deque[int] = field(default_factory=deque)
    item_started_at: float = 0.0


class TimedProcessPool:
    """Run ``fn(payload)`` for many payloads in warm worker processes with a per-item time limit.

    Args:
        fn: the worker function as ``"module:attr"``; it must be importable in a fresh interpreter.
        num_workers: worker processes; ``0`` runs in-process without isolation or time limit (debugging).
        timeout_s: per-item wall-clock limit; past it the item fails and its worker is replaced.
        chunk_size: items sent to a worker at once (amortizes IPC; the time limit stays per item).
        start_method: multiprocessing start method ("spawn" is the safe default, "fork" starts faster).
        start_timeout_s: how long a worker may take to import ``fn`` before the pool gives up on it.
        warmup: optional ``"module:attr"`` called once in each new worker before it takes work (heavy
            imports, caches), so that this cost never counts against an item's time limit.
    """

    def __init__(
        self,
        fn: str,
        num_workers: int = 1,
        timeout_s: float = 5.0,
        chunk_size: int = 8,
        start_method: str = "spawn",
        start_timeout_s: float = 120.0,
        warmup: str | None = None,
    ) -> None:
        if num_workers < 0:
            raise ValueError("num_workers must be >= 0")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be > 0")
        self.fn = fn
        self.num_workers = num_workers
        self.timeout_s = float(timeout_s)
        self.chunk_size = max(1, int(chunk_size))
        self.start_method = start_method
        self.start_timeout_s = float(start_timeout_s)
        self.warmup = warmup
        self._ctx = mp.get_context(start_method)
        self._workers: list[_Worker] = []
        self._local_fn: Callable[[Any], Any] | None = None
        self._lock = threading.Lock()  # one map at a time (mixtures call judges from threads)
        self.n_timeouts = 0
        self.n_restarts = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the workers now (otherwise they start at the first :meth:`map`)."""
        while len(self._workers) < self.num_workers:
            self._workers.append(self._spawn())

    def _spawn(self) -> _Worker:
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=_worker_main, args=(child_conn, self.fn, self.warmup), daemon=True)
        process.start()
        child_conn.close()
        return _Worker(process=process, conn=parent_conn, started_at=time.monotonic())

    def _replace(self, worker: _Worker) -> _Worker:
        self._kill(worker)
        self.n_restarts += 1
        new = self._spawn()
        self._workers[self._workers.index(worker)] = new
        return new

    @staticmethod
    def _kill(worker: _Worker) -> None:
        try:
            worker.conn.close()
        except OSError:
            pass
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)

    def close(self) -> None:
        """Stop all workers. The pool can be used again afterwards (workers restart lazily)."""
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 2.0
        for worker in self._workers:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            self._kill(worker)
        self._workers = []

    def __enter__(self) -> TimedProcessPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    # ------------------------------------------------------------------ mapping
    def map(self, payloads: Sequence[Any] | Iterable[Any]) -> list[TaskResult]:
        """Apply the function to every payload; results come back in input order (thread-safe)."""
        items = list(payloads)
        if not items:
            return []
        with self._lock:
            if self.num_workers == 0:
                return self._map_inline(items)
            return self._map_workers(items)

    def _map_workers(self, items: list[Any]) -> list[TaskResult]:
        self.start()
        results: list[TaskResult | None] = [None] * len(items)
        pending: deque[int] = deque(range(len(items)))
        while pending or any(w.inflight for w in self._workers):
            self._dispatch(items, pending)
            self._collect(results, pending)
            self._enforce_deadlines(results, pending)
        return [r if r is not None else TaskResult(False, error="lost result") for r in results]

    def _map_inline(self, items: list[Any]) -> list[TaskResult]:
        if self._local_fn is None:
            self._local_fn = resolve_function(self.fn)
            if self.warmup:
                resolve_function(self.warmup)()
        out = []
        for payload in items:
            try:
                out.append(TaskResult(True, self._local_fn(payload)))
            except Exception as exc:  # noqa: BLE001
                out.append(TaskResult(False, error=f"{type(exc).__name__}: {exc}"))
        return out

    def _dispatch(self, items: list[Any], pending: deque[int]) -> None:
        idle = [w for w in self._workers if w.ready and not w.inflight]
        if not idle or not pending:
            return
        # Spread what is left evenly so that one worker does not hold every item of a small batch.
        share = -(-len(pending) // max(1, len([w for w in self._workers if w.ready])))
        size = max(1, min(self.chunk_size, share))
        now = time.monotonic()
        for worker in idle:
            if not pending:
                break
            chunk = [pending.popleft() for _ in range(min(size, len(pending)))]
            try:
                worker.conn.send([(i, items[i]) for i in chunk])
            except (OSError, ValueError):
                pending.extendleft(reversed(chunk))
                self._replace(worker)
                continue
            worker.inflight.extend(chunk)
            worker.item_started_at = now

    def _next_deadline(self) -> float:
        now = time.monotonic()
        deadlines = [now + 1.0]
        for w in self._workers:
            if w.inflight:
                deadlines.append(w.item_started_at + self.timeout_s)
            elif not w.ready:
                deadlines.append(w.started_at + self.start_timeout_s)
        return max(0.0, min(deadlines) - now)

    def _collect(self, results: list[TaskResult | None], pending: deque[int]) -> None:
        watched = {w.conn: w for w in self._workers if w.inflight or not w.ready}
        if not watched:
            return
        for conn in wait(list(watched), timeout=self._next_deadline()):
            worker = watched[conn]
            try:
                while conn.poll():
                    kind, index, value = conn.recv()
                    self._handle(worker, kind, index, value, results, pending)
                    if kind == "dead":
                        break
            except (EOFError, OSError):
                self._worker_died(worker, results, pending)

    def _handle(
        self,
        worker: _Worker,
        kind: str,
        index: int,
        value: Any,
        results: list[TaskResult | None],
        pending: deque[int],
    ) -> None:
        if kind == "ready":
            worker.ready = True
            return
        if kind == "dead":
            raise RuntimeError(f"worker could not start: {value}")
        if worker.inflight and worker.inflight[0] == index:
            worker.inflight.popleft()
        else:  # defensive: out-of-order results should not happen
            try:
                worker.inflight.remove(index)
            except ValueError:
                pass
        results[index] = TaskResult(True, value) if kind == "ok" else TaskResult(False, error=str(value))
        worker.item_started_at = time.monotonic()

    def _worker_died(self, worker: _Worker, results: list[TaskResult | None], pending: deque[int]) -> None:
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        if not worker.ready:
            self._kill(worker)
            raise RuntimeError(f"worker for {self.fn} died while starting (exit code {code})")
        if worker.inflight:
            index = worker.inflight.popleft()
            results[index] = TaskResult(False, error=f"worker process died (exit code {code})")
            pending.extendleft(reversed(worker.inflight))
            worker.inflight.clear()
        self._replace(worker)

    def _enforce_deadlines(self, results: list[TaskResult | None], pending: deque[int]) -> None:
        now = time.monotonic()
        for worker in list(self._workers):
            if worker.inflight and now - worker.item_started_at > self.timeout_s:
                index = worker.inflight.popleft()
                self.n_timeouts += 1
                results[index] = TaskResult(
                    False, error=f"timed out after {self.timeout_s:g}s", timed_out=True
                )
                pending.extendleft(reversed(worker.inflight))
                worker.inflight.clear()
                self._replace(worker)
            elif not worker.ready and now - worker.started_at > self.start_timeout_s:
                self._kill(worker)
                raise RuntimeError(f"worker for {self.fn} did not start within {self.start_timeout_s:g}s")


def default_num_workers(requested: int | None) -> int:
    """``None`` means one worker per CPU core (at least one, at most 8)."""
    if requested is not None:
        return max(0, int(requested))
    return max(1, min(8, os.cpu_count() or 1))
