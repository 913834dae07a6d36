"""A pool of pre-started sandbox workers that runs untrusted code against trusted tests.

One API for the code judge, the code reward and HumanEval::

    with Executor() as ex:
        v = ex.check_function(program, tests, entry_point)        # HumanEval check() or MBPP asserts
        v = ex.check_stdio(program, [("1 2\\n", "3\\n")])          # stdin/stdout programs
        vs = ex.map([{"kind": "function", "program": ..., "tests": ..., "entry_point": ...}, ...])

Verdicts are decided on the trusted side: the tests run in the worker's supervisor, the candidate's
functions are proxies to a jailed process that can only send back plain values (JSON, rebuilt from
builtin types), and program output is captured, capped and never parsed for a verdict.

Each worker is a supervisor started once (``python -I -S``, scrubbed environment) and a zygote forked
from it before any job; per sample the zygote forks a fresh jail, so a sample costs milliseconds. The
jail's layers (each reported in :attr:`Executor.isolation`, with the reason when one is unavailable):
a network namespace with no interfaces; a mount namespace and chroot into a read-only image of the system
and the standard library (no site-packages, no datasets, no home directories) with a fresh size-capped
tmpfs scratch directory; a PID namespace whose init kills everything a run leaves behind; an unprivileged
uid of its own (a user namespace when not root); rlimits (address space, CPU, file size, processes,
descriptors, no core dumps); a cgroup capping the memory and process count of the whole tree; Landlock
(no TCP, no signals outside the jail; without the chroot also a read-only filesystem view with a writable
scratch area); and a seccomp filter (no sockets, ptrace, namespaces, io_uring, bpf, keyring, System V
IPC and POSIX message queues, ...). Nothing a run makes survives it: its processes are killed, its scratch
is dropped, and the kernel objects that would outlive them cannot be made (without the seccomp filter each
jail gets an IPC namespace and a session keyring of its own instead). See ``_worker.py`` for the process
tree and the README's security section for which layer holds against what.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import queue
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from alignkit.sandbox.verdict import Verdict

_WORKER = Path(__file__).with_name("_worker.py")
UID_BASE = 1_990_000
UID_SPAN = 4096
_STARTUP_TIMEOUT_S = 60.0


MIN_MEMORY_MB = 64  # below this a jail cannot even map what the forked interpreter needs


def check_limits(max_workers: int | None = None, timeout_s: float = 3.0, memory_mb: int = 1024, **other: Any
                 ) -> None:
    """Refuse settings the sandbox cannot honour, naming the argument: no workers (a pool that would wait
    forever), non-positive time limits, an address-space limit too small to hold the interpreter (which
    would pass short programs without limiting them), non-positive sizes and counts."""
    def bad(name: str, value: Any, need: str) -> ValueError:
        return ValueError(f"{name}={value!r}: must be {need}")

    if max_workers is not None and (isinstance(max_workers, bool) or not isinstance(max_workers, int)
                                    or not 1 <= max_workers <= 256):
        raise bad("max_workers", max_workers, "an integer from 1 to 256, or None for one per core (at most 4)")
    if not isinstance(timeout_s, int | float) or not 0 < timeout_s <= 3600:
        raise bad("timeout_s", timeout_s, "a number of seconds in (0, 3600]")
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or not MIN_MEMORY_MB <= memory_mb <= 1 << 20:
        raise bad("memory_mb", memory_mb, f"an integer number of megabytes from {MIN_MEMORY_MB} to {1 << 20}")
    for name, value in other.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or not value > 0):
            raise bad(name, value, "a positive number")


_DIR_PREFIX = "alignkit-sbx-"  # worker directories (temp dir) and cgroups carry this prefix
_OWNER_LOCK = "owner.lock"  # flocked by the executor and its worker tree while they live
_CGROUPS_FILE = "cgroups.json"  # the cgroup directories the worker's zygote created
_ORPHAN_CGROUP_AGE_S = 600.0


def _lock_dir() -> str:
    path = os.path.join(tempfile.gettempdir(), "alignkit-sandbox-uids")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _claim_uid() -> tuple[int, int]:
    """Lock a sandbox uid no other executor on this machine is using; return ``(uid, lock_fd)``."""
    lock_dir = _lock_dir()
    for uid in range(UID_BASE, UID_BASE + UID_SPAN):
        fd = os.open(os.path.join(lock_dir, f"{uid}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return uid, fd
    raise RuntimeError("no free sandbox uid: too many executors are running")


def _stale_worker_dirs(tmp: str) -> list[tuple[str, int | None]]:
    """Worker directories under ``tmp`` left by executors that are gone, each with its held owner lock.

    A directory counts only if it is ours by construction: a real directory (not a link) named
    ``alignkit-sbx-*``, owned by this user; and gone: nobody holds its ``owner.lock`` (the executor and
    every process of its worker tree hold it while they live, so a dead executor's lock is free once
    its workers have died too). A directory without that file (made by an older version) is taken only
    when it is older than ten minutes and no process's command line names it (its supervisor's does).
    """
    found: list[tuple[str, int | None]] = []
    legacy: list[str] = []
    try:
        names = [n for n in os.listdir(tmp) if n.startswith(_DIR_PREFIX)]
    except OSError:
        return found
    for name in names:
        path = os.path.join(tmp, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            continue
        try:
            fd = os.open(os.path.join(path, _OWNER_LOCK), os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            if time.time() - st.st_mtime > _ORPHAN_CGROUP_AGE_S:
                legacy.append(path)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # alive
            continue
        found.append((path, fd))
    if legacy:
        named = _paths_named_by_processes(legacy)
        found.extend((p, None) for p in legacy if p not in named)
    return found


def _paths_named_by_processes(paths: list[str]) -> set[str]:
    named: set[str] = set()
    keys = {p: p.encode() for p in paths}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:
            continue
        named.update(p for p, key in keys.items() if key in cmdline)
    return named


def _cgroup_roots() -> list[str]:
    """The cgroup-v1 ``memory`` and ``pids`` directories this process is in (where its zygotes' groups go)."""
    roots = []
    try:
        with open("/proc/self/cgroup") as fh:
            for line in fh:
                _, ctrls, rel = line.rstrip("\n").split(":", 2)
                for ctrl in ("memory", "pids"):
                    if ctrl in ctrls.split(","):
                        roots.append(os.path.normpath(f"/sys/fs/cgroup/{ctrl}/{rel.lstrip('/')}"))
    except (OSError, ValueError):
        pass
    return roots


def _cgroups_named(names: set[str], max_depth: int = 3, max_dirs: int = 20_000) -> list[str]:
    """Directories called one of ``names`` in the ``memory`` and ``pids`` hierarchies (a bounded walk)."""
    found: list[str] = []
    seen = 0
    for top in ("/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids"):
        level = [top]
        for _ in range(max_depth):
            nxt = []
            for d in level:
                try:
                    entries = list(os.scandir(d))
                except OSError:
                    continue
                for e in entries:
                    if not e.is_dir(follow_symlinks=False):
                        continue
                    seen += 1
                    if e.name in names:
                        found.append(e.path)
                    elif not e.name.startswith(_DIR_PREFIX):
                        nxt.append(e.path)
                if seen > max_dirs:
                    return found
            level = nxt
    return found


def _our_cgroup_dir(path: Any, name: str) -> bool:
    """A cgroup directory a worker named ``name`` created: ``/sys/fs/cgroup/{memory,pids}/.../name``."""
    if not isinstance(path, str) or os.path.basename(path) != name or not name.startswith(_DIR_PREFIX):
        return False
    norm = os.path.normpath(path)
    return norm == path and (norm.startswith("/sys/fs/cgroup/memory/") or norm.startswith("/sys/fs/cgroup/pids/"))


def _rmdir_cgroup(path: str, tries: int = 1) -> bool:
    """Remove an (empty) cgroup directory; True if it is gone. The kernel refuses while a task is in it."""
    for i in range(tries):
        try:
            os.rmdir(path)
            return True
        except FileNotFoundError:
            return True
        except OSError:
            if i + 1 < tries:
                time.sleep(0.02)
    return False


def _single_device(path: str) -> bool:
    """No mount point below ``path`` (so deleting it cannot reach into another filesystem)."""
    try:
        dev = os.lstat(path).st_dev
        for root, dirs, _ in os.walk(path):
            for d in dirs:
                if os.lstat(os.path.join(root, d)).st_dev != dev:
                    return False
    except OSError:
        return False
    return True


def clean_stale(tmp: str | None = None) -> list[str]:
    """Remove what executors killed without a chance to clean up (SIGKILL, OOM) left behind: their worker
    directories (scratch areas included) and their empty cgroups. Only this package's own leftovers whose
    owners are gone are touched (see :func:`_stale_worker_dirs`); a stale directory's cgroups are found
    by the exact paths its worker recorded, by its (random) name under this process's own cgroups, and,
    for directories of older versions that kept no record, by name in the cgroup hierarchies; cgroups
    under this process's own with no worker directory left are removed when named ``alignkit-sbx-*``,
    empty and older than ten minutes. The kernel refuses to remove a cgroup that still has a task.
    Returns what was removed. Run at every executor start."""
    tmp = tmp or tempfile.gettempdir()
    removed: list[str] = []
    roots = _cgroup_roots()
    stale = _stale_worker_dirs(tmp)
    legacy = {os.path.basename(p) for p, fd in stale if fd is None}  # no record of their cgroups
    legacy_cgroups = _cgroups_named(legacy) if legacy else []
    for path, fd in stale:
        name = os.path.basename(path)
        try:
            cgroups: list[Any] = []
            try:
                with open(os.path.join(path, _CGROUPS_FILE)) as fh:
                    cgroups = list(json.load(fh))
            except (OSError, ValueError, TypeError):
                pass
            cgroups += [os.path.join(r, name) for r in roots]
            cgroups += [c for c in legacy_cgroups if os.path.basename(c) == name]
            kept = False
            for cg in dict.fromkeys(cgroups):
                if _our_cgroup_dir(cg, name) and os.path.isdir(cg):
                    if _rmdir_cgroup(cg, tries=25):
                        removed.append(cg)
                    else:
                        kept = True
            if kept or not _single_device(path):
                continue  # a task still in its cgroup, or a mount below: leave it for a later start
            shutil.rmtree(path, ignore_errors=True)
            if not os.path.exists(path):
                removed.append(path)
        finally:
            if fd is not None:
                os.close(fd)
    live = {n for n in os.listdir(tmp) if n.startswith(_DIR_PREFIX)} if os.path.isdir(tmp) else set()
    for root in roots:
        try:
            names = [n for n in os.listdir(root) if n.startswith(_DIR_PREFIX) and n not in live]
        except OSError:
            continue
        for name in names:
            cg = os.path.join(root, name)
            try:
                old = time.time() - os.stat(cg).st_mtime > _ORPHAN_CGROUP_AGE_S
                with open(os.path.join(cg, "cgroup.procs")) as fh:
                    empty = not fh.read().strip()
            except OSError:
                continue
            if old and empty and _rmdir_cgroup(cg):
                removed.append(cg)
    return removed


class _Spawner:
    """Starts every supervisor of this process from one long-lived thread.

    A supervisor asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``), and for the kernel
    the parent is the *thread* that forked it: a supervisor started from a short-lived thread (a judge
    whose executor is created lazily inside a ``ThreadPoolExecutor``, as ``MixtureOfJudges`` runs its
    judges) was SIGKILLed as soon as that thread ended, and the next job found its pipe closed
    (``EOFError``). Forking from a thread that lives as long as the process keeps the parent-death signal
    meaning "the process is gone".
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="alignkit-sandbox-spawner")
        self.thread.start()

    def _loop(self) -> None:
        while True:
            fn, fut = self.jobs.get()
            if fut.set_running_or_notify_cancel():
                try:
                    fut.set_result(fn())
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    fut.set_exception(exc)

    def call(self, fn: Callable[[], Any]) -> Any:
        if threading.current_thread() is self.thread:
            return fn()
        fut: Future[Any] = Future()
        self.jobs.put((fn, fut))
        return fut.result()


_spawner: _Spawner | None = None
_spawner_lock = threading.Lock()


def _popen_from_spawner(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` (which starts a supervisor) on this process's spawner thread."""
    global _spawner
    with _spawner_lock:
        if _spawner is None or _spawner.pid != os.getpid() or not _spawner.thread.is_alive():
            _spawner = _Spawner()
        spawner = _spawner
    return spawner.call(fn)


class _Worker:
    """One supervisor process and the thread-side plumbing to talk to it."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.proc: subprocess.Popen[bytes] | None = None
        self.uid: int | None = None
        self.lock_fd: int | None = None
        self.owner_fd: int | None = None
        self.base_dir: str | None = None
        self.layers: dict[str, Any] = {}
        self._buf = b""
        self._seq = 0

    def start(self) -> None:
        """Launch the supervisor (does not wait for it to be ready; see :meth:`wait_ready`)."""
        if os.geteuid() == 0 and self.uid is None:
            self.uid, self.lock_fd = _claim_uid()
        self.base_dir = tempfile.mkdtemp(prefix=_DIR_PREFIX)
        os.chmod(self.base_dir, 0o711)
        # held here and inherited by the supervisor, the namespace holder and the zygote (not the jails):
        # free once all of them are gone, which is how a later executor knows the directory is stale
        self.owner_fd = os.open(os.path.join(self.base_dir, _OWNER_LOCK),
                                os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        fcntl.flock(self.owner_fd, fcntl.LOCK_EX)
        os.mkdir(os.path.join(self.base_dir, "root"))
        cfg = dict(self.config, uid=self.uid, gid=self.uid, base_dir=self.base_dir,
                   root_dir=os.path.join(self.base_dir, "root"), parent_pid=os.getpid())
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        debug = os.environ.get("ALIGNKIT_SANDBOX_DEBUG")
        self.proc = _popen_from_spawner(lambda: subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", str(_WORKER), json.dumps(cfg)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None if debug else subprocess.DEVNULL,
            env=env, close_fds=True, start_new_session=True,
            pass_fds=tuple(fd for fd in (self.lock_fd, self.owner_fd) if fd is not None),
        ))
        self._buf = b""

    def wait_ready(self) -> None:
        """Read the supervisor's hand-shake (the isolation layers it could enable)."""
        line = self._read_line(time.monotonic() + _STARTUP_TIMEOUT_S)
        msg = json.loads(line)
        if not msg.get("ready"):
            raise RuntimeError("sandbox worker failed to start")
        self.layers = msg["layers"]
        if self.layers.get("cgroup_dirs") and self.base_dir:
            with open(os.path.join(self.base_dir, _CGROUPS_FILE), "w") as fh:
                json.dump(self.layers["cgroup_dirs"], fh)

    def _read_line(self, deadline: float) -> bytes:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("sandbox worker did not answer")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise EOFError("sandbox worker exited")
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line

    def run(self, job: dict[str, Any], hard_cap_s: float) -> dict[str, Any]:
        """Send one job and wait for its verdict. A worker found dead is replaced and the job sent again
        (once); a worker that runs past the hard cap is replaced and the job reported as an error."""
        for attempt in (1, 2):
            if self.proc is None or self.proc.poll() is not None:
                self.restart()
            assert self.proc is not None and self.proc.stdin is not None
            self._seq += 1
            try:
                self.proc.stdin.write(json.dumps(dict(job, id=self._seq)).encode() + b"\n")
                self.proc.stdin.flush()
                while True:
                    verdict = json.loads(self._read_line(time.monotonic() + hard_cap_s))
                    if verdict.get("id") == self._seq:
                        break
            except (OSError, EOFError, ValueError) as exc:
                self.restart()
                if attempt == 2:
                    return {"status": "error", "message": f"sandbox worker failed: {type(exc).__name__}"}
                continue
            except TimeoutError:
                self.restart()
                return {"status": "error", "message": "sandbox worker failed: it stopped answering"}
            if verdict.pop("fatal", False):  # the zygote was gone: the candidate never ran
                self.restart()
                if attempt == 1:
                    continue
            return verdict
        raise AssertionError("unreachable")

    def restart(self) -> None:
        """Replace a dead or wedged supervisor with a fresh one (same sandbox uid)."""
        self.stop()
        self.start()
        self.wait_ready()

    def stop(self) -> None:
        """Terminate the supervisor; its zygote and jails die with it (parent-death signals)."""
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                if proc.stdin:
                    proc.stdin.close()
                proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
            if proc.stdout:
                proc.stdout.close()
        kept = [p for p in self.layers.get("cgroup_dirs") or [] if not _rmdir_cgroup(p, tries=50)]
        self.layers = dict(self.layers, cgroup_dirs=[])
        if self.base_dir:
            if not kept:  # else keep the directory (and its cgroups.json): a later start removes both
                shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None
        if self.owner_fd is not None:
            os.close(self.owner_fd)
            self.owner_fd = None

    def close(self) -> None:
        """Stop and release the sandbox uid."""
        self.stop()
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None
            self.uid = None


class _JobsAPI:
    """Builds jobs with this object's per-job limits and runs them (shared by :class:`Executor` and the
    :class:`SharedExecutor` handles on a process-wide pool)."""

    timeout_s: float
    memory_mb: int
    sample_timeout_s: float | None
    min_timeout_s: float
    wall_factor: float
    output_limit_bytes: int

    def submit(self, job: dict[str, Any]) -> Future[Verdict]:
        raise NotImplementedError

    def check_function(self, program: str, tests: list[str] | str, entry_point: str, setup: str = "",
                       timeout_s: float | None = None, all_results: bool = False) -> Verdict:
        """Run function-level tests against ``program``.

        Args:
            program: the candidate's full source (for HumanEval: prompt + completion).
            tests: MBPP-style ``assert`` lines (one test each), or a HumanEval ``def check(candidate)``
                source (one test), or any other block of trusted test code (one test).
            entry_point: the function under test; the tests see a proxy under this name (and as
                ``candidate``), and proxies for other functions the program defines that the tests name.
            setup: trusted code run before the tests on the trusted side (for HumanEval: the prompt,
                which defines helpers such as ``poly``); also prepended to the program if not already there.
            timeout_s: per-test limit for this call (default: the executor's).
            all_results: run every test and fill ``details`` instead of stopping at the first failure.
        """
        return self.submit(self._function_job(program, tests, entry_point, setup, timeout_s,
                                              all_results)).result()

    def check_stdio(self, program: str, cases: Sequence[tuple[str, str]], timeout_s: float | None = None,
                    all_results: bool = False) -> Verdict:
        """Run a stdin/stdout program once per ``(input, expected_output)`` case; compared on the trusted
        side (trailing whitespace ignored, else tokens, numbers within 1e-6)."""
        return self.submit(self._stdio_job(program, cases, timeout_s, all_results)).result()

    def map(self, jobs: Iterable[dict[str, Any]],
            on_result: Callable[[int, Verdict], None] | None = None) -> list[Verdict]:
        """Run many jobs in parallel; each is ``{"kind": "function"|"stdio", ...}`` with the keyword
        arguments of :meth:`check_function` / :meth:`check_stdio`. Results come back in order;
        ``on_result(index, verdict)`` is called as each finishes (from a worker thread)."""
        futures = [self.submit(self._job_from_dict(j)) for j in jobs]
        if on_result is not None:
            for i, fut in enumerate(futures):
                fut.add_done_callback(lambda f, i=i: on_result(i, f.result()))
        return [f.result() for f in futures]

    def _limits(self, timeout_s: float | None) -> dict[str, Any]:
        t = max(float(timeout_s if timeout_s is not None else self.timeout_s), self.min_timeout_s)
        sample = self.sample_timeout_s
        return {"timeout_s": t, "sample_timeout_s": max(sample, t) if sample else None,
                "wall_factor": self.wall_factor, "memory_mb": self.memory_mb}

    def _function_job(self, program: str, tests: list[str] | str, entry_point: str, setup: str,
                      timeout_s: float | None, all_results: bool) -> dict[str, Any]:
        if not isinstance(tests, str):
            tests = [str(t) for t in tests]
        return {"kind": "function", "program": str(program), "tests": tests, "entry_point": str(entry_point),
                "setup": str(setup or ""), "all_results": bool(all_results), **self._limits(timeout_s)}

    def _stdio_job(self, program: str, cases: Sequence[tuple[str, str]], timeout_s: float | None,
                   all_results: bool) -> dict[str, Any]:
        return {"kind": "stdio", "program": str(program), "cases": [[str(i), str(o)] for i, o in cases],
                "all_results": bool(all_results), "output_limit": self.output_limit_bytes,
                **self._limits(timeout_s)}

    def _job_from_dict(self, job: dict[str, Any]) -> dict[str, Any]:
        kw = dict(job)
        kind = kw.pop("kind", "function")
        if kind == "stdio":
            return self._stdio_job(kw["program"], kw["cases"], kw.get("timeout_s"), kw.get("all_results", False))
        if kind != "function":
            raise ValueError(f"unknown job kind {kind!r} (expected 'function' or 'stdio')")
        return self._function_job(kw["program"], kw["tests"], kw["entry_point"], kw.get("setup", ""),
                                  kw.get("timeout_s"), kw.get("all_results", False))


class Executor(_JobsAPI):
    """Pool of sandbox workers; thread-safe; use as a context manager or call :meth:`close`.

    Args:
        max_workers: parallel workers (default ``min(cores, 4)``).
        timeout_s: time limit per test, in effective seconds (wall time minus time spent waiting for a
            CPU on a loaded machine); raised to ``min_timeout_s`` if lower.
        memory_mb: address-space limit of the jailed process.
        sample_timeout_s: limit for the whole sample (default ``timeout_s`` × min(number of tests, 5)).
        min_timeout_s: the floor under every time limit.
        wall_factor: a test is killed after max(``wall_factor`` × its limit, limit + 0.5 s) of wall time
            whatever the load (before that, only time the jail actually ran or slept counts).
        output_limit_bytes: stdout kept for stdin/stdout programs (more is a failure).
        file_size_mb, scratch_mb, nproc: per-file size limit, scratch tmpfs size, process limit.
        pin_cpus: keep each worker's processes on one CPU (worker i on the i-th allowed CPU, round
            robin): the trusted side and the jail exchange a message per call, and same-CPU wake-ups are
            several times cheaper.
        isolation: turn layers off for debugging, e.g. ``{"netns": False}`` (all default on).
    """

    def __init__(self, max_workers: int | None = None, timeout_s: float = 3.0, memory_mb: int = 1024, *,
                 sample_timeout_s: float | None = None, min_timeout_s: float = 1.0, wall_factor: float = 1.5,
                 output_limit_bytes: int = 1 << 20, file_size_mb: int = 16, scratch_mb: int = 64,
                 nproc: int = 16, pin_cpus: bool = False, isolation: dict[str, bool] | None = None) -> None:
        if sys.platform != "linux":
            raise RuntimeError("the sandbox needs Linux")
        check_limits(max_workers, timeout_s, memory_mb, sample_timeout_s=sample_timeout_s,
                     min_timeout_s=min_timeout_s, wall_factor=wall_factor, output_limit_bytes=output_limit_bytes,
                     file_size_mb=file_size_mb, scratch_mb=scratch_mb, nproc=nproc)
        self.max_workers = max_workers or min(os.cpu_count() or 1, 4)
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.sample_timeout_s = sample_timeout_s
        self.min_timeout_s = min_timeout_s
        self.wall_factor = wall_factor
        self.output_limit_bytes = output_limit_bytes
        config = {"file_size_mb": file_size_mb, "scratch_mb": scratch_mb, "nproc": nproc,
                  "memory_mb": memory_mb, "isolation": dict(isolation or {})}
        try:
            clean_stale()
        except OSError:
            pass
        self._pid = os.getpid()
        self._queue: queue.SimpleQueue[tuple[dict[str, Any], Future[Verdict]] | None] = queue.SimpleQueue()
        cpus = sorted(os.sched_getaffinity(0)) if pin_cpus else []
        self._workers = [_Worker(dict(config, cpu=cpus[i % len(cpus)] if cpus else None))
                         for i in range(self.max_workers)]
        self._closed = False
        try:
            for w in self._workers:
                w.start()
            for w in self._workers:
                w.wait_ready()
        except BaseException:
            for w in self._workers:
                w.close()
            raise
        self._threads = [threading.Thread(target=self._serve, args=(w,), daemon=True, name=f"sandbox-{i}")
                         for i, w in enumerate(self._workers)]
        for t in self._threads:
            t.start()
        atexit.register(self.close)

    # --- public API --------------------------------------------------------------------------------

    @property
    def isolation(self) -> dict[str, Any]:
        """The isolation layers in force (``uid``, ``netns``, ``mountns``, ``chroot``, ``pidns``, ...) and
        a ``fallbacks`` dict saying why any layer is off."""
        return dict(self._workers[0].layers)

    def submit(self, job: dict[str, Any]) -> Future[Verdict]:
        """Queue one prepared job (see :meth:`map`) and return a future verdict."""
        if self._closed:
            raise RuntimeError("the executor is closed")
        if os.getpid() != self._pid:
            raise RuntimeError("an Executor cannot be used from a forked child; create one in this process")
        if "timeout_s" not in job:
            job = self._job_from_dict(job)
        fut: Future[Verdict] = Future()
        self._queue.put((job, fut))
        return fut

    def close(self) -> None:
        """Stop every worker (idempotent)."""
        if self._closed or os.getpid() != self._pid:
            return
        self._closed = True
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout=30)
        for w in self._workers:
            w.close()
        atexit.unregister(self.close)

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- internals ---------------------------------------------------------------------------------

    @staticmethod
    def _hard_cap(job: dict[str, Any]) -> float:
        n = len(job.get("cases") or []) or (len(job["tests"]) if isinstance(job.get("tests"), list) else 1)
        sample = job.get("sample_timeout_s") or job["timeout_s"] * max(1, min(n, 5))
        return sample * job["wall_factor"] + 40.0 + 0.5 * n

    def _serve(self, worker: _Worker) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                verdict = Verdict.from_dict(worker.run(job, self._hard_cap(job)))
            except Exception as exc:  # noqa: BLE001 - a verdict for every job, whatever happens
                verdict = Verdict("error", message=f"sandbox failure: {type(exc).__name__}: {exc}")
            if verdict.n_tests == 0:
                verdict.n_tests = len(job.get("cases") or []) or (
                    len(job["tests"]) if isinstance(job.get("tests"), list) else 1)
            fut.set_result(verdict)


# --- one pool per process, shared --------------------------------------------------------------------

_POOL_ARGS = ("file_size_mb", "scratch_mb", "nproc", "pin_cpus", "isolation")
_JOB_ARGS = ("sample_timeout_s", "min_timeout_s", "wall_factor", "output_limit_bytes")


class SharedExecutor(_JobsAPI):
    """A reference to a process-wide pool of workers, with per-job limits of its own.

    Made by :func:`shared_executor`; every user in a process (the code judge, the code reward, ...) that
    asks for the same pool settings (workers, memory, scratch, process and file-size caps, isolation)
    gets a handle on the same pool, whatever its time limits, which are applied per job. :meth:`close`
    drops this handle's reference (idempotent); the pool stops when the last handle is closed, or at exit.
    A handle used in a forked child transparently takes a reference on the child's own pool (workers and
    pipes are never shared across ``fork``).
    """

    def __init__(self, key: tuple[Any, ...], pool_kwargs: dict[str, Any], timeout_s: float, memory_mb: int,
                 job_kwargs: dict[str, Any]) -> None:
        self._key = key
        self._pool_kwargs = pool_kwargs
        self.max_workers = int(pool_kwargs["max_workers"])
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.sample_timeout_s = job_kwargs.get("sample_timeout_s")
        self.min_timeout_s = float(job_kwargs.get("min_timeout_s", 1.0))
        self.wall_factor = float(job_kwargs.get("wall_factor", 1.5))
        self.output_limit_bytes = int(job_kwargs.get("output_limit_bytes", 1 << 20))
        self._lock = threading.Lock()
        self._closed = False
        self._pid = os.getpid()
        self._pool: Executor = _acquire_pool(key, pool_kwargs)

    @property
    def pool(self) -> Executor:
        """The underlying :class:`Executor` (shared: do not close it directly)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the executor is closed")
            if self._pid != os.getpid():  # inherited over fork: take a reference in this process
                self._pid = os.getpid()
                self._pool = _acquire_pool(self._key, self._pool_kwargs)
            elif self._pool._closed:  # closed under us (by hand, or at exit): take one on a fresh pool
                _release_pool(self._key, self._pool)
                self._pool = _acquire_pool(self._key, self._pool_kwargs)
            return self._pool

    @property
    def isolation(self) -> dict[str, Any]:
        """See :attr:`Executor.isolation`."""
        return self.pool.isolation

    def submit(self, job: dict[str, Any]) -> Future[Verdict]:
        """Queue one job (built with this handle's limits unless already built) on the shared pool."""
        if "timeout_s" not in job:
            job = self._job_from_dict(job)
        return self.pool.submit(job)

    def close(self) -> None:
        """Drop this handle's reference; the pool stops with the last one (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._pid != os.getpid():
                return  # the parent's reference, not ours to drop
        _release_pool(self._key, self._pool)

    def __enter__(self) -> SharedExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_pools: dict[tuple[Any, ...], list[Any]] = {}  # key -> [Executor, references]
_pools_lock = threading.Lock()


def _acquire_pool(key: tuple[Any, ...], pool_kwargs: dict[str, Any]) -> Executor:
    with _pools_lock:
        entry = _pools.get(key)
        if entry is None or entry[0]._closed or entry[0]._pid != os.getpid():
            entry = _pools[key] = [Executor(**pool_kwargs), 0]
        entry[1] += 1
        return entry[0]


def _release_pool(key: tuple[Any, ...], pool: Executor) -> None:
    with _pools_lock:
        entry = _pools.get(key)
        if entry is None or entry[0] is not pool:
            return  # that pool was already replaced (closed at exit, or by hand)
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _pools[key]
    pool.close()


def _after_fork_in_child() -> None:
    """Forget the parent's pools and spawner (their threads do not exist here; a lock may be held)."""
    global _pools, _pools_lock, _spawner, _spawner_lock
    _pools, _pools_lock = {}, threading.Lock()
    _spawner, _spawner_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def shared_executor(max_workers: int | None = None, timeout_s: float = 3.0, memory_mb: int = 1024,
                    **kwargs: Any) -> SharedExecutor:
    """A handle on this process's pool for these settings (started on first use); close it when done.

    Takes the arguments of :class:`Executor`. Handles asking for the same pool settings share one pool of
    workers (the code judge and the code reward of a CGPO task, say), each with its own time limits.
    """
    unknown = set(kwargs) - set(_POOL_ARGS) - set(_JOB_ARGS)
    if unknown:
        raise TypeError(f"unknown executor arguments: {sorted(unknown)}")
    pool_kwargs: dict[str, Any] = {k: kwargs[k] for k in _POOL_ARGS if k in kwargs}
    pool_kwargs["max_workers"] = max_workers or min(os.cpu_count() or 1, 4)
    pool_kwargs["memory_mb"] = int(memory_mb)
    defaults = {"file_size_mb": 16, "scratch_mb": 64, "nproc": 16, "pin_cpus": False, "isolation": {}}
    key = tuple((k, pool_kwargs.get(k, defaults.get(k))) for k in ("max_workers", "memory_mb", *_POOL_ARGS))
    key = tuple((k, tuple(sorted(v.items())) if isinstance(v, dict) else v) for k, v in key)
    job_kwargs = {k: kwargs[k] for k in _JOB_ARGS if k in kwargs}
    return SharedExecutor(key, pool_kwargs, float(timeout_s), int(memory_mb), job_kwargs)
