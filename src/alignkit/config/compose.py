"""Composing recipes with Hydra's compose API, validating them against typed schemas.

A recipe is ``recipes/<command>/<name>.yaml`` (shipped in the package), a file in a user's ``--recipes-dir``
(same layout: ``<dir>/<command>/<name>.yaml``), or a path to a YAML file. The command's folder is Hydra's
primary config directory, so a recipe is a plain top-level config; it pulls shared groups (``model/``,
``generation/``, ``judges/``...) from the recipes root through its defaults list (``- /model: tiny``). After composing, the config is merged into the command's schema dataclass, which rejects
unknown keys (including ``+key=value``) and values of the wrong type; the error names the key and the nearest
valid keys.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

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


def _schema_keys(schema: Any, dotted: str) -> list[str]:
    """The field names at ``dotted`` inside the schema dataclass (for suggestions)."""
    import typing

    node = schema
    for part in [p for p in dotted.split(".") if p][:-1]:
        if not is_dataclass(node):
            return []
        hints = typing.get_type_hints(node)
        if part not in hints:
            return []
        node = hints[part]
        origin = typing.get_origin(node)
        if origin in (list, tuple):
            node = typing.get_args(node)[0]
        elif origin is not None and type(None) in typing.get_args(node):
            node = next(a for a in typing.get_args(node) if a is not type(None))
    return [f.name for f in fields(node)] if is_dataclass(node) else []


def validate(cfg: DictConfig, schema: type, dotlist: list[str] | None = None) -> DictConfig:
    """Merge ``cfg``, then the ``key=value`` overrides, into the schema.

    Unknown keys and bad values raise :class:`ConfigError` naming the key and the nearest valid keys.
    """
    try:
        typed = OmegaConf.merge(OmegaConf.structured(schema), cfg)
        OmegaConf.set_struct(typed, True)
        if dotlist:
            typed = OmegaConf.merge(typed, OmegaConf.from_dotlist(dotlist))
    except ConfigKeyError as err:
        key = str(err.full_key or err.key or "")
        leaf = key.split(".")[-1]
        hint = _suggest(leaf, _schema_keys(schema, key))
        raise ConfigError(f"Unknown config key `{key}`. {hint}".strip()) from err
    except ValidationError as err:
        key = str(err.full_key or err.key or "")
        msg = str(err).splitlines()[0]
        raise ConfigError(f"Bad value for `{key}`: {msg}. Fix the recipe or pass `{key}=<valid value>`.") from err
    except OmegaConfBaseException as err:
        raise ConfigError(f"Invalid config: {str(err).splitlines()[0]}") from err
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


def _split_overrides(overrides: list[str], groups: set[str]) -> tuple[list[str], list[str]]:
    """Group selections (``model=tiny``) go to Hydra; values (``a.b=c``, ``+a.b=c``) are merged into the schema.

    Values are applied after composing so that a key the schema declares can be set even when the recipe's
    YAML leaves it at its default, and a key it does not declare is rejected by name.
    """
    hydra, values = [], []
    for ov in overrides:
        key, sep, value = ov.partition("=")
        bare = key.lstrip("+~")
        if not sep:
            raise ConfigError(f"Override {ov!r} has no `=`; write key=value.")
        if key.startswith("~"):
            raise ConfigError(f"{ov!r}: deleting keys is not supported; set the key to null instead ({bare}=null).")
        if "@" in bare or ("." not in bare and bare in groups):
            hydra.append(ov)
        else:
            values.append(f"{bare}={value}")
    return hydra, values


def compose_recipe(command: str, command_dir: str, recipe: str, overrides: list[str], schema: type,
                   extra_dirs: list[Path] | None = None) -> DictConfig:
    """Compose ``recipe`` of ``command`` with ``overrides`` and validate it against ``schema``."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException, MissingConfigException

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
    hydra_overrides, values = _split_overrides(_normalize_overrides(list(overrides), groups), groups)
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
    except (HydraException, OmegaConfBaseException) as err:
        text = str(err).strip()
        bad = re.search(r"Could not override '([^']+)'", text) or re.search(r"Could not append to config\. An item is already at '([^']+)'", text)
        if bad and ("To append to your config use +" in text or "not in struct" in text):
            key = bad.group(1)
            hint = _suggest(key.split(".")[-1], _schema_keys(schema, key))
            raise ConfigError(f"Unknown config key `{key}`. {hint}".strip()) from err
        raise ConfigError(f"Could not compose recipe `{name}`: {text.splitlines()[0]}") from err
    finally:
        GlobalHydra.instance().clear()
    cfg = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]) if "hydra" in cfg else cfg
    OmegaConf.set_struct(cfg, False)
    cfg.command = command
    cfg.recipe = name
    return validate(cfg, schema, values)


def to_yaml(cfg: DictConfig) -> str:
    return OmegaConf.to_yaml(cfg, resolve=True)
