"""The code that runs inside the jailed process, next to the candidate (stdlib only).

Nothing here is trusted: the candidate shares this process and may rewrite any of it. Its only effect on
the verdict is the plain values it sends over fd 4, which the trusted side decodes and checks. File
descriptors: 0 stdin, 1 stdout, 2 stderr (captured, never parsed for verdicts), 3 requests from the
trusted side, 4 replies to it.
"""

from __future__ import annotations

import builtins
import os
import struct
import sys
import traceback
from typing import Any

import _codec  # type: ignore[import-not-found]  # loaded by the worker from this directory

CTL_IN = 3
CTL_OUT = 4
_MAX_IN = 64 << 20


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks: list[bytes] = []
    while n:
        try:
            b = os.read(fd, min(n, 1 << 20))
        except InterruptedError:
            continue
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def recv() -> Any:
    """Read one length-prefixed JSON request; ``None`` at end of stream."""
    head = _read_exact(CTL_IN, 4)
    if head is None:
        return None
    (size,) = struct.unpack(">I", head)
    if size > _MAX_IN:
        return None
    body = _read_exact(CTL_IN, size)
    return None if body is None else _codec.loads_message(body)


def send_raw(body: bytes) -> None:
    """Write one length-prefixed message."""
    data = struct.pack(">I", len(body)) + body
    view = memoryview(data)
    while view:
        n = os.write(CTL_OUT, view)
        view = view[n:]


def send(obj: Any) -> None:
    """Write one JSON message (only ever plain JSON)."""
    import json

    send_raw(json.dumps(obj, separators=(",", ":")).encode())


def _describe(exc: BaseException) -> list[str]:
    try:
        msg = str(exc)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        msg = "<unprintable>"
    return [type(exc).__name__[:100], msg[:500]]


def serve_function(program: str) -> None:
    """Execute the program, then answer call requests until the trusted side hangs up."""
    ns: dict[str, Any] = {}
    try:
        exec(compile(program, "<candidate>", "exec"), ns)  # noqa: S102 - this is the sandbox
    except BaseException as exc:  # noqa: BLE001 - report every load failure, SystemExit included
        send({"load_error": _describe(exc)})
        return
    names = [k for k, v in list(ns.items()) if isinstance(k, str) and not k.startswith("__") and callable(v)]
    send({"ready": names[:1000]})
    while True:
        req = recv()
        if req is None:
            return
        _answer(ns, req)


def _answer(ns: dict[str, Any], req: Any) -> None:
    try:
        fn = ns[req["fn"]]
        args = _codec.decode(req["args"])
        kwargs = _codec.decode(req["kwargs"])
        result = fn(*args, **kwargs)
        body = _codec.dumps(result)
    except BaseException as exc:  # noqa: BLE001 - the candidate's exception is the answer
        send({"e": _describe(exc)})
        return
    send_raw(b'{"r":' + body + b"}")


def run_program(program: str) -> int:
    """Run a stdin/stdout program as ``__main__``; return its exit status."""
    sys.argv = ["main.py"]
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    code = 0
    try:
        exec(compile(program, "main.py", "exec"), ns)  # noqa: S102 - this is the sandbox
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code & 0xFF
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001 - report and exit non-zero, like the interpreter
        traceback.print_exc()
        code = 1
    return code


def main() -> None:
    """Entry point inside the jail: read the job header, run, exit."""
    header = recv()
    code = 0
    if isinstance(header, dict) and isinstance(header.get("program"), str):
        if header.get("kind") == "stdio":
            code = run_program(header["program"])
        else:
            serve_function(header["program"])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001, S110 - nothing to report to
            pass
    os._exit(code)
