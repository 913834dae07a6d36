"""Rule-built responses for IFEval-style prompts (the shipped instruction-following set has no references).

:func:`synthesize` writes a response that follows a prompt's instructions by construction: sentences from
a small bank (in the requested language), shaped into the required structure (paragraphs, sections,
bullets, title, postscript...), then the case, punctuation and wrapper rules. Leaving one instruction
out (``skip=``) gives a near-identical response that breaks exactly that instruction, a hard negative
for reward-model pairs. Every pair built from these is still verified by the instruction-following
judge, so an imperfect construction is dropped rather than mislabelled.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

BANK = {
    "en": [
        "The morning started slowly under a pale sky.",
        "People in the town walked to work along the river.",
        "A small change in routine can make a day feel new.",
        "Many visitors come back every year for the same reason.",
        "The old library keeps maps that nobody has opened for decades.",
        "Learning something new takes patience and steady practice.",
        "The garden behind the school grows tomatoes in the summer.",
        "Friends meet on Sundays to share stories and food.",
        "The path through the forest is quiet in the early hours.",
        "Each season brings its own colors to the hills.",
        "Small habits add up to large results over time.",
        "The team planned every step before starting the project.",
        "Children learn best when they can ask questions freely.",
        "The bakery on the corner opens before sunrise.",
        "A clear plan helps people stay calm when things go wrong.",
        "Travelers often remember the people more than the places.",
        "The city added new bike lanes along the main road.",
        "Reading before bed helps many people fall asleep.",
        "The museum shows art from many different centuries.",
        "Careful notes make it easier to learn from mistakes.",
    ],
    "es": [
        "La mañana empezó despacio bajo un cielo gris.",
        "La gente del pueblo camina al trabajo junto al río.",
        "Aprender algo nuevo requiere paciencia y práctica constante.",
        "Los amigos se reúnen los domingos para compartir historias.",
        "El jardín de la escuela tiene tomates en verano.",
        "Cada estación trae sus propios colores a las colinas.",
        "Los niños aprenden mejor cuando pueden hacer preguntas.",
        "La panadería de la esquina abre antes del amanecer.",
    ],
    "fr": [
        "La matinée a commencé lentement sous un ciel pâle.",
        "Les habitants de la ville marchent au travail le long de la rivière.",
        "Apprendre quelque chose de nouveau demande de la patience.",
        "Les amis se retrouvent le dimanche pour partager des histoires.",
        "Le jardin de l'école donne des tomates en été.",
        "Chaque saison apporte ses propres couleurs aux collines.",
        "Les enfants apprennent mieux quand ils peuvent poser des questions.",
        "La boulangerie du coin ouvre avant le lever du soleil.",
    ],
    "de": [
        "Der Morgen begann langsam unter einem blassen Himmel.",
        "Die Menschen der Stadt gehen am Fluss entlang zur Arbeit.",
        "Etwas Neues zu lernen braucht Geduld und Übung.",
        "Die Freunde treffen sich am Sonntag und erzählen Geschichten.",
        "Der Garten der Schule hat im Sommer viele Tomaten.",
        "Jede Jahreszeit bringt ihre eigenen Farben in die Hügel.",
        "Kinder lernen am besten, wenn sie Fragen stellen dürfen.",
        "Die Bäckerei an der Ecke öffnet vor dem Sonnenaufgang.",
    ],
    "it": [
        "La mattina è iniziata lentamente sotto un cielo pallido.",
        "La gente del paese cammina al lavoro lungo il fiume.",
        "Imparare qualcosa di nuovo richiede pazienza e pratica.",
        "Gli amici si incontrano la domenica per raccontare storie.",
        "Il giardino della scuola produce pomodori in estate.",
        "Ogni stagione porta i suoi colori sulle colline.",
        "I bambini imparano meglio quando possono fare domande.",
        "Il forno all'angolo apre prima dell'alba.",
    ],
    "pt": [
        "A manhã começou devagar sob um céu pálido.",
        "As pessoas da cidade caminham para o trabalho junto ao rio.",
        "Aprender algo novo exige paciência e prática constante.",
        "Os amigos se encontram aos domingos para contar histórias.",
        "O jardim da escola tem tomates no verão.",
        "Cada estação traz as suas próprias cores para as colinas.",
        "As crianças aprendem melhor quando podem fazer perguntas.",
        "A padaria da esquina abre antes do nascer do sol.",
    ],
}
SHOUTS = [
    "PLEASE",
    "NOTE",
    "THIS",
    "KEY",
    "POINT",
    "TODAY",
    "ALWAYS",
    "CHECK",
    "EVERY",
    "DETAIL",
    "NOW",
    "WITH",
    "CARE",
]


def _count_words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _sentences(rng: random.Random, lang: str, k: int) -> list[str]:
    bank = BANK.get(lang, BANK["en"])
    return [bank[(i + rng.randrange(len(bank))) % len(bank)] for i in range(k)]


def _fit_length(
    sentences: list[str], args: dict[str, dict[str, Any]], rng: random.Random, lang: str
) -> list[str]:
    """Grow or shrink the sentence list to meet word- and sentence-count rules."""
    words = args.get("length_constraints:number_words")
    count = args.get("length_constraints:number_sentences")
    out = list(sentences)
    for _ in range(60):
        n_words = sum(_count_words(s) for s in out)
        grow = (words and words["relation"] == "at least" and n_words < words["num_words"]) or (
            count and count["relation"] == "at least" and len(out) < count["num_sentences"]
        )
        shrink = (words and words["relation"] == "less than" and n_words >= words["num_words"]) or (
            count and count["relation"] == "less than" and len(out) >= count["num_sentences"]
        )
        if grow and not shrink:
            out.extend(_sentences(rng, lang, 1))
        elif shrink and len(out) > 1:
            out.pop()
        else:
            break
    return out


def _chunks(items: list[str], n: int) -> list[list[str]]:
    n = max(1, n)
    while len(items) < n:
        items = items + items[:1]
    size = len(items) / n
    return [items[round(i * size) : round((i + 1) * size)] for i in range(n)]


def synthesize(prompt: str, metadata: dict[str, Any], seed: int = 0, skip: str | None = None) -> str:
    """A response that follows the prompt's IFEval instructions (all but ``skip``, when given)."""
    rng = random.Random(f"{seed}-{prompt}")
    ids = list(metadata.get("instruction_id_list") or [])
    kwargs = list(metadata.get("kwargs") or [{} for _ in ids])
    args = {i: dict(k or {}) for i, k in zip(ids, kwargs, strict=True) if i != skip}
    if "detectable_format:constrained_response" in args:
        return "My answer is yes."
    lang = args.get("language:response_language", {}).get("language", "en")
    sentences = _sentences(rng, lang, 5)
    if "keywords:existence" in args:
        sentences += [
            f"The word {kw} belongs in this answer." for kw in args["keywords:existence"]["keywords"]
        ]
    freq = args.get("keywords:frequency")
    if freq and freq["relation"] == "at least":
        sentences += [f"We keep the {freq['keyword']} close." for _ in range(freq["frequency"])]
    letters = args.get("keywords:letter_frequency")
    if letters and letters["let_relation"] == "at least":
        sentences.append(" ".join([letters["letter"] * 3] * letters["let_frequency"]) + ".")
    caps = args.get("change_case:capital_word_frequency")
    if caps and caps["capital_relation"] == "at least":
        sentences.append(" ".join((SHOUTS * 4)[: caps["capital_frequency"]]) + ".")
    if "detectable_content:number_placeholders" in args:
        n = args["detectable_content:number_placeholders"]["num_placeholders"]
        sentences.append("Fill in " + " and ".join(f"[field {i + 1}]" for i in range(n)) + ".")
    if "detectable_format:number_highlighted_sections" in args:
        n = args["detectable_format:number_highlighted_sections"]["num_highlights"]
        sentences += [f"*Key idea {i + 1} is here.*" for i in range(n)]
    sentences = _fit_length(sentences, args, rng, lang)
    if letters and letters["let_relation"] == "less than":
        sentences = [s for s in sentences if s.lower().count(letters["letter"]) == 0] or ["Ok."]

    if "length_constraints:nth_paragraph_first_word" in args:
        a = args["length_constraints:nth_paragraph_first_word"]
        paragraphs = [" ".join(p) for p in _chunks(sentences, a["num_paragraphs"])]
        n = a["nth_paragraph"] - 1
        if 0 <= n < len(paragraphs):
            paragraphs[n] = f"{a['first_word'].capitalize()} {paragraphs[n][0].lower()}{paragraphs[n][1:]}"
        body = "\n\n".join(paragraphs)
    elif "length_constraints:number_paragraphs" in args:
        n = args["length_constraints:number_paragraphs"]["num_paragraphs"]
        body = "\n***\n".join(" ".join(p) for p in _chunks(sentences, n))
    elif "detectable_format:multiple_sections" in args:
        a = args["detectable_format:multiple_sections"]
        parts = _chunks(sentences, a["num_sections"])
        body = "\n\n".join(f"{a['section_spliter']} {i + 1}\n" + " ".join(p) for i, p in enumerate(parts))
    else:
        body = " ".join(sentences)
    if "detectable_format:number_bullet_lists" in args:
        n = args["detectable_format:number_bullet_lists"]["num_bullets"]
        body += "\n\n" + "\n".join(f"* {s}" for s in _sentences(rng, lang, n))
    if "detectable_format:title" in args:
        body = "<<A Short Answer>>\n\n" + body
    if "detectable_content:postscript" in args:
        body += f"\n\n{args['detectable_content:postscript']['postscript_marker']} Thanks for reading."
    if "combination:two_responses" in args:
        body = body + "\n******\n" + " ".join(_sentences(rng, lang, 3))
    if "combination:repeat_prompt" in args:
        body = args["combination:repeat_prompt"]["prompt_to_repeat"] + "\n\n" + body
    if "startend:end_checker" in args:
        body = body.rstrip() + "\n\n" + args["startend:end_checker"]["end_phrase"]
    body = _global_rules(body, args)
    return body


def _global_rules(body: str, args: dict[str, dict[str, Any]]) -> str:
    forbidden = args.get("keywords:forbidden_words", {}).get("forbidden_words", [])
    for word in forbidden:
        body = re.sub(rf"\b{re.escape(word)}\b", "", body, flags=re.IGNORECASE)
    freq = args.get("keywords:frequency")
    if freq and freq["relation"] == "less than":
        hits = list(re.finditer(rf"\b{re.escape(freq['keyword'])}\b", body, flags=re.IGNORECASE))
        for m in reversed(hits[max(0, freq["frequency"] - 1) :]):
            body = body[: m.start()] + body[m.end() :]
    if "change_case:english_lowercase" in args:
        body = body.lower()
    if "change_case:english_capital" in args:
        body = body.upper()
    if "punctuation:no_comma" in args:
        body = body.replace(",", "")
    if "detectable_format:json_format" in args:
        body = json.dumps({"response": body}, ensure_ascii=False)
    if "startend:quotation" in args:
        body = f'"{body}"'
    return body
