"""Short fixed-seed ``alignkit cgpo`` runs on the tiny model whose metrics and final parameters are recorded
as fixtures (tests/fixtures/golden/*.json) before the RL engine was factored out of ``cgpo.py``.

``python tests/golden/golden_runs.py`` re-records them (only when a change of behaviour is intended, and said so
in the commit); ``tests/golden/test_golden.py`` re-runs them and compares.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "golden"

# name -> (recipe, overrides). Every run: tiny policy, 2 steps, short responses, a learning rate large enough
# for the parameters to move visibly. The coding and codpo runs swap the unit-test reward (0 for every random
# answer) for the tiny model's LLM helpfulness score, so that rewards differ and the losses have gradients;
# the code judge is dropped for the same reason (a random model never passes unit tests), the format judge
# stays, so satisfied and violated responses both occur.
# The tiny LLM judges answer at random, so the start-of-training judge check is off (it changes nothing else).
# The fixtures were sampled with HF generate: generation.backend=hf keeps it (issue 16 made the continuous-batching
# fast path the CPU default; it draws other random numbers, so its samples differ for the same seed).
COMMON = ["model=tiny", "trainer.progress=false", "trainer.save_model=false", "trainer.max_steps=2", "seed=3",
          "judge_check.enabled=false", "generation.backend=hf"]
# The coding recipe became the CPU demo (issue 16: coding_easy, B=4 x K=4 at T=0.7, held-out eval, charts); the
# fixtures keep the task as it was recorded: the coding problems, B=2 x K=4 at generation.temperature, no eval
# (and coding_crpg its micro-batches of 8), with the task's optimizer (crpg; the demo's is crraft).
CODING_AS_RECORDED = ["tasks.coding.optimizer=crpg", "tasks.coding.data.source=coding", "tasks.coding.prompts_per_step=2",
                      "tasks.coding.num_samples=4", "tasks.coding.temperature=null", "eval.tasks=[]",
                      "trainer.plot=false"]
LLM_REWARD = [*CODING_AS_RECORDED, "rewards@tasks.coding.reward=llm_helpfulness", "tasks.coding.reward.judge.model=tiny",
              "tasks.coding.judges.code=null", "tasks.coding.judges.format=null",
              "+judges@tasks.coding.judges.llm_safety=llm_safety", "tasks.coding.judges.llm_safety.model=tiny",
              "tasks.coding.max_new_tokens=10"]
CHAT = {"chat_general": "llm_false_refusal", "chat_factual": "llm_factuality", "chat_harmful": "llm_safety"}
RUNS: dict[str, tuple[str, list[str]]] = {
    "coding_crpg": ("coding", [*LLM_REWARD, "trainer.learning_rate=1e-3", "trainer.micro_batch_size=8"]),
    "instruction_following_crraft": ("instruction_following", [
        "tasks.instruction_following.max_new_tokens=10", "trainer.learning_rate=1e-3",
        "tasks.instruction_following.kl_max=100"]),
    "coding_codpo": ("coding", [*LLM_REWARD, "tasks.coding.optimizer=codpo", "trainer.learning_rate=1e-3",
                                "trainer.micro_batch_size=3"]),
    "multitask": ("multitask", [
        "trainer.learning_rate=1e-3", "trainer.max_steps=1",
        *[f"tasks.{t}.max_new_tokens=8" for t in ("coding", "math", "instruction_following", *CHAT)],
        *[f"tasks.{t}.reward.judge.model=tiny" for t in CHAT],
        *[f"tasks.{t}.judges.{j}.model=tiny" for t, j in CHAT.items()]]),
}
# Metrics that measure time, not behaviour.
VOLATILE = ("time/", "time", "train_seconds")
N_DIRECTIONS = 8


def _flat(model) -> torch.Tensor:
    return torch.cat([p.detach().double().flatten().cpu() for p in model.parameters()])


def fingerprint(initial: torch.Tensor, final: torch.Tensor) -> dict[str, list[float] | float]:
    """The parameter update Δθ = θ_final − θ_init: its norm and its projections on fixed random directions
    (comparable to float tolerance, unlike a hash of the parameters)."""
    delta = final - initial
    gen = torch.Generator().manual_seed(1234)
    proj = [float(delta @ torch.randn(delta.numel(), generator=gen, dtype=torch.float64))
            for _ in range(N_DIRECTIONS)]
    return {"delta_norm": float(delta.norm()), "delta_projections": proj}


def _single_token_decisions(node) -> None:
    """Give every LLM judge the decision rule the fixtures were recorded with: the single tokens "Yes" / "No".
    Issue 15 made every spelling of the words count by default (``token_variants``), which changes what a random
    tiny judge says; that change is the judges', not the engine's, so the fixtures keep the old rule."""
    from omegaconf import DictConfig, ListConfig, open_dict

    if isinstance(node, DictConfig):
        if node.get("_target_") == "alignkit.judges.llm.LLMJudge":
            with open_dict(node):
                node.token_variants = False
        for value in node.values():
            _single_token_decisions(value)
    elif isinstance(node, ListConfig):
        for value in node:
            _single_token_decisions(value)


def execute(name: str, run_dir: Path) -> dict:
    """Run golden ``name`` in ``run_dir``; returns {"metrics": [...], "fingerprint": {...}}."""
    from alignkit.config import compose_recipe
    from alignkit.models import load_model
    from alignkit.trainers.cgpo import CGPORecipe, run

    recipe, overrides = RUNS[name]
    cfg = compose_recipe("cgpo", "cgpo", recipe, [*COMMON, f"output_dir={run_dir}", *overrides], CGPORecipe)
    _single_token_decisions(cfg)
    initial = _flat(load_model("tiny", device="cpu"))
    final: dict[str, torch.Tensor] = {}

    def capture(trainer, step, metrics):
        final["theta"] = _flat(trainer.accelerator.unwrap_model(trainer.model))

    torch.manual_seed(cfg.seed)  # as the CLI does
    run(cfg, run_dir, None, callbacks=[capture])
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    rows = [{k: v for k, v in r.items() if not k.startswith(VOLATILE) and "/time/" not in k} for r in rows]
    return {"recipe": recipe, "overrides": overrides, "metrics": rows,
            "fingerprint": fingerprint(initial, final["theta"])}


def main(names: list[str]) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name in names or list(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            result = execute(name, Path(tmp))
        (FIXTURES / f"{name}.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
        print(name, json.dumps(result["fingerprint"])[:200])


if __name__ == "__main__":
    main(sys.argv[1:])
