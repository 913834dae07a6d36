"""Reward models: any ``AutoModelForSequenceClassification`` with one label, chat-template aware, batched.

A (prompt, response) pair is rendered as a two-turn chat (user, assistant) with the tokenizer's chat
template, and the model's single logit is the reward. :func:`encode_conversation` is the one place
where that rendering happens: the trainer (``alignkit.trainers.reward_model``) tokenizes its preference
pairs with it too, so a model is scored exactly as it was trained.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alignkit.rewards.base import Reward

RM_INFO_FILE = "alignkit_rm.json"


def render_conversation(tokenizer: Any, prompt: str, response: str, use_chat_template: bool = True) -> str:
    """The text a reward model reads for one (prompt, response)."""
    if use_chat_template and getattr(tokenizer, "chat_template", None):
        messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]
        return tokenizer.apply_chat_template(messages, tokenize=False)
    eos = tokenizer.eos_token or ""
    return f"{prompt}\n\n{response}{eos}"


def encode_conversation(
    tokenizer: Any, prompt: str, response: str, max_length: int | None = None, use_chat_template: bool = True
) -> list[int]:
    """Token ids of one (prompt, response); past ``max_length`` the *start* is cut (the end is kept)."""
    ids = tokenizer(
        render_conversation(tokenizer, prompt, response, use_chat_template), add_special_tokens=False
    )["input_ids"]
    if max_length is not None and len(ids) > max_length:
        ids = ids[-max_length:]
    return list(ids)


def read_rm_info(path: str | Path) -> dict[str, Any]:
    """The ``alignkit_rm.json`` written next to a trained reward model (empty when absent)."""
    info = Path(path) / RM_INFO_FILE
    return json.loads(info.read_text()) if info.is_file() else {}


class RewardModel(Reward):
    """Score (prompt, response) pairs with a sequence-classification reward model.

    Args:
        model: a reward-model folder (e.g. one written by ``alignkit rm``), a hub id, or a loaded
            ``AutoModelForSequenceClassification`` module (then pass ``tokenizer``).
        tokenizer: tokenizer or its folder; default: the model folder's.
        device: ``"auto"`` (GPU when available), ``"cpu"``, ``"cuda:1"``... pass the policy's device to
            share it, or another one to keep the reward model apart.
        dtype: ``"auto"``, ``"float32"``, ``"bfloat16"``...
        batch_size: pairs per forward pass.
        max_length: longest input in tokens (longer inputs lose their beginning).
        use_chat_template: render pairs with the tokenizer's chat template.
    """

    default_name = "reward_model"

    def __init__(
        self,
        model: str | Any,
        tokenizer: Any = None,
        name: str | None = None,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int = 16,
        max_length: int | None = 1024,
        use_chat_template: bool | None = None,
    ) -> None:
        super().__init__(name)
        self.model_spec = model
        self.tokenizer_spec = tokenizer
        self.device, self.dtype = device, dtype
        self.batch_size = max(1, int(batch_size))
        info = read_rm_info(model) if isinstance(model, str | Path) else {}
        self.max_length = max_length if max_length is not None else info.get("max_length")
        self.use_chat_template = (
            info.get("use_chat_template", True) if use_chat_template is None else use_chat_template
        )
        self._model: Any = None
        self._tokenizer: Any = None

    def _ensure_loaded(self) -> None:
        if self._model is not None:
            return
        from alignkit.models import resolve_device, resolve_dtype

        if isinstance(self.model_spec, str | Path):
            from transformers import AutoModelForSequenceClassification, AutoTokenizer

            dev = resolve_device(self.device)
            model = AutoModelForSequenceClassification.from_pretrained(
                str(self.model_spec), dtype=resolve_dtype(self.dtype, dev)
            ).to(dev)
            tokenizer = self.tokenizer_spec or AutoTokenizer.from_pretrained(str(self.model_spec))
        else:
            model = self.model_spec
            tokenizer = self.tokenizer_spec
            if tokenizer is None:
                raise ValueError("RewardModel with a loaded model needs `tokenizer=`")
        if isinstance(tokenizer, str | Path):
            from transformers import AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(str(tokenizer))
        if getattr(model.config, "num_labels", 1) != 1:
            raise ValueError(f"a reward model has one label; this one has {model.config.num_labels}")
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        if model.config.pad_token_id is None:
            model.config.pad_token_id = tokenizer.pad_token_id
        model.eval()
        self._model, self._tokenizer = model, tokenizer

    @property
    def model(self) -> Any:
        """The loaded sequence-classification model."""
        self._ensure_loaded()
        return self._model

    @property
    def tokenizer(self) -> Any:
        """The reward model's tokenizer."""
        self._ensure_loaded()
        return self._tokenizer

    def score(
        self, prompts: list[str], completions: list[str], metadata: list[dict[str, Any]], **kwargs: Any
    ) -> list[float]:
        import torch

        self._ensure_loaded()
        model, tok = self._model, self._tokenizer
        device = next(model.parameters()).device
        encoded = [
            encode_conversation(tok, p, c, self.max_length, self.use_chat_template)
            for p, c in zip(prompts, completions, strict=True)
        ]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        rewards = [0.0] * len(encoded)
        pad = tok.pad_token_id
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            width = max(len(encoded[i]) for i in idx)
            # Right padding: the model reads the reward at the last non-pad token of each row.
            ids = torch.full((len(idx), width), pad, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for row, i in enumerate(idx):
                ids[row, : len(encoded[i])] = torch.tensor(encoded[i])
                mask[row, : len(encoded[i])] = 1
            with torch.no_grad():
                logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits
            for row, i in enumerate(idx):
                rewards[i] = float(logits[row, 0].float())
        return rewards

    def close(self) -> None:
        self._model = None
        self._tokenizer = None
