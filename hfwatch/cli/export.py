"""`hfwatch export`: the history as CSV or JSON for scripts and spreadsheets.

The column names and their order are a contract, documented in docs/export.md: a column may be
added at the end, none is renamed or removed without a major version.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from hfwatch.cli.command import Command, db_arg, demo_arg
from hfwatch.cli.common import checked_registry, iso, reading, resolve_db, since_time
from hfwatch.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from hfwatch.cli.rows import WINDOWS, family_row, model_row, ranked_models, round_
from hfwatch.timeunits import DAY_S

if TYPE_CHECKING:
    from hfwatch.registry import Registry

LEADERBOARD_COLUMNS = (
    "as_of",
    "rank",
    "rank_change",
    "family",
    "name",
    "country",
    "region",
    "scope",
    "metric",
    "downloads_30d",
    "downloads_all_time",
    "rate_per_day",
    "share",
    "models",
    "newest_release",
)
SERIES_COLUMNS = ("time", "family", "scope", "models", "downloads_30d", "downloads_all_time", "rate_per_day")
MODEL_COLUMNS = (
    "as_of",
    "rank",
    "id",
    "family",
    "base_family",
    "via",
    "publisher_family",
    "country",
    "scope",
    "metric",
    "downloads_30d",
    "downloads_all_time",
    "rate_per_day",
    "likes",
    "trending_score",
    "created_at",
    "pipeline_tag",
    "library_name",
    "downloads_counted",
)
COLUMNS = {"leaderboard": LEADERBOARD_COLUMNS, "series": SERIES_COLUMNS, "models": MODEL_COLUMNS}

EPILOG = """\
examples:
  hfwatch export --what leaderboard --format csv > families.csv
  hfwatch export --what series --family qwen --since 2026-10-01 --format csv -o qwen.csv
  hfwatch export --what series --scope first-party --since 30d --format json
  hfwatch export --what models --family deepseek --metric rate --format json
  hfwatch export --what models --limit 100 --demo --format csv

what:
  leaderboard  one row per family, ranked by --metric, as of the history's end (like `top`)
  series       one row per (time, family) from the hourly/daily rollups: time, family, scope,
               models, downloads_30d, downloads_all_time, rate_per_day (24h, as it stood then)
  models       one row per attributed model, ranked by --metric (like `top --by model`)
Columns are documented in docs/export.md; missing values are empty CSV cells / JSON null.

exit codes: 0 ok, 1 failed (one line on stderr says why), 2 bad usage.
"""


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("--what", choices=list(COLUMNS), default="leaderboard", help="what to export (default: leaderboard)")
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="default: csv")
    p.add_argument("--scope", choices=["first-party", "ecosystem"], default="ecosystem", help="default: ecosystem")
    p.add_argument(
        "--metric",
        choices=["downloads_30d", "downloads_all_time", "rate"],
        default=None,
        help="ranking of leaderboard and models (default: downloads_30d); series carry every metric",
    )
    p.add_argument("--window", choices=list(WINDOWS), default="7d", help="window of rate_per_day (default 7d)")
    p.add_argument("--family", metavar="ID", help="only this family")
    p.add_argument(
        "--since",
        metavar="DATE",
        help="series only: from this time (2026-10-01, an ISO time, Unix seconds, or 7d / 24h back "
        "from the history's end)",
    )
    p.add_argument("--limit", type=int, metavar="N", help="leaderboard and models: at most N rows")
    p.add_argument(
        "--at",
        metavar="TIME",
        help="as the history stood at TIME (an ISO date or date-time): only what "
        "was stored by then counts, and windows end then",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (replaced atomically) instead of stdout")
    demo_arg(p)
    db_arg(p)


def cmd_export(args: argparse.Namespace) -> int:
    from hfwatch.analysis import views
    from hfwatch.store import Store

    if args.what == "series" and args.metric is not None:
        return _usage("--metric ranks leaderboard and models; series rows carry every metric")
    if args.what != "series" and args.since is not None:
        return _usage("--since applies to --what series")
    if args.what == "series" and args.limit is not None:
        return _usage("--limit applies to leaderboard and models; use --since and --family for series")
    if args.limit is not None and args.limit < 1:
        return _usage("--limit must be at least 1")
    registry = checked_registry(args)
    metric = args.metric or "downloads_30d"
    db = resolve_db(args)
    at = parse_at(args.at, "export")
    with reading(db), Store(db, readonly=True) as store:
        last = views.data_time(store.conn)
        if last is None:
            print("hfwatch export: no poll yet: every number is unknown (run `hfwatch poll`)", file=sys.stderr)
        now = at if at is not None else (last or int(time.time()))
        if args.what == "leaderboard":
            rows = leaderboard_rows(
                store.conn,
                registry,
                scope=args.scope,
                metric=metric,
                now=now,
                window_s=WINDOWS[args.window],
                family=args.family,
            )
        elif args.what == "models":
            rows = model_rows(
                store.conn,
                scope=args.scope,
                metric=metric,
                now=now,
                window_s=WINDOWS[args.window],
                family=args.family,
                limit=args.limit,
            )
        else:
            since = since_time(args.since, now)
            rows = series_rows(store.conn, registry, scope=args.scope, since=since, family=args.family, until=now)
    if args.limit is not None:
        rows = rows[: args.limit]
    with _output(args.output) as out:
        write(rows, COLUMNS[args.what], args.format, out)
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"hfwatch export: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def parse_at(text: str | None, command: str) -> int | None:
    """`--at TIME` as Unix seconds (None: the history's end)."""
    from hfwatch.hub.parse import TimeError, parse_time

    if text is None:
        return None
    try:
        return int(parse_time(text))
    except TimeError as err:
        raise CliError(f"{command} --at: {err}") from None


def leaderboard_rows(
    conn: sqlite3.Connection,
    registry: Registry,
    *,
    scope: str,
    metric: str,
    now: int,
    window_s: int,
    family: str | None = None,
) -> list[dict[str, Any]]:
    from hfwatch.analysis import views

    board = views.leaderboard(
        conn, registry, scope=scope, metric=metric, now=now, rate_window_s=window_s, spark_points=1
    )
    return [{"as_of": iso(now), **family_row(f)} for f in board if family is None or f.family == family]


def series_rows(
    conn: sqlite3.Connection,
    registry: Registry,
    *,
    scope: str,
    since: int,
    family: str | None = None,
    until: int | None = None,
) -> list[dict[str, Any]]:
    """One row per rollup point and family (up to `until`); rate_per_day is the family's 24-hour rate as
    the history stood at that point: growth dated by the Hub's refreshes, over the day up to the latest
    refresh seen then (unknown until a whole refresh interval is observed)."""
    from hfwatch.analysis import views
    from hfwatch.store import rollups

    end = until if until is not None else (views.data_time(conn) or 0)
    series = rollups.rollup_series(conn, scope, since, family=family)
    grown = views.family_growth(conn, scope, now=end, since=since - DAY_S, family=family)
    rows: list[dict[str, Any]] = []
    for fam in registry.families:
        g = grown.get(fam.id)
        for p in series.get(fam.id, []):
            if since <= p.t <= end:
                rows.append(
                    {
                        "time": iso(p.t),
                        "family": fam.id,
                        "scope": scope,
                        "models": p.models,
                        "downloads_30d": p.downloads_30d,
                        "downloads_all_time": p.downloads_all_time,
                        "rate_per_day": round_(g.rate(p.t, DAY_S) if g else None),
                        "_t": p.t,
                    }
                )
    rows.sort(key=lambda r: (r["_t"], r["family"]))
    for r in rows:
        del r["_t"]
    return rows


def model_rows(
    conn: sqlite3.Connection, *, scope: str, metric: str, now: int, window_s: int, family: str | None, limit: int | None
) -> list[dict[str, Any]]:
    from hfwatch.store import growth

    ranked = ranked_models(conn, scope=scope, metric=metric, now=now, window_s=window_s, family=family, limit=limit)
    counted_until = growth.last_refresh_instant(conn, at=now)
    return [
        {"as_of": iso(now), **model_row(rank, v, scope, counted_until), "metric": metric, "library_name": v.row.library}
        for rank, v in enumerate(ranked, start=1)
    ]


def write(rows: list[dict[str, Any]], columns: tuple[str, ...], fmt: str, out: TextIO) -> None:
    from hfwatch.cli.output import write_csv, write_json

    if fmt == "json":
        write_json([{c: r.get(c) for c in columns} for r in rows], out)
    else:
        write_csv(rows, out, columns)


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path is None or path == "-":
        yield sys.stdout
        return
    target = Path(path).expanduser()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
    except OSError as err:
        raise CliError(f"{target}: cannot write there ({err.strerror or err})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        # mkstemp makes the file private (0600); an export gets the mode any new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


COMMAND = Command("export", "leaderboards, time series or models as CSV/JSON", _setup, cmd_export, epilog=EPILOG)
