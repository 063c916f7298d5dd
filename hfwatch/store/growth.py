"""Reads of dated growth: the refreshes seen, each family's spans and each model's endpoints."""

from __future__ import annotations

import json
import sqlite3

from hfwatch.store.jsonrows import json_rows
from hfwatch.store.refresh import FULL_MIN_SHARE


def endpoints(
    conn: sqlite3.Connection, mids: list[int], since: int, until: int
) -> dict[int, list[tuple[int, int, int]]]:
    """(asof, downloadsAllTime, t) of each model's endpoints stored by `until` with asof >= `since`, plus the
    last one before it (where the first interval in the window starts), oldest first."""
    out: dict[int, list[tuple[int, int, int]]] = {}
    # Both reads stay inside the endpoints' partial index: a model's observations between two endpoints are
    # never visited, however many there are (or however far back the last endpoint before `since` lies).
    rows = json_rows(
        conn,
        "o.mid, o.asof, o.dall, o.t",
        "FROM json_each(?) j CROSS JOIN observations o INDEXED BY observations_endpoints"
        " ON o.mid = j.value AND o.t >= coalesce((SELECT p.t FROM observations p"
        " INDEXED BY observations_endpoints WHERE p.mid = j.value"
        " AND p.asof < ? AND p.t <= ? ORDER BY p.t DESC LIMIT 1), 0)"
        " WHERE o.asof IS NOT NULL AND o.dall IS NOT NULL AND o.t <= ? ORDER BY o.mid, o.t",
        (json.dumps(mids), since, until, until),
    )
    for mid, asof, dall, t in rows:
        out.setdefault(mid, []).append((asof, dall, t))
    return out


def refresh_instants(conn: sqlite3.Connection, until: int, since: int | None = None) -> list[int]:
    """The instants of the full Hub refreshes seen by polls at or before `until`, oldest first: the observed
    horizons of the rates. A partial refresh is left out: most counters have not reached it yet. With `since`,
    only those from the last one before `since` on: the horizons of times from `since` on."""
    full = "t <= :until AND instant IS NOT NULL AND changed >= :share * relisted"
    lower = (
        ""
        if since is None
        else f" AND instant >= coalesce((SELECT instant FROM refreshes INDEXED BY refreshes_instant WHERE {full}"
        " AND instant < :since ORDER BY instant DESC LIMIT 1), :since)"
    )
    return [
        r[0]
        for r in conn.execute(
            f"SELECT DISTINCT instant FROM refreshes WHERE {full}{lower} ORDER BY instant",
            {"until": until, "share": FULL_MIN_SHARE, "since": since},
        )
    ]


def spans(
    conn: sqlite3.Connection, scope: str, until: int, family: str | None = None, since: int = 0
) -> dict[str, tuple[int, list[tuple[int, int, int, int]]]]:
    """Per family, where its coverage starts (its first span's start) and (a, b, growth, credited_t) of the
    spans credited by `until` that end after `since`, by b (then a, credited_t)."""
    # The families by a skip-scan of the key, then per family a seek for its start and a range of its recent
    # spans: a year of spans is never read to draw two weeks.
    # One family (a family screen's chart) is its own list of families: no walk over the others.
    families = (
        "WITH RECURSIVE fam(family) AS (SELECT (SELECT min(family) FROM spans WHERE scope = :scope)"
        " UNION ALL SELECT (SELECT min(family) FROM spans WHERE scope = :scope AND family > fam.family) FROM fam"
        " WHERE fam.family IS NOT NULL)"
        if family is None
        else "WITH fam(family) AS (SELECT :family)"
    )
    starts = conn.execute(
        families + " SELECT family, start FROM (SELECT family, (SELECT a FROM spans INDEXED BY spans_start"
        " WHERE scope = :scope AND family = fam.family AND credited_t <= :until ORDER BY a LIMIT 1) AS start FROM fam"
        " WHERE family IS NOT NULL) WHERE start IS NOT NULL",
        {"scope": scope, "until": until, "family": family},
    ).fetchall()
    out: dict[str, tuple[int, list[tuple[int, int, int, int]]]] = {fam: (a, []) for fam, a in starts}
    for fam, a, b, growth, credited in json_rows(
        conn,
        "s.family, s.a, s.b, s.growth, s.credited_t",
        "FROM json_each(?) f CROSS JOIN spans s ON s.scope = ? AND s.family = f.value AND s.b > ?"
        " WHERE s.credited_t <= ? ORDER BY s.family, s.b, s.a, s.credited_t",
        (json.dumps(list(out)), scope, since, until),
    ):
        out[fam][1].append((a, b, growth, credited))
    return out


def first_count_instant(conn: sqlite3.Connection, created_at: int) -> int | None:
    """The first refresh the polls saw at or after `created_at`: when the Hub first counted a model created
    then. None while no such refresh has been seen."""
    row = conn.execute("SELECT min(instant) FROM refreshes WHERE instant >= ?", (created_at,)).fetchone()
    return row[0] if row else None


def last_refresh_instant(conn: sqlite3.Connection, at: int | None = None) -> int | None:
    """When the Hub last counted downloads (up to `at`, when given), as far as the polls saw: a model created
    after it has counters the Hub has not computed yet (they read 0 until its next daily refresh). None before
    any refresh was seen."""
    if at is None:
        row = conn.execute("SELECT max(instant) FROM refreshes").fetchone()
    else:
        row = conn.execute("SELECT max(instant) FROM refreshes WHERE instant <= ?", (at,)).fetchone()
    return row[0] if row else None


def refresh_after(conn: sqlite3.Connection, at: float) -> bool:
    """Whether the polls have seen a full Hub refresh after the one they had seen by `at`: what the deep walk
    that ended at `at` has not dated for its own models yet (`hfwatch.analysis.family_rates`)."""
    full = "instant IS NOT NULL AND changed >= :share * relisted"
    row = conn.execute(
        f"SELECT EXISTS (SELECT 1 FROM refreshes WHERE {full} AND instant >"
        f" coalesce((SELECT max(instant) FROM refreshes WHERE {full} AND t <= :at), -1))",
        {"share": FULL_MIN_SHARE, "at": at},
    ).fetchone()
    return bool(row[0])
