"""Batched rollouts: the continuous-batching fast path (CPU, ``generation/fast.py``), HF ``generate`` (GPU, or
any model the fast path cannot run) or vLLM through TRL's ``VLLMGeneration``; ``backend=auto`` picks the first two.

Both backends take chat prompts (plain user-message strings), apply the tokenizer's chat template, and return
token ids as well as text, because trainers need the exact sampled tokens to score log-probabilities.
Which backend runs is chosen by config (``generation.backend``), never by editing code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch


@dataclass
class GenerationSettings:
    """How responses are sampled."""

    # auto: the continuous-batching fast path on CPU (HF generate where it cannot run), HF generate on GPU.
    backend: str = "auto"  # auto (fast on CPU, hf on GPU) | fast | hf | vllm
    max_new_tokens: int = field(default=256, metadata={"ge": 1})
    temperature: float = field(default=1.0, metadata={"ge": 0})
    top_p: float = field(default=1.0, metadata={"gt": 0, "le": 1})
    top_k: int = field(default=0, metadata={"ge": 0})
    batch_size: int = field(default=16, metadata={"ge": 1})
    system_prompt: str | None = None
    stop: list[str] = field(default_factory=list)
    # Weights used for generation by the fast path: auto (the model's own) | float32 | bfloat16 (a bf16 copy of the
    # weights, refreshed from the trained fp32 weights at every call; faster on CPUs with AVX-512 BF16).
    dtype: str = "auto"
    # vLLM (GPU only): colocate shares the training GPUs, server talks to `trl vllm-serve`.
    vllm_mode: str = "colocate"
    vllm_server_base_url: str | None = None
    vllm_gpu_memory_utilization: float = field(default=0.3, metadata={"gt": 0, "le": 1})
    vllm_tensor_parallel_size: int = field(default=1, metadata={"ge": 1})


@dataclass
class Rollout:
    """One sampled response: its prompt index, prompt and completion token ids, and decoded text."""

    prompt_index: int
    prompt_ids: list[int]
    completion_ids: list[int]
    text: str
    truncated: bool


def chat_prompt_ids(tokenizer, prompt: str | list[dict], system_prompt: str | None = None) -> list[int]:
    """Token ids of ``prompt`` rendered with the chat template, ending with the assistant turn's header."""
    messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else list(prompt)
    if system_prompt:
        messages = [{"role": "system", "content": system_prompt}, *messages]
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
    if isinstance(ids, dict) or hasattr(ids, "keys"):
        ids = ids["input_ids"]
    return list(ids)


def _cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    cut = min((text.find(s) for s in stop if s and s in text), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


class HFGenerator:
    """Left-padded batched ``model.generate``; works for any causal LM, wrapped by peft/accelerate or not."""

    def __init__(self, model, tokenizer, settings: GenerationSettings, unwrap: Callable | None = None):
        self.model, self.tokenizer, self.settings = model, tokenizer, settings
        self.unwrap = unwrap or (lambda m: m)

    @torch.no_grad()
    def generate_ids(self, prompt_ids: list[list[int]], n: int = 1, *, temperature: float | None = None,
                     max_new_tokens: int | None = None, progress: Callable[[int], None] | None = None
                     ) -> list[tuple[list[int], bool]]:
        """Sample ``n`` completions per prompt; returns ``(completion_ids, truncated)`` in prompt-major order."""
        s = self.settings
        temperature = s.temperature if temperature is None else temperature
        max_new_tokens = max_new_tokens or s.max_new_tokens
        model = self.unwrap(self.model)
        was_training = model.training
        model.eval()
        device = next(model.parameters()).device
        pad = self.tokenizer.pad_token_id
        eos_ids = _eos_ids(self.tokenizer, model)
        expanded = [ids for ids in prompt_ids for _ in range(n)]
        out: list[tuple[list[int], bool]] = []
        try:
            for start in range(0, len(expanded), s.batch_size):
                chunk = expanded[start:start + s.batch_size]
                width = max(len(c) for c in chunk)
                input_ids = torch.full((len(chunk), width), pad, dtype=torch.long)
                attention = torch.zeros((len(chunk), width), dtype=torch.long)
                for i, ids in enumerate(chunk):
                    input_ids[i, width - len(ids):] = torch.tensor(ids)
                    attention[i, width - len(ids):] = 1
                kwargs = dict(max_new_tokens=max_new_tokens, pad_token_id=pad, eos_token_id=eos_ids)
                if temperature > 0:
                    kwargs.update(do_sample=True, temperature=temperature, top_p=s.top_p, top_k=s.top_k or None)
                else:
                    kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
                gen = model.generate(input_ids=input_ids.to(device), attention_mask=attention.to(device), **kwargs)
                for row in gen[:, width:].tolist():
                    ids, ended = _trim(row, eos_ids, pad)
                    out.append((ids, not ended))
                if progress:
                    progress(len(chunk))
        finally:
            model.train(was_training)
        return out


def _eos_ids(tokenizer, model) -> list[int]:
    ids = {tokenizer.eos_token_id}
    gen_eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if isinstance(gen_eos, int):
        ids.add(gen_eos)
    elif isinstance(gen_eos, list):
        ids.update(gen_eos)
    return sorted(i for i in ids if i is not None)


def _trim(row: list[int], eos_ids: list[int], pad: int) -> tuple[list[int], bool]:
    """Cut a generated row after its first end-of-sequence token (kept: the policy chose to stop)."""
    for i, tok in enumerate(row):
        if tok in eos_ids:
            return row[: i + 1], True
    return row, False


class VLLMGenerator:
    """vLLM through TRL's ``VLLMGeneration`` (colocate or server mode); GPU only.

    After every optimizer step call :meth:`sync_weights` so that vLLM samples from the current policy.
    """

    def __init__(self, model, tokenizer, settings: GenerationSettings, accelerator):
        try:
            from trl.generation.vllm_generation import VLLMGeneration
        except ImportError as err:  # pragma: no cover - GPU path
            from alignkit.errors import UserError

            raise UserError("generation.backend=vllm needs vLLM: pip install 'alignkit[vllm]'") from err
        self.tokenizer, self.settings = tokenizer, settings
        self.engine = VLLMGeneration(
            model, accelerator, tokenizer, mode=settings.vllm_mode,
            server_base_url=settings.vllm_server_base_url,
            gpu_memory_utilization=settings.vllm_gpu_memory_utilization,
            tensor_parallel_size=settings.vllm_tensor_parallel_size,
            temperature=max(settings.temperature, 1e-5), top_p=settings.top_p, top_k=settings.top_k,
            max_completion_length=settings.max_new_tokens,
        )

    def generate_ids(self, prompt_ids, n=1, *, temperature=None, max_new_tokens=None, progress=None):
        """Sample ``n`` completions per prompt; ``(completion_ids, truncated)`` in prompt-major order.

        TRL's ``VLLMGeneration`` reads its sampling settings from attributes when ``generate`` starts, so they
        are set for this call only and restored afterwards: a greedy call (``temperature=0``, ȳ) or a shorter
        one never leaks into later rollouts.
        """
        s = self.settings
        call = {"temperature": s.temperature if temperature is None else max(float(temperature), 0.0),
                "max_completion_length": max_new_tokens or s.max_new_tokens, "top_p": s.top_p, "top_k": s.top_k}
        eng = self.engine
        saved = {k: getattr(eng, k) for k in call}
        for key, value in call.items():
            setattr(eng, key, value)
        try:
            expanded = [ids for ids in prompt_ids for _ in range(n)]
            _, completion_ids, _, _ = eng.generate(expanded, None, 1)
        finally:
            for key, value in saved.items():
                setattr(eng, key, value)
        eos = self.tokenizer.eos_token_id
        out = [(list(c), not (c and c[-1] == eos)) for c in completion_ids]
        if progress:
            progress(len(out))
        return out

    def sync_weights(self) -> None:
        self.engine.sync_weights()


def make_generator(model, tokenizer, settings: GenerationSettings, accelerator=None):
    """The generator that ``settings.backend`` names (``auto``: the fast path on CPU where it supports the model)."""
    from alignkit.errors import ConfigError
    from alignkit.generation.fast import FastGenerator, model_supported

    backend = settings.backend
    if backend not in ("auto", "fast", "hf", "vllm"):
        raise ConfigError(f"generation.backend={backend!r} is not valid; use auto, fast, hf or vllm.")
    if settings.dtype not in ("auto", "float32", "bfloat16"):
        raise ConfigError(f"generation.dtype={settings.dtype!r} is not valid; use auto, float32 or bfloat16.")
    if backend == "vllm":
        return VLLMGenerator(model, tokenizer, settings, accelerator)
    unwrap = accelerator.unwrap_model if accelerator is not None else None
    if backend == "auto":
        on_cpu = next(model.parameters()).device.type == "cpu"
        backend = "fast" if on_cpu and model_supported(model) is None else "hf"
    elif backend == "fast" and (reason := model_supported(model)):
        raise ConfigError(f"generation.backend=fast cannot run this model ({reason}); use generation.backend=hf.")
    if backend == "fast":
        return FastGenerator(model, tokenizer, settings, unwrap=unwrap)
    return HFGenerator(model, tokenizer, settings, unwrap=unwrap)


def rollout(generator, tokenizer, prompts: Sequence[str | list[dict]], n: int = 1, *,
            temperature: float | None = None, max_new_tokens: int | None = None,
            progress: Callable[[int], None] | None = None) -> list[Rollout]:
    """Sample ``n`` responses for each chat prompt; prompt-major order (all of prompt 0, then prompt 1...)."""
    settings = generator.settings
    prompt_ids = [chat_prompt_ids(tokenizer, p, settings.system_prompt) for p in prompts]
    outs = generator.generate_ids(prompt_ids, n, temperature=temperature, max_new_tokens=max_new_tokens,
                                  progress=progress)
    rollouts = []
    for j, (ids, truncated) in enumerate(outs):
        i = j // n
        text = tokenizer.decode(ids, skip_special_tokens=True)
        if settings.stop:
            text, hit = _cut_at_stop(text, settings.stop)
            truncated = truncated and not hit
        rollouts.append(Rollout(i, prompt_ids[i], ids, text, truncated))
    return rollouts


def generate(model, tokenizer, prompts: Sequence[str], n: int = 1, max_new_tokens: int = 256,
             temperature: float = 0.0, batch_size: int = 16, chat: bool = True, stop: Sequence[str] | None = None,
             system_prompt: str | None = None, progress: Callable[[int], None] | None = None,
             backend: str = "auto") -> list[list[str]]:
    """Convenience: ``n`` response texts per prompt. ``chat=False`` continues raw text (base-model mode)."""
    settings = GenerationSettings(backend=backend, max_new_tokens=max_new_tokens, temperature=temperature,
                                  batch_size=batch_size, stop=list(stop or []), system_prompt=system_prompt)
    gen = make_generator(model, tokenizer, settings)
    if chat:
        rolls = rollout(gen, tokenizer, prompts, n, progress=progress)
        texts = [r.text for r in rolls]
    else:
        ids = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in prompts]
        outs = gen.generate_ids(ids, n, progress=progress)
        texts = []
        for c, _ in outs:
            t = tokenizer.decode(c, skip_special_tokens=True)
            texts.append(_cut_at_stop(t, settings.stop)[0] if settings.stop else t)
    return [texts[i * n:(i + 1) * n] for i in range(len(prompts))]
