"""The core commands: poll, top, families, db info, and launching the monitor."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hfwatch.cli.main import EXIT_FAIL, EXIT_OK, CliError
from hfwatch.cli.output import human, percent, write_csv, write_json, write_table
from hfwatch.paths import default_db
from hfwatch.records import Lane, Metric, Scope
from hfwatch.registry import Registry, default_user_registry_path, load_registry

WINDOWS = {"24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400}
DEMO_STEP_S = 3600  # each `poll --demo` moves the simulated Hub one slow interval past the history


def resolve_db(args: argparse.Namespace) -> Path:
    if getattr(args, "db", None):
        return Path(args.db).expanduser()
    return default_db(demo=bool(getattr(args, "demo", False)))


def registry_in_force() -> Registry:
    """The bundled registry with the user's file merged on top: the config's `registry_file` when set
    (it replaces the default user file, it is not merged with it), else the default user registry."""
    from hfwatch.config import load_config

    config = load_config()
    return load_registry(Path(config.registry_file) if config.registry_file else default_user_registry_path())


def iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def reading(db: Path) -> Iterator[None]:
    """SQLite errors met while reading (a damaged page, an I/O error) as one line naming the file."""
    from hfwatch.store.db import sqlite_failure

    try:
        yield
    except sqlite3.Error as err:
        raise sqlite_failure(db, err, doing="reading it", outcome="hfwatch left it untouched") from None


def _history_time(db: Path) -> int | None:
    from hfwatch.analysis.views import data_time
    from hfwatch.store import Store

    if not db.exists():
        return None
    with reading(db), Store(db, readonly=True) as store:
        return data_time(store.conn)


# -- poll -------------------------------------------------------------------------------------------

def cmd_poll(args: argparse.Namespace) -> int:
    from hfwatch.config import load_config
    from hfwatch.engine import Poller
    from hfwatch.hub.client import HubClient, is_offline
    from hfwatch.store import Store, WriterLock

    db = resolve_db(args)
    registry = registry_in_force()
    reuploaders = load_config().include_reuploaders
    if is_offline() and not args.demo:
        raise CliError("HF_HUB_OFFLINE is set: not polling (unset it, or use --demo)")
    history_t = _history_time(db)  # also refuses a bad file before any request is spent
    lock = WriterLock(db)
    if not lock.acquire():
        raise CliError(f"{db}: another hfwatch (pid {lock.holder()}) is writing to this file; "
                       "press r in that monitor to poll now")
    hub = None
    try:
        if args.demo:
            from hfwatch.demo import start_demo_hub

            start = max(time.time(), (history_t or 0) + DEMO_STEP_S)
            hub = start_demo_hub(start=start, speed=1.0)
            client = HubClient(hub.url, token=False)
            poller = Poller(client, registry, clock=hub.clock.now, include_reuploaders=reuploaders)
        else:
            client = HubClient()
            poller = Poller(client, registry, include_reuploaders=reuploaders)
        lanes = [Lane.FAST, Lane.SLOW] if args.lane == "all" else [Lane(args.lane)]
        failures: list[str] = []
        store: Store | None = None
        try:
            for lane in lanes:
                result = poller.fetch(lane, deadline_s=args.deadline)
                fetched = result.ok
                if result.ok or result.stats.responses:
                    store = store or Store(db)
                    outcome = poller.save(store, result)
                else:
                    outcome = None
                if result.ok and outcome is not None and outcome.summary is not None:
                    print(_summary_line(result, outcome.summary))
                    continue
                failures.append(f"{lane.value} poll failed: {result.error}")
                if result.stats.responses == 0 or fetched:
                    # The Hub did not answer at all, or the file would not take the poll (damaged,
                    # disk full): the next lane would not fare better, so spend no more requests.
                    break
        finally:
            if store is not None:
                store.close()
    finally:
        lock.release()
        if hub is not None:
            hub.stop()
    if failures:
        hint = "" if args.demo else " (is the Hub reachable? check HF_ENDPOINT, or try --demo)"
        print(f"hfwatch: error: {failures[0]}{hint if 'connect' in failures[0] else ''}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _summary_line(result: Any, summary: Any) -> str:
    s = result.stats
    budget = f" · api {s.rate_remaining}/{s.rate_limit} left" if s.rate_remaining is not None else ""
    return (f"{result.lane.value} poll ok: {summary.models:,} models ({summary.new_models:,} new, "
            f"{summary.changed:,} changed, {summary.events} feed events) · {s.requests} requests · "
            f"{s.bytes / 1e6:.2f} MB · {result.finished - result.started:.1f} s{budget}")


# -- top --------------------------------------------------------------------------------------------

def cmd_top(args: argparse.Namespace) -> int:
    from hfwatch.analysis import views
    from hfwatch.store import Store

    registry = registry_in_force()
    if args.family and args.family not in registry:
        raise CliError(f"unknown family {args.family!r}; `hfwatch families` lists them")
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be at least 1")
    db = resolve_db(args)
    window = WINDOWS[args.window]
    with reading(db), Store(db, readonly=True) as store:
        now = views.data_time(store.conn) or int(time.time())
        if args.by == "model" or args.family:
            rows = _model_rows(store.conn, args, now, window)
        else:
            fams = views.leaderboard(store.conn, registry, scope=args.scope, metric=args.metric, now=now,
                                     rate_window_s=window)
            if args.by == "family":
                rows = [_family_dict(f) for f in fams]
            else:
                rows = [_country_dict(c) for c in views.countries(store.conn, registry, scope=args.scope,
                                                                  metric=args.metric, now=now, families=fams)]
    if args.limit is not None:
        rows = rows[: args.limit]
    if args.format == "json":
        write_json(rows)
    elif args.format == "csv":
        write_csv(rows)
    else:
        print(f"{args.by} leaderboard · scope {args.scope} · metric {args.metric}"
              f"{' (' + args.window + ' window)' if args.metric == 'rate' else ''} · as of {iso(now)}")
        _print_table(args.by if not args.family else "model", rows)
    return EXIT_OK


def _family_dict(f: Any) -> dict[str, Any]:
    return {"rank": f.rank, "rank_change": f.rank_change, "family": f.family, "name": f.name,
            "country": f.country, "region": f.region, "downloads_30d": f.downloads_30d,
            "downloads_all_time": f.downloads_all_time, "rate_per_day": _round(f.rate_per_day),
            "share": _round(f.share, 6), "models": f.models, "newest_release": iso(f.newest_release),
            "scope": f.scope, "metric": f.metric}


def _country_dict(c: Any) -> dict[str, Any]:
    return {"rank": c.rank, "country": c.country, "region": c.region, "downloads_30d": c.downloads_30d,
            "downloads_all_time": c.downloads_all_time, "rate_per_day": _round(c.rate_per_day),
            "share": _round(c.share, 6), "models": c.models, "families": ",".join(c.families),
            "new_release_share": _round(c.release_share, 6), "scope": c.scope, "metric": c.metric}


def _round(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)


def _model_rows(conn: Any, args: argparse.Namespace, now: int, window: int) -> list[dict[str, Any]]:
    from hfwatch.analysis import views
    from hfwatch.store import queries

    limit = args.limit or 50
    order = "downloads_all_time" if args.metric == Metric.DOWNLOADS_ALL_TIME else "downloads_30d"
    if args.family:
        rows = queries.family_models(conn, args.family, first_party_only=args.scope == Scope.FIRST_PARTY)
    else:
        # For the rate, rank a wider pool by 30-day downloads first: rates need each model's history.
        pool = limit if args.metric != Metric.RATE else max(limit * 10, 500)
        rows = queries.top_models(conn, first_party_only=args.scope == Scope.FIRST_PARTY, order=order, limit=pool)
    if args.metric == Metric.DOWNLOADS_ALL_TIME:
        rows.sort(key=lambda r: r.dall or 0, reverse=True)
    if args.metric != Metric.RATE:
        rows = rows[:limit]
    mviews = views.model_views(conn, rows, now=now, rate_window_s=window, spark_points=1)
    if args.metric == Metric.RATE:
        mviews.sort(key=lambda v: v.rate_per_day if v.rate_per_day is not None else -1, reverse=True)
    out = []
    for rank, v in enumerate(mviews[:limit], start=1):
        r = v.row
        out.append({"rank": rank, "id": r.id, "family": r.family, "base_family": r.base_family, "via": r.via,
                    "publisher_family": r.publisher_family, "country": r.country, "downloads_30d": r.d30,
                    "downloads_all_time": r.dall, "rate_per_day": _round(v.rate_per_day), "likes": r.likes,
                    "trending_score": r.trend, "created_at": iso(r.created_at), "pipeline_tag": r.pipeline,
                    "scope": args.scope})
    return out


def _print_table(by: str, rows: list[dict[str, Any]]) -> None:
    if by == "model":
        headers = ["#", "model", "family", "via", "cc", "30d dl", "all-time", "/day", "likes", "created"]
        cells = [[str(r["rank"]), r["id"], r["family"] or "–", r["via"] or "–", r["country"] or "–",
                  human(r["downloads_30d"]), human(r["downloads_all_time"]), human(r["rate_per_day"]),
                  human(r["likes"]), (r["created_at"] or "–")[:10]] for r in rows]
        right = [True, False, False, False, False, True, True, True, True, False]
    elif by == "country":
        headers = ["#", "cc", "region", "30d dl", "all-time", "/day", "share", "models", "new releases"]
        cells = [[str(r["rank"]), r["country"], r["region"], human(r["downloads_30d"]),
                  human(r["downloads_all_time"]), human(r["rate_per_day"]), percent(r["share"]),
                  f"{r['models']:,}", percent(r["new_release_share"])] for r in rows]
        right = [True, False, False, True, True, True, True, True, True]
    else:
        headers = ["#", "Δ", "family", "cc", "30d dl", "all-time", "/day", "share", "models"]
        cells = [[str(r["rank"]), _delta(r["rank_change"]), r["name"], r["country"], human(r["downloads_30d"]),
                  human(r["downloads_all_time"]), human(r["rate_per_day"]), percent(r["share"]),
                  f"{r['models']:,}"] for r in rows]
        right = [True, True, False, False, True, True, True, True, True]
    write_table(headers, cells, right=right)


def _delta(change: int | None) -> str:
    if not change:
        return "–"
    return f"▲{change}" if change > 0 else f"▼{-change}"


# -- families, db info ------------------------------------------------------------------------------

def cmd_families(args: argparse.Namespace) -> int:
    registry = registry_in_force()
    rows: list[dict[str, Any]] = [
        {"family": f.id, "name": f.name, "developer": f.developer, "country": f.country, "region": f.region,
         "orgs": [o.name for o in f.orgs if not o.legacy], "legacy_orgs": [o.name for o in f.orgs if o.legacy],
         "patterns": list(f.patterns), "exclude": list(f.exclude)} for f in registry.families]
    if args.format == "json":
        write_json(rows)
        return EXIT_OK
    print(f"{len(rows)} families · from {', '.join(registry.sources)}")
    write_table(["id", "name", "developer", "cc", "region", "orgs"],
                [[r["family"], r["name"], r["developer"], r["country"], r["region"],
                  ", ".join(r["orgs"] + [f"({o})" for o in r["legacy_orgs"]])] for r in rows], max_width=60)
    return EXIT_OK


def cmd_db(args: argparse.Namespace) -> int:
    from hfwatch.store import Store, queries
    from hfwatch.store.schema import SCHEMA_VERSION

    db = resolve_db(args)
    with reading(db), Store(db, readonly=True) as store:
        c = queries.counts(store.conn)
        last = queries.last_poll(store.conn)
        size = store.file_size()
        version = store.conn.execute("PRAGMA user_version").fetchone()[0]
    print(f"path          {db}")
    print(f"size          {size:,} bytes")
    print(f"schema        {version} (this hfwatch: {SCHEMA_VERSION})")
    print(f"models        {c['models']:,}")
    print(f"observations  {c['observations']:,}")
    print(f"polls         {c['polls']:,} ({c['failed_polls']:,} failed)")
    print(f"time span     {iso(c['first_observation']) or '–'} → {iso(c['last_observation']) or '–'}")
    if last is not None:
        print(f"last poll     {last.lane} {last.status} at {iso(last.finished)}"
              + (f": {last.error}" if last.error else ""))
    return EXIT_OK


# -- the monitor ------------------------------------------------------------------------------------

def run_monitor(args: argparse.Namespace) -> int:
    from hfwatch.tui.launch import launch

    return launch(db=resolve_db(args), demo=args.demo, offline=args.offline, registry=registry_in_force())
