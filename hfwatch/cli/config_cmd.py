"""`hfwatch config path|show|check`: where the config lives and what is in force."""

from __future__ import annotations

import argparse
import sys

from hfwatch.cli.command import Command
from hfwatch.cli.errors import EXIT_OK

EPILOG = """\
examples:
  hfwatch config path                  where the config file is (HFWATCH_CONFIG overrides it)
  hfwatch config show                  the config in force, defaults included, as TOML
  hfwatch config show > "$(hfwatch config path)"   start a config file from the defaults
  hfwatch config check                 validate the file, its registry_file and watched families

keys: fast_interval_s, slow_interval_s, watched, scope, metric, theme, include_reuploaders,
registry_file, [keymap]. Tokens never go in this file (use HF_TOKEN or `hf auth login`).

exit codes: 0 ok, 1 the config (or its registry file) is invalid: one line names file, line and key.
"""


def _setup(p: argparse.ArgumentParser) -> None:
    csub = p.add_subparsers(dest="config_command", metavar="SUBCOMMAND", required=True)
    for name, text in (
        ("path", "print the config file's path"),
        ("show", "print the config in force (defaults included) as TOML"),
        ("check", "validate the config, its registry file and its watched families"),
    ):
        csub.add_parser(name, help=text, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)


def cmd_config(args: argparse.Namespace) -> int:
    from hfwatch.config import check_watched, load_config, to_toml
    from hfwatch.paths import config_file

    if args.config_command == "path":
        path = config_file()
        print(path)
        if not path.exists():
            print("hfwatch: note: no file there yet: defaults are in force", file=sys.stderr)
        return EXIT_OK
    config = load_config()
    if args.config_command == "show":
        sys.stdout.write(to_toml(config))
        return EXIT_OK
    from hfwatch.registry import load_registry

    registry = load_registry(config.registry_path())
    check_watched(config, frozenset(f.id for f in registry.families))
    print(f"ok: {config.source or 'no config file (defaults)'} · registry: {', '.join(registry.sources)}")
    return EXIT_OK


COMMAND = Command("config", "the config file: path, show, check", _setup, cmd_config, epilog=EPILOG)
