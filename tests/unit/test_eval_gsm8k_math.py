"""GSM8K and MATH tasks: extraction and known scores on constructed samples files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignkit.eval.runner import run_task
from alignkit.eval.tasks.gsm8k import GSM8K, flexible_answer, strict_answer


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture()
def gsm8k_file(tmp_path) -> Path:
    """Three problems in GSM8K's own format (question, answer ending in #### N)."""
    return write_jsonl(tmp_path / "gsm8k.jsonl", [
        {"question": "Tom has 3 apples and buys 4 more. How many?", "answer": "3 + 4 = 7\n#### 7"},
        {"question": "A box holds 1,200 pins; 200 are used. How many are left?", "answer": "1200-200=1000\n#### 1,000"},
        {"question": "Half of 9?", "answer": "#### 4.5"},
    ])


def test_strict_versus_flexible_extraction():
    # the format asked for: strict and flexible agree
    assert strict_answer("3 + 4 = 7.\nThe final answer is 7.") == "7"
    # no "final answer" sentence: strict finds nothing, flexible takes the last number
    assert strict_answer("3 + 4 = 7 apples") is None
    assert flexible_answer("3 + 4 = 7 apples") == "7"
    # strict reads the stated answer even when a later number follows; flexible takes that later number
    text = "The final answer is 1,000.\nCheck: 1200 - 200 = 1000, 5 steps."
    assert strict_answer(text) == "1000"
    assert flexible_answer(text) == "5"
    # GSM8K's own "#### N" line counts as the asked-for format
    assert strict_answer("work...\n#### 4.5") == "4.5"


def test_gsm8k_scores_known_values(tmp_path, gsm8k_file):
    ids = [f"gsm8k-test-{i:05d}" for i in range(3)]
    samples = write_jsonl(tmp_path / "samples.jsonl", [
        {"id": ids[0], "response": "3 + 4 = 7.\nThe final answer is 7."},  # right, both ways
        {"id": ids[1], "response": "1,200 - 200 leaves 1,000 pins"},  # right only flexibly
        {"id": ids[2], "response": "The final answer is 4.5. (9/2 = 4.5, about 5)"},  # right only strictly
    ])
    res = run_task(GSM8K(source=str(gsm8k_file)), tmp_path / "out", samples_path=samples, show_progress=False)
    m = res["metrics"]
    assert m["exact_match_strict"]["value"] == pytest.approx(2 / 3)
    assert m["exact_match_flexible"]["value"] == pytest.approx(2 / 3)
    assert m["exact_match_strict"]["n"] == 3
    lines = [json.loads(x) for x in (tmp_path / "out" / "samples_gsm8k.jsonl").read_text().splitlines()]
    assert [x["metrics"] for x in lines] == [
        {"exact_match_strict": 1.0, "exact_match_flexible": 1.0},
        {"exact_match_strict": 0.0, "exact_match_flexible": 1.0},
        {"exact_match_strict": 1.0, "exact_match_flexible": 0.0},
    ]
    assert [x["target"] for x in lines] == ["7", "1000", "4.5"]
    assert lines[1]["extracted"] == {"strict": None, "flexible": "1000"}
    assert all("prompt" in x and x["prompt"].endswith("final number.") for x in lines)


def test_gsm8k_majority_vote(tmp_path, gsm8k_file):
    first = "gsm8k-test-00000"
    rows = [{"id": first, "response": f"The final answer is {a}."} for a in ("8", "7", "7", "9")]
    res = run_task(GSM8K(source=str(gsm8k_file)), tmp_path / "out", ks=[1, 3, 4],
                   samples_path=write_jsonl(tmp_path / "s.jsonl", rows), show_progress=False)
    m = res["metrics"]
    assert m["exact_match_strict"]["value"] == pytest.approx(0.5)  # 2 of 4 samples right
    assert m["maj@3_strict"]["value"] == 1.0  # 8, 7, 7 -> 7
    assert m["maj@4_strict"]["value"] == 1.0  # 8, 7, 7, 9 -> 7


def test_math_scores_known_values_and_leaves_judge_failures_out(tmp_path):
    from alignkit.eval.tasks.math import Math

    data = write_jsonl(tmp_path / "math500.jsonl", [
        {"problem": "What is 1/2 as a fraction?", "answer": "\\frac{1}{2}", "unique_id": "p1"},
        {"problem": "Compute 2*5.", "solution": "We get $2\\cdot 5 = \\boxed{10}$.", "unique_id": "p2"},
        {"problem": "Compute 3+4.", "answer": "7", "unique_id": "p3"},
        {"problem": "Compute 6/2.", "answer": "3", "unique_id": "p4"},
        {"problem": "A broken gold answer.", "answer": "\\frac{1}{", "unique_id": "p5"},
    ])
    samples = write_jsonl(tmp_path / "s.jsonl", [
        {"id": "p1", "response": "Half is $\\boxed{0.5}$."},  # equivalent form: right
        {"id": "p2", "response": "2 times 5. The final answer is 10."},  # right, other format
        {"id": "p3", "response": "3 + 4 = \\boxed{8}"},  # wrong
        {"id": "p4", "response": "It is three, I think"},  # no answer in a known format: wrong, not a failure
        {"id": "p5", "response": "\\boxed{1}"},  # the judge cannot parse the gold answer: a failure
    ])
    res = run_task(Math(source=str(data), num_workers=1), tmp_path / "out", samples_path=samples,
                   show_progress=False)
    m = res["metrics"]["exact_match"]
    assert m["value"] == pytest.approx(2 / 4) and m["n"] == 4  # p5 left out, not counted wrong
    assert res["failed"] == {"exact_match": 1}
    lines = [json.loads(x) for x in (tmp_path / "out" / "samples_math.jsonl").read_text().splitlines()]
    assert [x["metrics"]["exact_match"] for x in lines] == [1.0, 1.0, 0.0, 0.0, None]
    assert [x["target"] for x in lines][:2] == ["\\frac{1}{2}", "10"]
    assert lines[3]["extracted"] == {"answer": None}
    assert lines[0]["prompt"].endswith("\\boxed{}.")
