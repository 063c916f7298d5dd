"""`hfwatch families` and `hfwatch db info`: the registry in force and the history file."""

from __future__ import annotations

import argparse
from typing import Any

from hfwatch.cli.command import Command, db_arg, demo_arg
from hfwatch.cli.common import iso, reading, registry_in_force, resolve_db
from hfwatch.cli.errors import EXIT_OK
from hfwatch.numfmt import human, percent

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
    from hfwatch.store import Store, queries, walks
    from hfwatch.store.schema import SCHEMA_VERSION

    db = resolve_db(args)
    with reading(db), Store(db, readonly=True) as store:
        c = queries.counts(store.conn)
        last = queries.last_poll(store.conn)
        size = store.file_size()
        version = store.conn.execute("PRAGMA user_version").fetchone()[0]
        # A file this hfwatch has not migrated yet (opened read-only) has no deep walks to show.
        walk = walks.latest(store.conn) if version >= 3 else None
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
        "families",
        "the family registry in force",
        _setup_families,
        cmd_families,
        epilog="example:\n  hfwatch families --format json",
    ),
    Command("db", "the history file", _setup_db, cmd_db),
)
