"""The user's config file (TOML): lane intervals, watched families, defaults, theme, key remaps.

Path: `HFWATCH_CONFIG`, else `config.toml` in the platformdirs config dir. A missing file
means defaults; an invalid one is refused with one line naming file, line and key, because a
silently ignored typo would leave the user wondering why the setting has no effect.

The core reads this (no Textual here): the theme name and the keymap's Binding ids are only
checked for shape; the monitor checks them against the themes and bindings it has.
"""

from __future__ import annotations

import contextlib
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from hfwatch.paths import config_file
from hfwatch.tomltext import TomlLines, syntax_error, toml_type_name

SCOPES = ("first-party", "ecosystem")
METRICS = ("downloads_30d", "downloads_all_time", "rate")
INTERVAL_BOUNDS_S = (5, 86400)
DEEP_INTERVAL_BOUNDS_H = (1, 24 * 30)

# Keys that look like a place for a secret: refused with a pointer to where tokens belong, so a
# token never sits in a file that `hfwatch config show` (or a bug report) might print.
_SECRET_KEYS = re.compile(r"token|secret|password|api[_-]?key", re.IGNORECASE)
_FAMILY_ID = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
_BINDING_ID = re.compile(r"[A-Za-z_][\w.-]*\Z")
_KEY_NAME = re.compile(r"[\w+\-.]+\Z")


class ConfigError(ValueError):
    """One line: `<file>:<line>: <key>: <reason>`."""


@dataclass(frozen=True, slots=True)
class Config:
    """The user's settings (config.toml), defaults where the file says nothing."""

    fast_interval_s: int = 300
    slow_interval_s: int = 3600
    deep_interval_h: int = 24  # hours between deep-lane walks (the whole Hub by downloads)
    deep_floor: int = 100  # 30-day downloads the deep lane walks down to
    watched: tuple[str, ...] = ()  # family ids whose releases and trending entries raise alerts
    scope: str = "ecosystem"  # the monitor's scope at start
    metric: str = "downloads_30d"  # the monitor's metric at start
    theme: str = "textual-dark"  # a Textual theme name; the monitor checks it
    keymap: dict[str, str] = field(default_factory=dict)  # Binding id -> keys, e.g. {"poll_now": "f5"}
    # False: re-uploads (namespaces listed as `reuploaders` in the registry) count for no family,
    # so the ecosystem scope is first-party plus real derivatives only. Applies from the next poll.
    include_reuploaders: bool = True
    registry_file: str | None = None  # a families.toml merged over the bundled registry (absolute)
    source: str | None = None  # the file this came from, if any

    def registry_path(self) -> Path:
        """The user registry in force: `registry_file`, else the default user registry path."""
        from hfwatch.registry import default_user_registry_path

        return Path(self.registry_file) if self.registry_file else default_user_registry_path()


_TYPES: dict[str, tuple[type, str]] = {
    "fast_interval_s": (int, "an integer (seconds)"),
    "slow_interval_s": (int, "an integer (seconds)"),
    "deep_interval_h": (int, "an integer (hours)"),
    "deep_floor": (int, "an integer (30-day downloads)"),
    "watched": (list, "a list of family ids"),
    "scope": (str, "a string"),
    "metric": (str, "a string"),
    "theme": (str, "a string"),
    "keymap": (dict, 'a table of Binding id = "keys"'),
    "include_reuploaders": (bool, "true or false"),
    "registry_file": (str, "a path (string)"),
}


class _Lines(TomlLines):
    """Finds the line of a config key in the raw text."""

    def top(self, key: str) -> int:
        """`key = ...` at the top level, or a `[key]` table header, or a dotted `key.sub = ...`."""
        hit = self.key(key)
        if hit is None:
            hit = self.table(key)
        if hit is None:  # a dotted key: keymap.quit = "x"
            hit = self.key(key, dotted=True)
        return (hit or 0) + 1

    def sub(self, table: str, key: str) -> int:
        """`key = ...` inside `[table]` (or `table.key = ...`, or inline); the table's line otherwise."""
        dotted = self.dotted(table, key)
        if dotted is not None:
            return dotted + 1
        header = self.table(table)
        if header is not None:
            stop = self.find(re.compile(r"^\s*\["), header + 1)
            hit = self.key(key, header + 1, stop)
            if hit is not None:
                return hit + 1
        t, k = re.escape(table), re.escape(key)
        inline = self.find(re.compile(rf"^\s*{t}\s*=.*(?:{k}|\"{k}\"|'{k}')\s*="))
        return inline + 1 if inline is not None else self.top(table)


def load_config(path: Path | None = None) -> Config:
    """The config in force: defaults, overridden by the file's values (missing file: defaults)."""
    path = path or config_file()
    if not path.exists():
        return Config()
    if path.is_dir():
        raise ConfigError(f"{path}:1: is a directory, not a config file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}:1: not UTF-8 text") from None
    except OSError as err:
        raise ConfigError(f"{path}:1: cannot read the config ({err.strerror or err})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line, reason = syntax_error(err, text)
        raise ConfigError(f"{path}:{line}: invalid TOML: {reason}") from None
    return _validate(data, path, _Lines(text))


def _validate(data: dict[str, Any], path: Path, lines: _Lines) -> Config:
    def fail(line: int, key: str, reason: str) -> ConfigError:
        return ConfigError(f"{path}:{line}: {key}: {reason}")

    values: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.top(key)
        if _SECRET_KEYS.search(key):
            raise fail(line, key, "tokens do not belong in the config file; use HF_TOKEN or `hf auth login`")
        if key not in _TYPES:
            raise fail(line, key, f"unknown key (known: {', '.join(sorted(_TYPES))})")
        kind, described = _TYPES[key]
        # bool is an int in Python; `fast_interval_s = true` is still a mistake.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise fail(line, key, f"must be {described}, not {toml_type_name(value)}")
        values[key] = value

    low, high = INTERVAL_BOUNDS_S
    for key in ("fast_interval_s", "slow_interval_s"):
        if key in values and not low <= values[key] <= high:
            raise fail(lines.top(key), key, f"must be between {low} and {high} seconds, not {values[key]}")
    _check_deep(values, lines, fail)
    for key, allowed in (("scope", SCOPES), ("metric", METRICS)):
        if key in values and values[key] not in allowed:
            raise fail(lines.top(key), key, f"must be one of {', '.join(allowed)}, not {values[key]!r}")
    if "theme" in values and not values["theme"].strip():
        raise fail(lines.top("theme"), "theme", "must name a theme (e.g. textual-dark, textual-light)")
    if "watched" in values:
        for item in values["watched"]:
            if not isinstance(item, str) or not _FAMILY_ID.match(item):
                raise fail(
                    lines.top("watched"), "watched", f"{item!r} is not a family id (`hfwatch families` lists them)"
                )
        values["watched"] = tuple(dict.fromkeys(values["watched"]))
    if "keymap" in values:
        for binding, keys in values["keymap"].items():
            line = lines.sub("keymap", binding)
            if not _BINDING_ID.match(binding):
                raise fail(line, f"keymap.{binding}", "is not a Binding id")
            if not isinstance(keys, str):
                raise fail(line, f"keymap.{binding}", f'must be a string of keys like "f5", not {toml_type_name(keys)}')
            parts = [k.strip() for k in keys.split(",")]
            if not all(parts) or not all(_KEY_NAME.match(k) for k in parts):
                raise fail(line, f"keymap.{binding}", f"{keys!r} is not a comma-separated list of key names")
        values["keymap"] = dict(values["keymap"])
    if "registry_file" in values:
        raw = values["registry_file"].strip()
        line = lines.top("registry_file")
        if not raw:
            raise fail(line, "registry_file", "must be a path to a families.toml")
        # A relative path is read from the config file's folder, as the user wrote it next to it.
        target = Path(raw).expanduser()
        target = target if target.is_absolute() else path.parent / target
        if not target.is_file():
            raise fail(line, "registry_file", f"{target}: no such file")
        values["registry_file"] = str(target.resolve())
    return Config(**values, source=str(path))


def _check_deep(values: dict[str, Any], lines: _Lines, fail: Callable[[int, str, str], ConfigError]) -> None:
    low_h, high_h = DEEP_INTERVAL_BOUNDS_H
    if "deep_interval_h" in values and not low_h <= values["deep_interval_h"] <= high_h:
        raise fail(
            lines.top("deep_interval_h"),
            "deep_interval_h",
            f"must be between {low_h} and {high_h} hours, not {values['deep_interval_h']}",
        )
    if "deep_floor" in values and values["deep_floor"] < 0:
        raise fail(lines.top("deep_floor"), "deep_floor", f"must be 0 or more, not {values['deep_floor']}")


def check_watched(config: Config, family_ids: set[str] | frozenset[str]) -> None:
    """Refuse watched family ids the registry in force does not have (with the config's line)."""
    unknown = [w for w in config.watched if w not in family_ids]
    if not unknown:
        return
    where = config.source or str(config_file())
    line = 1
    if config.source:
        with contextlib.suppress(OSError):
            line = _Lines(Path(config.source).read_text(encoding="utf-8")).top("watched")
    raise ConfigError(f"{where}:{line}: watched: unknown family {unknown[0]!r} (`hfwatch families` lists them)")


def as_dict(config: Config) -> dict[str, Any]:
    return {f.name: getattr(config, f.name) for f in fields(config) if f.name != "source"}


# -- writing TOML (the standard library reads TOML but does not write it) ----------------------------


def _toml_str(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes; TOML also forbids a raw DEL.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_str(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


_COMMENTS = {
    "fast_interval_s": "seconds between fast-lane polls (trending + newest)",
    "slow_interval_s": "seconds between slow-lane polls (every family's orgs and derivatives)",
    "deep_interval_h": "hours between deep-lane walks (the whole Hub by downloads; `poll --lane deep`)",
    "deep_floor": "30-day downloads the deep lane walks down to",
    "watched": "family ids whose new releases and trending entries raise alerts",
    "scope": "the monitor's scope at start: first-party | ecosystem (CLI commands take --scope)",
    "metric": "the monitor's metric at start: downloads_30d | downloads_all_time | rate",
    "theme": "a Textual theme name, e.g. textual-dark, textual-light",
    "include_reuploaders": "false: re-uploads (the registry's reuploaders) count for no family",
    "keymap": 'Binding id = "keys" (comma-separated), e.g. poll_now = "f5"',
}


def to_toml(config: Config) -> str:
    """The effective config as TOML that `load_config` reads back to the same values."""
    out = [f"# hfwatch config in force: defaults{', overridden by ' + config.source if config.source else ''}"]
    values = as_dict(config)
    for key in (
        "fast_interval_s",
        "slow_interval_s",
        "deep_interval_h",
        "deep_floor",
        "watched",
        "scope",
        "metric",
        "theme",
        "include_reuploaders",
    ):
        out.append(f"{key} = {_toml_value(values[key])}  # {_COMMENTS[key]}")
    if config.registry_file:
        out.append(f"registry_file = {_toml_value(config.registry_file)}  # merged over the bundled registry")
    else:
        out.append(
            f"# registry_file: not set; {config.registry_path()} is merged over the bundled registry when it exists"
        )
    out.append("")
    out.append(f"[keymap]  # {_COMMENTS['keymap']}")
    for binding, keys in sorted(config.keymap.items()):
        out.append(f"{_toml_key(binding)} = {_toml_value(keys)}")
    return "\n".join(out) + "\n"
