"""Bad input of every class gets exit code 2 and one clear line naming the input and the fix: never a
traceback, a hang or a silent success (issue 11). Each class is fixed where it arises: the composition layer
(interpolations, YAML, unreadable values, schema bounds), the run-directory layer, the data loader."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import alignkit
from alignkit.cli import app
from alignkit.data import read_rows
from alignkit.errors import DataError

runner = CliRunner()
SRC = Path(alignkit.__file__).resolve().parents[1]  # the alignkit these tests import
HUGE = "9" * 5000  # over Python's 4300-digit limit for int("...")


def bad(*args: str, needles: tuple[str, ...]) -> str:
    """Run the CLI in-process; it must exit 2 with one message that holds every needle."""
    result = runner.invoke(app, list(args))
    out = result.output
    assert result.exit_code == 2, (result.exit_code, out, result.exception)
    assert "Traceback" not in out
    assert "error:" in out
    flat = " ".join(out.split())  # rich wraps long lines
    for needle in needles:
        assert needle in flat, (needle, out)
    return flat


def run_cli(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """The real command line in a fresh process (real argv bytes, real stderr)."""
    env = dict(os.environ, PYTHONPATH=str(SRC), HF_HUB_OFFLINE="1")
    env.pop("ALIGNKIT_UNSET_VAR", None)
    return subprocess.run([*prefix, sys.executable, "-m", "alignkit.cli", *args], capture_output=True,
                          env=env, timeout=300)


# --- the composition layer ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("override", "needles"), [
    ("trainer.max_steps=${nope.missing}", ("trainer.max_steps=${nope.missing}", "nope.missing", "literal value")),
    ("output_dir=${oc.env:ALIGNKIT_UNSET_VAR}", ("output_dir", "ALIGNKIT_UNSET_VAR", "oc.env:VAR,default")),
])
def test_an_interpolation_that_does_not_resolve(override, needles):
    bad("cgpo", "recipe=coding", "model=tiny", override, "--print-config", needles=needles)


def test_an_interpolation_is_caught_before_the_run_starts(tmp_path):
    """Without --print-config the run would start and fail at the first use of the value."""
    bad("cgpo", "recipe=coding", "model=tiny", f"output_dir={tmp_path}/run", "trainer.max_steps=${nope.missing}",
        needles=("trainer.max_steps",))
    assert not (tmp_path / "run").exists()


def test_a_recipe_with_a_yaml_syntax_error(tmp_path):
    (tmp_path / "cgpo").mkdir()
    (tmp_path / "cgpo" / "broken.yaml").write_text("defaults:\n  - /model: tiny\ntrainer:\n  max_steps: [1, 2\n")
    flat = bad("cgpo", "recipe=broken", "--recipes-dir", str(tmp_path), "--print-config",
               needles=("broken.yaml", "invalid YAML", "Fix the file"))
    assert "line 5" in flat or "line 4" in flat, flat


def test_a_binary_recipe_file(tmp_path):
    (tmp_path / "cgpo").mkdir()
    (tmp_path / "cgpo" / "blob.yaml").write_bytes(bytes(range(256)) * 8)
    bad("cgpo", "recipe=blob", "--recipes-dir", str(tmp_path), "--print-config", needles=("blob",))


def test_an_integer_over_pythons_digit_limit():
    bad("cgpo", "recipe=coding", "model=tiny", f"seed={HUGE}", "--print-config",
        needles=("seed=", "4300 digits", "Pass `seed=<valid value>`"))


def test_an_integer_in_a_recipe_over_the_digit_limit(tmp_path):
    (tmp_path / "cgpo").mkdir()
    (tmp_path / "cgpo" / "big.yaml").write_text(f"defaults:\n  - /model: tiny\nseed: {HUGE}\n")
    bad("cgpo", "recipe=big", "--recipes-dir", str(tmp_path), "--print-config", needles=("big", "4300 digits"))


def test_an_integer_too_big_for_64_bits():
    bad("cgpo", "recipe=coding", "model=tiny", "trainer.max_steps=" + "9" * 40, "--print-config",
        needles=("trainer.max_steps", "64 bits"))


def test_non_utf8_bytes_in_a_value():
    proc = run_cli("cgpo", "recipe=coding", "model=tiny", os.fsdecode(b"output_dir=/tmp/run-\xff\xfe"),
                   "--print-config")
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    flat = " ".join(err.split())
    assert "output_dir=/tmp/run-\\xff\\xfe" in flat and "not UTF-8" in flat and "UTF-8 text" in flat, flat


def test_a_section_given_a_single_value_names_the_section():
    flat = bad("cgpo", "recipe=coding", "model=tiny", "trainer=5", "--print-config",
               needles=("`trainer`", "trainer=5", "section", "trainer.<key>=<value>", "max_steps"))
    assert "Bad value for ``" not in flat


@pytest.mark.parametrize(("args", "needles"), [
    (("eval", "humaneval", "model=tiny", "task.max_workers=-1"), ("task.max_workers", "positive")),
    (("eval", "humaneval", "model=tiny", "task.max_workers=0"), ("task.max_workers", "positive")),
    (("eval", "humaneval", "model=tiny", "task.memory_mb=1"), ("task.memory_mb", ">= 64")),
    (("eval", "humaneval", "model=tiny", "task.timeout_s=0"), ("task.timeout_s", "> 0")),
    (("cgpo", "recipe=coding", "model=tiny", "seed=-1"), ("seed", ">= 0")),
    (("cgpo", "recipe=coding", "model=tiny", "generation.top_p=0"), ("generation.top_p", "> 0")),
    (("cgpo", "recipe=coding", "model=tiny", "generation.batch_size=0"), ("generation.batch_size", ">= 1")),
    (("cgpo", "recipe=coding", "model=tiny", "generation.temperature=nan"), ("generation.temperature", "NaN")),
])
def test_numbers_out_of_their_schema_bounds(args, needles):
    """executor.max_workers=-1 used to start no worker and wait forever; memory_mb=1 was accepted."""
    bad(*args, "--print-config", needles=needles)


def test_the_executor_itself_refuses_what_would_hang_or_not_limit():
    from alignkit.judges.code import CodeJudge
    from alignkit.sandbox import Executor

    for kwargs, name in (({"max_workers": -1}, "max_workers"), ({"max_workers": 0}, "max_workers"),
                         ({"memory_mb": 1}, "memory_mb"), ({"timeout_s": -1}, "timeout_s"),
                         ({"nproc": 0}, "nproc")):
        with pytest.raises(ValueError, match=name):
            Executor(**kwargs)
    with pytest.raises(ValueError, match="max_workers"):  # a judge's settings are refused when it is built
        CodeJudge(max_workers=-1)


# --- the run-directory layer -------------------------------------------------------------------------------


def _output_dirs(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "a-file").write_text("x")
    return {
        "existing file": str(tmp_path / "a-file"),
        "under a file": str(tmp_path / "a-file" / "run"),
        "under /proc": "/proc/alignkit-run",
        "an existing /proc directory": "/proc/self",
        "too long": str(tmp_path / ("x" * 300)),
        "a path too long": str(tmp_path / "/".join(["y" * 200] * 30)),
    }


@pytest.mark.parametrize("case", ["existing file", "under a file", "under /proc", "an existing /proc directory",
                                  "too long", "a path too long"])
@pytest.mark.parametrize("command", [("cgpo", "recipe=coding"), ("eval", "humaneval")])
def test_an_output_dir_that_cannot_be_written(tmp_path, case, command):
    path = _output_dirs(tmp_path)[case]
    flat = bad(*command, "model=tiny", f"output_dir={path}", needles=("output_dir=", "Pass output_dir=<a directory"))
    assert path[:60] in flat


def test_a_read_only_output_dir(tmp_path):
    """A read-only file system (root can write anywhere else): a tmpfs mounted read-only in a private mount
    namespace; as an ordinary user a directory without write permission does the same."""
    target = tmp_path / "ro"
    target.mkdir()
    if os.geteuid() == 0:
        if not shutil.which("unshare"):
            pytest.skip("needs unshare(1)")
        inner = (f"mount -t tmpfs -o ro,size=64k none {target} && exec {sys.executable} -m alignkit.cli cgpo "
                 f"recipe=coding model=tiny output_dir={target}/run")
        proc = run_cli(prefix=("unshare", "-m", "sh", "-c", inner + " #"))
    else:
        target.chmod(0o555)
        proc = run_cli("cgpo", "recipe=coding", "model=tiny", f"output_dir={target}/run")
    err = " ".join(proc.stderr.decode("utf-8", "replace").split())
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    assert f"output_dir={target}/run" in err and ("Read-only" in err or "Permission denied" in err), err


# --- the data loader ---------------------------------------------------------------------------------------


BINARY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_a_binary_data_file_names_file_and_line(tmp_path, suffix):
    path = tmp_path / f"data{suffix}"
    good = '{"prompt": "p", "completion": "c"}\n' if suffix == ".jsonl" else ""
    path.write_bytes(good.encode() + BINARY)
    with pytest.raises(DataError) as err:
        read_rows(path)
    line = 2 if suffix == ".jsonl" else 1
    assert f"{path}:{line}: not UTF-8" in str(err.value) and "binary" in str(err.value), str(err.value)


@pytest.mark.parametrize(("text", "reason"), [
    ('{"prompt": ' + HUGE + "}\n", "too many digits"),
    ('{"prompt": ' + "[" * 100_000 + "]" * 100_000 + "}\n", "nested too deeply"),
])
def test_json_a_parser_refuses_is_a_data_error(tmp_path, text, reason):
    for suffix in (".jsonl", ".json"):
        path = tmp_path / f"data{suffix}"
        path.write_text(text)
        with pytest.raises(DataError, match=reason):
            read_rows(path)


def test_a_csv_the_reader_refuses_names_the_line(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("prompt,completion\na,b\nc," + "d" * 200_000 + "\n")  # over csv's field size limit
    with pytest.raises(DataError, match=r"data.csv:3: unreadable CSV \(field larger"):
        read_rows(path)


def test_a_binary_sft_data_file_on_the_command_line(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_bytes(BINARY)
    bad("sft", "recipe=coding", "model=tiny", f"data.source={data}", "data.eval_split=null",
        f"output_dir={tmp_path}/run", needles=(f"{data}:1", "not UTF-8", "binary"))


def test_a_binary_cgpo_task_data_file_on_the_command_line(tmp_path):
    data = tmp_path / "tasks.jsonl"
    data.write_bytes(json.dumps({"prompt": "x"}).encode() + b"\n" + BINARY)
    bad("cgpo", "recipe=coding", "model=tiny", f"tasks.coding.data.source={data}", f"output_dir={tmp_path}/run",
        needles=(f"{data}:2", "not UTF-8"))
