"""The judge base classes: one batch loop (BatchJudge) shared by the process-pool judges and the code judge,
and the per-response hook (judge_one)."""

from __future__ import annotations

import pytest

from alignkit.judges.base import Judge
from alignkit.judges.code import CodeJudge
from alignkit.judges.format import FormatJudge
from alignkit.sandbox import Verdict


class _RecordingExecutor:
    """Stands in for the sandbox: records the jobs it gets, answers with canned verdicts by program."""

    def __init__(self, verdicts: dict[str, Verdict]):
        self.verdicts = verdicts
        self.jobs: list[dict] = []

    def map(self, jobs):
        self.jobs.extend(jobs)
        return [self.verdicts.get(job["program"], Verdict("error", 0, 2, "SyntaxError")) for job in jobs]

    def close(self):
        pass


GOOD = "```python\ndef f(x):\n    return x\n```"
WRONG = "```python\ndef f(x):\n    return 0\n```"
META = {"entry_point": "f", "tests": ["assert f(1) == 1", "assert f(2) == 2"]}


def test_code_judge_runs_only_the_jobs_it_needs_and_puts_each_result_back_in_place():
    executor = _RecordingExecutor({
        "def f(x):\n    return x": Verdict("passed", 2, 2),
        "def f(x):\n    return 0": Verdict("failed", 0, 2, "AssertionError"),
    })
    judge = CodeJudge(executor=executor, all_results=True)
    responses = ["Just words.", WRONG, GOOD, GOOD, WRONG]
    metadata = [META, META, {"tests": ["assert f(1) == 1"]}, META, ["not", "a", "dict"]]
    verdicts = judge.judge(["p"] * 5, responses, metadata)  # judge() itself: __call__ would refuse the list
    assert [v.value for v in verdicts] == [0, 0, -1, 1, -1]
    assert "bad input" in verdicts[4].reason  # malformed metadata fails that item only, not the batch
    assert [job["program"] for job in executor.jobs] == ["Just words.", WRONG[10:-4], GOOD[10:-4]]
    assert verdicts[1].score == 0.0 and verdicts[3].score == 1.0


def test_code_judge_pass_fraction_only_when_every_test_ran():
    partial = {"def f(x):\n    return 0": Verdict("failed", 1, 2, "AssertionError")}
    every = CodeJudge(executor=_RecordingExecutor(partial), all_results=True)([""], [WRONG], [META])[0]
    first = CodeJudge(executor=_RecordingExecutor(partial), all_results=False)([""], [WRONG], [META])[0]
    assert (every.value, every.score) == (0, 0.5)
    assert (first.value, first.score) == (0, 0.0)  # stopped at the first failure: no pass fraction


def test_a_judge_must_implement_judge_or_judge_one():
    with pytest.raises(TypeError, match="judge\\(\\) or judge_one\\(\\)"):

        class Nothing(Judge):  # noqa: F841
            pass

    class Short(Judge):
        def judge_one(self, prompt, response, metadata):
            from alignkit.judges.base import JudgeVerdict

            return JudgeVerdict.ok("") if len(response) < metadata.get("max", 5) else JudgeVerdict.violated("")

    assert [v.value for v in Short().judge(["", ""], ["abc", "abcdef"])] == [1, 0]  # metadata None: {} each
    assert [v.value for v in Short()(["", ""], ["abc", "abcdef"], [{"max": 2}, {"max": 9}])] == [0, 1]


def test_format_judge_reads_truncation_from_each_items_metadata():
    verdicts = FormatJudge()(["", ""], ["A full sentence.", "A full sentence."], [{}, {"finish_reason": "length"}])
    assert [v.value for v in verdicts] == [1, 0]
