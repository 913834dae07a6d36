"""The judge trainer (SFT on the answer token over cached frozen layers), on the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from alignkit.config import compose_recipe
from alignkit.judges.check import load_labeled
from alignkit.judges.llm import LLMJudge
from alignkit.models import TinySettings, build_tiny
from alignkit.progress import make_progress
from alignkit.trainers.judge import TRAIN_DIR, JudgeTrainRecipe, _bottom_states, _top_logits, train_judges


def test_top_layers_on_cached_states_equal_the_full_model(tokenizer):
    model = build_tiny(tokenizer, TinySettings(num_hidden_layers=3)).eval()
    encoded = [{"ids": tokenizer("How are you doing today? " * (i + 1))["input_ids"]} for i in range(4)]
    with make_progress(transient=True) as progress:
        states = _bottom_states(model, 1, encoded, 8, progress, progress.add_task("x", total=4, info=""))
    for stop in (2, 3):  # one layer (last position only) and two (a full layer below it)
        fast = _top_logits(model if stop == 3 else _cut(model, stop), 1, stop, states, None)
        with torch.no_grad():
            for i, e in enumerate(encoded):
                full = (model if stop == 3 else _cut(model, stop))(input_ids=torch.tensor([e["ids"]])).logits[0, -1]
                assert torch.allclose(fast[i], full, atol=1e-4), (stop, i)  # left padding changes nothing


def _cut(model, n: int):
    import copy

    short = copy.deepcopy(model)
    short.model.layers = short.model.layers[:n]
    short.config.num_hidden_layers = n
    return short


@pytest.fixture()
def small_set(tmp_path: Path) -> Path:
    rows = [json.loads(line) for line in (TRAIN_DIR / "llm_false_refusal.jsonl").read_text().splitlines()]
    pick = [r for r in rows if r["expected"] == "satisfied"][:8] + [r for r in rows if r["expected"] == "violated"][:8]
    (tmp_path / "llm_false_refusal.jsonl").write_text("".join(json.dumps(r) + "\n" for r in pick))
    return tmp_path


def test_training_moves_the_answer_the_right_way_and_only_the_top_layer(small_set, tmp_path, tokenizer):
    cfg = compose_recipe("judges-train", "judges_train", "embedded", [
        "model=tiny", f"output_dir={tmp_path / 'run'}", "data.judges=[llm_false_refusal]", f"data.train={small_set}",
        f"data.validation={small_set}", "trainer.num_layers=2", "trainer.trainable_layers=1", "trainer.epochs=12",
        "trainer.learning_rate=3e-3", "trainer.per_device_train_batch_size=8", "trainer.logging_steps=4"],
        JudgeTrainRecipe)
    result = train_judges(cfg, tmp_path / "run")
    folder = Path(result["output_dir"])
    before = build_tiny(tokenizer)
    from transformers import AutoModelForCausalLM

    after = AutoModelForCausalLM.from_pretrained(folder)
    assert after.config.num_hidden_layers == 2
    for name, p in before.named_parameters():
        if name.startswith("model.layers.0.") or "embed_tokens" in name:
            assert torch.equal(p, after.state_dict()[name]), f"{name} is frozen but changed"
    assert any(not torch.equal(p, after.state_dict()[n]) for n, p in before.named_parameters()
               if n.startswith("model.layers.1."))
    # The saved judge, loaded from disk as any LLM judge would be, now says Yes to the helpful answers and No to
    # the refusals of its training items (the untrained tiny model cannot tell them apart).
    judge = LLMJudge(model=after.eval(), tokenizer=tokenizer, template=_template())
    items = load_labeled(small_set / "llm_false_refusal.jsonl")
    p = [d.p_positive for _, d in judge.decide([i["prompt"] for i in items], [i["response"] for i in items])]
    sat = [x for x, i in zip(p, items, strict=True) if i["expected"] == 1]
    vio = [x for x, i in zip(p, items, strict=True) if i["expected"] == 0]
    assert min(sat) > 0.5 > max(vio)
    assert result["trained/llm_false_refusal/accuracy"] == 1.0
    losses = [json.loads(line)["loss"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert losses[-1] < losses[0]


def _template() -> str:
    from omegaconf import OmegaConf

    from alignkit.judges.loading import judge_recipe_path

    return OmegaConf.load(judge_recipe_path("llm_false_refusal")).template
