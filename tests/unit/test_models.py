"""Model loading: tiny, errors for missing models, dtype/device resolution, LoRA and the reference policy."""

from __future__ import annotations

import pytest
import torch

from alignkit.errors import ModelError
from alignkit.models import load_model, load_reference, reference_forward, resolve_dtype


def test_tiny_is_deterministic_llama_with_embedded_vocab(tokenizer):
    a = load_model("tiny", device="cpu")
    b = load_model("tiny", device="cpu")
    assert a.config.model_type == "llama"
    assert a.config.vocab_size == len(tokenizer)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert tokenizer.chat_template and "<|im_start|>" in tokenizer.chat_template


def test_missing_path_is_a_clear_error():
    with pytest.raises(ModelError, match="does not exist"):
        load_model("/no/such/model")


def test_hub_id_fails_fast_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="not in the local HF cache"):
        load_model("someone/definitely-not-cached-model")


def test_dtype_and_device_resolution():
    assert resolve_dtype("auto", torch.device("cpu")) == torch.float32
    assert resolve_dtype("bf16", torch.device("cpu")) == torch.bfloat16
    with pytest.raises(ModelError, match="model.dtype"):
        resolve_dtype("int3", torch.device("cpu"))


def test_lora_reference_is_the_adapter_disabled_policy(tokenizer):
    policy = load_model("tiny", device="cpu", lora={"r": 4, "alpha": 8, "dropout": 0.0,
                                                     "target_modules": ["q_proj", "v_proj"]})
    assert load_reference(policy, "tiny", device="cpu") is None
    trainable = [n for n, p in policy.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    # Move the adapter away from zero so that policy and reference differ.
    with torch.no_grad():
        for n, p in policy.named_parameters():
            if "lora_B" in n:
                p.add_(0.5)
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        pol = policy(input_ids=ids).logits
        with reference_forward(policy, None) as ref_model:
            ref = ref_model(input_ids=ids).logits
        base = load_model("tiny", device="cpu")(input_ids=ids).logits
    assert not torch.allclose(pol, ref)
    assert torch.allclose(ref, base, atol=1e-5)


def test_full_finetune_reference_is_a_frozen_copy():
    policy = load_model("tiny", device="cpu")
    ref = load_reference(policy, "tiny", device="cpu")
    assert ref is not None and ref is not policy
    assert not any(p.requires_grad for p in ref.parameters())
