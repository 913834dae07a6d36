"""SCoRe's self-correction metrics on constructed outcomes covering c→c, c→i, i→c and i→i."""

from __future__ import annotations

import math
import random

import pytest

from alignkit.eval.self_correction_metrics import (
    accuracy_per_attempt,
    edit_distance,
    edit_distance_ratio,
    mean_edit_distance_ratio,
    self_correction_metrics,
)

# 3 × c→c, 1 × c→i, 2 × i→c, 4 × i→i, and one problem whose second judge failed (-1).
FIRST = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1]
SECOND = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0, -1]


def test_metrics_on_all_four_transitions() -> None:
    m = self_correction_metrics(FIRST, SECOND)
    assert m.n == 10 and m.judge_failures == 1
    assert m.accuracy_t1 == pytest.approx(0.4)  # 3 c→c + 1 c→i
    assert m.accuracy_t2 == pytest.approx(0.5)  # 3 c→c + 2 i→c
    assert m.delta == pytest.approx(0.1)
    assert m.delta_i_to_c == pytest.approx(0.2)
    assert m.delta_c_to_i == pytest.approx(0.1)
    # Hand-computed standard errors (ddof=1): Acc@t1: sqrt((4·0.36 + 6·0.16)/9 / 10);
    # Δ: per-problem differences (-1, +1, +1, seven 0) around 0.1: sqrt(2.9/9 / 10).
    assert m.accuracy_t1_stderr == pytest.approx(0.163299, abs=1e-6)
    assert m.delta_stderr == pytest.approx(0.179505, abs=1e-6)
    assert m.delta_c_to_i_stderr == pytest.approx(0.1, abs=1e-9)  # sqrt((0.81 + 9·0.01)/9/10)


def test_failed_judge_is_left_out_not_wrong() -> None:
    """A failed verdict must not count as a wrong answer (that would turn a c→? into c→i)."""
    m = self_correction_metrics([1, 1], [1, -1])
    assert m.n == 1 and m.judge_failures == 1
    assert m.delta_c_to_i == 0.0 and m.accuracy_t2 == 1.0


def test_nothing_judged_is_nan_not_zero() -> None:
    m = self_correction_metrics([-1], [1])
    assert m.n == 0 and math.isnan(m.accuracy_t1) and math.isnan(m.delta)


def test_bad_verdicts_and_lengths_are_rejected() -> None:
    with pytest.raises(ValueError, match="verdicts must be"):
        self_correction_metrics([2], [1])
    with pytest.raises(ValueError, match="1 first-attempt verdicts but 2"):
        self_correction_metrics([1], [1, 0])


def test_accuracy_per_attempt_uses_the_same_problems_for_every_attempt() -> None:
    assert accuracy_per_attempt([[0, 1, 1], [1, 1, 0], [1, -1, 1]]) == [0.5, 1.0, 0.5]


def _naive_levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_edit_distance_known_values_and_against_naive_dp() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("flaw", "lawn") == 2
    assert edit_distance("", "abc") == 3 and edit_distance("same", "same") == 0
    rng = random.Random(0)
    for _ in range(200):
        a = "".join(rng.choice("abc ") for _ in range(rng.randint(0, 30)))
        b = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 30)))
        assert edit_distance(a, b) == _naive_levenshtein(a, b), (a, b)


def test_edit_distance_ratio_marks_a_copy_as_zero() -> None:
    assert edit_distance_ratio("The answer is 4.", "The answer is 4.") == 0.0
    assert edit_distance_ratio("abc", "abd") == pytest.approx(1 / 3)
    assert edit_distance_ratio("abc", "xyz") == 1.0
    assert mean_edit_distance_ratio(["abc", "abc"], ["abc", "xyz"]) == pytest.approx(0.5)
