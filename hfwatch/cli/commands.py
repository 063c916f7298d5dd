"""`hfwatch poll` (fast, slow, deep lanes) and launching the monitor."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hfwatch.cli.command import Command, db_arg, demo_arg
from hfwatch.cli.common import reading, registry_in_force, resolve_db
from hfwatch.cli.errors import EXIT_FAIL, EXIT_OK, CliError
from hfwatch.numfmt import human, percent
from hfwatch.timeunits import DAY_S

# Each `poll --demo` plays the next simulated day: the Hub refreshes its counters once a day, so a few runs
# show daily rates (runs an hour apart would only ever see one refresh, and a rate needs two).
DEMO_STEP_S = DAY_S


def _history_time(db: Path) -> int | None:
    from hfwatch.analysis.views import data_time
    from hfwatch.store import Store
    from hfwatch.store.db import NoDatabaseYet

    try:
        store = Store(db, readonly=True)
    except NoDatabaseYet:
        return None
    with reading(db), store:
        return data_time(store.conn)


def _fetch(poller: Any, lane: Any, db: Path, deadline: float | None) -> tuple[Any, Any]:
    """A lane's poll from the Hub; a fast poll also lists the releases of a gap since the last run (or of one
    an earlier run could not close): (the result, the gap's back-fill or None)."""
    from hfwatch.gapfill import KnownGaps, fill_fast_poll, known_gaps
    from hfwatch.records import Lane
    from hfwatch.store import Store
    from hfwatch.store.db import NoDatabaseYet

    known = KnownGaps(None)
    if lane is Lane.FAST:
        try:
            with Store(db, readonly=True) as store:
                known = known_gaps(store.conn)
        except NoDatabaseYet:
            pass  # a first poll: no gap is known yet
    result = poller.fetch(lane, deadline_s=deadline)
    return result, fill_fast_poll(poller, result, known) if lane is Lane.FAST else None


# -- poll -------------------------------------------------------------------------------------------


def _poll_lanes(poller: Any, db: Path, lanes: list[Any], deadline: float | None) -> list[str]:
    """Poll and store each lane in turn, printing each one's summary; the failures, one line each."""
    from hfwatch.gapfill import save_fast_poll
    from hfwatch.store import Store

    failures: list[str] = []
    store: Store | None = None
    try:
        for lane in lanes:
            result, gap = _fetch(poller, lane, db, deadline)
            fetched = result.ok
            outcome = None
            if result.ok or result.stats.responses:
                store = store or Store(db)
                outcome = save_fast_poll(poller, store, result, gap)
            if result.ok and outcome is not None and outcome.summary is not None:
                print(_summary_line(result, outcome.summary) + _gap_note(gap))
                continue
            failures.append(f"{lane.value} poll failed: {result.error}")
            if result.stats.responses == 0 or fetched:
                # The Hub did not answer at all, or the file would not take the poll (damaged,
                # disk full): the next lane would not fare better, so spend no more requests.
                break
    finally:
        if store is not None:
            store.close()
    return failures


def cmd_poll(args: argparse.Namespace) -> int:
    from hfwatch.config import load_config
    from hfwatch.hub.client import is_offline
    from hfwatch.pollsource import PollSource, open_poll_source
    from hfwatch.records import Lane
    from hfwatch.store import WriterLock

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
        failures = _poll_lanes(poller, db, lanes, args.deadline)
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


def _gap_note(gap: Any) -> str:
    """A hole the fast poll's back-fill of new releases left for the next ones (see hfwatch.gapfill)."""
    from hfwatch.store.releasegaps import hole_note

    note = hole_note(gap.holes) if gap is not None else None
    if not note:
        return ""
    return f" · {note}" + (f" ({gap.reason})" if gap.reason else "") + "; the next fast poll goes on"


def _unusable(s: Any) -> str:
    """What the parser could not use: bad records were skipped, bad fields stored as unknown."""
    parts = [f"{s.skipped:,} bad record{'s' if s.skipped != 1 else ''} skipped"] if s.skipped else []
    if s.bad_fields:
        parts.append(f"{s.bad_fields:,} bad field{'s' if s.bad_fields != 1 else ''} stored as unknown")
    return "".join(f" · {p}" for p in parts)


# -- the monitor ------------------------------------------------------------------------------------


def run_monitor(args: argparse.Namespace) -> int:
    from hfwatch.tui.launch import launch

    return launch(
        db=resolve_db(args),
        demo=args.demo,
        offline=args.offline,
        registry=registry_in_force(),
        deep=getattr(args, "deep", None),
    )


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


COMMANDS = (
    Command(
        "poll",
        "one poll, headless; prints a summary",
        _setup_poll,
        cmd_poll,
        epilog="examples:\n  hfwatch poll --demo\n  hfwatch poll --lane slow --db ~/hf.sqlite\n\n"
        "exit codes: 0 the poll was stored, 1 it failed (one line says why).",
    ),
)
