"""Win rate against reference answers, judged by a reward model or an LLM judge, and its length-controlled variant.

Data: prompts with a reference answer: by default the shipped held-out chat prompts that have one, or a file / hub
set (``prompt`` or AlpacaEval's ``instruction``, and ``reference`` or AlpacaEval's ``output``).

Judges (``judge=`` and ``judge_model=``; there is no default, because a judge that cannot tell good answers
from bad ones makes a win rate that means nothing):

* ``reward_model``: a sequence-classification reward model (a folder written by ``alignkit rm``, or a hub id)
  scores both answers; the response wins (1), ties (0.5) or loses (0);
* ``llm``: a pairwise LLM judge asked which answer is better, A or B; the preference is P(B) / (P(A) + P(B)) for
  the response in slot B, averaged with the swapped order to cancel position bias (the shared
  :class:`~alignkit.judges.llm.LLMJudge` computes the probabilities).

``win_rate`` is the mean preference. ``lc_win_rate`` is length-controlled as AlpacaEval 2 does it: a logistic
regression of the preference on ``tanh(length difference / its standard deviation)`` and an intercept, and the
win rate predicted with the length term set to zero, ``sigmoid(intercept)``; its standard error comes from a
bootstrap over problems. A response that wins only by being longer gets an LC win rate near 0.5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from alignkit.errors import ConfigError, DataError
from alignkit.eval.task import Doc, Sample, Task

PAIRWISE_TEMPLATE = (
    "You are comparing two answers to the same question. Judge which answer is more helpful, correct and clear.\n\n"
    "[Question]\n{prompt}\n\n[Answer A]\n{reference}\n\n[Answer B]\n{response}\n\n"
    "Which answer is better? Reply with a single letter: A or B."
)
JUDGES = ("reward_model", "llm")


def length_controlled(prefs: list[float], len_diffs: list[float], l2: float = 1e-3) -> float:
    """AlpacaEval-2-style length-controlled win rate: fit ``logit p = b0 + b1 * tanh(d / std(d))`` to the soft
    preferences ``p`` (Newton's method, a small L2 penalty on ``b1``) and return ``sigmoid(b0)``."""
    import numpy as np

    p = np.clip(np.asarray(prefs, float), 0.0, 1.0)
    d = np.asarray(len_diffs, float)
    sd = d.std()
    x = np.tanh(d / sd) if sd > 0 else np.zeros_like(d)
    features = np.stack([np.ones_like(x), x], 1)
    beta = np.zeros(2)
    penalty = np.diag([1e-6, l2]) * len(p)
    for _ in range(100):
        mu = 1.0 / (1.0 + np.exp(-(features @ beta)))
        grad = features.T @ (p - mu) - penalty @ beta
        hess = (features * (mu * (1 - mu))[:, None]).T @ features + penalty
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return float(1.0 / (1.0 + math.exp(-beta[0])))


@dataclass(kw_only=True)
class WinRate(Task):
    """Responses against reference answers: win rate and length-controlled win rate."""

    name: ClassVar[str] = "winrate"
    description: ClassVar[str] = "Win rate vs references (RM or LLM judge), length-controlled"

    source: str = "chat"  # the shipped held-out chat prompts with a reference | a file | a hub id
    split: str = "test"
    judge: str | None = None  # reward_model | llm
    judge_model: str | None = None  # reward-model folder / hub id, or the LLM judge's model name / folder
    judge_device: str = "auto"
    judge_batch_size: int = 8
    template: str = PAIRWISE_TEMPLATE  # llm judge: fields {prompt}, {reference}, {response}
    bootstrap: int = 200  # resamples for the LC win rate's standard error

    def __post_init__(self) -> None:
        if self.judge is not None and self.judge not in JUDGES:
            raise ConfigError(f"task.judge={self.judge!r}: use reward_model or llm.")
        self._scorer: Any = None

    def _check_judge(self) -> None:
        if self.judge is None or not self.judge_model:
            raise ConfigError(
                "winrate needs a judge that can tell good answers from bad ones: judge=reward_model "
                "judge_model=<reward-model folder> (e.g. one trained by `alignkit rm recipe=chat`), or judge=llm "
                "judge_model=<a capable instruct model>.")

    def load(self) -> list[Doc]:
        self._check_judge()
        rows, label = self.read_source(self.source, self.split, "chat" if self.source == "chat" else None)
        docs = []
        for i, row in enumerate(rows):
            prompt = row.get("prompt", row.get("instruction"))
            reference = row.get("reference", row.get("output"))
            if prompt is None:
                raise DataError(f"{label}: row {i} has no 'prompt' (or AlpacaEval's 'instruction').")
            if reference is None or not str(reference).strip():
                if self.source == "chat":
                    continue  # shipped chat prompts without a written reference are not part of this task
                raise DataError(f"{label}: row {i} has no 'reference' (or AlpacaEval's 'output') answer.")
            docs.append({"id": str(row.get("id", f"winrate-{self.split}-{i:05d}")), "prompt": str(prompt),
                         "reference": str(reference)})
        return docs

    def prompt(self, doc: Doc) -> str:
        return doc["prompt"]

    # -- judging
    def preferences(self, prompts: list[str], responses: list[str], references: list[str]) -> list[float | None]:
        """P(response preferred over reference) per item, ``None`` where the judge failed."""
        self._check_judge()
        if self.judge == "reward_model":
            if self._scorer is None:
                from alignkit.rewards.reward_model import RewardModel

                self._scorer = RewardModel(self.judge_model, device=self.judge_device,
                                           batch_size=self.judge_batch_size)
            meta = [{} for _ in prompts]
            ours = self._scorer.score(prompts, responses, meta)
            theirs = self._scorer.score(prompts, references, meta)
            out: list[float | None] = []
            for a, b in zip(ours, theirs, strict=True):
                out.append(None if math.isnan(a) or math.isnan(b) else 1.0 if a > b else 0.5 if a == b else 0.0)
            return out
        if self._scorer is None:
            from alignkit.judges.llm import LLMJudge

            self._scorer = LLMJudge(model=self.judge_model, template=self.template, positive="B", negative="A",
                                    device=self.judge_device, batch_size=self.judge_batch_size)
        judge = self._scorer
        judge._ensure_model()
        forward = [judge.render(p, r, {"reference": ref}) for p, r, ref in zip(prompts, responses, references,
                                                                                 strict=True)]
        swapped = [judge.render(p, ref, {"reference": r}) for p, r, ref in zip(prompts, responses, references,
                                                                                strict=True)]
        probs = judge.positive_probabilities(forward + swapped)
        n = len(prompts)
        return [None if math.isnan(a) or math.isnan(b) else (a + (1.0 - b)) / 2 for a, b in zip(probs[:n], probs[n:],
                                                                                           strict=True)]

    def score(self, docs: list[Doc], samples: list[Sample]) -> list[dict[str, Any]]:
        responses = [str(s["response"]) for s in samples]
        prefs = self.preferences([d["prompt"] for d in docs], responses, [d["reference"] for d in docs])
        return [{"metrics": {"win_rate": p}, "target": d["reference"],
                 "extracted": {"length": len(r), "reference_length": len(d["reference"])}}
                for d, r, p in zip(docs, responses, prefs, strict=True)]

    def task_metrics(self, docs: list[Doc], samples: list[Sample]) -> dict[str, dict[str, float | None]]:
        import numpy as np

        rows = [(s["metrics"]["win_rate"], s["extracted"]["length"] - s["extracted"]["reference_length"],
                 s["extracted"]["length"]) for s in samples if s.get("metrics", {}).get("win_rate") is not None]
        if len(rows) < 2:
            return {}
        prefs = [r[0] for r in rows]
        diffs = [float(r[1]) for r in rows]
        lc = length_controlled(prefs, diffs)
        rng = np.random.default_rng(0)
        boots = []
        for _ in range(self.bootstrap):
            idx = rng.integers(0, len(rows), len(rows))
            boots.append(length_controlled([prefs[i] for i in idx], [diffs[i] for i in idx]))
        mean_len = sum(r[2] for r in rows) / len(rows)
        return {"lc_win_rate": {"value": lc, "stderr": float(np.std(boots, ddof=1)) if len(boots) > 1 else None},
                "avg_length": {"value": mean_len, "stderr": None}}

    def close(self) -> None:
        if self._scorer is not None:
            self._scorer.close()
            self._scorer = None
