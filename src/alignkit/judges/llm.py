"""LLM-based judges: a judge model reads a template and the verdict compares two next-token probabilities.

The template is filled with ``{prompt}``, ``{response}`` and any metadata field (``{gold}``...), wrapped
in the judge model's chat template, and run through the model once (batched). The verdict compares the
probability of the positive token (e.g. "Yes") with that of the negative token ("No"):
``score = P(pos) / (P(pos) + P(neg))`` and the constraint holds when ``score >= threshold``. Both the bare
and the space-prefixed spelling of each token are counted. A template field missing from an item's
metadata makes that item's verdict -1.

Any causal LM works: a name understood by :func:`alignkit.models.load_model` (default: the embedded
SmolLM2), a local HF folder or hub id, or an already loaded module with its tokenizer. Loaded judge models
are cached per (name, device, dtype), so several LLM judges share one copy. A user adds a judge by writing
a YAML with a new ``template`` (see ``recipes/judges/llm_*.yaml``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any

from alignkit.judges.base import Judge, JudgeVerdict

_MODEL_CACHE: dict[tuple[str, str, str], tuple[Any, Any]] = {}
_CACHE_LOCK = threading.Lock()


def load_judge_model(name: str, device: str = "auto", dtype: str = "auto") -> tuple[Any, Any]:
    """Load (once per process) a frozen causal LM and its tokenizer for judging."""
    key = (name, device, dtype)
    with _CACHE_LOCK:
        if key not in _MODEL_CACHE:
            from alignkit.models import load_model, load_tokenizer

            model = load_model(name, device=device, dtype=dtype, trainable=False)
            _MODEL_CACHE[key] = (model, load_tokenizer(name))
        return _MODEL_CACHE[key]


def clear_judge_model_cache() -> None:
    """Forget the cached judge models (frees their memory once no judge holds them)."""
    with _CACHE_LOCK:
        _MODEL_CACHE.clear()


class _Fields(dict):
    """Template fields; a missing one raises a clear KeyError."""

    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


class LLMJudge(Judge):
    """Judge by comparing P(positive token) with P(negative token) after a filled template.

    Args:
        model: a model name/path for :func:`alignkit.models.load_model`, or a loaded causal LM module
            (then ``tokenizer`` is required).
        template: the judge instruction with ``{prompt}``, ``{response}`` and metadata fields (literal
            braces are written ``{{`` and ``}}``).
        positive, negative: the two answer tokens (their first token is used, with and without a
            leading space).
        threshold: the constraint holds when ``P(pos) / (P(pos) + P(neg)) >= threshold``.
        invert: the positive token means a *violation* (e.g. "Does the response refuse?").
        batch_size: items per forward pass.
        tokenizer: tokenizer (or a name for :func:`alignkit.models.load_tokenizer`) when ``model`` is a module.
        device, dtype: where and how a named model is loaded ("auto": GPU when available).
        system_prompt: optional system message before the filled template.
        max_field_chars: prompt/response fields longer than this are cut (middle elided) to bound cost.
        use_chat_template: wrap the filled template in the tokenizer's chat template.
    """

    default_name = "llm"

    def __init__(
        self,
        name: str | None = None,
        model: str | Any = "smollm2-135m-instruct",
        template: str = "{prompt}\n\n{response}\n\nIs this response acceptable? Answer Yes or No.",
        positive: str = "Yes",
        negative: str = "No",
        threshold: float = 0.5,
        invert: bool = False,
        batch_size: int = 8,
        tokenizer: Any = None,
        device: str = "auto",
        dtype: str = "auto",
        system_prompt: str | None = None,
        max_field_chars: int = 4000,
        use_chat_template: bool = True,
    ) -> None:
        super().__init__(name)
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("threshold must be in [0, 1]")
        self.model_spec = model
        self.template = template
        self.positive, self.negative = positive, negative
        self.threshold = threshold
        self.invert = invert
        self.batch_size = max(1, int(batch_size))
        self.device, self.dtype = device, dtype
        self.system_prompt = system_prompt
        self.max_field_chars = max_field_chars
        self.use_chat_template = use_chat_template
        self._tokenizer_spec = tokenizer
        self._model: Any = None
        self._tokenizer: Any = None
        self._pos_ids: list[int] = []
        self._neg_ids: list[int] = []

    # ------------------------------------------------------------------ model
    def _ensure_model(self) -> None:
        if self._model is not None:
            return
        if isinstance(self.model_spec, str):
            model, tokenizer = load_judge_model(self.model_spec, self.device, self.dtype)
        else:
            model, tokenizer = self.model_spec, self._tokenizer_spec
            if tokenizer is None:
                raise ValueError("LLMJudge with a loaded model needs `tokenizer=`")
        if isinstance(tokenizer, str):
            from alignkit.models import load_tokenizer

            tokenizer = load_tokenizer(tokenizer)
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        self._pos_ids = self._token_ids(tokenizer, self.positive)
        self._neg_ids = self._token_ids(tokenizer, self.negative)
        if set(self._pos_ids) & set(self._neg_ids):
            raise ValueError(f"positive {self.positive!r} and negative {self.negative!r} share a first token")
        self._model, self._tokenizer = model, tokenizer

    @staticmethod
    def _token_ids(tokenizer: Any, word: str) -> list[int]:
        ids = []
        for variant in (word, " " + word.lstrip()):
            encoded = tokenizer.encode(variant, add_special_tokens=False)
            if encoded and encoded[0] not in ids:
                ids.append(encoded[0])
        if not ids:
            raise ValueError(f"{word!r} encodes to no token")
        return ids

    # ------------------------------------------------------------------ text
    def _cut(self, text: str) -> str:
        if len(text) <= self.max_field_chars:
            return text
        half = self.max_field_chars // 2
        return text[:half] + "\n[...]\n" + text[-half:]

    def render(self, prompt: str, response: str, metadata: dict[str, Any]) -> str:
        """The judge model's input text for one item (raises KeyError for a missing field)."""
        fields = _Fields({k: v for k, v in metadata.items() if isinstance(v, str | int | float | bool)})
        fields.update(prompt=self._cut(prompt), response=self._cut(response))
        filled = self.template.format_map(fields)
        if not self.use_chat_template or not getattr(self._tokenizer, "chat_template", None):
            return filled
        messages = [{"role": "user", "content": filled}]
        if self.system_prompt:
            messages.insert(0, {"role": "system", "content": self.system_prompt})
        return self._tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    # ------------------------------------------------------------------ scoring
    def positive_probabilities(self, texts: Sequence[str]) -> list[float]:
        """``P(pos) / (P(pos) + P(neg))`` of the next token after each rendered text."""
        import torch

        self._ensure_model()
        model, tok = self._model, self._tokenizer
        device = next(model.parameters()).device
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        scores = [0.0] * len(texts)
        old_side = tok.padding_side
        tok.padding_side = "left"
        try:
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                enc = tok(
                    [texts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False
                )
                input_ids = enc["input_ids"].to(device)
                mask = enc["attention_mask"].to(device)
                positions = (mask.cumsum(-1) - 1).clamp(min=0)
                with torch.no_grad():
                    logits = model(input_ids=input_ids, attention_mask=mask, position_ids=positions).logits
                logprobs = torch.log_softmax(logits[:, -1, :].float(), dim=-1)
                pos = torch.logsumexp(logprobs[:, self._pos_ids], dim=-1)
                neg = torch.logsumexp(logprobs[:, self._neg_ids], dim=-1)
                probs = torch.sigmoid(pos - neg).tolist()
                for i, p in zip(idx, probs, strict=True):
                    scores[i] = float(p)
        finally:
            tok.padding_side = old_side
        return scores

    def judge(
        self,
        prompts: Sequence[str],
        responses: Sequence[str],
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> list[JudgeVerdict]:
        self._ensure_model()
        meta = metadata if metadata is not None else [{} for _ in responses]
        verdicts: list[JudgeVerdict | None] = [None] * len(responses)
        texts, where = [], []
        for i, (p, r, md) in enumerate(zip(prompts, responses, meta, strict=True)):
            try:
                texts.append(self.render(p, r, md or {}))
                where.append(i)
            except KeyError as exc:
                verdicts[i] = JudgeVerdict.error(f"{self.name}: template field {exc} missing from metadata")
        for i, p_pos in zip(where, self.positive_probabilities(texts), strict=True):
            if math.isnan(p_pos):
                verdicts[i] = JudgeVerdict.error(f"{self.name}: judge model produced NaN")
                continue
            holds = (p_pos < self.threshold) if self.invert else (p_pos >= self.threshold)
            score = 1.0 - p_pos if self.invert else p_pos
            word = self.positive if p_pos >= self.threshold else self.negative
            reason = f"P({self.positive})={p_pos:.3f} -> {word}"
            verdicts[i] = JudgeVerdict.ok(reason, score) if holds else JudgeVerdict.violated(reason, score)
        return [v if v is not None else JudgeVerdict.error("no verdict") for v in verdicts]

    def close(self) -> None:
        self._model = None
        self._tokenizer = None
