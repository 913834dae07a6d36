"""Seed spread of the LLM-judge training, and two ways to reduce it, on cached frozen-layer states.

    PYTHONPATH=src python scripts/judge_variance.py base,bal 0,1,2     # ~4 min caching + ~2 min per run here

Variants: ``base`` (the shipped recipe's loop: batches drawn in proportion to each judge's data) and ``bal`` (each
judge drawn equally in every batch); for each variant one line per seed, then one for the uniform average of the
seeds' trained layers (a weight soup). Validation accuracy uses the LLM judge's decision rule (log-sum of every
variant of the decision tokens). The loop re-implements ``alignkit.trainers.judge._train_judges`` on the trainer's
own encoding, caching and top-layer code, with its own random stream (so seed 0 here is not the shipped seed 0).
Measured results: README, "Judges, measured".
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from pathlib import Path

import torch

from alignkit.judges.llm import decision_token_ids
from alignkit.trainers import judge as J

JUDGES = ["llm_safety", "llm_false_refusal", "llm_factuality"]


class _NoProgress:
    def advance(self, *args, **kwargs) -> None:
        pass


def main(variants: list[str], seeds: list[int], out: Path) -> None:
    torch.set_num_threads(2)
    out.mkdir(parents=True, exist_ok=True)
    model, tok = J.load_truncated("smollm2-135m-instruct", 10)
    n_layers = model.config.num_hidden_layers
    split = n_layers - 1
    init = {k: v.clone() for k, v in model.state_dict().items()}
    enc: dict[str, dict] = {"train": {}, "val": {}}
    dec = {}
    for name in JUDGES:
        view = J._judge_view(name, model, tok)
        enc["train"][name] = J._encode(view, tok, J._labeled("shipped", name, "train"), 384)
        enc["val"][name] = J._encode(view, tok, J._labeled("shipped", name, "validation"), 384)
        dec[name] = (decision_token_ids(tok, view.positive, True), decision_token_ids(tok, view.negative, True),
                     view.invert)
    cache = out / "states.pt"
    if cache.exists():
        states = torch.load(cache)
    else:
        t0 = time.time()
        model.eval()
        states = {sp: {n: J._bottom_states(model, split, enc[sp][n], 32, _NoProgress(), None) for n in JUDGES}
                  for sp in ("train", "val")}
        torch.save(states, cache)
        print("cached", round(time.time() - t0), "s", flush=True)

    def evaluate() -> dict:
        model.eval()
        res = {}
        with torch.no_grad():
            for name in JUDGES:
                pos, neg, invert = dec[name]
                st, items, ok = states["val"][name], enc["val"][name], 0
                for s in range(0, len(st), 32):
                    lp = torch.log_softmax(J._top_logits(model, split, n_layers, st[s : s + 32], None), -1)
                    says_pos = lp[:, pos].logsumexp(-1) > lp[:, neg].logsumexp(-1)
                    for p, it in zip(says_pos.tolist(), items[s : s + 32], strict=True):
                        ok += int((p != invert) == (it["label"] == 1.0))
                res[name] = round(ok / len(st), 3)
        return res

    def train(seed: int, balanced: bool, epochs: float = 6.0, lr: float = 1.5e-3, bs: int = 16) -> dict:
        model.load_state_dict(init)
        torch.manual_seed(seed)
        rng = random.Random(seed)
        model.requires_grad_(False)
        trainable = list(model.model.layers[split].parameters()) + list(model.model.norm.parameters())
        for p in trainable:
            p.requires_grad_(True)
        items = [(n, i) for n in JUDGES for i in range(len(enc["train"][n]))]
        steps = math.ceil(epochs * len(items) / bs)
        opt = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.0)
        warm = max(1, round(0.1 * steps))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
        model.train()
        order: list = []
        queues: dict[str, list[int]] = {n: [] for n in JUDGES}
        for step in range(steps):
            if balanced:  # an equal share of each judge in every batch
                idx = []
                for j in range(bs):
                    n = JUDGES[(step * bs + j) % len(JUDGES)]
                    if not queues[n]:
                        queues[n] = list(range(len(enc["train"][n])))
                        rng.shuffle(queues[n])
                    idx.append((n, queues[n].pop()))
            else:  # the shipped loop: shuffled epochs over all items
                if len(order) < bs:
                    more = items[:]
                    rng.shuffle(more)
                    order += more
                idx, order = order[:bs], order[bs:]
            logits = J._top_logits(model, split, n_layers, [states["train"][n][i] for n, i in idx], None)
            loss = torch.nn.functional.cross_entropy(logits, torch.tensor([enc["train"][n][i]["target"]
                                                                           for n, i in idx]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            opt.step()
            sched.step()
        model.requires_grad_(False)
        return {k: v.clone() for k, v in model.state_dict().items()
                if k.startswith(f"model.layers.{split}.") or k.startswith("model.norm")}

    for var in variants:
        trained = []
        for seed in seeds:
            t0 = time.time()
            trained.append(train(seed, balanced=var == "bal"))
            print(json.dumps({**evaluate(), "variant": var, "seed": seed, "sec": round(time.time() - t0)}), flush=True)
        if len(trained) > 1:
            model.load_state_dict(init)
            model.load_state_dict({k: sum(t[k] for t in trained) / len(trained) for k in trained[0]}, strict=False)
            print(json.dumps({**evaluate(), "variant": f"{var}_soup", "seed": seeds}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1].split(","), [int(s) for s in sys.argv[2].split(",")],
         Path(sys.argv[3] if len(sys.argv) > 3 else "runs/judge_variance"))
