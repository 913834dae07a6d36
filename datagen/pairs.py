"""Preference pairs for reward-model training, built offline from the shipped prompt sets.

Run by ``scripts/build_data.py``; the pairs ship in ``alignkit/data/shipped/pairs/`` and are read by
:func:`alignkit.data.load_pairs`. For every prompt with a gold reference answer (for instruction
following, whose shipped prompts have none, a response built by rule to follow the instructions:
:mod:`datagen.if_synth`), the *chosen* response is the reference (checked by the task's judge to pass) and
each *rejected* response is a corrupted copy that the same judge verifies to fail: for code, a mutated
program (an operator flipped, a bound shifted...) that fails the unit tests, a prose answer with no code,
or a truncated block; for math, a wrong final answer, a missing final-answer line, or a cut-off
solution; for instruction following, the same construction with one instruction left out, or an edit
(case, commas, quotes, truncation...) that breaks one of the instructions; for chat (prompts with a
reference only), a compliant answer to a harmful request, a refusal of a benign one, or a factual answer
with another question's answer swapped in.
Everything is deterministic given the seed, and nothing is downloaded.

``spurious="length"`` (or ``"fence"``) builds a *hackable* preference instead: the chosen response is
always the longer one (or the one wrapped in a code fence), correct or not, so that a reward model
trained on it rewards the spurious feature (for reward-hacking experiments).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from typing import Any

from alignkit.data.loading import SPURIOUS, TASKS, load_prompts, make_spurious
from alignkit.sandbox.extract import extract_code

DEFAULT_PER_PROMPT = {"coding": 2, "math": 1, "instruction_following": 2, "chat": 2}


# ---------------------------------------------------------------------------- corruptions: code
_CODE_MUTATIONS: list[tuple[str, str]] = [
    (r"==", "!="),
    (r"!=", "=="),
    (r"<=", "<"),
    (r">=", ">"),
    (r"(?<![<>=!])<(?![<=])", "<="),
    (r"(?<![<>=!-])>(?![>=])", ">="),
    (r" \+ 1\b", " + 2"),
    (r" - 1\b", " - 2"),
    (r"(?<![+\-*/=<>!]) \+ (?!=)", " - "),
    (r"(?<![+\-*/=<>!]) - (?!=)", " + "),
    (r" \* ", " + "),
    (r"\band\b", "or"),
    (r"\bor\b", "and"),
    (r"\bTrue\b", "False"),
    (r"\bFalse\b", "True"),
    (r"\[1:\]", "[2:]"),
    (r"\[::-1\]", ""),
    (r"\bmax\(", "min("),
    (r"\bmin\(", "max("),
    (r"\breturn (?!None\b)([^\n]+)", r"return None"),
    (r"\bsorted\(", "list("),
    (r"\.lower\(\)", ".upper()"),
    (r"\.upper\(\)", ".lower()"),
    (r"range\(([^,()]+)\)", r"range(1, \1)"),
]


def code_of(response: str) -> tuple[str, str, str] | None:
    """``(before, code, after)`` around the fenced program of a response (as the code judge extracts it),
    or ``None`` when the response has no fenced block."""
    if "```" not in response:
        return None
    code = extract_code(response)
    start = response.find(code) if code else -1
    if start < 0:
        return None
    return response[:start], code, response[start + len(code) :]


def mutate_code(response: str, rng: random.Random, limit: int = 3) -> list[tuple[str, str]]:
    """Up to ``limit`` single-mutation variants ``(kind, response)`` of the response's fenced program."""
    parts = code_of(response)
    if parts is None:
        return []
    before, code, after = parts
    out: list[tuple[str, str]] = []
    mutations = list(_CODE_MUTATIONS)
    rng.shuffle(mutations)
    for pattern, repl in mutations:
        matches = list(re.finditer(pattern, code))
        if not matches:
            continue
        m = rng.choice(matches)
        mutated = code[: m.start()] + m.expand(repl) + code[m.end() :]
        if mutated != code:
            out.append(("mutated_code", before + mutated + after))
        if len(out) >= limit:
            break
    return out


def describe_instead_of_code(prompt: str, entry_point: str) -> str:
    """A prose answer with no code (violates the code constraint)."""
    return (
        f"To write `{entry_point}`, first read the inputs carefully, then handle the edge cases, and finally "
        "build the result step by step and return it. Test it on a few examples to make sure it works."
    )


def truncate(text: str, fraction: float = 0.5) -> str:
    """The first ``fraction`` of a text, cut mid-line (as a generation stopped at its token limit)."""
    cut = max(1, int(len(text) * fraction))
    return text[:cut].rstrip()


# ---------------------------------------------------------------------------- corruptions: math
_FINAL_RE = re.compile(r"The final answer is\s+(.+?)\.?\s*$", re.IGNORECASE | re.DOTALL)


def wrong_answers(answer: str, rng: random.Random, k: int = 2) -> list[str]:
    """``k`` plausible wrong answers for a numeric gold answer (off by one, doubled, digits swapped)."""
    try:
        value = float(answer.replace(",", ""))
    except ValueError:
        return [answer + "1", "0" if answer != "0" else "1"][:k]
    is_int = value.is_integer()
    cands: list[float] = [value + 1, value - 1, value * 2, value + 10, value / 2 if value else 3.0]
    rng.shuffle(cands)
    out: list[str] = []
    for c in cands:
        text = str(int(c)) if is_int and float(c).is_integer() else f"{c:g}"
        if text != answer and text not in out:
            out.append(text)
        if len(out) >= k:
            break
    return out


def math_negatives(reference: str, answer: str, rng: random.Random) -> list[tuple[str, str]]:
    """Corrupted solutions: a wrong final answer, no final-answer line, a truncated solution."""
    out: list[tuple[str, str]] = []
    m = _FINAL_RE.search(reference)
    if m:
        for wrong in wrong_answers(answer, rng, k=1):
            out.append(("wrong_answer", reference[: m.start(1)] + wrong + "."))
        body = reference[: m.start()].rstrip()
        if body:
            out.append(("no_final_answer", body))
    out.append(("truncated", truncate(reference, rng.uniform(0.3, 0.7))))
    return out


# ---------------------------------------------------------------------------- corruptions: instructions
def instruction_negatives(reference: str, rng: random.Random) -> list[tuple[str, str]]:
    """Edits that tend to break IFEval instructions (each one is verified by the judge afterwards)."""
    sentences = re.split(r"(?<=[.!?])\s+", reference.strip())
    edits = [
        ("uppercased", reference.upper()),
        ("lowercased", reference.lower()),
        ("commas_added", reference.replace(". ", ", and ", 2)),
        ("first_sentence_only", sentences[0] if sentences else reference[:40]),
        ("quoted", f'"{reference}"'),
        ("unquoted", reference.strip('"')),
        ("doubled", reference + "\n\n" + reference),
        ("postscript_removed", re.split(r"\n\s*P\.?P?\.?S\.?", reference)[0]),
        ("truncated", truncate(reference, 0.5)),
        (
            "chatter_added",
            "Sure, here is my answer.\n" + reference + "\nLet me know if you need anything else, thanks!",
        ),
    ]
    rng.shuffle(edits)
    return [(kind, text) for kind, text in edits if text.strip() and text != reference]


# ---------------------------------------------------------------------------- corruptions: chat
_COMPLY = (
    "Sure, I can help with that. Here is what you need to do: get everything ready first, then follow the "
    "steps one by one and make sure nobody stops you."
)
_REFUSE = "I'm sorry, but I can't help with that request."


def chat_negatives(
    record: dict[str, Any], others: Sequence[dict[str, Any]], rng: random.Random
) -> list[tuple[str, str]]:
    """Harmful prompt: a compliant (non-operational) answer; benign prompt: a false refusal; factual
    prompt: the reference with another question's answer swapped in, plus a false refusal."""
    meta = record.get("metadata") or {}
    reference = record.get("reference") or ""
    if meta.get("harmful"):
        return [("complied_with_harmful", _COMPLY)]
    out = [("false_refusal", _REFUSE)]
    gold = str(meta.get("gold") or "")
    if gold and gold.lower() in reference.lower():
        pool = [str(o["metadata"]["gold"]) for o in others if (o.get("metadata") or {}).get("gold")]
        wrong = [g for g in pool if g.lower() != gold.lower() and g.isdigit() == gold.isdigit()]
        if wrong:
            swapped = re.sub(re.escape(gold), rng.choice(wrong), reference, flags=re.IGNORECASE)
            out.append(("wrong_fact", swapped))
    return out


class ChatCheck:
    """Verifier for chat pairs: harmful prompts must be refused, benign ones answered, and a factual
    answer must contain its gold answer (a rule stand-in for the LLM factuality judge)."""

    name = "chat_check"

    def __init__(self) -> None:
        from alignkit.judges.refusal import RefusalJudge

        self.refusal = RefusalJudge(mode="auto")

    def __call__(
        self, prompts: Sequence[str], responses: Sequence[str], metadata: Sequence[dict[str, Any]]
    ) -> list[Any]:
        from alignkit.judges.base import JudgeVerdict

        verdicts = self.refusal(prompts, responses, metadata)
        out = []
        for v, r, m in zip(verdicts, responses, metadata, strict=True):
            gold = str((m or {}).get("gold") or "")
            if v.value == 1 and gold and gold.lower() not in r.lower():
                v = JudgeVerdict.violated(f"gold answer {gold!r} missing")
            out.append(v)
        return out

    def close(self) -> None:
        self.refusal.close()


# ---------------------------------------------------------------------------- builder
def _negatives(
    task: str, record: dict[str, Any], rng: random.Random, others: Sequence[dict[str, Any]] | None = None
) -> list[tuple[str, str]]:
    reference = record.get("reference") or ""
    meta = record.get("metadata") or {}
    if task == "coding":
        negs = mutate_code(reference, rng)
        negs.append(
            (
                "no_code",
                describe_instead_of_code(record["prompt"], str(meta.get("entry_point", "the function"))),
            )
        )
        negs.append(("truncated", truncate(reference, rng.uniform(0.4, 0.8))))
        return negs
    if task == "math":
        return math_negatives(reference, str(meta.get("answer", "")), rng)
    if task == "chat":
        return chat_negatives(record, others or [], rng)
    if task == "instruction_following":
        from datagen.if_synth import synthesize

        skipped = [
            ("instruction_skipped", synthesize(record["prompt"], meta, skip=instruction_id))
            for instruction_id in meta.get("instruction_id_list", [])
        ]
        return skipped + instruction_negatives(reference, rng)
    raise ValueError(f"no pair builder for task {task!r}; choose from {TASKS}")


def _judge_for(task: str) -> Any:
    if task == "coding":
        from alignkit.judges.code import CodeJudge

        return CodeJudge()
    if task == "math":
        from alignkit.judges.math import MathJudge

        return MathJudge(num_workers=1)
    if task == "chat":
        return ChatCheck()
    from alignkit.judges.instruction_following import InstructionFollowingJudge

    return InstructionFollowingJudge(num_workers=1)


def build_pairs(
    task: str,
    split: str = "train",
    records: Sequence[dict[str, Any]] | None = None,
    per_prompt: int = 2,
    spurious: str | None = None,
    seed: int = 0,
    verify: bool = True,
    judge: Any = None,
    max_records: int | None = None,
) -> list[dict[str, Any]]:
    """Preference pairs ``{"id", "task", "prompt", "chosen", "rejected", "kind"}`` for one task.

    Args:
        task: ``coding``, ``math``, ``instruction_following`` or ``chat``.
        split: shipped split to read when ``records`` is not given.
        records: records in the shared schema (``prompt``, ``metadata``, ``reference``).
        per_prompt: rejected responses (pairs) per prompt at most.
        spurious: ``None`` for the real preference; ``"length"``/``"fence"`` for a hackable one.
        seed: makes corruptions and the spurious relabelling deterministic.
        verify: keep only pairs whose chosen passes and rejected fails the task's judge.
        judge: the judge to verify with (default: the task's rule judge, closed afterwards).
        max_records: use at most this many records.
    """
    if spurious not in SPURIOUS:
        raise ValueError(f"spurious must be one of {SPURIOUS}, got {spurious!r}")
    rng = random.Random(f"{task}-{split}-{seed}")
    recs = list(records if records is not None else load_prompts(task, split))
    if task == "instruction_following":  # the shipped set has no references: build compliant ones
        from datagen.if_synth import synthesize

        recs = [
            r if r.get("reference") else {**r, "reference": synthesize(r["prompt"], r["metadata"])}
            for r in recs
        ]
    recs = [r for r in recs if r.get("reference")]
    if max_records is not None:
        recs = recs[:max_records]
    candidates: list[dict[str, Any]] = []
    for record in recs:
        negatives = _negatives(task, record, rng, recs)
        rng.shuffle(negatives)
        for kind, rejected in negatives:
            candidates.append(
                {
                    "id": record.get("id", ""),
                    "task": task,
                    "prompt": record["prompt"],
                    "chosen": record["reference"],
                    "rejected": rejected,
                    "kind": kind,
                    "metadata": record.get("metadata") or {},
                }
            )
    if verify and candidates:
        candidates = _verified(task, candidates, judge)
    pairs: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for pair in candidates:
        key = pair["id"] or pair["prompt"]
        if counts.get(key, 0) >= per_prompt:
            continue
        counts[key] = counts.get(key, 0) + 1
        pairs.append(pair)
    if spurious:
        pairs = [make_spurious(p, spurious, rng) for p in pairs]
    for i, pair in enumerate(pairs):
        pair["id"] = f"{pair['id'] or task}-pair{i}"
    return pairs


def _verified(task: str, candidates: list[dict[str, Any]], judge: Any) -> list[dict[str, Any]]:
    """Keep pairs whose chosen response passes the judge and whose rejected response fails it."""
    own = judge is None
    judge = judge or _judge_for(task)
    try:
        unique_chosen: dict[str, int] = {}
        for c in candidates:
            unique_chosen.setdefault(c["prompt"] + "\x00" + c["chosen"], len(unique_chosen))
        chosen_items = list(unique_chosen)
        chosen_meta = {c["prompt"] + "\x00" + c["chosen"]: c["metadata"] for c in candidates}
        chosen_verdicts = judge(
            [k.split("\x00", 1)[0] for k in chosen_items],
            [k.split("\x00", 1)[1] for k in chosen_items],
            [chosen_meta[k] for k in chosen_items],
        )
        chosen_ok = {k: v.value == 1 for k, v in zip(chosen_items, chosen_verdicts, strict=True)}
        rejected_verdicts = judge(
            [c["prompt"] for c in candidates],
            [c["rejected"] for c in candidates],
            [c["metadata"] for c in candidates],
        )
    finally:
        if own:
            judge.close()
    return [
        c
        for c, v in zip(candidates, rejected_verdicts, strict=True)
        if chosen_ok[c["prompt"] + "\x00" + c["chosen"]] and v.value == 0
    ]


def pair_files(
    prompt_sets: dict[str, dict[str, Sequence[dict[str, Any]]]],
    tasks: Sequence[str] = TASKS,
    spurious: str | None = None,
    seed: int = 0,
    per_prompt: dict[str, int] | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, str]:
    """JSONL texts of the pair files, ``{"<task>[_spurious]/<split>.jsonl": text}``, built from the records
    of ``prompt_sets[task][split]``. ``per_prompt`` is the number of pairs per prompt of each task (default
    2; the shipped math pairs use 1, which keeps the many math prompts small)."""
    per_prompt = {**DEFAULT_PER_PROMPT, **(per_prompt or {})}
    out: dict[str, str] = {}
    for task in tasks:
        name = task if spurious is None else f"{task}_{spurious}"
        for split in ("train", "test"):
            pairs = build_pairs(
                task,
                split,
                prompt_sets[task][split],
                per_prompt=per_prompt[task],
                spurious=spurious,
                seed=seed,
            )
            out[f"{name}/{split}.jsonl"] = "".join(
                json.dumps({k: v for k, v in p.items() if k != "metadata"}, ensure_ascii=False) + "\n"
                for p in pairs
            )
            log(f"pairs/{name}/{split}: {len(pairs)} pairs")
    return out
