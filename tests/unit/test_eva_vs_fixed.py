"""scripts/eva_vs_fixed.py: both arms get the same recipe but for the creator, and the per-iteration statistics
(mean, Student-t interval over seeds, the difference paired by seed)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "eva_vs_fixed.py"


def load_script():
    spec = importlib.util.spec_from_file_location("eva_vs_fixed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mean_and_interval_use_student_t():
    ev = load_script()
    m, half, n = ev.mean_ci([1.0, 2.0, 3.0])
    assert (m, n) == (pytest.approx(2.0), 3)
    assert half == pytest.approx(4.303 / math.sqrt(3), rel=1e-4)  # sample sd 1, t(0.975, 2 dof) = 4.303
    m, half, n = ev.mean_ci([0.5, None, 1.5, math.nan])  # unfinished iterations are left out, not zeros
    assert (m, n) == (pytest.approx(1.0), 2) and half == pytest.approx(12.706 * math.sqrt(0.5) / math.sqrt(2))
    assert ev.mean_ci([4.0]) == (4.0, None, 1)
    assert ev.mean_ci([]) == (None, None, 0)


def _arm(values):
    return {"heldout/reward_after": values}


def test_table_pairs_the_difference_by_seed():
    ev = load_script()
    result = {
        "iterations": 1,
        "arms": {"evolved": {"0": _arm([1.0, 3.0]), "1": _arm([2.0, 2.5]), "2": _arm([0.0, 1.0])},
                 "fixed": {"0": _arm([1.0, 2.0]), "1": _arm([2.0, 3.0]), "2": _arm([0.0, 0.0])}},
        "difference": {"0": [0.0, 1.0], "1": [0.0, -0.5], "2": [0.0, 1.0]},
    }
    table = ev.per_iteration_table(result)
    assert [row["iteration"] for row in table] == [0, 1]
    assert table[1]["evolved"]["mean"] == pytest.approx(6.5 / 3)
    assert table[1]["fixed"]["mean"] == pytest.approx(5.0 / 3)
    d = table[1]["difference"]
    sd = math.sqrt(((1 - 0.5) ** 2 * 2 + (-0.5 - 0.5) ** 2) / 2)
    assert d["mean"] == pytest.approx(0.5) and d["ci95"] == pytest.approx(4.303 * sd / math.sqrt(3), rel=1e-4)
    assert d["evolved_ahead"] == 2 and d["n"] == 3
    assert table[0]["difference"]["evolved_ahead"] == 0 and table[0]["difference"]["ci95"] == 0.0
    md = ev.markdown_table(table)
    assert md.splitlines()[3].startswith("| 1 | +2.167 ± ") and md.splitlines()[3].endswith("| 2/3 |")


def test_both_arms_differ_only_in_the_creator(monkeypatch, tmp_path):
    from omegaconf import OmegaConf

    from alignkit.trainers import eva

    ev = load_script()
    seen = {}
    monkeypatch.setattr(eva, "run", lambda cfg, run_dir, **kw: seen.setdefault(Path(run_dir).name, cfg))
    args = ev.parse_args(["--recipe", "math", "--iterations", "3", "--steps", "5", "--prompts", "12",
                          "--heldout", "6", "--model", "tiny", "solver.beta=0.2"])
    for arm in ev.ARMS:
        ev.run_arm(args, arm, 7, None, tmp_path)
    a, b = (OmegaConf.to_container(OmegaConf.structured(seen[f"{arm}-seed7"])) for arm in ("evolved", "fixed"))
    assert a["creator"].pop("enabled") is True and b["creator"].pop("enabled") is False
    a.pop("output_dir"), b.pop("output_dir")
    assert a == b  # same reward, seed, data, solver updates, model
    assert (a["iterations"], a["seed"], a["solver"]["max_steps"], a["solver"]["beta"]) == (3, 7, 5, 0.2)
    assert (a["data"]["limit"], a["heldout"]["limit"]) == (12, 6)


def test_arms_and_no_run_choose_what_trains(monkeypatch, tmp_path):
    from alignkit.trainers import eva

    ev = load_script()
    trained = []
    monkeypatch.setattr(eva, "run", lambda cfg, run_dir, **kw: trained.append(Path(run_dir).name))
    common = ["--recipe", "math", "--iterations", "1", "--seeds", "3", "--model", "tiny", "--out", str(tmp_path)]
    assert ev.main([*common, "--arms", "fixed"]) == 0
    assert trained == ["fixed-seed3"]
    assert ev.main([*common, "--no-run"]) == 0
    assert trained == ["fixed-seed3"]  # nothing more trained
    assert (tmp_path / "eva_vs_fixed.json").is_file() and (tmp_path / "eva_vs_fixed.png").is_file()
