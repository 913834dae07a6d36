"""LLM-based judges: a judge model reads a template and the verdict compares decision-token probabilities.

The template is filled with ``{prompt}``, ``{response}`` and any metadata field (``{gold}``...), wrapped
in the judge model's chat template, and run through the model once (batched, logits of the last position
only). The decision rule is the paper's: compare the probability of the positive answer ("Yes") with that
of the negative one ("No") at the answer position,

    p = P(pos) / (P(pos) + P(neg)),   satisfied  <=>  p >= threshold   (or p < threshold with ``invert``),

where ``P(pos)`` sums the probabilities of *every* single-token spelling of the positive word the tokenizer
has ("Yes", " Yes", "yes", " yes", "YES"...), and likewise ``P(neg)``. Their sum ``P(pos) + P(neg)`` is the
*decision mass*: how much of the next-token distribution the model puts on an answer at all. A judge whose
mass is small is not answering the question (it would continue with "The", "I"...), and its ``p`` is noise;
:mod:`alignkit.judges.check` reports the mass and the trainers refuse to start on a judge whose mass or
accuracy on its validation set is too low.

Decision words and the input format are configuration: ``positive``/``negative`` (a word or a list of words),
``input_format: conversation`` for classifiers such as Llama Guard that read the (user, assistant)
conversation through their own chat template and answer "safe"/"unsafe", and ``answer_prefix`` for text the
model writes before its decision (Llama Guard 3 writes a blank line first). A template field missing from an
item's metadata makes that item's verdict -1.

Any causal LM works: a name understood by :func:`alignkit.models.load_model` (the embedded SmolLM2), the
trained judges built from it (``smollm2-135m-judges``, see :mod:`alignkit.trainers.judge`, built into the
cache on first use), a local HF folder or hub id, or an already loaded module with its tokenizer. Loaded judge
models are cached per (name, device, dtype), so several LLM judges share one copy.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from alignkit.judges.base import Judge, JudgeVerdict

_MODEL_CACHE: dict[tuple[str, str, str], tuple[Any, Any]] = {}
_CACHE_LOCK = threading.Lock()
INPUT_FORMATS = ("template", "conversation")


def load_judge_model(name: str, device: str = "auto", dtype: str = "auto") -> tuple[Any, Any]:
    """Load (once per process) a frozen causal LM and its tokenizer for judging.

    ``smollm2-135m-judges`` is the embedded model trained into a safety, false-refusal and factuality judge;
    it is built into the cache on first use (:func:`alignkit.trainers.judge.trained_judges_path`).
    """
    key = (name, device, dtype)
    with _CACHE_LOCK:
        if key not in _MODEL_CACHE:
            from alignkit.models import load_model, load_tokenizer

            source = name
            from alignkit.trainers.judge import TRAINED_JUDGES_NAME, trained_judges_path

            if name == TRAINED_JUDGES_NAME:
                source = str(trained_judges_path())
            model = load_model(source, device=device, dtype=dtype, trainable=False)
            _MODEL_CACHE[key] = (model, load_tokenizer(source))
        return _MODEL_CACHE[key]


def clear_judge_model_cache() -> None:
    """Forget the cached judge models (frees their memory once no judge holds them)."""
    with _CACHE_LOCK:
        _MODEL_CACHE.clear()


def decision_token_ids(tokenizer: Any, words: str | Sequence[str], variants: bool = True) -> list[int]:
    """Token ids of every single-token spelling of ``words`` that the tokenizer has.

    With ``variants`` each word is tried bare and space-prefixed, as written, lower-case, capitalized and
    upper-case ("Yes", " Yes", "yes", " yes", "YES", " YES"); a spelling that the tokenizer splits into
    several tokens is not a way to say the word in one token and is skipped (its first piece, e.g. "Y" of
    "YES", also begins other words). A word with no single-token spelling at all falls back to the first token
    of its bare spelling. Without ``variants`` only the words as given (and space-prefixed) are used.
    """
    words = [words] if isinstance(words, str) else list(words)
    ids: list[int] = []
    for word in words:
        base = word.strip()
        if not base:
            raise ValueError("a decision word must not be empty")
        forms = [base, base.lower(), base.capitalize(), base.upper()] if variants else [base]
        found = []
        for form in dict.fromkeys(forms):
            for spelled in (form, " " + form):
                encoded = tokenizer.encode(spelled, add_special_tokens=False)
                if len(encoded) == 1:
                    found.append(encoded[0])
        if not found:
            encoded = tokenizer.encode(base, add_special_tokens=False)
            if not encoded:
                raise ValueError(f"{word!r} encodes to no token")
            found.append(encoded[0])
        ids.extend(i for i in found if i not in ids)
    return ids


class _Fields(dict):
    """Template fields; a missing one raises a clear KeyError."""

    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


@dataclass(frozen=True)
class Decision:
    """The judge model's answer on one item.

    Attributes:
        p_positive: ``P(pos) / (P(pos) + P(neg))`` (NaN when the model produced NaN).
        mass: ``P(pos) + P(neg)`` under the full next-token distribution: the share of probability that
            the model puts on answering at all.
    """

    p_positive: float
    mass: float


class LLMJudge(Judge):
    """Judge by comparing P(positive answer) with P(negative answer) after a filled template.

    Args:
        model: a model name/path for :func:`alignkit.models.load_model` (``smollm2-135m-judges``: the
            trained judges, built on first use), or a loaded causal LM module (then ``tokenizer`` is required).
        template: the judge instruction with ``{prompt}``, ``{response}`` and metadata fields (literal
            braces are written ``{{`` and ``}}``); unused with ``input_format: conversation``.
        positive, negative: the answer words (a word or a list of words); every single-token spelling the
            tokenizer has counts (see :func:`decision_token_ids`).
        token_variants: count the case and space variants of the answer words (``False``: only as written).
        threshold: the constraint holds when ``P(pos) / (P(pos) + P(neg)) >= threshold``.
        invert: the positive word means a *violation* (e.g. "Does the response refuse?").
        batch_size: items per forward pass.
        tokenizer: tokenizer (or a name for :func:`alignkit.models.load_tokenizer`) when ``model`` is a module.
        device, dtype: where and how a named model is loaded ("auto": GPU when available).
        system_prompt: optional system message before the filled template.
        max_field_chars: prompt/response fields longer than this are cut (middle elided) to bound cost.
        use_chat_template: wrap the filled template in the tokenizer's chat template.
        input_format: ``template`` (fill ``template``, one user turn) or ``conversation`` (the user prompt and
            the assistant response as two turns through the model's own chat template: Llama Guard).
        answer_prefix: text appended after the rendered input, before the decision token.
        validation: the labeled set this judge is checked on (a shipped set name under
            ``data/shipped/judges/validation`` or a JSONL path); default: the set named like the judge.
    """

    default_name = "llm"

    def __init__(
        self,
        name: str | None = None,
        model: str | Any = "smollm2-135m-instruct",
        template: str | None = "{prompt}\n\n{response}\n\nIs this response acceptable? Answer Yes or No.",
        positive: str | Sequence[str] = "Yes",
        negative: str | Sequence[str] = "No",
        token_variants: bool = True,
        threshold: float = 0.5,
        invert: bool = False,
        batch_size: int = 8,
        tokenizer: Any = None,
        device: str = "auto",
        dtype: str = "auto",
        system_prompt: str | None = None,
        max_field_chars: int = 4000,
        use_chat_template: bool = True,
        input_format: str = "template",
        answer_prefix: str = "",
        validation: str | None = None,
    ) -> None:
        super().__init__(name)
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("threshold must be in [0, 1]")
        if input_format not in INPUT_FORMATS:
            raise ValueError(f"input_format must be one of {INPUT_FORMATS}, got {input_format!r}")
        if input_format == "template" and not template:
            raise ValueError("input_format='template' needs a template")
        self.model_spec = model
        self.template = template
        self.positive = positive if isinstance(positive, str) else list(positive)
        self.negative = negative if isinstance(negative, str) else list(negative)
        self.token_variants = token_variants
        self.threshold = threshold
        self.invert = invert
        self.batch_size = max(1, int(batch_size))
        self.device, self.dtype = device, dtype
        self.system_prompt = system_prompt
        self.max_field_chars = max_field_chars
        self.use_chat_template = use_chat_template
        self.input_format = input_format
        self.answer_prefix = answer_prefix
        self.validation = validation
        self._tokenizer_spec = tokenizer
        self._model: Any = None
        self._tokenizer: Any = None
        self._pos_ids: list[int] = []
        self._neg_ids: list[int] = []

    @property
    def positive_word(self) -> str:
        return self.positive if isinstance(self.positive, str) else self.positive[0]

    @property
    def negative_word(self) -> str:
        return self.negative if isinstance(self.negative, str) else self.negative[0]

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
        pos_ids = decision_token_ids(tokenizer, self.positive, self.token_variants)
        neg_ids = decision_token_ids(tokenizer, self.negative, self.token_variants)
        shared = set(pos_ids) & set(neg_ids)
        if shared:
            raise ValueError(
                f"positive {self.positive!r} and negative {self.negative!r} share the decision tokens "
                f"{[tokenizer.decode([i]) for i in sorted(shared)]}"
            )
        self._pos_ids, self._neg_ids = pos_ids, neg_ids
        self._model, self._tokenizer = model, tokenizer

    def decision_tokens(self) -> dict[str, list[str]]:
        """The token spellings counted as the positive and the negative answer."""
        self._ensure_model()
        tok = self._tokenizer
        return {"positive": [tok.decode([i]) for i in self._pos_ids],
                "negative": [tok.decode([i]) for i in self._neg_ids]}

    # ------------------------------------------------------------------ text
    def _cut(self, text: str) -> str:
        if len(text) <= self.max_field_chars:
            return text
        half = self.max_field_chars // 2
        return text[:half] + "\n[...]\n" + text[-half:]

    def render(self, prompt: str, response: str, metadata: dict[str, Any]) -> str:
        """The judge model's input text for one item (raises KeyError for a missing field)."""
        if self._tokenizer is None:
            self._ensure_model()
        chat = self.use_chat_template and getattr(self._tokenizer, "chat_template", None)
        if self.input_format == "conversation":
            if not chat:
                raise ValueError("input_format='conversation' needs a tokenizer with a chat template")
            messages = [{"role": "user", "content": self._cut(prompt)},
                        {"role": "assistant", "content": self._cut(response)}]
            text = self._tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            return text + self.answer_prefix
        fields = _Fields({k: v for k, v in metadata.items() if isinstance(v, str | int | float | bool)})
        fields.update(prompt=self._cut(prompt), response=self._cut(response))
        filled = self.template.format_map(fields)
        if not chat:
            return filled + self.answer_prefix
        messages = [{"role": "user", "content": filled}]
        if self.system_prompt:
            messages.insert(0, {"role": "system", "content": self.system_prompt})
        text = self._tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return text + self.answer_prefix

    # ------------------------------------------------------------------ scoring
    def _last_logits(self, input_ids: Any, mask: Any, positions: Any) -> Any:
        """Logits of the last position only (``logits_to_keep=1``: no vocabulary projection elsewhere)."""
        try:
            out = self._model(input_ids=input_ids, attention_mask=mask, position_ids=positions, logits_to_keep=1)
        except TypeError:  # a module without logits_to_keep (custom stand-ins)
            out = self._model(input_ids=input_ids, attention_mask=mask, position_ids=positions)
        return out.logits[:, -1, :]

    def decide_texts(self, texts: Sequence[str]) -> list[Decision]:
        """The decision (``p_positive`` and the decision mass) after each rendered text."""
        import torch

        self._ensure_model()
        tok = self._tokenizer
        device = next(self._model.parameters()).device
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[Decision | None] = [None] * len(texts)
        old_side = tok.padding_side
        tok.padding_side = "left"
        try:
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                enc = tok([texts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False)
                input_ids = enc["input_ids"].to(device)
                mask = enc["attention_mask"].to(device)
                positions = (mask.cumsum(-1) - 1).clamp(min=0)
                with torch.no_grad():
                    logprobs = torch.log_softmax(self._last_logits(input_ids, mask, positions).float(), dim=-1)
                pos = torch.logsumexp(logprobs[:, self._pos_ids], dim=-1)
                neg = torch.logsumexp(logprobs[:, self._neg_ids], dim=-1)
                probs = torch.sigmoid(pos - neg).tolist()
                masses = torch.logaddexp(pos, neg).exp().tolist()
                for i, p, m in zip(idx, probs, masses, strict=True):
                    out[i] = Decision(float(p), float(m))
        finally:
            tok.padding_side = old_side
        return [d if d is not None else Decision(math.nan, 0.0) for d in out]

    def positive_probabilities(self, texts: Sequence[str]) -> list[float]:
        """``P(pos) / (P(pos) + P(neg))`` of the next token after each rendered text."""
        return [d.p_positive for d in self.decide_texts(texts)]

    def decide(
        self,
        prompts: Sequence[str],
        responses: Sequence[str],
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> list[tuple[JudgeVerdict, Decision | None]]:
        """Verdicts with the decision behind each (``None`` where the judge failed before scoring)."""
        self._ensure_model()
        meta = metadata if metadata is not None else [{} for _ in responses]
        out: list[tuple[JudgeVerdict, Decision | None] | None] = [None] * len(responses)
        texts, where = [], []
        for i, (p, r, md) in enumerate(zip(prompts, responses, meta, strict=True)):
            try:
                texts.append(self.render(p, r, md or {}))
                where.append(i)
            except KeyError as exc:
                out[i] = (JudgeVerdict.error(f"{self.name}: template field {exc} missing from metadata"), None)
        for i, d in zip(where, self.decide_texts(texts), strict=True):
            p_pos = d.p_positive
            if math.isnan(p_pos):
                out[i] = (JudgeVerdict.error(f"{self.name}: judge model produced NaN"), d)
                continue
            holds = (p_pos < self.threshold) if self.invert else (p_pos >= self.threshold)
            score = 1.0 - p_pos if self.invert else p_pos
            word = self.positive_word if p_pos >= self.threshold else self.negative_word
            reason = f"P({self.positive_word})={p_pos:.3f} -> {word} (decision mass {d.mass:.2f})"
            verdict = JudgeVerdict.ok(reason, score) if holds else JudgeVerdict.violated(reason, score)
            out[i] = (verdict, d)
        return [o if o is not None else (JudgeVerdict.error("no verdict"), None) for o in out]

    def judge(
        self,
        prompts: Sequence[str],
        responses: Sequence[str],
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> list[JudgeVerdict]:
        return [v for v, _ in self.decide(prompts, responses, metadata)]

    def close(self) -> None:
        self._model = None
        self._tokenizer = None
