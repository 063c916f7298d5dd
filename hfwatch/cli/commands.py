"""The core commands: poll, top, families, db info, and launching the monitor."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from hfwatch.cli.command import Command, db_arg, demo_arg
from hfwatch.cli.common import checked_registry, iso, reading, registry_in_force, resolve_db
from hfwatch.cli.errors import EXIT_FAIL, EXIT_OK, CliError
from hfwatch.cli.rows import WINDOWS, country_row, family_row, model_row, ranked_models
from hfwatch.numfmt import human, percent
from hfwatch.timeunits import HOUR_S

DEMO_STEP_S = HOUR_S  # each `poll --demo` moves the simulated Hub one slow interval past the history


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
    from hfwatch.hub.client import is_offline
    from hfwatch.pollsource import PollSource, open_poll_source
    from hfwatch.records import Lane
    from hfwatch.store import Store, WriterLock

    db = resolve_db(args)
    registry = registry_in_force()
    config = load_config()
    reuploaders = config.include_reuploaders
    if is_offline() and not args.demo:
        raise CliError("HF_HUB_OFFLINE is set: not polling (unset it, or use --demo)")
    history_t = _history_time(db)  # also refuses a bad file before any request is spent
    lock = WriterLock(db)
    if not lock.acquire():
        raise CliError(
            f"{db}: another hfwatch (pid {lock.holder()}) is writing to this file; press r in that monitor to poll now"
        )
    source: PollSource | None = None
    try:
        source = open_poll_source(
            registry, demo=args.demo, include_reuploaders=reuploaders, history_t=history_t, resume_gap_s=DEMO_STEP_S
        )
        poller = source.poller
        if args.lane == "deep":
            floor = args.deep_floor if args.deep_floor is not None else config.deep_floor
            return _poll_deep(poller, db, floor, args.deadline)
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
        if source is not None:
            source.stop()
    if failures:
        hint = "" if args.demo else " (is the Hub reachable? check HF_ENDPOINT, or try --demo)"
        print(f"hfwatch: error: {failures[0]}{hint if 'connect' in failures[0] else ''}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _poll_deep(poller: Any, db: Path, floor: int, deadline: float | None) -> int:
    """One run of the deep lane: walks (or resumes) down to `floor`, prints one line; 0 unless it failed."""
    from hfwatch.deep import walk_deep
    from hfwatch.store import Store

    with Store(db) as store:
        outcome = walk_deep(poller, store, floor=floor, deadline_s=deadline)
    print(_deep_line(outcome))
    if not outcome.ok:
        print(f"hfwatch: error: deep walk {outcome.status}: {outcome.reason}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _deep_line(outcome: Any) -> str:
    s, walk = outcome.stats, outcome.walk
    head = {
        "done": "deep walk done",
        "paused": "deep walk paused",
        "cancelled": "deep walk cancelled",
        "failed": "deep walk failed",
    }[outcome.status]
    if walk is None:
        return f"{head}: nothing walked"
    lowest = human(walk.lowest) if walk.lowest is not None else "–"
    budget = f" · api {s.rate_remaining}/{s.rate_limit} left" if s.rate_remaining is not None else ""
    line = (
        f"{head}: {outcome.walked:,} models walked this run ({walk.walked:,} in this walk"
        f"{', resumed' if outcome.resumed else ''}; down to {lowest} 30-day downloads, floor {walk.floor:,})"
        f" · coverage {percent(walk.coverage)} of walked 30-day downloads in tracked families"
        f" · {s.requests} requests ({walk.requests} in this walk) · {s.elapsed_s:.1f} s{budget}{_unusable(s)}"
    )
    if outcome.status == "paused":
        line += f" · stopped to resume later ({outcome.reason}); `hfwatch poll --lane deep` resumes"
    return line


def _summary_line(result: Any, summary: Any) -> str:
    s = result.stats
    budget = f" · api {s.rate_remaining}/{s.rate_limit} left" if s.rate_remaining is not None else ""
    return (
        f"{result.lane.value} poll ok: {summary.models:,} models ({summary.new_models:,} new, "
        f"{summary.changed:,} changed, {summary.events} feed events) · {s.requests} requests · "
        f"{s.bytes / 1e6:.2f} MB · {s.elapsed_s:.1f} s{budget}{_unusable(s)}"
    )


def _unusable(s: Any) -> str:
    """What the parser could not use: bad records were skipped, bad fields stored as unknown."""
    parts = [f"{s.skipped:,} bad record{'s' if s.skipped != 1 else ''} skipped"] if s.skipped else []
    if s.bad_fields:
        parts.append(f"{s.bad_fields:,} bad field{'s' if s.bad_fields != 1 else ''} stored as unknown")
    return "".join(f" · {p}" for p in parts)


# -- top --------------------------------------------------------------------------------------------


def cmd_top(args: argparse.Namespace) -> int:
    from hfwatch.analysis import views
    from hfwatch.cli.export import parse_at
    from hfwatch.cli.output import write_csv, write_json
    from hfwatch.store import Store

    registry = checked_registry(args)
    db = resolve_db(args)
    window = WINDOWS[args.window]
    at = parse_at(getattr(args, "at", None), "top")
    with reading(db), Store(db, readonly=True) as store:
        last = views.data_time(store.conn)
        now = at if at is not None else (last or int(time.time()))
        if args.by == "model" or args.family:
            limit = args.limit or 50
            # For the rate, rank a wider pool by 30-day downloads first: rates need each model's history.
            ranked = ranked_models(
                store.conn,
                scope=args.scope,
                metric=args.metric,
                now=now,
                window_s=window,
                family=args.family,
                limit=limit,
                rate_pool=max(limit * 10, 500),
            )
            rows = [model_row(rank, v, args.scope) for rank, v in enumerate(ranked, start=1)]
        else:
            fams = views.leaderboard(
                store.conn, registry, scope=args.scope, metric=args.metric, now=now, rate_window_s=window
            )
            if args.by == "family":
                rows = [family_row(f) for f in fams]
            else:
                rows = [
                    country_row(c)
                    for c in views.countries(
                        store.conn, registry, scope=args.scope, metric=args.metric, now=now, families=fams
                    )
                ]
    if args.limit is not None:
        rows = rows[: args.limit]
    if args.format == "json":
        write_json(rows)
    elif args.format == "csv":
        write_csv(rows)
    else:
        if last is None:
            print("no poll yet: every number is unknown (–) until `hfwatch poll` or the monitor has run")
        print(
            f"{args.by} leaderboard · scope {args.scope} · metric {args.metric}"
            f"{' (' + args.window + ' window)' if args.metric == 'rate' else ''} · as of {iso(now)}"
        )
        _print_table(args.by if not args.family else "model", rows)
    return EXIT_OK


def _print_table(by: str, rows: list[dict[str, Any]]) -> None:
    from hfwatch.cli.output import write_table

    if by == "model":
        headers = ["#", "model", "family", "via", "cc", "30d dl", "all-time", "/day", "likes", "created"]
        cells = [
            [
                str(r["rank"]),
                r["id"],
                r["family"] or "–",
                r["via"] or "–",
                r["country"] or "–",
                human(r["downloads_30d"]),
                human(r["downloads_all_time"]),
                human(r["rate_per_day"]),
                human(r["likes"]),
                (r["created_at"] or "–")[:10],
            ]
            for r in rows
        ]
        right = [True, False, False, False, False, True, True, True, True, False]
    elif by == "country":
        headers = ["#", "cc", "region", "30d dl", "all-time", "/day", "share", "models", "new releases"]
        cells = [
            [
                str(r["rank"]),
                r["country"],
                r["region"],
                human(r["downloads_30d"]),
                human(r["downloads_all_time"]),
                human(r["rate_per_day"]),
                percent(r["share"]),
                f"{r['models']:,}",
                percent(r["new_release_share"]),
            ]
            for r in rows
        ]
        right = [True, False, False, True, True, True, True, True, True]
    else:
        headers = ["#", "Δ", "family", "cc", "30d dl", "all-time", "/day", "share", "models"]
        cells = [
            [
                str(r["rank"]),
                _delta(r["rank_change"]),
                r["name"],
                r["country"],
                human(r["downloads_30d"]),
                human(r["downloads_all_time"]),
                human(r["rate_per_day"]),
                percent(r["share"]),
                f"{r['models']:,}",
            ]
            for r in rows
        ]
        right = [True, True, False, False, True, True, True, True, True]
    write_table(headers, cells, right=right)


def _delta(change: int | None) -> str:
    if not change:
        return "–"
    return f"▲{change}" if change > 0 else f"▼{-change}"


# -- families, db info ------------------------------------------------------------------------------


def cmd_families(args: argparse.Namespace) -> int:
    from hfwatch.cli.output import write_json, write_table

    registry = registry_in_force()
    rows: list[dict[str, Any]] = [
        {
            "family": f.id,
            "name": f.name,
            "developer": f.developer,
            "country": f.country,
            "region": f.region,
            "orgs": [o.name for o in f.orgs if not o.legacy],
            "legacy_orgs": [o.name for o in f.orgs if o.legacy],
            "patterns": list(f.patterns),
            "exclude": list(f.exclude),
        }
        for f in registry.families
    ]
    if args.format == "json":
        write_json(rows)
        return EXIT_OK
    print(f"{len(rows)} families · from {', '.join(registry.sources)}")
    write_table(
        ["id", "name", "developer", "cc", "region", "orgs"],
        [
            [
                r["family"],
                r["name"],
                r["developer"],
                r["country"],
                r["region"],
                ", ".join(r["orgs"] + [f"({o})" for o in r["legacy_orgs"]]),
            ]
            for r in rows
        ],
        max_width=60,
    )
    return EXIT_OK


def cmd_db(args: argparse.Namespace) -> int:
    from hfwatch.store import Store, deepwalk, queries
    from hfwatch.store.schema import SCHEMA_VERSION

    db = resolve_db(args)
    with reading(db), Store(db, readonly=True) as store:
        c = queries.counts(store.conn)
        last = queries.last_poll(store.conn)
        size = store.file_size()
        version = store.conn.execute("PRAGMA user_version").fetchone()[0]
        # A file this hfwatch has not migrated yet (opened read-only) has no deep walks to show.
        walk = deepwalk.latest(store.conn) if version >= 3 else None
    if getattr(args, "format", "table") == "json":
        import json

        from hfwatch.textsafe import json_safe

        # One object, not rows: `db info` describes a file. The path is the user's text, made terminal-safe.
        print(
            json_safe(
                json.dumps(
                    {
                        "path": str(db),
                        "size": size,
                        "schema": version,
                        **c,
                        "last_poll": None
                        if last is None
                        else {"lane": last.lane, "status": last.status, "finished": last.finished, "error": last.error},
                        "deep": None if walk is None else walk.as_dict(),
                    },
                    ensure_ascii=False,
                    indent=1,
                )
            )
        )
        return EXIT_OK
    print(f"path          {db}")
    print(f"size          {size:,} bytes")
    print(f"schema        {version} (this hfwatch: {SCHEMA_VERSION})")
    print(f"models        {c['models']:,}")
    print(f"observations  {c['observations']:,}")
    print(f"polls         {c['polls']:,} ({c['failed_polls']:,} failed)")
    print(f"time span     {iso(c['first_observation']) or '–'} → {iso(c['last_observation']) or '–'}")
    if last is not None:
        print(
            f"last poll     {last.lane} {last.status} at {iso(last.finished)}"
            + (f": {last.error}" if last.error else "")
        )
    print(f"deep walk     {_walk_text(walk)}")
    if walk is not None:
        print(f"coverage      {percent(walk.coverage)} of the walked 30-day downloads in tracked families")
    return EXIT_OK


def _walk_text(walk: Any) -> str:
    if walk is None:
        return "none yet (`hfwatch poll --lane deep`)"
    state = f"finished {iso(walk.finished)}" if walk.finished is not None else "in progress (resumable)"
    lowest = human(walk.lowest) if walk.lowest is not None else "–"
    return (
        f"{walk.walked:,} models down to {lowest} 30-day downloads (floor {walk.floor:,}), {walk.pages:,} pages,"
        f" {walk.requests:,} requests; started {iso(walk.started)}, {state}"
    )


# -- the monitor ------------------------------------------------------------------------------------


def run_monitor(args: argparse.Namespace) -> int:
    from hfwatch.tui.launch import launch

    return launch(db=resolve_db(args), demo=args.demo, offline=args.offline, registry=registry_in_force())


# -- the parsers ------------------------------------------------------------------------------------


def _setup_poll(p: argparse.ArgumentParser) -> None:
    demo_arg(p, "poll the embedded simulated Hub")
    p.add_argument(
        "--lane",
        choices=["fast", "slow", "all", "deep"],
        default="all",
        help="fast: trending + newest; slow: every family's orgs and derivatives (default: all = fast "
        "and slow); deep: the whole Hub by downloads down to --deep-floor, resumable",
    )
    p.add_argument(
        "--deep-floor",
        type=_floor_arg,
        metavar="N",
        default=None,
        help="with --lane deep: walk down to N 30-day downloads (default: config deep_floor, 100)",
    )
    p.add_argument("--deadline", type=float, metavar="SECONDS", help="give up on a lane after this long")
    db_arg(p)


def _floor_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of downloads (a whole number, 0 or more)")
    return value


def _setup_top(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", choices=["family", "country", "model"], default="family")
    p.add_argument("--family", metavar="ID", help="with --by model: only this family's models")
    p.add_argument("--scope", choices=["first-party", "ecosystem"], default="ecosystem")
    p.add_argument("--metric", choices=["downloads_30d", "downloads_all_time", "rate"], default="downloads_30d")
    p.add_argument("--window", choices=list(WINDOWS), default="7d", help="window of the rate (default 7d)")
    p.add_argument("--limit", type=int, default=None, metavar="N")
    p.add_argument("--at", metavar="TIME", help="as the history stood at TIME (ISO date or date-time)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    demo_arg(p)
    db_arg(p)


def _setup_families(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["table", "json"], default="table")


def _setup_db(p: argparse.ArgumentParser) -> None:
    dbsub = p.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    info = dbsub.add_parser(
        "info",
        help="path, size, schema, models, observations, polls, time span",
        epilog="example:\n  hfwatch db info --db ~/hf.sqlite",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    info.add_argument("--format", choices=["table", "json"], default="table")
    demo_arg(info, "the demo's history file")
    db_arg(info)


COMMANDS = (
    Command(
        "poll",
        "one poll, headless; prints a summary",
        _setup_poll,
        cmd_poll,
        epilog="examples:\n  hfwatch poll --demo\n  hfwatch poll --lane slow --db ~/hf.sqlite\n\n"
        "exit codes: 0 the poll was stored, 1 it failed (one line says why).",
    ),
    Command(
        "top",
        "leaderboards from the history",
        _setup_top,
        cmd_top,
        epilog="examples:\n  hfwatch top\n  hfwatch top --by country --scope first-party\n"
        "  hfwatch top --by model --family deepseek --format json\n\n"
        "metrics: downloads_30d (Hub's rolling 30 days), downloads_all_time, rate "
        "(downloads/day from growth of all-time downloads over --window).",
    ),
    Command(
        "families",
        "the family registry in force",
        _setup_families,
        cmd_families,
        epilog="example:\n  hfwatch families --format json",
    ),
    Command("db", "the history file", _setup_db, cmd_db),
)
