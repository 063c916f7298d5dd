"""The running family totals (family x scope) and the per-hour rollups snapshotted from them.

A poll adds its deltas to `totals` and copies them into this hour's rollup rows, so a poll costs
O(changed models), never a sum over the models table.
"""

from __future__ import annotations

import sqlite3

from hfwatch.records import Scope, Via
from hfwatch.store.schema import ROLLUP_BUCKET_S

_ECO, _FP = Scope.ECOSYSTEM.value, Scope.FIRST_PARTY.value
_ORG = Via.ORG.value


class Totals:
    """This poll's changes of [models, d30, dall, n30, nall] per (family, via); n30 and nall count the models
    that reported each counter, so a sum over none of them reads as unknown, not 0."""

    __slots__ = ("by_via",)

    def __init__(self) -> None:
        self.by_via: dict[tuple[str, str | None], list[int]] = {}

    def add(self, family: str | None, via: str | None, sign: int, d30: int | None, dall: int | None) -> None:
        if family is None:
            return
        acc = self.by_via.get((family, via))
        if acc is None:
            acc = self.by_via[family, via] = [0, 0, 0, 0, 0]
        acc[0] += sign
        if d30 is not None:
            acc[1] += sign * d30
            acc[3] += sign
        if dall is not None:
            acc[2] += sign * dall
            acc[4] += sign

    def move(self, family: str | None, via: str | None, old: tuple, new: tuple) -> None:
        """A model of this family and via whose (d30, dall) went from `old` to `new`: one lookup, not two."""
        if family is None:
            return
        acc = self.by_via.get((family, via))
        if acc is None:
            acc = self.by_via[family, via] = [0, 0, 0, 0, 0]
        d30, dall = old[0], old[1]
        if d30 is not None:
            acc[1] -= d30
            acc[3] -= 1
        if dall is not None:
            acc[2] -= dall
            acc[4] -= 1
        d30, dall = new[0], new[1]
        if d30 is not None:
            acc[1] += d30
            acc[3] += 1
        if dall is not None:
            acc[2] += dall
            acc[4] += 1

    def deltas(self) -> dict[tuple[str, str], list[int]]:
        """Per (family, scope): [models, d30, dall, growth, n30, nall] (growth is no longer carried here)."""
        out: dict[tuple[str, str], list[int]] = {}
        for (family, via), (n, d30, dall, n30, nall) in self.by_via.items():
            for scope in (_ECO, _FP) if via == _ORG else (_ECO,):
                acc = out.setdefault((family, scope), [0, 0, 0, 0, 0, 0])
                acc[0] += n
                acc[1] += d30
                acc[2] += dall
                acc[4] += n30
                acc[5] += nall
        return out


def rebuild_totals(conn: sqlite3.Connection) -> None:
    """Recompute the running family totals from the models table and the latest rollups.

    Only needed when the totals are missing (a file written before they existed); every poll
    afterwards carries them forward by deltas.
    """
    conn.execute("DELETE FROM totals")
    conn.execute(
        "INSERT INTO totals (scope, family, models, d30, dall, growth, tg)"
        " SELECT r.scope, r.family, 0, 0, 0, r.growth, r.tg FROM rollups r"
        " JOIN (SELECT scope, family, max(h) AS h FROM rollups GROUP BY scope, family) m"
        " ON r.scope = m.scope AND r.family = m.family AND r.h = m.h"
    )
    rows = conn.execute(
        "SELECT family, via = 'org', count(*), coalesce(sum(d30), 0), coalesce(sum(dall), 0), count(d30),"
        " count(dall) FROM models WHERE family IS NOT NULL GROUP BY family, via = 'org'"
    ).fetchall()
    for family, first_party, n, d30, dall, n30, nall in rows:
        for scope in (_ECO, _FP) if first_party else (_ECO,):
            conn.execute(
                "INSERT INTO totals (scope, family, models, d30, dall, growth, n30, nall) VALUES (?,?,?,?,?,0,?,?)"
                " ON CONFLICT (scope, family) DO UPDATE SET models = models + excluded.models,"
                " d30 = d30 + excluded.d30, dall = dall + excluded.dall, n30 = n30 + excluded.n30,"
                " nall = nall + excluded.nall",
                (scope, family, n, d30, dall, n30, nall),
            )


def write_rollups(conn: sqlite3.Connection, t: int, totals: Totals) -> None:
    """Apply this poll's deltas to the running totals, then snapshot them as this hour's rollup rows.

    Every family ever seen gets a row in every hour polled (a family that lost its models shows 0),
    so the dashboard reads one row per family and hour.
    """
    if (
        conn.execute("SELECT NOT EXISTS (SELECT 1 FROM totals)").fetchone()[0]
        and conn.execute("SELECT EXISTS (SELECT 1 FROM rollups)").fetchone()[0]
    ):
        rebuild_totals(conn)
    conn.executemany(
        "INSERT INTO totals (scope, family, models, d30, dall, growth, n30, nall) VALUES (?,?,?,?,?,?,?,?)"
        " ON CONFLICT (scope, family) DO UPDATE SET models = models + excluded.models,"
        " d30 = d30 + excluded.d30, dall = dall + excluded.dall, growth = growth + excluded.growth,"
        " n30 = n30 + excluded.n30, nall = nall + excluded.nall",
        [(scope, family, *acc) for (family, scope), acc in totals.deltas().items()],
    )
    # Growth is in `spans` since v2; the rollups' growth columns are the v1 history, no longer written.
    conn.execute(
        "INSERT INTO rollups (scope, h, family, t, models, d30, dall, growth, n30, nall)"
        " SELECT scope, ?, family, ?, models, d30, dall, growth, n30, nall FROM totals WHERE true"
        " ON CONFLICT (scope, h, family) DO UPDATE SET t = excluded.t, models = excluded.models,"
        " d30 = excluded.d30, dall = excluded.dall, n30 = excluded.n30, nall = excluded.nall",
        (t - t % ROLLUP_BUCKET_S, t),
    )
