"""Dashboard queries, storage and maintenance on a synthetic year of history at several model counts."""

from __future__ import annotations

import gc
import json
import shutil
import sqlite3
from pathlib import Path

from bench.history import History
from bench.report import Figure, check, summary
from bench.stats import Samples, median
from hfwatch.records import Metric, Scope
from hfwatch.registry import Registry
from hfwatch.store import Store
from hfwatch.store.maintenance import DAY_S, RetentionPolicy, maintain
from hfwatch.tui.reader import Reader
from hfwatch.tui.widgets.sorting import desc

P95_BUDGET = "<= 20"
RATIO_BUDGET = "<= 2"
BYTES_BUDGET = "<= 60"
# What each screen reads when a poll's commit makes it reload, in the order it reads it. The dashboard: the
# leaderboard (the app's), then the screen's countries, feed and release shares. The family screen
# (tui/screens/family.py, default sort): its list from the index, the rates of the rows on screen, its chart's
# two rate series and its newest releases.
DASHBOARD = ("leaderboard", "countries", "recent_events", "release_shares")
FAMILY = ("family_list", "family_page", "family_rates", "family_newest")
QUERIES = (*DASHBOARD, *FAMILY)
SCREENS = {"dashboard screen": DASHBOARD, "family screen": FAMILY}
FAMILY_PAGE_ROWS = 60  # a tall terminal's screenful of the model table
NEWEST_ROWS = 40  # as the family screen's newest list


def dashboard_refresh(reader: Reader, samples: dict[str, Samples]) -> None:
    with samples["leaderboard"].measure():
        board = reader.leaderboard(Scope.ECOSYSTEM, Metric.DOWNLOADS_30D)
    with samples["countries"].measure():
        reader.countries(Scope.ECOSYSTEM, Metric.DOWNLOADS_30D, board)
    with samples["recent_events"].measure():
        reader.events()
    with samples["release_shares"].measure():
        reader.release_shares()


def family_refresh(reader: Reader, family: str, samples: dict[str, Samples]) -> None:
    with samples["family_list"].measure():
        keys = sorted(reader.family_listing(family, Scope.ECOSYSTEM), key=lambda k: (*desc(k.d30), k.id))
    with samples["family_page"].measure():
        reader.model_views([k.mid for k in keys[:FAMILY_PAGE_ROWS]])
    with samples["family_rates"].measure():
        reader.family_rates(family, Scope.ECOSYSTEM)
        reader.family_rates(family, Scope.FIRST_PARTY)
    with samples["family_newest"].measure():
        reader.family_newest(family, NEWEST_ROWS)


class PollWriter:
    """Between two refreshes, what a real poll does to the file: one committed write transaction that
    changes counters of ~1/24 of the models, their observations, and the latest rollups and totals. The
    reader's page cache and anything keyed on the data's version are stale after it, as in use."""

    def __init__(self, path: Path, now: int) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL").fetchall()
        # Its commits checkpoint the WAL (a 24th of the observations' pages each); the fsyncs of those
        # checkpoints (0.7 s a commit at 50k here) change nothing a reader sees and are timed nowhere.
        self.conn.execute("PRAGMA synchronous = OFF")
        self.now = now
        self.polls = 0
        self.mids = [mid for (mid,) in self.conn.execute("SELECT mid FROM models")]

    def commit(self) -> None:
        self.polls += 1
        # This poll's 24th of the models, by row id (a `mid % 24` filter scanned the models table twice per
        # commit: 0.36 s of the quick run's budget each time at 50k, timed nowhere).
        share = (json.dumps(self.mids[self.polls % 24 :: 24]),)
        moved = "mid IN (SELECT value FROM json_each(?))"
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        c.execute(f"UPDATE models SET d30 = d30 + 1, dall = dall + 1 WHERE {moved}", share)
        c.execute(
            "INSERT OR REPLACE INTO observations (mid, t, d30, dall, likes, trend)"
            f" SELECT mid, ?, d30, dall, likes, trend FROM models WHERE {moved}",
            (self.now, *share),
        )
        c.execute("UPDATE rollups SET d30 = d30 + 1, dall = dall + 1 WHERE t = ?", (self.now,))
        c.execute("UPDATE totals SET d30 = d30 + 1, dall = dall + 1")
        c.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def date_growth(path: Path, now: int, days: int = 16) -> None:
    """Give the synthetic year what ingest (schema v2) writes beside it, so the rates are measured on real
    work: a Hub refresh at each daily poll, each family x scope's growth of downloadsAllTime between two of
    them as a span (from the daily rollups), and the last `days` daily observations marked as endpoints
    (the family screen reads a window of 14 days of them, plus the one before)."""
    daily = now % DAY_S
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")  # a scratch copy: nothing to keep safe, nothing timed
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT OR REPLACE INTO refreshes (t, t_lo, changed, relisted, precise, instant)"
            " SELECT t, t - 3600, models, models, 1, t FROM (SELECT DISTINCT t, 1000 AS models"
            " FROM rollups WHERE t % 86400 = ?)",
            (daily,),
        )
        conn.execute(
            "INSERT OR REPLACE INTO spans (scope, family, a, b, credited_t, growth)"
            " SELECT scope, family, a, t, t, max(0, dall - pd) FROM (SELECT scope, family, t, dall,"
            " lag(t) OVER w AS a, lag(dall) OVER w AS pd FROM rollups WHERE t % 86400 = ?"
            " WINDOW w AS (PARTITION BY scope, family ORDER BY t)) WHERE a IS NOT NULL",
            (daily,),
        )
        times = [now - k * DAY_S for k in range(days)]
        conn.execute(
            "UPDATE observations SET asof = t WHERE (mid, t) IN (SELECT m.mid, d.value FROM models m, json_each(?) d)",
            (json.dumps(times),),
        )
        conn.execute("UPDATE models SET ea = ?, ev = dall", (now,))
        conn.execute("COMMIT")
    finally:
        conn.close()


def measure(path: Path, history: History, registry: Registry, iterations: int) -> dict[str, dict[str, float]]:
    """p50/p95 per query and per screen, on the UI's kind of connection (read-only) through the screens'
    reader, a committed write before each screen's reload (as a poll makes the screen on show reload).
    `path`: a copy of the history's file (it is written to)."""
    writer = PollWriter(path, history.now)
    # As the monitor does once started (hfwatch.gcpause.end_start_pause): what the process held before is out of
    # the collector's sight. Here that was the bench's own (the sections before, the years): a full collection
    # walking it took 40 ms of one reload in two of three quick runs' repeats, and none of a monitor's.
    gc.collect()
    gc.freeze()
    try:
        with Store(path, readonly=True) as store:
            reader = Reader(store, registry, lambda: history.now)
            # The reader's first two reloads are timed apart, so that the p95 is that of the reloads after a poll
            # in a running monitor: the first seeks only the points it shows (the monitor's first paint), the
            # second reads the rollup window it keeps from then on (hfwatch.store.rollcache). Timed among the
            # others, that one-off reload was the p95 of a quick run's 10 reloads and not of a full run's 40.
            first = {q: Samples() for q in QUERIES}
            second = {q: Samples() for q in QUERIES}
            for once in (first, second):
                writer.commit()
                dashboard_refresh(reader, once)
            samples = {q: Samples() for q in QUERIES}
            for _ in range(iterations):
                writer.commit()
                dashboard_refresh(reader, samples)
                writer.commit()
                family_refresh(reader, history.biggest_family, samples)
    finally:
        writer.close()
        gc.unfreeze()
    out = {q: s.ms() for q, s in samples.items()}
    for name, once in ((FIRST, first), (SECOND, second)):
        out[name] = Samples(
            wall=[sum(once[q].wall[0] for q in DASHBOARD)], cpu=[sum(once[q].cpu[0] for q in DASHBOARD)]
        ).ms()
    for name, parts in {**SCREENS, "refresh": QUERIES}.items():
        out[name] = _summed(samples, parts, iterations).ms()
    return out


def _summed(samples: dict[str, Samples], parts: tuple[str, ...], iterations: int) -> Samples:
    """Per reload, the time of `parts` together."""
    return Samples(
        wall=[sum(samples[q].wall[i] for q in parts) for i in range(iterations)],
        cpu=[sum(samples[q].cpu[i] for q in parts) for i in range(iterations)],
    )


def repeated(
    histories: dict[int, History], registry: Registry, iterations: int, reps: int, scratch: Path
) -> tuple[list[Figure], dict]:
    """`reps` repeats, sizes interleaved within each so a ratio pairs runs close in time; on one copy of
    each year (the commits of the repeats add up to a few hours' polls: nothing the year notices)."""
    results: dict[int, list[dict[str, dict[str, float]]]] = {n: [] for n in histories}
    copies = {n: scratch / f"dash-{n}.sqlite" for n in histories}
    try:
        for n, h in histories.items():
            shutil.copyfile(h.path, copies[n])
            date_growth(copies[n], h.now)
        for _ in range(reps):
            for n, h in sorted(histories.items()):
                results[n].append(measure(copies[n], h, registry, iterations))
    finally:
        for f in scratch.glob("dash-*.sqlite*"):
            f.unlink()
    return figures(results, iterations), {"ms": results}


BUDGETED = ("dashboard screen", "family screen", "leaderboard")
FIRST = "dashboard screen, first reload"
SECOND = "dashboard screen, second reload"
FIGURES = (*QUERIES, *SCREENS, "refresh", FIRST, SECOND)


def figures(results: dict[int, list[dict[str, dict[str, float]]]], iterations: int) -> list[Figure]:
    sizes = sorted(results)
    small, big = sizes[0], sizes[-1]
    out = []
    for n in sizes:
        for q in FIGURES:
            budget = P95_BUDGET if n == big and q in BUDGETED else ""
            p50 = median([r[q]["p50_ms"] for r in results[n]])
            out.append(
                summary(
                    "dashboard",
                    f"{n // 1000}k models: {q} p95",
                    [r[q]["p95_ms"] for r in results[n]],
                    "ms",
                    budget,
                    note=f"p50 {p50:.1f} ms; p95 of {iterations} reloads per repeat, a commit before each"
                    if q in BUDGETED or q == "refresh"
                    else "",
                )
            )
    for q in FIGURES:
        ratios = [b[q]["p95_ms"] / s[q]["p95_ms"] for b, s in zip(results[big], results[small], strict=True)]
        budget = RATIO_BUDGET if q in BUDGETED else ""
        note = (
            (
                "dashboard screen = leaderboard + countries + recent_events + release_shares, as the dashboard "
                "reloads; family screen = family_list + family_page (rates of the first "
                f"{FAMILY_PAGE_ROWS} rows) + family_rates (both scopes) + family_newest, for the biggest family, "
                "as the family screen reloads; refresh = both; each repeat's ratio pairs the two sizes measured "
                "back to back; per-query ratios of sub-millisecond queries are mostly timer noise"
            )
            if q == "dashboard screen"
            else ""
        )
        out.append(summary("dashboard", f"{q} p95 {big // 1000}k/{small // 1000}k", ratios, "x", budget, note))
    return out


def storage(history: History) -> tuple[list[Figure], dict]:
    size = sum(p.stat().st_size for p in (history.path, Path(f"{history.path}-wal")) if p.exists())
    per_day = size / (history.models * history.days)
    with Store(history.path, readonly=True) as store:
        tables = dict(store.conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"))
    obs = tables.get("observations", 0) / max(1, history.observations)
    label = f"{history.models // 1000}k models"
    figs = [
        Figure(
            "storage",
            f"{label}: bytes per model-day",
            per_day,
            "B",
            BYTES_BUDGET,
            check(per_day, BYTES_BUDGET),
            note=f"one build, deterministic: {size / 2**20:,.0f} MiB file (WAL checkpointed) / "
            f"({history.models:,} models x "
            f"{history.days} days); {history.observations:,} observations at {obs:.1f} B each",
        )
    ]
    return figs, {"file_bytes": size, "tables": tables, "observations": history.observations}


def maintenance(history: History, scratch: Path, reps: int) -> tuple[list[Figure], dict]:
    """The daily maintenance run: the next day's, with one day of hourly history ageing into daily rows;
    each repeat on a fresh copy of the year (the run changes the file)."""
    # The synthetic year is hourly for its last 7 days; with raw_days = 6 the next day's run thins one of
    # those hourly days, as a default-policy run does every day with a monitor polling hourly.
    policy = RetentionPolicy(raw_days=6, max_seconds=None)
    reports = []
    for _ in range(reps):
        copy = scratch / "maint.sqlite"
        shutil.copyfile(history.path, copy)
        try:
            with Store(copy) as store:
                reports.append(maintain(store.conn, history.now + DAY_S, policy))
        finally:
            for f in scratch.glob("maint.sqlite*"):
                f.unlink()
    label = f"{history.models // 1000}k models"
    last = reports[-1]
    return [
        summary(
            "maintenance",
            f"{label}: daily run",
            [r.seconds for r in reports],
            "s",
            note=f"{last.observations_deleted:,} observations and {last.rollups_deleted:,} rollups thinned "
            f"in {last.transactions} transactions",
        ),
        summary(
            "maintenance",
            f"{label}: longest transaction",
            [r.longest_transaction_s * 1e3 for r in reports],
            "ms",
            note="the longest the writer lock is held at a time (readers never wait in WAL mode)",
        ),
    ], {"reports": [repr(r) for r in reports]}
