"""IFEval: verifiable instructions ("no commas", "at least 3 bullet points", "end with ...").

Data: Google IFEval's format (``key``, ``prompt``, ``instruction_id_list``, ``kwargs``) from a file or the hub
(``source=google/IFEval split=train``), or by default the shipped held-out prompts (same instruction ids and
arguments, under ``metadata``).

Scoring is the shared instruction-following judge (IFEval's own checkers through ``if-verifiable``, with the
Punkt sentence model shipped offline). Four accuracies, as the reference implementation and lm-eval report them:

* ``prompt_level_strict_acc``: the share of prompts whose every instruction is followed by the response as written;
* ``inst_level_strict_acc``: the share of all instructions followed;
* ``prompt_level_loose_acc`` / ``inst_level_loose_acc``: the same, where an instruction counts as followed if any
  of the reference's loose variants follows it: the response with its first line, its last line, or both removed,
  each with and without ``*`` characters.

An unknown instruction id or missing arguments make the judge fail on that prompt (left out and counted); IFEval's
checkers would otherwise draw random arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from alignkit.errors import DataError
from alignkit.eval.task import Doc, Sample, Task

LEVELS = ("strict", "loose")


@dataclass(kw_only=True)
class IFEval(Task):
    """Prompt- and instruction-level accuracy, strict and loose."""

    name: ClassVar[str] = "ifeval"
    description: ClassVar[str] = "IFEval instructions: prompt/instruction level, strict/loose"
    id_field: ClassVar[str] = "key"

    source: str = "instruction_following"  # the shipped held-out prompts | an IFEval .jsonl | google/IFEval
    split: str = "test"  # google/IFEval has one split: train
    num_workers: int | None = None  # judge worker processes (None: one per core)
    timeout_s: float = 5.0

    def __post_init__(self) -> None:
        self._judge = None

    def load(self) -> list[Doc]:
        shipped = self.source == "instruction_following"
        rows, label = self.read_source(self.source, self.split, "instruction_following" if shipped else None)
        docs = []
        for i, row in enumerate(rows):
            meta = row.get("metadata") if isinstance(row.get("metadata"), dict) else {}
            ids = row.get("instruction_id_list", meta.get("instruction_id_list"))
            kwargs = row.get("kwargs", meta.get("kwargs"))
            if "prompt" not in row or ids is None:
                raise DataError(f"{label}: row {i} needs 'prompt' and 'instruction_id_list' (IFEval format: key, "
                                f"prompt, instruction_id_list, kwargs); columns present: {', '.join(sorted(row))}.")
            kwargs = kwargs if kwargs is not None else [{} for _ in ids]
            if len(kwargs) != len(ids):
                raise DataError(f"{label}: row {i}: {len(ids)} instruction ids but {len(kwargs)} kwargs dicts.")
            key = row.get("key", row.get("id", i))
            docs.append({"id": str(key), "prompt": str(row["prompt"]), "instruction_id_list": list(ids),
                         "kwargs": [dict(k or {}) for k in kwargs]})
        return docs

    def prompt(self, doc: Doc) -> str:
        return doc["prompt"]

    @property
    def judge(self) -> Any:
        if self._judge is None:
            from alignkit.judges.instruction_following import InstructionFollowingJudge

            self._judge = InstructionFollowingJudge(num_workers=self.num_workers, timeout_s=self.timeout_s)
        return self._judge

    def instruction_flags(self, docs: list[Doc], responses: list[str]) -> list[list[tuple[bool, bool]] | str]:
        """Per response: ``[(strict, loose), ...]`` per instruction, or the judge's failure reason."""
        judge = self.judge
        out: list[list[tuple[bool, bool]] | str] = [""] * len(responses)
        work = []
        for i, (doc, response) in enumerate(zip(docs, responses, strict=True)):
            payload = judge.make_payload(doc["prompt"], response,
                                         {"instruction_id_list": doc["instruction_id_list"], "kwargs": doc["kwargs"]})
            if hasattr(payload, "value"):  # decided without a worker
                if payload.failed:
                    out[i] = payload.reason
                else:  # an empty response follows nothing, strict or loose
                    out[i] = [(False, False)] * len(doc["instruction_id_list"])
            else:
                work.append((i, payload))
        if work:
            for (i, _), result in zip(work, judge.pool.map([p for _, p in work]), strict=True):
                out[i] = [(bool(s), bool(lo)) for s, lo in result.value] if result.ok else f"judge failed: {result.error}"
        return out

    def score(self, docs: list[Doc], samples: list[Sample]) -> list[dict[str, Any]]:
        flags = self.instruction_flags(docs, [str(s["response"]) for s in samples])
        out = []
        for doc, f in zip(docs, flags, strict=True):
            if isinstance(f, str):
                none = {f"{lv}_{lvl}_acc": None for lv in ("prompt_level", "inst_level") for lvl in LEVELS}
                out.append({"metrics": none, "target": doc["instruction_id_list"], "reason": f})
                continue
            metrics: dict[str, float | None] = {}
            for j, lvl in enumerate(LEVELS):
                followed = [x[j] for x in f]
                metrics[f"prompt_level_{lvl}_acc"] = float(all(followed))
                metrics[f"inst_level_{lvl}_acc"] = sum(followed) / len(followed)
            out.append({"metrics": metrics, "target": doc["instruction_id_list"],
                        "extracted": {lvl: [x[j] for x in f] for j, lvl in enumerate(LEVELS)}})
        return out

    def item_metrics(self, doc: Doc, samples: list[Sample], ks: Any) -> dict[str, tuple[float, float]]:
        """Prompt level: the share of this prompt's samples that follow every instruction; instruction level:
        (instructions followed, instructions) summed over the samples, so the task's value is a share of all
        instructions, as the reference computes it."""
        valid = [s for s in samples if isinstance(s.get("extracted"), dict)]
        if not valid:
            return {}
        out: dict[str, tuple[float, float]] = {}
        for lvl in LEVELS:
            lists = [s["extracted"][lvl] for s in valid]
            out[f"prompt_level_{lvl}_acc"] = (sum(all(x) for x in lists) / len(lists), 1.0)
            out[f"inst_level_{lvl}_acc"] = (float(sum(sum(x) for x in lists)) / len(lists),
                                            float(sum(len(x) for x in lists)) / len(lists))
        return out

    def close(self) -> None:
        if self._judge is not None:
            self._judge.close()
            self._judge = None
