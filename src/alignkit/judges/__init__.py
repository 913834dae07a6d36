"""Judges: does a response meet its task's constraints?

Every judge is batch-first: ``judge(prompts, responses, metadata) -> list[JudgeVerdict]`` with ``value``
1 (satisfied), 0 (violated) or -1 (the judge itself failed, with a reason). :class:`MixtureOfJudges`
combines a task's judges by the all-must-pass rule and keeps every judge's verdicts.

Shipped judges (one module and one ``recipes/judges/NAME.yaml`` each): ``code``, ``math``,
``instruction_following``, ``format``, ``refusal`` and the LLM judges ``llm_factuality``, ``llm_safety``,
``llm_false_refusal``. Build one with :func:`load_judge` (``load_judge("math", timeout_s=2)``) or by
``hydra.utils.instantiate`` of its YAML.

A new judge subclasses :class:`Judge` and implements ``judge()`` (the whole batch) or ``judge_one()`` (one
response); a judge whose checks run as jobs elsewhere subclasses :class:`~alignkit.judges.base.BatchJudge`
(``make_payload``, ``run_batch``, ``to_verdict``), as the worker-pool judges (``ProcessJudge``) and the
sandboxed ``CodeJudge`` do.

This package imports the heavy pieces (torch, math-verify, the sandbox) lazily, so that the worker
processes of the rule judges start fast.
"""

from alignkit.judges.base import FAILED, SATISFIED, VIOLATED, Judge, JudgeVerdict
from alignkit.judges.loading import build_judge, load_judge
from alignkit.judges.mixture import MixtureOfJudges, MixtureResult

__all__ = [
    "FAILED",
    "SATISFIED",
    "VIOLATED",
    "Judge",
    "JudgeVerdict",
    "MixtureOfJudges",
    "MixtureResult",
    "build_judge",
    "load_judge",
]
