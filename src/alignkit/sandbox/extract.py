"""Pull the code out of a model's chat response."""

from __future__ import annotations

import ast
import re

_FENCE_RE = re.compile(r"```[ \t]*([A-Za-z0-9_+.-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
_PY_TAGS = {"python", "py", "python3", "py3", ""}


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def extract_code(response: str, entry_point: str | None = None) -> str:
    """Return the Python code in ``response``.

    Fenced blocks are preferred: among the ``python``/``py``/untagged blocks, the first that defines
    ``entry_point`` (when given), else the longest one that parses, else the first. A response without
    fences is taken as code as is, minus leading prose lines before the first line that looks like code.
    An unterminated final fence (a truncated generation) still counts as a block.
    """
    blocks = [(tag.lower(), body) for tag, body in _FENCE_RE.findall(response)]
    py_blocks = [b.strip("\n") for tag, b in blocks if tag in _PY_TAGS] or [b.strip("\n") for _, b in blocks]
    if py_blocks:
        if entry_point:
            defining = [b for b in py_blocks if re.search(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", b, re.M)]
            if defining:
                return defining[0]
        parsing = [b for b in py_blocks if _parses(b)]
        return max(parsing, key=len) if parsing else py_blocks[0]
    return _strip_prose(response)


_CODE_START = re.compile(r"^(\s+\S|def |class |import |from |@|if |for |while |return |[A-Za-z_][\w, ]*\s*=)")


def _strip_prose(text: str) -> str:
    lines = text.strip("\n").splitlines()
    for i, line in enumerate(lines):
        if _CODE_START.match(line):
            return "\n".join(lines[i:])
    return text.strip("\n")
