"""What the commands share: which history file, which registry, times as text, read errors as one line."""

from __future__ import annotations

import argparse
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hfwatch.cli.errors import CliError
from hfwatch.timeunits import DAY_S, HOUR_S

if TYPE_CHECKING:
    from hfwatch.registry import Registry

_RELATIVE = re.compile(r"(\d+)([hd])\Z")


def resolve_db(args: argparse.Namespace) -> Path:
    from hfwatch.paths import default_db

    if getattr(args, "db", None):
        return Path(args.db).expanduser()
    return default_db(demo=bool(getattr(args, "demo", False)))


def registry_in_force() -> Registry:
    """The bundled registry with the user's file merged on top: the config's `registry_file` when set
    (it replaces the default user file, it is not merged with it), else the default user registry."""
    from hfwatch.config import load_config
    from hfwatch.registry import default_user_registry_path, load_registry

    config = load_config()
    return load_registry(Path(config.registry_file) if config.registry_file else default_user_registry_path())


def checked_registry(args: argparse.Namespace) -> Registry:
    """The registry in force, once an unknown --family and a --limit below 1 are refused (one line each)."""
    registry = registry_in_force()
    if getattr(args, "family", None) and args.family not in registry:
        raise CliError(f"unknown family {args.family!r}; `hfwatch families` lists them")
    if getattr(args, "limit", None) is not None and args.limit < 1:
        raise CliError("--limit must be at least 1")
    return registry


def iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def reading(db: Path) -> Iterator[None]:
    """SQLite errors met while reading (a damaged page, an I/O error) as one line naming the file."""
    from hfwatch.store.db import sqlite_failure

    try:
        yield
    except sqlite3.Error as err:
        raise sqlite_failure(db, err, doing="reading it", outcome="hfwatch left it untouched") from None


def since_time(text: str | None, now: int, option: str = "--since") -> int:
    """A --since value as Unix seconds: 2026-10-01, an ISO time, Unix seconds, or 7d / 24h back from `now`."""
    from hfwatch.hub.parse import TimeError, parse_time

    if text is None:
        return 0
    relative = _RELATIVE.match(text.strip())
    if relative:
        n, unit = int(relative.group(1)), relative.group(2)
        return now - n * (DAY_S if unit == "d" else HOUR_S)
    try:
        return int(parse_time(text))
    except TimeError as err:
        raise CliError(f"{option}: {err}") from None
