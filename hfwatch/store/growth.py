"""Reads of dated growth: the refreshes seen, each family's spans and each model's endpoints."""

from __future__ import annotations

import json
import sqlite3

from hfwatch.store.queries import _rows
from hfwatch.store.refresh import FULL_MIN_SHARE


def endpoints(conn: sqlite3.Connection, mids: list[int], since: int,
              until: int) -> dict[int, list[tuple[int, int, int]]]:
    """(asof, downloadsAllTime, t) of each model's endpoints stored by `until` with asof >= `since`, plus the
    last one before it (where the first interval in the window starts), oldest first."""
    out: dict[int, list[tuple[int, int, int]]] = {}
    rows = _rows(conn, "o.mid, o.asof, o.dall, o.t",
                 "FROM json_each(?) j CROSS JOIN observations o"
                 " ON o.mid = j.value AND o.t >= coalesce((SELECT p.t FROM observations p WHERE p.mid = j.value"
                 " AND p.asof < ? AND p.t <= ? ORDER BY p.t DESC LIMIT 1), 0)"
                 " WHERE o.asof IS NOT NULL AND o.dall IS NOT NULL AND o.t <= ? ORDER BY o.mid, o.t",
                 (json.dumps(mids), since, until, until))
    for mid, asof, dall, t in rows:
        out.setdefault(mid, []).append((asof, dall, t))
    return out


def refresh_instants(conn: sqlite3.Connection, until: int) -> list[int]:
    """The instants of the full Hub refreshes seen by polls at or before `until`, oldest first: the observed
    horizons of the rates. A partial refresh is left out: most counters have not reached it yet."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT instant FROM refreshes WHERE t <= ? AND instant IS NOT NULL AND changed >= ? * relisted"
        " ORDER BY instant", (until, FULL_MIN_SHARE))]


def spans(conn: sqlite3.Connection, scope: str, until: int, family: str | None = None,
          since: int = 0) -> dict[str, tuple[int, list[tuple[int, int, int, int]]]]:
    """Per family, where its coverage starts (its first span's start) and (a, b, growth, credited_t) of the
    spans credited by `until` that end after `since`."""
    where, args = "scope = ? AND credited_t <= ?", [scope, until]
    if family is not None:
        where += " AND family = ?"
        args.append(family)
    out: dict[str, tuple[int, list[tuple[int, int, int, int]]]] = {}
    for fam, a in conn.execute(f"SELECT family, min(a) FROM spans WHERE {where} GROUP BY family", args):
        out[fam] = (a, [])
    for fam, a, b, growth, credited in _rows(conn, "family, a, b, growth, credited_t",
                                             f"FROM spans WHERE {where} AND b > ? ORDER BY b", (*args, since)):
        out[fam][1].append((a, b, growth, credited))
    return out


def last_refresh_time(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT max(t) FROM refreshes").fetchone()
    return row[0] if row else None
