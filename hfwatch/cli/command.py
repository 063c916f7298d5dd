"""What a command module declares: its name, how its parser is set up and the function that runs it.

A leaf module: command modules import it, `hfwatch.cli.registry` collects their declarations, and
the entry point builds one parser from them. Run functions import their heavy dependencies
(huggingface_hub, Textual, textual-serve) inside, so building the parser stays fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

Run = Callable[[argparse.Namespace], int]
Setup = Callable[[argparse.ArgumentParser], None]


class Command:
    """A plain class, not a dataclass: `dataclasses` costs start-up time every command would pay."""

    __slots__ = ("epilog", "help", "name", "run", "setup")

    def __init__(self, name: str, help: str, setup: Setup, run: Run, epilog: str | None = None) -> None:
        self.name, self.help, self.setup, self.run, self.epilog = name, help, setup, run, epilog

    def add_to(self, sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
        parser = sub.add_parser(
            self.name, help=self.help, epilog=self.epilog, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        self.setup(parser)
        parser.set_defaults(run=self.run)
        return parser


def db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help="the history file (default: $HFWATCH_DB, else the user data dir)")


def demo_arg(p: argparse.ArgumentParser, text: str = "read the demo's history file") -> None:
    p.add_argument("--demo", action="store_true", help=text)
