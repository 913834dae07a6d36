"""Calibrated reward (CGPO eq. 5): ``R_calib(x, y) = σ(r(x, y) − r(x, ȳ))``.

ȳ is a baseline response for the prompt: the reference answer from the data (``baseline="reference"``)
or a response sampled once from the reference policy before training (``baseline="policy"``). The
baseline rewards ``r(x, ȳ)`` are computed once per prompt and cached in memory, keyed by prompt id when
one is given and by prompt text otherwise; :meth:`CalibratedReward.save` writes the cache as JSON into
the run directory and :meth:`CalibratedReward.load` reads it back, so a resumed run reuses the same ȳ.
The result approximates P(y beats ȳ) and puts every task's reward on one [0, 1] scale.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from alignkit.rewards.base import Reward

BASELINES = ("reference", "policy")
CACHE_FILE = "calibration_baselines.json"


def prompt_key(prompt: str, prompt_id: Any = None) -> str:
    """Cache key: the prompt id when given, else a hash of the prompt text."""
    if prompt_id is not None and str(prompt_id) != "":
        return f"id:{prompt_id}"
    return "sha1:" + hashlib.sha1(prompt.encode("utf-8")).hexdigest()


def sigmoid(x: float) -> float:
    """Numerically stable logistic function."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class CalibratedReward(Reward):
    """``σ(r(x, y) − r(x, ȳ))`` around a base reward ``r``.

    Args:
        base_reward: the reward ``r`` (a :class:`RewardModel`, a rule reward, any reward callable or a
            config with ``_target_``).
        baseline: ``"reference"`` (ȳ = the record's reference answer; taken from the ``reference``
            column TRL passes, or from ``metadata["reference"]``, and computed on first sight) or
            ``"policy"`` (ȳ sampled from π_ref before training with :meth:`sample_baselines`).
        cache_path: JSON file (or run directory) to load the baseline cache from when it exists.
        missing: what to do for a prompt with no baseline: ``"raise"`` (default) or ``"half"`` (return 0.5,
            "as good as the baseline", and count it in ``last_n_missing``).
        temperature: divides the reward gap before σ (1.0 as in the paper).
    """

    default_name = "calibrated_reward"

    def __init__(
        self,
        base_reward: Any,
        baseline: str = "reference",
        cache_path: str | Path | None = None,
        missing: str = "raise",
        temperature: float = 1.0,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if baseline not in BASELINES:
            raise ValueError(f"baseline must be one of {BASELINES}, got {baseline!r}")
        if missing not in ("raise", "half"):
            raise ValueError("missing must be 'raise' or 'half'")
        if temperature <= 0:
            raise ValueError("temperature must be > 0")
        if isinstance(base_reward, dict) or hasattr(base_reward, "_target_"):
            from hydra.utils import instantiate

            base_reward = instantiate(base_reward)
        self.base = base_reward
        self.baseline = baseline
        self.missing = missing
        self.temperature = float(temperature)
        self.entries: dict[str, dict[str, Any]] = {}
        self.last_n_missing = 0
        if cache_path is not None:
            path = self._cache_file(cache_path)
            if path.is_file():
                self.load(path)

    # ------------------------------------------------------------------ baselines
    @staticmethod
    def _cache_file(path: str | Path) -> Path:
        path = Path(path)
        return path / CACHE_FILE if path.is_dir() or not path.suffix else path

    def precompute(
        self,
        prompts: Sequence[str],
        baselines: Sequence[str],
        metadata: Sequence[dict[str, Any]] | None = None,
        ids: Sequence[Any] | None = None,
    ) -> list[float]:
        """Score baseline responses ȳ with the base reward and cache ``r(x, ȳ)`` per prompt."""
        if len(prompts) != len(baselines):
            raise ValueError("one baseline response per prompt")
        meta = list(metadata) if metadata is not None else [{} for _ in prompts]
        rewards = [float(r) for r in self.base(list(prompts), list(baselines), meta)]
        for i, (p, b, r) in enumerate(zip(prompts, baselines, rewards, strict=True)):
            key = prompt_key(p, ids[i] if ids is not None else None)
            self.entries[key] = {"prompt": p, "baseline": b, "reward": r}
        return rewards

    def sample_baselines(
        self,
        model: Any,
        tokenizer: Any,
        prompts: Sequence[str],
        metadata: Sequence[dict[str, Any]] | None = None,
        ids: Sequence[Any] | None = None,
        generate_fn: Callable[..., list[list[str]]] | None = None,
        **generate_kwargs: Any,
    ) -> list[float]:
        """Sample one ȳ per prompt from the reference policy (``baseline="policy"``) and cache its reward.

        ``generate_fn`` defaults to :func:`alignkit.generation.generate`; ``generate_kwargs`` go to it
        (``max_new_tokens``, ``temperature``...). Prompts already cached are skipped.
        """
        keys = [prompt_key(p, ids[i] if ids is not None else None) for i, p in enumerate(prompts)]
        todo = [i for i, k in enumerate(keys) if k not in self.entries]
        if not todo:
            return [self.entries[k]["reward"] for k in keys]
        if generate_fn is None:
            from alignkit.generation import generate as generate_fn
        sampled = generate_fn(model, tokenizer, [prompts[i] for i in todo], n=1, **generate_kwargs)
        meta = list(metadata) if metadata is not None else [{} for _ in prompts]
        self.precompute(
            [prompts[i] for i in todo],
            [s[0] for s in sampled],
            [meta[i] for i in todo],
            [ids[i] for i in todo] if ids is not None else None,
        )
        return [self.entries[k]["reward"] for k in keys]

    def baseline_reward(self, prompt: str, prompt_id: Any = None) -> float | None:
        """Cached ``r(x, ȳ)`` for a prompt, or ``None``."""
        entry = self.entries.get(prompt_key(prompt, prompt_id))
        return None if entry is None else float(entry["reward"])

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Write the baseline cache as JSON (``path`` may be a run directory)."""
        file = self._cache_file(path)
        file.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "baseline": self.baseline,
            "base_reward": getattr(self.base, "name", None),
            "entries": self.entries,
        }
        tmp = file.with_suffix(file.suffix + ".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1))
        tmp.replace(file)
        return file

    def load(self, path: str | Path) -> None:
        """Read a baseline cache written by :meth:`save` (entries are merged in)."""
        payload = json.loads(self._cache_file(path).read_text())
        if payload.get("baseline") not in (None, self.baseline):
            raise ValueError(
                f"cache holds {payload['baseline']!r} baselines, this reward uses {self.baseline!r}"
            )
        self.entries.update(payload.get("entries", {}))

    # ------------------------------------------------------------------ scoring
    def _fill_reference_baselines(
        self,
        prompts: list[str],
        metadata: list[dict[str, Any]],
        ids: Sequence[Any] | None,
        references: Sequence[Any] | None,
    ) -> None:
        todo_p, todo_ref, todo_meta, todo_ids = [], [], [], []
        seen = set()
        for i, p in enumerate(prompts):
            pid = ids[i] if ids is not None else None
            key = prompt_key(p, pid)
            if key in self.entries or key in seen:
                continue
            ref = references[i] if references is not None else metadata[i].get("reference")
            if ref:
                seen.add(key)
                todo_p.append(p)
                todo_ref.append(str(ref))
                todo_meta.append(metadata[i])
                todo_ids.append(pid)
        if todo_p:
            self.precompute(todo_p, todo_ref, todo_meta, todo_ids if ids is not None else None)

    def score(
        self, prompts: list[str], completions: list[str], metadata: list[dict[str, Any]], **kwargs: Any
    ) -> list[float]:
        ids = kwargs.get("id") or kwargs.get("ids")
        if self.baseline == "reference":
            self._fill_reference_baselines(prompts, metadata, ids, kwargs.get("reference"))
        rewards = [float(r) for r in self.base(prompts, completions, metadata)]
        out: list[float] = []
        self.last_n_missing = 0
        for i, (p, r) in enumerate(zip(prompts, rewards, strict=True)):
            base = self.baseline_reward(p, ids[i] if ids is not None else None)
            if base is None:
                if self.missing == "raise":
                    raise KeyError(
                        f"no {self.baseline} baseline for prompt {p[:60]!r}: "
                        + (
                            "the record has no reference answer"
                            if self.baseline == "reference"
                            else "call sample_baselines() before training"
                        )
                    )
                self.last_n_missing += 1
                out.append(0.5)
                continue
            out.append(sigmoid((r - base) / self.temperature))
        return out

    def close(self) -> None:
        close = getattr(self.base, "close", None)
        if callable(close):
            close()
