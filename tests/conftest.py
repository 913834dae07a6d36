"""Test-wide settings: everything offline, small thread counts, shared fixtures."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ALIGNKIT_LOG_LEVEL", "WARNING")

import socket  # noqa: E402
import threading  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture()
def host_listener():
    """A TCP server on the host's 127.0.0.1 that records every connection: yields ``(port, accepted)``.
    Code run in the sandbox must never reach it."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                accepted.append(srv.accept())
            except OSError:  # includes the accept() timeout
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield srv.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join()
        srv.close()


@pytest.fixture(scope="session")
def tokenizer():
    from alignkit.models import load_tokenizer

    return load_tokenizer("tiny")


@pytest.fixture()
def tiny_model():
    from alignkit.models import load_model

    return load_model("tiny", device="cpu")
