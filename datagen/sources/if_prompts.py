"""Seeded generator of IFEval-style instruction-following prompts (written for alignkit, Apache-2.0).

A prompt is a base writing task about a topic followed by 1-3 verifiable instructions. Instruction ids and
kwargs names are exactly those of the IFEval checkers in ``if_verifiable.ifeval`` (the unit tests build
every checker with its kwargs). Combinations that the IFEval conflict table forbids, plus a few more that
cannot be satisfied together (listed in :data:`EXTRA_CONFLICTS`), are never drawn.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

TOPICS = [
    "learning to cook",
    "remote work",
    "the ocean",
    "bicycles",
    "space exploration",
    "recycling",
    "a rainy day",
    "public libraries",
    "honeybees",
    "city parks",
    "volcanoes",
    "time management",
    "friendship",
    "board games",
    "coffee",
    "the moon",
    "electric cars",
    "gardening",
    "learning a new language",
    "jazz music",
    "winter holidays",
    "chess",
    "mountain hiking",
    "robots",
    "sleep",
    "photography",
    "trains",
    "the history of bread",
    "video games",
    "saving money",
    "birds",
    "museums",
    "running a marathon",
    "camping",
    "solar energy",
    "cats",
    "dogs",
    "knitting",
    "clouds",
    "smartphones",
    "the desert",
    "a small bakery",
    "team sports",
    "rivers",
    "volunteering",
    "homework",
    "kindness",
    "old maps",
    "lighthouses",
    "street food",
    "first jobs",
    "moving to a new city",
    "rainforests",
    "public transport",
    "learning to swim",
    "houseplants",
    "the night sky",
    "grandparents",
    "music festivals",
]

TASKS = [
    "Write a short poem about {topic}.",
    "Write an email to a colleague about {topic}.",
    "Write a short story that involves {topic}.",
    "Explain {topic} to a ten-year-old.",
    "Write a blog post about {topic}.",
    "Give advice to someone who wants to get started with {topic}.",
    "Write a short speech about {topic} for a school assembly.",
    "Summarize the main pros and cons of {topic}.",
    "Write a letter to a friend about {topic}.",
    "Write a limerick about {topic}.",
    "Write a dialogue between two friends discussing {topic}.",
    "Write a short essay on {topic}.",
    "Write a product description for a fictional app about {topic}.",
    "Describe {topic} as if you were a tour guide.",
    "Write a diary entry about a day spent on {topic}.",
    "Write a news report about a local event related to {topic}.",
]

YES_NO_QUESTIONS = [
    "Is {topic} a good hobby for a busy person?",
    "Do you think {topic} will matter more in ten years than today?",
    "Would you recommend {topic} to a teenager?",
    "Is {topic} overrated?",
    "Should schools teach children about {topic}?",
]

KEYWORDS = [
    "sunlight",
    "journey",
    "balance",
    "future",
    "community",
    "curious",
    "window",
    "memory",
    "change",
    "patience",
    "garden",
    "bridge",
    "quiet",
    "morning",
    "energy",
    "wonder",
    "habit",
    "laughter",
    "compass",
    "harbor",
    "lantern",
    "rhythm",
    "puzzle",
    "courage",
    "whisper",
    "horizon",
    "spark",
    "ladder",
    "anchor",
    "meadow",
]
FORBIDDEN = ["very", "really", "good", "thing", "important", "nice", "amazing", "basically", "just", "great"]
FIRST_WORDS = [
    "first",
    "today",
    "imagine",
    "however",
    "finally",
    "sometimes",
    "remember",
    "yesterday",
    "perhaps",
]
END_PHRASES = [
    "Is there anything else I can help with?",
    "Any other questions?",
    "Thanks for reading.",
    "That is all for now.",
    "Let me know what you think.",
]
LANGUAGES = {"es": "Spanish", "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese"}
COMMON_LETTERS = "etaonsr"
RARE_LETTERS = "zqxj"

Spec = tuple[Callable[[random.Random, dict[str, Any]], dict[str, Any]], Callable[[dict[str, Any]], str], int]
"""(kwargs generator taking the rng and a context dict with ``topic`` and ``used`` words, description, weight)."""


def _quoted(words: list[str], conjunction: str) -> str:
    quoted = [f'"{w}"' for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" {conjunction} " + quoted[-1]


def _take(pool: list[str], ctx: dict[str, Any], rng: random.Random, k: int) -> list[str]:
    """Pick ``k`` words from ``pool`` that are not yet used in this prompt (and mark them used)."""
    words = rng.sample([w for w in pool if w not in ctx["used"]], k)
    ctx["used"].extend(words)
    return words


def _relation(rng: random.Random) -> str:
    return rng.choice(["at least", "less than"])


def _number_words(rng: random.Random, ctx: dict[str, Any]) -> dict[str, Any]:
    relation = _relation(rng)
    n = (
        rng.choice([50, 80, 100, 120, 150, 200, 250, 300])
        if relation == "at least"
        else rng.choice([60, 80, 100, 150, 200, 300])
    )
    return {"num_words": n, "relation": relation}


def _number_sentences(rng: random.Random, ctx: dict[str, Any]) -> dict[str, Any]:
    relation = _relation(rng)
    return {
        "num_sentences": rng.randint(3, 10) if relation == "at least" else rng.randint(4, 12),
        "relation": relation,
    }


def _letter_frequency(rng: random.Random, ctx: dict[str, Any]) -> dict[str, Any]:
    rare = [c for c in RARE_LETTERS if c not in ctx["topic"]]
    if rng.random() < 0.6 or not rare:
        return {
            "letter": rng.choice(COMMON_LETTERS),
            "let_frequency": rng.randint(5, 20),
            "let_relation": "at least",
        }
    return {"letter": rng.choice(rare), "let_frequency": rng.randint(2, 5), "let_relation": "less than"}


def _keyword_frequency(rng: random.Random, ctx: dict[str, Any]) -> dict[str, Any]:
    (word,) = _take(KEYWORDS, ctx, rng, 1)
    relation = _relation(rng)
    return {"keyword": word, "frequency": rng.randint(2, 4), "relation": relation}


def _nth_paragraph(rng: random.Random, ctx: dict[str, Any]) -> dict[str, Any]:
    n = rng.randint(2, 5)
    return {"num_paragraphs": n, "nth_paragraph": rng.randint(1, n), "first_word": rng.choice(FIRST_WORDS)}


def _no_args(rng: random.Random, ctx: dict[str, Any]) -> dict[str, Any]:
    return {}


SPECS: dict[str, Spec] = {
    "punctuation:no_comma": (_no_args, lambda k: "Do not use any commas in your response.", 10),
    "detectable_format:title": (
        _no_args,
        lambda k: (
            "Your answer must contain a title, wrapped in double angular brackets, such as <<my title>>."
        ),
        8,
    ),
    "detectable_format:number_bullet_lists": (
        lambda r, c: {"num_bullets": r.randint(2, 6)},
        lambda k: (
            f"Your answer must contain exactly {k['num_bullets']} bullet points. Use markdown bullet points such as:\n* This is a point."
        ),
        8,
    ),
    "detectable_format:number_highlighted_sections": (
        lambda r, c: {"num_highlights": r.randint(1, 4)},
        lambda k: (
            f"Highlight at least {k['num_highlights']} sections of your answer with markdown, i.e. *highlighted section*."
        ),
        7,
    ),
    "detectable_format:multiple_sections": (
        lambda r, c: {"section_spliter": r.choice(["Section", "SECTION"]), "num_sections": r.randint(2, 5)},
        lambda k: (
            f"Your response must have {k['num_sections']} sections. Mark the beginning of each section with "
            f"{k['section_spliter']} X, such as: {k['section_spliter']} 1"
        ),
        6,
    ),
    "detectable_format:json_format": (
        _no_args,
        lambda k: (
            "Your entire output should be wrapped in JSON format. You can use markdown ticks such as ```."
        ),
        4,
    ),
    "detectable_format:constrained_response": (
        _no_args,
        lambda k: (
            'Answer with one of the following options: "My answer is yes.", "My answer is no.", "My answer is maybe."'
        ),
        3,
    ),
    "detectable_content:postscript": (
        lambda r, c: {"postscript_marker": r.choice(["P.S.", "P.P.S"])},
        lambda k: (
            f"At the end of your response, please explicitly add a postscript starting with {k['postscript_marker']}"
        ),
        7,
    ),
    "detectable_content:number_placeholders": (
        lambda r, c: {"num_placeholders": r.randint(1, 4)},
        lambda k: (
            f"The response must contain at least {k['num_placeholders']} placeholders represented by square brackets, "
            "such as [address]."
        ),
        5,
    ),
    "length_constraints:number_words": (
        _number_words,
        lambda k: f"Answer with {k['relation']} {k['num_words']} words.",
        8,
    ),
    "length_constraints:number_paragraphs": (
        lambda r, c: {"num_paragraphs": r.randint(2, 5)},
        lambda k: (
            f"There should be exactly {k['num_paragraphs']} paragraphs. "
            "Separate the paragraphs from each other with the markdown divider ***."
        ),
        6,
    ),
    "length_constraints:nth_paragraph_first_word": (
        _nth_paragraph,
        lambda k: (
            f"There should be exactly {k['num_paragraphs']} paragraphs. Paragraphs and only paragraphs are separated "
            f"from each other by two new lines. Paragraph {k['nth_paragraph']} must start with the word "
            f'"{k["first_word"]}".'
        ),
        4,
    ),
    "length_constraints:number_sentences": (
        _number_sentences,
        lambda k: f"Your response should contain {k['relation']} {k['num_sentences']} sentences.",
        3,
    ),
    "keywords:existence": (
        lambda r, c: {"keywords": _take(KEYWORDS, c, r, r.randint(1, 3))},
        lambda k: (
            f"Include the keyword{'s' if len(k['keywords']) > 1 else ''} {_quoted(k['keywords'], 'and')} "
            "in your response."
        ),
        8,
    ),
    "keywords:frequency": (
        _keyword_frequency,
        lambda k: (
            f'In your response, the word "{k["keyword"]}" should appear {k["relation"]} {k["frequency"]} times.'
        ),
        6,
    ),
    "keywords:forbidden_words": (
        lambda r, c: {"forbidden_words": _take(FORBIDDEN, c, r, r.randint(1, 3))},
        lambda k: (
            f"Do not include the word{'s' if len(k['forbidden_words']) > 1 else ''} "
            f"{_quoted(k['forbidden_words'], 'or')} in your response."
        ),
        6,
    ),
    "keywords:letter_frequency": (
        _letter_frequency,
        lambda k: (
            f'In your response, the letter "{k["letter"]}" should appear {k["let_relation"]} {k["let_frequency"]} times.'
        ),
        5,
    ),
    "language:response_language": (
        lambda r, c: {"language": r.choice(sorted(LANGUAGES))},
        lambda k: (
            f"Your entire response should be in {LANGUAGES[k['language']]}; no other language is allowed."
        ),
        5,
    ),
    "change_case:english_lowercase": (
        _no_args,
        lambda k: (
            "Your entire response should be in English and in all lowercase letters. No capital letters are allowed."
        ),
        6,
    ),
    "change_case:english_capital": (
        _no_args,
        lambda k: "Your entire response should be in English, and in all capital letters.",
        5,
    ),
    "change_case:capital_word_frequency": (
        lambda r, c: {
            "capital_frequency": r.randint(2, 8),
            "capital_relation": r.choice(["at least", "less than"]),
        },
        lambda k: (
            f"In your response, words with all capital letters should appear {k['capital_relation']} {k['capital_frequency']} times."
        ),
        3,
    ),
    "startend:end_checker": (
        lambda r, c: {"end_phrase": r.choice(END_PHRASES)},
        lambda k: (
            f'Finish your response with the exact phrase "{k["end_phrase"]}" and add no other words after it.'
        ),
        6,
    ),
    "startend:quotation": (_no_args, lambda k: "Wrap your entire response with double quotation marks.", 5),
    "combination:two_responses": (
        _no_args,
        lambda k: (
            "Give two different responses. Responses and only responses should be separated by 6 asterisk symbols: ******."
        ),
        4,
    ),
    "combination:repeat_prompt": (
        _no_args,  # prompt_to_repeat is filled in by make_prompt
        lambda k: (
            "First repeat the request word for word without change, then give your answer (1. do not say any words "
            "or characters before repeating the request; 2. the request you need to repeat does not include this "
            "sentence)"
        ),
        3,
    ),
}
"""Instruction id -> (kwargs generator, description builder, sampling weight)."""

EXTRA_CONFLICTS: dict[str, set[str]] = {
    "change_case:english_lowercase": {
        "detectable_content:postscript",
        "detectable_format:multiple_sections",
        "change_case:capital_word_frequency",
        "startend:end_checker",
    },
    "change_case:english_capital": {"detectable_format:multiple_sections", "startend:end_checker"},
    "language:response_language": {
        "length_constraints:nth_paragraph_first_word",
        "combination:repeat_prompt",
        "keywords:letter_frequency",
        "change_case:capital_word_frequency",
        "length_constraints:number_sentences",
    },
    "detectable_format:number_bullet_lists": {"detectable_format:number_highlighted_sections"},
    "length_constraints:nth_paragraph_first_word": {
        "detectable_format:title",
        "detectable_content:postscript",
        "detectable_format:multiple_sections",
        "startend:quotation",
    },
    "startend:quotation": {"combination:repeat_prompt"},
    "length_constraints:number_paragraphs": {"detectable_format:multiple_sections"},
}
"""Pairs that the IFEval conflict table allows but that cannot (or can hardly) be satisfied together."""


def conflicts() -> dict[str, set[str]]:
    """Symmetric conflict table: IFEval's own plus :data:`EXTRA_CONFLICTS`, restricted to :data:`SPECS`."""
    from if_verifiable.ifeval import instructions_registry as reg

    table: dict[str, set[str]] = {k: set(v) for k, v in reg.INSTRUCTION_CONFLICTS.items()}
    for key, others in EXTRA_CONFLICTS.items():
        table.setdefault(key, set()).update(others)
    for key in list(table):
        for other in list(table[key]):
            table.setdefault(other, set()).add(key)
        table[key].add(key)
    return {k: {o for o in v if o in SPECS} for k, v in table.items() if k in SPECS}


def _choose_ids(rng: random.Random, k: int, table: dict[str, set[str]]) -> list[str]:
    ids: list[str] = []
    names = list(SPECS)
    weights = [SPECS[n][2] for n in names]
    tries = 0
    while len(ids) < k and tries < 100:
        tries += 1
        (pick,) = rng.choices(names, weights=weights)
        if any(pick in table.get(i, set()) or i in table.get(pick, set()) for i in ids) or pick in ids:
            continue
        ids.append(pick)
    return ids


def make_prompt(rng: random.Random, table: dict[str, set[str]]) -> dict[str, Any]:
    """Draw one prompt: returns ``prompt``, ``instruction_id_list``, ``kwargs``, ``topic`` and ``task``."""
    n = rng.choices([1, 2, 3], weights=[4, 4, 2])[0]
    ids = _choose_ids(rng, n, table)
    topic = rng.choice(TOPICS)
    if "detectable_format:constrained_response" in ids:
        task = rng.choice(YES_NO_QUESTIONS)
    else:
        task = rng.choice(TASKS)
    request = task.format(topic=topic)
    ctx: dict[str, Any] = {"topic": topic, "used": []}
    # repeat_prompt must come last: the text to repeat is everything before it.
    ids.sort(key=lambda i: i == "combination:repeat_prompt")
    kwargs_list: list[dict[str, Any]] = []
    parts = [request]
    for instruction_id in ids:
        make_kwargs, describe, _ = SPECS[instruction_id]
        kwargs = make_kwargs(rng, ctx)
        if instruction_id == "combination:repeat_prompt":
            kwargs = {"prompt_to_repeat": " ".join(parts)}
        kwargs_list.append(kwargs)
        text = describe(kwargs)
        parts.append(text if text.endswith((".", "?", ")")) else text + ".")
    prompt = " ".join(parts)
    return {"prompt": prompt, "instruction_id_list": ids, "kwargs": kwargs_list, "topic": topic, "task": task}


def normalize(text: str) -> str:
    """Lowercase and collapse non-alphanumerics; used to deduplicate prompts."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def generate(n: int, seed: int) -> list[dict[str, Any]]:
    """Generate ``n`` prompts with distinct normalized text."""
    rng = random.Random(seed)
    table = conflicts()
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    while len(out) < n:
        item = make_prompt(rng, table)
        key = normalize(item["prompt"])
        if key in seen:
            continue
        seen.add(key)
        out.append(item)
    return out
