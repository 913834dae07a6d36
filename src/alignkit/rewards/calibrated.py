"""Calibrated reward (CGPO eq. 5): ``R_calib(x, y) = σ(r(x, y) − r(x, ȳ))``.

ȳ is a baseline response for the prompt: the reference answer from the data (``baseline="reference"``)
or a response sampled once from the reference policy before training (``baseline="policy"``).
:class:`CalibratedReward` is the one ȳ cache of alignkit: per prompt (keyed by prompt id when one is given, by
prompt text otherwise) it keeps ȳ and ``r(x, ȳ)``. ȳ drawn from a policy are appended, one JSON line each, to
``cache_path`` as they are drawn and read back from it, so that a run killed at any moment and resumed
calibrates against the same ȳ; rewards are re-scored on resume. A reward that fails on ȳ (``None``/NaN, e.g.
a judge reward with ``on_failure: null``) is not cached: it is scored again next time, and the responses of
that prompt get a NaN calibrated reward meanwhile (a trainer leaves them out).
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
CACHE_FILE = "calibration_baselines.jsonl"


def prompt_key(prompt: str, prompt_id: Any = None) -> str:
    """Cache key: the prompt id when given, else a hash of the prompt text."""
    if prompt_id is not None and str(prompt_id) != "":
        return f"id:{prompt_id}"
    return "sha1:" + hashlib.sha1(prompt.encode("utf-8")).hexdigest()


def sigmoid(x: float) -> float:
    """Numerically stable logistic function (NaN stays NaN)."""
    if math.isnan(x):
        return x
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _as_float(value: Any) -> float:
    """A reward value as float; ``None`` (a failed reward) becomes NaN."""
    return float("nan") if value is None else float(value)


class CalibratedReward(Reward):
    """``σ(r(x, y) − r(x, ȳ))`` around a base reward ``r``.

    Args:
        base_reward: the reward ``r`` (a :class:`RewardModel`, a rule reward, any reward callable or a
            config with ``_target_``).
        baseline: ``"reference"`` (ȳ = the record's reference answer; taken from the ``reference``
            column TRL passes, or from ``metadata["reference"]``, and computed on first sight) or
            ``"policy"`` (ȳ sampled from π_ref before training with :meth:`sample_baselines`).
        cache_path: JSONL file (or folder, holding ``calibration_baselines.jsonl``) of ȳ: read when it exists,
            and every new ȳ is appended to it.
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
        self.entries: dict[str, dict[str, Any]] = {}  # key -> {"prompt", "id", "baseline": ȳ, "reward"}
        self.last_n_missing = 0
        self.cache_path: Path | None = None
        if cache_path is not None:
            path = self._cache_file(cache_path)
            if path.is_file():
                self.load(path)
            self.cache_path = path

    # ------------------------------------------------------------------ baselines ȳ
    @staticmethod
    def _cache_file(path: str | Path) -> Path:
        path = Path(path)
        return path / CACHE_FILE if path.is_dir() or not path.suffix else path

    def set_baselines(self, prompts: Sequence[str], texts: Sequence[str], ids: Sequence[Any] | None = None,
                      persist: bool = True) -> None:
        """Record ȳ per prompt (a changed ȳ drops its cached reward); appended to ``cache_path`` when set."""
        rows = []
        for i, (p, text) in enumerate(zip(prompts, texts, strict=True)):
            pid = ids[i] if ids is not None else None
            key = prompt_key(p, pid)
            entry = self.entries.get(key)
            if entry is not None and entry.get("baseline") == text:
                continue
            self.entries[key] = {"prompt": p, "id": pid, "baseline": text, "reward": None}
            rows.append({"id": pid, "prompt": p, "text": text, "baseline": self.baseline})
        if persist and rows and self.cache_path is not None:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.cache_path, "a") as fh:
                fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))

    def baseline_text(self, prompt: str, prompt_id: Any = None) -> str | None:
        """ȳ of a prompt, or ``None``."""
        entry = self.entries.get(prompt_key(prompt, prompt_id))
        return None if entry is None else entry.get("baseline")

    def precompute(
        self,
        prompts: Sequence[str],
        baselines: Sequence[str],
        metadata: Sequence[dict[str, Any]] | None = None,
        ids: Sequence[Any] | None = None,
    ) -> list[float]:
        """Record ȳ and score ``r(x, ȳ)`` with the base reward (NaN where the reward failed: not cached)."""
        if len(prompts) != len(baselines):
            raise ValueError("one baseline response per prompt")
        meta = list(metadata) if metadata is not None else [{} for _ in prompts]
        self.set_baselines(prompts, baselines, ids)
        rewards = [_as_float(r) for r in self.base(list(prompts), list(baselines), meta)]
        for i, (p, r) in enumerate(zip(prompts, rewards, strict=True)):
            if not math.isnan(r):
                self.entries[prompt_key(p, ids[i] if ids is not None else None)]["reward"] = r
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
        """Sample one ȳ per prompt that has none from ``model`` (π_ref; ``baseline="policy"``), record it and
        score its reward; returns ``r(x, ȳ)`` per prompt (NaN where the reward failed).

        ``generate_fn(model, tokenizer, prompts, n=1, **generate_kwargs) -> [[text], ...]`` defaults to
        :func:`alignkit.generation.generate` (``max_new_tokens``, ``temperature``...).
        """
        keys = [prompt_key(p, ids[i] if ids is not None else None) for i, p in enumerate(prompts)]
        todo = [i for i, k in enumerate(keys) if self.entries.get(k, {}).get("baseline") is None]
        if todo:
            if generate_fn is None:
                from alignkit.generation import generate as generate_fn
            sampled = generate_fn(model, tokenizer, [prompts[i] for i in todo], n=1, **generate_kwargs)
            self.set_baselines([prompts[i] for i in todo], [s[0] for s in sampled],
                               [ids[i] for i in todo] if ids is not None else None)
        return self.baseline_rewards(prompts, metadata, ids)

    def baseline_rewards(self, prompts: Sequence[str], metadata: Sequence[dict[str, Any]] | None = None,
                         ids: Sequence[Any] | None = None) -> list[float]:
        """``r(x, ȳ)`` per prompt: cached, or scored now for prompts whose ȳ is known (NaN: no ȳ, or failed)."""
        meta = list(metadata) if metadata is not None else [{} for _ in prompts]
        keys = [prompt_key(p, ids[i] if ids is not None else None) for i, p in enumerate(prompts)]
        todo, seen = [], set()
        for i, k in enumerate(keys):
            entry = self.entries.get(k)
            if entry is not None and entry.get("reward") is None and entry.get("baseline") is not None \
                    and k not in seen:
                seen.add(k)
                todo.append(i)
        if todo:
            self.precompute([prompts[i] for i in todo], [self.entries[keys[i]]["baseline"] for i in todo],
                            [meta[i] for i in todo], [ids[i] for i in todo] if ids is not None else None)
        out = []
        for k in keys:
            value = self.entries.get(k, {}).get("reward")
            out.append(float("nan") if value is None else float(value))
        return out

    def baseline_reward(self, prompt: str, prompt_id: Any = None) -> float | None:
        """Cached ``r(x, ȳ)`` for a prompt, or ``None``."""
        entry = self.entries.get(prompt_key(prompt, prompt_id))
        return None if entry is None or entry.get("reward") is None else float(entry["reward"])

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Write every ȳ as JSONL (``path`` may be a folder); rewards are re-scored when read back."""
        file = self._cache_file(path)
        file.parent.mkdir(parents=True, exist_ok=True)
        rows = [{"id": e.get("id"), "prompt": e["prompt"], "text": e["baseline"], "baseline": self.baseline}
                for e in self.entries.values() if e.get("baseline") is not None]
        tmp = file.with_suffix(file.suffix + ".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        tmp.replace(file)
        return file

    def load(self, path: str | Path) -> int:
        """Read ȳ from a file written by :meth:`save` or appended to as ``cache_path``; returns how many.

        A line torn by a kill is skipped; a file of the other baseline kind is refused.
        """
        n = 0
        for line in self._cache_file(path).read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if row.get("baseline") not in (None, self.baseline):
                raise ValueError(f"{path} holds {row['baseline']!r} baselines, this reward uses {self.baseline!r}")
            prompt = row.get("prompt") or ""
            key = prompt_key(prompt, row.get("id"))
            self.entries[key] = {"prompt": prompt, "id": row.get("id"), "baseline": row["text"], "reward": None}
            n += 1
        return n

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
        rewards = [_as_float(r) for r in self.base(prompts, completions, metadata)]
        out: list[float] = []
        self.last_n_missing = 0
        bases = self.baseline_rewards(prompts, metadata, ids)  # scores known ȳ not scored yet
        for i, (p, r) in enumerate(zip(prompts, rewards, strict=True)):
            base = None if math.isnan(bases[i]) else bases[i]
            if base is None and self.baseline_text(p, ids[i] if ids is not None else None) is not None:
                out.append(float("nan"))  # ȳ is known but its reward failed: no calibration possible
                continue
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
