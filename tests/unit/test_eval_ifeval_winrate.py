"""IFEval (strict vs loose, prompt vs instruction level) and win rate (and its length control) on known cases."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from alignkit.eval.runner import run_task
from alignkit.eval.tasks.ifeval import IFEval
from alignkit.eval.tasks.winrate import WinRate, length_controlled


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


IFEVAL = [  # Google IFEval's format; kwargs hold None for unused arguments, as on the hub
    {"key": 1, "prompt": "Answer in double quotes.", "instruction_id_list": ["startend:quotation"],
     "kwargs": [{"num_words": None}]},
    {"key": 2, "prompt": "Reply in JSON.", "instruction_id_list": ["detectable_format:json_format"], "kwargs": [{}]},
    {"key": 3, "prompt": "Lowercase, no commas.", "instruction_id_list": ["punctuation:no_comma",
                                                                           "change_case:english_lowercase"],
     "kwargs": [{}, {}]},
    {"key": 4, "prompt": "No commas.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]},
    {"key": 5, "prompt": "Broken.", "instruction_id_list": ["no_such:instruction"], "kwargs": [{}]},
]
RESPONSES = [
    {"key": 1, "response": 'Sure, here it is:\n"The whole answer sits in quotes."'},  # differs only by a first line
    {"key": 2, "response": '**{"answer": 42}**'},  # differs only by `*`
    {"key": 3, "response": "hello, world"},  # lowercase yes, comma no
    {"key": 4, "response": ""},  # empty: follows nothing
    {"key": 5, "response": "anything"},  # unknown instruction: the judge fails, the prompt is left out
]


def test_ifeval_strict_loose_prompt_and_instruction_level(tmp_path):
    data = write_jsonl(tmp_path / "ifeval.jsonl", IFEVAL)
    res = run_task(IFEval(source=str(data), num_workers=1), tmp_path / "out",
                   samples_path=write_jsonl(tmp_path / "r.jsonl", RESPONSES), show_progress=False)
    m = {k: v["value"] for k, v in res["metrics"].items()}
    assert m["prompt_level_strict_acc"] == 0.0
    assert m["prompt_level_loose_acc"] == pytest.approx(2 / 4)  # keys 1 and 2 pass once loosened
    assert m["inst_level_strict_acc"] == pytest.approx(1 / 5)  # lowercase of key 3, out of 5 instructions
    assert m["inst_level_loose_acc"] == pytest.approx(3 / 5)
    assert res["failed"]["prompt_level_strict_acc"] == 1 and res["metrics"]["prompt_level_strict_acc"]["n"] == 4
    lines = [json.loads(x) for x in (tmp_path / "out" / "samples_ifeval.jsonl").read_text().splitlines()]
    assert lines[2]["extracted"] == {"strict": [False, True], "loose": [False, True]}
    assert "unknown instruction id" in lines[4]["reason"]


def test_ifeval_flags_match_the_reference_implementation(tmp_path):
    """Our per-instruction flags equal if-verifiable's own evaluate_instructions (Google's algorithm) on the
    same responses: strict on the response, loose on its first-line/last-line/`*`-stripped variants."""
    from if_verifiable.common import evaluate_instructions
    from if_verifiable.ifeval.instructions_registry import INSTRUCTION_DICT

    task = IFEval(num_workers=1)
    docs = [d for d in task.load()][:12]
    variants = ["Sure!\n" + "hello world. this is all lowercase text without any punctuation marks at all",
                "# TITLE\n*Some* **bold** text, with a comma.\nP.S. thanks",
                '"quoted answer"', "<<title>>\n\nfirst paragraph\n\n***\n\nsecond paragraph"]
    responses = [variants[i % len(variants)] for i in range(len(docs))]
    ours = task.instruction_flags(docs, responses)
    task.close()
    for doc, response, flags in zip(docs, responses, ours, strict=True):
        results, _ = evaluate_instructions(response, doc["instruction_id_list"], doc["kwargs"], doc["prompt"],
                                           INSTRUCTION_DICT)
        assert flags == [(r.strict_pass, r.loose_pass) for r in results], doc["id"]


class FakeRewardModel:
    """Scores an answer 1 when it contains GOOD, else 0 (a judge that knows quality when it sees it)."""

    def score(self, prompts, completions, metadata):
        return [1.0 if "GOOD" in c else 0.0 for c in completions]

    def close(self):
        pass


def test_winrate_with_a_reward_model_judge(tmp_path):
    data = write_jsonl(tmp_path / "ref.jsonl", [
        {"id": "a", "prompt": "q1", "reference": "plain"},
        {"id": "b", "prompt": "q2", "reference": "GOOD answer"},
        {"id": "c", "prompt": "q3", "reference": "GOOD too"},
        {"id": "d", "prompt": "q4", "reference": "plain"},
    ])
    samples = write_jsonl(tmp_path / "s.jsonl", [
        {"id": "a", "response": "a GOOD one"},  # wins
        {"id": "b", "response": "plain"},  # loses
        {"id": "c", "response": "GOOD as well"},  # ties
        {"id": "d", "response": "GOOD"},  # wins
    ])
    task = WinRate(source=str(data), judge="reward_model", judge_model="fake", bootstrap=20)
    task._scorer = FakeRewardModel()
    res = run_task(task, tmp_path / "out", samples_path=samples, show_progress=False)
    assert res["metrics"]["win_rate"]["value"] == pytest.approx((1 + 0 + 0.5 + 1) / 4)
    assert "lc_win_rate" in res["metrics"] and res["metrics"]["avg_length"]["value"] == pytest.approx(
        sum(map(len, ["a GOOD one", "plain", "GOOD as well", "GOOD"])) / 4)


def test_winrate_needs_a_judge():
    from alignkit.errors import ConfigError

    with pytest.raises(ConfigError, match="judge=reward_model"):
        WinRate().load()


def test_length_control_removes_a_pure_length_preference():
    import numpy as np

    rng = np.random.default_rng(0)
    d = rng.normal(150, 200, 2000)  # responses mostly longer than the references
    x = np.tanh(d / d.std())
    biased = 1 / (1 + np.exp(-3 * x))  # the judge prefers length and nothing else
    raw = biased.mean()
    assert raw > 0.7
    assert length_controlled(list(biased), list(d)) == pytest.approx(0.5, abs=0.03)
    # a preference that does not depend on length keeps its win rate
    fair = np.full_like(d, 1 / (1 + math.exp(-1.0)))
    assert length_controlled(list(fair), list(d)) == pytest.approx(fair.mean(), abs=0.01)
