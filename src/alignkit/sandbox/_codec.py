"""Plain-value codec for crossing the sandbox boundary.

Only plain values cross: ``None``, bools, ints, floats, complex numbers, strings, bytes, lists, tuples,
dicts, sets, frozensets, ranges and finite iterators (sent as their items). Everything is carried as JSON;
non-JSON types are tagged as one-key objects (``{"t": [...]}`` for a tuple, ``{"d": [[k, v], ...]}`` for
a dict, ...). Decoding builds exact builtin types only, so whatever the sandbox sends, the trusted side
never holds an object whose ``__eq__``, ``__hash__`` or ``__bool__`` the candidate wrote.

This module is stdlib-only: the sandbox worker imports it without the ``alignkit`` package.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_NODES = 1_000_000  # per value, both ways (the trusted side decodes about a million nodes a second)
MAX_DEPTH = 200


class CodecError(ValueError):
    """A value that cannot cross the boundary, or a message that is not a valid encoding."""


_ITER_TYPES: tuple[type, ...] = (
    type(iter([])), type(iter(())), type(iter("")), type(iter(range(0))), type(iter({})),
    type(iter(set())), type({}.keys()), type({}.values()), type({}.items()), map, filter, zip,
    enumerate, reversed,
)


class _Budget:
    """Counts encoded nodes so a huge or cyclic value fails fast instead of exhausting memory."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise CodecError("value too large to send across the sandbox boundary")


def _enc_float(x: float) -> Any:
    if math.isfinite(x):
        return x
    return {"f": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _enc(v: Any, budget: _Budget, depth: int) -> Any:
    budget.take()
    if depth > MAX_DEPTH:
        raise CodecError("value nested too deeply")
    if v is None or v is True or v is False:
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return _enc_float(float(v))
    if isinstance(v, str):
        return str(v)
    d = depth + 1
    if isinstance(v, list):
        return [_enc(x, budget, d) for x in v]
    if isinstance(v, tuple):
        return {"t": [_enc(x, budget, d) for x in v]}
    if isinstance(v, dict):
        return {"d": [[_enc(k, budget, d), _enc(x, budget, d)] for k, x in v.items()]}
    if isinstance(v, frozenset):
        return {"fs": [_enc(x, budget, d) for x in v]}
    if isinstance(v, set):
        return {"s": [_enc(x, budget, d) for x in v]}
    if isinstance(v, complex):
        return {"c": [_enc_float(v.real), _enc_float(v.imag)]}
    if isinstance(v, bytearray):
        return {"ba": bytes(v).hex()}
    if isinstance(v, bytes):
        return {"b": bytes(v).hex()}
    if isinstance(v, range):
        return {"r": [v.start, v.stop, v.step]}
    return _enc_other(v, budget, d)


def _enc_other(v: Any, budget: _Budget, depth: int) -> Any:
    tname, mod = type(v).__name__, type(v).__module__
    if mod == "decimal" and tname == "Decimal":
        return {"dec": str(v)}
    if mod == "fractions" and tname == "Fraction":
        return {"fr": [int(v.numerator), int(v.denominator)]}
    if isinstance(v, _ITER_TYPES) or tname == "generator":
        items = []
        for x in v:
            items.append(_enc(x, budget, depth))
        return {"it": items}
    if type(v).__module__.split(".")[0] == "numpy" and hasattr(v, "tolist"):
        return _enc(v.tolist(), budget, depth)
    raise CodecError(f"cannot send a value of type {tname!r} across the sandbox boundary")


def encode(value: Any, max_nodes: int = MAX_NODES) -> Any:
    """Return a JSON-ready structure for ``value``; raise :class:`CodecError` if it is not plain."""
    return _enc(value, _Budget(max_nodes), 0)


def dumps(value: Any, max_nodes: int = MAX_NODES) -> bytes:
    """Encode ``value`` and serialise it as UTF-8 JSON bytes."""
    return json.dumps(encode(value, max_nodes), allow_nan=False, separators=(",", ":")).encode()


_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

# The trusted side's work on one reply is bounded by its size and its shape, whatever the jail sends:
# the message length (checked by the reader), the JSON values in it (counted before parsing), the nodes
# decoded, and the equality tests that inserting set members and dict keys whose hashes are equal costs.
# Numbers hash the same way in every process (k * (2**61 - 1) all hash to 0), so a set of 300k such ints
# would cost 4.5e10 comparisons to build; here it is refused after MAX_COLLISION_WORK.
MAX_JSON_VALUES = 3 * MAX_NODES + 1024  # an encoded node is at most 3 JSON values ({"t": [...]}, [k, v])
MAX_COLLISION_WORK = 200_000  # nodes compared, summed over members that meet an equal hash


class _DecodeBudget:
    """Nodes decoded so far (each container adds its members, so scalars cost no call), and the equality
    work spent on colliding hashes."""

    __slots__ = ("nodes", "max_nodes", "collision_left")

    def __init__(self, max_nodes: int, max_collision_work: int) -> None:
        self.nodes = 0
        self.max_nodes = max_nodes
        self.collision_left = max_collision_work

    def take(self, n: int) -> None:
        self.nodes += n
        if self.nodes > self.max_nodes:
            raise CodecError("value too large to receive across the sandbox boundary")

    def collide(self, work: int) -> None:
        self.collision_left -= work
        if self.collision_left < 0:
            raise CodecError("too many set members or dict keys with equal hashes (a hash-collision flood)")


def _hashable(x: Any) -> Any:
    if isinstance(x, (list, dict, set, bytearray)):
        raise CodecError("unhashable value used as a dict key or set member")
    return x


def _members(body: list[Any], depth: int, budget: _DecodeBudget) -> list[Any]:
    """Decode the members of one set (or the keys of one dict), counting per hash value the members already
    decoded and charging the budget, before the container is built, for the comparisons a member with an
    equal hash costs there: at most one per earlier such member, each at most the new member's size."""
    seen: dict[int, int] = {}  # hash -> members with it (the hash values themselves never collide here)
    out = []
    for x in body:
        if type(x) in _SCALARS or x is None:
            size = 1
        else:
            before = budget.nodes
            x = _hashable(_dec(x, depth, budget))
            size = budget.nodes - before + 1
        h = hash(x)
        same = seen.get(h, 0)
        if same:
            budget.collide(same * size)
        seen[h] = same + 1
        out.append(x)
    return out


def _dec_float(x: Any) -> float:
    if isinstance(x, dict) and set(x) == {"f"} and x["f"] in _FLOATS:
        return _FLOATS[x["f"]]
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return float(x)
    raise CodecError("malformed float")


def _dec_tagged(tag: str, body: Any, depth: int, budget: _DecodeBudget) -> Any:  # noqa: C901 - one per tag
    d = depth + 1
    if tag in ("t", "it"):
        if not isinstance(body, list):
            raise CodecError(f"malformed {tag!r} value")
        budget.take(len(body))
        items = [x if type(x) in _SCALARS or x is None else _dec(x, d, budget) for x in body]
        return tuple(items) if tag == "t" else iter(items)
    if tag in ("s", "fs"):
        if not isinstance(body, list):
            raise CodecError(f"malformed {tag!r} value")
        budget.take(len(body))
        members = _members(body, d, budget)
        return set(members) if tag == "s" else frozenset(members)
    if tag == "d":
        if not isinstance(body, list) or not all(isinstance(p, list) and len(p) == 2 for p in body):
            raise CodecError("malformed dict")
        budget.take(2 * len(body))
        keys = _members([p[0] for p in body], d, budget)
        values = [v if type(v) in _SCALARS or v is None else _dec(v, d, budget) for _, v in body]
        return dict(zip(keys, values, strict=True))
    if tag == "f":
        return _dec_float({"f": body})
    if tag == "c" and isinstance(body, list) and len(body) == 2:
        return complex(_dec_float(body[0]), _dec_float(body[1]))
    if tag in ("b", "ba") and isinstance(body, str):
        try:
            raw = bytes.fromhex(body)
        except ValueError as exc:
            raise CodecError("malformed bytes") from exc
        return raw if tag == "b" else bytearray(raw)
    if tag == "r" and isinstance(body, list) and len(body) == 3 and all(_is_int(x) for x in body):
        if body[2] == 0:
            raise CodecError("malformed range")
        return range(body[0], body[1], body[2])
    if tag == "fr" and isinstance(body, list) and len(body) == 2 and all(_is_int(x) for x in body):
        if body[1] == 0:
            raise CodecError("malformed fraction")
        from fractions import Fraction

        return Fraction(body[0], body[1])
    if tag == "dec" and isinstance(body, str) and len(body) < 10_000:
        import decimal

        try:
            return decimal.Decimal(body)
        except decimal.InvalidOperation as exc:
            raise CodecError("malformed decimal") from exc
    raise CodecError(f"unknown or malformed tag {tag!r}")


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


_SCALARS = frozenset({bool, int, float, str})  # exactly what json.loads makes besides None, lists and dicts


def _dec(obj: Any, depth: int, budget: _DecodeBudget) -> Any:
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if depth > MAX_DEPTH:
        raise CodecError("value nested too deeply")
    if isinstance(obj, list):
        budget.take(len(obj))
        d = depth + 1
        return [x if type(x) in _SCALARS or x is None else _dec(x, d, budget) for x in obj]
    if isinstance(obj, dict) and len(obj) == 1:
        ((tag, body),) = obj.items()
        return _dec_tagged(tag, body, depth, budget)
    raise CodecError("malformed value")


def decode(obj: Any, max_nodes: int = MAX_NODES, max_collision_work: int = MAX_COLLISION_WORK) -> Any:
    """Rebuild a value from :func:`encode`'s output using builtin types only, refusing (with
    :class:`CodecError`) one with more than ``max_nodes`` nodes or whose set members and dict keys
    collide so much that building it would cost more than ``max_collision_work`` node comparisons."""
    budget = _DecodeBudget(max_nodes, max_collision_work)
    budget.take(1)
    return _dec(obj, 0, budget)


def _reject_constant(name: str) -> Any:
    raise CodecError(f"non-standard JSON constant {name}")


def loads_message(data: bytes, max_values: int = MAX_JSON_VALUES) -> Any:
    """Parse one JSON message from the sandbox (strict: no NaN/Infinity literals). A message that may hold
    more than ``max_values`` JSON values (counted from its separators, before anything is built; a shorter
    message cannot) is refused."""
    if len(data) > max_values and data.count(b",") + data.count(b"[") + data.count(b"{") > max_values:
        raise CodecError("malformed message from the sandbox: too many values")
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CodecError(f"malformed message from the sandbox: {type(exc).__name__}") from exc
