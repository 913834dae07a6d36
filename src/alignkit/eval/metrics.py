"""Aggregating per-problem metrics: values, standard errors, and the paired bootstrap of ``eval compare``.

Every metric of a problem is a pair ``(numerator, denominator)``: a per-problem rate is ``(rate, 1)``, an
instruction-level accuracy is ``(instructions followed, instructions)``. The task's value is the ratio of the
sums over problems. Its standard error treats problems as the sampling units (the ratio estimator's linearised
variance); with denominators of 1 it is the familiar ``std(values, ddof=1) / sqrt(N)`` that lm-eval reports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

Pair = tuple[float, float]


def ratio_and_stderr(pairs: Sequence[Pair]) -> tuple[float, float | None]:
    """``sum(num) / sum(den)`` and its standard error over the problems (``None`` with fewer than 2)."""
    n = len(pairs)
    total_den = sum(d for _, d in pairs)
    if n == 0 or total_den == 0:
        return float("nan"), None
    r = sum(x for x, _ in pairs) / total_den
    if n < 2:
        return r, None
    mean_den = total_den / n
    resid = sum((x - r * d) ** 2 for x, d in pairs)
    return r, math.sqrt(resid / (n * (n - 1))) / mean_den


def aggregate(items: Mapping[str, Mapping[str, Pair]]) -> dict[str, dict[str, float | int | None]]:
    """``{metric: {"value", "stderr", "n"}}`` from ``{problem id: {metric: (num, den)}}``."""
    names: list[str] = []
    for metrics in items.values():
        for m in metrics:
            if m not in names:
                names.append(m)
    out: dict[str, dict[str, float | int | None]] = {}
    for m in names:
        pairs = [tuple(metrics[m]) for metrics in items.values() if m in metrics]
        value, stderr = ratio_and_stderr(pairs)  # type: ignore[arg-type]
        out[m] = {"value": value, "stderr": stderr, "n": len(pairs)}
    return out


def paired_bootstrap(a: Sequence[Pair], b: Sequence[Pair], *, resamples: int = 10_000, seed: int = 0,
                     confidence: float = 0.95) -> dict[str, float]:
    """Difference ``B - A`` of the two ratios on the same problems, with a percentile bootstrap interval.

    ``a[i]`` and ``b[i]`` are the same problem scored in two runs; each resample draws problems with
    replacement and keeps the pairing, so the problem-to-problem variation common to both runs cancels.
    """
    import numpy as np

    if len(a) != len(b) or not a:
        raise ValueError("paired bootstrap needs the same non-zero number of problems in both runs")
    an, ad = np.array([x for x, _ in a], float), np.array([d for _, d in a], float)
    bn, bd = np.array([x for x, _ in b], float), np.array([d for _, d in b], float)
    diff = bn.sum() / bd.sum() - an.sum() / ad.sum()
    rng = np.random.default_rng(seed)
    n = len(a)
    deltas = np.empty(resamples)
    chunk = max(1, min(resamples, 2_000_000 // max(n, 1)))
    for start in range(0, resamples, chunk):
        idx = rng.integers(0, n, size=(min(chunk, resamples - start), n))
        with np.errstate(invalid="ignore", divide="ignore"):
            deltas[start:start + len(idx)] = bn[idx].sum(1) / bd[idx].sum(1) - an[idx].sum(1) / ad[idx].sum(1)
    deltas = deltas[np.isfinite(deltas)]
    alpha = (1.0 - confidence) / 2
    lo, hi = np.quantile(deltas, [alpha, 1.0 - alpha])
    # two-sided bootstrap p-value: how often the resampled difference falls on the other side of zero
    p = 2 * min((deltas <= 0).mean(), (deltas >= 0).mean())
    return {"diff": float(diff), "ci_low": float(lo), "ci_high": float(hi), "p_value": float(min(1.0, p)),
            "n": n}
