"""Composing recipes with Hydra's compose API, validating them against typed schemas.

A recipe is ``recipes/<command>/<name>.yaml`` (shipped in the package), a file in a user's ``--recipes-dir``
(same layout: ``<dir>/<command>/<name>.yaml``), or a path to a YAML file. The command's folder is Hydra's
primary config directory, so a recipe is a plain top-level config; it pulls shared groups (``model/``,
``generation/``, ``judges/``...) from the recipes root through its defaults list (``- /model: tiny``). After composing, the config is merged into the command's schema dataclass, which rejects
unknown keys (including ``+key=value``) and values of the wrong type; the error names the key and the nearest
valid keys. Hydra's ``~key`` deletes: an entry of a mapping is removed (``~tasks.coding.judges.format`` drops that
judge), an optional key becomes null, a list or mapping goes back to empty; a required key is refused with a
message saying how to set it instead (see :func:`_apply_deletions`).
"""

from __future__ import annotations

import difflib
import re
import sys
import types
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigKeyError, OmegaConfBaseException, ValidationError

from alignkit.errors import ConfigError


def builtin_recipes_dir() -> Path:
    """``alignkit/recipes`` inside an installed wheel, else the repository's top-level ``recipes/``."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "recipes"
    if packaged.is_dir():
        return packaged
    repo = here.parent.parent / "recipes"
    if repo.is_dir():
        return repo
    raise ConfigError("alignkit's recipes folder is missing from the installation; reinstall alignkit.")


def recipe_files(command_dir: str, extra_dirs: list[Path] | None = None) -> dict[str, Path]:
    """Recipe name -> file, user directories overriding built-in recipes of the same name."""
    found: dict[str, Path] = {}
    for base in [builtin_recipes_dir(), *(extra_dirs or [])]:
        folder = Path(base) / command_dir
        for path in sorted(folder.glob("*.yaml")):
            found[path.stem] = path
    return found


def component_recipe(group: str, name: str | Path, what: str | None = None) -> Path:
    """A component recipe (``judges``, ``rewards``...): a ``.yaml`` path, or the shipped
    ``recipes/<group>/<name>.yaml``; otherwise a :class:`ConfigError` listing the shipped names."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path
    shipped = builtin_recipes_dir() / group / f"{name}.yaml"
    if shipped.is_file():
        return shipped
    what = what or group.removesuffix("s")
    raise ConfigError(
        f"no {what} recipe {str(name)!r}; shipped {group}: {', '.join(recipe_files(group))} (or pass a .yaml path)"
    )


def first_comment(path: Path) -> str:
    """The first comment line of a recipe (its description), without the leading ``#``."""
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("#") and "@package" not in line:
            return line.lstrip("#").strip()
        if line and not line.startswith("#"):
            break
    return ""


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=3, cutoff=0.5)
    if close:
        return "Did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
    return "Valid keys here: " + ", ".join(sorted(options)) + "." if options else ""


def _renamed(schema: Any, dotted: str) -> str | None:
    """The new name of an old option (a schema section lists them in its ``renamed`` class attribute)."""
    node = _schema_node(schema, dotted)
    renamed = getattr(node, "renamed", None) or {}
    leaf = dotted.split(".")[-1]
    if leaf in renamed:
        parent = dotted.rsplit(".", 1)[0] + "." if "." in dotted else ""
        return f"`{dotted}` was renamed: use `{parent}{renamed[leaf]}` (TRL's name)."
    return None


def _unknown_key(schema: Any, key: str) -> ConfigError:
    message = _renamed(schema, key)
    if message is None:
        hint = _suggest(key.split(".")[-1], _schema_keys(schema, key))
        message = f"Unknown config key `{key}`. {hint}".strip()
    return ConfigError(message)


def _schema_keys(schema: Any, dotted: str) -> list[str]:
    """The field names at ``dotted`` inside the schema dataclass (for suggestions)."""
    node = _schema_node(schema, dotted)
    return [f.name for f in fields(node)] if is_dataclass(node) else []


def _schema_node(schema: Any, dotted: str) -> Any:
    """The schema dataclass that holds the last key of ``dotted`` (None when the path leaves the schema)."""
    import typing

    node: Any = schema
    keyed = False  # the previous part was a dict-valued field: this part is a key of that dict
    for part in [p for p in dotted.split(".") if p][:-1]:
        if keyed:
            keyed = False
            continue
        if not is_dataclass(node):
            return None
        hints = typing.get_type_hints(node)
        if part not in hints:
            return None
        node = hints[part]
        origin = typing.get_origin(node)
        if origin is not None and type(None) in typing.get_args(node):
            node = next(a for a in typing.get_args(node) if a is not type(None))
            origin = typing.get_origin(node)
        if origin in (list, tuple):
            node = typing.get_args(node)[0]
        elif origin is dict:
            node, keyed = typing.get_args(node)[1], True
    return node


def _shown(text: str, limit: int = 120) -> str:
    """``text`` for a one-line message: bytes that are not UTF-8 as ``\\xNN``, long values cut."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else text[: limit - 20] + f"... ({len(text)} characters)"


def check_text(arg: str, what: str = "argument") -> None:
    """Refuse a command-line argument holding bytes that are not UTF-8 (Python keeps them as lone
    surrogates, which no YAML, JSON or log file can hold)."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError as err:
        bad = arg[err.start].encode("utf-8", "surrogateescape")
        raise ConfigError(f"The {what} `{_shown(arg)}` holds bytes that are not UTF-8 (0x{bad.hex()} at position "
                          f"{err.start}). Pass it as UTF-8 text.") from None


def _merge_override(typed: DictConfig, item: str, schema: type) -> DictConfig:
    """Merge one ``key=value`` override, naming that override in any error."""
    key = item.partition("=")[0]
    try:
        patch = OmegaConf.from_dotlist([item])
    except (ValueError, yaml.YAMLError, OmegaConfBaseException) as err:  # syntax, int digit limit, grammar
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        if "digits" in text:
            text = f"the number has more than {sys.get_int_max_str_digits()} digits"
        raise ConfigError(f"Cannot read the override `{_shown(item)}`: {text}. Pass `{key}=<valid value>`.") from None
    try:
        return OmegaConf.merge(typed, patch)
    except ValidationError as err:
        where = str(err.full_key or err.key or "") or key
        section = _schema_keys(schema, where + ".x")
        if section:
            raise ConfigError(f"Bad value for `{where}` in `{_shown(item)}`: `{where}` is a section of the recipe, "
                              f"not a single value. Set its keys instead ({where}.<key>=<value>; keys: "
                              f"{', '.join(section)}).") from None
        msg = str(err).splitlines()[0]
        raise ConfigError(f"Bad value for `{where}` in `{_shown(item)}`: {msg}. Pass `{where}=<valid value>`.") from None


def _check_resolves(typed: DictConfig) -> None:
    """Every interpolation (``${other.key}``, ``${oc.env:VAR}``) must resolve now, not in the middle of a run."""
    try:
        OmegaConf.to_container(typed, resolve=True)
    except OmegaConfBaseException as err:
        key = str(getattr(err, "full_key", "") or "")
        msg = str(err).splitlines()[0]
        raw = OmegaConf.to_container(typed, resolve=False)
        for part in key.split(".") if key else []:
            raw = raw.get(part) if isinstance(raw, dict) else None
        given = f"`{key}={_shown(str(raw))}`" if key else "an interpolation"
        raise ConfigError(f"Cannot resolve {given}: {msg}. Give `{key or 'it'}` a literal value, or an interpolation "
                          f"that resolves (${{other.key}}, or ${{oc.env:VAR,default}} for an environment "
                          f"variable that may be unset).") from None


def _check_numbers(cfg: Any, schema: Any, prefix: str = "") -> None:
    """Numeric fields hold sane numbers: integers fit in 64 bits, floats are not NaN, and a field's
    ``metadata`` bounds hold (``field(default=1, metadata={"ge": 1, "le": 256})``; ``ge``/``gt``/``le``/``lt``)."""
    import math
    import typing

    if not is_dataclass(schema) or not isinstance(cfg, DictConfig):
        return
    hints = typing.get_type_hints(schema)
    for f in fields(schema):
        key = f"{prefix}{f.name}"
        tp, _ = _unwrap_optional(hints.get(f.name, Any))
        value = cfg.get(f.name)
        if isinstance(value, DictConfig):
            args = typing.get_args(tp)
            if is_dataclass(tp):
                _check_numbers(value, tp, key + ".")
            elif typing.get_origin(tp) is dict and len(args) == 2 and is_dataclass(args[1]):
                for name in value:
                    _check_numbers(value[name], args[1], f"{key}.{name}.")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise ConfigError(f"Bad value for `{key}`: {_number(value)} does not fit in 64 bits. Pass a smaller "
                              f"`{key}=<number>`.")
        if isinstance(value, float) and math.isnan(value):
            raise ConfigError(f"Bad value for `{key}`: NaN is not a number. Pass `{key}=<number>`.")
        for name, ok, word in (("ge", lambda v, b: v >= b, ">="), ("gt", lambda v, b: v > b, ">"),
                               ("le", lambda v, b: v <= b, "<="), ("lt", lambda v, b: v < b, "<")):
            bound = f.metadata.get(name)
            if bound is not None and not ok(value, bound):
                raise ConfigError(f"Bad value for `{key}`: {_number(value)} is out of range; it must be {word} "
                                  f"{bound}. Pass `{key}=<number {word} {bound}>`.")


def _number(value: int | float) -> str:
    if isinstance(value, int) and abs(value) >= 10**30:
        return f"a {int(value.bit_length() * 0.30103) + 1}-digit integer"
    return repr(value)


def validate(cfg: DictConfig, schema: type, dotlist: list[str] | None = None) -> DictConfig:
    """Merge ``cfg``, then the ``key=value`` overrides, into the schema.

    Unknown keys and bad values raise :class:`ConfigError` naming the key (and override) and the fix: the
    nearest valid keys, an unreadable value, an interpolation that does not resolve, a number out of its
    field's bounds.
    """
    try:
        typed = OmegaConf.merge(OmegaConf.structured(schema), cfg)
        OmegaConf.set_struct(typed, True)
        for item in dotlist or []:
            typed = _merge_override(typed, item, schema)
    except ConfigKeyError as err:
        raise _unknown_key(schema, str(err.full_key or err.key or "")) from err
    except ValidationError as err:
        key = str(err.full_key or err.key or "")
        msg = str(err).splitlines()[0]
        raise ConfigError(f"Bad value for `{key}`: {msg}. Fix the recipe or pass `{key}=<valid value>`.") from err
    except OmegaConfBaseException as err:
        raise ConfigError(f"Invalid config: {str(err).splitlines()[0]}") from err
    _check_resolves(typed)
    _check_numbers(typed, schema)
    if "model" in typed and "name_or_path" in typed.model:
        from alignkit.models.loading import check_model_name

        check_model_name(typed.model.name_or_path)
    check = getattr(schema, "check", None)
    if callable(check):
        check(typed)
    return typed


def _normalize_overrides(overrides: list[str], groups: set[str]) -> list[str]:
    """``model=/path/or/hub-id`` is sugar for ``model.name_or_path=...`` when it names no group option."""
    out = []
    builtin = builtin_recipes_dir()
    for ov in overrides:
        key, sep, value = ov.partition("=")
        if sep and key == "model" and "model" in groups and not (builtin / "model" / f"{value}.yaml").exists():
            out.append(f"model.name_or_path={value}")
        else:
            out.append(ov)
    return out


def _split_overrides(overrides: list[str], groups: set[str], schema_keys: set[str] = frozenset()
                     ) -> tuple[list[str], list[str], list[tuple[str, str | None]]]:
    """Group selections (``model=tiny``) go to Hydra; values (``a.b=c``, ``+a.b=c``) are merged into the schema;
    deletions (``~a.b``, ``~a.b=c``) are applied to the composed recipe by :func:`_apply_deletions`.

    Values are applied after composing so that a key the schema declares can be set even when the recipe's
    YAML leaves it at its default, and a key it does not declare is rejected by name. Deleting a defaults-list
    entry by package (``~group@package``), or a group that is no key of the schema, is left to Hydra; ``~model``
    and other top-level sections follow the schema's rules (see :func:`_apply_deletions`).
    """
    hydra, values, deletions = [], [], []
    for ov in overrides:
        key, sep, value = ov.partition("=")
        bare = key.lstrip("+~")
        is_group = "@" in bare or ("." not in bare and bare in groups)
        if key.startswith("~"):
            if not bare:
                raise ConfigError(f"Override {ov!r} names no key; write ~key (e.g. ~tasks.coding.judges.format).")
            if "@" in bare or (is_group and bare not in schema_keys):
                hydra.append(ov)
            else:
                deletions.append((bare, value if sep else None))
            continue
        if not sep:
            raise ConfigError(f"Override {ov!r} has no `=`; write key=value.")
        if is_group:
            hydra.append(ov)
        else:
            values.append(f"{bare}={value}")
    return hydra, values, deletions


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    """(the type without ``None``, whether ``None`` is allowed)."""
    import typing

    if tp is Any:
        return Any, True
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else Any), True
    return tp, False


def _apply_deletions(cfg: DictConfig, deletions: list[tuple[str, str | None]], schema: type) -> None:
    """Apply Hydra's ``~key`` (``~key=value``: only if the key holds that value) to a composed recipe.

    On a typed schema, deleting means:

    * an entry of a mapping (a judge under ``tasks.<t>.judges``, a task under ``tasks``, a column under
      ``data.columns``, a key inside a ``_target_`` component): the entry is removed;
    * a field that may be null (``X | None``, untyped): it becomes null;
    * a list or mapping field: it goes back to its schema default (empty);
    * a required field (a number, a string, a flag, a section): refused, naming the key and the fix.
    """
    import typing

    for key, expected in deletions:
        shown = f"~{key}" + (f"={expected}" if expected is not None else "")
        parts = key.split(".")
        tp: Any = schema
        node: Any = cfg  # the composed config at the same path (None once below what the recipe sets)
        for i, part in enumerate(parts):
            here = ".".join(parts[: i + 1])
            last = i == len(parts) - 1
            tp, _ = _unwrap_optional(tp)
            origin = typing.get_origin(tp)
            if is_dataclass(tp):
                hints = typing.get_type_hints(tp)
                if part not in hints:
                    hint = _suggest(part, list(hints))
                    raise ConfigError(f"`{shown}`: unknown config key `{here}`. {hint}".strip())
                child_tp = hints[part]
                if last:
                    _delete_field(cfg, key, shown, child_tp, tp, part, node, expected)
                    break
                tp = child_tp
            elif tp is Any or origin is dict or tp is dict:
                present = isinstance(node, DictConfig) and part in node
                if not present:
                    entries = ", ".join(sorted(str(k) for k in node)) if isinstance(node, DictConfig) else ""
                    where = ".".join(parts[:i]) or "the recipe"
                    raise ConfigError(f"`{shown}`: there is no `{here}` to delete"
                                      + (f" ({where} has: {entries})." if entries else f" ({where} is empty)."))
                if last:
                    _check_expected(node[part], shown, here, expected)
                    node.pop(part)
                    break
                tp = typing.get_args(tp)[1] if origin is dict and typing.get_args(tp) else Any
            else:
                parent = ".".join(parts[:i])
                raise ConfigError(f"`{shown}`: `{parent}` is a single value, it has no key `{part}`.")
            node = node.get(part) if isinstance(node, DictConfig) else None


def _delete_field(cfg: DictConfig, key: str, shown: str, tp: Any, owner: type, name: str, node: Any,
                  expected: str | None) -> None:
    """``~key`` on a field of a schema dataclass: null where allowed, empty for containers, else refused."""
    import typing

    inner, nullable = _unwrap_optional(tp)
    current = node.get(name) if isinstance(node, DictConfig) else None
    if current is not None:
        _check_expected(current, shown, key, expected)
    if nullable:
        OmegaConf.update(cfg, key, None, merge=False)
        return
    origin = typing.get_origin(inner) or inner
    if origin in (list, dict, tuple):
        default = next(f for f in fields(owner) if f.name == name).default_factory()  # type: ignore[misc]
        OmegaConf.update(cfg, key, default, merge=False)
        return
    kind = inner.__name__ if isinstance(inner, type) else str(inner)
    if is_dataclass(inner):
        options = ", ".join(f.name for f in fields(inner))
        raise ConfigError(f"`{shown}`: `{key}` is a required section of the recipe and cannot be deleted; set its "
                          f"keys instead ({key}.<key>=<value>; keys: {options}).")
    default = next((f.default for f in fields(owner) if f.name == name), None)
    raise ConfigError(f"`{shown}`: `{key}` is a required {kind} setting and cannot be deleted (only optional "
                      f"keys, list/mapping keys and their entries can be). Set it instead: {key}=<value> "
                      f"(schema default: {default}).")


def _check_expected(current: Any, shown: str, key: str, expected: str | None) -> None:
    """Hydra's ``~key=value`` deletes only when the key holds ``value``."""
    if expected is None:
        return
    value = OmegaConf.to_container(current, resolve=True) if isinstance(current, DictConfig) else current
    parsed = OmegaConf.from_dotlist([f"v={expected}"]).v
    if value != parsed and str(value) != expected:
        held = "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else repr(value)
        raise ConfigError(f"`{shown}`: `{key}` is {held}, not {expected!r}; nothing deleted. "
                          f"Write ~{key} to delete it whatever its value.")


def compose_recipe(command: str, command_dir: str, recipe: str, overrides: list[str], schema: type,
                   extra_dirs: list[Path] | None = None) -> DictConfig:
    """Compose ``recipe`` of ``command`` with ``overrides`` and validate it against ``schema``."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException, MissingConfigException

    check_text(recipe, "recipe")
    for ov in overrides:
        check_text(ov, "override")
    extra_dirs = [Path(d).expanduser().resolve() for d in (extra_dirs or [])]
    for d in extra_dirs:
        if not d.is_dir():
            raise ConfigError(f"--recipes-dir {d}: no such directory.")
    recipe_path = Path(recipe).expanduser()
    if recipe.endswith((".yaml", ".yml")) or recipe_path.is_file():
        if not recipe_path.is_file():
            raise ConfigError(f"recipe={recipe}: no such file.")
        recipe_file = recipe_path.resolve()
    else:
        available = recipe_files(command_dir, extra_dirs)
        if recipe not in available:
            listing = ", ".join(sorted(available)) or "(none)"
            close = difflib.get_close_matches(recipe, list(available), n=3, cutoff=0.5)
            hint = ("Did you mean " + " or ".join(f"`{c}`" for c in close) + "? ") if close else ""
            raise ConfigError(f"No recipe `{recipe}` for `alignkit {command}`. {hint}Available: {listing}.")
        recipe_file = available[recipe]
    name = recipe_file.stem
    groups = {p.name for p in builtin_recipes_dir().iterdir() if p.is_dir()}
    for d in extra_dirs:
        groups |= {p.name for p in d.iterdir() if p.is_dir()}
    hydra_overrides, values, deletions = _split_overrides(_normalize_overrides(list(overrides), groups), groups,
                                                          {f.name for f in fields(schema)})
    # The command's folder is the primary config dir, so a recipe is a plain top-level config (no package
    # header needed); the recipes root and the user's folders are on the search path for the shared groups.
    search = [builtin_recipes_dir(), builtin_recipes_dir() / command_dir]
    search += extra_dirs
    hydra_overrides.append("hydra.searchpath=[" + ",".join(f"file://{d}" for d in search) + "]")
    # The folder holding the recipe is the primary config dir (Hydra looks up the primary config there).
    primary = recipe_file.parent
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(primary), version_base=None):
            cfg = compose(config_name=name, overrides=hydra_overrides)
    except MissingConfigException as err:
        raise ConfigError(f"{str(err).splitlines()[0]}") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{mark.name}, line {mark.line + 1}" if mark is not None else str(recipe_file)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"Recipe file {where}: invalid YAML ({problem}). Fix the file.") from None
    except (UnicodeDecodeError, ValueError) as err:  # binary recipe file; a number over the digit limit
        text = str(err).splitlines()[0]
        if "digits" in text:
            text = f"a number has more than {sys.get_int_max_str_digits()} digits"
        raise ConfigError(f"Could not read recipe `{name}` or a file it uses: {text}. Fix the file.") from None
    except (HydraException, OmegaConfBaseException) as err:
        text = str(err).strip()
        bad = re.search(r"Could not override '([^']+)'", text) or re.search(r"Could not append to config\. An item is already at '([^']+)'", text)
        if bad and ("To append to your config use +" in text or "not in struct" in text):
            raise _unknown_key(schema, bad.group(1)) from err
        raise ConfigError(f"Could not compose recipe `{name}`: {text.splitlines()[0]}") from err
    finally:
        GlobalHydra.instance().clear()
    cfg = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]) if "hydra" in cfg else cfg
    OmegaConf.set_struct(cfg, False)
    cfg.command = command
    cfg.recipe = name
    _apply_deletions(cfg, deletions, schema)
    return validate(cfg, schema, values)


def to_yaml(cfg: DictConfig) -> str:
    return OmegaConf.to_yaml(cfg, resolve=True)
