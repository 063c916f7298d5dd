"""What the store already holds of the models a poll lists: one read of their rows, by name."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

_CHUNK = 900  # below SQLite's default limit of bound parameters
# Above this share of the models table, one sequential scan beats probing the id index per record.
_SCAN_SHARE = 0.3


class Stored(NamedTuple):
    """What the store holds of a listed model (one row of `models`)."""

    id: str
    mid: int
    d30: int | None
    dall: int | None
    likes: int | None
    trend: int | None
    family: str | None
    base_family: str | None
    publisher_family: str | None
    via: str | None
    country: str | None
    base_model: str | None
    created_at: int | None
    pipeline: str | None
    library: str | None
    params: int | None
    gated: str | None
    last_seen: int
    t: int | None
    ea: int | None  # the latest rate endpoint: its refresh instant...
    ev: int | None  # ...and the downloadsAllTime it holds

    @property
    def counters(self) -> tuple:
        return self.d30, self.dall, self.likes, self.trend

    @property
    def attribution(self) -> tuple:
        return self.family, self.base_family, self.publisher_family, self.via, self.country, self.base_model

    @property
    def meta(self) -> tuple:
        return self.created_at, self.pipeline, self.library, self.params, self.gated


_EXISTING = ", ".join(Stored._fields)


def _chunks(items: list[str], size: int = _CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_rows(conn: sqlite3.Connection, ids: list[str]) -> dict[str, Stored]:
    max_mid = conn.execute("SELECT coalesce(max(mid), 0) FROM models").fetchone()[0]
    if len(ids) >= _SCAN_SHARE * max_mid:
        return {row[0]: Stored._make(row) for row in conn.execute(f"SELECT {_EXISTING} FROM models")}
    existing: dict[str, Stored] = {}
    # Sorted, so consecutive probes of the id index land on pages just read.
    for chunk in _chunks(sorted(ids)):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {_EXISTING} FROM models WHERE id IN ({marks})", chunk):
            existing[row[0]] = Stored._make(row)
    return existing
