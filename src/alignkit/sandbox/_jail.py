"""Kernel-level isolation primitives for the sandbox worker (Linux, stdlib + ctypes only).

Each function does one thing and raises ``OSError`` when the kernel refuses, so the worker can record
which layers are active and fall back to the next one. Nothing here decides verdicts.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import os
import platform
import resource
import signal
import struct
import sys
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWTIME = 0x00000080
_NS_MASK = (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
            | CLONE_NEWCGROUP | CLONE_NEWTIME)

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_CAPBSET_DROP = 24

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _b(s: str | None) -> bytes | None:
    return None if s is None else s.encode()


def unshare(flags: int) -> None:
    """Move the calling process into new namespaces (``unshare(2)``)."""
    _check(_libc.unshare(flags), "unshare")


def mount(src: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    """``mount(2)``."""
    _check(_libc.mount(_b(src), _b(target), _b(fstype), flags, _b(data)), f"mount {target}")


def umount(target: str) -> None:
    """Lazily detach a mount (``umount2(MNT_DETACH)``)."""
    _check(_libc.umount2(_b(target), MNT_DETACH), f"umount {target}")


def prctl(option: int, arg: int = 0) -> None:
    """``prctl(2)`` with one argument."""
    _check(_libc.prctl(option, arg, 0, 0, 0), "prctl")


def set_pdeathsig(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent dies."""
    prctl(PR_SET_PDEATHSIG, int(sig))


def set_child_subreaper() -> None:
    """Orphaned descendants are re-parented to this process (so it can reap them)."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def make_mounts_private() -> None:
    """Stop mount events propagating between this mount namespace and the host's."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)


def bind_ro(src: str, dst: str, *, writable: bool = False) -> None:
    """Bind-mount ``src`` at ``dst`` (created as needed), read-only, nosuid, nodev unless a device."""
    if os.path.isdir(src):
        os.makedirs(dst, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "a"):
            pass
    mount(src, dst, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID
    if not writable:
        flags |= MS_RDONLY | MS_NODEV
    mount(None, dst, None, flags)


def _hide(path: str) -> None:
    """Cover a directory with an empty read-only tmpfs."""
    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k,mode=0755")


def _under(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def build_root(root: str, stdlib_dirs: list[str]) -> list[str]:
    """Build a minimal read-only root filesystem at ``root`` (inside a private mount namespace).

    It holds the system directories (``/usr``, ``/lib*``, ``/bin``), the interpreter's standard library,
    four device nodes and an empty ``/scratch`` (``/tmp`` links to it); every ``site-packages`` and
    ``dist-packages`` directory inside it is covered, so no installed package or data set is readable.
    Returns the host paths made visible.
    """
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=2048,mode=0755")
    shown: list[str] = []
    for name in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = "/" + name
        if os.path.islink(host):
            os.symlink(os.readlink(host), root + host)
        elif os.path.isdir(host):
            bind_ro(host, root + host)
            shown.append(host)
    for d in stdlib_dirs:
        if os.path.isdir(d) and not _under(d, shown):
            bind_ro(d, root + d)
            shown.append(d)
    for pattern in ("/usr/lib/python3*/*-packages", "/usr/local/lib/python3*/*-packages",
                    "/usr/lib/python3/dist-packages", "/usr/share/python*"):
        for d in glob.glob(pattern):
            if os.path.isdir(root + d):
                _hide(root + d)
    for d in shown:
        for sub in glob.glob(d + "/site-packages") + glob.glob(d + "/dist-packages"):
            if os.path.isdir(root + sub):
                _hide(root + sub)
    os.makedirs(root + "/dev")
    for dev in ("null", "zero", "random", "urandom"):
        if os.path.exists("/dev/" + dev):
            bind_ro("/dev/" + dev, root + "/dev/" + dev, writable=True)
    os.makedirs(root + "/etc")
    if os.path.exists("/etc/ld.so.cache"):
        bind_ro("/etc/ld.so.cache", root + "/etc/ld.so.cache")
    os.makedirs(root + "/scratch")
    os.symlink("/scratch", root + "/tmp")
    mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    return shown


def mount_scratch(path: str, uid: int, gid: int, size_mb: int, inodes: int = 4096) -> None:
    """Mount a fresh, size-capped tmpfs owned by the sandbox user at ``path``."""
    opts = f"size={size_mb}m,nr_inodes={inodes},mode=0700,uid={uid},gid={gid}"
    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts)


def set_rlimits(limits: dict[str, int]) -> None:
    """Apply ``{"AS": bytes, "CPU": s, ...}`` as both soft and hard limits (CPU: hard = soft + 1)."""
    for name, value in limits.items():
        res = getattr(resource, "RLIMIT_" + name)
        hard = value + 1 if name == "CPU" else value
        resource.setrlimit(res, (value, hard))


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` for good (real, effective and saved), with no supplementary groups."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid):
        raise OSError(errno.EPERM, "setresuid did not take effect")


_CAP_LAST = 63


def drop_capabilities() -> None:
    """Drop every capability (bounding, effective, permitted, inheritable) of the calling process."""
    for cap in range(_CAP_LAST + 1):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError:
            break
    header = struct.pack("II", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = ctypes.create_string_buffer(24)
    _check(_libc.syscall(_SYSCALLS.get("capset", -1), header, data), "capset")


# --- cgroups -------------------------------------------------------------------------------------------


def _cgroup_path(controller: str) -> str | None:
    with open("/proc/self/cgroup") as fh:
        for line in fh:
            _, ctrls, path = line.rstrip("\n").split(":", 2)
            if controller in ctrls.split(","):
                return path
    return None


def join_cgroups(name: str, memory_bytes: int, max_pids: int) -> list[str]:
    """Create cgroup-v1 ``memory`` and ``pids`` groups called ``name`` under the current ones, cap them,
    and move the calling process in (its future children follow). Returns the directories created."""
    made: list[str] = []
    try:
        for ctrl, limits in (("memory", {"memory.limit_in_bytes": memory_bytes}),
                             ("pids", {"pids.max": max_pids})):
            rel = _cgroup_path(ctrl)
            base = f"/sys/fs/cgroup/{ctrl}"
            if rel is None or not os.path.isdir(base):
                raise OSError(errno.ENOENT, f"no cgroup-v1 {ctrl} hierarchy")
            path = os.path.join(base + rel, name)
            os.mkdir(path)
            made.append(path)
            for fname, value in limits.items():
                with open(os.path.join(path, fname), "w") as fh:
                    fh.write(str(value))
            with open(os.path.join(path, "cgroup.procs"), "w") as fh:
                fh.write("0")
    except OSError:
        for path in reversed(made):
            try:
                os.rmdir(path)
            except OSError:
                pass
        raise
    return made


# keyctl(2) by architecture (x86_64; the generic table of aarch64, riscv64, loongarch64)
_KEYCTL_NR = {"x86_64": 250, "AMD64": 250, "aarch64": 219, "arm64": 219, "riscv64": 219, "loongarch64": 219}
_KEYCTL_JOIN_SESSION_KEYRING, _KEYCTL_CLEAR = 1, 7
_KEY_SPEC_USER_KEYRING, _KEY_SPEC_USER_SESSION_KEYRING = -4, -5


def _keyctl(op: int, arg: int | None) -> int:
    nr = _KEYCTL_NR.get(platform.machine())
    if nr is None:
        raise OSError(errno.ENOSYS, "keyctl number unknown on this architecture")
    ret = _libc.syscall(nr, op, None if arg is None else ctypes.c_long(arg))
    return 0 if ret >= 0 else ctypes.get_errno()


def keyrings_supported() -> bool:
    """Whether :func:`join_new_session_keyring` knows this architecture's syscall number."""
    return platform.machine() in _KEYCTL_NR


def clear_user_keyrings() -> None:
    """Empty the user keyrings of the calling uid, which the kernel keeps for as long as the user namespace
    lives (for a real uid: until reboot), so keys one run linked there are gone for the next. Best effort."""
    for ring in (_KEY_SPEC_USER_KEYRING, _KEY_SPEC_USER_SESSION_KEYRING):
        _keyctl(_KEYCTL_CLEAR, ring)


def join_new_session_keyring() -> None:
    """Give the calling process a new, empty session keyring, gone when its last user exits (instead of the
    one inherited from the worker, which every run would share). A kernel without keys counts as done."""
    for _ in range(100):
        err = _keyctl(_KEYCTL_JOIN_SESSION_KEYRING, None)
        if err in (0, errno.ENOSYS):
            return
        if err != errno.EDQUOT:  # the quota frees as the key collector reclaims the last run's keys
            break
        time.sleep(0.002)
    raise OSError(err, f"keyctl(JOIN_SESSION_KEYRING): {os.strerror(err)}")


def remove_owned_entries(uid: int, dirs: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
                         ) -> list[str]:
    """Delete what ``uid`` (a sandbox uid: ours alone) left at the top of the host's world-writable
    directories (POSIX shared memory is a file in ``/dev/shm``). For runs with neither the chroot nor
    Landlock, which could otherwise leave files (and ``/dev/shm`` memory) behind for the next run."""
    import shutil

    removed = []
    for d in dirs:
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for e in entries:
            try:
                st = e.stat(follow_symlinks=False)
                if st.st_uid != uid:
                    continue
                if e.is_dir(follow_symlinks=False):
                    shutil.rmtree(e.path)  # fd-based on Linux: a link planted inside is not followed
                else:
                    os.unlink(e.path)
                removed.append(e.path)
            except OSError:
                continue
    return removed


def set_oom_score_adj(value: int) -> None:
    """-1000 exempts from the OOM killer, 1000 makes the process its first choice."""
    with open("/proc/self/oom_score_adj", "w") as fh:
        fh.write(str(value))


# --- Landlock -------------------------------------------------------------------------------------------

_LL_CREATE, _LL_ADD_RULE, _LL_RESTRICT = 444, 445, 446  # same numbers on every architecture
_LL_EXEC, _LL_WRITE, _LL_READ_FILE, _LL_READ_DIR = 1, 2, 4, 8
_LL_FILE_RIGHTS = {1: 0x7, 3: 0x4007, 5: 0xC007}  # rights that apply to regular files, by ABI


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0 when Landlock is unavailable)."""
    ret = _libc.syscall(_LL_CREATE, None, 0, 1)  # LANDLOCK_CREATE_RULESET_VERSION
    return max(0, int(ret))


class LandlockRuleset:
    """A Landlock ruleset built once (in the zygote) and applied by each jail.

    Everything not listed is out of reach: ``read_only`` paths can be read and executed, ``writable`` ones
    get every right; TCP bind/connect are denied (ABI 4+), and signals and abstract unix sockets cannot
    leave the jail's domain (ABI 6+). With ``filesystem=False`` only the last two apply (for a jail that
    is already chrooted; Landlock ignores rules on a directory that a mount covers, such as the scratch
    mount point).
    """

    def __init__(self, read_only: list[str], writable: list[str], devices: list[str], *,
                 filesystem: bool = True) -> None:
        abi = landlock_abi()
        if abi < 1 or (not filesystem and abi < 4):
            raise OSError(errno.ENOSYS, "Landlock unavailable")
        self.abi = abi
        handled = 0x1FFF | (1 << 13 if abi >= 2 else 0) | (1 << 14 if abi >= 3 else 0) | (1 << 15 if abi >= 5 else 0)
        if not filesystem:
            handled, read_only, writable, devices = 0, [], [], []
        file_rights = _LL_FILE_RIGHTS[max(k for k in _LL_FILE_RIGHTS if k <= abi)]
        fields = [handled]
        if abi >= 4:
            fields.append(0x3)  # LANDLOCK_ACCESS_NET_BIND_TCP | CONNECT_TCP: no rule allows either
        if abi >= 6:
            fields.append(0x3)  # LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL
        attr = ctypes.create_string_buffer(struct.pack(f"{len(fields)}Q", *fields))
        fd = _libc.syscall(_LL_CREATE, attr, len(attr.raw), 0)
        if fd < 0:
            _check(-1, "landlock_create_ruleset")
        self.fd = fd
        for path in read_only:
            self._allow(path, (_LL_EXEC | _LL_READ_FILE | _LL_READ_DIR) if os.path.isdir(path)
                        else (_LL_EXEC | _LL_READ_FILE))
        for path in devices:
            self._allow(path, file_rights)
        for path in writable:
            self._allow(path, handled)

    def _allow(self, path: str, rights: int) -> None:
        try:
            pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        try:
            rule = ctypes.create_string_buffer(struct.pack("<Qi", rights, pfd))
            _check(-1 if _libc.syscall(_LL_ADD_RULE, self.fd, 1, rule, 0) < 0 else 0, f"landlock rule {path}")
        finally:
            os.close(pfd)

    def move_to(self, fd_min: int) -> None:
        """Renumber the ruleset descriptor to at least ``fd_min`` (out of the jail's 0-4 range)."""
        import fcntl

        new = fcntl.fcntl(self.fd, fcntl.F_DUPFD_CLOEXEC, fd_min)
        os.close(self.fd)
        self.fd = new

    def restrict(self) -> None:
        """Enforce the ruleset on the calling process and its future children (needs no_new_privs)."""
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        _check(-1 if _libc.syscall(_LL_RESTRICT, self.fd, 0) < 0 else 0, "landlock_restrict_self")


# --- seccomp -------------------------------------------------------------------------------------------

AUDIT_ARCH_X86_64 = 0xC000003E
_SECCOMP_RET_KILL_PROCESS = 0x80000000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_RET_ALLOW = 0x7FFF0000
_LD_ABS_W = 0x20
_JEQ = 0x15
_JGE = 0x35
_JSET = 0x45
_RET = 0x06

# x86_64 syscall numbers (other architectures get no seccomp layer; the network namespace still holds).
# The deny list is what an unprivileged process could still reach: network sockets, other processes'
# memory, new namespaces, kernel interfaces that bypass or widen the filter (io_uring, bpf, perf,
# userfaultfd), the kernel keyring, terminal injection, and the kernel objects that outlive the process
# that made them: System V shared memory, semaphores and message queues, and POSIX message queues (a
# later sample on the same worker would find them, and leftover segments stay charged to its memory).
# Mounting and module loading are listed too although they also need capabilities the jail does not have.
_SYSCALLS = {
    "socket": 41, "ioctl": 16, "clone": 56, "clone3": 435, "capset": 126,
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "unshare": 272, "setns": 308,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "bpf": 321,
    "perf_event_open": 298, "userfaultfd": 323, "keyctl": 250, "add_key": 248, "request_key": 249,
    "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "open_tree": 428, "move_mount": 429,
    "fsopen": 430, "fsmount": 432, "open_by_handle_at": 304, "kcmp": 312, "pidfd_getfd": 438,
    "init_module": 175, "finit_module": 313, "kexec_load": 246,
    "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64, "semop": 65, "semctl": 66,
    "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "mq_open": 240,
    "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245,
}
_DENIED = [name for name in _SYSCALLS if name not in ("ioctl", "clone", "capset", "socket", "clone3")]
_TIOCSTI = 0x5412


def seccomp_supported() -> bool:
    """True where this module knows the syscall table (x86_64 Linux)."""
    return sys.platform == "linux" and platform.machine() in ("x86_64", "AMD64")


_JGT = 0x25
_Insn = tuple[int, int, int, int]


def _seccomp_rules() -> list[tuple[int, int, list[_Insn]]]:
    """``(first, last, action)``: what the filter does with syscall numbers ``first..last`` (sorted, disjoint;
    every other number is allowed). The action reads the arguments where the call is only partly denied."""
    def ret(err: int) -> list[_Insn]:
        return [(_RET, 0, 0, _SECCOMP_RET_ERRNO | err)]

    def arg_test(offset: int, test: int, code: int) -> list[_Insn]:  # EPERM when the argument matches
        return [(_LD_ABS_W, 0, 0, offset), (code, 0, 1, test), *ret(errno.EPERM), (_RET, 0, 0, _SECCOMP_RET_ALLOW)]

    special = {
        _SYSCALLS["clone"]: arg_test(16, _NS_MASK, _JSET),  # no new namespaces
        _SYSCALLS["ioctl"]: arg_test(24, _TIOCSTI, _JEQ),  # no typing into a terminal
        _SYSCALLS["socket"]: ret(errno.EACCES),
        _SYSCALLS["clone3"]: ret(errno.ENOSYS),  # glibc falls back to clone(), whose flags we can inspect
    }
    rules: list[tuple[int, int, list[_Insn]]] = [(nr, nr, action) for nr, action in special.items()]
    for nr in sorted(_SYSCALLS[name] for name in _DENIED):
        if rules and rules[-1][1] == nr - 1 and rules[-1][2] == ret(errno.EPERM):
            rules[-1] = (rules[-1][0], nr, rules[-1][2])  # a run of denied numbers is one range
        else:
            rules.append((nr, nr, ret(errno.EPERM)))
    return sorted(rules)


def _search(rules: list[tuple[int, int, list[_Insn]]]) -> list[_Insn]:
    """A binary search over the rules on the syscall number (in the accumulator), so a call walks about
    ten instructions rather than the whole list; the kernel also runs the program once per syscall number
    when it loads it (to cache the calls it always allows), so this keeps loading it cheap too."""
    if len(rules) == 1:
        first, last, action = rules[0]
        n = len(action)
        return [(_JGE, 0, n + 1, first), (_JGT, n, 0, last), *action, (_RET, 0, 0, _SECCOMP_RET_ALLOW)]
    mid = len(rules) // 2
    low, high = _search(rules[:mid]), _search(rules[mid:])
    if len(low) > 255:
        raise ValueError("seccomp program too large for BPF's 8-bit jumps")
    return [(_JGE, len(low), 0, rules[mid][0]), *low, *high]


def _seccomp_program() -> list[_Insn]:
    return [
        (_LD_ABS_W, 0, 0, 4),  # seccomp_data.arch
        (_JEQ, 1, 0, AUDIT_ARCH_X86_64),
        (_RET, 0, 0, _SECCOMP_RET_KILL_PROCESS),
        (_LD_ABS_W, 0, 0, 0),  # seccomp_data.nr
        (_JGE, 0, 1, 0x40000000),  # x32 ABI
        (_RET, 0, 0, _SECCOMP_RET_ERRNO | errno.ENOSYS),
        *_search(_seccomp_rules()),
    ]


class SeccompFilter:
    """The assembled filter, built once (in the zygote) so each jail only has to load it."""

    def __init__(self) -> None:
        if not seccomp_supported():
            raise OSError(errno.ENOSYS, "seccomp filter only built for x86_64")
        prog = _seccomp_program()
        raw = b"".join(struct.pack("HBBI", *ins) for ins in prog)
        self._insns = ctypes.create_string_buffer(raw, len(raw))
        fprog = struct.pack("HxxxxxxQ", len(prog), ctypes.addressof(self._insns))
        self._fprog = ctypes.create_string_buffer(fprog, len(fprog))
        self._addr = ctypes.addressof(self._fprog)

    def install(self) -> None:
        """No new privileges, then load the filter into the calling process (inherited by children)."""
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        _check(_libc.prctl(PR_SET_SECCOMP, 2, self._addr, 0, 0), "seccomp")


def install_seccomp() -> None:
    """Load the syscall filter: no sockets (``socketpair`` stays), no ptrace, mounts, namespaces, etc."""
    SeccompFilter().install()


# --- killing -------------------------------------------------------------------------------------------


def sweep_uid(uid: int) -> None:
    """Kill every process owned by ``uid`` (the sandbox user is ours alone) and wait until none is left.

    A helper that becomes ``uid`` sends ``kill(-1, SIGKILL)`` until no process of that user remains;
    this reaches grandchildren that left the process group or session with ``setsid()``.
    """
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            for _ in range(10_000):
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    code = 0
                    break
                os.sched_yield()
        finally:
            os._exit(code)
    os.waitpid(pid, 0)
