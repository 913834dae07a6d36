"""Multi-turn rollouts built from token ids: x → y₁, then x, y₁ and an instruction turn → y₂, and so on.

SCoRe (arXiv 2409.12917) has the same policy answer a problem, then read its own answer and a fixed
self-correction instruction as a new user turn, and answer again. The context of attempt t+1 is built from token
ids, never by re-rendering text::

    context₁   = ids of the chat template's rendering of x, ending with the assistant header
    context₂   = context₁ + y₁ (the ids sampled, including the end-of-turn token the policy chose)
                 + glue (the end-of-turn token if y₁ was truncated, the instruction user turn, the assistant header)

so that the tokens later scored under the policy and the reference are exactly the tokens sampled. Decoding y₁ and
rendering the conversation again would re-tokenize it, and the ids can change (a sampled non-canonical split of a
word comes back as the canonical one).

The glue is taken from the template itself: the conversation ``[user x, assistant SENTINEL, user instruction]``
is rendered with the generation prompt and everything after the sentinel is tokenized (it starts with the
template's end-of-turn marker, a special token, so no merge crosses the boundary).

**Templates that rewrite earlier assistant turns.** Some chat templates do not render an earlier assistant turn
as it was written: Qwen3's strips the ``<think>…</think>`` block of every assistant turn before the last user
message, others trim whitespace or drop tags. For such a template the ids built here (attempt 1 exactly as
sampled) differ from what ``apply_chat_template`` would show the model for the same conversation, so the model
is trained and evaluated on a context it would not see at inference through the template.
:func:`check_chat_template` detects this (and any other mismatch between the ids built here and the template's
own rendering) and :func:`multiturn_rollout` warns once per tokenizer; the rollouts still use the sampled ids,
because the policy and the reference must score what was sampled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from alignkit.generation.rollout import _cut_at_stop, chat_prompt_ids

log = logging.getLogger(__name__)

PROMPT = -1
"""Segment label of tokens the model did not write (prompt, instruction turn, end-of-turn glue)."""

_SENTINEL = "\u2063SCoRe-attempt\u2063"
_PROBE_PROMPT = "What is 2 + 3?"
_PROBE_ANSWER = "<think>\nAdd the two numbers.\n</think>\n\n2 + 3 = 5.  The final answer is $5$.\n"
_warned: set[tuple[int, str]] = set()


@dataclass
class Attempt:
    """One attempt: the token ids the policy sampled (with the end-of-turn token it chose), and its text."""

    ids: list[int]
    text: str
    truncated: bool  # True: stopped by max_new_tokens, not by the policy


@dataclass
class MultiTurnRollout:
    """All attempts at one problem: ``prompt_ids`` + attempt₁ + glue₁ + attempt₂ + … as one token sequence."""

    prompt_index: int
    prompt_ids: list[int]
    attempts: list[Attempt] = field(default_factory=list)
    glue: list[list[int]] = field(default_factory=list)  # glue[t]: ids between attempt t and attempt t+1

    def context_ids(self, t: int) -> list[int]:
        """The ids attempt ``t`` (0-based) was sampled from."""
        ids = list(self.prompt_ids)
        for k in range(t):
            ids += self.attempts[k].ids + self.glue[k]
        return ids

    def sequence(self) -> tuple[list[int], list[int]]:
        """The whole conversation's ids and, per token, the attempt that wrote it (0, 1, …) or :data:`PROMPT`.

        Only tokens labelled with an attempt were written by the model; a trainer masks everything else.
        """
        ids, segment = list(self.prompt_ids), [PROMPT] * len(self.prompt_ids)
        for t, attempt in enumerate(self.attempts):
            ids += attempt.ids
            segment += [t] * len(attempt.ids)
            if t < len(self.glue):
                ids += self.glue[t]
                segment += [PROMPT] * len(self.glue[t])
        return ids, segment


def _messages(prompt: str | list[dict], system_prompt: str | None) -> list[dict]:
    messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else list(prompt)
    if system_prompt:
        messages = [{"role": "system", "content": system_prompt}, *messages]
    return messages


def _render(tokenizer, messages: list[dict], *, tokenize: bool):
    out = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=tokenize)
    if tokenize and (isinstance(out, dict) or hasattr(out, "keys")):
        out = out["input_ids"]
    return list(out) if tokenize else out


def instruction_turn_ids(tokenizer, instruction: str, system_prompt: str | None = None) -> list[int]:
    """Ids that follow an assistant turn's content: its end-of-turn marker, the user turn holding
    ``instruction`` and the header of the next assistant turn, as the chat template renders them."""
    messages = _messages(_PROBE_PROMPT, system_prompt) + [
        {"role": "assistant", "content": _SENTINEL},
        {"role": "user", "content": instruction},
    ]
    text = _render(tokenizer, messages, tokenize=False)
    at = text.find(_SENTINEL)
    if at < 0:
        from alignkit.errors import ConfigError

        raise ConfigError("The chat template does not render an earlier assistant turn's content, so a second "
                          "attempt cannot see the first: use a model whose template keeps assistant turns.")
    return list(tokenizer(text[at + len(_SENTINEL):], add_special_tokens=False)["input_ids"])


def glue_ids(turn_ids: list[int], attempt_ids: list[int]) -> list[int]:
    """The ids to put between an attempt and the next one: ``turn_ids`` without its leading end-of-turn token
    when the attempt already ends with it (the policy chose to stop), else all of ``turn_ids``."""
    if attempt_ids and turn_ids and attempt_ids[-1] == turn_ids[0]:
        return turn_ids[1:]
    return list(turn_ids)


def check_chat_template(tokenizer, instruction: str, system_prompt: str | None = None) -> list[str]:
    """Problems that make the ids built here differ from the template's rendering of the same conversation.

    Returns an empty list when, for a first attempt written in the tokenizer's canonical ids, ``prompt ids +
    attempt ids + glue`` equals ``apply_chat_template([user, assistant, user instruction])``.
    """
    problems = []
    messages = _messages(_PROBE_PROMPT, system_prompt)
    two_turns = messages + [{"role": "assistant", "content": _PROBE_ANSWER}, {"role": "user", "content": instruction}]
    rendered = _render(tokenizer, two_turns, tokenize=False)
    if _PROBE_ANSWER not in rendered:
        problems.append("the chat template rewrites earlier assistant turns (the first attempt's text is not in its "
                        "rendering of the conversation, e.g. a <think> block is stripped); attempt 2 is "
                        "conditioned on attempt 1 exactly as sampled, which is not what the template would show")
    first = chat_prompt_ids(tokenizer, _PROBE_PROMPT, system_prompt)
    turn = instruction_turn_ids(tokenizer, instruction, system_prompt)
    answer = list(tokenizer(_PROBE_ANSWER, add_special_tokens=False)["input_ids"])
    if turn:
        answer.append(turn[0])  # the end-of-turn token, as the policy samples it
    ours = first + answer + glue_ids(turn, answer)
    theirs = _render(tokenizer, two_turns, tokenize=True)
    if ours != theirs:
        at = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs)))
        problems.append(f"the ids built from token ids differ from the template's rendering from token {at} on: "
                        f"{tokenizer.decode(ours[at:at + 12])!r} vs {tokenizer.decode(theirs[at:at + 12])!r}")
    return problems


def warn_if_template_rewrites(tokenizer, instruction: str, system_prompt: str | None = None) -> list[str]:
    """:func:`check_chat_template`, logging each problem once per tokenizer and instruction."""
    problems = check_chat_template(tokenizer, instruction, system_prompt)
    key = (id(tokenizer), instruction)
    if problems and key not in _warned:
        _warned.add(key)
        for p in problems:
            log.warning("Multi-turn rollouts: %s.", p)
    return problems


def multiturn_rollout(generator, tokenizer, prompts: Sequence[str | list[dict]], instructions: str | Sequence[str],
                      n: int = 1, attempts: int = 2, *, temperature: float | None = None,
                      max_new_tokens: int | None = None, progress: Callable[[int], None] | None = None,
                      system_prompt: str | None = None, stop: Sequence[str] | None = None,
                      check_template: bool = True) -> list[MultiTurnRollout]:
    """Sample ``n`` multi-turn rollouts of ``attempts`` attempts for every prompt (prompt-major order).

    Args:
        generator: an :class:`~alignkit.generation.rollout.HFGenerator` or ``VLLMGenerator`` (``generate_ids``).
        prompts: chat prompts (user message strings or message lists).
        instructions: the self-correction instruction shown before every attempt after the first; one string
            for all prompts or one per prompt.
        n: rollouts per prompt (each continues its own first attempt).
        attempts: attempts per rollout (SCoRe: 2).
        temperature, max_new_tokens: per call, for every attempt (None: the generator's settings).
        system_prompt, stop: the system turn and the stop strings that cut each attempt's text (None: the
            generator's settings). A stop string cuts the text only; the ids keep what was sampled.
    """
    if attempts < 1:
        raise ValueError(f"attempts={attempts} must be >= 1")
    if isinstance(instructions, str):
        instructions = [instructions] * len(prompts)
    if len(instructions) != len(prompts):
        raise ValueError(f"got {len(instructions)} instructions for {len(prompts)} prompts")
    settings = generator.settings
    system_prompt = settings.system_prompt if system_prompt is None else system_prompt
    stop = list(settings.stop if stop is None else stop)
    turn_cache: dict[str, list[int]] = {}

    def turn_ids(instruction: str) -> list[int]:
        if instruction not in turn_cache:
            if check_template:
                warn_if_template_rewrites(tokenizer, instruction, system_prompt)
            turn_cache[instruction] = instruction_turn_ids(tokenizer, instruction, system_prompt)
        return turn_cache[instruction]

    rollouts = [MultiTurnRollout(i, chat_prompt_ids(tokenizer, p, system_prompt))
                for i, p in enumerate(prompts) for _ in range(n)]
    for t in range(attempts):
        if t == 0:
            distinct = [rollouts[i * n].prompt_ids for i in range(len(prompts))]
            outs = generator.generate_ids(distinct, n, temperature=temperature, max_new_tokens=max_new_tokens,
                                          progress=progress)
        else:
            for r in rollouts:
                r.glue.append(glue_ids(turn_ids(instructions[r.prompt_index]), r.attempts[-1].ids))
            outs = generator.generate_ids([r.context_ids(t) for r in rollouts], 1, temperature=temperature,
                                          max_new_tokens=max_new_tokens, progress=progress)
        for r, (ids, truncated) in zip(rollouts, outs, strict=True):
            text = tokenizer.decode(ids, skip_special_tokens=True)
            if stop:
                text, hit = _cut_at_stop(text, stop)
                truncated = truncated and not hit
            r.attempts.append(Attempt(list(ids), text, truncated))
    return rollouts
