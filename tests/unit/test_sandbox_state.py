"""No state crosses samples in the sandbox: kernel objects one run makes are gone for the next, leftovers
cannot starve later runs or the host, and no reply can make the trusted side slow (issue 11)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from alignkit.sandbox import Executor
from alignkit.sandbox import _codec as codec

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc"),
    pytest.mark.skipif(platform.machine() != "x86_64", reason="the programs below use x86_64 syscall numbers"),
]

ADD_TESTS = ["assert add(1, 2) == 3", "assert add(-4, 4) == 0", "assert add(10, 5) == 15"]
GOOD = "def add(a, b):\n    return a + b\n"

# One way per kind of object to leave a token behind (plant) and to look for it (found), written the way a
# hostile sample would, with ctypes and raw syscall numbers (x86_64).
_LIBC = """
import ctypes, os, socket, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
KEY = 0x5A1107
def fail(what):
    raise OSError(ctypes.get_errno(), what)
def daemon(body):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            body()
            while True:
                time.sleep(1)
        os._exit(0)
    os.wait()
    time.sleep(0.2)
"""

KINDS = {
    "sysv_shm": """
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
def plant():
    sid = libc.shmget(KEY, 4096, 0o1666)
    if sid < 0: fail('shmget')
    addr = libc.shmat(sid, None, 0)
    if addr is None or addr == 2**64 - 1: fail('shmat')
    ctypes.memmove(addr, b'TOKEN', 5)
def found():
    sid = libc.shmget(KEY, 0, 0)
    if sid < 0: return False
    addr = libc.shmat(sid, None, 0o10000)
    return addr not in (None, 2**64 - 1) and ctypes.string_at(addr, 5) == b'TOKEN'
""",
    "sysv_msg": """
class Msg(ctypes.Structure):
    _fields_ = [('mtype', ctypes.c_long), ('text', ctypes.c_char * 8)]
def plant():
    qid = libc.msgget(KEY, 0o1666)
    if qid < 0: fail('msgget')
    if libc.msgsnd(qid, ctypes.byref(Msg(1, b'TOKEN')), 8, 0o4000) < 0: fail('msgsnd')
def found():
    qid = libc.msgget(KEY, 0)
    m = Msg()
    return qid >= 0 and libc.msgrcv(qid, ctypes.byref(m), 8, 0, 0o4000) > 0 and m.text == b'TOKEN'
""",
    "sysv_sem": """
def plant():
    sid = libc.semget(KEY, 1, 0o1666)
    if sid < 0: fail('semget')
    if libc.semctl(sid, 0, 16, 4242) < 0: fail('semctl')
def found():
    sid = libc.semget(KEY, 1, 0)
    return sid >= 0 and libc.semctl(sid, 0, 12) == 4242
""",
    "posix_mq": """
libc.mq_open.restype = ctypes.c_int
def plant():
    q = libc.mq_open(b'/alignkit-state', os.O_CREAT | os.O_RDWR, 0o666, None)
    if q < 0: fail('mq_open')
    if libc.mq_send(q, b'TOKEN', 5, 0) < 0: fail('mq_send')
def found():
    q = libc.mq_open(b'/alignkit-state', os.O_RDONLY | os.O_NONBLOCK)
    buf = ctypes.create_string_buffer(1 << 14)
    return q >= 0 and libc.mq_receive(q, buf, 1 << 14, None) == 5 and buf.raw[:5] == b'TOKEN'
""",
    "keyring": """
def plant():
    for ring in (-4, -3):  # the user keyring, the session keyring
        if libc.syscall(248, b'user', b'alignkit-state', b'TOKEN', 5, ctypes.c_long(ring)) < 0: fail('add_key')
def found():
    return any(libc.syscall(250, 10, ctypes.c_long(r), b'user', b'alignkit-state', 0) >= 0 for r in (-4, -3))
""",
    "abstract_socket": """
def plant():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(b'\\0alignkit-state')
    s.listen(1)
    daemon(lambda: s.listen(1))
def found():
    try:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(b'\\0alignkit-state')
        return True
    except OSError:
        return False
""",
    "file_lock": """
PATH = '/etc/ld.so.cache' if os.path.exists('/etc/ld.so.cache') else '/usr/bin/env'
def plant():
    if libc.flock(os.open(PATH, os.O_RDONLY), 2 | 4) < 0: fail('flock')  # LOCK_EX | LOCK_NB
    daemon(lambda: None)
def found():
    return libc.flock(os.open(PATH, os.O_RDONLY), 2 | 4) < 0
""",
    "posix_shm_file": """
def plant():
    with open('/dev/shm/alignkit-state', 'wb') as fh:
        fh.write(b'TOKEN' * 1000)
def found():
    return os.path.exists('/dev/shm/alignkit-state')
""",
    "tmp_file": """
def plant():
    with open('/tmp/alignkit-state', 'wb') as fh:
        fh.write(b'TOKEN')
def found():
    return os.path.exists('/tmp/alignkit-state')
""",
}


def program(kind: str, role: str) -> str:
    """``plant``: leave the token and answer right; ``find``: answer right only if the token is there;
    ``both``: plant then find in the same run (shows the mechanism works inside a jail)."""
    # a run answers several tests: plant once, look once (reading a queue empties it)
    once = "    if not DONE:\n        plant()\n        DONE.append(1)\n"
    look = "    if not SEEN:\n        SEEN.append(found())\n    return a + b if SEEN[0] else None\n"
    body = {"plant": once + "    return a + b\n", "find": look, "both": once + look}[role]
    return _LIBC + KINDS[kind] + "\nDONE, SEEN = [], []\ndef add(a, b):\n" + body


# Which kinds each configuration lets a run make at all (the others are refused inside the run).
VARIANTS = {
    # every layer: seccomp refuses the IPC and keyring calls and socket(); no /dev/shm in the chroot, and its
    # /tmp is the run's own scratch
    "all_layers": ({}, {"file_lock", "tmp_file"}),
    # no seccomp: each jail has its own IPC namespace and a fresh session keyring, user keyrings are emptied
    "no_seccomp": ({"seccomp": False}, {"sysv_shm", "sysv_msg", "sysv_sem", "posix_mq", "keyring",
                                        "abstract_socket", "file_lock", "tmp_file"}),
    # no seccomp, no chroot, no Landlock: also the host's /tmp and /dev/shm, cleaned after each run
    "bare": ({"seccomp": False, "mountns": False, "landlock": False}, set(KINDS)),
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request):
    isolation, makeable = VARIANTS[request.param]
    if os.geteuid() != 0 and request.param == "bare":
        pytest.skip("the sandbox uid (and its clean-up of /tmp and /dev/shm) needs root")
    with Executor(max_workers=1, timeout_s=2.0, memory_mb=512, isolation=isolation) as ex:
        yield request.param, ex, makeable


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_nothing_one_run_makes_is_there_for_the_next(variant, kind):
    """The writer/reader pair of every kind, on one worker: the reader must fail after the writer."""
    name, ex, makeable = variant
    if kind in makeable:
        # the mechanism works inside one run, so a reader that passes later would be a leak
        assert ex.check_function(program(kind, "both"), ADD_TESTS, "add").passed, (name, kind)
        assert ex.check_function(program(kind, "plant"), ADD_TESTS, "add").passed, (name, kind)
    else:
        v = ex.check_function(program(kind, "plant"), ADD_TESTS, "add")
        assert not v.passed, (name, kind, "this configuration should refuse it")
    for _ in range(2):
        v = ex.check_function(program(kind, "find"), ADD_TESTS, "add")
        assert not v.passed, (name, kind, "a run found what an earlier run left")
    if name == "bare" and kind in ("posix_shm_file", "tmp_file"):  # removed from the host, not just hidden
        left = [p for p in ("/dev/shm/alignkit-state", "/tmp/alignkit-state") if Path(p).exists()]
        deadline = time.monotonic() + 5
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = [p for p in left if Path(p).exists()]
        assert not left


# --- forging a pass through shared memory (the attack on HumanEval/0) ------------------------------

_TABLE = _LIBC + """
import json
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
def table(create):
    sid = libc.shmget(KEY, 1 << 16, 0o1666 if create else 0)
    if sid < 0:
        return None
    addr = libc.shmat(sid, None, 0)
    return None if addr in (None, 2**64 - 1) else addr
"""
WRITER = _TABLE + """
def add(a, b):
    addr = table(True)
    if addr:
        raw = ctypes.string_at(addr, 1 << 16).split(b'\\0', 1)[0]
        seen = json.loads(raw) if raw else {}
        seen[f'{a},{b}'] = a + b
        ctypes.memmove(addr, json.dumps(seen).encode() + b'\\0', len(json.dumps(seen)) + 1)
    return a + b
"""
FORGER = _TABLE + """
def add(a, b):  # no solution at all: only a look-up of what an earlier sample stored
    addr = table(False)
    if not addr:
        return None
    return json.loads(ctypes.string_at(addr, 1 << 16).split(b'\\0', 1)[0]).get(f'{a},{b}')
"""


@pytest.mark.parametrize("isolation", [{}, {"seccomp": False}], ids=["all_layers", "no_seccomp"])
def test_a_sample_cannot_forge_a_pass_from_an_earlier_samples_answers(isolation):
    with Executor(max_workers=1, timeout_s=2.0, memory_mb=512, isolation=isolation) as ex:
        if not isolation:  # the filter refuses shmget: the writer still answers right, stores nothing
            assert ex.check_function(WRITER, ADD_TESTS, "add").passed
        else:  # the writer really stores the table (the forger would pass in the same run)
            both = WRITER.replace("def add(", "def _store(") + FORGER.split(_TABLE, 1)[1].replace(
                "def add(a, b):", "def _look(a, b):") + "\ndef add(a, b):\n    _store(a, b)\n    return _look(a, b)\n"
            assert ex.check_function(both, ADD_TESTS, "add").passed
        assert ex.check_function(WRITER, ADD_TESTS, "add").passed
        for _ in range(3):
            v = ex.check_function(FORGER, ADD_TESTS, "add")
            assert not v.passed, v


# --- leftover memory ---------------------------------------------------------------------------------------

HOG = _LIBC + """
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
MADE = []
def add(a, b):  # once per run: leaves up to MB megabytes of System V shared memory behind, in 16 MB segments
    if not MADE:
        for i in range(MB // 16):
            sid = libc.shmget(ctypes.c_int(0), 16 << 20, 0o1600)  # IPC_PRIVATE, never removed
            if sid < 0:
                break
            addr = libc.shmat(sid, None, 0)
            if addr in (None, 2**64 - 1):
                break
            ctypes.memset(addr, 1, 16 << 20)  # touched: the pages are really allocated
            libc.shmdt(addr)
            MADE.append(i)
    return a + b
"""


BIG = "def add(a, b):\n    buf = bytearray(160 << 20)\n    buf[::4096] = b'x' * len(buf[::4096])\n    return a + b\n"


def _shmem_kb() -> int:
    with open("/proc/meminfo") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("Shmem:"))


@pytest.mark.skipif(os.geteuid() != 0, reason="the memory cgroup layer needs root")
def test_leftover_shared_memory_cannot_starve_later_runs():
    """Shared memory left by 4 samples (up to the worker's whole cgroup) must not fail 20 correct ones, nor
    get the zygote killed (that would restart the worker)."""
    with Executor(max_workers=1, timeout_s=2.0, memory_mb=256, isolation={"seccomp": False}) as ex:
        assert ex.isolation["cgroup"] and ex.isolation["ipcns_per_run"], ex.isolation
        supervisor = ex._workers[0].proc.pid
        hog = HOG.replace("MB // 16", "448 // 16")  # the cgroup holds 256 + 64 + 128 MB
        big = []  # right after a hog, a correct sample that needs 160 MB of the 448: the kernel frees a dead
        for _ in range(4):  # IPC namespace's segments ~0.1 s late, and the worker must wait for that (CI saw it)
            ex.check_function(hog, ADD_TESTS, "add")
            big.append(ex.check_function(BIG, ADD_TESTS, "add"))
        assert [v.status for v in big] == ["passed"] * 4, [v.message for v in big if not v.passed]
        verdicts = [ex.check_function(GOOD, ADD_TESTS, "add") for _ in range(20)]
        assert [v.status for v in verdicts] == ["passed"] * 20, [v.message for v in verdicts if not v.passed]
        assert ex._workers[0].proc.pid == supervisor


def test_leftover_shared_memory_does_not_stay_in_host_memory_without_the_cgroup():
    """Without the cgroup layer (the non-root fallback) nothing caps leftovers, so none may outlive its run:
    the host's Shmem must come back to where it was (not grow by the 3 x 192 MB the samples made)."""
    with Executor(max_workers=1, timeout_s=3.0, memory_mb=256,
                  isolation={"seccomp": False, "cgroup": False}) as ex:
        assert not ex.isolation.get("cgroup") and ex.isolation["ipcns_per_run"], ex.isolation
        before = _shmem_kb()
        made = HOG.replace("MB // 16", "192 // 16").replace("    return a + b\n", "    return a + b if len(MADE) == 12 else None\n")
        for _ in range(3):
            assert ex.check_function(made, ADD_TESTS, "add").passed  # all 12 segments were made and touched
        deadline = time.monotonic() + 10  # the kernel frees a dead IPC namespace from a work queue
        while _shmem_kb() - before > 150 << 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        grown_mb = (_shmem_kb() - before) >> 10
        assert grown_mb < 150, f"host Shmem grew by {grown_mb} MB"


# --- the trusted side's decoding work ----------------------------------------------------------------------

M61 = (1 << 61) - 1  # every k * M61 hashes to 0


def _encoded_flood(tag: str, n: int) -> bytes:
    items = [k * M61 for k in range(1, n + 1)]
    body = {"d": [[x, 0] for x in items]} if tag == "d" else {tag: items}
    return json.dumps(body).encode()


@pytest.mark.parametrize("tag", ["s", "fs", "d"])
def test_a_hash_collision_flood_is_refused_with_little_work(tag):
    """300k set members (or dict keys) that all hash alike: building them would cost ~4.5e10 comparisons
    (the supervisor's whole hard cap before); the decoder refuses after a bounded amount of work."""
    raw = _encoded_flood(tag, 300_000)
    t0 = time.process_time()
    with pytest.raises(codec.CodecError, match="hash"):
        codec.decode(codec.loads_message(raw))
    assert time.process_time() - t0 < 1.0


def test_tuples_with_equal_hashes_are_bounded_too():
    raw = json.dumps({"s": [{"t": [k * M61, 0]} for k in range(1, 100_001)]}).encode()
    t0 = time.process_time()
    with pytest.raises(codec.CodecError, match="hash"):
        codec.decode(codec.loads_message(raw))
    assert time.process_time() - t0 < 1.0


def test_ordinary_sets_and_the_few_natural_collisions_still_decode():
    big = set(range(300_000))
    assert codec.decode(codec.loads_message(codec.dumps(big))) == big
    value = {-1: "a", -2: "b", (1, 2): frozenset({-1, -2}), 0.5: {1, 1 << 61, M61}, "k": [(M61, 0), (0, M61)]}
    assert codec.decode(codec.loads_message(codec.dumps(value))) == value  # -1 and -2 hash alike; so do 0, M61


def test_a_reply_with_too_many_values_is_refused_before_parsing():
    raw = b"[" + b"[]," * (codec.MAX_JSON_VALUES // 2 + 10) + b"[]]"
    t0 = time.process_time()
    with pytest.raises(codec.CodecError, match="too many values"):
        codec.loads_message(raw)
    assert time.process_time() - t0 < 0.5  # counted, never built


def test_a_reply_with_too_many_nodes_is_refused():
    with pytest.raises(codec.CodecError, match="too large"):
        codec.decode([0] * (codec.MAX_NODES + 1))


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_forged_flood_reply_costs_the_supervisor_little():
    """The candidate writes a reply frame by hand (a set of 300k equal-hash ints): the verdict is a protocol
    failure and the trusted supervisor spends well under a second of CPU on it."""
    prog = textwrap.dedent("""
        import os, struct, time
        def add(a, b):
            m = (1 << 61) - 1
            body = ('{"r":{"s":[' + ','.join(str(k * m) for k in range(1, 300001)) + ']}}').encode()
            frame = memoryview(struct.pack('>I', len(body)) + body)
            while frame:
                frame = frame[os.write(4, frame):]
            time.sleep(30)
    """)
    with Executor(max_workers=1, timeout_s=3.0, memory_mb=512) as ex:
        ex.check_function(GOOD, ADD_TESTS, "add")
        supervisor = ex._workers[0].proc.pid
        cpu = _cpu_s(supervisor)
        v = ex.check_function(prog, ADD_TESTS, "add")
        spent = _cpu_s(supervisor) - cpu
        assert v.status == "failed" and "protocol" in v.message, v
        assert spent < 1.0, f"the supervisor spent {spent:.2f} s of CPU on one reply"
        assert ex.check_function(GOOD, ADD_TESTS, "add").passed


# --- the non-root fallback ---------------------------------------------------------------------------------

_AS_NOBODY = """
import json, sys
sys.path.insert(0, sys.argv[1])
from alignkit.sandbox import Executor
import tests_programs as tp
out = {}
for name, iso in (("default", {}), ("no_seccomp", {"seccomp": False})):
    with Executor(max_workers=1, timeout_s=2.0, memory_mb=512, isolation=iso) as ex:
        layers = ex.isolation
        both = ex.check_function(tp.both, tp.TESTS, "add").passed
        ex.check_function(tp.plant, tp.TESTS, "add")
        found = [ex.check_function(tp.find, tp.TESTS, "add").passed for _ in range(2)]
        good = ex.check_function("def add(a, b):\\n    return a + b\\n", tp.TESTS, "add").passed
    out[name] = {"layers": {k: v for k, v in layers.items() if v is True}, "both": both, "found": found,
                 "good": good}
print(json.dumps(out))
"""


SYSTEM_PYTHON = "/usr/bin/python3"  # the sandbox is stdlib-only; a venv under /root is unreadable to nobody


@pytest.mark.skipif(os.geteuid() != 0 or not os.access(SYSTEM_PYTHON, os.X_OK),
                    reason="runs the executor as an unprivileged user via setpriv and the system Python")
def test_non_root_executor_keeps_runs_apart():
    """As an ordinary user (a user namespace instead of the sandbox uid, no cgroup) a run's System V
    segment is still gone for the next run, with and without the seccomp filter."""
    import shutil
    import tempfile

    src = Path(__file__).resolve().parents[2] / "src"
    home = Path(tempfile.mkdtemp(prefix="alignkit-nobody-"))
    try:
        (home / "tests_programs.py").write_text(
            f"TESTS = {ADD_TESTS!r}\nboth = {program('sysv_shm', 'both')!r}\n"
            f"plant = {program('sysv_shm', 'plant')!r}\nfind = {program('sysv_shm', 'find')!r}\n")
        (home / "run.py").write_text(_AS_NOBODY)
        os.chown(home, 65534, 65534)
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
               SYSTEM_PYTHON, str(home / "run.py"), str(src)]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(home), "HOME": str(home),
               "TMPDIR": str(home)}
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env, cwd=home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if not out["default"]["layers"].get("userns"):
        pytest.skip(f"no unprivileged user namespaces here: {out}")
    assert "uid" not in out["default"]["layers"] and "cgroup" not in out["default"]["layers"], out
    assert out["default"]["layers"].get("seccomp") and out["default"]["both"] is False, out  # shmget refused
    assert out["no_seccomp"]["layers"].get("ipcns_per_run") and out["no_seccomp"]["both"] is True, out
    for name in ("default", "no_seccomp"):
        assert out[name]["found"] == [False, False] and out[name]["good"], (name, out)


# --- the seccomp program ----------------------------------------------------------------------------------


def _run_bpf(prog, nr: int, arch: int = 0xC000003E, args: tuple[int, ...] = (0,) * 6) -> int:
    """A classic-BPF interpreter for the instructions the filter uses, over a seccomp_data record."""
    import struct

    data = struct.pack("<iIQ6Q", nr, arch, 0, *args)
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = prog[pc]
        if code == 0x20:  # LD W ABS
            acc = struct.unpack_from("<I", data, k)[0]
            pc += 1
        elif code == 0x06:  # RET
            return k
        else:
            taken = {0x15: acc == k, 0x25: acc > k, 0x35: acc >= k, 0x45: acc & k != 0}[code]
            pc += 1 + (jt if taken else jf)


def test_the_seccomp_program_decides_every_syscall_number_as_listed():
    """Checked by running the BPF program for every number: the System V and POSIX-mq calls are denied,
    the partly denied calls look at their arguments, everything unlisted is allowed."""
    from alignkit.sandbox import _jail

    prog = _jail._seccomp_program()
    allow, kill = 0x7FFF0000, 0x80000000
    eperm, eacces, enosys = 0x50000 | 1, 0x50000 | 13, 0x50000 | 38
    denied = {_jail._SYSCALLS[n] for n in _jail._DENIED}
    for nr in range(0, 600):
        want = eperm if nr in denied else eacces if nr == 41 else enosys if nr == 435 else allow
        if nr in (16, 56):  # ioctl and clone without the forbidden argument
            want = allow
        assert _run_bpf(prog, nr) == want, nr
    for name in ("shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semctl", "semtimedop", "msgget",
                 "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
                 "mq_notify", "mq_getsetattr", "keyctl", "add_key", "ptrace", "unshare", "bpf"):
        assert _run_bpf(prog, _jail._SYSCALLS[name]) == eperm, name
    for nr in (0, 1, 9, 12, 39, 57, 60, 231, 434):  # read, write, mmap, brk, getpid, fork, exit, exit_group, pidfd_open
        assert _run_bpf(prog, nr) == allow, nr
    assert _run_bpf(prog, 56, args=(0x10000000 | 17, 0, 0, 0, 0, 0)) == eperm  # clone(CLONE_NEWUSER)
    assert _run_bpf(prog, 56, args=(0x01200011, 0, 0, 0, 0, 0)) == allow  # what fork() passes
    assert _run_bpf(prog, 16, args=(1, 0x5412, 0, 0, 0, 0)) == eperm  # ioctl(TIOCSTI)
    assert _run_bpf(prog, 16, args=(1, 0x5401, 0, 0, 0, 0)) == allow  # ioctl(TCGETS)
    assert _run_bpf(prog, 0x40000000 + 1) == enosys  # x32
    assert _run_bpf(prog, 1, arch=0x40000003) == kill  # i386
