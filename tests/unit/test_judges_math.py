"""The math judge: answer extraction and math-verify comparison in worker processes."""

from __future__ import annotations

import pytest

from alignkit.judges.math import MathJudge, extract_final_answer, normalize_answer


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


# ---------------------------------------------------------------------------- written forms of numbers
@pytest.mark.parametrize(
    ("answer", "normalized"),
    [
        ("€7.25", "7.25"),  # currency sign before
        ("\\$3,450", "3450"),  # escaped LaTeX dollar and a thousands separator
        ("-£40", "-40"),
        ("99 USD", "99"),  # currency code after
        ("$2,000 a year", "2,000 a year"),  # the unit suffix is the worker's to drop
        ("7 654 321", "7654321"),  # space-grouped thousands
        ("12{,}600", "12600"),  # LaTeX-grouped thousands
        ("4.5E-2", "4.5\\times10^{-2}"),
        ("3 x 10^5", "3\\times10^{5}"),
        ("thirty-seven", "37"),
        ("One thousand two hundred and six", "1206"),
        ("negative eleven", "-11"),
        ("four and a half", "4.5"),
        ("sixty marbles", "60 marbles"),
        ("three quarters", "\\frac{3}{4}"),
        ("a half", "\\frac{1}{2}"),
        ("2.5 million", "2500000"),
        ("45 percent", "45%"),
        ("3 3/4", "\\frac{15}{4}"),
        ("-1 and 2/3", "-\\frac{5}{3}"),
        # left alone: not one written number
        ("seven eight", "seven eight"),  # two numbers, not one
        ("hundred", "hundred"),  # no count before the scale word
        ("3 5/4", "3 5/4"),  # an improper fraction after a whole number is not a mixed number
        ("$x+1$", "$x+1$"),  # inline math, not money
        ("1,23", "1,23"),  # not a thousands group
        ("someone", "someone"),  # "one" inside a word
    ],
)
def test_normalize_answer(answer, normalized):
    assert normalize_answer(answer) == normalized


def test_a_leading_dollar_before_a_number_is_money_not_math():
    assert extract_final_answer("The final answer is $8.75 per ticket.") == "$8.75 per ticket"
    assert extract_final_answer("The final answer is $8.75$.") == "8.75"
    assert extract_final_answer("The final answer is $2+3$.") == "2+3"


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        # equivalent written forms are right ...
        ("The final answer is €7.25.", "7.25", 1),
        ("The final answer is $8.75 per ticket.", "8.75", 1),
        ("The final answer is \\$3,450.", "3450", 1),
        ("The final answer is 4.5E-2.", "0.045", 1),
        ("The final answer is 2.5 x 10^4.", "25000", 1),
        ("The final answer is thirty-seven.", "37", 1),
        ("The final answer is one thousand two hundred.", "1200", 1),
        ("The final answer is nine apples.", "9", 1),
        ("The final answer is 3 3/4.", "3.75", 1),
        ("\\boxed{-1 1/3}", "-4/3", 1),
        ("#### 7 654 321", "7654321", 1),
        # ... and wrong ones stay wrong
        ("The final answer is €7.52.", "7.25", 0),
        ("The final answer is 4.5e-3.", "0.045", 0),
        ("The final answer is thirty-six.", "37", 0),
        ("The final answer is 3 1/4.", "3.75", 0),
        ("The final answer is 3 3/4.", "0.75", 0),  # a mixed number, not its fraction part
        ("The final answer is 3 3/4.", "2.25", 0),  # nor a product
        ("The final answer is seventeen or eighteen.", "17", 0),  # hedging in words is still hedging
        ("The final answer is $12 or $13.", "12", 0),
        ("The final answer is ten five.", "15", 0),
        ("The final answer is three quarters.", "3", 0),  # a fraction in words is not its numerator
        ("The final answer is 3 quarters of the pie.", "3", 0),
        ("The final answer is 2.5 million.", "2.5", 0),  # nor is a scaled number its mantissa
        ("The final answer is 2.5 million.", "2500000", 1),
        ("The final answer is two thirds.", "2/3", 1),
    ],
)
def test_math_judge_reads_written_forms_of_numbers(judge, response, gold, expected):
    verdict = judge(["q"], [response], [{"answer": gold}])[0]
    assert verdict.value == expected, verdict
