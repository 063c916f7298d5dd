"""The rollups a reader keeps between refreshes, so the dashboard re-reads only the latest hour.

A poll writes the rollups of its own hour; every older row stays as it is until something rewrites
history (maintenance thinning, a poll that lands in an older hour), and that moves the store's history
generation on (schema v5 triggers). So a reader may keep the rows before the latest hour it read, as long
as the generation is the one it read them at: each refresh then reads the rows from that hour on (a few
dozen) instead of seeking the whole window's points again. A file without the generation (an older schema
read read-only) is read in full every time.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from hfwatch.store.jsonrows import json_rows
from hfwatch.store.rollups import RollupPoint, rollup_series_at
from hfwatch.store.schema import HISTORY_GENERATION_KEY

_COLUMNS = "family, h, t, models, d30, dall, growth, tg, tg0, g0, n30, nall"


@dataclass(slots=True, eq=False, repr=False)
class _Series:
    """One family's rollup rows kept in memory, in hour order."""

    hours: list[int] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    # The rows as read (t first): a read picks ~25 of a window's ~340 points, so only those become RollupPoints.
    points: list[list] = field(default_factory=list)

    def cut_before(self, h: int) -> None:
        i = bisect_left(self.hours, h)
        del self.hours[:i], self.times[:i], self.points[:i]

    def cut_from(self, h: int) -> None:
        i = bisect_left(self.hours, h)
        del self.hours[i:], self.times[i:], self.points[i:]


@dataclass(slots=True, eq=False, repr=False)
class _Kept:
    """The rollup rows kept for one scope, and the hours they are known good for."""

    lo: int  # every row with h >= lo is here...
    upto: int  # ...and those with h < upto cannot have changed since (the rows from upto on are re-read)
    families: dict[str, _Series]


class RollupCache:
    """`rollup_series_at` answered from rows kept in memory (one per reader; not thread-safe)."""

    def __init__(self) -> None:
        self._generation: str | None = None
        self._scopes: dict[str, _Kept] = {}
        self._seen: set[str] = set()  # the scopes read at least once

    def series_at(
        self, conn: sqlite3.Connection, scope: str, since: int, times: Iterable[int]
    ) -> dict[str, list[RollupPoint]]:
        """The same as `rollups.rollup_series_at(conn, scope, since, times)`. Call it inside a read
        transaction (`queries.snapshot`): the generation and the rows must be of one state of the file."""
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (HISTORY_GENERATION_KEY,)).fetchone()
        if row is None:
            return rollup_series_at(conn, scope, since, times)
        if scope not in self._seen:
            # A scope's first read seeks only the points asked for, ~4x cheaper than reading its window to
            # keep; the window is kept from its second read on. The monitor's first frame is such a read,
            # and a reader that reads a scope once (a CLI view) never pays for keeping it.
            self._seen.add(scope)
            return rollup_series_at(conn, scope, since, times)
        if row[0] != self._generation:
            self._generation, self._scopes = row[0], {}
        base = conn.execute(
            "SELECT coalesce((SELECT max(h) FROM rollups WHERE scope = ? AND h < ?), ?)", (scope, since, since)
        ).fetchone()[0]
        kept = self._scopes.get(scope)
        if kept is None or base < kept.lo:
            kept = self._scopes[scope] = _Kept(base, base, {})
        self._catch_up(conn, scope, kept)
        if base > kept.lo:
            for series in kept.families.values():
                series.cut_before(base)
            kept.lo = base
        return _pick(kept.families, sorted({int(t) for t in times}))

    def rows_kept(self, scope: str) -> int:
        """How many of the scope's rollups this cache holds (what keeping it costs, for tests)."""
        kept = self._scopes.get(scope)
        return sum(len(series.hours) for series in kept.families.values()) if kept else 0

    @staticmethod
    def _catch_up(conn: sqlite3.Connection, scope: str, kept: _Kept) -> None:
        # In the key's order (scope, h, family): no sort; each family's rows still come in order of h.
        rows = json_rows(conn, _COLUMNS, "FROM rollups WHERE scope = ? AND h >= ? ORDER BY h", (scope, kept.upto))
        for series in kept.families.values():
            series.cut_from(kept.upto)
        for fam, h, *point in rows:
            found = kept.families.get(fam)
            if found is None:
                found = kept.families[fam] = _Series()
            found.hours.append(h)
            found.times.append(point[0])
            found.points.append(point)
        if rows:
            kept.upto = max(kept.upto, rows[-1][1])


def _pick(families: dict[str, _Series], times: list[int]) -> dict[str, list[RollupPoint]]:
    """Per family, its first point and its last point at or before each time, in order, once each."""
    out: dict[str, list[RollupPoint]] = {}
    for fam in sorted(families):
        series = families[fam]
        if not series.points:
            continue
        picked = {0}
        for t in times:
            i = bisect_right(series.times, t) - 1
            if i >= 0:
                picked.add(i)
        out[fam] = [RollupPoint(*series.points[i]) for i in sorted(picked)]
    return out
