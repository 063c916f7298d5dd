"""`hfwatch top`: the leaderboards from the history, now or as it stood at `--at`."""

from __future__ import annotations

import argparse
import time
from typing import Any

from hfwatch.cli.command import Command, db_arg, demo_arg
from hfwatch.cli.common import checked_registry, iso, reading, resolve_db
from hfwatch.cli.errors import EXIT_OK
from hfwatch.cli.rows import WINDOWS, country_row, family_row, model_row, ranked_models
from hfwatch.numfmt import human, percent

# A model created after the Hub's last daily count: its counters are not counts yet (hfwatch.analysis.counted).
NOT_YET = ("not yet", "not yet")

# -- top --------------------------------------------------------------------------------------------


def cmd_top(args: argparse.Namespace) -> int:
    from hfwatch.analysis import views
    from hfwatch.cli.export import parse_at
    from hfwatch.cli.output import write_csv, write_json
    from hfwatch.store import Store, growth

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
            counted_until = growth.last_refresh_instant(store.conn, at=now)
            rows = [model_row(rank, v, args.scope, counted_until) for rank, v in enumerate(ranked, start=1)]
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
                *((human(r["downloads_30d"]), human(r["downloads_all_time"])) if r["downloads_counted"] else NOT_YET),
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


COMMANDS = (
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
)
