"""Seeded generator of the easy math tier: one- and two-step arithmetic (written for alignkit, Apache-2.0).

The shipped ``math`` set is too hard for a 135M model (the embedded model solves almost none of it), so
self-correction has nothing to learn from there on a CPU. This tier holds problems of one or two operations on
small numbers: bare arithmetic ("What is 7 + 5?"), the same as a one-line word problem, and two-step versions
of both. Each template is a function ``(rng) -> (question, answer, steps)`` with an exact integer answer.

Prompts ask for the answer in the form SCoRe's MATH prompts use, "Final Answer: The final answer is $X$. I hope
it is correct.", which the ``math`` judge reads ("final answer is" followed by ``$X$``) and compares with
math-verify. Train and test problems are disjoint by normalized question text, and every template has
problems in both splits.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

INSTRUCTION = (
    'Solve the following math problem. At the end of the solution, write your final answer in the form '
    '"Final Answer: The final answer is $answer$. I hope it is correct."'
)
"""Instruction that starts every prompt of the tier; the problem follows it after "Problem: "."""

TRAIN_PER_TEMPLATE = 48
TEST_PER_TEMPLATE = 12

NAMES = ["Ana", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gia", "Hugo", "Ivy", "Jack", "Kim", "Leo", "Mia", "Nina",
         "Omar", "Pia", "Raj", "Sara", "Tom", "Uma", "Vic", "Will", "Zoe", "Yuki"]
ITEMS = ["apples", "pencils", "stickers", "marbles", "cookies", "books", "cards", "shells", "coins", "stamps",
         "balloons", "buttons"]
CONTAINERS = [("box", "boxes"), ("bag", "bags"), ("basket", "baskets"), ("jar", "jars"), ("shelf", "shelves"),
              ("row", "rows")]

Template = Callable[[random.Random], tuple[str, int, str]]


def _two_names(rng: random.Random) -> tuple[str, str]:
    a, b = rng.sample(NAMES, 2)
    return a, b


# ---------------------------------------------------------------------------------------------- one step


def add_small(rng: random.Random) -> tuple[str, int, str]:
    a, b = rng.randint(1, 9), rng.randint(1, 9)
    return f"What is {a} + {b}?", a + b, f"{a} + {b} = {a + b}."


def add_tens(rng: random.Random) -> tuple[str, int, str]:
    a, b = rng.randint(10, 60), rng.randint(1, 9)
    return f"What is {a} + {b}?", a + b, f"{a} + {b} = {a + b}."


def subtract_small(rng: random.Random) -> tuple[str, int, str]:
    b = rng.randint(1, 9)
    a = rng.randint(b + 1, 19)
    return f"What is {a} - {b}?", a - b, f"{a} - {b} = {a - b}."


def multiply_table(rng: random.Random) -> tuple[str, int, str]:
    a, b = rng.randint(2, 9), rng.randint(2, 9)
    return f"What is {a} times {b}?", a * b, f"{a} x {b} = {a * b}."


def divide_exact(rng: random.Random) -> tuple[str, int, str]:
    a, b = rng.randint(2, 9), rng.randint(2, 9)
    return f"What is {a * b} divided by {a}?", b, f"{a * b} / {a} = {b}."


def word_add(rng: random.Random) -> tuple[str, int, str]:
    name, item = rng.choice(NAMES), rng.choice(ITEMS)
    a, b = rng.randint(2, 15), rng.randint(2, 9)
    q = f"{name} has {a} {item}. {name} gets {b} more {item}. How many {item} does {name} have now?"
    return q, a + b, f"{a} + {b} = {a + b}."


def word_subtract(rng: random.Random) -> tuple[str, int, str]:
    (name, other), item = _two_names(rng), rng.choice(ITEMS)
    b = rng.randint(1, 9)
    a = rng.randint(b + 1, 20)
    q = f"{name} has {a} {item} and gives {b} of them to {other}. How many {item} does {name} have left?"
    return q, a - b, f"{a} - {b} = {a - b}."


def word_multiply(rng: random.Random) -> tuple[str, int, str]:
    (one, many), item = rng.choice(CONTAINERS), rng.choice(ITEMS)
    a, b = rng.randint(2, 6), rng.randint(2, 9)
    q = f"There are {a} {many} with {b} {item} in each {one}. How many {item} are there in total?"
    return q, a * b, f"{a} x {b} = {a * b}."


def double_number(rng: random.Random) -> tuple[str, int, str]:
    a = rng.randint(2, 99)
    return f"What is double {a}?", 2 * a, f"2 x {a} = {2 * a}."


# ---------------------------------------------------------------------------------------------- two steps


def add_three(rng: random.Random) -> tuple[str, int, str]:
    a, b, c = rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 9)
    return f"What is {a} + {b} + {c}?", a + b + c, f"{a} + {b} = {a + b}. {a + b} + {c} = {a + b + c}."


def add_then_subtract(rng: random.Random) -> tuple[str, int, str]:
    a, b = rng.randint(2, 12), rng.randint(1, 9)
    c = rng.randint(1, a + b - 1)
    return f"What is {a} + {b} - {c}?", a + b - c, f"{a} + {b} = {a + b}. {a + b} - {c} = {a + b - c}."


def multiply_then_add(rng: random.Random) -> tuple[str, int, str]:
    a, b, c = rng.randint(2, 6), rng.randint(2, 6), rng.randint(1, 9)
    q = f"What is {a} times {b}, plus {c}?"
    return q, a * b + c, f"{a} x {b} = {a * b}. {a * b} + {c} = {a * b + c}."


def word_two_step(rng: random.Random) -> tuple[str, int, str]:
    (name, other), item = _two_names(rng), rng.choice(ITEMS)
    a, b = rng.randint(3, 15), rng.randint(2, 9)
    c = rng.randint(1, a + b - 1)
    q = (f"{name} has {a} {item}, buys {b} more, and then gives {c} to {other}. "
         f"How many {item} does {name} have now?")
    return q, a + b - c, f"{a} + {b} = {a + b}. {a + b} - {c} = {a + b - c}."


TEMPLATES: dict[str, tuple[Template, int]] = {
    "add_small": (add_small, 1),
    "add_tens": (add_tens, 1),
    "subtract_small": (subtract_small, 1),
    "multiply_table": (multiply_table, 1),
    "divide_exact": (divide_exact, 1),
    "word_add": (word_add, 1),
    "word_subtract": (word_subtract, 1),
    "word_multiply": (word_multiply, 1),
    "double_number": (double_number, 1),
    "add_three": (add_three, 2),
    "add_then_subtract": (add_then_subtract, 2),
    "multiply_then_add": (multiply_then_add, 2),
    "word_two_step": (word_two_step, 2),
}
"""Template name -> (function, number of operations)."""


def normalize(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def render_prompt(question: str) -> str:
    """The user message: the instruction, then the problem (the instruction first was measured to help the
    embedded model keep the answer format: 3/16 greedy against 0/16 with the same words after the problem)."""
    return f"{INSTRUCTION}\n\nProblem: {question}"


def reference(steps: str, answer: int) -> str:
    """The gold answer: the calculation, then the final-answer line the prompt asks for."""
    return f"{steps}\nFinal Answer: The final answer is ${answer}$. I hope it is correct."


def generate(per_template: int, seed: int, exclude: set[str] | frozenset[str] = frozenset()) -> list[dict]:
    """``per_template`` distinct problems of every template (deduplicated by normalized question text).

    ``exclude`` holds normalized questions that must not be drawn (e.g. another set's held-out prompts).
    """
    out: list[dict] = []
    seen = set(exclude)
    for name, (template, n_steps) in TEMPLATES.items():
        rng = random.Random(f"{seed}-{name}")
        drawn, tries = 0, 0
        while drawn < per_template:
            tries += 1
            if tries > 200 * per_template:
                raise RuntimeError(f"template {name} cannot make {per_template} distinct problems")
            question, answer, steps = template(rng)
            key = normalize(question)
            if key in seen:
                continue
            seen.add(key)
            drawn += 1
            out.append({"question": question, "answer": answer, "steps": steps, "template": name,
                        "n_steps": n_steps})
    return out


def build(seed: int, train_per_template: int = TRAIN_PER_TEMPLATE, test_per_template: int = TEST_PER_TEMPLATE
          ) -> dict[str, list[dict]]:
    """Records of the shared prompt schema for the ``train`` and ``test`` splits (``task`` is ``math``).

    Every template contributes ``test_per_template`` held-out problems and ``train_per_template`` training
    problems; the two are disjoint because all are drawn from one deduplicated pool.
    """
    problems = generate(train_per_template + test_per_template, seed)
    by_template: dict[str, list[dict]] = {}
    for p in problems:
        by_template.setdefault(p["template"], []).append(p)
    splits: dict[str, list[dict]] = {"train": [], "test": []}
    rng = random.Random(seed)
    for name in TEMPLATES:
        group = by_template[name]
        rng.shuffle(group)
        splits["test"] += group[:test_per_template]
        splits["train"] += group[test_per_template:]
    out: dict[str, list[dict]] = {}
    for split, items in splits.items():
        rng.shuffle(items)
        out[split] = [
            {
                "id": f"math_easy-{split}-{i + 1:04d}",
                "task": "math",
                "prompt": render_prompt(p["question"]),
                "metadata": {"answer": str(p["answer"]), "template": p["template"], "steps": p["n_steps"]},
                "reference": reference(p["steps"], p["answer"]),
            }
            for i, p in enumerate(items)
        ]
    return out
