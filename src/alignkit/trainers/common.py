"""Pieces every on-policy trainer needs: sequence log-probabilities, loss masks, step timing, optimizers.

The RL trainers of alignkit (CGPO, SCoRe, eva) all score sampled completions under the policy and under a
frozen reference. :func:`sequence_logprobs` does that for a batch of (prompt ids, completion ids) pairs:
prompts are left-padded and completions right-padded, so that every completion starts at the same column
and only the logits of completion positions are computed (``logits_to_keep``). The prompt and the padding
are masked out, so a sequence's log-probability is the sum over the tokens the model wrote.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

__all__ = [
    "PaddedBatch",
    "StepTimer",
    "completion_mask",
    "linear_warmup_schedule",
    "masked_mean",
    "pad_pairs",
    "sequence_logprobs",
    "token_logprobs",
]


@dataclass
class PaddedBatch:
    """Prompt+completion pairs laid out for one forward pass.

    ``input_ids``/``attention_mask``/``position_ids`` are ``[N, P + C]`` with prompts left-padded to ``P`` and
    completions right-padded to ``C``; ``completion_ids`` and ``completion_mask`` are ``[N, C]``.
    """

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    position_ids: torch.Tensor
    completion_ids: torch.Tensor
    completion_mask: torch.Tensor

    @property
    def completion_width(self) -> int:
        return self.completion_ids.shape[1]

    def to(self, device: torch.device | str) -> PaddedBatch:
        return PaddedBatch(*(t.to(device) for t in (self.input_ids, self.attention_mask, self.position_ids,
                                                      self.completion_ids, self.completion_mask)))


def completion_mask(lengths: Sequence[int], width: int | None = None) -> torch.Tensor:
    """``[N, width]`` float mask with ones on the first ``lengths[i]`` positions of row ``i``."""
    width = max(lengths, default=0) if width is None else width
    cols = torch.arange(width).unsqueeze(0)
    return (cols < torch.tensor(list(lengths)).unsqueeze(1)).float()


def pad_pairs(prompt_ids: Sequence[Sequence[int]], completion_ids: Sequence[Sequence[int]], pad_id: int
              ) -> PaddedBatch:
    """Left-pad the prompts and right-pad the completions into one batch (see :class:`PaddedBatch`).

    An empty completion gets one padding column so that shapes stay valid; its mask is all zeros.
    """
    if len(prompt_ids) != len(completion_ids):
        raise ValueError(f"{len(prompt_ids)} prompts but {len(completion_ids)} completions")
    n = len(prompt_ids)
    p_width = max((len(p) for p in prompt_ids), default=0)
    c_width = max(1, max((len(c) for c in completion_ids), default=0))
    input_ids = torch.full((n, p_width + c_width), pad_id, dtype=torch.long)
    attention = torch.zeros((n, p_width + c_width), dtype=torch.long)
    for i, (p, c) in enumerate(zip(prompt_ids, completion_ids, strict=True)):
        if p:
            input_ids[i, p_width - len(p):p_width] = torch.tensor(list(p), dtype=torch.long)
            attention[i, p_width - len(p):p_width] = 1
        if c:
            input_ids[i, p_width:p_width + len(c)] = torch.tensor(list(c), dtype=torch.long)
            attention[i, p_width:p_width + len(c)] = 1
    # Positions count real tokens only, as `generate` does for left-padded prompts.
    position_ids = (attention.cumsum(-1) - 1).clamp(min=0)
    comp_ids = input_ids[:, p_width:].clone()
    comp_mask = completion_mask([len(c) for c in completion_ids], c_width)
    return PaddedBatch(input_ids, attention, position_ids, comp_ids, comp_mask)


def token_logprobs(model, batch: PaddedBatch, temperature: float = 1.0) -> torch.Tensor:
    """``[N, C]`` log-probabilities of the completion tokens (zero where masked).

    Only the last ``C + 1`` positions' logits are computed; ``log p = logit[token] - logsumexp(logits)``
    avoids materialising a second ``[N, C, V]`` tensor for the full log-softmax.
    """
    width = batch.completion_width
    out = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask, position_ids=batch.position_ids,
                logits_to_keep=width + 1, use_cache=False)
    logits = out.logits[:, :-1, :]
    if temperature != 1.0:
        logits = logits / temperature
    picked = torch.gather(logits, -1, batch.completion_ids.unsqueeze(-1)).squeeze(-1)
    logps = picked.float() - torch.logsumexp(logits.float(), dim=-1)
    return logps * batch.completion_mask.to(logps.device)


def sequence_logprobs(model, prompt_ids: Sequence[Sequence[int]], completion_ids: Sequence[Sequence[int]], *,
                      pad_id: int, micro_batch_size: int | None = None, device: torch.device | str | None = None,
                      temperature: float = 1.0) -> torch.Tensor:
    """Sum of completion-token log-probabilities ``log π(y|x)`` per pair, prompt tokens masked.

    Runs in micro-batches of ``micro_batch_size`` pairs (all at once when ``None``). Gradients flow when
    called outside ``torch.no_grad()``; the result is a float32 tensor ``[N]`` on ``device``.
    """
    if device is None:
        device = next(model.parameters()).device
    n = len(prompt_ids)
    step = micro_batch_size or max(n, 1)
    parts = []
    for start in range(0, n, step):
        batch = pad_pairs(prompt_ids[start:start + step], completion_ids[start:start + step], pad_id).to(device)
        parts.append(token_logprobs(model, batch, temperature).sum(-1))
    if not parts:
        return torch.zeros(0, device=device)
    return torch.cat(parts)


def masked_mean(values: torch.Tensor, mask: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    """Mean of ``values`` where ``mask`` is 1 (0 when the mask is empty)."""
    mask = mask.to(values.dtype)
    if dim is None:
        return (values * mask).sum() / mask.sum().clamp(min=1)
    return (values * mask).sum(dim) / mask.sum(dim).clamp(min=1)


class StepTimer:
    """Wall-clock time per named phase, accumulated until :meth:`reset`.

    ``with timer("generation"): ...`` adds the block's duration to ``timer.totals["generation"]``. CUDA work
    is synchronised at the block edges so that asynchronous kernels are charged to the right phase.
    """

    def __init__(self, sync_cuda: bool = True) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.sync_cuda = sync_cuda and torch.cuda.is_available()

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.sync_cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        try:
            yield
        finally:
            if self.sync_cuda:
                torch.cuda.synchronize()
            self.totals[name] += time.perf_counter() - start

    def reset(self) -> dict[str, float]:
        """Return the totals and start again from zero."""
        totals = dict(self.totals)
        self.totals = defaultdict(float)
        return totals


def linear_warmup_schedule(optimizer: torch.optim.Optimizer, warmup_steps: int, total_steps: int,
                           kind: str = "constant") -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over ``warmup_steps``, then ``constant``, ``linear`` decay to 0, or ``cosine`` to 0."""
    if kind not in ("constant", "linear", "cosine"):
        raise ValueError(f"unknown schedule {kind!r}; use constant, linear or cosine")

    def factor(step: int) -> float:
        if warmup_steps > 0 and step < warmup_steps:
            return (step + 1) / warmup_steps
        if kind == "constant":
            return 1.0
        span = max(1, total_steps - warmup_steps)
        progress = min(1.0, (step - warmup_steps) / span)
        return 1.0 - progress if kind == "linear" else 0.5 * (1.0 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the block with ``n`` intra-op threads (``None``/0: leave them), then give the caller's setting back, so
    that a library call never changes the thread count (and with it the float sums) of what runs after it."""
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
