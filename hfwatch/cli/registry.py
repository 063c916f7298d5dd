"""The one list of commands: each command module declares its own (name, parser set-up, run function).

Importing the command modules is cheap (their heavy imports happen when a command runs), so the
parser is built from all of them. A new command is one module with a `Command`, named here.
"""

from __future__ import annotations

from hfwatch.cli import commands, completion, config_cmd, export, importer, info_cmd, overtakes_cmd, serve, top_cmd
from hfwatch.cli.command import Command

COMMANDS: tuple[Command, ...] = (
    *commands.COMMANDS,
    *top_cmd.COMMANDS,
    *info_cmd.COMMANDS,
    overtakes_cmd.COMMAND,
    export.COMMAND,
    importer.COMMAND,
    config_cmd.COMMAND,
    serve.COMMAND,
    completion.COMMAND,
)
