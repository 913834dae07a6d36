"""A client for an OpenAI-compatible chat-completions endpoint (vLLM's, TGI's, llama.cpp's or OpenAI's server).

For users who serve a model elsewhere and want alignkit to send it prompts (eva's evolver, for instance). Only
the standard library is used (``urllib``). The URL is the server's base (``http://host:8000/v1``) or the full
``.../chat/completions`` address. An API key, when the server wants one, is read from the environment variable
named by ``api_key_env`` and never from a config file.

A request that fails (connection refused, HTTP error, time-out, an answer without text) is retried
``max_retries`` times and then reported as ``None`` with the reason in :attr:`ChatEndpoint.last_errors`; it is
never turned into an empty string that a caller could mistake for the model's answer.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

log = logging.getLogger(__name__)


def chat_completions_url(url: str) -> str:
    """``http://host/v1`` -> ``http://host/v1/chat/completions`` (a full address is kept)."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        from alignkit.errors import ConfigError

        raise ConfigError(f"endpoint url {url!r} must start with http:// or https:// (e.g. http://localhost:8000/v1).")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


@dataclass
class EndpointSettings:
    """How to reach the server and how to sample."""

    url: str
    model: str = "default"  # the model name the server expects in the request
    api_key_env: str | None = "OPENAI_API_KEY"  # environment variable holding the key (unset: no key sent)
    temperature: float = 0.7
    top_p: float = 1.0
    max_new_tokens: int = 256
    timeout_s: float = 60.0
    max_retries: int = 2
    concurrency: int = 4  # requests in flight at once


class ChatEndpoint:
    """Send one single-turn chat per prompt and return the first choice's text (``None`` on failure)."""

    def __init__(self, settings: EndpointSettings):
        self.settings = settings
        self.url = chat_completions_url(settings.url)
        self.last_errors: list[str | None] = []

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.settings.api_key_env or "", "") if self.settings.api_key_env else ""
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _one(self, prompt: str, temperature: float, max_new_tokens: int) -> tuple[str | None, str | None]:
        s = self.settings
        body = json.dumps({
            "model": s.model,
            "messages": [{"role": "user", "content": prompt}],
            "temperature": temperature,
            "top_p": s.top_p,
            "max_tokens": max_new_tokens,
            "n": 1,
        }).encode()
        error = "no attempt"
        for attempt in range(s.max_retries + 1):
            request = urllib.request.Request(self.url, data=body, headers=self._headers(), method="POST")
            try:
                with urllib.request.urlopen(request, timeout=s.timeout_s) as response:
                    payload = json.loads(response.read().decode("utf-8"))
                text = payload["choices"][0]["message"]["content"]
                if not isinstance(text, str):
                    raise ValueError("the answer's message has no text content")
                return text, None
            except urllib.error.HTTPError as err:
                error = f"HTTP {err.code} from {self.url}"
                if 400 <= err.code < 500 and err.code != 429:  # the request itself is wrong: retrying won't help
                    break
            except (urllib.error.URLError, TimeoutError, OSError) as err:
                error = f"{type(err).__name__}: {getattr(err, 'reason', err)}"
            except (ValueError, KeyError, IndexError, TypeError) as err:
                error = f"malformed answer from {self.url}: {type(err).__name__}: {err}"
            if attempt < s.max_retries:
                time.sleep(min(2.0 ** attempt * 0.5, 5.0))
        return None, error

    def complete(self, prompts: Sequence[str], *, temperature: float | None = None,
                 max_new_tokens: int | None = None) -> list[str | None]:
        """One answer per prompt, in order; ``None`` where the request failed (reasons in ``last_errors``)."""
        temperature = self.settings.temperature if temperature is None else temperature
        max_new_tokens = max_new_tokens or self.settings.max_new_tokens
        workers = max(1, min(self.settings.concurrency, len(prompts) or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda p: self._one(p, temperature, max_new_tokens), prompts))
        self.last_errors = [err for _, err in results]
        failed = sum(err is not None for err in self.last_errors)
        if failed:
            first = next(err for err in self.last_errors if err is not None)
            log.warning("%d of %d requests to %s failed (first: %s)", failed, len(prompts), self.url, first)
        return [text for text, _ in results]
