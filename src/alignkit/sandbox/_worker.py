"""Sandbox worker: a trusted supervisor and a zygote that forks one jail per run (stdlib only).

Started by :class:`alignkit.sandbox.Executor` as ``python -I -S -B _worker.py CONFIG`` with a scrubbed
environment. Process tree per worker::

    supervisor (trusted, host namespaces; JSON lines with the Executor; runs the dataset's tests and
    │           calls the candidate through pipes; decides the verdict)
    └── namespace holder (forked at start-up; enters new network, mount, IPC and UTS namespaces, builds
        │                  the read-only root, then forks the zygote into a new PID namespace)
        └── zygote (PID 1 of that namespace; forked before any job, so it never holds a test, a verdict
            │       or another candidate's program; forks one jail per request, reaps, and after each
            │       run SIGKILLs everything left in the namespace)
            └── jail (chrooted, unprivileged uid, own session, rlimits, seccomp, scrubbed environment)

The jail receives its program and call arguments over a pipe and can only answer with plain values.
"""

from __future__ import annotations

import errno
import gc
import json
import math
import os
import select
import signal
import socket
import sys
import time
from collections import deque
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _codec  # noqa: E402, F401  # type: ignore[import-not-found]  # warm: used inside the jail
import _jail  # noqa: E402  # type: ignore[import-not-found]
import _trusted  # noqa: E402  # type: ignore[import-not-found]
import _untrusted  # noqa: E402  # type: ignore[import-not-found]

# Imported once in the zygote so candidates get them for free; kept small, since every page the zygote
# maps is copied (as page-table entries) into each jail.
WARM_MODULES = ("math", "re", "string", "collections", "itertools", "functools", "heapq", "bisect", "typing",
                "copy", "operator")
# Without the chroot the interpreter's own directory may be unreadable to the jail's uid (a Python under
# /root, say), so more of the standard library is loaded up front.
WARM_MODULES_NO_CHROOT = ("hashlib", "random", "statistics", "fractions", "decimal", "datetime", "cmath",
                          "array", "dataclasses", "enum", "textwrap", "numbers", "json", "string", "time",
                          "calendar", "unicodedata", "difflib", "pprint", "queue", "struct", "zlib", "base64",
                          "binascii", "csv", "io", "abc", "contextlib", "types", "weakref", "bisect", "secrets")
_MAXFD = 1 << 20
_SECCOMP: list[Any] = []  # the zygote's pre-assembled filter
_LANDLOCK: list[Any] = []  # the zygote's Landlock ruleset
_LANDLOCK_FD_MIN = 64


def _stdlib_dirs() -> list[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    dirs = []
    for p in sys.path:
        p = os.path.abspath(p) if p else ""
        if p and p != here and os.path.isdir(p):
            dirs.append(p)
    return dirs


# --- isolation set-up (namespace holder) ---------------------------------------------------------------


def _try(layers: dict[str, Any], name: str, fn: Any) -> bool:
    try:
        fn()
    except OSError as exc:
        layers["fallbacks"][name] = str(exc)[:200]
        return False
    layers[name] = True
    return True


def _probe_in_child(fn: Any) -> bool:
    pid = os.fork()
    if pid == 0:
        try:
            ok = fn()
        except BaseException:  # noqa: BLE001
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _probe_seccomp() -> bool:
    _SECCOMP[0].install()
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except PermissionError:
        return True
    return False


def _enter_userns() -> None:
    uid, gid = os.getuid(), os.getgid()
    _jail.unshare(_jail.CLONE_NEWUSER)
    with open("/proc/self/setgroups", "w") as fh:
        fh.write("deny")
    with open("/proc/self/uid_map", "w") as fh:
        fh.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as fh:
        fh.write(f"0 {gid} 1")


def _setup_isolation(cfg: dict[str, Any]) -> dict[str, Any]:
    """Enter every isolation layer the kernel allows (except the PID namespace, entered by the caller);
    report which are on and why the others are off."""
    layers: dict[str, Any] = {k: False for k in ("uid", "userns", "netns", "ipcns", "mountns", "chroot",
                                                  "landlock", "pidns", "seccomp")}
    layers["fallbacks"] = {}
    want = cfg.get("isolation", {})
    if os.geteuid() == 0 and cfg.get("uid") is not None:
        layers["uid"] = True
    elif want.get("userns", True):
        _try(layers, "userns", _enter_userns)
    privileged = layers["uid"] or layers["userns"]
    if privileged and want.get("netns", True):
        _try(layers, "netns", lambda: _jail.unshare(_jail.CLONE_NEWNET))
    if privileged:
        _try(layers, "ipcns", lambda: _jail.unshare(_jail.CLONE_NEWIPC | _jail.CLONE_NEWUTS))
    if privileged and want.get("mountns", True):
        if _try(layers, "mountns", lambda: (_jail.unshare(_jail.CLONE_NEWNS), _jail.make_mounts_private())):
            _try(layers, "chroot", lambda: _jail.build_root(cfg["root_dir"], _stdlib_dirs()))
    if want.get("seccomp", True):
        try:
            _SECCOMP.append(_jail.SeccompFilter())
        except OSError:
            pass
        layers["seccomp"] = bool(_SECCOMP) and _probe_in_child(_probe_seccomp)
        if not layers["seccomp"]:
            layers["fallbacks"]["seccomp"] = "seccomp filter unavailable on this kernel/architecture"
    _ipc_per_run(layers, privileged)
    os.makedirs(_scratch_parent(cfg), mode=0o711, exist_ok=True)  # Landlock's writable area
    if want.get("landlock", True):
        _try(layers, "landlock", lambda: _LANDLOCK.append(_landlock_ruleset(cfg, layers["chroot"])))
    if privileged and want.get("pidns", True):
        _try(layers, "pidns", lambda: _jail.unshare(_jail.CLONE_NEWPID))
    return layers


def _ipc_per_run(layers: dict[str, Any], privileged: bool) -> None:
    """Kernel objects that outlive the process that made them (System V shared memory, semaphores and
    message queues, POSIX message queues; keys) must not carry state from one run to the next.

    With the seccomp filter no run can create any (those calls are denied; the worker's IPC namespace is
    fresh and stays empty). Without it each jail enters an IPC namespace of its own, which the kernel
    destroys with everything in it when the jail's last process is gone, and starts with a new session
    keyring and emptied user keyrings. Where neither is possible the fallback is recorded."""
    layers["ipcns_per_run"] = layers["keyrings_per_run"] = False
    if layers["seccomp"]:
        return
    if _jail.keyrings_supported():
        layers["keyrings_per_run"] = True
    else:
        layers["fallbacks"]["keyrings"] = "no seccomp filter: kernel keys made by one run are visible to the next"
    if privileged and _probe_in_child(lambda: (_jail.unshare(_jail.CLONE_NEWIPC), True)[1]):
        layers["ipcns_per_run"] = True
    else:
        layers["fallbacks"]["ipc"] = ("no seccomp filter and no namespace privilege: System V and POSIX "
                                      "IPC objects made by one run are visible to the next")


def _landlock_ruleset(cfg: dict[str, Any], chroot: bool) -> Any:
    """Without the chroot: read-only system and stdlib directories, a writable scratch area, nothing else.
    In every case: no TCP, no signals or abstract sockets beyond the jail (where the kernel supports it)."""
    system = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache"]
    devices = ["/dev/" + d for d in ("null", "zero", "random", "urandom")]
    read_only = [p for p in system + _stdlib_dirs() if os.path.exists(p)]
    ruleset = _jail.LandlockRuleset(read_only, [_scratch_parent(cfg)], devices, filesystem=not chroot)
    ruleset.move_to(_LANDLOCK_FD_MIN)
    return ruleset


def _scratch_parent(cfg: dict[str, Any]) -> str:
    """Where the per-run scratch directories go without the chroot (the only place a jail can write)."""
    return os.path.join(cfg["base_dir"], "scratch")


def _enter_cgroup(cfg: dict[str, Any], layers: dict[str, Any]) -> None:
    """Cap the memory and process count of the zygote's whole tree (jails and everything they start)."""
    layers["cgroup"] = False
    if not cfg.get("isolation", {}).get("cgroup", True) or os.geteuid() != 0 or layers["userns"]:
        layers["fallbacks"]["cgroup"] = "needs root"
        return
    mem = (int(cfg.get("memory_mb", 1024)) + int(cfg.get("scratch_mb", 64)) + 128) << 20
    pids = int(cfg.get("nproc", 16)) + 8
    try:
        layers["cgroup_dirs"] = _jail.join_cgroups(os.path.basename(cfg["base_dir"]), mem, pids)
        layers["cgroup"] = True
    except OSError as exc:
        layers["fallbacks"]["cgroup"] = str(exc)[:200]
        return
    try:  # the OOM killer then always prefers a jail (set to +1000) to the zygote
        _jail.set_oom_score_adj(-1000)
    except OSError as exc:
        layers["fallbacks"]["zygote_oom_protection"] = str(exc)[:200]


def _holder_main(sock: socket.socket, cfg: dict[str, Any]) -> None:
    """Namespace holder: set everything up, start the zygote (PID 1 of the new PID namespace), wait."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    try:
        _jail.set_pdeathsig()
        for name in WARM_MODULES:
            __import__(name)
        layers = _setup_isolation(cfg)
        if not layers["chroot"]:
            for name in WARM_MODULES_NO_CHROOT:
                try:
                    __import__(name)
                except ImportError:
                    pass
        if not layers["pidns"]:
            _try(layers, "subreaper", _jail.set_child_subreaper)
            _enter_cgroup(cfg, layers)
            sock.send(json.dumps(layers).encode())
            _Zygote(sock, cfg, layers).loop()
        pid = os.fork()
        if pid == 0:
            _jail.set_pdeathsig()
            _enter_cgroup(cfg, layers)
            sock.send(json.dumps(layers).encode())
            _Zygote(sock, cfg, layers).loop()
        sock.close()
        os.waitpid(pid, 0)
    finally:
        os._exit(0)


# --- zygote --------------------------------------------------------------------------------------------


class _Run:
    """The jail currently alive (one at a time per worker)."""

    def __init__(self, pid: int, done: int, seq: Any) -> None:
        self.pid = pid
        self.done = done
        self.seq = seq
        self.status: int | None = None


class _Zygote:
    """Forks jails on request; holds nothing but its namespaces and the read-only root."""

    def __init__(self, sock: socket.socket, cfg: dict[str, Any], layers: dict[str, Any]) -> None:
        self.sock = sock
        self.cfg = cfg
        self.layers = layers
        self.root = cfg["root_dir"]
        self.run: _Run | None = None
        self.scratch: str | None = None
        self.queue: deque[tuple[dict[str, Any], list[int]]] = deque()
        self.seq = 0
        self.wake_r, wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.shmem_base = self.cgroup_shmem()

    def cgroup_shmem(self) -> int | None:
        """Bytes of shared memory (System V segments, tmpfs) charged to the worker's memory cgroup."""
        if not self.layers.get("cgroup"):
            return None
        try:
            with open(os.path.join(self.layers["cgroup_dirs"][0], "memory.stat")) as fh:
                stat = dict(line.split() for line in fh if line.count(" ") == 1)
            return int(stat.get("total_shmem", stat.get("shmem", 0)))
        except (OSError, ValueError, IndexError, KeyError):
            return None

    def wait_for_released_shmem(self, limit_s: float = 5.0) -> None:
        """A run's System V segments die with its own IPC namespace, but the kernel frees them later,
        from a work queue; until then they stay charged to the worker's cgroup, and the next run could
        start short of memory and be killed while loading (seen in CI, after a sample that had filled the
        cgroup with segments). Wait, bounded, until the charge is back near where the worker started
        (measured: 441 MB freed about 0.1 s after the run ended, on a quiet machine)."""
        if self.shmem_base is None or not self.layers.get("ipcns_per_run"):
            return
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            now = self.cgroup_shmem()
            if now is None or now <= self.shmem_base + (8 << 20):
                return
            time.sleep(0.005)

    def loop(self) -> None:
        gc.collect()
        gc.freeze()  # forked jails then leave the zygote's objects (and their pages) alone
        while True:
            try:
                ready, _, _ = select.select([self.sock, self.wake_r], [], [])
            except InterruptedError:
                continue
            if self.wake_r in ready:
                try:
                    while os.read(self.wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
            self.reap()
            if self.sock in ready:
                self.receive()

    def receive(self) -> None:
        try:
            msg, fds, _, _ = socket.recv_fds(self.sock, 1 << 16, 16)
        except OSError:
            os._exit(0)
        if not msg:
            os._exit(0)
        try:
            cmd = json.loads(msg)
        except ValueError:
            cmd = {}
        if cmd.get("op") == "spawn" and len(fds) == 6:
            self.queue.append((cmd, fds))
            self.start_next()
            return
        for fd in fds:
            os.close(fd)
        if cmd.get("op") == "kill":
            self.kill(cmd.get("seq"))

    def kill(self, seq: Any) -> None:
        """SIGKILL the jail of run ``seq`` (or drop it from the queue if it has not started)."""
        if self.run is not None and self.run.seq == seq and self.run.status is None:
            try:
                os.kill(self.run.pid, signal.SIGKILL)  # our unreaped child: the pid is still its own
            except ProcessLookupError:
                pass
            return
        for item in [q for q in self.queue if q[0].get("seq") == seq]:
            self.queue.remove(item)
            for fd in item[1]:
                os.close(fd)

    def start_next(self) -> None:
        if self.run is not None or not self.queue:
            return
        cmd, fds = self.queue.popleft()
        try:
            self.spawn(cmd, fds)
        finally:
            for fd in fds[:5]:
                os.close(fd)

    def reap(self) -> None:
        """Collect exited processes; when the jail is gone, kill whatever it left and report."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                return
            if self.run is not None and pid == self.run.pid:
                self.run.status = status
                self.sweep()
        if self.run is not None and self.run.status is not None:
            self.finish()

    def sweep(self) -> None:
        """Kill every process the jail left behind (they live in our PID namespace, or under its uid)."""
        if self.layers["pidns"]:
            try:
                os.kill(-1, signal.SIGKILL)  # as PID 1: everything else in this namespace
            except ProcessLookupError:
                pass
        elif self.layers["uid"]:
            _jail.sweep_uid(int(self.cfg["uid"]))
        if self.layers["uid"] and not self.layers["chroot"] and not self.layers.get("landlock"):
            _jail.remove_owned_entries(int(self.cfg["uid"]))  # nothing else stops writes to /tmp, /dev/shm

    def finish(self) -> None:
        run, self.run = self.run, None
        assert run is not None
        self.drop_scratch()
        self.wait_for_released_shmem()
        try:
            os.write(run.done, json.dumps({"exit": run.status}).encode() + b"\n")
        except OSError:
            pass
        os.close(run.done)
        self.start_next()

    def drop_scratch(self) -> None:
        scratch, self.scratch = self.scratch, None
        if scratch is None:
            return
        if self.layers["chroot"]:
            try:
                _jail.umount(self.root + "/scratch")
            except OSError:
                pass
        else:  # everything under the parent: a jail that may write there could have made siblings
            import shutil

            parent = _scratch_parent(self.cfg)
            for name in os.listdir(parent):
                path = os.path.join(parent, name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass

    def make_scratch(self, cmd: dict[str, Any]) -> str:
        uid = cmd.get("uid")
        gid = cmd.get("gid")
        size = int(self.cfg.get("scratch_mb", 64))
        if self.layers["chroot"]:
            _jail.mount_scratch(self.root + "/scratch", uid if uid is not None else 0,
                                gid if gid is not None else 0, size)
            self.scratch = "/scratch"
            return self.scratch
        self.seq += 1
        parent = _scratch_parent(self.cfg)
        os.makedirs(parent, mode=0o711, exist_ok=True)
        path = os.path.join(parent, f"run-{os.getpid()}-{self.seq}")
        os.mkdir(path, 0o700)
        if uid is not None and os.geteuid() == 0:
            os.chown(path, uid, gid)
        self.scratch = path
        return path

    def spawn(self, cmd: dict[str, Any], fds: list[int]) -> None:
        done = fds[5]
        try:
            scratch = self.make_scratch(cmd)
        except OSError:
            os.close(done)
            return
        try:
            pid = os.fork()
        except OSError:  # e.g. the cgroup's process cap: the supervisor sees the run end at once
            self.drop_scratch()
            os.close(done)
            return
        if pid == 0:
            _jail_main(cmd, fds, scratch, self.layers, self.root)
        self.run = _Run(pid, done, cmd.get("seq"))
        try:
            os.write(done, json.dumps({"pid": _host_pid(pid)}).encode() + b"\n")
        except OSError:
            # The supervisor may already be done with this run and have closed its end: a fast job's
            # answers can arrive over the control pipe before this report. Its kill request follows in
            # the socket; the zygote must not die of the EPIPE (that took the whole worker down).
            pass


def _host_pid(pid: int) -> int:
    """The pid as the supervisor (in the parent PID namespace) sees it."""
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return pid
    try:
        with open(f"/proc/self/fdinfo/{fd}") as fh:
            for line in fh:
                if line.startswith("Pid:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    finally:
        os.close(fd)
    return pid


# --- jail ----------------------------------------------------------------------------------------------


def _jail_main(cmd: dict[str, Any], fds: list[int], scratch: str, layers: dict[str, Any], root: str) -> None:
    """Lock the process down, then hand it to the untrusted runtime. Never returns."""
    try:
        signal.set_wakeup_fd(-1)
        tmp = [os.dup(fd) for fd in fds[:5]]
        for target, src in zip((3, 4, 0, 1, 2), tmp, strict=True):  # ctl_in, ctl_out, stdin, stdout, stderr
            os.dup2(src, target)
        keep = _LANDLOCK[0].fd if layers.get("landlock") else _MAXFD
        os.closerange(5, keep)
        os.closerange(keep + 1, _MAXFD)
        os.setsid()
        try:  # the OOM killer's first choice, in the worker's cgroup and (without it) on the host
            _jail.set_oom_score_adj(1000)
        except OSError:
            if layers.get("cgroup"):
                raise
        if layers.get("ipcns_per_run"):
            _jail.unshare(_jail.CLONE_NEWIPC)
        keys = not layers["seccomp"] and layers.get("keyrings_per_run")
        if keys and layers["uid"]:
            _jail.join_new_session_keyring()  # as root: never short of key quota
        if layers["chroot"]:
            os.chroot(root)
        os.chdir(scratch)
        _jail.set_rlimits({k: int(v) for k, v in cmd["rlimits"].items()})
        if layers["uid"]:
            _jail.drop_privileges(int(cmd["uid"]), int(cmd["gid"]))
        elif layers["userns"]:
            _jail.drop_capabilities()
        if keys:
            _jail.clear_user_keyrings()
            if not layers["uid"]:
                _jail.join_new_session_keyring()
        _jail.set_pdeathsig()
        _jail.prctl(_jail.PR_SET_DUMPABLE, 0)
        if layers.get("landlock"):
            _LANDLOCK[0].restrict()
            os.close(keep)
        if layers["seccomp"]:
            _SECCOMP[0].install()
        os.environ.clear()
        os.environ.update({"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch,
                           "LANG": "C.UTF-8"})
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        sys.argv = ["candidate"]
    except BaseException:  # noqa: BLE001 - never run the candidate half-jailed
        os._exit(121)
    try:
        _untrusted.main()
    finally:
        os._exit(0)


# --- supervisor ----------------------------------------------------------------------------------------


def _n_tests(job: dict[str, Any]) -> int:
    return len(job.get("cases") or []) or (len(job["tests"]) if isinstance(job.get("tests"), list) else 1)


def _hard_cap(job: dict[str, Any]) -> float:
    n = _n_tests(job)
    limits = _trusted._Limits(job, n)
    return limits.sample_s * limits.wall_factor + 10.0 + 0.5 * n


def _spawn_cfg(job: dict[str, Any], cfg: dict[str, Any], layers: dict[str, Any]) -> dict[str, Any]:
    cpu = math.ceil(_trusted._Limits(job, _n_tests(job)).sample_s) + 1
    rlimits = {"AS": int(job["memory_mb"]) << 20, "CPU": cpu, "FSIZE": int(cfg.get("file_size_mb", 16)) << 20,
               "NOFILE": 64, "CORE": 0}
    if layers["uid"]:
        rlimits["NPROC"] = int(cfg.get("nproc", 16))
    return {"uid": cfg.get("uid") if layers["uid"] else None, "gid": cfg.get("gid") if layers["uid"] else None,
            "rlimits": rlimits}


def _on_alarm(*_: Any) -> None:
    raise _trusted.HardCap()


def _run_job(job: dict[str, Any], zsock: socket.socket, cfg: dict[str, Any], layers: dict[str, Any]) -> dict:
    spawn = _spawn_cfg(job, cfg, layers)
    signal.setitimer(signal.ITIMER_REAL, _hard_cap(job))
    try:
        if job.get("kind") == "stdio":
            return _trusted.run_stdio(job, zsock, spawn)
        return _trusted.run_function(job, zsock, spawn)
    except _trusted.HardCap:
        return {"status": "timeout", "message": "the sample ran past its hard time cap"}
    except (BrokenPipeError, ConnectionError) as exc:
        return {"status": "error", "message": f"sandbox unavailable: {type(exc).__name__}", "fatal": True}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main() -> None:
    """Supervisor entry point."""
    cfg = json.loads(sys.argv[1])
    _jail.set_pdeathsig()
    if cfg.get("parent_pid") is not None and os.getppid() != int(cfg["parent_pid"]):
        return  # the executor died before the parent-death signal was armed
    if cfg.get("cpu") is not None:
        try:
            os.sched_setaffinity(0, {int(cfg["cpu"])})
        except OSError:
            pass
    if os.geteuid() == 0 and cfg.get("uid") is not None:
        _jail.sweep_uid(int(cfg["uid"]))  # leftovers of a crashed predecessor on this uid
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    holder = os.fork()
    if holder == 0:
        a.close()
        _holder_main(b, cfg)
    b.close()
    layers = json.loads(a.recv(1 << 16))
    signal.signal(signal.SIGALRM, _on_alarm)
    devnull = os.open(os.devnull, os.O_RDONLY)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(devnull, 1)  # trusted test code that prints cannot corrupt the verdict channel
    inp = os.fdopen(os.dup(0), "rb")
    os.dup2(devnull, 0)
    out.write(json.dumps({"ready": True, "layers": layers, "pid": os.getpid()}).encode() + b"\n")
    out.flush()
    for line in inp:
        try:
            job = json.loads(line)
            verdict = _run_job(job, a, cfg, layers)
            verdict["id"] = job.get("id")
        except Exception as exc:  # noqa: BLE001 - keep serving
            verdict = {"status": "error", "message": f"internal sandbox error: {type(exc).__name__}: {exc}"[:500]}
        out.write(json.dumps(verdict).encode() + b"\n")
        out.flush()
        if verdict.get("fatal"):
            break
    a.close()
    try:
        os.waitpid(holder, 0)
    except ChildProcessError:
        pass


if __name__ == "__main__":
    try:
        main()
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
