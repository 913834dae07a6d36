"""eva's creator (arXiv 2411.00062): informativeness, sampling, operators, evolver, filters, mix."""

from __future__ import annotations

import itertools
import json
import math
import random
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from alignkit.data import MATH_SUFFIX
from alignkit.judges.base import Judge, JudgeVerdict
from alignkit.trainers.eva_creator import (
    FilterConfig,
    Operator,
    VariantFilter,
    assign_operators,
    build_operators,
    clean_variant,
    detect_language,
    drop_counts,
    evolve_prompts,
    informativeness,
    mix_prompt_set,
    numbers_in,
    same_language,
    sample_prompts,
    sampling_weights,
    weighted_sample_without_replacement,
)

OPERATORS_DIR = Path(__file__).resolve().parents[2] / "recipes" / "eva_evolve" / "operators"
CODE_SUFFIX = "Reply with the complete function in a single ```python fenced code block."


# --- informativeness ------------------------------------------------------------------------------------------


def test_each_proxy_on_constructed_rewards():
    r = [1.0, 3.0, 2.0, 0.5]
    mean = 6.5 / 4
    assert informativeness(r, "gap") == pytest.approx(2.5)
    assert informativeness(r, "variance") == pytest.approx(sum((x - mean) ** 2 for x in r) / 4)
    assert informativeness(r, "max_mean") == pytest.approx(3.0 - mean)
    assert informativeness(r, "best_second") == pytest.approx(1.0)


def test_proxies_rank_prompts_differently():
    # Same gap, different spread: the gap cannot tell them apart, variance and max-mean can.
    a, b = [0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 1.0]
    assert informativeness(a, "gap") == informativeness(b, "gap")
    assert informativeness(a, "max_mean") > informativeness(b, "max_mean")
    assert informativeness(a, "best_second") == 1.0 and informativeness(b, "best_second") == 0.0


def test_failed_rewards_are_left_out_not_read_as_zero():
    assert informativeness([None, 2.0, float("nan"), 5.0], "gap") == pytest.approx(3.0)
    assert math.isnan(informativeness([None, 2.0, float("nan")], "gap"))  # one valid reward: no estimate


def test_unknown_proxy_is_refused():
    from alignkit.errors import ConfigError

    with pytest.raises(ConfigError, match="creator.proxy"):
        informativeness([1.0, 2.0], "range")


# --- sampling -------------------------------------------------------------------------------------------------


def test_weights_are_min_max_normalised():
    assert sampling_weights([1.0, 3.0, 2.0]) == pytest.approx([0.0, 1.0, 0.5])
    assert sampling_weights([2.0, 2.0]) == [1.0, 1.0]
    assert sampling_weights([float("nan"), 1.0, 3.0]) == pytest.approx([0.0, 0.0, 1.0])


def _successive_inclusion(weights: list[float], k: int) -> list[float]:
    """Exact inclusion probabilities of k successive weighted draws without replacement (enumeration)."""
    probs = [0.0] * len(weights)
    for order in itertools.permutations(range(len(weights)), k):
        p, left = 1.0, sum(weights)
        for i in order:
            p *= weights[i] / left
            left -= weights[i]
        for i in order:
            probs[i] += p
    return probs


def test_sampling_frequencies_follow_the_weights():
    weights = [1.0, 2.0, 3.0, 4.0]
    trials = 20000
    rng = random.Random(123)
    for k in (1, 2):
        counts = [0] * 4
        for _ in range(trials):
            picks = weighted_sample_without_replacement(weights, k, rng)
            assert len(set(picks)) == k  # without replacement
            for i in picks:
                counts[i] += 1
        for i, p in enumerate(_successive_inclusion(weights, k)):
            sd = math.sqrt(trials * p * (1 - p))
            assert abs(counts[i] - trials * p) < 4.5 * sd, (k, i, counts[i], trials * p)


def test_seeded_draws_of_prompts_follow_their_normalised_informativeness():
    # informativeness 1, 2, 3, 5 -> weights 0, 1/4, 1/2, 1: over seeds, the single draw of a quarter of 4 prompts
    # takes each prompt with probability weight / 1.75 (a 4.5-sigma binomial bound), never the least informative.
    info = [1.0, 2.0, 3.0, 5.0]
    seeds = 6000
    counts = [0] * 4
    for seed in range(seeds):
        [i] = sample_prompts(info, 0.25, seed=seed)
        counts[i] += 1
    assert counts[0] == 0
    for i, w in enumerate([0.0, 0.25, 0.5, 1.0]):
        p = w / 1.75
        assert abs(counts[i] - seeds * p) <= 4.5 * math.sqrt(seeds * p * (1 - p)), (i, counts)


def test_sampling_is_seeded_and_draws_a_quarter():
    info = [float(i % 7) for i in range(40)]
    a = sample_prompts(info, 0.25, seed=5)
    assert len(a) == 10 and len(set(a)) == 10
    assert a == sample_prompts(info, 0.25, seed=5)
    assert a != sample_prompts(info, 0.25, seed=6)


def test_least_informative_prompt_is_drawn_last():
    # Min-max normalisation gives the minimum weight 0: with k=2 of 3 it is never drawn.
    for seed in range(50):
        assert sorted(sample_prompts([0.1, 0.5, 0.9], 2 / 3, seed=seed)) == [1, 2]


def test_uniform_option_ignores_informativeness():
    info = [0.0, 0.0, 0.0, 10.0]
    counts = [0] * 4
    for seed in range(4000):
        counts[sample_prompts(info, 0.25, seed=seed, uniform=True)[0]] += 1
    assert all(abs(c - 1000) < 4.5 * math.sqrt(4000 * 0.25 * 0.75) for c in counts)
    # while the informativeness-weighted draw always takes the only informative prompt
    assert all(sample_prompts(info, 0.25, seed=s) == [3] for s in range(20))


# --- operators ------------------------------------------------------------------------------------------------


def _load_ops(folder: str) -> list[Operator]:
    specs = {p.stem: OmegaConf.to_container(OmegaConf.load(p)) for p in sorted((OPERATORS_DIR / folder).glob("*.yaml"))}
    return build_operators(specs)


def _shipped(name: str) -> dict:
    from alignkit.data import load_prompts

    return load_prompts(name, split="train", limit=1)[0]


@pytest.mark.parametrize("folder", ["chat", "math", "coding"])
def test_every_operator_renders_from_its_template(folder):
    ops = _load_ops(folder)
    names = {op.name for op in ops}
    assert {"add_constraints", "deepen", "concretize", "more_reasoning", "expand", "breadth"} <= names
    parent = _shipped(folder)
    body = parent["prompt"].replace(MATH_SUFFIX, "").strip()
    for op in ops:
        text = op.render(body, parent["metadata"])
        assert body in text, op.name
        assert "{" + "prompt}" not in text and "{entry_point}" not in text
        if folder == "coding":
            assert f"`{parent['metadata']['entry_point']}`" in text or op.kind == "breadth"
    assert {op.kind for op in ops} == {"depth", "breadth"}


def test_a_template_field_missing_from_the_metadata_is_an_error():
    op = Operator(name="x", template="{prompt} keeps `{entry_point}`")
    with pytest.raises(KeyError, match="entry_point"):
        op.render("p", {})


def test_operator_checks_name_the_key():
    from alignkit.errors import ConfigError

    with pytest.raises(ConfigError, match=r"creator.operators.bad.template"):
        build_operators({"bad": {"template": "no field here"}})
    with pytest.raises(ConfigError, match=r"creator.operators.bad.kind"):
        build_operators({"bad": {"template": "{prompt}", "kind": "sideways"}})


def test_distinct_assignment_gives_each_parent_different_operators():
    ops = [Operator(name=f"o{i}", template="{prompt}") for i in range(5)]
    plan = assign_operators(30, 4, ops, random.Random(0), "distinct")
    assert all(len({op.name for op in row}) == 4 for row in plan)
    used = {op.name for row in plan for op in row}
    assert used == {f"o{i}" for i in range(5)}


def test_cleanup_removes_lead_ins_quotes_and_parses_the_answer():
    op = Operator(name="d", template="{prompt}")
    assert clean_variant('Rewritten prompt: "Plan a trip to Oslo in May."', op)[0] == "Plan a trip to Oslo in May."
    assert clean_variant("Here is the new prompt:\nWrite a poem.", op)[0] == "Write a poem."
    breadth = _load_ops("math")[[o.name for o in _load_ops("math")].index("breadth")]
    text, meta = clean_variant("A farmer has 12 cows and buys 5 more. How many now?\nAnswer: 17", breadth)
    assert text == "A farmer has 12 cows and buys 5 more. How many now?" and meta == {"answer": "17"}


class ScriptedEvolver:
    """Answers with scripted texts and records the instructions it was given."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.seen: list[str] = []

    def complete(self, instructions):
        self.seen += list(instructions)
        return [self.answers.pop(0) for _ in instructions]


def test_evolve_keeps_lineage_and_the_math_suffix_once():
    parent = _shipped("math")
    op = Operator(name="concretize", template="Rewrite: {prompt}")
    evolver = ScriptedEvolver([f"Rewritten problem: {parent['prompt']}"])  # the evolver copied the suffix too
    [child] = evolve_prompts([parent], evolver, [op], 1, rng=random.Random(0), iteration=3, prompt_suffix=MATH_SUFFIX)
    assert MATH_SUFFIX not in evolver.seen[0]  # the evolver sees the problem, not the answer-format instruction
    assert child["prompt"].count(MATH_SUFFIX) == 1 and child["prompt"].endswith(MATH_SUFFIX)
    assert child["parent_id"] == parent["id"] and child["operator"] == "concretize" and child["origin"] == "evolved"
    assert child["metadata"]["answer"] == parent["metadata"]["answer"]  # inherited
    assert child["reference"] is None  # the parent's worked solution does not answer the child


# --- filters --------------------------------------------------------------------------------------------------


class KeywordJudge(Judge):
    """Violated when the response contains BAD, failed (-1) when it contains FAIL."""

    def judge(self, prompts, responses, metadata=None):
        return [JudgeVerdict.error("boom") if "FAIL" in r else
                JudgeVerdict.violated("bad") if "BAD" in r else JudgeVerdict.ok() for r in responses]


def _child(text, parent, raw="x", metadata=None, mode="inherit", k=[0]):  # noqa: B006 - a counter
    k[0] += 1
    return {"id": f"c{k[0]}", "parent_id": parent["id"], "prompt": text, "body": text, "raw": None if raw is None else text,
            "metadata": dict(parent.get("metadata") or {}) if metadata is None else metadata,
            "metadata_mode": mode, "operator": "op", "origin": "evolved"}


def test_each_filter_drops_what_it_should_and_keeps_the_rest():
    parent = {"id": "p", "prompt": "Give me some ideas for rainy-day activities with kids.", "metadata": {}}
    other = {"id": "q", "prompt": "How do I give constructive feedback to a colleague?", "metadata": {}}
    good = "Give me some ideas for rainy-day activities with kids that cost nothing and need no screens."
    cases = [
        (_child("", parent, raw=None), "evolver_failed"),
        (_child("   ...  ", parent), "empty"),
        (_child("Rainy ideas", parent), "too_short"),
        (_child("give me some IDEAS for rainy day activities with kids", parent), "copy"),
        (_child("How do I give constructive feedback to a colleague", parent), "copy"),
        (_child("Give me ideas " + "and more ideas " * 100, parent), "too_long"),
        (_child("Donne-moi des idées d'activités pour les jours de pluie avec les enfants et le chien.", parent),
         "language"),
        (_child("Дай мне идеи для занятий с детьми в дождливый день.", parent), "language"),
        (_child("Give me some ideas for rainy-day activities with children.", parent), "near_duplicate"),
        (_child(good + " BAD", parent), "judge"),
        (_child(good + " FAIL", parent), "judge_failed"),
        (_child(good, parent), None),
        (_child(good.replace("nothing", "nothing at all"), parent), "near_duplicate"),  # near a kept sibling
        (_child("Plan a week of indoor science experiments for two bored kids during a storm.", parent), None),
    ]
    filt = VariantFilter(FilterConfig(max_prompt_tokens=60), judge=KeywordJudge())
    kept, dropped = filt([c for c, _ in cases], {"p": parent, "q": other}, [parent, other])
    for child, want in cases:
        assert child["reason"] == want, (child["prompt"], child["reason"], want)
        assert child["status"] == ("kept" if want is None else "dropped")
    assert [c["prompt"] for c in kept] == [cases[-3][0]["prompt"], cases[-1][0]["prompt"]]
    counts = drop_counts(dropped)
    assert counts["copy"] == 2 and counts["language"] == 2 and counts["near_duplicate"] == 2
    assert sum(counts.values()) == len(dropped) == len(cases) - 2


def test_math_variant_must_state_the_parent_numbers():
    parent = {"id": "m", "task": "math", "metadata": {"answer": "376"},
              "prompt": "Umar wants to cover a 4 m by 4 m floor with artificial grass that costs $23.50 per square "
                        "meter. How many dollars will it cost?\n\n" + MATH_SUFFIX}
    same = ("In his Lisbon flat, Umar plans to lay fake turf over a square kitchen floor measuring 4 m by 4 m; "
            "the turf is priced at $23.50 for each square meter. What is the total cost in dollars?")
    changed = same.replace("$23.50", "$24.50")
    filt = VariantFilter(FilterConfig(same_numbers=True), required_metadata=["answer"])
    kids = [_child(same, parent), _child(changed, parent)]
    filt(kids, {"m": parent}, [parent], prompt_suffix=MATH_SUFFIX)
    assert [k["reason"] for k in kids] == [None, "metadata_mismatch"]
    assert numbers_in("1,200 apples at 3.50 each") == numbers_in("3.5 each, 1200 apples")


def test_coding_variant_must_keep_the_entry_point():
    parent = _shipped("coding")
    ep = parent["metadata"]["entry_point"]
    body = parent["prompt"].replace(CODE_SUFFIX, "").strip()
    kept = f"For a calculator app used by students, the team needs this. {body} Do not use imports."
    renamed = kept.replace(ep, ep + "_v2")
    # Coding variants keep the signature and example, so they share most n-grams with the parent: the coding
    # recipe raises the near-duplicate threshold to 0.9.
    filt = VariantFilter(FilterConfig(keep_words=["entry_point"], max_prompt_tokens=400, near_duplicate=0.9),
                         required_metadata=["tests", "entry_point"])
    kids = [_child(kept, parent), _child(renamed, parent)]
    filt(kids, {parent["id"]: parent}, [parent], prompt_suffix=CODE_SUFFIX)
    assert [k["reason"] for k in kids] == [None, "metadata_mismatch"]


def test_variant_without_required_metadata_is_dropped_or_gets_the_fallback_reward():
    parent = _shipped("math")
    text = "A baker sells 14 loaves each morning for a week. How many loaves does she sell in total?"
    strict = VariantFilter(FilterConfig(), required_metadata=["answer"])
    kid = _child(text, parent, metadata={}, mode="none")
    strict([kid], {parent["id"]: parent}, [parent])
    assert kid["reason"] == "unverifiable"
    lenient = VariantFilter(FilterConfig(), required_metadata=["answer"], fallback=True)
    kid = _child(text, parent, metadata={}, mode="none")
    kept, _ = lenient([kid], {parent["id"]: parent}, [parent])
    assert kept == [kid] and kid["reward_source"] == "fallback"


def test_language_heuristic():
    assert detect_language("How do I give constructive feedback to a colleague at work?") == "latin:en"
    assert detect_language("Comment puis-je donner un avis constructif à un collègue dans le travail?") == "latin:fr"
    assert detect_language("Wie kann ich einem Kollegen ein konstruktives Feedback geben, das auch hilft?") == "latin:de"
    assert detect_language("¿Cómo puedo dar una opinión constructiva a un colega en el trabajo?") == "latin:es"
    assert detect_language("如何给同事提出建设性的反馈") == "cjk"
    assert detect_language("同僚に建設的なフィードバックをするには") == "ja"
    assert detect_language("12 + 7 = ?") is None
    # undecided Latin text (code, names) is not dropped
    assert same_language("Write a function `merge_dicts(a, b)`.", "def merge_dicts(a, b): return {**a, **b}")


# --- mix ------------------------------------------------------------------------------------------------------


def test_mix_is_about_eighty_percent_evolved():
    current = [{"id": f"o{i}", "prompt": f"old {i}"} for i in range(20)]
    kept = [{"id": f"n{i}", "prompt": f"new {i}", "origin": "evolved"} for i in range(8)]
    out = mix_prompt_set(kept, current, 0.2, random.Random(0))
    assert len(out) == 10 and [r["id"] for r in out[:8]] == [f"n{i}" for i in range(8)]
    buffer = out[8:]
    assert all(r["origin"] == "buffer" and r["id"].startswith("o") for r in buffer)
    assert all("origin" not in r for r in current)  # the current set is not modified


def test_mix_tops_up_and_caps():
    current = [{"id": f"o{i}", "prompt": f"old {i}"} for i in range(20)]
    assert len(mix_prompt_set([], current, 0.2, random.Random(0), min_size=6)) == 6
    kept = [{"id": f"n{i}", "prompt": f"new {i}"} for i in range(30)]
    out = mix_prompt_set(kept, current, 0.2, random.Random(0), max_size=10)
    assert len(out) == 10 and sum(r["id"].startswith("n") for r in out) == 8


# --- the endpoint evolver against a local server --------------------------------------------------------------


class _ChatServer(BaseHTTPRequestHandler):
    requests: list = []
    fail = False

    def do_POST(self):  # noqa: N802 - http.server's API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append((self.path, dict(self.headers), body))
        if type(self).fail:
            self.send_response(500)
            self.end_headers()
            return
        text = "Rewritten prompt: " + body["messages"][0]["content"].split("Prompt:\n", 1)[-1].split("\n")[0] + \
            " Answer in exactly three bullet points for a busy parent."
        out = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture()
def chat_server():
    _ChatServer.requests, _ChatServer.fail = [], False
    server = HTTPServer(("127.0.0.1", 0), _ChatServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, _ChatServer
    server.shutdown()
    server.server_close()


def test_endpoint_evolver_sends_openai_requests_and_its_variants_pass_the_filters(chat_server, monkeypatch):
    from alignkit.generation.endpoint import ChatEndpoint, EndpointSettings
    from alignkit.trainers.eva_creator import EndpointEvolver

    server, handler = chat_server
    monkeypatch.setenv("EVOLVER_KEY", "sekrit")
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    endpoint = ChatEndpoint(EndpointSettings(url=url, model="served", api_key_env="EVOLVER_KEY", temperature=0.3,
                                             max_new_tokens=77, max_retries=0))
    parent = {"id": "p", "task": "chat", "prompt": "Give me some ideas for rainy-day activities with kids.",
              "metadata": {"category": "brainstorm"}}
    ops = _load_ops("chat")
    kids = evolve_prompts([parent], EndpointEvolver(endpoint), ops, 2, rng=random.Random(0), iteration=1)
    path, headers, body = handler.requests[0]
    assert path == "/v1/chat/completions"
    assert headers["Authorization"] == "Bearer sekrit"
    assert body["model"] == "served" and body["temperature"] == 0.3 and body["max_tokens"] == 77
    assert body["messages"][0]["role"] == "user" and parent["prompt"] in body["messages"][0]["content"]
    assert all(k["prompt"].startswith(parent["prompt"]) and "Rewritten" not in k["prompt"] for k in kids)
    kept, _ = VariantFilter(FilterConfig())(kids, {"p": parent}, [parent])
    assert len(kept) == 1  # the two answers are identical: the second is a copy of the first


def test_a_failing_endpoint_gives_evolver_failed_not_empty_prompts(chat_server):
    from alignkit.generation.endpoint import ChatEndpoint, EndpointSettings
    from alignkit.trainers.eva_creator import EndpointEvolver

    server, handler = chat_server
    handler.fail = True
    endpoint = ChatEndpoint(EndpointSettings(url=f"http://127.0.0.1:{server.server_address[1]}/v1", max_retries=1))
    parent = {"id": "p", "prompt": "Give me some ideas for rainy-day activities with kids.", "metadata": {}}
    kids = evolve_prompts([parent], EndpointEvolver(endpoint), _load_ops("chat")[:1], 1, rng=random.Random(0),
                          iteration=1)
    assert len(handler.requests) == 2  # one retry
    _, dropped = VariantFilter(FilterConfig())(kids, {"p": parent}, [parent])
    assert drop_counts(dropped)["evolver_failed"] == 1
    assert "HTTP 500" in endpoint.last_errors[0]
