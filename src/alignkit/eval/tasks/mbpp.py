"""MBPP / MBPP+: short Python functions checked by their tests in the sandbox; evalplus-compatible outputs.

Data, by ``source``:

* ``coding`` (default): the shipped held-out coding problems (original, not from any benchmark; an instruction
  with the signature, asserts as tests);
* an MBPP file or hub copy (``task_id``, ``text`` or ``prompt``, ``code``, ``test_list``; ``test_setup_code`` or
  ``test_imports``), e.g. ``source=google-research-datasets/mbpp:sanitized``;
* MBPP+ from evalplus's releases (``task_id`` "Mbpp/N", ``prompt``, ``entry_point``, ``canonical_solution``,
  ``base_input``, ``plus_input``, ``atol``), or its hub copy ``evalplus/mbppplus`` (``test_list`` and a ``test``
  script over all inputs).

``pass@k`` uses the base tests (MBPP's asserts, or the base inputs); MBPP+ data adds ``pass@k_plus`` (base and
plus tests both pass), as evalplus reports "mbpp" and "mbpp+". The code is extracted from the answer's fenced
block and run jailed; the tests run on the trusted side (:mod:`alignkit.sandbox`).

Besides ``samples_mbpp.jsonl`` (``task_id`` and ``solution`` per line: evalplus's samples format), the task
writes evalplus's ``samples_mbpp_eval_results.json`` (``eval``: per task, each sample's ``base_status`` and
``plus_status`` as "pass" / "fail" / "timeout"), which ``evalplus.evaluate`` reads instead of re-running.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from alignkit.errors import DataError
from alignkit.eval.task import Doc, Sample, sample_id
from alignkit.eval.tasks.humaneval import SandboxTask, io_check, without_numpy

MBPP_TEMPLATE = ("You are an expert Python programmer, and here is your task: {text} Your code should pass these "
                 "tests:\n\n{tests}\n\nReply with the complete function in a single ```python fenced code block.")
PLUS_TEMPLATE = ("Please provide a self-contained Python script that solves the following problem in a markdown "
                 "code block:\n```\n{prompt}\n```")
_ASSERT_CALL = re.compile(r"assert\s+(?:not\s+)?\(?\s*(?:set\(|sorted\(|math\.isclose\(|abs\()?\s*([A-Za-z_]\w*)\s*\(")
_DEF = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(", re.M)


def entry_point_of(row: dict[str, Any]) -> str | None:
    """The function the tests call: ``entry_point``, else the first name called in an assert that the reference
    code defines, else the reference's first function."""
    if row.get("entry_point"):
        return str(row["entry_point"])
    defined = _DEF.findall(str(row.get("code") or row.get("canonical_solution") or ""))
    for test in row.get("test_list") or []:
        m = _ASSERT_CALL.search(str(test))
        if m and (not defined or m.group(1) in defined):
            return m.group(1)
    return defined[0] if defined else None


def evalplus_status(verdict: Any) -> str:
    """evalplus's status words: pass, fail, timeout."""
    return "pass" if verdict.passed else "timeout" if verdict.status == "timeout" else "fail"


@dataclass(kw_only=True)
class MBPP(SandboxTask):
    """pass@k on MBPP-style problems (MBPP+ files: pass@k_plus too), evalplus-compatible outputs."""

    name: ClassVar[str] = "mbpp"
    description: ClassVar[str] = "MBPP / MBPP+ (shipped coding problems by default): pass@k"
    id_field: ClassVar[str] = "task_id"
    response_fields: ClassVar[tuple[str, ...]] = ("solution", "response", "completion")
    pass_at_k: ClassVar[dict[str, str]] = {"passed": "pass@{k}", "passed_plus": "pass@{k}_plus"}

    source: str = "coding"  # coding | coding_easy (shipped) | an MBPP / MBPP+ .jsonl[.gz] | a hub id
    split: str = "test"

    # -- data
    def load(self) -> list[Doc]:
        shipped = self.source in ("coding", "coding_easy")  # the shipped coding problems, or their easy tier
        rows, label = self.read_source(self.source, self.split, self.source if shipped else None)
        return [self._doc(row, i, label) for i, row in enumerate(rows)]

    def _doc(self, row: dict[str, Any], i: int, label: str) -> Doc:
        if isinstance(row.get("metadata"), dict) and "tests" in row["metadata"]:  # the shipped schema
            md = row["metadata"]
            return {"id": str(row["id"]), "prompt": str(row["prompt"]), "entry_point": md["entry_point"],
                    "base_tests": list(md["tests"]), "setup": md.get("setup") or "", "plus": None}
        if "task_id" not in row:
            raise DataError(f"{label}: row {i} has no 'task_id' (MBPP format: task_id, text, code, test_list; "
                            f"MBPP+: task_id, prompt, entry_point, canonical_solution, base_input, plus_input).")
        entry = entry_point_of(row)
        if not entry:
            raise DataError(f"{label}: row {i} ({row['task_id']}): cannot tell which function the tests call; "
                            f"add an 'entry_point' column.")
        setup = "\n".join(row.get("test_imports") or []) or str(row.get("test_setup_code") or "")
        doc: Doc = {"id": str(row["task_id"]), "entry_point": entry, "setup": setup, "plus": None}
        if "base_input" in row and "canonical_solution" in row:  # evalplus's MBPP+ release
            reference = str(row.get("prompt", "")) + str(row["canonical_solution"])
            doc["base_check"] = io_check(reference, entry, list(row["base_input"]), row.get("atol") or 0)
            doc["plus"] = io_check(reference, entry, list(row["base_input"]) + list(row.get("plus_input") or []),
                                   row.get("atol") or 0)
            doc["prompt"] = PLUS_TEMPLATE.format(prompt=str(row.get("prompt", "")).strip())
            doc["base_tests"] = None
            return doc
        tests = row.get("test_list")
        if not tests:
            raise DataError(f"{label}: row {i} ({row['task_id']}) has no 'test_list' (MBPP's assert lines) and no "
                            f"MBPP+ 'base_input'.")
        text = row.get("text", row.get("prompt"))
        if text is None:
            raise DataError(f"{label}: row {i} ({row['task_id']}) has no 'text' or 'prompt' (the task description).")
        doc["prompt"] = MBPP_TEMPLATE.format(text=str(text).strip(), tests="\n".join(tests))
        doc["base_tests"] = list(tests)
        if isinstance(row.get("test"), str) and row["test"].strip():  # evalplus/mbppplus on the hub: all inputs
            doc["plus"] = without_numpy(row["test"])
        return doc

    def prompt(self, doc: Doc) -> str:
        return doc["prompt"]

    def postprocess(self, doc: Doc, response: str) -> dict[str, Any]:
        from alignkit.sandbox import extract_code

        return {"solution": extract_code(response, doc["entry_point"])}

    def read_sample(self, line: dict[str, Any], docs: dict[str, Doc], where: str) -> tuple[Doc, Sample]:
        key = sample_id(line, self.id_field, where)
        if key not in docs and key.isdigit() and f"Mbpp/{key}" in docs:  # MBPP's int ids vs evalplus's "Mbpp/N"
            line = {**line, self.id_field: f"Mbpp/{key}"}
        doc, sample = super().read_sample(line, docs, where)
        if "solution" not in line:
            sample.update(self.postprocess(doc, sample["response"]))
        return doc, sample

    # -- scoring
    def _jobs(self, doc: Doc, solution: str) -> list[dict[str, Any]]:
        job = {"kind": "function", "program": solution, "entry_point": doc["entry_point"], "setup": doc["setup"]}
        base = {**job, "tests": doc["base_tests"]} if doc["base_tests"] is not None else \
            {**job, "tests": doc["base_check"]}
        return [base] + ([{**job, "tests": doc["plus"]}] if doc["plus"] else [])

    def score(self, docs: list[Doc], samples: list[Sample]) -> list[dict[str, Any]]:
        solutions = [str(s.get("solution") or "") for s in samples]
        # no code: fails without running
        results = self.run_jobs([self._jobs(doc, sol) if sol.strip() else [] for doc, sol in zip(docs, solutions,
                                                                                                  strict=True)])
        out = []
        for doc, pairs in zip(docs, results, strict=True):
            if not pairs:
                out.append({"metrics": {"passed": 0.0, **({"passed_plus": 0.0} if doc["plus"] else {})},
                            "target": doc["entry_point"], "reason": "no code in the response",
                            "base_status": "fail", "plus_status": "fail" if doc["plus"] else None})
                continue
            (base, base_j), *plus = pairs
            metrics: dict[str, float | None] = {"passed": None if base_j.failed else float(base.passed)}
            row = {"base_status": evalplus_status(base), "plus_status": None}
            if plus:
                plus_v, plus_j = plus[0]
                metrics["passed_plus"] = None if (plus_j.failed or base_j.failed) else float(base.passed and plus_v.passed)
                row["plus_status"] = evalplus_status(plus_v)
            out.append({"metrics": metrics, "target": doc["entry_point"], "reason": base_j.reason, **row})
        return out

    def write_outputs(self, out_dir: Path, samples_path: Path, docs: list[Doc], samples: list[Sample]) -> list[Path]:
        """evalplus's ``<samples>_eval_results.json`` (``evalplus.evaluate`` loads it instead of re-running)."""
        path = Path(str(samples_path).removesuffix(".jsonl") + "_eval_results.json")
        evals: dict[str, list[dict[str, Any]]] = {}
        for s in samples:
            evals.setdefault(str(s["task_id"]), []).append({
                "task_id": str(s["task_id"]), "solution": s.get("solution", ""),
                "base_status": s["base_status"], "plus_status": s.get("plus_status") or s["base_status"],
                "base_fail_tests": [], "plus_fail_tests": []})
        data = {"date": time.strftime("%Y-%m-%d %H:%M"), "hash": self.data_source(), "eval": evals}
        path.write_text(json.dumps(data), encoding="utf-8")
        return [path]
