"""A constructed CGPO batch with satisfied, violated and failed samples, the trainer's gradient on it, and the
same gradient computed independently from per-sequence log-probabilities (closed forms of eq. 12, 14, 18).

Used by tests/integration/test_cgpo_gradients.py in one process and, as a script, under a 2-process CPU
``accelerate launch`` (each rank takes one of the two prompts; the data-parallel gradient must be the same).
"""

from __future__ import annotations

import copy
import math
import os
import sys
from dataclasses import replace
from pathlib import Path

import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from alignkit.generation import GenerationSettings  # noqa: E402
from alignkit.judges import Judge, JudgeVerdict, MixtureOfJudges  # noqa: E402
from alignkit.trainers.cgpo import CGPOTrainer, Task, TaskConfig  # noqa: E402
from alignkit.trainers.engine import RLTrainerConfig  # noqa: E402

PROMPTS = {"g-0": "Prompt zero: answer yes.", "g-1": "Prompt one: answer yes please."}
# K = 4 responses per prompt. Judge: "err" -> the judge fails (-1); "yes" -> satisfied; else violated.
# Reward: a table; "nan yes" -> the reward fails (None). ȳ = "yes" (r = 1).
COMPLETIONS = {"g-0": ["yes yes", "no", "err", "yes"], "g-1": ["nan yes", "yes please", "no no", "no thanks"]}
REWARD = {"yes yes": 2.0, "no": 0.5, "err": 0.1, "yes": 1.0, "nan yes": None, "yes please": 1.5, "no no": 3.0,
          "no thanks": 0.2}
BETA, LAM, KL_MAX_CRPG = 0.5, 2.0, 2.0
# What the paper's rules pick, worked out by hand from the tables above:
#   CODPO  g-0: y⁺ = "yes yes" (best satisfied), y⁻ = "no" (worst violated; "err" has a lower reward but its
#          judge failed, so it is not in X⁻); g-1: y⁺ = "yes please" ("nan yes" has no reward), y⁻ = "no thanks".
#   CRRAFT g-0: y* = "yes yes"; g-1: y* = "yes please".
CODPO_PAIRS = [("g-0", "yes yes", "no"), ("g-1", "yes please", "no thanks")]
CRRAFT_PICKS = [("g-0", "yes yes"), ("g-1", "yes please")]


class ScriptedGenerator:
    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.settings = GenerationSettings(max_new_tokens=8, temperature=1.0)
        self.by_prompt = {}

    def generate_ids(self, prompt_ids, n=1, *, temperature=None, max_new_tokens=None, progress=None):
        return [(completion_ids(self.tokenizer, text), False) for ids in prompt_ids
                for text in COMPLETIONS[self.by_prompt[tuple(ids)]][:n]]


class YesJudge(Judge):
    default_name = "says_yes"

    def judge(self, prompts, responses, metadata=None):
        return [JudgeVerdict.error("sandbox down") if "err" in r else
                JudgeVerdict.ok() if "yes" in r else JudgeVerdict.violated("no yes") for r in responses]


def table_reward(prompts, completions, metadata=None, **kw):
    return [REWARD[c.strip()] for c in completions]


def completion_ids(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]


def parts():
    from alignkit.models import load_model, load_tokenizer

    tok = load_tokenizer("tiny")
    policy = load_model("tiny", device="cpu")
    ref = copy.deepcopy(policy).eval().requires_grad_(False)
    gen = torch.Generator().manual_seed(7)
    with torch.no_grad():  # π ≠ π_ref, so that the KL terms of eq. 11, 14, 17 are not all zero
        for p in ref.parameters():
            p.add_(0.02 * torch.randn(p.shape, generator=gen))
    return tok, policy, ref


def task_config(optimizer: str, **options) -> TaskConfig:
    return TaskConfig(optimizer=optimizer, num_samples=4, prompts_per_step=2, beta=BETA, lam=LAM,
                      kl_max=KL_MAX_CRPG if optimizer == "crpg" else 1e6, baseline="reference", **options)


def trainer_gradient(optimizer: str, tok, policy, ref, accelerator, run_dir: Path, micro_batch_size: int = 64,
                     **options):
    """The flat gradient the trainer's optimizer step sees after one train_step (no clipping)."""
    from alignkit.generation import chat_prompt_ids

    records = [{"id": i, "task": "toy", "prompt": p, "metadata": {}, "reference": "yes"} for i, p in PROMPTS.items()]
    task = Task("t", task_config(optimizer, **options), records, table_reward, MixtureOfJudges([YesJudge()]), seed=0)
    generator = ScriptedGenerator(tok)
    generator.by_prompt = {tuple(chat_prompt_ids(tok, p)): i for i, p in PROMPTS.items()}
    cfg = replace(RLTrainerConfig(), max_grad_norm=0.0, learning_rate=1e-3, micro_batch_size=micro_batch_size,
                  progress=False, save_model=False)
    trainer = CGPOTrainer(accelerator=accelerator, model=copy.deepcopy(policy), ref_model=copy.deepcopy(ref),
                          tokenizer=tok, generator=generator, tasks=[task], trainer_cfg=cfg, run_dir=run_dir)
    seen = {}
    real = trainer.optimizer.step

    def capture(*a, **kw):
        seen["g"] = torch.cat([p.grad.detach().flatten().clone() if p.grad is not None else torch.zeros(p.numel())
                               for p in trainer.unwrapped.parameters()])
        return real(*a, **kw)

    trainer.optimizer.step = capture
    trainer.prepare_baselines()
    metrics = trainer.train_step(0)
    return seen["g"], metrics


def independent_gradient(optimizer: str, tok, policy, ref, baseline_estimator: str = "batch_mean",
                         loss_normalization: str = "sequence_sum") -> torch.Tensor:
    """Eq. 12 / 14 / 18 written out on log-probabilities from plain unpadded forward passes, then autograd.

    ``baseline_estimator=rloo``: each sample's baseline is the mean R̃ of the other valid samples of its prompt;
    ``loss_normalization=token_mean``: divided by the valid samples' tokens instead of their number."""
    from alignkit.generation import chat_prompt_ids

    model = copy.deepcopy(policy)

    def logp(m, pid: str, text: str) -> torch.Tensor:
        prompt, comp = chat_prompt_ids(tok, PROMPTS[pid]), completion_ids(tok, text)
        ids = torch.tensor([prompt + comp])
        logits = m(input_ids=ids).logits[0, len(prompt) - 1:-1].float()
        return torch.log_softmax(logits, -1).gather(-1, torch.tensor(comp)[:, None]).sum()

    def sigmoid(x: float) -> float:
        return 1.0 / (1.0 + math.exp(-x))

    r_ybar = REWARD["yes"]
    if optimizer == "crpg":
        terms = []  # (prompt, R̃, ℓ, tokens) of the samples eq. 12 uses: not "err" (judge failed), not "nan yes"
        for pid, texts in COMPLETIONS.items():
            for text in texts:
                if "err" in text or REWARD[text] is None:
                    continue
                lp = logp(model, pid, text)
                with torch.no_grad():
                    kl = float(lp) - float(logp(ref, pid, text))
                r_cr = sigmoid(REWARD[text] - r_ybar) if "yes" in text else 0.0  # R_cr: 0 on a violation
                terms.append((pid, max(1.0 - kl / KL_MAX_CRPG, 0.0) * r_cr, lp, len(completion_ids(tok, text))))
        mean = sum(r for _, r, _, _ in terms) / len(terms)
        advantages = []
        for i, (pid, r, _, _) in enumerate(terms):
            if baseline_estimator == "rloo":
                others = [r2 for j, (p2, r2, _, _) in enumerate(terms) if p2 == pid and j != i]
                advantages.append(r - sum(others) / len(others))
            else:
                advantages.append(r - mean)  # eq. 12's batch mean
        n = sum(t for *_, t in terms) if loss_normalization == "token_mean" else len(terms)
        loss = -sum(a * lp for a, (_, _, lp, _) in zip(advantages, terms, strict=True)) / n  # eq. 12
    elif optimizer == "codpo":
        per_pair = []
        for pid, chosen, rejected in CODPO_PAIRS:
            lc, lr = logp(model, pid, chosen), logp(model, pid, rejected)
            with torch.no_grad():
                rc, rr = logp(ref, pid, chosen), logp(ref, pid, rejected)
            margin = BETA * ((lc - rc) - (lr - rr))
            per_pair.append(-torch.nn.functional.logsigmoid(margin) - LAM * lc / len(completion_ids(tok, chosen)))
        loss = sum(per_pair) / len(per_pair)  # eq. 14
    else:
        picks = [(sigmoid(REWARD[text] - r_ybar), logp(model, pid, text)) for pid, text in CRRAFT_PICKS]
        loss = -sum(w * lp for w, lp in picks) / len(picks)  # eq. 18
    loss.backward()
    return torch.cat([p.grad.flatten() if p.grad is not None else torch.zeros(p.numel())
                      for p in model.parameters()])


def main(out: str) -> None:
    """Under ``accelerate launch``: every rank runs each optimizer's step; rank 0 saves the gradients."""
    import tempfile

    from accelerate import Accelerator

    tok, policy, ref = parts()
    acc = Accelerator(cpu=True)
    grads = {}
    for optimizer in ("crpg", "codpo", "crraft"):
        g, _ = trainer_gradient(optimizer, tok, policy, ref, acc, Path(tempfile.mkdtemp()), micro_batch_size=1)
        grads[optimizer] = g
    if acc.is_main_process:
        torch.save({"grads": grads, "world": acc.num_processes}, out)
    acc.wait_for_everyone()


if __name__ == "__main__":
    main(sys.argv[1])
