"""Seeded generator of math word problems with exact answers (written for alignkit, Apache-2.0).

Each template is a function ``(rng) -> (question, answer, steps)`` where ``answer`` is an exact
:class:`~fractions.Fraction` (or int) and ``steps`` is a short worked solution. :func:`generate` draws
unique problems (deduplicated by normalized question text) from every template, and
:func:`split_problems` makes disjoint train/test sets. The answer is always written as an integer, a
terminating decimal (draws whose answer would be a repeating fraction are skipped).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from fractions import Fraction

NAMES = [
    "Aisha",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Keiko",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Xin",
    "Yara",
    "Zane",
    "Amara",
    "Bruno",
    "Chloe",
    "Diego",
    "Emil",
    "Fatima",
    "Gustav",
    "Hana",
    "Ivan",
    "Jade",
]
ITEMS = [
    ("notebook", "notebooks"),
    ("pencil", "pencils"),
    ("apple", "apples"),
    ("muffin", "muffins"),
    ("ticket", "tickets"),
    ("sticker", "stickers"),
    ("candle", "candles"),
    ("mug", "mugs"),
    ("plant", "plants"),
    ("comic book", "comic books"),
    ("bracelet", "bracelets"),
    ("toy car", "toy cars"),
    ("scarf", "scarves"),
    ("sandwich", "sandwiches"),
    ("puzzle", "puzzles"),
    ("battery", "batteries"),
]
Template = Callable[[random.Random], tuple[str, Fraction | int, list[str]]]


def fmt(x: Fraction | int | float) -> str:
    """Format an exact number: integer, terminating decimal without trailing zeros, or ``a/b``."""
    q = Fraction(x).limit_denominator(10**9) if isinstance(x, float) else Fraction(x)
    if q.denominator == 1:
        return str(q.numerator)
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return f"{q.numerator}/{q.denominator}"
    sign = "-" if q < 0 else ""
    q = abs(q)
    whole, rest = divmod(q.numerator, q.denominator)
    digits = ""
    while rest:
        rest *= 10
        digit, rest = divmod(rest, q.denominator)
        digits += str(digit)
    return f"{sign}{whole}.{digits}"


def money(x: Fraction | int) -> str:
    """Format a money amount with a dollar sign (two decimals only when needed)."""
    q = Fraction(x)
    return f"${q.numerator}" if q.denominator == 1 else f"${float(q):.2f}"


def _name(rng: random.Random, k: int = 1) -> list[str]:
    return rng.sample(NAMES, k)


def _item(rng: random.Random) -> tuple[str, str]:
    return rng.choice(ITEMS)


def _cents(rng: random.Random, lo: int, hi: int, step: int = 25) -> Fraction:
    """A price between lo and hi dollars in multiples of ``step`` cents."""
    return Fraction(rng.randrange(lo * 100, hi * 100 + 1, step), 100)


# --------------------------------------------------------------------------------------------- templates


def shopping_total(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    (a1, a2), (b1, b2) = rng.sample(ITEMS, 2)
    na, nb = rng.randint(2, 9), rng.randint(2, 9)
    pa, pb = _cents(rng, 1, 12), _cents(rng, 1, 12)
    total = na * pa + nb * pb
    q = f"{name} buys {na} {a2} at {money(pa)} each and {nb} {b2} at {money(pb)} each. How many dollars does {name} spend in total?"
    steps = [
        f"The {a2} cost {na} x {fmt(pa)} = {fmt(na * pa)} dollars.",
        f"The {b2} cost {nb} x {fmt(pb)} = {fmt(nb * pb)} dollars.",
        f"Together: {fmt(na * pa)} + {fmt(nb * pb)} = {fmt(total)} dollars.",
    ]
    return q, total, steps


def change_due(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    _, plural = _item(rng)
    n = rng.randint(2, 6)
    price = _cents(rng, 1, 8)
    cost = n * price
    bill = next(b for b in (10, 20, 50, 100) if b > cost)
    q = f"{name} buys {n} {plural} that cost {money(price)} each and pays with a {money(bill)} bill. How much change, in dollars, does {name} get back?"
    steps = [
        f"The cost is {n} x {fmt(price)} = {fmt(cost)} dollars.",
        f"The change is {bill} - {fmt(cost)} = {fmt(bill - cost)} dollars.",
    ]
    return q, bill - cost, steps


def arithmetic_chain(rng: random.Random) -> tuple[str, int, list[str]]:
    (name,) = _name(rng)
    _, plural = _item(rng)
    start = rng.randint(20, 80)
    give = rng.randint(3, start // 2)
    buy = rng.randint(5, 30)
    mult = rng.choice([2, 3])
    after_give = start - give
    after_buy = after_give + buy
    final = after_buy * mult
    word = {2: "doubles", 3: "triples"}[mult]
    q = (
        f"{name} has {start} {plural}. {name} gives {give} of them to a friend, then buys {buy} more. "
        f"Later, {name}'s collection {word}. How many {plural} does {name} have now?"
    )
    steps = [
        f"After giving some away: {start} - {give} = {after_give}.",
        f"After buying more: {after_give} + {buy} = {after_buy}.",
        f"After it {word}: {after_buy} x {mult} = {final}.",
    ]
    return q, final, steps


def two_leg_distance(rng: random.Random) -> tuple[str, int, list[str]]:
    (name,) = _name(rng)
    s1, s2 = rng.randrange(30, 121, 5), rng.randrange(30, 121, 5)
    t1, t2 = rng.randint(1, 5), rng.randint(1, 4)
    vehicle = rng.choice(["car", "bus", "truck", "motorbike"])
    d1, d2 = s1 * t1, s2 * t2
    q = (
        f"{name} drives a {vehicle} at {s1} km/h for {t1} hours and then at {s2} km/h for {t2} hours. "
        f"How many kilometers does {name} travel in total?"
    )
    steps = [
        f"First part: {s1} x {t1} = {d1} km.",
        f"Second part: {s2} x {t2} = {d2} km.",
        f"Total: {d1} + {d2} = {d1 + d2} km.",
    ]
    return q, d1 + d2, steps


def travel_time_minutes(rng: random.Random) -> tuple[str, int, list[str]]:
    (name,) = _name(rng)
    speed = rng.choice([4, 5, 6, 10, 12, 15, 20, 30, 40, 60])
    minutes = rng.randrange(15, 181, 15)
    distance = Fraction(speed * minutes, 60)
    if distance.denominator != 1:
        minutes = 60
        distance = Fraction(speed)
    how = rng.choice(["walks", "cycles", "rows", "skates"])
    q = f"{name} {how} {fmt(distance)} km at a steady speed of {speed} km/h. How many minutes does the trip take?"
    steps = [
        f"Time in hours: {fmt(distance)} / {speed} = {fmt(distance / speed)} hours.",
        f"In minutes: {fmt(distance / speed)} x 60 = {minutes} minutes.",
    ]
    return q, minutes, steps


def work_together(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    a, b = _name(rng, 2)
    pairs = [
        (2, 2),
        (3, 6),
        (4, 4),
        (4, 12),
        (6, 12),
        (5, 20),
        (10, 15),
        (6, 3),
        (12, 4),
        (2, 8),
        (8, 8),
        (10, 40),
        (3, 3),
        (6, 6),
        (20, 30),
        (12, 24),
        (9, 18),
        (15, 10),
        (4, 6),
        (6, 10),
        (5, 5),
        (2, 3),
    ]
    ta, tb = rng.choice(pairs)
    task = rng.choice(
        ["paint a fence", "clean the house", "mow the lawn", "assemble a bookshelf", "sort the mail"]
    )
    together = Fraction(ta * tb, ta + tb)
    q = (
        f"{a} can {task} alone in {ta} hours, and {b} can do the same job alone in {tb} hours. "
        f"Working together at these rates, how many hours do they need to {task}?"
    )
    steps = [
        f"{a} does 1/{ta} of the job per hour and {b} does 1/{tb}.",
        f"Together: 1/{ta} + 1/{tb} = {fmt(Fraction(1, ta) + Fraction(1, tb))} of the job per hour.",
        f"Time: 1 / {fmt(Fraction(1, ta) + Fraction(1, tb))} = {fmt(together)} hours.",
    ]
    return q, together, steps


def discount_price(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    _, plural = _item(rng)
    singular = plural
    price = rng.randrange(20, 401, 4)
    pct = rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 75])
    off = Fraction(price * pct, 100)
    q = f"A store sells a pack of {singular} for {money(price)}. During a sale the price is reduced by {pct}%. What is the sale price in dollars?"
    steps = [
        f"The discount is {pct}% of {price} = {fmt(off)} dollars.",
        f"The sale price is {price} - {fmt(off)} = {fmt(price - off)} dollars.",
    ]
    return q, price - off, steps


def percent_of_group(rng: random.Random) -> tuple[str, int, list[str]]:
    group, members = rng.choice(
        [
            ("school", "students"),
            ("club", "members"),
            ("orchestra", "musicians"),
            ("company", "employees"),
            ("village", "residents"),
            ("camp", "campers"),
        ]
    )
    pct = rng.choice([10, 20, 25, 30, 40, 50, 60, 75, 80, 90])
    base = rng.randrange(20, 801, 20)
    part = base * pct // 100
    activity = rng.choice(
        ["play chess", "wear glasses", "walk to work", "speak French", "own a bicycle", "like jazz"]
    )
    ask_rest = rng.random() < 0.5
    if ask_rest:
        q = f"A {group} has {base} {members}, and {pct}% of them {activity}. How many {members} do not {activity}?"
        steps = [f"{pct}% of {base} is {part}.", f"The rest: {base} - {part} = {base - part}."]
        return q, base - part, steps
    q = f"A {group} has {base} {members}. If {pct}% of them {activity}, how many {members} {activity}?"
    return q, part, [f"{pct}% of {base} = {base} x {pct} / 100 = {part}."]


def raise_salary(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    salary = rng.randrange(1800, 6001, 100)
    pct = rng.choice([2, 3, 4, 5, 6, 8, 10, 12, 15])
    inc = Fraction(salary * pct, 100)
    months = rng.choice([1, 12])
    if months == 1:
        q = f"{name} earns {money(salary)} per month and gets a {pct}% raise. What is {name}'s new monthly salary in dollars?"
        return (
            q,
            salary + inc,
            [
                f"The raise is {pct}% of {salary} = {fmt(inc)}.",
                f"New salary: {salary} + {fmt(inc)} = {fmt(salary + inc)} dollars.",
            ],
        )
    q = (
        f"{name} earns {money(salary)} per month and gets a {pct}% raise. "
        f"How many dollars will {name} earn in 12 months at the new salary?"
    )
    new = salary + inc
    return (
        q,
        new * 12,
        [
            f"The raise is {pct}% of {salary} = {fmt(inc)}.",
            f"New monthly salary: {fmt(new)}.",
            f"For 12 months: {fmt(new)} x 12 = {fmt(new * 12)} dollars.",
        ],
    )


def ages_multiple(rng: random.Random) -> tuple[str, int, list[str]]:
    a, b = _name(rng, 2)
    k = rng.randint(2, 5)
    young = rng.randint(3, 15)
    old = k * young
    years = rng.randint(2, 10)
    total = old + young + 2 * years
    q = (
        f"{a} is {k} times as old as {b}. In {years} years, the sum of their ages will be {total}. "
        f"How old is {a} now?"
    )
    steps = [
        f"Let {b}'s age be x, so {a} is {k}x.",
        f"In {years} years: {k}x + {years} + x + {years} = {total}.",
        f"So {k + 1}x = {total - 2 * years}, giving x = {young}.",
        f"{a} is {k} x {young} = {old}.",
    ]
    return q, old, steps


def ages_difference(rng: random.Random) -> tuple[str, int, list[str]]:
    a, b = _name(rng, 2)
    years = rng.randint(1, 8)
    diff = rng.randint(years + 2, years + 20)
    young = diff - years
    q = (
        f"{a} is {diff} years older than {b}. In {years} years, {a} will be twice as old as {b}. "
        f"How old is {b} now?"
    )
    steps = [
        f"Let {b} be x, so {a} is x + {diff}.",
        f"In {years} years: x + {diff} + {years} = 2(x + {years}).",
        f"So x = {diff} + {years} - {2 * years} = {young}.",
    ]
    return q, young, steps


def rectangle(rng: random.Random) -> tuple[str, int, list[str]]:
    thing = rng.choice(["garden", "room", "playground", "parking lot", "rug", "swimming pool", "field"])
    length, width = rng.randint(5, 40), rng.randint(3, 30)
    mode = rng.randrange(3)
    if mode == 0:
        q = f"A rectangular {thing} is {length} meters long and {width} meters wide. What is its area in square meters?"
        return q, length * width, [f"Area = {length} x {width} = {length * width} square meters."]
    if mode == 1:
        per = 2 * (length + width)
        q = f"A rectangular {thing} is {length} meters long and {width} meters wide. How many meters of fence are needed to go all the way around it?"
        return q, per, [f"Perimeter = 2 x ({length} + {width}) = {per} meters."]
    per = 2 * (length + width)
    q = f"A rectangular {thing} has a perimeter of {per} meters and a width of {width} meters. What is its area in square meters?"
    steps = [
        f"Length + width = {per} / 2 = {per // 2}.",
        f"Length = {per // 2} - {width} = {length}.",
        f"Area = {length} x {width} = {length * width} square meters.",
    ]
    return q, length * width, steps


def flooring_cost(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    length, width = rng.randint(3, 12), rng.randint(3, 10)
    price = _cents(rng, 5, 40, 50)
    area = length * width
    material = rng.choice(["carpet", "tiles", "wooden flooring", "artificial grass"])
    q = f"{name} wants to cover a {length} m by {width} m floor with {material} that costs {money(price)} per square meter. How many dollars will it cost?"
    return (
        q,
        area * price,
        [
            f"Area: {length} x {width} = {area} square meters.",
            f"Cost: {area} x {fmt(price)} = {fmt(area * price)} dollars.",
        ],
    )


def triangle_area_problem(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    base, height = rng.randint(3, 30), rng.randint(2, 24)
    area = Fraction(base * height, 2)
    thing = rng.choice(["sail", "roof panel", "flag", "garden bed", "tile"])
    q = f"A triangular {thing} has a base of {base} cm and a height of {height} cm. What is its area in square centimeters?"
    return q, area, [f"Area = base x height / 2 = {base} x {height} / 2 = {fmt(area)} square centimeters."]


def circle_area(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    r = rng.randint(1, 20)
    pi = Fraction(314, 100)
    thing = rng.choice(["pizza", "pond", "table top", "clock face", "flower bed"])
    if rng.random() < 0.5:
        q = f"A circular {thing} has a radius of {r} cm. Using pi = 3.14, what is its area in square centimeters?"
        return q, pi * r * r, [f"Area = 3.14 x {r} x {r} = {fmt(pi * r * r)} square centimeters."]
    q = f"A circular {thing} has a diameter of {2 * r} cm. Using pi = 3.14, what is its circumference in centimeters?"
    return q, pi * 2 * r, [f"Circumference = 3.14 x {2 * r} = {fmt(pi * 2 * r)} centimeters."]


def unit_conversion(rng: random.Random) -> tuple[str, Fraction | int, list[str]]:
    (name,) = _name(rng)
    kind = rng.randrange(5)
    days = rng.randint(3, 14)
    if kind == 0:
        km = Fraction(rng.randrange(5, 101, 5), 10)
        total = km * days * 1000
        q = f"{name} runs {fmt(km)} km every day for {days} days. How many meters does {name} run in total?"
        return (
            q,
            total,
            [
                f"Distance: {fmt(km)} x {days} = {fmt(km * days)} km.",
                f"In meters: {fmt(km * days)} x 1000 = {fmt(total)} m.",
            ],
        )
    if kind == 1:
        minutes = rng.randrange(15, 121, 5)
        total = Fraction(minutes * days, 60)
        q = f"{name} practices the piano for {minutes} minutes a day for {days} days. How many hours is that in total?"
        return (
            q,
            total,
            [
                f"Minutes: {minutes} x {days} = {minutes * days}.",
                f"Hours: {minutes * days} / 60 = {fmt(total)}.",
            ],
        )
    if kind == 2:
        ml = rng.randrange(150, 751, 50)
        cups = rng.randint(2, 12)
        total = Fraction(ml * cups, 1000)
        q = f"A jug holds enough water to fill {cups} glasses of {ml} ml each. How many liters of water does the jug hold?"
        return (
            q,
            total,
            [f"Milliliters: {ml} x {cups} = {ml * cups}.", f"Liters: {ml * cups} / 1000 = {fmt(total)}."],
        )
    if kind == 3:
        grams = rng.randrange(50, 501, 25)
        bags = rng.randint(4, 40)
        total = Fraction(grams * bags, 1000)
        q = f"A bakery packs {bags} bags of flour that weigh {grams} g each. What is the total weight in kilograms?"
        return (
            q,
            total,
            [
                f"Grams: {grams} x {bags} = {grams * bags}.",
                f"Kilograms: {grams * bags} / 1000 = {fmt(total)}.",
            ],
        )
    hours = rng.randint(2, 9)
    mins = rng.randrange(5, 56, 5)
    total = hours * 60 + mins
    q = f"A flight lasts {hours} hours and {mins} minutes. How many minutes long is the flight?"
    return (
        q,
        total,
        [f"{hours} hours = {hours * 60} minutes.", f"Total: {hours * 60} + {mins} = {total} minutes."],
    )


def elapsed_time(rng: random.Random) -> tuple[str, int, list[str]]:
    (name,) = _name(rng)
    start = rng.randrange(6 * 60, 14 * 60, 5)
    duration = rng.randrange(20, 8 * 60, 5)
    end = start + duration
    event = rng.choice(["a hike", "a shift at work", "a road trip", "a study session", "a film festival"])

    def clock(m: int) -> str:
        return f"{m // 60}:{m % 60:02d}"

    q = f"{name} starts {event} at {clock(start)} and finishes at {clock(end)} on the same day (24-hour clock). How many minutes does it last?"
    steps = [
        f"{clock(start)} is {start} minutes after midnight and {clock(end)} is {end} minutes after midnight.",
        f"Duration: {end} - {start} = {duration} minutes.",
    ]
    return q, duration, steps


def target_average(rng: random.Random) -> tuple[str, int, list[str]]:
    (name,) = _name(rng)
    n = rng.randint(3, 5)
    target = rng.randint(70, 92)
    while True:
        scores = [rng.randint(60, 100) for _ in range(n)]
        needed = target * (n + 1) - sum(scores)
        if 40 <= needed <= 100:
            break
    shown = ", ".join(str(s) for s in scores)
    q = (
        f"{name}'s scores on {n} tests were {shown}. What score does {name} need on the next test "
        f"to have an average of exactly {target} over all {n + 1} tests?"
    )
    steps = [
        f"Needed total: {target} x {n + 1} = {target * (n + 1)}.",
        f"Current total: {sum(scores)}.",
        f"Needed score: {target * (n + 1)} - {sum(scores)} = {needed}.",
    ]
    return q, needed, steps


def ratio_share(rng: random.Random) -> tuple[str, int, list[str]]:
    a, b = _name(rng, 2)
    ra, rb = rng.sample(range(1, 9), 2)
    unit = rng.randint(5, 60)
    total = (ra + rb) * unit
    thing = rng.choice(["dollars", "marbles", "stickers", "points"])
    q = f"{a} and {b} share {total} {thing} in the ratio {ra}:{rb}. How many {thing} does {b} get?"
    steps = [
        f"There are {ra} + {rb} = {ra + rb} parts.",
        f"One part is {total} / {ra + rb} = {unit}.",
        f"{b} gets {rb} x {unit} = {rb * unit}.",
    ]
    return q, rb * unit, steps


def consecutive_sum(rng: random.Random) -> tuple[str, int, list[str]]:
    k = rng.choice([3, 4, 5])
    first = rng.randint(1, 200)
    even = rng.random() < 0.4
    step = 2 if even else 1
    if even and first % 2:
        first += 1
    nums = [first + i * step for i in range(k)]
    total = sum(nums)
    kind = "consecutive even integers" if even else "consecutive integers"
    q = f"The sum of {k} {kind} is {total}. What is the largest of them?"
    offs = sum(i * step for i in range(k))
    steps = [
        f"Let the smallest be x; the sum is {k}x + {offs} = {total}.",
        f"So x = ({total} - {offs}) / {k} = {first}.",
        f"The largest is {first} + {(k - 1) * step} = {nums[-1]}.",
    ]
    return q, nums[-1], steps


def savings_weeks(rng: random.Random) -> tuple[str, int, list[str]]:
    (name,) = _name(rng)
    goal = rng.randrange(100, 2001, 10)
    have = rng.randrange(0, goal // 2, 5)
    per_week = rng.randrange(10, 151, 5)
    need = goal - have
    weeks = -(-need // per_week)
    thing = rng.choice(["a bicycle", "a laptop", "a guitar", "a concert ticket", "a camera", "a trip"])
    q = (
        f"{name} wants to buy {thing} that costs {money(goal)}. {name} has already saved {money(have)} and saves "
        f"{money(per_week)} each week. How many weeks will it take to have enough money?"
    )
    steps = [
        f"Still needed: {goal} - {have} = {need} dollars.",
        f"{need} / {per_week} rounds up to {weeks}, so {weeks} weeks are needed.",
    ]
    return q, weeks, steps


def packs_needed(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    _, plural = _item(rng)
    per_pack = rng.choice([4, 6, 8, 10, 12, 24])
    need = rng.randint(15, 200)
    price = _cents(rng, 2, 20)
    packs = -(-need // per_pack)
    q = (
        f"{plural.capitalize()} are sold in packs of {per_pack} for {money(price)} per pack. {name} needs {need} {plural}. "
        f"How many dollars does {name} spend on the smallest number of packs that is enough?"
    )
    steps = [
        f"Packs: {need} / {per_pack} rounds up to {packs}.",
        f"Cost: {packs} x {fmt(price)} = {fmt(packs * price)} dollars.",
    ]
    return q, packs * price, steps


def leftovers_after_sales(rng: random.Random) -> tuple[str, int, list[str]]:
    shop = rng.choice(["bakery", "farm stand", "cafe", "bookshop", "flower shop"])
    thing = {
        "bakery": "cookies",
        "farm stand": "melons",
        "cafe": "bagels",
        "bookshop": "postcards",
        "flower shop": "roses",
    }[shop]
    frac_morning = rng.choice(
        [Fraction(1, 2), Fraction(1, 3), Fraction(1, 4), Fraction(2, 5), Fraction(3, 4)]
    )
    frac_after = rng.choice([Fraction(1, 2), Fraction(1, 3), Fraction(1, 4), Fraction(2, 3)])
    unit = rng.randint(2, 12)
    total = int(frac_morning.denominator * frac_after.denominator * unit)
    sold_m = int(total * frac_morning)
    rest = total - sold_m
    sold_a = int(rest * frac_after)
    left = rest - sold_a
    q = (
        f"A {shop} has {total} {thing}. It sells {frac_morning} of them in the morning and {frac_after} of the "
        f"remaining {thing} in the afternoon. How many {thing} are left at the end of the day?"
    )
    steps = [
        f"Morning: {frac_morning} of {total} = {sold_m}, leaving {rest}.",
        f"Afternoon: {frac_after} of {rest} = {sold_a}.",
        f"Left: {rest} - {sold_a} = {left}.",
    ]
    return q, left, steps


def box_volume(rng: random.Random) -> tuple[str, int, list[str]]:
    a, b, c = rng.randint(2, 20), rng.randint(2, 15), rng.randint(2, 12)
    if rng.random() < 0.5:
        q = f"A box is {a} cm long, {b} cm wide and {c} cm tall. What is its volume in cubic centimeters?"
        return q, a * b * c, [f"Volume = {a} x {b} x {c} = {a * b * c} cubic centimeters."]
    s = rng.choice([1, 2, 3])
    a, b, c = a * s, b * s, c * s
    n = (a // s) * (b // s) * (c // s)
    q = f"How many cubes with {s} cm edges fit exactly inside a box that is {a} cm long, {b} cm wide and {c} cm tall?"
    steps = [
        f"Along each edge: {a // s}, {b // s} and {c // s} cubes.",
        f"Total: {a // s} x {b // s} x {c // s} = {n} cubes.",
    ]
    return q, n, steps


def speed_from_minutes(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    minutes = rng.choice([10, 12, 15, 20, 30, 40, 45, 50, 75, 90])
    km = rng.randint(2, 30)
    speed = Fraction(km * 60, minutes)
    how = rng.choice(["cycles", "runs", "rides a scooter", "swims"])
    q = f"{name} {how} {km} km in {minutes} minutes. What is {name}'s average speed in km/h?"
    return (
        q,
        speed,
        [
            f"{minutes} minutes is {fmt(Fraction(minutes, 60))} hours.",
            f"Speed: {km} / {fmt(Fraction(minutes, 60))} = {fmt(speed)} km/h.",
        ],
    )


def ticket_system(rng: random.Random) -> tuple[str, int, list[str]]:
    adult_price, child_price = rng.choice([(12, 7), (15, 8), (10, 4), (20, 12), (9, 5), (14, 6), (18, 10)])
    adults, children = rng.randint(10, 120), rng.randint(10, 120)
    people = adults + children
    revenue = adults * adult_price + children * child_price
    venue = rng.choice(["a museum", "a school play", "a zoo", "a cinema", "a concert"])
    q = (
        f"Tickets for {venue} cost ${adult_price} for adults and ${child_price} for children. {people} people attended "
        f"and the ticket sales were ${revenue}. How many children attended?"
    )
    steps = [
        f"If all {people} were children, sales would be {people} x {child_price} = {people * child_price}.",
        f"Each adult adds {adult_price - child_price}; the extra is {revenue} - {people * child_price} = {revenue - people * child_price}.",
        f"Adults: {revenue - people * child_price} / {adult_price - child_price} = {adults}.",
        f"Children: {people} - {adults} = {children}.",
    ]
    return q, children, steps


def overtime_pay(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    rate = rng.randrange(12, 41)
    hours = rng.randint(41, 60)
    extra = hours - 40
    pay = 40 * rate + Fraction(3, 2) * rate * extra
    q = (
        f"{name} earns ${rate} per hour for the first 40 hours of a week and 1.5 times that rate for every hour beyond 40. "
        f"How many dollars does {name} earn in a week with {hours} hours of work?"
    )
    steps = [
        f"Regular pay: 40 x {rate} = {40 * rate}.",
        f"Overtime rate: 1.5 x {rate} = {fmt(Fraction(3, 2) * rate)}.",
        f"Overtime pay: {extra} x {fmt(Fraction(3, 2) * rate)} = {fmt(Fraction(3, 2) * rate * extra)}.",
        f"Total: {fmt(pay)} dollars.",
    ]
    return q, pay, steps


def recipe_scaling(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    servings = rng.choice([2, 4, 6, 8])
    target = rng.choice([s for s in (3, 4, 6, 8, 10, 12, 16, 20) if s != servings])
    per_person = Fraction(rng.randint(1, 6), rng.choice([1, 2, 4]))
    ingredient = rng.choice(
        ["cups of flour", "cups of sugar", "tablespoons of butter", "cups of milk", "grams of yeast"]
    )
    if ingredient.startswith("grams"):
        per_person = Fraction(rng.randrange(5, 41, 5), 4)
    amount = per_person * servings
    need = amount * target / servings
    dish = rng.choice(["pancakes", "bread", "a cake", "muffins", "soup"])
    q = f"A recipe for {dish} that serves {servings} people uses {fmt(amount)} {ingredient}. How many {ingredient} are needed to serve {target} people?"
    steps = [
        f"Per person: {fmt(amount)} / {servings} = {fmt(amount / servings)}.",
        f"For {target}: {fmt(amount / servings)} x {target} = {fmt(need)}.",
    ]
    return q, need, steps


def simple_interest(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    principal = rng.randrange(500, 20001, 500)
    rate = rng.choice([2, 3, 4, 5, 6, 7, 8])
    years = rng.randint(1, 6)
    interest = Fraction(principal * rate * years, 100)
    if rng.random() < 0.5:
        q = f"{name} deposits {money(principal)} in an account that pays {rate}% simple interest per year. How much interest, in dollars, is earned after {years} years?"
        return q, interest, [f"Interest = {principal} x {rate}/100 x {years} = {fmt(interest)} dollars."]
    q = f"{name} deposits {money(principal)} at {rate}% simple interest per year. What is the balance in dollars after {years} years?"
    return (
        q,
        principal + interest,
        [
            f"Interest = {principal} x {rate}/100 x {years} = {fmt(interest)}.",
            f"Balance = {principal} + {fmt(interest)} = {fmt(principal + interest)} dollars.",
        ],
    )


def teams_and_leftover(rng: random.Random) -> tuple[str, int, list[str]]:
    size = rng.randint(3, 9)
    people = rng.randint(20, 150)
    teams, left = divmod(people, size)
    group = rng.choice(["students", "players", "volunteers", "hikers", "scouts"])
    if rng.random() < 0.5:
        q = f"{people} {group} are split into teams of {size}. How many complete teams can be formed?"
        return q, teams, [f"{people} / {size} = {teams} remainder {left}, so {teams} complete teams."]
    q = f"{people} {group} are split into as many teams of {size} as possible. How many {group} are left without a team?"
    return q, left, [f"{people} = {size} x {teams} + {left}, so {left} are left over."]


def reading_days(rng: random.Random) -> tuple[str, int, list[str]]:
    (name,) = _name(rng)
    pages = rng.randint(120, 600)
    per_day = rng.randint(10, 45)
    done_days = rng.randint(1, max(1, pages // per_day - 1))
    read = per_day * done_days
    remaining = pages - read
    days = -(-remaining // per_day)
    q = (
        f"A book has {pages} pages. {name} reads {per_day} pages every day and has been reading for {done_days} days. "
        f"How many more days does {name} need to finish the book?"
    )
    steps = [
        f"Pages read: {per_day} x {done_days} = {read}.",
        f"Remaining: {pages} - {read} = {remaining}.",
        f"Days: {remaining} / {per_day} rounds up to {days}.",
    ]
    return q, days, steps


def temperature_change(rng: random.Random) -> tuple[str, int, list[str]]:
    city = rng.choice(["a mountain town", "the city", "the desert", "a harbour", "the valley"])
    start = rng.randint(-5, 25)
    drop = rng.randint(1, 4)
    hours = rng.randint(2, 8)
    rise = rng.randint(1, 12)
    after = start - drop * hours
    final = after + rise
    q = (
        f"At 6 pm the temperature in {city} is {start} degrees Celsius. It drops {drop} degrees every hour for {hours} hours, "
        f"and then rises by {rise} degrees. What is the final temperature in degrees Celsius?"
    )
    steps = [
        f"Drop: {drop} x {hours} = {drop * hours} degrees, so {start} - {drop * hours} = {after}.",
        f"Then {after} + {rise} = {final}.",
    ]
    return q, final, steps


def resale_profit(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    _, plural = _item(rng)
    n = rng.randint(10, 60)
    cost = _cents(rng, 1, 10)
    sell = cost + _cents(rng, 1, 6)
    broken = rng.randint(1, max(1, n // 5))
    sold = n - broken
    profit = sold * sell - n * cost
    q = (
        f"{name} buys {n} {plural} for {money(cost)} each. {broken} of them break, and {name} sells all the others "
        f"for {money(sell)} each. What is {name}'s profit in dollars? (A loss is a negative profit.)"
    )
    steps = [
        f"Cost: {n} x {fmt(cost)} = {fmt(n * cost)}.",
        f"Sold: {sold} x {fmt(sell)} = {fmt(sold * sell)}.",
        f"Profit: {fmt(sold * sell)} - {fmt(n * cost)} = {fmt(profit)} dollars.",
    ]
    return q, profit, steps


def fuel_cost(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    per100 = rng.choice([4, 5, 6, 7, 8, 10])
    km = rng.randrange(100, 1201, 50)
    price = _cents(rng, 1, 2, 10)
    litres = Fraction(per100 * km, 100)
    cost = litres * price
    q = (
        f"{name}'s car uses {per100} liters of fuel per 100 km. Fuel costs {money(price)} per liter. "
        f"How many dollars does the fuel for a trip of {km} km cost?"
    )
    steps = [
        f"Fuel: {km} / 100 x {per100} = {fmt(litres)} liters.",
        f"Cost: {fmt(litres)} x {fmt(price)} = {fmt(cost)} dollars.",
    ]
    return q, cost, steps


def multi_step_party(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    guests = rng.randint(8, 40)
    slices_each = rng.randint(2, 4)
    per_pizza = rng.choice([6, 8, 10, 12])
    price = _cents(rng, 8, 20, 50)
    slices = guests * slices_each
    pizzas = -(-slices // per_pizza)
    drinks = rng.randint(1, 3)
    drink_price = _cents(rng, 1, 3)
    cost = pizzas * price + guests * drinks * drink_price
    q = (
        f"{name} is planning a party for {guests} guests. Each guest will eat {slices_each} slices of pizza, and each pizza "
        f"has {per_pizza} slices and costs {money(price)}. Each guest also gets {drinks} drink(s) at {money(drink_price)} each. "
        f"If {name} buys the fewest whole pizzas needed, how many dollars does the food and drink cost?"
    )
    steps = [
        f"Slices: {guests} x {slices_each} = {slices}; pizzas: {slices} / {per_pizza} rounds up to {pizzas}.",
        f"Pizza cost: {pizzas} x {fmt(price)} = {fmt(pizzas * price)}.",
        f"Drinks: {guests} x {drinks} x {fmt(drink_price)} = {fmt(guests * drinks * drink_price)}.",
        f"Total: {fmt(cost)} dollars.",
    ]
    return q, cost, steps


def mixed_operations(rng: random.Random) -> tuple[str, int, list[str]]:
    a, b, c, d = rng.randint(2, 30), rng.randint(2, 12), rng.randint(1, 50), rng.randint(2, 9)
    form = rng.randrange(3)
    if form == 0:
        value = a * b + c
        q = f"What is {a} times {b}, plus {c}?"
        return q, value, [f"{a} x {b} = {a * b}.", f"{a * b} + {c} = {value}."]
    if form == 1:
        value = (a + c) * d - b
        q = f"Add {a} and {c}, multiply the result by {d}, then subtract {b}. What number do you get?"
        return (
            q,
            value,
            [f"{a} + {c} = {a + c}.", f"{a + c} x {d} = {(a + c) * d}.", f"{(a + c) * d} - {b} = {value}."],
        )
    x = rng.randint(2, 40)
    rhs = d * x + c
    q = f"A number is multiplied by {d} and then {c} is added, giving {rhs}. What is the number?"
    return q, x, [f"Subtract {c}: {rhs} - {c} = {rhs - c}.", f"Divide by {d}: {rhs - c} / {d} = {x}."]


def garden_rows(rng: random.Random) -> tuple[str, int, list[str]]:
    (name,) = _name(rng)
    rows = rng.randint(3, 15)
    per_row = rng.randint(4, 20)
    plant, produce = rng.choice(
        [
            ("tomato", "tomatoes"),
            ("pepper", "peppers"),
            ("bean", "beans"),
            ("cucumber", "cucumbers"),
            ("strawberry", "strawberries"),
            ("squash", "squashes"),
        ]
    )
    eaten = rng.randint(1, rows * per_row // 4)
    harvest = rng.randint(2, 6)
    alive = rows * per_row - eaten
    q = (
        f"{name} plants {rows} rows of {plant} plants with {per_row} plants in each row. Rabbits eat {eaten} of the plants. "
        f"Each remaining plant produces {harvest} {produce}. How many {produce} are harvested in total?"
    )
    steps = [
        f"Plants: {rows} x {per_row} = {rows * per_row}.",
        f"Remaining: {rows * per_row} - {eaten} = {alive}.",
        f"Harvest: {alive} x {harvest} = {alive * harvest}.",
    ]
    return q, alive * harvest, steps


def water_tank(rng: random.Random) -> tuple[str, int, list[str]]:
    capacity = rng.randrange(200, 3001, 100)
    fill = rng.choice([5, 10, 15, 20, 25, 40, 50])
    leak = rng.choice([0, 0, 1, 2, 5])
    if leak >= fill:
        leak = 0
    net = fill - leak
    capacity = capacity - capacity % net or net * 10
    minutes = capacity // net
    if leak:
        q = (
            f"A tank that holds {capacity} liters is empty. A pipe fills it at {fill} liters per minute while a leak drains "
            f"{leak} liters per minute. How many minutes does it take to fill the tank?"
        )
        steps = [
            f"Net rate: {fill} - {leak} = {net} liters per minute.",
            f"Time: {capacity} / {net} = {minutes} minutes.",
        ]
    else:
        q = f"A tank that holds {capacity} liters is filled by a pipe at {fill} liters per minute. How many minutes does it take to fill the empty tank?"
        steps = [f"Time: {capacity} / {fill} = {minutes} minutes."]
    return q, minutes, steps


def coins_count(rng: random.Random) -> tuple[str, Fraction, list[str]]:
    (name,) = _name(rng)
    q25, q10, q5, q1 = rng.randint(0, 20), rng.randint(0, 20), rng.randint(0, 20), rng.randint(0, 30)
    cents = 25 * q25 + 10 * q10 + 5 * q5 + q1
    total = Fraction(cents, 100)
    q = (
        f"{name} has {q25} quarters, {q10} dimes, {q5} nickels and {q1} pennies. How much money, in dollars, does "
        f"{name} have? (A quarter is 25 cents, a dime 10 cents, a nickel 5 cents and a penny 1 cent.)"
    )
    steps = [
        f"Cents: 25 x {q25} + 10 x {q10} + 5 x {q5} + {q1} = {cents}.",
        f"Dollars: {cents} / 100 = {fmt(total)}.",
    ]
    return q, total, steps


def sequence_term(rng: random.Random) -> tuple[str, int, list[str]]:
    start = rng.randint(-10, 30)
    step = rng.choice([-7, -5, -3, -2, 2, 3, 4, 5, 6, 9, 11])
    n = rng.randint(8, 60)
    shown = ", ".join(str(start + i * step) for i in range(4))
    term = start + (n - 1) * step
    q = f"The sequence {shown}, ... increases by the same amount each time. What is term number {n} of the sequence?"
    steps = [
        f"The first term is {start} and the common difference is {step}.",
        f"Term {n} = {start} + ({n} - 1) x {step} = {term}.",
    ]
    return q, term, steps


TEMPLATES: dict[str, Template] = {
    f.__name__: f  # type: ignore[misc]
    for f in (
        shopping_total,
        change_due,
        arithmetic_chain,
        two_leg_distance,
        travel_time_minutes,
        work_together,
        discount_price,
        percent_of_group,
        raise_salary,
        ages_multiple,
        ages_difference,
        rectangle,
        flooring_cost,
        triangle_area_problem,
        circle_area,
        unit_conversion,
        elapsed_time,
        target_average,
        ratio_share,
        consecutive_sum,
        savings_weeks,
        packs_needed,
        leftovers_after_sales,
        box_volume,
        speed_from_minutes,
        ticket_system,
        overtime_pay,
        recipe_scaling,
        simple_interest,
        teams_and_leftover,
        reading_days,
        temperature_change,
        resale_profit,
        fuel_cost,
        multi_step_party,
        mixed_operations,
        garden_rows,
        water_tank,
        coins_count,
        sequence_term,
    )
}
"""Template name -> generator function."""


def normalize(text: str) -> str:
    """Lowercase and collapse non-alphanumerics; used to deduplicate prompts."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def generate(per_template: int, seed: int) -> list[dict]:
    """Draw ``per_template`` unique problems from every template.

    Returns dicts with ``template``, ``question``, ``answer`` (a string: an integer or a terminating
    decimal) and ``solution`` (worked steps ending in "The final answer is N.").
    """
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[dict] = []
    for name, template in TEMPLATES.items():
        made = tries = 0
        while made < per_template and tries < per_template * 50:
            tries += 1
            question, answer, steps = template(rng)
            key = normalize(question)
            if key in seen or "/" in fmt(answer):
                continue
            seen.add(key)
            made += 1
            answer_text = fmt(answer)
            solution = " ".join(steps) + f"\nThe final answer is {answer_text}."
            out.append({"template": name, "question": question, "answer": answer_text, "solution": solution})
    return out


def split_problems(problems: list[dict], test_per_template: int, seed: int) -> tuple[list[dict], list[dict]]:
    """Split into (train, test) with ``test_per_template`` held-out problems from each template."""
    rng = random.Random(seed)
    train: list[dict] = []
    test: list[dict] = []
    by_template: dict[str, list[dict]] = {}
    for p in problems:
        by_template.setdefault(p["template"], []).append(p)
    for items in by_template.values():
        items = list(items)
        rng.shuffle(items)
        test.extend(items[:test_per_template])
        train.extend(items[test_per_template:])
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test
