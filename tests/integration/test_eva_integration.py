"""`alignkit eva-evolve` end to end on `tiny`: the run directory, resume after a finished and after an interrupted
iteration (each must give what the uninterrupted run gives), and the datasets-loadable prompt sets."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from safetensors.torch import load_file

import alignkit.trainers.eva as eva
from alignkit.config import compose_recipe

# Five full tiny runs of the loop (about 2 CPU-minutes; much longer on a busy machine).
pytestmark = pytest.mark.slow

TINY = [
    "model=tiny", "model.device=cpu", "data.limit=6", "heldout.limit=2", "creator.num_samples=2",
    "solver.num_samples=2", "creator.num_variants=2", "creator.sample_fraction=0.5", "creator.min_set_size=4",
    "generation.max_new_tokens=8", "creator.evolver.max_new_tokens=24", "solver.max_steps=2",
    "solver.per_device_train_batch_size=2", "solver.learning_rate=1e-3", "generation.batch_size=32",
]


def length_reward(prompts, completions, metadata=None, **kw):
    """A deterministic reward that separates tiny's random answers: their length in characters."""
    return [float(len(c)) for c in completions]


class Counter:
    calls = 0


@pytest.fixture(autouse=True)
def _patch(monkeypatch):
    monkeypatch.setattr(eva, "build_reward", lambda spec, key="reward": length_reward)
    from alignkit.trainers import eva_creator

    real = eva_creator.ModelEvolver.complete

    def counting(self, instructions):
        Counter.calls += len(instructions)
        return real(self, instructions)

    monkeypatch.setattr(eva_creator.ModelEvolver, "complete", counting)


def _cfg(run_dir: Path, *extra: str):
    cfg = compose_recipe("eva-evolve", "eva_evolve", "default", [*TINY, *extra], eva.EvaRecipe)
    cfg.output_dir = str(run_dir)
    return cfg


def _run(run_dir: Path, *extra: str, callbacks=()):
    import torch

    torch.manual_seed(0)
    return eva.run(_cfg(run_dir, *extra), run_dir, resume_from=None, phase_callbacks=callbacks)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _weights(run_dir: Path, t: int) -> dict:
    return load_file(str(run_dir / "checkpoints" / f"checkpoint-{t}" / "model.safetensors"))


def _same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(bool((a[k] == b[k]).all()) for k in a)


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """An uninterrupted 2-iteration run."""
    mp = pytest.MonkeyPatch()
    mp.setattr(eva, "build_reward", lambda spec, key="reward": length_reward)
    run_dir = tmp_path_factory.mktemp("eva") / "uninterrupted"
    try:
        summary = _run(run_dir, "iterations=2")
    finally:
        mp.undo()
    return run_dir, summary


def test_run_directory_keeps_every_iteration(reference_run):
    import datasets

    from alignkit.data import load_prompts

    run_dir, summary = reference_run
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [0, 1, 2]
    for t in (1, 2):
        it = run_dir / "iterations" / f"iter-{t:03d}"
        for name in ("estimate.jsonl", "sampled.jsonl", "children.jsonl", "dropped.jsonl", "prompts.jsonl",
                     "responses.jsonl", "pairs.jsonl", "heldout.jsonl", "metrics.json"):
            assert (it / name).is_file(), name
        m = json.loads((it / "metrics.json").read_text())
        children = [json.loads(line) for line in (it / "children.jsonl").read_text().splitlines()]
        assert m["creator/n_variants"] == len(children) == 2 * m["creator/n_sampled"]
        dropped = sum(v for k, v in m.items() if k.startswith("creator/dropped/"))
        assert dropped == sum(c["status"] == "dropped" for c in children) == len(children) - m["creator/n_kept"]
        assert all(c["parent_id"] and c["operator"] for c in children)
        # the estimate's informativeness is the gap of its rewards
        for row in map(json.loads, (it / "estimate.jsonl").read_text().splitlines()):
            assert row["informativeness"] == pytest.approx(max(row["rewards"]) - min(row["rewards"]))
        pairs = [json.loads(line) for line in (it / "pairs.jsonl").read_text().splitlines()]
        assert len(pairs) == m["solver/n_pairs"] > 0
        assert all(p["chosen_reward"] > p["rejected_reward"] and len(p["chosen"]) > len(p["rejected"]) for p in pairs)
        ds = datasets.load_dataset("json", data_files=str(it / "prompts.jsonl"), split="train")
        assert len(ds) == m["set/n"] and {"id", "prompt", "metadata", "parent_id", "operator", "origin"} <= set(
            ds.column_names)
        assert len(load_prompts(str(it / "prompts.jsonl"))) == len(ds)
        assert m["heldout/reward_before"] == json.loads(
            (run_dir / "iterations" / f"iter-{t - 1:03d}" / "metrics.json").read_text())["heldout/reward_after"]
    assert not _same_weights(_weights(run_dir, 1), _weights(run_dir, 2))  # the solver trained
    assert summary["iterations"] == 2


def test_resume_after_a_finished_iteration(reference_run, tmp_path):
    run_dir = tmp_path / "resumed"
    _run(run_dir, "iterations=1")
    first = {p.name: _digest(p) for p in (run_dir / "iterations" / "iter-001").glob("*.jsonl")}
    Counter.calls = 0
    _run(run_dir, "iterations=2")  # same directory: continues at iteration 2
    assert {p.name: _digest(p) for p in (run_dir / "iterations" / "iter-001").glob("*.jsonl")} == first
    assert Counter.calls > 0  # iteration 2's creator ran
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [0, 1, 2]
    ref_dir, _ = reference_run
    # Iteration 2 started from π_1 with the same seeds: it made what the uninterrupted run made.
    for name in ("estimate.jsonl", "children.jsonl", "pairs.jsonl"):
        assert _digest(run_dir / "iterations" / "iter-002" / name) == _digest(
            ref_dir / "iterations" / "iter-002" / name), name
    assert _same_weights(_weights(run_dir, 2), _weights(ref_dir, 2))


class Killed(Exception):
    pass


def test_resume_after_an_interrupted_iteration(reference_run, tmp_path):
    run_dir = tmp_path / "killed"

    def kill(loop, t, phase):
        if (t, phase) == (2, "pairs"):
            raise Killed

    with pytest.raises(Killed):
        _run(run_dir, "iterations=2", callbacks=[kill])
    state = json.loads((run_dir / "iterations" / "iter-002" / "state.json").read_text())
    assert set(state["phases"]) == {"estimate", "creator", "pairs"} and not state["done"]
    made = {n: _digest(run_dir / "iterations" / "iter-002" / n) for n in ("children.jsonl", "pairs.jsonl")}
    Counter.calls = 0
    _run(run_dir, "iterations=2")
    assert Counter.calls == 0  # the finished creator phase was not redone
    assert {n: _digest(run_dir / "iterations" / "iter-002" / n) for n in made} == made
    ref_dir, _ = reference_run
    assert _same_weights(_weights(run_dir, 2), _weights(ref_dir, 2))
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [0, 1, 2]


def test_fixed_baseline_trains_on_the_initial_set_every_iteration(tmp_path):
    run_dir = tmp_path / "fixed"
    Counter.calls = 0
    _run(run_dir, "iterations=2", "creator.enabled=false")
    assert Counter.calls == 0
    initial = (run_dir / "iterations" / "iter-000" / "prompts.jsonl").read_text()
    for t in (1, 2):
        assert (run_dir / "iterations" / f"iter-{t:03d}" / "prompts.jsonl").read_text() == initial
        assert not (run_dir / "iterations" / f"iter-{t:03d}" / "estimate.jsonl").exists()


def _metrics(run_dir: Path, t: int) -> dict:
    return json.loads((run_dir / "iterations" / f"iter-{t:03d}" / "metrics.json").read_text())


LORA = ["model.lora.r=4", "model.lora.alpha=8", "model.lora.dropout=0.0", "solver.learning_rate=1e-2"]


def test_lora_reference_is_the_previous_policy_or_the_initial_one(tmp_path):
    # DPO's implicit reward margin on the first batch of an iteration is exactly 0 when π_ref is the policy the
    # iteration starts from (π_{t-1}), and not 0 when π_ref is π_0 and iteration 1 moved the policy.
    prev = tmp_path / "previous"
    _run(prev, "iterations=1", *LORA)
    _run(prev, "iterations=2", *LORA, "solver.max_steps=1")  # resumes: loads the LoRA checkpoint of iteration 1
    assert (prev / "checkpoints" / "checkpoint-2" / "adapter_model.safetensors").is_file()
    assert abs(_metrics(prev, 2)["solver/last_rewards_margins"]) < 1e-6
    init = tmp_path / "initial"
    _run(init, "iterations=1", *LORA, "solver.reference=initial")
    _run(init, "iterations=2", *LORA, "solver.reference=initial", "solver.max_steps=1")
    assert abs(_metrics(init, 2)["solver/last_rewards_margins"]) > 1e-5
    # both started iteration 2 from the same π_1 (same seeds, same first iteration up to the reference)
    assert _metrics(prev, 1)["solver/n_pairs"] == _metrics(init, 1)["solver/n_pairs"]


def test_simpo_solver_in_the_loop(tmp_path):
    from alignkit.models import build_tiny

    run_dir = tmp_path / "simpo"
    _run(run_dir, "iterations=1", "solver.loss=simpo", "solver.beta=2.0", "solver.simpo_gamma=0.5")
    m = _metrics(run_dir, 1)
    assert m["solver/steps"] == 2 and m["solver/n_pairs"] > 0
    initial = {k: v for k, v in build_tiny().state_dict().items()}
    trained = _weights(run_dir, 1)
    assert any(not bool((trained[k] == initial[k]).all()) for k in trained if k in initial)


def test_eval_tasks_run_on_the_initial_policy_and_after_every_iteration(tmp_path, monkeypatch):
    """`eval.tasks` (the option every trainer has) scores π_0 and each π_t, logged as eval/<task>/<metric>."""
    import alignkit.eval.during_training as during

    real = during.evaluate
    seen: list[float] = []

    def spy(model, *args, **kwargs):
        seen.append(float(sum(p.detach().double().sum() for p in model.parameters())))  # which policy it scored
        return real(model, *args, **kwargs)

    monkeypatch.setattr(during, "evaluate", spy)
    run_dir = tmp_path / "with-eval"
    _run(run_dir, "iterations=1", "eval.tasks=[gsm8k]", "eval.limit=2", "eval.max_new_tokens=4")
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [0, 1]
    for row in rows:
        assert {"eval/gsm8k/exact_match_strict", "eval/gsm8k/exact_match_flexible"} <= set(row), sorted(row)
    assert len(seen) == 2 and seen[0] != seen[1]  # the second evaluation saw the trained π_1, not π_0


def test_bad_eval_settings_are_refused_by_name(tmp_path):
    from alignkit.errors import ConfigError

    with pytest.raises(ConfigError, match="eval.every"):
        eva.EvaRecipe.check(_cfg(tmp_path, "eval.every=-1"))
