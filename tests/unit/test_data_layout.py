"""Data is not code: importing alignkit loads no data builders and no module of data literals."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "alignkit"

# Every module of the package today stays under a tenth of these; a module of data literals (the old
# data/sources/coding_problems.py held 103,000 characters of strings, chat_prompts.py 500 table entries)
# is far above them.
MAX_STRING_CHARS = 20_000
MAX_TABLE_ITEMS = 150

_IMPORT_EVERYTHING = r"""
import importlib, json, pkgutil, sys
import alignkit
failed = []
for info in pkgutil.walk_packages(alignkit.__path__, "alignkit."):
    try:
        importlib.import_module(info.name)
    except Exception as exc:  # the sandbox's standalone scripts import siblings by bare name
        failed.append(info.name)
from alignkit.data import load_pairs
from alignkit.trainers.reward_model import resolve_pairs
# Reading the reward-model pairs (any seed, spurious or not) builds nothing at run time.
n = len(load_pairs("chat", "test", seed=3)) + len(resolve_pairs("chat+coding", "test", "length", 7))
files = {name: getattr(m, "__file__", None) for name, m in list(sys.modules.items())}
print(json.dumps({"modules": files, "failed": failed, "pairs": n}))
"""


def _literal_size(path: Path) -> tuple[int, int]:
    """(characters in string constants other than docstrings, constants listed in list/tuple/set/dict displays)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    chars = items = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            chars += len(node.value)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            items += sum(isinstance(e, ast.Constant) for e in node.elts)
        elif isinstance(node, ast.Dict):
            items += sum(isinstance(v, ast.Constant) for v in node.values)
    return chars, items


def test_importing_every_module_loads_no_data_builder_or_literal_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,  # datagen/ would be importable from here: nothing may import it anyway
        env={**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    modules: dict[str, str | None] = report["modules"]
    assert {"alignkit.cli", "alignkit.data.loading", "alignkit.trainers.cgpo", "alignkit.rewards"} <= set(
        modules
    )
    assert set(report["failed"]) <= {"alignkit.sandbox._trusted", "alignkit.sandbox._untrusted"}
    assert report["pairs"] > 40
    builders = [
        name
        for name, file in modules.items()
        if name.split(".")[0] == "datagen"
        or name.startswith("alignkit.data.sources")
        or (file and Path(file).resolve().is_relative_to(REPO / "datagen"))
    ]
    assert not builders, f"importing alignkit loaded data builders: {builders}"
    heavy = []
    for name, file in modules.items():
        if name.startswith("alignkit") and file and file.endswith(".py"):
            chars, items = _literal_size(Path(file))
            if chars > MAX_STRING_CHARS or items > MAX_TABLE_ITEMS:
                heavy.append(f"{name}: {chars} string characters, {items} table entries")
    assert not heavy, f"modules of data literals inside the package (move them to datagen/): {heavy}"


def test_no_module_of_the_package_is_data_and_the_measure_flags_the_sources() -> None:
    """No file of the package (imported or not) is a table of literals; the same measure flags every module
    of the builders' source material, so it can tell data from code."""
    flagged = {
        p.stem
        for p in (REPO / "datagen" / "sources").glob("*.py")
        if (lambda s: s[0] > MAX_STRING_CHARS or s[1] > MAX_TABLE_ITEMS)(_literal_size(p))
    }
    assert flagged == {"coding_problems", "coding_easy", "chat_prompts", "math_problems", "if_prompts"}
    largest = max((_literal_size(p) for p in PACKAGE.rglob("*.py")), key=lambda s: s[0] / MAX_STRING_CHARS)
    assert largest[0] < MAX_STRING_CHARS / 2 and largest[1] < MAX_TABLE_ITEMS
