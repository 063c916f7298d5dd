"""The deep lane's walks as stored, for reading: what the dashboard's deep-walk line and coverage show.
Applying a page to a walk (the write side, through ingest) is `deepwalk`'s."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

_COLUMNS = "wid, floor, started, updated, finished, cursor, pages, requests, listed, walked, downloads, tracked, lowest"


@dataclass(frozen=True, slots=True)
class Walk:
    """One deep walk of the Hub by downloads: where it stands and what it found."""

    wid: int
    floor: int
    started: float
    updated: float
    finished: float | None
    cursor: str | None
    pages: int
    requests: int
    listed: int
    walked: int
    downloads: int
    tracked: int
    lowest: int | None

    @property
    def coverage(self) -> float | None:
        """The share of the walked 30-day downloads attributed to a tracked family (None before any)."""
        return self.tracked / self.downloads if self.downloads else None

    def as_dict(self) -> dict[str, object]:
        return {
            "walked": self.walked,
            "floor": self.floor,
            "coverage": self.coverage,
            "started": self.started,
            "finished": self.finished,
            "requests": self.requests,
            "pages": self.pages,
            "listed": self.listed,
            "downloads": self.downloads,
            "tracked": self.tracked,
            "lowest": self.lowest,
            "in_progress": self.finished is None,
        }


def latest(conn: sqlite3.Connection, *, finished: bool = False) -> Walk | None:
    """The latest walk (the latest finished one with `finished`), None when there is none."""
    where = "WHERE finished IS NOT NULL " if finished else ""
    row = conn.execute(f"SELECT {_COLUMNS} FROM deep_walks {where}ORDER BY wid DESC LIMIT 1").fetchone()
    return Walk(*row) if row else None
