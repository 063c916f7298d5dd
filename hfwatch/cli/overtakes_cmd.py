"""`hfwatch overtakes`: who passed whom in the race, and when (DESIGN §7)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from hfwatch.cli.command import Command, db_arg, demo_arg
from hfwatch.cli.common import checked_registry, iso, reading, resolve_db, since_time
from hfwatch.cli.errors import EXIT_OK

# The metrics the race is run on, with their words in the table (rate: the 7-day downloads/day at each refresh).
METRICS = {"downloads_30d": "30d downloads", "downloads_all_time": "all-time downloads", "rate": "downloads/day"}
COLUMNS = ("at", "family", "passed", "rank", "scope", "metric")

EPILOG = """\
examples:
  hfwatch overtakes                                   every pass in the history, ecosystem, 30-day downloads
  hfwatch overtakes --since 30d --scope first-party
  hfwatch overtakes --family minimax --metric downloads_all_time --format json
  hfwatch overtakes --limit 10 --format csv > passes.csv

A pass counts once the new order has held at every poll for a day (two close families swapping
places hour by hour is not a pass); it is dated by the first poll that showed it. Times are those of
the hourly rollups (daily for history older than the retention's hourly span).

columns: at, family (moved up), passed, rank (its new rank), scope, metric.
exit codes: 0 ok, 1 failed (one line on stderr says why), 2 bad usage.
"""


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--since",
        metavar="DATE",
        help="only passes from this time (2026-10-01, an ISO time, Unix seconds, or 7d / 24h back from "
        "the history's end)",
    )
    p.add_argument("--scope", choices=["first-party", "ecosystem"], default="ecosystem", help="default: ecosystem")
    p.add_argument("--metric", choices=list(METRICS), default="downloads_30d", help="default: downloads_30d")
    p.add_argument("--family", metavar="ID", help="only passes this family made or suffered")
    p.add_argument("--limit", type=int, metavar="N", help="only the N most recent passes")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    demo_arg(p)
    db_arg(p)


def cmd_overtakes(args: argparse.Namespace) -> int:
    from hfwatch.analysis.overtakes import overtakes
    from hfwatch.analysis.views import RACE_RATE_WINDOW_S, coverage_spans, data_time, race_series
    from hfwatch.cli.output import write_csv, write_json
    from hfwatch.store import Store

    registry = checked_registry(args)
    db = resolve_db(args)
    with reading(db), Store(db, readonly=True) as store:
        now = data_time(store.conn) or int(time.time())
        series = race_series(store.conn, args.scope, args.metric, now=now)
        coverage = coverage_spans(store.conn, args.scope, args.metric, RACE_RATE_WINDOW_S)
    since = since_time(args.since, now)
    # Families dropped from the registry keep their old rollups; the race is among the families in force.
    in_force = {f: s for f, s in series.items() if f in registry}
    found = overtakes(in_force, scope=args.scope, metric=args.metric, coverage=coverage)
    passes = [o for o in found if o.at >= since and args.family in (None, o.family, o.passed)]
    if args.limit is not None:
        passes = passes[-args.limit :]
    rows: list[dict[str, Any]] = [
        {"at": iso(o.at), "family": o.family, "passed": o.passed, "rank": o.rank, "scope": o.scope, "metric": o.metric}
        for o in passes
    ]
    if args.format == "json":
        write_json(rows)
    elif args.format == "csv":
        write_csv(rows, columns=COLUMNS)
    else:
        _print_lines(rows, {f.id: f.name for f in registry.families})
    return EXIT_OK


def _print_lines(rows: list[dict[str, Any]], names: dict[str, str]) -> None:
    """One pass a line: `2026-08-19  MiniMax passed Kimi  #9  first-party · 30d downloads`."""
    from hfwatch.textsafe import terminal_safe

    if not rows:
        print("no passes in this history (a pass counts once it has held for a day)")
        return
    texts = [
        terminal_safe(f"{names.get(r['family'], r['family'])} passed {names.get(r['passed'], r['passed'])}")
        for r in rows
    ]
    width = max(len(t) for t in texts)
    rank_width = max(len(str(r["rank"])) for r in rows) + 1
    for r, text in zip(rows, texts, strict=True):
        print(
            f"{r['at'][:10]}  {text.ljust(width)}  {('#' + str(r['rank'])).ljust(rank_width)}  "
            f"{r['scope']} · {METRICS[r['metric']]}"
        )


COMMAND = Command("overtakes", "who passed whom in the race, and when", _setup, cmd_overtakes, epilog=EPILOG)
