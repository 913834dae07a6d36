"""Why the shipped coding training problems are harder for the embedded model than HumanEval: measured.

The same problems are asked in several ways, and every answer is scored by the code judge (unit tests in the
sandbox); failures are sorted by cause (no code, the function under another name, syntax error, a failed test,
time limit, answer cut at the token limit):

* ``shipped``: the shipped prompt as the CGPO recipe sends it (a sentence naming the function, one example,
  "Reply with the complete function in a single ```python fenced code block.");
* ``stub``: the same problem asked as HumanEval asks: "Complete the following Python function..." around a stub
  made of the gold solution's signature and a docstring holding the shipped description and its example;
* each at ``--short`` new tokens (the demo's budget) and ``--long`` (eval's), greedy, and sampled at
  ``--temperatures`` with ``--k`` samples.

    PYTHONPATH=src python scripts/coding_difficulty.py --problems 48
    PYTHONPATH=src python scripts/coding_difficulty.py --source coding_easy --split train   # another prompt set

Prints one table (pass rate and causes per condition) and writes a JSON file with every answer's verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

STUB_TEMPLATE = ("Complete the following Python function. Return the whole function in a ```python code "
                 "block.\n\n```python\n{stub}```")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--source", default="coding")
    p.add_argument("--split", default="train")
    p.add_argument("--problems", type=int, default=48, help="first N problems of the split")
    p.add_argument("--styles", default="shipped,stub")
    p.add_argument("--short", type=int, default=160)
    p.add_argument("--long", type=int, default=384)
    p.add_argument("--temperatures", default="1.0", help="sampled conditions (at --short tokens)")
    p.add_argument("--k", type=int, default=4, help="samples per problem in the sampled conditions")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="runs/bench/coding_difficulty.json")
    return p.parse_args(argv)


def stub_prompt(record: dict) -> str | None:
    """HumanEval's shape for a shipped problem: the gold signature plus a docstring with the task and example."""
    ref = record.get("reference") or ""
    sig = re.search(r"^def .*?:\s*$", ref, re.M)
    if not sig:
        return None
    text = record["prompt"].split("\n\nReply with")[0]
    desc, _, example = text.partition("\n\nExample: ")
    desc = re.sub(r"^Write a Python function `[^`]*` that ", "", desc).strip()
    desc = desc[0].upper() + desc[1:] if desc else desc
    doc = f"    \"\"\"{desc}\n"
    if example:
        call = example.strip().strip("`")
        doc += f"    >>> {call.replace(' == ', chr(10) + '    ', 1) if ' == ' in call else call}\n"
    doc += "    \"\"\"\n"
    imports = "".join(line + "\n" for line in ref.splitlines() if line.startswith(("import ", "from ")))
    return STUB_TEMPLATE.format(stub=imports + sig.group(0) + "\n" + doc)


def cause(verdict, truncated: bool, response: str, entry_point: str) -> str:
    if verdict.passed:
        return "pass"
    reason = verdict.reason or ""
    if "no code found" in reason:
        return "no code"
    if truncated and "```" in response and response.count("```") % 2 == 1:
        return "cut at token limit"
    if re.search(rf"name '{re.escape(entry_point)}' is not defined", reason) or (
            f"def {entry_point}(" not in response):
        return "other function name"
    if "SyntaxError" in reason or "IndentationError" in reason:
        return "syntax error"
    if "timeout" in reason.lower() or "time limit" in reason.lower():
        return "time limit"
    if "AssertionError" in reason or "assert" in reason:
        return "failed a test"
    return "crash"


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from alignkit.data import load_prompts
    from alignkit.generation import GenerationSettings, Rollout, make_generator, rollout
    from alignkit.judges.code import CodeJudge
    from alignkit.models import load_model, load_tokenizer

    torch.manual_seed(args.seed)
    records = load_prompts(args.source, split=args.split)[: args.problems]
    tok = load_tokenizer(args.model)
    model = load_model(args.model, trainable=False, device="cpu")
    gen = make_generator(model, tok, GenerationSettings(max_new_tokens=args.long, temperature=0.0, batch_size=16))
    judge = CodeJudge(timeout_s=3.0)
    conditions = []
    for style in args.styles.split(","):
        # greedy at the short budget is the greedy long answer cut at `short` tokens: one run serves both
        conditions += [(style, 0.0, args.long, 1)]
        conditions += [(style, float(t), args.short, args.k) for t in args.temperatures.split(",") if t]
    print(f"{len(records)} problems of {args.source}/{args.split}, model {args.model}, generator "
          f"{type(gen).__name__}", flush=True)
    print(f"{'prompt':>8} {'T':>4} {'tokens':>6} {'k':>2} {'pass':>11}  causes of failure", flush=True)
    report = {"source": args.source, "split": args.split, "problems": len(records), "conditions": []}

    def score(style, temp, tokens, k, prompts, keep, rolls, gen_s):
        metas = [keep[r.prompt_index]["metadata"] for r in rolls]
        verdicts = judge([prompts[r.prompt_index] for r in rolls], [r.text for r in rolls], metas)
        causes = Counter()
        answers = []
        for r, v, m in zip(rolls, verdicts, metas, strict=True):
            c = cause(v, r.truncated, r.text, m["entry_point"])
            causes[c] += 1
            answers.append({"id": keep[r.prompt_index]["id"], "cause": c, "reason": v.reason, "text": r.text,
                            "tokens": len(r.completion_ids)})
        n_pass = causes.pop("pass", 0)
        solved = len({a["id"] for a in answers if a["cause"] == "pass"})
        line = (f"{style:>8} {temp:>4.1f} {tokens:>6} {k:>2} {n_pass:>4}/{len(rolls):<4} "
                f"({solved} problems)  " + ", ".join(f"{c} {n}" for c, n in causes.most_common()))
        print(line, flush=True)
        report["conditions"].append({"style": style, "temperature": temp, "max_new_tokens": tokens, "k": k,
                                     "passed": n_pass, "answers_total": len(rolls), "problems_solved": solved,
                                     "causes": dict(causes), "generation_s": gen_s, "answers": answers})

    for style, temp, tokens, k in conditions:
        prompts, keep = [], []
        for r in records:
            p = r["prompt"] if style == "shipped" else stub_prompt(r)
            if p is not None:
                prompts.append(p)
                keep.append(r)
        t0 = time.perf_counter()
        rolls = rollout(gen, tok, prompts, k, temperature=temp, max_new_tokens=tokens)
        gen_s = time.perf_counter() - t0
        if temp == 0.0:
            short = [Rollout(r.prompt_index, r.prompt_ids, r.completion_ids[: args.short],
                             tok.decode(r.completion_ids[: args.short], skip_special_tokens=True),
                             r.truncated or len(r.completion_ids) > args.short) for r in rolls]
            score(style, temp, args.short, k, prompts, keep, short, gen_s)
        score(style, temp, tokens, k, prompts, keep, rolls, gen_s)
    judge.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
