"""Test-wide settings: everything offline, small thread counts, shared fixtures."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ALIGNKIT_LOG_LEVEL", "WARNING")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tokenizer():
    from alignkit.models import load_tokenizer

    return load_tokenizer("tiny")


@pytest.fixture()
def tiny_model():
    from alignkit.models import load_model

    return load_model("tiny", device="cpu")
