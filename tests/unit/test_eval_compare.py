"""Standard errors, the paired bootstrap and ``alignkit eval compare``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from alignkit.cli import app
from alignkit.eval.metrics import aggregate, paired_bootstrap, ratio_and_stderr


def test_stderr_is_the_usual_one_for_rates_and_the_ratio_one_for_instruction_level():
    values = [1, 0, 1, 1, 0, 1, 0, 0, 1, 1]
    r, se = ratio_and_stderr([(v, 1.0) for v in values])
    assert r == pytest.approx(0.6)
    assert se == pytest.approx(np.std(values, ddof=1) / math.sqrt(len(values)))
    # (followed, instructions) per prompt: the value is a share of all instructions, not a mean of shares
    pairs = [(1.0, 1.0), (0.0, 3.0), (2.0, 2.0)]
    assert aggregate({str(i): {"m": p} for i, p in enumerate(pairs)})["m"]["value"] == pytest.approx(3 / 6)


def test_paired_bootstrap_covers_a_known_difference():
    """B is A with some wrong answers fixed and fewer broken: the true difference is 0.10. Over repeated synthetic
    experiments the 95% interval covers 0.10 about 95% of the time and excludes 0 when the effect is clear."""
    rng = np.random.default_rng(1)
    n, true_diff, covered, excluded_zero = 400, 0.10, 0, 0
    trials = 120
    for t in range(trials):
        a = rng.random(n) < 0.5
        fix = (~a) & (rng.random(n) < 0.25)  # B fixes 25% of A's wrong answers (+0.125)
        brk = a & (rng.random(n) < 0.05)  # and breaks 5% of A's right ones (-0.025)
        b = (a | fix) & ~brk
        res = paired_bootstrap([(float(x), 1.0) for x in a], [(float(x), 1.0) for x in b], resamples=2000, seed=t)
        assert res["diff"] == pytest.approx(b.mean() - a.mean())
        covered += res["ci_low"] <= true_diff <= res["ci_high"]
        excluded_zero += res["ci_low"] > 0
    assert 0.88 <= covered / trials <= 0.99
    assert excluded_zero / trials > 0.95
    # pairing matters: the paired interval is much narrower than treating the runs as independent samples
    res = paired_bootstrap([(float(x), 1.0) for x in a], [(float(x), 1.0) for x in b], resamples=4000)
    unpaired_se = math.sqrt(a.var() / n + b.var() / n)
    assert (res["ci_high"] - res["ci_low"]) < 0.8 * (2 * 1.96 * unpaired_se)


def _run_dir(tmp_path: Path, name: str, correct: list[bool]) -> Path:
    from alignkit.eval.runner import results_document, run_task
    from alignkit.eval.tasks.gsm8k import GSM8K

    rows = [{"question": f"What is {i} + 1?", "answer": f"#### {i + 1}"} for i in range(len(correct))]
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    samples = tmp_path / f"{name}.jsonl"
    samples.write_text("".join(json.dumps({"id": f"gsm8k-test-{i:05d}",
                                           "response": f"The final answer is {i + 1 if ok else 0}."}) + "\n"
                               for i, ok in enumerate(correct)))
    out = tmp_path / name
    res = run_task(GSM8K(source=str(data)), out, samples_path=samples, show_progress=False)
    (out / "results.json").write_text(json.dumps(results_document({"gsm8k": res}, None, 0, 0.0)))
    return out


def test_compare_cli_flags_a_real_improvement_and_not_noise(tmp_path):
    rng = np.random.default_rng(0)
    a = list(rng.random(200) < 0.4)
    b = [x or (rng.random() < 0.4) for x in a]  # B keeps A's right answers and fixes ~40% of the rest
    run_a, run_b = _run_dir(tmp_path, "a", a), _run_dir(tmp_path, "b", b)
    from alignkit.eval.compare import compare, load_results

    rows = {r["metric"]: r for r in compare(load_results(run_a), load_results(run_b), resamples=2000)}
    strict = rows["exact_match_strict"]
    assert strict["diff"] == pytest.approx(np.mean(b) - np.mean(a)) and strict["n"] == 200
    assert strict["significant"] and strict["ci_low"] > 0
    same = {r["metric"]: r for r in compare(load_results(run_a), load_results(run_a), resamples=500)}
    assert same["exact_match_strict"]["diff"] == 0 and not same["exact_match_strict"]["significant"]
    out = CliRunner().invoke(app, ["eval", "compare", str(run_a), str(run_b), "--resamples", "1000"])
    assert out.exit_code == 0, out.output
    assert "exact_match_strict" in out.output and "yes" in out.output
    assert "Significant at 95%" in out.output and "gsm8k/exact_match_strict" in out.output.replace("\n", "")
    bad = CliRunner().invoke(app, ["eval", "compare", str(run_a)])
    assert bad.exit_code == 2 and "two run directories" in bad.output
    missing = CliRunner().invoke(app, ["eval", "compare", str(run_a), str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no results.json" in missing.output and "Traceback" not in missing.output
