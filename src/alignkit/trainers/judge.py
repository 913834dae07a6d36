"""Training the embedded model into LLM judges (``alignkit judges train``), and the cached trained judges.

The paper's LLM judges read a template and answer Yes or No; the verdict compares P(Yes) with P(No) at the answer
position (:class:`alignkit.judges.llm.LLMJudge`). The untrained 135M model cannot do this (its answer is noise and
most of its next-token probability is on neither word), so this module *fine-tunes the answer token* (SFT on the
decision): every labeled item of the judge training sets (``data/shipped/judges/train/<judge>.jsonl``, written by
``datagen/judges.py``, disjoint from the validation sets) is rendered with the judge's own recipe (template, chat
template, system prompt) exactly as :class:`LLMJudge` renders it, and the loss is the cross-entropy, over the whole
vocabulary, of the judge's answer word ("Yes" when the item satisfies the constraint, "No" otherwise; swapped for
``invert`` judges) at the last position:

    L = - mean_i log p_θ(a_i | render(x_i, y_i))

One model learns the three judges (safety, false refusal, factuality); each judge recipe points at it
(``model: smollm2-135m-judges``) and the shared judge-model cache holds one copy.

CPU budget: the backbone is cut to its first ``num_layers`` transformer layers, only the top ``trainable_layers``
(and the final norm) are trained, and the frozen bottom's output is computed once per item and cached, so an epoch
costs the top layers only. ``method: classifier`` trains the same backbone with a one-logit score head (what
``AutoModelForSequenceClassification`` and the ``rm`` trainer use) and a binary cross-entropy instead; it was
measured against the SFT method (README) and is kept for that comparison only (its model is not an LLM judge).

:func:`trained_judges_path` returns the trained judges in the cache (``$ALIGNKIT_CACHE/models/smollm2-135m-judges``),
training them on first use (or ``make setup``) with ``recipes/judges_train/embedded.yaml``; a change of the training
data or recipe retrains them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alignkit.config.schema import RecipeBase

log = logging.getLogger(__name__)

TRAINED_JUDGES_NAME = "smollm2-135m-judges"
INFO_FILE = "alignkit_judges.json"
TRAIN_DIR = Path(__file__).resolve().parents[1] / "data" / "shipped" / "judges" / "train"
METHODS = ("sft", "classifier")


# --------------------------------------------------------------------------------------------------- schema
@dataclass
class JudgeTrainData:
    """Which judges to train, and on what."""

    judges: list[str] = field(default_factory=lambda: ["llm_safety", "llm_false_refusal", "llm_factuality"])
    train: str = "shipped"  # "shipped" (data/shipped/judges/train/<judge>.jsonl) or a folder of <judge>.jsonl
    validation: str = "shipped"  # "shipped" (each judge's validation set) or a folder of <judge>.jsonl


@dataclass
class JudgeTrainerConfig:
    """Optimisation of the judge model."""

    method: str = "sft"  # sft: cross-entropy of the answer token | classifier: score head + BCE (comparison)
    num_layers: int | None = 10  # keep the first N transformer layers of the base model; None: all
    trainable_layers: int = 1  # train the top K of those (and the final norm); the rest is frozen and cached
    epochs: float = 6.0
    learning_rate: float = 1.5e-3
    per_device_train_batch_size: int = 16
    warmup_ratio: float = 0.1
    weight_decay: float = 0.0
    max_length: int = 384  # tokens per rendered item; longer items lose their middle (the judge's max_field_chars)
    logging_steps: int = 10
    eval_untrained: bool = False  # also measure the untrained base model (all layers) on the validation sets: slow
    num_threads: int | None = None  # torch CPU threads (default: torch's)


@dataclass
class JudgeTrainRecipe(RecipeBase):
    """Schema of ``recipes/judges_train/*.yaml``."""

    data: JudgeTrainData = field(default_factory=JudgeTrainData)
    trainer: JudgeTrainerConfig = field(default_factory=JudgeTrainerConfig)

    @staticmethod
    def check(cfg) -> None:
        from alignkit.errors import ConfigError

        t = cfg.trainer
        if t.method not in METHODS:
            raise ConfigError(f"trainer.method={t.method!r}: use one of {', '.join(METHODS)}.")
        if t.num_layers is not None and t.num_layers < 1:
            raise ConfigError("trainer.num_layers must be >= 1, or null for the whole model.")
        if t.trainable_layers < 1 or (t.num_layers is not None and t.trainable_layers > t.num_layers):
            raise ConfigError("trainer.trainable_layers must be between 1 and trainer.num_layers.")
        if t.epochs <= 0 or t.per_device_train_batch_size < 1:
            raise ConfigError("trainer.epochs must be > 0 and trainer.per_device_train_batch_size >= 1.")
        if not cfg.data.judges:
            raise ConfigError("data.judges is empty: name at least one LLM judge (llm_safety, ...).")


# ----------------------------------------------------------------------------------------------------- data
def _labeled(source: str, judge: str, split: str) -> list[dict[str, Any]]:
    from alignkit.errors import DataError
    from alignkit.judges.check import load_labeled

    if source == "shipped":
        path = TRAIN_DIR / f"{judge}.jsonl" if split == "train" else None
        return load_labeled(path if path is not None else judge)
    path = Path(source).expanduser() / f"{judge}.jsonl"
    if not path.is_file():
        raise DataError(f"data.{split}={source}: no {judge}.jsonl in that folder.")
    return load_labeled(path)


def _judge_view(name: str, model: Any, tokenizer: Any) -> Any:
    """The judge recipe ``name`` as an :class:`LLMJudge` on ``model`` (for rendering and measuring)."""
    from alignkit.errors import ConfigError
    from alignkit.judges import load_judge
    from alignkit.judges.llm import LLMJudge

    judge = load_judge(name, model=model, tokenizer=tokenizer)
    if not isinstance(judge, LLMJudge):
        raise ConfigError(f"data.judges: {name!r} is not an LLM judge (only LLM judges are trained).")
    return judge


def _encode(judge: Any, tokenizer: Any, items: list[dict[str, Any]], max_length: int) -> list[dict[str, Any]]:
    """Token ids of each rendered item and its target: the answer word's token and the satisfied label."""
    pos = tokenizer.encode(judge.positive_word, add_special_tokens=False)[0]
    neg = tokenizer.encode(judge.negative_word, add_special_tokens=False)[0]
    out = []
    for it in items:
        text = judge.render(it["prompt"], it["response"], it["metadata"])
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) > max_length:  # keep the end (question and answer position) and the start
            ids = ids[: max_length // 4] + ids[-(max_length - max_length // 4):]
        satisfied = it["expected"] == 1
        says_positive = satisfied != judge.invert
        out.append({"ids": ids, "target": pos if says_positive else neg, "label": float(satisfied)})
    return out


# ---------------------------------------------------------------------------------------------------- model
@contextlib.contextmanager
def _only_layers(model: Any, start: int, stop: int, final_norm: bool) -> Iterator[Any]:
    """Run ``model`` (a Llama-style causal LM) with layers ``[start, stop)`` only, with or without its final norm."""
    import torch

    inner = model.model
    layers, norm, n = inner.layers, inner.norm, model.config.num_hidden_layers
    inner.layers = torch.nn.ModuleList(list(layers)[start:stop])
    model.config.num_hidden_layers = stop - start
    if not final_norm:
        inner.norm = torch.nn.Identity()
    try:
        yield model
    finally:
        inner.layers, inner.norm, model.config.num_hidden_layers = layers, norm, n


def _left_pad(rows: list[Any], width: int, fill: Any) -> tuple[Any, Any]:
    """Stack variable-length rows (token ids, or hidden states) left-padded to ``width``: (values, mask)."""
    import torch

    values = torch.full((len(rows), width, *rows[0].shape[1:]), fill, dtype=rows[0].dtype)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for r, row in enumerate(rows):
        values[r, width - len(row):] = row
        mask[r, width - len(row):] = 1
    return values, mask


def _bottom_states(model: Any, split: int, encoded: list[dict[str, Any]], batch_size: int, progress: Any,
                   task: Any) -> list[Any]:
    """Output of the frozen bottom (embeddings and layers ``[0, split)``) for every item, unpadded."""
    import torch

    pad = model.config.pad_token_id or 0
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]["ids"]))
    states: list[Any] = [None] * len(encoded)
    with torch.no_grad(), _only_layers(model, 0, split, final_norm=False):
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            rows = [torch.tensor(encoded[i]["ids"]) for i in idx]
            ids, mask = _left_pad(rows, max(len(r) for r in rows), pad)
            positions = (mask.cumsum(-1) - 1).clamp(min=0)
            hidden = model.model(input_ids=ids, attention_mask=mask, position_ids=positions,
                                 use_cache=False).last_hidden_state
            for r, i in enumerate(idx):
                states[i] = hidden[r, -len(rows[r]):].clone()
            progress.advance(task, len(idx))
    return states


def _top_logits(model: Any, split: int, stop: int, states: list[Any], head: Any | None) -> Any:
    """Layers ``[split, stop)``, the final norm and the head on cached bottom states, read at the last position:
    vocabulary logits (``head=None``) or the score head's logit."""
    hidden, mask = _left_pad(states, max(len(s) for s in states), 0.0)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    last = stop - 1
    if type(model.model.layers[last].self_attn).__name__ == "LlamaAttention":
        if last > split:  # the layers below the last one run over every position
            with _only_layers(model, split, last, final_norm=False):
                hidden = model.model(inputs_embeds=hidden, attention_mask=mask, position_ids=positions,
                                     use_cache=False).last_hidden_state
        return _last_layer_at_last_position(model, last, hidden, mask, positions, head)
    with _only_layers(model, split, stop, final_norm=True):
        if head is None:
            return model(inputs_embeds=hidden, attention_mask=mask, position_ids=positions, use_cache=False,
                         logits_to_keep=1).logits[:, -1, :].float()
        out = model.model(inputs_embeds=hidden, attention_mask=mask, position_ids=positions,
                          use_cache=False).last_hidden_state[:, -1, :]
        return head(out).squeeze(-1).float()


def _last_layer_at_last_position(model: Any, index: int, hidden: Any, mask: Any, positions: Any,
                                 head: Any | None) -> Any:
    """Layer ``index`` (the last one) of a Llama model, its final norm and head, at the last position only.

    The answer is read at the last position, and the last layer's output there needs the keys and values of every
    position but the query, attention output and MLP of that one position only: the same numbers as the full
    layer (tested against it) for a fraction of the cost, which is what makes training on a CPU quick.
    """
    import torch
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb, repeat_kv

    layer = model.model.layers[index]
    attn = layer.self_attn
    cos, sin = model.model.rotary_emb(hidden, positions)
    x = layer.input_layernorm(hidden)
    batch, length, _ = x.shape
    q = attn.q_proj(x[:, -1:]).view(batch, 1, -1, attn.head_dim).transpose(1, 2)
    k = attn.k_proj(x).view(batch, length, -1, attn.head_dim).transpose(1, 2)
    v = attn.v_proj(x).view(batch, length, -1, attn.head_dim).transpose(1, 2)
    q, _ = apply_rotary_pos_emb(q, q, cos[:, -1:], sin[:, -1:])
    _, k = apply_rotary_pos_emb(k, k, cos, sin)
    k, v = repeat_kv(k, attn.num_key_value_groups), repeat_kv(v, attn.num_key_value_groups)
    scores = (q @ k.transpose(-1, -2)) * attn.scaling  # (batch, heads, 1, length): the last query sees every key
    scores = scores.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
    out = torch.softmax(scores.float(), dim=-1).to(v.dtype) @ v
    h = hidden[:, -1] + attn.o_proj(out.transpose(1, 2).reshape(batch, -1))
    h = h + layer.mlp(layer.post_attention_layernorm(h))
    h = model.model.norm(h)
    return model.lm_head(h).float() if head is None else head(h).squeeze(-1).float()


def _run_layers(model: Any, start: int, stop: int, states: list[Any], batch_size: int = 32) -> list[Any]:
    """Continue cached states through layers ``[start, stop)`` (no final norm), unpadded."""
    import torch

    out: list[Any] = []
    with torch.no_grad(), _only_layers(model, start, stop, final_norm=False):
        for b in range(0, len(states), batch_size):
            chunk = states[b : b + batch_size]
            hidden, mask = _left_pad(chunk, max(len(s) for s in chunk), 0.0)
            positions = (mask.cumsum(-1) - 1).clamp(min=0)
            res = model.model(inputs_embeds=hidden, attention_mask=mask, position_ids=positions,
                              use_cache=False).last_hidden_state
            out.extend(res[r, -len(s):].clone() for r, s in enumerate(chunk))
    return out


def load_truncated(base: str, num_layers: int | None) -> tuple[Any, Any]:
    """The base causal LM cut to its first ``num_layers`` layers (fp32, CPU), and its tokenizer."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    from alignkit.models import TINY_NAME, build_tiny, load_tokenizer
    from alignkit.models.loading import resolve

    if base == TINY_NAME:  # tests: a random small Llama with the embedded tokenizer
        tokenizer = load_tokenizer(base)
        model = build_tiny(tokenizer)
        if num_layers:
            model.model.layers = model.model.layers[:num_layers]
            model.config.num_hidden_layers = len(model.model.layers)
        return model, tokenizer
    source = resolve(base)
    config = AutoConfig.from_pretrained(source)
    if num_layers:
        config.num_hidden_layers = min(num_layers, config.num_hidden_layers)
        if getattr(config, "layer_types", None):
            config.layer_types = config.layer_types[: config.num_hidden_layers]
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the dropped layers are expected
    try:
        model = AutoModelForCausalLM.from_pretrained(source, config=config, dtype=torch.float32)
    finally:
        hf_logging.set_verbosity(verbosity)
    tokenizer = load_tokenizer(base)
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


# ------------------------------------------------------------------------------------------------- training
def train_judges(cfg: Any, run_dir: Path) -> dict[str, Any]:
    """:func:`_train_judges` with ``trainer.num_threads`` torch threads, the caller's setting restored after."""
    from alignkit.trainers.common import torch_threads

    with torch_threads(cfg.trainer.num_threads):
        return _train_judges(cfg, run_dir)


def _train_judges(cfg: Any, run_dir: Path) -> dict[str, Any]:
    """Train the judge model described by a :class:`JudgeTrainRecipe` into ``<run_dir>/model``; measure it."""
    import torch

    from alignkit.progress import make_progress
    from alignkit.runs import MetricsLog

    t, d = cfg.trainer, cfg.data
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    model, tokenizer = load_truncated(cfg.model.name_or_path, t.num_layers)
    n_layers = model.config.num_hidden_layers
    split = n_layers - t.trainable_layers

    encoded: list[dict[str, Any]] = []
    per_judge: dict[str, int] = {}
    for name in d.judges:
        judge = _judge_view(name, model, tokenizer)
        rows = _encode(judge, tokenizer, _labeled(d.train, name, "train"), t.max_length)
        per_judge[name] = len(rows)
        encoded.extend(rows)
    log.info("judge training: %d items (%s), %s on the top %d of %d layers of %s", len(encoded),
             ", ".join(f"{k} {v}" for k, v in per_judge.items()), t.method, t.trainable_layers, n_layers,
             cfg.model.name_or_path)

    model.requires_grad_(False)
    head = None
    trainable = [p for layer in list(model.model.layers)[split:] for p in layer.parameters()]
    trainable += list(model.model.norm.parameters())
    if t.method == "classifier":
        head = torch.nn.Linear(model.config.hidden_size, 1, bias=True)
        torch.nn.init.normal_(head.weight, std=model.config.hidden_size ** -0.5)
        torch.nn.init.zeros_(head.bias)
        trainable += list(head.parameters())
    for p in trainable:
        p.requires_grad_(True)
    steps = max(1, math.ceil(t.epochs * len(encoded) / t.per_device_train_batch_size))
    optimizer = torch.optim.AdamW(trainable, lr=t.learning_rate, weight_decay=t.weight_decay)
    warmup = max(1, int(round(t.warmup_ratio * steps)))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    metrics = MetricsLog(Path(run_dir) / "metrics.jsonl")

    start = time.perf_counter()
    with make_progress() as progress:
        task = progress.add_task("caching the frozen layers", total=len(encoded), info="")
        model.eval()
        states = _bottom_states(model, split, encoded, 2 * t.per_device_train_batch_size, progress, task)
        cache_seconds = time.perf_counter() - start
        task = progress.add_task(f"training the judges ({t.method})", total=steps, info="")
        model.train()
        order: list[int] = []
        running, seen = 0.0, 0
        for step in range(1, steps + 1):
            if len(order) < t.per_device_train_batch_size:
                more = list(range(len(encoded)))
                rng.shuffle(more)
                order += more
            idx, order = order[: t.per_device_train_batch_size], order[t.per_device_train_batch_size:]
            out = _top_logits(model, split, n_layers, [states[i] for i in idx], head)
            if head is None:
                target = torch.tensor([encoded[i]["target"] for i in idx])
                loss = torch.nn.functional.cross_entropy(out, target)
            else:
                label = torch.tensor([encoded[i]["label"] for i in idx])
                loss = torch.nn.functional.binary_cross_entropy_with_logits(out, label)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            running, seen = running + loss.item(), seen + 1
            if step % t.logging_steps == 0 or step == steps:
                metrics.write(step, {"loss": running / seen, "learning_rate": scheduler.get_last_lr()[0],
                                     "epoch": step * t.per_device_train_batch_size / len(encoded)})
                progress.update(task, info=f"loss {running / seen:.3f}")
                running, seen = 0.0, 0
            progress.advance(task)
    train_seconds = time.perf_counter() - start
    model.eval()
    model.requires_grad_(False)
    del states

    result: dict[str, Any] = {"method": t.method, "base_model": cfg.model.name_or_path, "num_layers": n_layers,
                              "trainable_layers": t.trainable_layers, "steps": steps, "n_train": len(encoded),
                              "train_items": per_judge, "cache_seconds": round(cache_seconds, 1),
                              "train_seconds": round(train_seconds, 1)}
    if head is None:
        folder = Path(run_dir) / "model"
        model.config.name_or_path = TRAINED_JUDGES_NAME
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        (folder / INFO_FILE).write_text(json.dumps({"fingerprint": fingerprint(), **result}, indent=1))
        result["output_dir"] = str(folder)
        result.update(_measure(model, tokenizer, d, "trained"))
    else:
        result.update(_measure_classifier(model, tokenizer, head, split, d, t))
    if t.eval_untrained:
        from alignkit.models import load_model

        base = load_model(cfg.model.name_or_path, device="cpu", trainable=False)
        result.update(_measure(base, tokenizer, d, "untrained"))
    return result


def _measure(model: Any, tokenizer: Any, d: Any, label: str) -> dict[str, Any]:
    """Accuracy and decision mass of every judge on its validation set (the same path as ``judges check``)."""
    from alignkit.judges.check import check_judge

    out: dict[str, Any] = {}
    for name in d.judges:
        judge = _judge_view(name, model, tokenizer)
        items = _labeled(d.validation, name, "validation")
        report = check_judge(judge, items, data_label=f"{name} validation")
        out[f"{label}/{name}/accuracy"] = report.accuracy
        out[f"{label}/{name}/decision_mass"] = report.mean_decision_mass
        out[f"{label}/{name}/n"] = report.n
        log.info("%s judge %s: validation accuracy %.3f (n=%d), decision-token mass %.3f", label, name,
                 report.accuracy, report.n, report.mean_decision_mass or float("nan"))
    return out


def _measure_classifier(model: Any, tokenizer: Any, head: Any, split: int, d: Any, t: Any) -> dict[str, Any]:
    """Validation accuracy of the score-head classifier (P(satisfied) = sigmoid(score) >= 0.5)."""
    import torch

    from alignkit.progress import make_progress

    out: dict[str, Any] = {}
    n_layers = model.config.num_hidden_layers
    for name in d.judges:
        judge = _judge_view(name, model, tokenizer)
        enc = _encode(judge, tokenizer, _labeled(d.validation, name, "validation"), t.max_length)
        with make_progress(transient=True) as progress:
            task = progress.add_task(f"measuring {name}", total=len(enc), info="")
            states = _bottom_states(model, split, enc, 2 * t.per_device_train_batch_size, progress, task)
        correct = 0
        with torch.no_grad():
            for s in range(0, len(enc), 32):
                logits = _top_logits(model, split, n_layers, states[s : s + 32], head)
                correct += sum(int((float(z) >= 0) == (e["label"] == 1.0)) for z, e in zip(logits, enc[s : s + 32],
                                                                                            strict=True))
        out[f"trained/{name}/accuracy"] = correct / len(enc)
        out[f"trained/{name}/n"] = len(enc)
        log.info("classifier judge %s: validation accuracy %.3f (n=%d)", name, correct / len(enc), len(enc))
    return out


def run(cfg, run_dir: Path, resume_from: Path | None = None) -> dict[str, Any]:
    """``alignkit judges train``: train the judges into ``<run>/model`` and report their validation accuracy."""
    if resume_from is not None:
        log.warning("judge training is short and keeps no checkpoints: training again from the start")
    result = train_judges(cfg, run_dir)
    from alignkit.runs import atomic_write_json

    atomic_write_json(Path(run_dir) / "metrics.json", result)
    return result


# -------------------------------------------------------------------------------------------- the cached judges
def _recipe_file() -> Path:
    from alignkit.config import builtin_recipes_dir as recipes_dir

    return recipes_dir() / "judges_train" / "embedded.yaml"


def fingerprint() -> str:
    """Hash of what the cached judges are built from: the training sets, the training recipe's settings and, per
    judge, what the model reads and answers (template, system prompt, chat template, answer words). Comments and
    other settings (batch size, device, threshold) do not count."""
    import yaml

    from alignkit.config import builtin_recipes_dir as recipes_dir

    h = hashlib.sha256()
    for path in sorted(TRAIN_DIR.glob("*.jsonl")):
        h.update(path.name.encode() + path.read_bytes())
    recipe = yaml.safe_load(_recipe_file().read_text())
    h.update(json.dumps({k: recipe.get(k) for k in ("defaults", "data", "trainer")}, sort_keys=True).encode())
    for name in recipe.get("data", {}).get("judges", []):
        judge = yaml.safe_load((recipes_dir() / "judges" / f"{name}.yaml").read_text())
        keys = ("template", "system_prompt", "use_chat_template", "positive", "negative", "invert", "input_format",
                "answer_prefix", "max_field_chars")
        h.update(json.dumps({k: judge.get(k) for k in keys}, sort_keys=True).encode())
    return h.hexdigest()[:16]


def trained_judges_path(build: bool = True) -> Path:
    """The trained judges (``smollm2-135m-judges``) in the cache, trained first if absent or out of date.

    Training runs ``recipes/judges_train/embedded.yaml`` (a few minutes on a laptop CPU) once per cache; a change
    of the shipped training sets, that recipe or the LLM judge templates retrains. Processes that start at once
    wait for one another (a file lock).
    """
    import fcntl

    from alignkit.errors import ModelError
    from alignkit.models.loading import cache_dir

    target = cache_dir() / "models" / TRAINED_JUDGES_NAME

    def current() -> bool:
        info = target / INFO_FILE
        if not (target / "config.json").is_file() or not info.is_file():
            return False
        return json.loads(info.read_text()).get("fingerprint") == fingerprint()

    if current():
        return target
    if not build:
        raise ModelError(f"the trained judges are not in {target}; build them with `alignkit judges train "
                         f"output_dir=...` or by using a judge once (model: {TRAINED_JUDGES_NAME}).")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{TRAINED_JUDGES_NAME}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if current():
            return target
        stale = target.exists()
        log.warning("%s the LLM judges (%s) into %s: a one-time job of a few minutes on a CPU",
                    "Retraining (their training data or recipe changed)" if stale else "Training",
                    TRAINED_JUDGES_NAME, target)
        from alignkit.config import compose_recipe

        tmp = Path(tempfile.mkdtemp(prefix=".judges-", dir=target.parent))
        try:
            cfg = compose_recipe("judges-train", "judges_train", str(_recipe_file()), [f"output_dir={tmp}"],
                                 JudgeTrainRecipe)
            result = train_judges(cfg, tmp)
            (tmp / "model" / "metrics.json").write_text(json.dumps(result, indent=1, default=str))
            if stale:
                shutil.rmtree(target)
            os.replace(tmp / "model", target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        log.info("trained judges ready in %s (%s)", target,
                 ", ".join(f"{k.split('/')[1]} {v:.2f}" for k, v in result.items() if k.endswith("/accuracy")))
    return target
