"""The trusted side of one job: it runs the dataset's tests and decides the verdict (stdlib only).

The tests run here, in a process the candidate cannot reach. The candidate's functions are proxies: a
call sends the (trusted) arguments to the jailed process and returns the plain value it sends back,
rebuilt from builtin types, so every comparison is made by builtin ``==`` on this side.
"""

from __future__ import annotations

import builtins
import itertools
import json
import linecache
import os
import re
import select
import socket
import struct
import time
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any

import _codec  # type: ignore[import-not-found]

_MAX_MSG = 16 << 20  # one reply from the jail (parsing it is bounded by this and by _codec's limits)
_SEQ = itertools.count(1)
_STDERR_KEEP = 8192


class SandboxTimeout(BaseException):  # noqa: N818 - BaseException so test code cannot swallow it
    """The candidate ran past its time limit (it has been killed)."""


class SandboxGone(BaseException):  # noqa: N818
    """The candidate process exited or broke the protocol in the middle of a test."""


class HardCap(BaseException):  # noqa: N818
    """Raised by the supervisor's alarm when a sample runs past its hard cap, whatever is running."""


class CandidateError(Exception):
    """The candidate raised an exception that is not a builtin one."""


class _Limits:
    """Time budgets, in effective seconds (wall time minus time spent waiting for a CPU)."""

    def __init__(self, job: dict[str, Any], n_tests: int) -> None:
        self.test_s = float(job["timeout_s"])
        sample = job.get("sample_timeout_s")
        self.sample_s = float(sample) if sample else self.test_s * max(1, min(n_tests, 5))
        self.wall_factor = float(job.get("wall_factor", 1.5))
        self.sample_used = 0.0

    def wall_cap(self, budget: float) -> float:
        """Wall-clock seconds after which a run is killed whatever the load."""
        return max(budget * self.wall_factor, budget + 0.5)


def _schedstat(pid: int) -> tuple[float, float] | None:
    """(cpu seconds, seconds spent runnable but waiting for a CPU) of ``pid``, if the kernel says."""
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as fh:
            parts = fh.read().split()
        return int(parts[0]) / 1e9, int(parts[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


class Jailed:
    """One jailed process: spawned by the zygote, driven through pipes by this (trusted) process."""

    def __init__(self, zsock: socket.socket, spawn: dict[str, Any], header: dict[str, Any],
                 stdin_data: bytes | None = None, output_cap: int = 1 << 20) -> None:
        self.spawn = spawn
        self.output_cap = output_cap
        self.zsock = zsock
        self.seq = next(_SEQ)
        pairs = [os.pipe() for _ in range(6)]  # ctl_in, ctl_out, stdin, stdout, stderr, done
        theirs = [pairs[0][0], pairs[1][1], pairs[2][0], pairs[3][1], pairs[4][1], pairs[5][1]]
        self.ctl_w, self.ctl_r = pairs[0][1], pairs[1][0]
        self.stdin_w, self.out_r, self.err_r, self.done_r = pairs[2][1], pairs[3][0], pairs[4][0], pairs[5][0]
        try:
            socket.send_fds(zsock, [json.dumps({"op": "spawn", "seq": self.seq, **spawn}).encode()], theirs)
        finally:
            for fd in theirs:
                os.close(fd)
        for fd in (self.ctl_w, self.ctl_r, self.stdin_w, self.out_r, self.err_r, self.done_r):
            os.set_blocking(fd, False)
        self.pending: dict[int, bytearray] = {self.ctl_w: bytearray()}
        if stdin_data is not None:
            self.pending[self.stdin_w] = bytearray(stdin_data)
        else:
            os.close(self.stdin_w)
            self.stdin_w = -1
        self.inbox: deque[Any] = deque()
        self._ctl_buf = bytearray()
        self._done_buf = bytearray()
        self.stdout = bytearray()
        self.stdout_overflow = False
        self.stderr = bytearray()
        self.upid: int | None = None
        self.exit_status: int | None = None
        self.finished = False  # the jailed process tree is gone
        self.ctl_eof = False
        self.dead: str | None = None  # why the process can no longer answer
        self.protocol_error = False
        self.readers = {self.ctl_r, self.out_r, self.err_r, self.done_r}
        self.send(header)

    # --- plumbing ----------------------------------------------------------------------------------

    def send(self, obj: Any) -> None:
        """Queue one length-prefixed JSON message for the jailed process."""
        body = json.dumps(obj, separators=(",", ":")).encode()
        if self.ctl_w >= 0:
            self.pending[self.ctl_w] += struct.pack(">I", len(body)) + body

    def _close_writer(self, fd: int) -> None:
        self.pending.pop(fd, None)
        os.close(fd)
        if fd == self.ctl_w:
            self.ctl_w = -1
        elif fd == self.stdin_w:
            self.stdin_w = -1

    def _on_write(self, fd: int) -> None:
        buf = self.pending[fd]
        try:
            n = os.write(fd, buf[: 1 << 16])
        except (BrokenPipeError, ConnectionResetError):
            self._close_writer(fd)
            return
        except BlockingIOError:
            return
        del buf[:n]
        if not buf and fd == self.stdin_w:
            self._close_writer(fd)

    def _on_read(self, fd: int) -> bytes | None:
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return None
        if fd == self.out_r:
            self._keep(self.stdout, data, self.output_cap, True)
        elif fd == self.err_r:
            self._keep(self.stderr, data, _STDERR_KEEP, False)
        elif fd == self.ctl_r:
            self._on_ctl(data)
        elif fd == self.done_r:
            self._on_done(data)
        if not data:
            self.readers.discard(fd)
        return data

    def _keep(self, buf: bytearray, data: bytes, cap: int, is_stdout: bool) -> None:
        room = cap - len(buf)
        if len(data) > room and is_stdout:
            self.stdout_overflow = True
        if room > 0:
            buf += data[:room]

    def _on_ctl(self, data: bytes) -> None:
        if not data:
            self.ctl_eof = True
            return
        self._ctl_buf += data
        while len(self._ctl_buf) >= 4:
            (size,) = struct.unpack(">I", self._ctl_buf[:4])
            if size > _MAX_MSG:
                self.protocol_error = True
                self.kill()
                return
            if len(self._ctl_buf) < 4 + size:
                return
            body = bytes(self._ctl_buf[4: 4 + size])
            del self._ctl_buf[: 4 + size]
            try:
                self.inbox.append(_codec.loads_message(body))
            except _codec.CodecError:
                self.protocol_error = True
                self.kill()

    def _on_done(self, data: bytes) -> None:
        if not data:
            self.finished = True
            return
        self._done_buf += data
        *lines, rest = self._done_buf.split(b"\n")
        self._done_buf = bytearray(rest)
        for line in lines:
            msg = json.loads(line)
            if "pid" in msg:
                self.upid = int(msg["pid"])
            if "exit" in msg:
                self.exit_status = msg["exit"]

    def _poll_once(self, timeout: float) -> None:
        writers = [fd for fd, buf in self.pending.items() if buf]
        readable, writable, _ = select.select(list(self.readers), writers, [], max(0.0, timeout))
        for fd in writable:
            if fd in self.pending:
                self._on_write(fd)
        for fd in readable:
            self._on_read(fd)

    # --- waiting with a time budget ----------------------------------------------------------------

    def pump(self, until: Callable[[], bool], budget_s: float, wall_cap_s: float) -> float:
        """Serve I/O until ``until()`` holds; return the effective seconds used (may exceed the budget).

        Effective time is wall time minus the time the jailed process spent runnable but waiting for a
        CPU (``/proc/PID/schedstat``), so a loaded machine does not turn a correct sample into a timeout;
        ``wall_cap_s`` bounds the wall time regardless.
        """
        t0 = time.monotonic()
        base: tuple[float, float] | None = None  # (wall offset, run-queue wait) when first sampled
        while not until():
            wall = time.monotonic() - t0
            if base is None and self.upid and wall >= 0.02:
                sample = _schedstat(self.upid)
                base = (wall, sample[1]) if sample else (wall, -1.0)
            used = self._effective(wall, base) if wall >= budget_s else wall
            if used >= budget_s or wall >= wall_cap_s:
                return max(used, budget_s)
            if not self.readers and not any(self.pending.values()):
                return used
            step = min(budget_s - used, wall_cap_s - wall)
            if base is None:
                step = min(step, 0.02)
            self._poll_once(max(step, 0.001))
        if self.finished:
            self._drain()
        wall = time.monotonic() - t0
        return self._effective(wall, base) if wall >= 0.05 else wall

    def _effective(self, wall: float, base: tuple[float, float] | None) -> float:
        if base is None or base[1] < 0 or not self.upid or self.finished:
            return wall
        now = _schedstat(self.upid)
        if now is None:
            return wall
        return max(0.0, wall - max(0.0, now[1] - base[1]))

    def _drain(self) -> None:
        """Read what the (finished) process left in its pipes; every writer is gone, so this ends."""
        for fd in list(self.readers):
            while fd in self.readers and self._on_read(fd) is not None:
                pass

    def wait_message(self, budget_s: float, wall_cap_s: float) -> tuple[Any, float]:
        """Next message from the jailed process, or ``None`` if it stopped answering; plus time used."""
        used = self.pump(lambda: bool(self.inbox) or self.ctl_eof or self.finished, budget_s, wall_cap_s)
        if self.inbox:
            return self.inbox.popleft(), used
        if not (self.ctl_eof or self.finished):
            self.dead = "timeout"
            self.kill()
        elif self.dead is None:
            self.dead = "protocol" if self.protocol_error else "exited"
        return None, used

    # --- ending ------------------------------------------------------------------------------------

    def kill(self) -> None:
        """Have the zygote SIGKILL this jail (it is the jail's parent, so the pid cannot have been reused),
        then kill everything the jail left and report."""
        try:
            self.zsock.send(json.dumps({"op": "kill", "seq": self.seq}).encode())
        except OSError:
            pass

    def close(self, wait: bool = True) -> None:
        """Hang up and release every descriptor. With ``wait=False`` the jail is SIGKILLed without waiting:
        the zygote reaps it, kills whatever it left and cleans its scratch area before it starts the next
        jail (spawn requests queue until then)."""
        if not wait and not self.finished:
            self.kill()
            for fd in (self.ctl_w, self.stdin_w):
                if fd >= 0:
                    self._close_writer(fd)
            self.finished = True
        if self.ctl_w >= 0:
            self._close_writer(self.ctl_w)
        if self.stdin_w >= 0:
            self._close_writer(self.stdin_w)
        if not self.finished:
            self.pump(lambda: self.finished, 1.0, 1.0)
        if not self.finished:
            self.kill()
            self.pump(lambda: self.finished, 5.0, 5.0)
        for fd in (self.ctl_r, self.out_r, self.err_r, self.done_r):
            try:
                os.close(fd)
            except OSError:
                pass

    def stderr_tail(self) -> str:
        """Last line of the candidate's stderr (for messages; the environment is scrubbed)."""
        lines = [ln for ln in self.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1][:300] if lines else ""


# --- function-level tests ------------------------------------------------------------------------------

_CHECK_RE = re.compile(r"^def\s+check\s*\(", re.M)


def _raise_candidate_exception(name: Any, msg: Any) -> None:
    name, msg = str(name)[:100], str(msg)[:300]
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            exc = cls(msg)
        except Exception:  # noqa: BLE001 - exotic constructor signatures
            exc = CandidateError(f"{name}: {msg}")
    else:
        exc = CandidateError(f"{name}: {msg}")
    raise exc


class _Proxy:
    """Stands for one of the candidate's functions on the trusted side."""

    def __init__(self, run: _FunctionRun, name: str) -> None:
        self._run = run
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._run.call(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<candidate function {self.__name__}>"


class _FunctionRun:
    """Runs function-level tests against a jailed program."""

    def __init__(self, job: dict[str, Any], zsock: socket.socket, spawn: dict[str, Any]) -> None:
        self.job = job
        self.zsock = zsock
        self.spawn = spawn
        self.jail: Jailed | None = None
        self.callables: list[str] = []
        self.test_left = 0.0
        self.limits: _Limits | None = None
        self.stdout_cap = int(job.get("function_output_cap", 1 << 16))

    def _program(self) -> str:
        program, setup = self.job["program"], self.job.get("setup") or ""
        if setup and not program.startswith(setup):
            program = setup + "\n" + program
        return program

    def start(self) -> tuple[str, str] | None:
        """Spawn and load the program; return ``(status, message)`` if that fails."""
        assert self.limits is not None
        self.jail = Jailed(self.zsock, self.spawn, {"kind": "function", "program": self._program()},
                           output_cap=self.stdout_cap)
        msg, used = self._wait()
        if msg is None:
            if self.jail.dead == "timeout":
                return "timeout", "timed out while loading the program"
            tail = self.jail.stderr_tail()
            return "error", "the program exited while loading" + (f": {tail}" if tail else "")
        if isinstance(msg, dict) and isinstance(msg.get("load_error"), list):
            name, text = (list(msg["load_error"]) + ["", ""])[:2]
            return "error", f"the program failed to load: {str(name)[:100]}: {str(text)[:300]}"
        if not (isinstance(msg, dict) and isinstance(msg.get("ready"), list)):
            self.jail.kill()
            return "error", "protocol violation by the sandboxed program"
        self.callables = [n for n in msg["ready"] if isinstance(n, str)]
        return None

    def _wait(self) -> tuple[Any, float]:
        assert self.jail is not None and self.limits is not None
        budget = max(0.0, min(self.test_left, self.limits.sample_s - self.limits.sample_used))
        msg, used = self.jail.wait_message(budget, self.limits.wall_cap(budget))
        self.test_left -= used
        self.limits.sample_used += used
        return msg, used

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Proxy call: send trusted arguments, receive a plain value (or the candidate's exception)."""
        jail = self.jail
        if jail is None or jail.dead:
            raise SandboxGone(jail.dead if jail else "not started")
        try:
            payload = {"op": "call", "fn": name, "args": _codec.encode(list(args)),
                       "kwargs": _codec.encode(dict(kwargs))}
        except _codec.CodecError as exc:
            raise TypeError(f"the test passes a value the sandbox cannot receive: {exc}") from None
        jail.send(payload)
        msg, _ = self._wait()
        if msg is None:
            raise SandboxTimeout() if jail.dead == "timeout" else SandboxGone(jail.dead)
        if isinstance(msg, dict) and len(msg) == 1 and "r" in msg:
            t0 = time.monotonic()
            try:
                return _codec.decode(msg["r"])
            except (_codec.CodecError, RecursionError, ValueError):
                jail.protocol_error = True
                raise SandboxGone("protocol") from None
            finally:  # rebuilding the reply is the sample's cost, not the trusted side's
                assert self.limits is not None
                spent = time.monotonic() - t0
                self.test_left -= spent
                self.limits.sample_used += spent
        if isinstance(msg, dict) and isinstance(msg.get("e"), list) and len(msg["e"]) == 2:
            _raise_candidate_exception(*msg["e"])
        jail.protocol_error = True
        jail.dead = "protocol"
        jail.kill()
        raise SandboxGone("protocol")

    def close(self) -> None:
        if self.jail is not None:
            self.jail.close(wait=False)
            self.jail = None


_CODE_CACHE: dict[tuple[str, str], Any] = {}


def _compiled(source: str, filename: str) -> Any:
    """Compile trusted code once per worker (the same task's tests recur for every sample); its lines are
    registered with ``linecache`` under a unique name so failure messages can quote the failing assert."""
    key = (source, filename)
    code = _CODE_CACHE.get(key)
    if code is None:
        if len(_CODE_CACHE) > 2048:
            for name in [k for k in linecache.cache if isinstance(k, str) and k.startswith("<test")]:
                del linecache.cache[name]
            _CODE_CACHE.clear()
        unique = f"{filename[:-1]}#{len(_CODE_CACHE)}>"
        code = _CODE_CACHE[key] = compile(source, unique, "exec")
        linecache.cache[unique] = (len(source), None, source.splitlines(True), unique)
    return code


def _trusted_namespace(job: dict[str, Any]) -> dict[str, Any]:
    ns: dict[str, Any] = {"__name__": "__alignkit_tests__", "__builtins__": builtins}
    if job.get("setup"):
        exec(_compiled(job["setup"], "<setup>"), ns)  # noqa: S102 - trusted dataset code
    return ns


def _failure_message(exc: BaseException, test_src: str | None) -> str:
    if isinstance(exc, AssertionError):
        line = ""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.startswith("<test"):
                line = (frame.line or "").strip()
                break
        text = str(exc)
        where = line or (test_src or "").strip().splitlines()[0:1]
        where = where if isinstance(where, str) else (where[0] if where else "")
        out = "assertion failed" + (f": {where[:200]}" if where else "")
        return out + (f" ({text[:200]})" if text else "")
    if isinstance(exc, CandidateError):
        return f"the candidate raised {str(exc)[:300]}"
    if isinstance(exc, SandboxGone):
        return "the candidate's process exited during the test" if str(exc) != "protocol" \
            else "protocol violation by the sandboxed program"
    return f"the candidate raised {type(exc).__name__}: {str(exc)[:300]}"


def run_function(job: dict[str, Any], zsock: socket.socket, spawn: dict[str, Any]) -> dict[str, Any]:
    """Run one function-level job; return the verdict as a plain dict."""
    tests = job["tests"]
    if isinstance(tests, str):
        items = ["__check__"] if _CHECK_RE.search(tests) else [tests]
    else:
        items = [str(t) for t in tests]
    n = len(items)
    all_results = bool(job.get("all_results"))
    try:
        ns = _trusted_namespace(job)
        if items == ["__check__"]:
            exec(_compiled(tests, "<tests>"), ns)  # noqa: S102 - trusted dataset code
    except HardCap:
        raise
    except BaseException as exc:  # noqa: BLE001 - broken trusted code is an error, not a verdict
        return _verdict("error", 0, n, f"the trusted setup or test code failed: {type(exc).__name__}: {exc}")
    run = _FunctionRun(job, zsock, spawn)
    run.limits = _Limits(job, n)
    details: list[dict[str, Any]] = []
    try:
        return _run_tests(run, ns, items, job, all_results, details)
    finally:
        run.close()


def _install_proxies(run: _FunctionRun, ns: dict[str, Any], entry: str) -> None:
    ns[entry] = _Proxy(run, entry)
    for name in run.callables:
        if name not in ns and not hasattr(builtins, name) and name.isidentifier():
            ns[name] = _Proxy(run, name)


def _run_tests(run: _FunctionRun, ns: dict[str, Any], items: list[str], job: dict[str, Any],
               all_results: bool, details: list[dict[str, Any]]) -> dict[str, Any]:
    entry = job["entry_point"]
    n = len(items)
    first_bad: tuple[str, str] | None = None
    passed = 0
    for i, item in enumerate(items):
        assert run.limits is not None
        run.test_left = run.limits.test_s
        if run.jail is None or run.jail.dead:
            run.close()
            if run.limits.sample_used >= run.limits.sample_s:
                status, message = "timeout", "the sample's time limit was used up"
                details.append({"index": i, "status": status, "message": message})
                first_bad = first_bad or (status, message)
                if not all_results:
                    break
                continue
            failed = run.start()
            if failed is not None:
                if i == 0 and not all_results:
                    return _verdict(failed[0], 0, n, failed[1], details if all_results else None)
                details.append({"index": i, "status": failed[0], "message": failed[1]})
                first_bad = first_bad or failed
                if not all_results:
                    break
                continue
            _install_proxies(run, ns, entry)
        status, message = _one_test(run, ns, item, i, entry)
        details.append({"index": i, "status": status, "message": message})
        if status == "passed":
            passed += 1
        else:
            first_bad = first_bad or (status, f"test {i}: {message}" if n > 1 else message)
            if not all_results:
                break
    if first_bad is None:
        return _verdict("passed", passed, n, "", details if all_results else None)
    return _verdict(first_bad[0], passed, n, first_bad[1], details if all_results else None)


def _one_test(run: _FunctionRun, ns: dict[str, Any], item: str, i: int, entry: str) -> tuple[str, str]:
    try:
        if item == "__check__":
            ns["check"](ns[entry])
        else:
            exec(_compiled(item, f"<test {i}>"), ns)  # noqa: S102 - trusted dataset code
        outcome: tuple[str, str] = ("passed", "")
    except SandboxTimeout:
        outcome = ("timeout", "timed out")
    except HardCap:
        raise
    except BaseException as exc:  # noqa: BLE001 - any exception fails the test
        outcome = ("failed", _failure_message(exc, item if item != "__check__" else None))
    jail = run.jail
    if jail is not None and jail.dead == "timeout":
        return "timeout", "timed out"
    if jail is not None and (jail.protocol_error or jail.dead == "protocol"):
        return "failed", "protocol violation by the sandboxed program"
    if outcome[0] == "passed" and jail is not None and jail.dead:
        return "failed", "the candidate's process exited during the test"
    return outcome


def _verdict(status: str, n_passed: int, n_tests: int, message: str,
             details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"status": status, "n_passed": n_passed, "n_tests": n_tests, "message": message[:1000],
            "details": details}


# --- stdin/stdout programs -----------------------------------------------------------------------------


def outputs_match(actual: str, expected: str) -> bool:
    """Compare program output with the expected output, the way competitive judges do.

    Lines are compared with trailing whitespace and trailing blank lines ignored; failing that, the
    whitespace-separated tokens must match, numbers within an absolute or relative 1e-6.
    """
    def lines(s: str) -> list[str]:
        out = [ln.rstrip() for ln in s.replace("\r\n", "\n").split("\n")]
        while out and not out[-1]:
            out.pop()
        return out

    if lines(actual) == lines(expected):
        return True
    a, e = actual.split(), expected.split()
    if len(a) != len(e):
        return False
    for x, y in zip(a, e, strict=True):
        if x == y:
            continue
        try:
            fx, fy = float(x), float(y)
        except ValueError:
            return False
        if not abs(fx - fy) <= 1e-6 * max(1.0, abs(fy)):
            return False
    return True


def run_stdio(job: dict[str, Any], zsock: socket.socket, spawn: dict[str, Any]) -> dict[str, Any]:
    """Run a stdin/stdout program on each case in a fresh jailed process; compare on this side."""
    cases = [(str(c[0]), str(c[1])) for c in job["cases"]]
    n = len(cases)
    all_results = bool(job.get("all_results"))
    limits = _Limits(job, n)
    cap = int(job.get("output_limit", 1 << 20))
    details: list[dict[str, Any]] = []
    passed = 0
    first_bad: tuple[str, str] | None = None
    for i, (inp, expected) in enumerate(cases):
        budget = min(limits.test_s, limits.sample_s - limits.sample_used)
        if budget <= 0:
            status, message = "timeout", "the sample's time limit was used up"
        else:
            status, message, used = _one_case(zsock, spawn, job["program"], inp, expected, budget,
                                              limits.wall_cap(budget), cap)
            limits.sample_used += used
        details.append({"index": i, "status": status, "message": message})
        if status == "passed":
            passed += 1
            continue
        first_bad = first_bad or (status, f"case {i}: {message}" if n > 1 else message)
        if not all_results:
            break
    d = details if all_results else None
    if first_bad is None:
        return _verdict("passed", passed, n, "", d)
    return _verdict(first_bad[0], passed, n, first_bad[1], d)


def _one_case(zsock: socket.socket, spawn: dict[str, Any], program: str, inp: str, expected: str,
              budget: float, wall_cap: float, cap: int) -> tuple[str, str, float]:
    jail = Jailed(zsock, spawn, {"kind": "stdio", "program": program}, stdin_data=inp.encode(), output_cap=cap)
    try:
        used = jail.pump(lambda: jail.finished, budget, wall_cap)
        if not jail.finished:
            jail.kill()
            return "timeout", "timed out", used
        status = jail.exit_status
        if status is None or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            tail = jail.stderr_tail()
            return "failed", "runtime error" + (f": {tail}" if tail else ""), used
        if jail.stdout_overflow:
            return "failed", "output limit exceeded", used
        actual = jail.stdout.decode("utf-8", "replace")
        if outputs_match(actual, expected):
            return "passed", "", used
        return "failed", "wrong answer", used
    finally:
        jail.close()
