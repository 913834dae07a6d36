"""scripts/reward_hacking.py: the --quick pipeline (both experiments, both variants from the same start, several
seeds, aggregated with confidence intervals) and its statistics."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "reward_hacking.py"


def load_script():
    spec = importlib.util.spec_from_file_location("reward_hacking", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mean_and_confidence_interval_use_student_t():
    rh = load_script()
    mean, half = rh.mean_ci([1.0, 2.0, 3.0])
    assert mean == pytest.approx(2.0)
    assert half == pytest.approx(4.303 * 1.0 / math.sqrt(3), rel=1e-4)  # sample sd 1, t(0.975, 2 dof) = 4.303
    assert rh.mean_ci([5.0, math.nan]) == (5.0, 0.0)  # NaN (no decided verdict) is left out, not a zero
    assert all(math.isnan(x) for x in rh.mean_ci([]))


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("rh")
    assert load_script().main(["--quick", "--out", str(out)]) == 0
    return out, json.loads((out / "reward_hacking.json").read_text())


def test_quick_runs_both_experiments_and_variants_for_every_seed(quick):
    out, table = quick
    assert table["complete"] is True  # (written after every run with complete=false, so a cut run keeps its data)
    runs = table["runs"]
    assert sorted((r["experiment"], r["variant"], r["seed"]) for r in runs) == sorted(
        (e, v, s) for e in ("coding", "chat") for v in ("judges", "no_judges") for s in (0, 1))
    for r in runs:
        assert [row["step"] for row in r["eval"]] == [0, 1, 2]
        assert r["eval"][0] == {"step": 0, **table["start"][r["experiment"]]}  # every run starts from the same point
    # The variants differ by the judges only: the judged runs log their judges' verdicts, the others have none.
    for r in runs:
        keys = set(r["train"][0])
        judged = {"coding": "coding/judge/code/violation_rate",
                  "chat": "chat_harmful/judge/llm_safety/violation_rate"}[r["experiment"]]
        assert (judged in keys) == (r["variant"] == "judges"), (r["experiment"], r["variant"])
    for exp in ("coding", "chat"):
        for var in ("judges", "no_judges"):
            assert [n for *_, n in table["aggregate"][exp][var]["rm_score"]] == [2, 2, 2]  # two seeds per step
    assert (out / "reward_hacking.png").stat().st_size > 10_000
    assert "| judges | 2 |" in (out / "reward_hacking.md").read_text()
