"""The command line (DESIGN §7): a stable contract that scripts and tests depend on.

Heavy imports (Textual, huggingface_hub) happen inside the commands that need them, so
`hfwatch top` answers fast and never loads the UI.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from hfwatch import __version__

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2

EPILOG_MAIN = """\
examples:
  hfwatch --demo                      the monitor on the embedded simulated Hub
  hfwatch                             the monitor on the live Hub (HF_TOKEN raises the rate limit)
  hfwatch poll --lane all             one headless poll of both lanes
  hfwatch top --by country --metric rate
  hfwatch top --by model --family qwen --limit 20 --format csv > qwen.csv

exit codes: 0 ok, 1 failed (one line on stderr says why), 2 bad usage.
environment: HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, HF_HUB_DISABLE_TELEMETRY, HFWATCH_DB, HFWATCH_CONFIG, NO_COLOR.
"""


class CliError(Exception):
    """A one-line error for stderr."""


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help="the history file (default: $HFWATCH_DB, else the user data dir)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hfwatch", description="A terminal monitor of the open-model race on the Hugging Face Hub.",
        epilog=EPILOG_MAIN, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"hfwatch {__version__}")
    parser.add_argument("--demo", action="store_true", help="run against the embedded simulated Hub")
    parser.add_argument("--offline", action="store_true", help="show the cached history; do not poll")
    _db_arg(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    poll = sub.add_parser("poll", help="one poll, headless; prints a summary",
                          formatter_class=argparse.RawDescriptionHelpFormatter,
                          epilog="examples:\n  hfwatch poll --demo\n  hfwatch poll --lane slow --db ~/hf.sqlite\n\n"
                                 "exit codes: 0 the poll was stored, 1 it failed (one line says why).")
    poll.add_argument("--demo", action="store_true", help="poll the embedded simulated Hub")
    poll.add_argument("--lane", choices=["fast", "slow", "all"], default="all",
                      help="fast: trending + newest; slow: every family's orgs and derivatives (default: all)")
    poll.add_argument("--deadline", type=float, metavar="SECONDS", help="give up on a lane after this long")
    _db_arg(poll)

    top = sub.add_parser("top", help="leaderboards from the history",
                         formatter_class=argparse.RawDescriptionHelpFormatter,
                         epilog="examples:\n  hfwatch top\n  hfwatch top --by country --scope first-party\n"
                                "  hfwatch top --by model --family deepseek --format json\n\n"
                                "metrics: downloads_30d (Hub's rolling 30 days), downloads_all_time, rate "
                                "(downloads/day from growth of all-time downloads over --window).")
    top.add_argument("--by", choices=["family", "country", "model"], default="family")
    top.add_argument("--family", metavar="ID", help="with --by model: only this family's models")
    top.add_argument("--scope", choices=["first-party", "ecosystem"], default="ecosystem")
    top.add_argument("--metric", choices=["downloads_30d", "downloads_all_time", "rate"], default="downloads_30d")
    top.add_argument("--window", choices=["24h", "7d", "30d"], default="7d", help="window of the rate (default 7d)")
    top.add_argument("--limit", type=int, default=None, metavar="N")
    top.add_argument("--at", metavar="TIME", help="as the history stood at TIME (ISO date or date-time)")
    top.add_argument("--format", choices=["table", "json", "csv"], default="table")
    top.add_argument("--demo", action="store_true", help="read the demo's history file")
    _db_arg(top)

    fam = sub.add_parser("families", help="the family registry in force",
                         epilog="example:\n  hfwatch families --format json",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    fam.add_argument("--format", choices=["table", "json"], default="table")

    db = sub.add_parser("db", help="the history file")
    dbsub = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    info = dbsub.add_parser("info", help="path, size, schema, models, observations, polls, time span",
                            epilog="example:\n  hfwatch db info --db ~/hf.sqlite",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    info.add_argument("--demo", action="store_true", help="the demo's history file")
    _db_arg(info)
    from hfwatch.cli import extra

    extra.add_commands(sub, _db_arg)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("hfwatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `hfwatch top | head`: the reader left; that is not an error.
        sys.stderr.close()
        return EXIT_OK
    except Exception as err:  # every failure is one line, never a traceback
        if os.environ.get("HFWATCH_DEBUG"):
            raise
        from hfwatch.textsafe import terminal_safe

        message = terminal_safe(str(err)).strip() or type(err).__name__
        known = type(err).__name__ in {"CliError", "StoreError", "StoreLocked", "RegistryError", "HubError",
                                       "ConfigError", "ImportError_"}
        prefix = "error" if known else f"internal error ({type(err).__name__})"
        print(f"hfwatch: {prefix}: {message.splitlines()[0]}", file=sys.stderr)
        return EXIT_FAIL


def _dispatch(args: argparse.Namespace) -> int:
    from hfwatch.cli import commands, extra

    if args.command is None:
        return commands.run_monitor(args)
    handler = {"poll": commands.cmd_poll, "top": commands.cmd_top, "families": commands.cmd_families,
               "db": commands.cmd_db}.get(args.command) or extra.handler(args.command)
    return handler(args)
