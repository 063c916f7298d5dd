"""Dashboard queries, storage and maintenance on a synthetic year of history at several model counts."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from bench.history import History
from bench.report import Figure, check
from bench.stats import Samples
from hfwatch.analysis import views
from hfwatch.records import Metric, Scope
from hfwatch.registry import Registry
from hfwatch.store import Store, queries
from hfwatch.store.maintenance import DAY_S, RetentionPolicy, maintain

FEED_WINDOW_S = 7 * DAY_S
P95_BUDGET = "<= 20"
RATIO_BUDGET = "<= 2"
BYTES_BUDGET = "<= 60"
QUERIES = ("leaderboard", "countries", "family_models", "recent_events", "release_shares")


def refresh(conn: sqlite3.Connection, registry: Registry, now: int, family: str,
            samples: dict[str, Samples]) -> None:
    """What one dashboard refresh runs, each part timed."""
    with samples["leaderboard"].measure():
        board = views.leaderboard(conn, registry, scope=Scope.ECOSYSTEM, metric=Metric.DOWNLOADS_30D, now=now)
    with samples["countries"].measure():
        views.countries(conn, registry, scope=Scope.ECOSYSTEM, metric=Metric.DOWNLOADS_30D, now=now,
                        families=board)
    with samples["family_models"].measure():
        views.family_models(conn, family, scope=Scope.ECOSYSTEM, now=now)
    with samples["recent_events"].measure():
        queries.recent_events(conn, now - FEED_WINDOW_S)
    with samples["release_shares"].measure():
        views.release_shares(conn, now=now)


def measure(history: History, registry: Registry, iterations: int) -> dict[str, dict[str, float]]:
    """p50/p95 per query and for the whole refresh, on the UI's kind of connection (read-only, warm)."""
    with Store(history.path, readonly=True) as store:
        warm = {q: Samples() for q in QUERIES}
        for _ in range(3):
            refresh(store.conn, registry, history.now, history.biggest_family, warm)
        samples = {q: Samples() for q in QUERIES}
        total = Samples()
        for _ in range(iterations):
            with total.measure():
                refresh(store.conn, registry, history.now, history.biggest_family, samples)
    out = {q: s.ms() for q, s in samples.items()}
    out["refresh"] = total.ms()
    screen = Samples(wall=[sum(samples[q].wall[i] for q in SCREEN) for i in range(iterations)],
                     cpu=[sum(samples[q].cpu[i] for q in SCREEN) for i in range(iterations)])
    out["dashboard screen"] = screen.ms()
    return out


# What the monitor's dashboard screen itself runs on a refresh (the family's model list is the family
# screen's): reported beside the full list.
SCREEN = ("leaderboard", "countries", "recent_events", "release_shares")


def figures(results: dict[int, dict[str, dict[str, float]]]) -> list[Figure]:
    sizes = sorted(results)
    small, big = sizes[0], sizes[-1]
    out = []
    for n in sizes:
        r = results[n]
        for q in (*QUERIES, "refresh", "dashboard screen"):
            budget = P95_BUDGET if n == big and q in ("refresh", "dashboard screen", "leaderboard") else ""
            out.append(Figure("dashboard", f"{n // 1000}k models: {q} p50 / p95",
                              f"{r[q]['p50_ms']:.1f} / {r[q]['p95_ms']:.1f}", "ms", budget,
                              check(r[q]["p95_ms"], budget) if budget else None))
    for q in (*QUERIES, "refresh", "dashboard screen"):
        ratio = results[big][q]["p95_ms"] / results[small][q]["p95_ms"]
        budget = RATIO_BUDGET if q in ("refresh", "dashboard screen", "leaderboard") else ""
        note = ("refresh = every query of the issue's list (family_models for the biggest family); dashboard "
                "screen = the same without family_models, as the TUI's dashboard reloads; per-query ratios of "
                "sub-millisecond queries are mostly timer noise") if q == "dashboard screen" else ""
        out.append(Figure("dashboard", f"{q} p95 {big // 1000}k/{small // 1000}k", ratio, "x", budget,
                          check(ratio, budget) if budget else None, note))
    return out


def storage(history: History) -> tuple[list[Figure], dict]:
    size = sum(p.stat().st_size for p in (history.path, Path(f"{history.path}-wal")) if p.exists())
    per_day = size / (history.models * history.days)
    with Store(history.path, readonly=True) as store:
        tables = dict(store.conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"))
    obs = tables.get("observations", 0) / max(1, history.observations)
    label = f"{history.models // 1000}k models"
    figs = [Figure("storage", f"{label}: bytes per model-day", per_day, "B", BYTES_BUDGET,
                   check(per_day, BYTES_BUDGET),
                   note=f"{size / 2**20:,.0f} MiB file (WAL checkpointed) / ({history.models:,} models x "
                        f"{history.days} days); {history.observations:,} observations at {obs:.1f} B each")]
    return figs, {"file_bytes": size, "tables": tables, "observations": history.observations}


def maintenance(history: History, scratch: Path) -> tuple[list[Figure], dict]:
    """The daily maintenance run: the next day's, with one day of hourly history ageing into daily rows."""
    copy = scratch / "maint.sqlite"
    shutil.copyfile(history.path, copy)
    # The synthetic year is hourly for its last 7 days; with raw_days = 6 the next day's run thins one of
    # those hourly days, as a default-policy run does every day with a monitor polling hourly.
    policy = RetentionPolicy(raw_days=6, max_seconds=None)
    with Store(copy) as store:
        report = maintain(store.conn, history.now + DAY_S, policy)
    copy.unlink()
    label = f"{history.models // 1000}k models"
    return [
        Figure("maintenance", f"{label}: daily run", report.seconds, "s",
               note=f"{report.observations_deleted:,} observations and {report.rollups_deleted:,} rollups thinned "
                    f"in {report.transactions} transactions"),
        Figure("maintenance", f"{label}: longest transaction", report.longest_transaction_s * 1e3, "ms",
               note="the longest the writer lock is held at a time (readers never wait in WAL mode)"),
    ], {"report": report.__repr__()}
