"""The shipped judge data: a validation set for every shipped judge, LLM-judge training sets disjoint from them,
and files that match their generator (datagen/judges.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from alignkit.config import builtin_recipes_dir
from alignkit.judges.check import VALIDATION_DIR, load_labeled
from alignkit.trainers.judge import TRAIN_DIR

ROOT = Path(__file__).resolve().parents[2]
LLM_JUDGES = ("llm_safety", "llm_false_refusal", "llm_factuality")
SHIPPED_JUDGES = sorted(p.stem for p in (builtin_recipes_dir() / "judges").glob("*.yaml"))


def norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


@pytest.mark.parametrize("judge", SHIPPED_JUDGES)
def test_every_shipped_judge_has_a_validation_set_with_both_verdicts(judge):
    items = load_labeled(VALIDATION_DIR / f"{judge}.jsonl")
    labels = {it["expected"] for it in items}
    assert labels == {0, 1}, f"{judge}: a set with one verdict cannot tell a judge from a constant"
    assert len(items) >= (100 if judge in LLM_JUDGES else 20)
    assert len({it["id"] for it in items}) == len(items)


@pytest.mark.parametrize("judge", LLM_JUDGES)
def test_llm_training_sets_are_disjoint_from_validation(judge):
    train = load_labeled(TRAIN_DIR / f"{judge}.jsonl")
    val = load_labeled(VALIDATION_DIR / f"{judge}.jsonl")
    assert len(train) >= 250
    train_prompts = {norm(it["prompt"]) for it in train}
    train_responses = {norm(it["response"]) for it in train}
    shared_prompts = [it["prompt"] for it in val if norm(it["prompt"]) in train_prompts]
    assert not shared_prompts, f"validation requests also in training: {shared_prompts[:3]}"
    # Short answers ("Paris.") can coincide by chance only if a gold answer is shared; none of the validation
    # questions is a training question, and longer responses must never repeat.
    shared = [it["response"] for it in val if norm(it["response"]) in train_responses and len(it["response"]) > 30]
    assert not shared, f"validation responses also in training: {shared[:3]}"


def test_refusal_and_compliance_phrasings_of_validation_are_unseen_in_training():
    sys.path.insert(0, str(ROOT))
    from datagen import judges_content as c

    for pool in ("REFUSAL_OPEN", "REFUSAL_CORE", "REFUSAL_REASON", "REFUSAL_OFFER", "COMPLY_OPEN",
                 "COMPLY_DISCLAIMER", "HELP_OPEN", "HEDGE", "DEFLECT"):
        train, val = getattr(c, pool)
        assert not ({p for p in train if p.strip(" .")} & {p for p in val if p.strip(" .")}), pool


def test_safety_validation_uses_every_shipped_harmful_chat_prompt():
    chat = [json.loads(line) for split in ("train", "test")
            for line in (ROOT / "src/alignkit/data/shipped/chat" / f"{split}.jsonl").read_text().splitlines()]
    harmful = {r["prompt"] for r in chat if r["metadata"].get("harmful")}
    val = load_labeled(VALIDATION_DIR / "llm_safety.jsonl")
    assert harmful <= {it["prompt"] for it in val}
    # and each of them has a compliant (violated) and a refusing (satisfied) response
    for prompt in harmful:
        assert {it["expected"] for it in val if it["prompt"] == prompt} == {0, 1}, prompt


def test_factuality_items_carry_their_gold_answer():
    for path in (VALIDATION_DIR / "llm_factuality.jsonl", TRAIN_DIR / "llm_factuality.jsonl"):
        assert all(it["metadata"].get("gold") for it in load_labeled(path)), path


def test_files_are_up_to_date_with_their_generator():
    result = subprocess.run([sys.executable, str(ROOT / "datagen" / "judges.py"), "--check"], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_more_training_requests_are_new_and_distinct_from_validation():
    """TRAIN_HARMFUL_MORE / TRAIN_BENIGN_MORE: the promised sizes, no duplicate request, and no request that is
    also a validation request (VAL_HARMFUL, the borderline validation prompts, any shipped chat prompt) or an
    existing training request. ``norm`` ignores case, whitespace and punctuation."""
    sys.path.insert(0, str(ROOT))
    from datagen import judges_content as c

    more_harmful, more_benign = c.TRAIN_HARMFUL_MORE, c.TRAIN_BENIGN_MORE
    assert len(more_harmful) == 120
    assert len(more_benign) == 100
    new = [norm(req) for req, _ in more_harmful + more_benign]
    dupes = sorted({r for r in new if new.count(r) > 1})
    assert not dupes, f"duplicate requests: {dupes[:3]}"

    chat = [json.loads(line)["prompt"] for path in sorted((ROOT / "src/alignkit/data/shipped/chat").glob("*.jsonl"))
            for line in path.read_text().splitlines() if line.strip()]
    assert len(chat) >= 300  # both shipped splits were read
    taken = {
        "VAL_HARMFUL": [req for req, _ in c.VAL_HARMFUL],
        "VAL_BORDERLINE_ANSWERS": list(c.VAL_BORDERLINE_ANSWERS),
        "shipped chat": chat,
        "TRAIN_HARMFUL": [req for req, _ in c.TRAIN_HARMFUL],
        "TRAIN_BENIGN": [req for req, _ in c.TRAIN_BENIGN],
    }
    for name, requests in taken.items():
        shared = set(new) & {norm(r) for r in requests}
        assert not shared, f"new training requests also in {name}: {sorted(shared)[:3]}"

    # Bodies follow the style of the older lists: non-empty, lowercase-first (or a quoted text), none repeated and
    # none copied from a validation answer.
    bodies = [body for _, body in more_harmful + more_benign]
    off_style = [b for b in bodies if not (b and (b[0].islower() or b[0] in "'`"))]
    assert not off_style, off_style[:3]
    assert len({norm(b) for b in bodies}) == len(bodies)
    val_bodies = {norm(b) for _, b in c.VAL_HARMFUL} | {norm(b) for b in c.VAL_BORDERLINE_ANSWERS.values()}
    assert not ({norm(b) for b in bodies} & val_bodies)
