"""The code judge: code extraction and unit tests run in the sandbox."""

from __future__ import annotations

import pytest

from alignkit.judges.code import CodeJudge, is_sandbox_failure
from alignkit.rewards import CodePassFraction
from alignkit.sandbox import Verdict

META = {
    "entry_point": "add",
    "tests": ["assert add(1, 2) == 3", "assert add(-1, 1) == 0", "assert add(0, 0) == 0"],
    "setup": "",
}
GOOD = "Here you go:\n```python\ndef add(a, b):\n    return a + b\n```\nThis adds two numbers."


@pytest.fixture(scope="module")
def judge():
    with CodeJudge(timeout_s=1.0, max_workers=2) as j:
        yield j


CASES = [
    (GOOD, 1, "passed 3/3"),
    ("def add(a, b):\n    return a + b\n", 1, "passed"),  # raw code, no fence
    ("Sure! Here it is:\ndef add(a, b):\n    return a + b", 1, "passed"),  # prose line, then raw code
    ("```python\ndef add(a, b):\n    return a - b\n```", 0, "failed"),
    ("```python\ndef add(a, b):\n    return 0\n```", 0, "failed (0/3"),  # only looks right: passes two of three,
    # but the judge stops at the first failing test
    ("```python\ndef add(a, b)\n    return a + b\n```", 0, "error"),  # malformed (syntax error)
    ("```python\ndef add(a, b):\n    return a +", 0, "error"),  # truncated generation
    ("```python\ndef plus(a, b):\n    return a + b\n```", 0, "0/3"),  # wrong function name
    ("```python\ndef add(a, b):\n    while True:\n        pass\n```", 0, "timeout"),
    ("I'm sorry, I can only describe the idea: add the two numbers.", 0, ""),
    ("", 0, "no code"),
]


@pytest.mark.parametrize(("response", "expected", "why"), CASES)
def test_code_judge_verdicts(judge, response, expected, why):
    verdict = judge(["Write add(a, b)."], [response], [META])[0]
    assert verdict.value == expected, verdict
    assert why in verdict.reason


def test_code_judge_batch_scores_are_pass_fractions_with_all_results():
    responses = [GOOD, "```python\ndef add(a, b):\n    return 0\n```", "no code here"]
    with CodeJudge(timeout_s=1.0, max_workers=2, all_results=True) as every:
        verdicts = every(["p"] * 3, responses, [META] * 3)
    assert [v.value for v in verdicts] == [1, 0, 0]
    assert verdicts[0].score == 1.0 and verdicts[1].score == pytest.approx(2 / 3)
    assert "2/3" in verdicts[1].reason


def test_code_judge_stops_at_the_first_failing_test(judge):
    # add(1, 2) fails first; the two later tests would pass, but are not run: the score is 0, not 2/3
    verdict = judge(["p"], ["```python\ndef add(a, b):\n    return 0\n```"], [META])[0]
    assert verdict.value == 0 and verdict.score == 0.0
    assert "0/3 tests passed" in verdict.reason and "test 0" in verdict.reason


def test_code_judge_missing_tests_is_a_failure(judge):
    verdicts = judge(["p", "p"], [GOOD, GOOD], [{}, {"entry_point": "add", "tests": []}])
    assert [v.value for v in verdicts] == [-1, -1]


class BrokenSandbox:
    def __init__(self, raise_error: bool = False) -> None:
        self.raise_error = raise_error

    def map(self, jobs):
        if self.raise_error:
            raise OSError("cannot create namespace")
        return [Verdict("error", 0, 3, "sandbox unavailable: PermissionError") for _ in jobs]

    def close(self):
        pass


def test_sandbox_failures_are_judge_failures_not_violations():
    verdicts = CodeJudge(executor=BrokenSandbox())(["p"], [GOOD], [META])
    assert verdicts[0].value == -1 and "sandbox" in verdicts[0].reason
    verdicts = CodeJudge(executor=BrokenSandbox(raise_error=True))(["p", "p"], [GOOD, GOOD], [META, META])
    assert [v.value for v in verdicts] == [-1, -1]
    assert is_sandbox_failure("internal sandbox error: the trusted runner crashed")
    assert not is_sandbox_failure("the program failed to load: SyntaxError")


def test_code_pass_fraction_reward(judge):
    reward = CodePassFraction(executor=judge.executor)
    out = reward(["p"] * 3, [GOOD, "```python\ndef add(a, b):\n    return 0\n```", ""], [META] * 3)
    assert out == pytest.approx([1.0, 2 / 3, 0.0])


def test_judge_and_reward_share_one_pool_by_default():
    """The code judge and the code reward of one process run on one pool (it is reference-counted: it
    stops when the last of them closes); an explicit executor is used as given and left running."""
    # memory_mb=768: pool settings of their own, so the module's judge fixture is not a third user
    judge = CodeJudge(timeout_s=1.0, max_workers=2, memory_mb=768)
    reward = CodePassFraction(timeout_s=2.0, max_workers=2, memory_mb=768)  # own time limit, same pool
    try:
        assert judge(["p"], [GOOD], [META])[0].value == 1
        assert reward(["p"], [GOOD], [META]) == [1.0]
        pool = judge.executor.pool
        assert reward.judge.executor.pool is pool
        assert judge.executor.timeout_s == 1.0 and reward.judge.executor.timeout_s == 2.0
        judge.close()
        assert not pool._closed  # the reward still holds it
        assert reward(["p"], [GOOD], [META]) == [1.0]
    finally:
        judge.close()
        reward.close()
    assert pool._closed
    private = CodeJudge(timeout_s=1.0, max_workers=1, share_executor=False)
    try:
        assert private(["p"], [GOOD], [META])[0].value == 1
        assert private.executor is not pool and not hasattr(private.executor, "pool")
        explicit = CodeJudge(executor=private.executor)
        assert explicit(["p"], [GOOD], [META])[0].value == 1
        explicit.close()
        assert not private.executor._closed
    finally:
        private.close()


def test_shared_pool_handle_works_in_a_forked_child():
    import os

    from alignkit.sandbox import shared_executor

    with shared_executor(max_workers=1, timeout_s=1.0) as handle:
        assert handle.check_function("def add(a, b):\n    return a + b\n", META["tests"], "add").passed
        pid = os.fork()
        if pid == 0:  # the child gets a pool of its own through the same handle
            code = 1
            try:
                v = handle.check_function("def add(a, b):\n    return a + b\n", META["tests"], "add")
                code = 0 if v.passed and handle.pool is not None else 2
                handle.close()
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        assert handle.check_function("def add(a, b):\n    return a - b\n", META["tests"], "add").status == "failed"


def test_shared_pool_closed_under_a_handle_is_replaced():
    from alignkit.sandbox import shared_executor

    a = shared_executor(max_workers=1, timeout_s=1.0, memory_mb=640)
    b = shared_executor(max_workers=1, timeout_s=1.0, memory_mb=640)
    try:
        assert a.pool is b.pool
        a.pool.close()  # e.g. closed at exit, or by hand
        assert a.check_function("def add(a, b):\n    return a + b\n", META["tests"], "add").passed
        assert b.pool is a.pool and not a.pool._closed
    finally:
        a.close()
        b.close()
    assert a._pool._closed
