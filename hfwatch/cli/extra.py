"""Commands beyond the core contract (config, export, import, serve) register here.

Each command's module is imported only when its parser is built or it runs, and a module
imports its heavy dependencies (huggingface_hub, textual-serve) inside the command function,
so `hfwatch top` stays fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]


def add_commands(sub: argparse._SubParsersAction, db_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the optional commands' parsers to `sub`."""
    from hfwatch.cli import config_cmd, export, importer, serve

    config_cmd.add_parser(sub)
    export.add_parser(sub, db_arg)
    importer.add_parser(sub, db_arg)
    serve.add_parser(sub, db_arg)


def _config(args: argparse.Namespace) -> int:
    from hfwatch.cli.config_cmd import cmd_config

    return cmd_config(args)


def _export(args: argparse.Namespace) -> int:
    from hfwatch.cli.export import cmd_export

    return cmd_export(args)


def _import(args: argparse.Namespace) -> int:
    from hfwatch.cli.importer import cmd_import

    return cmd_import(args)


def _serve(args: argparse.Namespace) -> int:
    from hfwatch.cli.serve import cmd_serve

    return cmd_serve(args)


_HANDLERS: dict[str, Handler] = {"config": _config, "export": _export, "import": _import, "serve": _serve}


def handler(name: str) -> Handler:
    return _HANDLERS[name]
