"""Self-correction metrics of SCoRe (Kumar et al., arXiv 2409.12917, Section 3 and Table 3): pure functions.

A problem is attempted T times (default 2) by the same model; each attempt gets a binary verdict from the task's
judge: 1 right, 0 wrong, -1 the judge itself failed. For the first attempt ``t1`` and a later one ``t2``:

* ``Accuracy@t1``, ``Accuracy@t2``: the share of problems whose attempt is right;
* ``Δ(t1, t2) = Accuracy@t2 − Accuracy@t1``: the net gain from self-correction;
* ``Δ^{i→c}(t1, t2)``: the share of problems wrong at t1 and right at t2 (fixed);
* ``Δ^{c→i}(t1, t2)``: the share of problems right at t1 and wrong at t2 (broken);

so that ``Δ = Δ^{i→c} − Δ^{c→i}`` exactly. A problem where the judge failed on either attempt is left out of all
of them (neither right nor wrong) and counted in ``judge_failures``.

The **edit-distance ratio** between two attempts is the character-level Levenshtein distance divided by the
length of the longer one: 0 when attempt 2 copies attempt 1 (the collapse SCoRe's Stage I prevents), 1 when
they share nothing.

Standard errors are those of a mean over problems (sample standard deviation with ``ddof=1`` over √n, as
lm-evaluation-harness reports); Δ's is the paired one, from the per-problem differences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

RIGHT, WRONG, FAILED = 1, 0, -1


def _check(verdicts: Sequence[int], name: str) -> list[int]:
    out = [int(v) for v in verdicts]
    bad = [v for v in out if v not in (RIGHT, WRONG, FAILED)]
    if bad:
        raise ValueError(f"{name}: verdicts must be 1 (right), 0 (wrong) or -1 (judge failed), got {bad[0]!r}")
    return out


def _mean_se(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    se = float(arr.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return mean, se


@dataclass(frozen=True)
class SelfCorrectionMetrics:
    """Metrics of a set of (attempt 1, attempt 2) verdicts; rates are shares of the ``n`` judged problems."""

    n: int  # problems judged on both attempts
    judge_failures: int  # problems left out because a judge failed (-1) on an attempt
    accuracy_t1: float
    accuracy_t2: float
    delta: float  # Δ(t1, t2) = Acc@t2 − Acc@t1
    delta_i_to_c: float  # wrong → right
    delta_c_to_i: float  # right → wrong
    accuracy_t1_stderr: float
    accuracy_t2_stderr: float
    delta_stderr: float
    delta_i_to_c_stderr: float
    delta_c_to_i_stderr: float

    def as_dict(self, prefix: str = "") -> dict[str, float | int]:
        return {f"{prefix}{k}": v for k, v in asdict(self).items()}


def self_correction_metrics(first: Sequence[int], second: Sequence[int]) -> SelfCorrectionMetrics:
    """Acc@t1, Acc@t2, Δ, Δ^{i→c}, Δ^{c→i} and their standard errors from per-problem verdicts.

    ``first[i]`` and ``second[i]`` are the verdicts (1, 0, -1) of problem i's two attempts. With no problem
    judged on both attempts every rate is NaN (never 0: "nothing measured" is not "all wrong").
    """
    a, b = _check(first, "first"), _check(second, "second")
    if len(a) != len(b):
        raise ValueError(f"got {len(a)} first-attempt verdicts but {len(b)} second-attempt verdicts")
    kept = [(x, y) for x, y in zip(a, b, strict=True) if x != FAILED and y != FAILED]
    c1 = [float(x) for x, _ in kept]
    c2 = [float(y) for _, y in kept]
    i2c = [float(x == WRONG and y == RIGHT) for x, y in kept]
    c2i = [float(x == RIGHT and y == WRONG) for x, y in kept]
    diff = [y - x for x, y in zip(c1, c2, strict=True)]
    (acc1, se1), (acc2, se2) = _mean_se(c1), _mean_se(c2)
    (d, se_d), (ic, se_ic), (ci, se_ci) = _mean_se(diff), _mean_se(i2c), _mean_se(c2i)
    return SelfCorrectionMetrics(
        n=len(kept), judge_failures=len(a) - len(kept), accuracy_t1=acc1, accuracy_t2=acc2, delta=d,
        delta_i_to_c=ic, delta_c_to_i=ci, accuracy_t1_stderr=se1, accuracy_t2_stderr=se2, delta_stderr=se_d,
        delta_i_to_c_stderr=se_ic, delta_c_to_i_stderr=se_ci,
    )


def accuracy_per_attempt(verdicts: Sequence[Sequence[int]]) -> list[float]:
    """Accuracy@t for every attempt t; ``verdicts[i][t]`` is problem i's verdict at attempt t.

    Problems with a failed judge on any attempt are left out, so every Accuracy@t is over the same problems.
    """
    rows = [_check(row, f"problem {i}") for i, row in enumerate(verdicts)]
    if not rows:
        return []
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ValueError("every problem needs the same number of attempts")
    kept = [r for r in rows if FAILED not in r]
    if not kept:
        return [math.nan] * width
    return [sum(r[t] for r in kept) / len(kept) for t in range(width)]


def edit_distance(a: str | Sequence, b: str | Sequence) -> int:
    """Levenshtein distance (insertions, deletions, substitutions of one unit each) between two sequences.

    Row-by-row dynamic programming with the insertion step done as a running minimum, so that each row is a few
    numpy operations: O(len(a)·len(b)) work but fast enough for thousands of characters.
    """
    # A shared prefix or suffix costs nothing; strip it first (an exact copy costs no work at all).
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    a, b = a[start:end_a], b[start:end_b]
    if not a or not b:
        return max(len(a), len(b))
    codes: dict = {}
    xa = np.array([codes.setdefault(c, len(codes)) for c in a], dtype=np.int64)
    xb = np.array([codes.setdefault(c, len(codes)) for c in b], dtype=np.int64)
    cols = np.arange(len(xb) + 1, dtype=np.int64)
    row = cols.copy()
    for i, ca in enumerate(xa, start=1):
        sub = row[:-1] + (xb != ca)  # diagonal: substitute (or match)
        dele = row[1:] + 1  # from above: delete a[i]
        new = np.empty_like(row)
        new[0] = i
        new[1:] = np.minimum(sub, dele)
        # from the left: insert b[j]; new[j] = min_k≤j (new[k] + j − k) = j + cummin(new[k] − k)
        row = np.minimum.accumulate(new - cols) + cols
    return int(row[-1])


def edit_distance_ratio(a: str | Sequence, b: str | Sequence) -> float:
    """Levenshtein distance over the longer length: 0 identical (attempt 2 copied attempt 1), 1 nothing shared."""
    longest = max(len(a), len(b))
    return 0.0 if longest == 0 else edit_distance(a, b) / longest


def mean_edit_distance_ratio(first: Sequence[str], second: Sequence[str]) -> float:
    """Mean edit-distance ratio over pairs of attempts (NaN for no pairs): the collapse signal."""
    if len(first) != len(second):
        raise ValueError(f"got {len(first)} first attempts but {len(second)} second attempts")
    if not first:
        return math.nan
    return float(np.mean([edit_distance_ratio(x, y) for x, y in zip(first, second, strict=True)]))
