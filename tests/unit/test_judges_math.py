"""The math judge: answer extraction and math-verify comparison in worker processes."""

from __future__ import annotations

import pytest

from alignkit.judges.math import MathJudge, extract_final_answer


@pytest.fixture(scope="module")
def judge():
    with MathJudge(num_workers=1, timeout_s=10.0) as j:
        yield j


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Adding them gives 42. The final answer is 42.", "42"),
        ("Final Answer: The final answer is $\\frac{1}{2}$. I hope it is correct.", "\\frac{1}{2}"),
        ("The final answer is: 3.5.", "3.5"),
        ("**The final answer is 42**", "42"),
        ("The final answer is \\boxed{\\frac{3}{4}}.", "\\frac{3}{4}"),
        ("So we get \\boxed{7}", "7"),
        ("Work...\n#### 1,000", "1,000"),
        ("First the final answer is 3. Wait, that is wrong: \\boxed{4}", "4"),  # the last stated answer wins
        ("The answer is 42.", None),  # not one of the required formats
        ("The final answer is", None),  # truncated
        ("The final answer is \\boxed{12", None),  # unclosed box
        ("", None),
    ],
)
def test_extract_final_answer(text, expected):
    assert extract_final_answer(text) == expected


def test_extract_respects_allowed_formats():
    assert extract_final_answer("\\boxed{5}", formats=["final_answer"]) is None
    with pytest.raises(ValueError):
        extract_final_answer("x", formats=["latex"])


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("The final answer is 42.", "42", 1),
        ("The final answer is 0.5.", "1/2", 1),  # equal values, different forms
        ("The final answer is $\\frac{2}{4}$.", "\\frac{1}{2}", 1),
        ("Thus \\boxed{2\\sqrt{2}}", "\\sqrt{8}", 1),
        ("The final answer is 12 dollars.", "12", 1),
        ("#### 1,000", "1000", 1),
        ("The final answer is 41.", "42", 0),
        ("The final answer is 420.", "42", 0),  # looks right, is not
        ("The final answer is 42 or 43.", "42", 0),  # hedging is not an answer
        ("The final answer is not 42.", "42", 0),
        ("I am quite sure it is 42.", "42", 0),  # right number, wrong format
        ("The final answer is", "42", 0),  # truncated
        ("", "42", 0),
        ("The final answer is banana.", "42", 0),  # malformed
    ],
)
def test_math_judge_verdicts(judge, response, gold, expected):
    verdict = judge(["q"], [response], [{"answer": gold}])[0]
    assert verdict.value == expected, verdict
    assert verdict.score == float(expected)


def test_math_judge_batch_keeps_order(judge):
    responses = [f"The final answer is {i}." for i in range(20)]
    golds = [str(i if i % 3 else i + 1) for i in range(20)]
    verdicts = judge(["q"] * 20, responses, [{"answer": g} for g in golds])
    assert [v.value for v in verdicts] == [0 if i % 3 == 0 else 1 for i in range(20)]


def test_math_judge_fails_on_missing_or_unparsable_gold(judge):
    verdicts = judge(
        ["q"] * 3, ["The final answer is 1."] * 3, [{}, {"answer": "   "}, {"answer": "\\frac{"}]
    )
    assert [v.value for v in verdicts] == [-1, -1, -1]
    assert "no 'answer'" in verdicts[0].reason
    assert "gold" in verdicts[2].reason


def test_math_judge_timeout_is_a_failure():
    # Comparing an integral takes sympy ~0.4 s; with a 0.05 s limit the item fails (-1) rather than pass.
    with MathJudge(num_workers=1, timeout_s=0.05) as j:
        j.pool.start()
        verdict = j(["q"], ["The final answer is $\\int_0^1 x^2 dx$."], [{"answer": "1/3"}])[0]
    assert verdict.value == -1
    assert "timed out" in verdict.reason
