"""The instruction-following judge (if-verifiable), including the two Punkt checkers offline."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from alignkit.judges.instruction_following import (
    InstructionFollowingJudge,
    count_sentences,
    evaluate_instructions,
    word_tokenize,
)


def md(*pairs):
    return {"instruction_id_list": [p[0] for p in pairs], "kwargs": [p[1] for p in pairs]}


@pytest.fixture(scope="module")
def judge():
    with InstructionFollowingJudge(num_workers=1, timeout_s=10.0) as j:
        yield j


CASES = [
    # (response, metadata, strict verdict)
    ("hello world and goodbye", md(("punctuation:no_comma", {})), 1),
    ("hello, world", md(("punctuation:no_comma", {})), 0),
    ("ALL CAPS RESPONSE HERE", md(("change_case:english_capital", {})), 1),
    ("Not all caps", md(("change_case:english_capital", {})), 0),
    ('"wrapped in quotes"', md(("startend:quotation", {})), 1),
    ('"only looks wrapped', md(("startend:quotation", {})), 0),
    (
        "one two three four five six",
        md(("length_constraints:number_words", {"num_words": 5, "relation": "at least"})),
        1,
    ),
    ("one two three", md(("length_constraints:number_words", {"num_words": 5, "relation": "at least"})), 0),
    ('{"a": 1}', md(("detectable_format:json_format", {})), 1),
    ('{"a": 1,}', md(("detectable_format:json_format", {})), 0),  # malformed JSON
    (
        "Tea is good. P.S. drink water",
        md(("detectable_content:postscript", {"postscript_marker": "P.S."}), ("punctuation:no_comma", {})),
        1,
    ),
    (
        "Tea is good, really. P.S. drink water",  # one of two instructions broken
        md(("detectable_content:postscript", {"postscript_marker": "P.S."}), ("punctuation:no_comma", {})),
        0,
    ),
]


@pytest.mark.parametrize(("response", "metadata", "expected"), CASES)
def test_instruction_following_verdicts(judge, response, metadata, expected):
    verdict = judge(["p"], [response], [metadata])[0]
    assert verdict.value == expected, verdict


def test_score_is_the_followed_fraction(judge):
    metadata = md(("punctuation:no_comma", {}), ("change_case:english_lowercase", {}))
    verdict = judge(["p"], ["all lowercase, but with a comma"], [metadata])[0]
    assert verdict.value == 0 and verdict.score == 0.5


def test_strict_and_loose_modes():
    # IFEval's loose mode forgives markdown asterisks and a first/last line of chatter.
    metadata = md(("startend:end_checker", {"end_phrase": "Is there anything else I can help with?"}))
    response = "Here you go.\n**Is there anything else I can help with?**"
    strict = InstructionFollowingJudge(num_workers=0, mode="strict")
    loose = InstructionFollowingJudge(num_workers=0, mode="loose")
    assert strict(["p"], [response], [metadata])[0].value == 0
    assert loose(["p"], [response], [metadata])[0].value == 1
    with pytest.raises(ValueError):
        InstructionFollowingJudge(mode="lenient")


def test_empty_response_violates_and_bad_metadata_fails(judge):
    verdicts = judge(
        ["p"] * 4,
        ["", "text", "text", "text"],
        [
            md(("punctuation:no_comma", {})),
            {},
            md(("made_up:instruction", {})),
            md(("length_constraints:number_words", {"num_words": 5})),  # 'relation' missing
        ],
    )
    assert [v.value for v in verdicts] == [0, -1, -1, -1]
    assert "unknown instruction" in verdicts[2].reason
    assert "relation" in verdicts[3].reason


def test_punkt_checkers_work_offline(judge):
    five = "One. Two is here. Three! Four? Five."
    verdicts = judge(
        ["p"] * 4,
        [five, "One sentence only.", "I LOVE NEW YORK AND PARIS", "only lower case words"],
        [
            md(("length_constraints:number_sentences", {"num_sentences": 5, "relation": "at least"})),
            md(("length_constraints:number_sentences", {"num_sentences": 2, "relation": "at least"})),
            md(
                (
                    "change_case:capital_word_frequency",
                    {"capital_frequency": 3, "capital_relation": "at least"},
                )
            ),
            md(
                (
                    "change_case:capital_word_frequency",
                    {"capital_frequency": 1, "capital_relation": "at least"},
                )
            ),
        ],
    )
    assert [v.value for v in verdicts] == [1, 0, 1, 0]
    assert count_sentences("Dr. Smith went home. He was tired.") == 2  # abbreviations handled like NLTK
    assert word_tokenize("Hello THERE, friend.") == ["Hello", "THERE", ",", "friend", "."]


def test_punkt_checkers_never_download(tmp_path):
    """In a fresh interpreter with no NLTK data anywhere and nltk.download disabled, both checkers work."""
    script = textwrap.dedent(
        f"""
        import nltk
        nltk.data.path[:] = [{str(tmp_path)!r}]
        def _no_download(*a, **k):
            raise SystemExit("nltk.download was called")
        nltk.download = _no_download
        nltk.downloader.download = _no_download
        from alignkit.judges.instruction_following import evaluate_instructions
        out = evaluate_instructions((
            "", "First one. Second one. THIRD ONE HERE.",
            ["length_constraints:number_sentences", "change_case:capital_word_frequency"],
            [{{"num_sentences": 3, "relation": "at least"}}, {{"capital_frequency": 3, "capital_relation": "at least"}}],
        ))
        assert out == [(True, True), (True, True)], out
        print("OK")
        """
    )
    env_path = ":".join(p for p in sys.path if p)
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "NLTK_DATA": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "OK"


def test_worker_body_directly():
    out = evaluate_instructions(("p", "no commas here", ["punctuation:no_comma"], [{}]))
    assert out == [(True, True)]
