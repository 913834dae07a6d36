"""Evaluation during training: ``evaluate()`` on a given generator, and ``sft`` logging eval metrics."""

from __future__ import annotations

import json

import pytest

from alignkit.data import load_prompts
from alignkit.eval.during_training import EvalSettings, evaluate


class ScriptedGenerator:
    """A ``make_generator``-style generator that answers every prompt with the first problem's right answer, and
    records the sampling settings of each call."""

    def __init__(self, tokenizer, text: str) -> None:
        self.ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        self.calls: list[dict] = []

    def generate_ids(self, prompt_ids, n=1, *, temperature=None, max_new_tokens=None, progress=None):
        self.calls.append({"prompts": len(prompt_ids), "n": n, "temperature": temperature,
                           "max_new_tokens": max_new_tokens})
        return [(list(self.ids), False) for _ in range(len(prompt_ids) * n)]


def test_evaluate_scores_the_generators_answers(tokenizer, tmp_path):
    answer = load_prompts("math", split="test", limit=1)[0]["metadata"]["answer"]
    gen = ScriptedGenerator(tokenizer, f"Adding up. The final answer is {answer}.")
    out = evaluate(None, tokenizer, ["gsm8k"], limit=4, generator=gen, max_new_tokens=24, out_dir=tmp_path)
    # the first of the 4 problems is right, strictly and flexibly; nothing else is reported
    assert out == {"eval/gsm8k/exact_match_strict": 0.25, "eval/gsm8k/exact_match_flexible": 0.25}
    # every call carries the task's own settings (greedy, the requested length): none leak from the trainer
    assert gen.calls and all(c["temperature"] == 0.0 and c["max_new_tokens"] == 24 for c in gen.calls)
    assert sum(c["prompts"] for c in gen.calls) == 4
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["results"]["gsm8k"]["exact_match_strict"] == 0.25


def test_eval_settings_refuse_bad_values():
    from alignkit.errors import ConfigError

    with pytest.raises(ConfigError, match="eval.limit"):
        EvalSettings.validate(EvalSettings(tasks=["gsm8k"], limit=0))
    with pytest.raises(ConfigError, match="no eval task `gsm9k`"):
        EvalSettings.validate(EvalSettings(tasks=["gsm9k"]))
    with pytest.raises(ConfigError, match="eval.every"):
        EvalSettings.validate(EvalSettings(tasks=["gsm8k"], every=-1))


def test_sft_on_tiny_logs_eval_at_step_zero_every_n_and_end(tmp_path):
    """A 4-step SFT run with eval.every=2 logs eval/gsm8k/* at steps 0, 2 and 4, and evaluates the *current*
    policy: the responses at the end differ from those at step 0 (a stale copy would repeat them)."""
    from alignkit.config import compose_recipe
    from alignkit.trainers.sft import SFTRecipe, run

    cfg = compose_recipe("sft", "sft", "math", [
        "model=tiny", "trainer.per_device_train_batch_size=2", "trainer.max_length=192", "data.eval_split=null",
        "data.limit=8", "trainer.max_steps=4", "trainer.learning_rate=2e-2", "trainer.save_steps=100",
        "eval.tasks=[gsm8k]", "eval.every=2", "eval.limit=3", "eval.max_new_tokens=12"], SFTRecipe)
    run(cfg, tmp_path)
    rows = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    evals = {r["step"]: r for r in rows if "eval/gsm8k/exact_match_strict" in r}
    assert sorted(evals) == [0, 2, 4]
    assert all("eval/gsm8k/exact_match_flexible" in r for r in evals.values())

    def responses(step: int) -> list[str]:
        path = tmp_path / "eval" / f"step-{step:06d}" / "samples_gsm8k.jsonl"
        return [json.loads(x)["response"] for x in path.read_text().splitlines()]

    assert len(responses(0)) == 3
    assert responses(0) != responses(4)
