"""Stable SQL views for other tools (sqlite3, Python, DuckDB, Datasette), documented in docs/sql.md.

The tables are hfwatch's own and change with the schema; these views are the contract: a column may be
added at the end, none renamed or removed without a major version. The writer creates them when it
opens the file, and re-creates them when VIEWS_VERSION changes (kept in `meta`, apart from the schema
version). There is no `overtakes` view: a pass counts once the new order has held for a day, which plain
SQL over the rollups can state only as an unreadable query; `hfwatch overtakes --format csv` is the way.
"""

from __future__ import annotations

import sqlite3

VIEWS_VERSION = "1"
_META_KEY = "sqlviews.version"

# Days are UTC; `at` is Unix seconds (the last poll of that day); every view is ordered by nothing:
# add ORDER BY where order matters.
VIEWS: dict[str, str] = {
    # Per family x scope x UTC day, the family's totals as of the last poll of the day.
    "family_daily": """
        SELECT day, family, scope, at, models, downloads_30d, downloads_all_time FROM (
            SELECT date(t, 'unixepoch') AS day, family, scope, t AS at, models, d30 AS downloads_30d,
                   dall AS downloads_all_time,
                   row_number() OVER (PARTITION BY family, scope, h / 86400 ORDER BY h DESC) AS k
            FROM rollups)
        WHERE k = 1""",
    # Per country x scope x UTC day: the sum of its families' family_daily rows.
    "country_daily": """
        WITH family_country AS (
            SELECT family, max(country) AS country FROM models WHERE family IS NOT NULL GROUP BY family)
        SELECT d.day, c.country, d.scope, max(d.at) AS at, count(*) AS families, sum(d.models) AS models,
               sum(d.downloads_30d) AS downloads_30d, sum(d.downloads_all_time) AS downloads_all_time
        FROM family_daily d JOIN family_country c ON c.family = d.family
        WHERE c.country IS NOT NULL
        GROUP BY d.day, c.country, d.scope""",
    # Per attributed model x UTC day on which its counters changed (or it was first seen): the counters as of
    # the last such observation that day. A day without a row is a day nothing changed: carry the last row (a model
    # only the deep lane lists has a row on its first change of each week: hfwatch.store.followed).
    "model_daily": """
        SELECT day, id, family, country, at, downloads_30d, downloads_all_time, likes FROM (
            SELECT date(o.t, 'unixepoch') AS day, m.id, m.family, m.country, o.t AS at, o.d30 AS downloads_30d,
                   o.dall AS downloads_all_time, o.likes,
                   row_number() OVER (PARTITION BY o.mid, o.t / 86400 ORDER BY o.t DESC) AS k
            FROM observations o JOIN models m ON m.mid = o.mid
            WHERE m.family IS NOT NULL)
        WHERE k = 1""",
    # Every attributed model whose creation time the Hub gave, with how it was attributed.
    "releases": """
        SELECT id, family, base_family, via, country, created_at, datetime(created_at, 'unixepoch') AS created,
               author, pipeline AS pipeline_tag, library AS library_name, first_seen
        FROM models WHERE family IS NOT NULL AND created_at IS NOT NULL""",
}


def ensure_views(conn: sqlite3.Connection) -> None:
    """Create (or re-create, when VIEWS_VERSION changed) the views; a no-op read when they are current."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_META_KEY,)).fetchone()
    if row is not None and row[0] == VIEWS_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name in VIEWS:
            conn.execute(f"DROP VIEW IF EXISTS {name}")
        for name, sql in VIEWS.items():
            conn.execute(f"CREATE VIEW {name} AS {sql}")
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_META_KEY, VIEWS_VERSION))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
