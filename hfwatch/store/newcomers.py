"""What the store knows of orgs no family claims: their models' counters and trending entries, for the
newcomers panel (which of them to start tracking). Ranking them is `analysis.newcomers`."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OrgActivity:
    """What an org no family claims did in a window: models, downloads, trending entries."""

    org: str
    models: int  # untracked models of the org seen since the window's start
    d30: int | None  # their 30-day downloads; None when none of them reported the counter
    trending: int  # their entries into the trending top N in the window
    best_rank: int | None  # their best trending rank on entry (None: no entry)
    newest: int | None  # the newest creation time among them
    top_model: str | None  # the most downloaded of them


def untracked_orgs(conn: sqlite3.Connection, since: int) -> list[OrgActivity]:
    """Per namespace, its unattributed models seen since `since` and their trending entries since then."""
    rows = conn.execute(
        "WITH m AS (SELECT mid, author, id, d30, created_at FROM models"
        "  WHERE family IS NULL AND author IS NOT NULL AND last_seen >= :since),"
        " ev AS (SELECT mid, count(*) AS n, min(rank) AS best FROM events"
        "  WHERE kind = 'trending' AND t >= :since GROUP BY mid)"
        " SELECT m.author, count(*), sum(m.d30), count(m.d30), coalesce(sum(ev.n), 0), min(ev.best),"
        "  max(m.created_at),"
        "  (SELECT x.id FROM m x WHERE x.author = m.author ORDER BY x.d30 IS NULL, x.d30 DESC, x.id LIMIT 1)"
        " FROM m LEFT JOIN ev ON ev.mid = m.mid GROUP BY m.author",
        {"since": since},
    ).fetchall()
    return [
        OrgActivity(org, n, d30 if reported else None, trending, best, newest, top)
        for org, n, d30, reported, trending, best, newest, top in rows
    ]
