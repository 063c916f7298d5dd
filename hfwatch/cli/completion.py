"""`hfwatch completion bash|zsh|fish`: a tab-completion script made from the parser itself.

The generators (hfwatch.cli.completion_scripts) load only when the command runs.
"""

from __future__ import annotations

import argparse
import sys

from hfwatch.cli.command import Command
from hfwatch.cli.errors import EXIT_OK

SHELLS = ("bash", "zsh", "fish")

EPILOG = """\
install:
  bash  hfwatch completion bash > ~/.local/share/bash-completion/completions/hfwatch
  zsh   hfwatch completion zsh > "${fpath[1]}/_hfwatch"      (or: source <(hfwatch completion zsh))
  fish  hfwatch completion fish > ~/.config/fish/completions/hfwatch.fish
"""


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def cmd_completion(args: argparse.Namespace) -> int:
    from hfwatch.cli.completion_scripts import GENERATORS

    sys.stdout.write(GENERATORS[args.shell](args.root_parser))
    return EXIT_OK


COMMAND = Command("completion", "a tab-completion script for bash, zsh or fish", _setup, cmd_completion, epilog=EPILOG)
