"""``alignkit eval self-correction``: known metrics on constructed samples files (math and code), problems that
travel in the file, clear errors naming the line, and generation of both attempts on ``tiny``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alignkit.errors import DataError
from alignkit.eval.runner import run_task
from alignkit.eval.self_correction_metrics import self_correction_metrics
from alignkit.eval.tasks.self_correction import SelfCorrection


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def fa(x: str) -> str:
    return f"Some work.\nFinal Answer: The final answer is ${x}$. I hope it is correct."


@pytest.fixture()
def gsm8k_file(tmp_path) -> Path:
    return write_jsonl(tmp_path / "gsm8k.jsonl", [
        {"question": f"What is {a} + {a}?", "answer": f"{a} + {a} = {2 * a}\n#### {2 * a}"} for a in range(1, 7)])


def test_math_metrics_cover_the_four_transitions_and_equal_the_pure_function(tmp_path, gsm8k_file):
    ids = [f"{gsm8k_file}-test-{i:05d}" for i in range(6)]
    rows = [
        {"task_id": ids[0], "attempt_1": fa("2"), "attempt_2": fa("2")},  # c→c
        {"task_id": ids[1], "attempt_1": fa("4"), "attempt_2": fa("5")},  # c→i
        {"task_id": ids[2], "attempt_1": fa("7"), "attempt_2": fa("6")},  # i→c
        {"task_id": ids[3], "attempt_1": "no answer at all", "attempt_2": fa("8")},  # i→c (no format = wrong)
        {"task_id": ids[4], "attempt_1": fa("1"), "attempt_2": fa("2")},  # i→i
        {"task_id": "extra-1", "answer": "\\frac{1}{", "attempt_1": fa("1"), "attempt_2": fa("1")},  # judge fails
    ]
    res = run_task(SelfCorrection(source=str(gsm8k_file), num_workers=1), tmp_path / "out",
                   samples_path=write_jsonl(tmp_path / "s.jsonl", rows), show_progress=False)
    m = res["metrics"]
    expected = self_correction_metrics([1, 1, 0, 0, 0, -1], [1, 0, 1, 1, 0, -1])
    assert expected.n == 5 and m["accuracy_t1"]["n"] == 5  # the failed problem is left out, not wrong
    assert m["accuracy_t1"]["value"] == pytest.approx(2 / 5) and m["accuracy_t2"]["value"] == pytest.approx(3 / 5)
    assert m["delta_i_to_c"]["value"] == pytest.approx(2 / 5) and m["delta_c_to_i"]["value"] == pytest.approx(1 / 5)
    for name, key in (("accuracy_t1", "accuracy_t1"), ("accuracy_t2", "accuracy_t2"), ("delta_t1_t2", "delta"),
                      ("delta_i_to_c", "delta_i_to_c"), ("delta_c_to_i", "delta_c_to_i")):
        assert m[name]["value"] == pytest.approx(getattr(expected, key)), name
        assert m[name]["stderr"] == pytest.approx(getattr(expected, f"{key}_stderr")), name
    assert res["failed"]["delta_t1_t2"] == 1
    lines = [json.loads(x) for x in (tmp_path / "out" / "samples_self-correction.jsonl").read_text().splitlines()]
    ratios = [x["metrics"]["edit_distance_ratio"] for x in lines]
    assert ratios[0] == 0.0 and ratios[1] == pytest.approx(1 / len(fa("4")))  # a copy; one changed character
    assert m["edit_distance_ratio"]["n"] == 6  # not a judged metric: every problem has it
    assert [(x["verdict_1"], x["verdict_2"]) for x in lines] == [(1, 1), (1, 0), (0, 1), (0, 1), (0, 0), (-1, -1)]
    assert lines[1]["attempt_2"] == fa("5") and lines[1]["extracted"] == {"answer_1": "4", "answer_2": "5"}


def test_shipped_easy_math_is_the_default_source(tmp_path):
    from alignkit.data import load_prompts

    first = load_prompts("math_easy", split="test", limit=1)[0]
    answer = first["metadata"]["answer"]
    rows = [{"task_id": first["id"], "attempt_1": fa(str(int(answer) + 1)), "attempt_2": fa(answer)}]
    res = run_task(SelfCorrection(num_workers=1), tmp_path / "out",
                   samples_path=write_jsonl(tmp_path / "s.jsonl", rows), show_progress=False)
    assert res["metrics"]["delta_i_to_c"]["value"] == 1.0
    assert res["data"]["source"] == "math_easy"


@pytest.mark.parametrize(("line", "needle"), [
    ({"task_id": "nope", "attempt_1": "a", "attempt_2": "b"}, "unknown task_id 'nope'"),
    ({"task_id": "x", "attempt_1": "a"}, "missing field 'attempt_2'"),
    ({"task_id": "x", "attempt_1": None, "attempt_2": "b"}, "'attempt_1' is null"),
    ({"attempt_1": "a", "attempt_2": "b"}, "missing field 'task_id'"),
    ({"task_id": "x", "answer": ["7"], "attempt_1": "a", "attempt_2": "b"}, "field 'answer' must be"),
])
def test_bad_lines_are_an_error_naming_the_line(tmp_path, line, needle):
    path = write_jsonl(tmp_path / "s.jsonl", [{"task_id": "x", "answer": "1", "attempt_1": "", "attempt_2": ""}, line])
    with pytest.raises(DataError) as err:
        run_task(SelfCorrection(), tmp_path / "out", samples_path=path, show_progress=False)
    assert f"{path}:2" in str(err.value) and needle in str(err.value)


def test_code_variant_runs_both_attempts_in_the_sandbox(tmp_path):
    """Problems carried in the file (HumanEval-style check string and a list of asserts)."""
    check = "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(5) == 10\n"
    wrong = "```python\ndef double(x):\n    return x + 2\n```"
    right = "```python\ndef double(x):\n    return 2 * x\n```"
    rows = [
        {"task_id": "d1", "test": check, "entry_point": "double", "attempt_1": wrong, "attempt_2": right},
        {"task_id": "d2", "test": ["assert double(3) == 6"], "entry_point": "double", "attempt_1": right,
         "attempt_2": wrong},
    ]
    res = run_task(SelfCorrection(variant="code", num_workers=1), tmp_path / "out",
                   samples_path=write_jsonl(tmp_path / "s.jsonl", rows), show_progress=False)
    m = res["metrics"]
    assert m["delta_i_to_c"]["value"] == 0.5 and m["delta_c_to_i"]["value"] == 0.5
    assert m["accuracy_t1"]["value"] == 0.5 and m["delta_t1_t2"]["value"] == 0.0


def test_code_variant_needs_tests_for_unknown_problems(tmp_path):
    path = write_jsonl(tmp_path / "s.jsonl", [{"task_id": "d1", "entry_point": "f", "attempt_1": "", "attempt_2": ""}])
    with pytest.raises(DataError, match=r"s.jsonl:1: unknown task_id 'd1'.*'test'"):
        run_task(SelfCorrection(variant="code"), tmp_path / "out", samples_path=path, show_progress=False)


def test_cli_scores_a_samples_file_and_refuses_a_bad_one(tmp_path):
    from alignkit.cli import app

    good = write_jsonl(tmp_path / "good.jsonl", [{"task_id": "e1", "answer": "7", "attempt_1": fa("6"),
                                                  "attempt_2": fa("7")}])
    runner = CliRunner()
    out = tmp_path / "run"
    result = runner.invoke(app, ["eval", "self-correction", f"samples={good}", "variant=math", f"output_dir={out}"])
    assert result.exit_code == 0, result.output
    results = json.loads((out / "results.json").read_text())["results"]["self-correction"]
    assert results["delta_i_to_c"] == 1.0 and results["accuracy_t2"] == 1.0
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"task_id": "e1", "attempt_1": "x"}])
    result = runner.invoke(app, ["eval", "self-correction", f"samples={bad}", f"output_dir={tmp_path / 'r2'}"])
    assert result.exit_code == 2 and "bad.jsonl:1" in result.output and "Traceback" not in result.output


def test_generation_writes_both_attempts_on_tiny(tmp_path):
    from alignkit.eval.task import Generation
    from alignkit.generation.rollout import GenerationSettings, HFGenerator
    from alignkit.models import load_model, load_tokenizer

    tok, model = load_tokenizer("tiny"), load_model("tiny", device="cpu")
    gen = Generation(HFGenerator(model, tok, GenerationSettings(max_new_tokens=4, temperature=0.0)), tok,
                     temperature=0.0, max_new_tokens=4)
    res = run_task(SelfCorrection(num_workers=1), tmp_path / "out", gen=gen, limit=2, show_progress=False)
    lines = [json.loads(x) for x in (tmp_path / "out" / "samples_self-correction.jsonl").read_text().splitlines()]
    assert len(lines) == 2 and all(x["attempt_1"] != "" or x["attempt_2"] != "" for x in lines)
    assert all(x["response"] == x["attempt_2"] and x["verdict_2"] in (0, 1) for x in lines)
    assert res["metrics"]["accuracy_t1"]["n"] == 2
