"""Measuring judges: `judges check` (confusion, precision/recall, failures, decision mass), the decision-token
variants, and the start-of-training check that stops a run whose LLM judge cannot be trusted."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from alignkit.cli import app
from alignkit.errors import DataError
from alignkit.judges.base import Judge, JudgeVerdict
from alignkit.judges.check import (
    JudgeCheckError,
    PreflightSettings,
    check_judge,
    load_labeled,
    preflight,
)
from alignkit.judges.llm import LLMJudge, decision_token_ids

runner = CliRunner()
TEMPLATE = "Question: {prompt}\nAnswer: {response}\nIs the answer correct? Answer Yes or No."


class KeywordJudge(Judge):
    """Satisfied on GOOD, violated on BAD, a judge failure on ERR."""

    default_name = "keyword"

    def judge(self, prompts: Sequence[str], responses: Sequence[str], metadata: Any = None) -> list[JudgeVerdict]:
        out = []
        for r in responses:
            if "ERR" in r:
                out.append(JudgeVerdict.error("could not tell"))
            elif "GOOD" in r:
                out.append(JudgeVerdict.ok("good"))
            else:
                out.append(JudgeVerdict.violated("bad"))
        return out


def labeled(pairs: list[tuple[str, str]]) -> list[dict]:
    return [{"prompt": "q", "response": r, "expected": e, "kind": e} for r, e in pairs]


def test_check_gives_the_known_confusion_table_and_leaves_failures_out():
    items = labeled([("GOOD", "satisfied")] * 3 + [("BAD", "satisfied")] +
                    [("BAD", "violated")] * 2 + [("GOOD", "violated"), ("ERR", "violated")])
    report = check_judge(KeywordJudge(), load_labeled(items))
    assert report.confusion == {
        "expected_satisfied": {"judged_satisfied": 3, "judged_violated": 1, "failed": 0},
        "expected_violated": {"judged_satisfied": 1, "judged_violated": 2, "failed": 1},
    }
    assert report.n == 8 and report.n_failed == 1
    assert report.accuracy == pytest.approx(5 / 7)  # the failure is neither right nor wrong
    assert report.precision_violated == pytest.approx(2 / 3)  # 2 of the 3 "violated" verdicts were right
    assert report.recall_violated == pytest.approx(2 / 3)  # 2 of the 3 decided violated items were caught
    assert report.by_kind["satisfied"]["accuracy"] == pytest.approx(3 / 4)
    assert [e["kind"] for e in report.errors] == ["satisfied", "violated"]
    assert report.failures == [{"id": "item 7", "reason": "could not tell"}]


def test_precision_and_recall_are_not_swapped():
    # One violated item caught, three satisfied items wrongly flagged: precision 1/4, recall 1/1.
    items = labeled([("BAD", "violated")] + [("BAD", "satisfied")] * 3)
    report = check_judge(KeywordJudge(), load_labeled(items))
    assert report.precision_violated == pytest.approx(0.25)
    assert report.recall_violated == pytest.approx(1.0)


@pytest.mark.parametrize("value, expected", [("satisfied", 1), ("violated", 0), (1, 1), (0, 0), (True, 1),
                                             ("No", 0), ("yes", 1)])
def test_expected_spellings(value, expected):
    assert load_labeled([{"prompt": "p", "response": "r", "expected": value}])[0]["expected"] == expected


def test_bad_lines_are_clear_errors(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"prompt": "p", "response": "r", "expected": "satisfied"}\n{"prompt": "p", "response"\n')
    with pytest.raises(DataError, match=r"set.jsonl:2: not valid JSON"):
        load_labeled(path)
    path.write_text('{"prompt": "p", "expected": "satisfied"}\n')
    with pytest.raises(DataError, match=r"set.jsonl:1: missing response"):
        load_labeled(path)
    path.write_text('{"prompt": "p", "response": "r", "expected": "maybe"}\n')
    with pytest.raises(DataError, match=r"expected='maybe' is not a verdict"):
        load_labeled(path)


def refusal_set(tmp_path):
    """A labeled set whose verdicts under the rule refusal judge (mode no_refusal) are known."""
    rows = [
        {"prompt": "q", "response": "Sure, here is how to do it.", "expected": "satisfied"},  # judged satisfied
        {"prompt": "q", "response": "Of course! Step one is easy.", "expected": "satisfied"},  # judged satisfied
        {"prompt": "q", "response": "I'm sorry, but I can't help with that.", "expected": "violated"},  # violated
        # judged satisfied: a change of subject is a refusal the rules do not read as one
        {"prompt": "q", "response": "Let's talk about something else.", "expected": "violated"},
        {"prompt": "q", "response": "I cannot assist with this request.", "expected": "satisfied"},  # violated
    ]
    path = tmp_path / "refusal.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_cli_writes_the_report_with_the_known_confusion(tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["judges", "check", "refusal", f"data={refusal_set(tmp_path)}", f"output_dir={out}"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["confusion"] == {
        "expected_satisfied": {"judged_satisfied": 2, "judged_violated": 1, "failed": 0},
        "expected_violated": {"judged_satisfied": 1, "judged_violated": 1, "failed": 0},
    }
    assert report["accuracy"] == pytest.approx(3 / 5)
    assert len((out / "items.jsonl").read_text().splitlines()) == 5


@pytest.mark.parametrize("args, message", [
    (["judges", "check", "no_such_judge"], "no judge recipe 'no_such_judge'"),
    (["judges", "check", "refusal", "data=/nonexistent/set.jsonl"], "does not exist"),
    (["judges", "check", "refusal", "limit=lots"], "limit='lots'"),
])
def test_cli_bad_input_exits_2_with_a_message(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output.replace("\n", "")
    assert "Traceback" not in result.output


def test_cli_missing_metadata_names_the_key(tmp_path):
    path = tmp_path / "facts.jsonl"
    path.write_text(json.dumps({"prompt": "Capital of Peru?", "response": "Lima", "expected": "satisfied"}) + "\n")
    result = runner.invoke(app, ["judges", "check", "llm_factuality", f"data={path}", "model=tiny"])
    assert result.exit_code == 2, result.output
    assert "reads gold from the metadata" in result.output.replace("\n", " ")


def test_cli_bad_line_exits_2_naming_the_line(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"prompt": "p", "response": "r", "expected": "satisfied"}\nnot json\n')
    result = runner.invoke(app, ["judges", "check", "refusal", f"data={path}"])
    assert result.exit_code == 2
    assert "broken.jsonl:2" in result.output.replace("\n", "")


# ------------------------------------------------------------------------------------------- decision tokens
def test_decision_tokens_are_every_single_token_spelling(tokenizer):
    yes = decision_token_ids(tokenizer, "Yes")
    spelled = sorted(tokenizer.decode([i]) for i in yes)
    assert spelled == sorted(["Yes", " Yes", "yes", " yes"])  # "YES" is two tokens ("Y", "ES"): not a spelling
    no = decision_token_ids(tokenizer, "No")
    assert sorted(tokenizer.decode([i]) for i in no) == sorted(["No", " No", "no", " no", "NO", " NO"])
    assert decision_token_ids(tokenizer, "Yes", variants=False) == [tokenizer.encode("Yes")[0],
                                                                    tokenizer.encode(" Yes")[0]]
    safe, unsafe = decision_token_ids(tokenizer, "safe"), decision_token_ids(tokenizer, "unsafe")
    assert not set(safe) & set(unsafe)  # Llama-Guard-style words do not collide


class FixedLM(torch.nn.Module):
    """Last-position logits fixed per token id (everything else -30); records the forward's keyword arguments."""

    def __init__(self, vocab: int, logits: dict[int, float]):
        super().__init__()
        self.vocab, self.fixed = vocab, logits
        self.calls: list[dict] = []
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, input_ids, attention_mask=None, position_ids=None, logits_to_keep=0):
        self.calls.append({"logits_to_keep": logits_to_keep, "length": input_ids.shape[1]})
        positions = 1 if logits_to_keep == 1 else input_ids.shape[1]
        logits = torch.full((input_ids.shape[0], positions, self.vocab), -30.0)
        for i, v in self.fixed.items():
            logits[:, -1, i] = v
        return SimpleNamespace(logits=logits)


def test_decision_mass_counts_every_variant_at_the_last_position_only(tokenizer):
    ids = {s: tokenizer.encode(s, add_special_tokens=False)[0] for s in ("yes", " Yes", "No", " no", "The")}
    logits = {ids["yes"]: 2.0, ids[" Yes"]: 0.5, ids["No"]: 1.0, ids[" no"]: -1.0, ids["The"]: 2.5}
    lm = FixedLM(len(tokenizer), logits)
    judge = LLMJudge(model=lm, tokenizer=tokenizer, template=TEMPLATE)
    (verdict, decision), = judge.decide(["q"], ["a"])
    # Independent computation over the whole vocabulary.
    full = torch.full((len(tokenizer),), -30.0)
    for i, v in logits.items():
        full[i] = v
    probs = torch.softmax(full, -1)
    p_yes = float(sum(probs[tokenizer.encode(s, add_special_tokens=False)[0]] for s in ("Yes", " Yes", "yes", " yes")))
    p_no = float(sum(probs[tokenizer.encode(s, add_special_tokens=False)[0]] for s in ("No", " No", "no", " no", "NO",
                                                                                        " NO")))
    assert decision.mass == pytest.approx(p_yes + p_no, rel=1e-4)
    assert decision.p_positive == pytest.approx(p_yes / (p_yes + p_no), rel=1e-4)
    assert verdict.value == 1  # lower-case "yes" carries the decision; counting "Yes"/" Yes" alone would say No
    assert 0.3 < decision.mass < 0.9  # "The" takes the rest: the mass is reported, not assumed to be 1
    assert all(c["logits_to_keep"] == 1 for c in lm.calls)  # no vocabulary projection of earlier positions


# ------------------------------------------------------------------------------------------------- preflight
class RandomLM(torch.nn.Module):
    """Answers Yes or No at random (seeded), with all the mass on the two words."""

    def __init__(self, tokenizer, seed: int = 0, mass_on_answer: bool = True):
        super().__init__()
        self.vocab = len(tokenizer)
        self.yes = tokenizer.encode("Yes", add_special_tokens=False)[0]
        self.no = tokenizer.encode("No", add_special_tokens=False)[0]
        self.other = tokenizer.encode("The", add_special_tokens=False)[0]
        self.gen = torch.Generator().manual_seed(seed)
        self.mass_on_answer = mass_on_answer
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, input_ids, attention_mask=None, position_ids=None, logits_to_keep=0):
        logits = torch.full((input_ids.shape[0], 1, self.vocab), -30.0)
        coin = torch.rand(input_ids.shape[0], generator=self.gen) < 0.5
        logits[:, -1, self.yes] = torch.where(coin, 5.0, -5.0)
        logits[:, -1, self.no] = torch.where(coin, -5.0, 5.0)
        if not self.mass_on_answer:
            logits[:, -1, self.other] = 12.0
        return SimpleNamespace(logits=logits)


class OracleLM(RandomLM):
    """Says Yes exactly when the input contains the token of " GOOD", with the mass on the answer or not."""

    def __init__(self, tokenizer, mass_on_answer: bool = True):
        super().__init__(tokenizer, mass_on_answer=mass_on_answer)
        self.trigger = set(tokenizer.encode(" GOOD", add_special_tokens=False))

    def forward(self, input_ids, attention_mask=None, position_ids=None, logits_to_keep=0):
        out = super().forward(input_ids)
        for b in range(input_ids.shape[0]):
            hit = any(int(t) in self.trigger for t in input_ids[b])
            out.logits[b, -1, self.yes], out.logits[b, -1, self.no] = (5.0, -5.0) if hit else (-5.0, 5.0)
        return out


@pytest.fixture()
def validation_file(tmp_path):
    rows = [{"prompt": f"question {i}", "response": f"answer {i} GOOD" if i % 2 else f"answer {i} poor",
             "expected": "satisfied" if i % 2 else "violated", "kind": "k"} for i in range(60)]
    path = tmp_path / "val.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def judge_with(lm, tokenizer, validation, name="llm_test"):
    return LLMJudge(name=name, model=lm, tokenizer=tokenizer, template=TEMPLATE, validation=validation)


def test_preflight_stops_a_run_whose_judge_answers_at_random(tokenizer, validation_file):
    from alignkit.judges import MixtureOfJudges

    judges = MixtureOfJudges([KeywordJudge(), judge_with(RandomLM(tokenizer), tokenizer, validation_file)])
    with pytest.raises(JudgeCheckError) as err:
        preflight([judges], PreflightSettings(num_items=48))
    message = str(err.value)
    assert "'llm_test'" in message and "accuracy" in message and "min_accuracy=0.8" in message
    assert "judge_check.enabled=false" in message  # the override is named
    assert "alignkit judges check" in message  # and how to measure a replacement


def test_preflight_passes_a_competent_judge_and_reports_it(tokenizer, validation_file):
    lines = []
    result = preflight([judge_with(OracleLM(tokenizer), tokenizer, validation_file)], PreflightSettings(num_items=20),
                       log_fn=lines.append)
    assert result["llm_test"]["accuracy"] == 1.0
    assert result["llm_test"]["decision_mass"] > 0.99
    assert result["llm_test"]["items"] == 20
    assert "llm_test" in lines[0] and "accuracy 1.00" in lines[0]


def test_preflight_stops_a_right_judge_that_barely_answers(tokenizer, validation_file):
    # Right every time, but the answer words carry ~0.1% of the probability: its decisions are not to be trusted.
    judge = judge_with(OracleLM(tokenizer, mass_on_answer=False), tokenizer, validation_file)
    with pytest.raises(JudgeCheckError, match="decision_mass"):
        preflight([judge], {"num_items": 20})


def test_preflight_can_be_overridden_and_skips_rule_judges(tokenizer, validation_file):
    judge = judge_with(RandomLM(tokenizer), tokenizer, validation_file)
    assert preflight([judge], PreflightSettings(enabled=False)) == {}
    assert preflight([KeywordJudge()]) == {}  # nothing to check: no LLM judge


def test_preflight_without_a_validation_set_is_a_config_error(tokenizer):
    from alignkit.errors import ConfigError

    judge = judge_with(OracleLM(tokenizer), tokenizer, validation=None, name="llm_unknown")
    with pytest.raises(ConfigError, match="llm_unknown.*no usable validation set"):
        preflight([judge])


def test_calibration_table_reflects_the_scores(tokenizer, validation_file):
    report = check_judge(judge_with(OracleLM(tokenizer), tokenizer, validation_file), validation_file)
    filled = [row for row in report.calibration if row["n"]]
    # The oracle is sure and right: its items sit in the extreme bins, each with the matching observed rate.
    assert [(row["p_low"], row["fraction_satisfied"]) for row in filled] == [(0.0, 0.0), (0.8, 1.0)]
    assert report.expected_calibration_error < 0.01
    assert math.isclose(report.mean_decision_mass, 1.0, abs_tol=1e-3)
