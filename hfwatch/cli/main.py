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
from hfwatch.cli.command import db_arg
from hfwatch.cli.errors import EXIT_FAIL, EXIT_INTERRUPTED, EXIT_OK, is_user_error
from hfwatch.cli.registry import COMMANDS

EPILOG_MAIN = """\
examples:
  hfwatch --demo                      the monitor on the embedded simulated Hub
  hfwatch                             the monitor on the live Hub (HF_TOKEN raises the rate limit)
  hfwatch poll --lane all             one headless poll of both lanes
  hfwatch top --by country --metric rate
  hfwatch top --by model --family qwen --limit 20 --format csv > qwen.csv
  hfwatch overtakes --since 30d       who passed whom in the race, and when
  hfwatch completion bash             a tab-completion script (bash, zsh, fish)

exit codes: 0 ok, 1 failed (one line on stderr says why), 2 bad usage.
environment: HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, HF_HUB_DISABLE_TELEMETRY, HFWATCH_DB, HFWATCH_CONFIG, NO_COLOR.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hfwatch",
        description="A terminal monitor of the open-model race on the Hugging Face Hub.",
        epilog=EPILOG_MAIN,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hfwatch {__version__}")
    parser.add_argument("--demo", action="store_true", help="run against the embedded simulated Hub")
    parser.add_argument("--offline", action="store_true", help="show the cached history; do not poll")
    parser.add_argument(
        "--deep",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the monitor walks the whole Hub by downloads every deep_interval_h (default: on live, off with --demo)",
    )
    db_arg(parser)
    # The completion command reads the whole parser it belongs to: handed down, never imported back.
    parser.set_defaults(run=None, root_parser=parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_to(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("hfwatch: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `hfwatch top | head`: the reader left; that is not an error.
        sys.stderr.close()
        return EXIT_OK
    except Exception as err:  # every failure is one line, never a traceback
        if os.environ.get("HFWATCH_DEBUG"):
            raise
        from hfwatch.textsafe import terminal_safe

        message = terminal_safe(str(err)).strip() or type(err).__name__
        known = is_user_error(err)
        prefix = "error" if known else f"internal error ({type(err).__name__})"
        print(f"hfwatch: {prefix}: {message.splitlines()[0]}", file=sys.stderr)
        return EXIT_FAIL


def _dispatch(args: argparse.Namespace) -> int:
    if args.run is None:
        from hfwatch.cli.commands import run_monitor

        return run_monitor(args)
    return int(args.run(args))
