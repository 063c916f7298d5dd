"""`hfwatch import`: seed the history from archived Hub listings (see hfwatch.importing)."""

from __future__ import annotations

import argparse
import itertools
import sys
from typing import Any

from hfwatch.cli.command import Command, db_arg
from hfwatch.cli.common import iso, registry_in_force, resolve_db
from hfwatch.cli.errors import EXIT_OK, CliError

EPILOG = """\
examples:
  hfwatch import models-2026-10-01.json --at 2026-10-01T00:00:00Z
  hfwatch import snapshot.jsonl.gz                 the time comes from the file's fetched_at/date
  hfwatch import day1.json day2.json day3.json     several polls, stored oldest first
  curl -s "$HF_ENDPOINT/api/models?..." | hfwatch import - --at "$(date -u +%FT%TZ)"

formats: a JSON array of /api/models items; {"fetched_at": ..., "models": [...]}; JSON Lines;
CSV with id, downloads and optional downloadsAllTime, likes, trendingScore, createdAt, author,
pipeline_tag, library_name, tags, fetched_at (.gz files are decompressed). One file is one poll.

A record that cannot be read refuses the whole file (one line names file and line); a counter that
is not a non-negative integer is stored as unknown and counted. The same file at the same time is
imported once: again, it is skipped and nothing changes. Times must be later than the history's end.

exit codes: 0 imported (or already imported), 1 refused: one line on stderr says why, nothing stored.
"""


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="a listing file (JSON, JSON Lines or CSV; - for stdin)")
    p.add_argument(
        "--at",
        metavar="TIMESTAMP",
        help="when the listing was fetched: ISO 8601 (2026-10-01, 2026-10-01T06:00:00Z) or Unix "
        "seconds (default: the file's fetched_at/date)",
    )
    db_arg(p)


def cmd_import(args: argparse.Namespace) -> int:
    from hfwatch.config import load_config
    from hfwatch.importing import check_listing, history_end, store_listing
    from hfwatch.store import Store, WriterLock

    config = load_config()
    registry = registry_in_force()
    planned = _planned(args)  # everything read and validated before the database is opened
    db = resolve_db(args)
    lock = WriterLock(db)
    if not lock.acquire():
        raise CliError(
            f"{db}: another hfwatch (pid {lock.holder()}) is writing to this file; import when it has finished"
        )
    try:
        with Store(db) as store:
            # Every file's place in the history is checked before the first one is stored.
            end = history_end(store.conn)
            for t, listing in planned:
                if check_listing(store, listing, t, end) is None:
                    end = t
            for t, listing in planned:
                outcome = store_listing(store, listing, t, registry, include_reuploaders=config.include_reuploaders)
                _report(listing, t, outcome)
    finally:
        lock.release()
    return EXIT_OK


def _planned(args: argparse.Namespace) -> list[tuple[int, Any]]:
    """The files as (time, listing), oldest first, read and checked: a bad file stores nothing."""
    from hfwatch.hub.parse import TimeError, parse_time
    from hfwatch.importing import listing_time, read_listing

    at = None
    if args.at is not None:
        try:
            at = parse_time(args.at)
        except TimeError as err:
            raise CliError(f"--at: {err}") from None
    if at is not None and len(args.files) > 1:
        raise CliError("--at gives one time, so it takes one file (each file is one poll)")
    if args.files.count("-") > 1:
        raise CliError("standard input can be read once")
    planned = []
    for path in args.files:
        listing = read_listing(path)
        planned.append((int(listing_time(listing, at)), listing))
    planned.sort(key=lambda p: p[0])
    # The same file named twice (a shell glob and a name) is one poll.
    planned = [p for n, p in enumerate(planned) if all((p[0], p[1].sha256) != (q[0], q[1].sha256) for q in planned[:n])]
    for (t1, a), (t2, b) in itertools.pairwise(planned):
        if t1 == t2 and a.sha256 != b.sha256:
            raise CliError(f"{a.name} and {b.name} are both at {iso(t1)}: one poll is one file (concatenate them)")
    return planned


def _report(listing: Any, t: int, outcome: Any) -> None:
    if outcome.summary is None:
        pid = (outcome.previous or {}).get("pid")
        print(f"{listing.name}: already imported at {iso(t)}{f' (poll #{pid})' if pid else ''}; nothing changed")
        return
    s = outcome.summary
    unknown = (
        f" · {listing.unknown_values:,} counters were not non-negative integers and are stored as unknown"
        if listing.unknown_values
        else ""
    )
    print(
        f"{listing.name}: imported {s.models:,} models at {iso(t)} ({s.new_models:,} new, "
        f"{s.changed:,} changed, {s.events} feed events) · poll #{s.pid}{unknown}"
    )
    # A listing cannot hold a model created after it was fetched: the time is likely wrong.
    later = sum(1 for r in listing.records if r.created_at is not None and r.created_at > t + 3600)
    if later:
        print(
            f"hfwatch: note: {listing.name}: {later:,} models were created after {iso(t)}; "
            "is the listing's time right?",
            file=sys.stderr,
        )


COMMAND = Command("import", "store archived Hub listings as polls (backfill)", _setup, cmd_import, epilog=EPILOG)
