"""One reading of names (local path or hub id) and one hub check, shared by the data and model loaders."""

from __future__ import annotations

import socket

import pytest

from alignkit import hub
from alignkit.data import loading as data_loading
from alignkit.models import loading as model_loading


@pytest.mark.parametrize(
    ("name", "suffixes", "expected"),
    [
        ("org/name", (), False),
        ("./org/name", (), True),
        ("/abs/model", (), True),
        ("~/models/m", (), True),
        ("a/b/c", (), True),
        ("C:\\models\\m", (), True),
        ("train.jsonl", (".jsonl",), True),
        ("train.jsonl", (), False),
        ("gsm8k", (".jsonl",), False),
    ],
)
def test_looks_like_path(name, suffixes, expected):
    assert hub.looks_like_path(name, suffixes) is expected


@pytest.mark.parametrize("variable", hub.OFFLINE_VARIABLES)
def test_offline_variables_stop_every_loader_before_any_connection(monkeypatch, variable):
    """TRANSFORMERS_OFFLINE=1 used to leave the model loader dialling the hub (it read HF_HUB_OFFLINE only)."""
    for name in hub.OFFLINE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "1")

    def no_network(*args, **kwargs):
        raise AssertionError("the hub was contacted although the environment says offline")

    monkeypatch.setattr(socket, "create_connection", no_network)
    assert hub.hub_reachable() is False
    assert data_loading.hub_reachable is hub.hub_reachable and model_loading.hub_reachable is hub.hub_reachable


def test_online_check_dials_the_configured_endpoint(monkeypatch):
    for name in hub.OFFLINE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.example:8080")
    dialled = []

    class _Conn:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def fake(address, timeout):
        dialled.append(address)
        return _Conn()

    monkeypatch.setattr(socket, "create_connection", fake)
    assert hub.hub_reachable() is True
    assert dialled == [("mirror.example", 8080)]
