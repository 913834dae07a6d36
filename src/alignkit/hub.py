"""Where a name points (a local path or a Hugging Face hub id) and whether the hub can be reached.

One reading for every loader (datasets in :mod:`alignkit.data.loading`, models in
:mod:`alignkit.models.loading`): a name that can only be a path is never sent to the hub, and without a
reachable hub a loader goes to the local cache at once instead of waiting for ``huggingface_hub``'s retries.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")
"""Setting any of these to 1/ON/YES/TRUE means: do not contact the hub."""


def offline_env() -> bool:
    """Whether the environment asks for offline mode (any of :data:`OFFLINE_VARIABLES`)."""
    values = (os.environ.get(name) for name in OFFLINE_VARIABLES)
    return any(v is not None and v.strip().upper() in ("1", "ON", "YES", "TRUE") for v in values)


def hub_reachable(timeout_s: float = 3.0) -> bool:
    """Whether the hub can be used: not offline by the environment, and a TCP connection to the endpoint
    (``HF_ENDPOINT``, default huggingface.co) opens within ``timeout_s``."""
    if offline_env():
        return False
    parsed = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    host = parsed.hostname or "huggingface.co"
    port = parsed.port or (80 if parsed.scheme == "http" else 443)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def looks_like_path(name: str, suffixes: Sequence[str] = ()) -> bool:
    """True for names that can only mean a local path: they start with ``.``, ``/``, ``~`` or hold a
    backslash, have more than one ``/`` (a hub id is ``org/name``), or end in one of ``suffixes``."""
    return (
        name.startswith((".", "/", "~", "\\"))
        or "\\" in name
        or name.count("/") > 1
        or (bool(suffixes) and Path(name).suffix.lower() in suffixes)
    )
