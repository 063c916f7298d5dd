"""`hfwatch serve`: the monitor in a browser, through textual-serve (the optional `web` extra).

Each browser tab runs its own `hfwatch` process (textual-serve starts the command per
connection), so tabs behave like terminals: the first one on a history file polls, the others
follow it read-only. textual-serve is imported inside the command only: the core never loads it.
"""

from __future__ import annotations

import argparse
import shlex
import socket
import sys

from hfwatch.cli.command import Command, db_arg
from hfwatch.cli.common import resolve_db
from hfwatch.cli.errors import EXIT_OK, CliError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

EPILOG = """\
examples:
  hfwatch serve --demo                 the demo monitor at http://127.0.0.1:8000
  hfwatch serve --port 8080 --db ~/hf.sqlite
  hfwatch serve --host 0.0.0.0 --public-url http://myhost:8000   reachable from other machines

needs the web extra: pip install 'hfwatch[web]' (or pipx inject hfwatch textual-serve).
Bound to 127.0.0.1 by default: the page has no login, and whoever reaches it drives the monitor.

exit codes: 0 stopped with Ctrl+C, 1 failed (one line on stderr says why: port in use, extra missing).
"""


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument(
        "--public-url", metavar="URL", help="the URL browsers reach the server at, when it is not http://HOST:PORT"
    )
    p.add_argument("--demo", action="store_true", help="serve the monitor on the embedded simulated Hub")
    p.add_argument("--offline", action="store_true", help="show the cached history; do not poll")
    db_arg(p)


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs per browser connection: this hfwatch, this history file."""
    argv = [sys.executable, "-m", "hfwatch", "--db", str(resolve_db(args).resolve())]
    if args.demo:
        argv.append("--demo")
    if args.offline:
        argv.append("--offline")
    return shlex.join(argv)


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise CliError(f"--port {args.port}: not a TCP port (1-65535)")
    try:
        from textual_serve.server import Server
    except ImportError:
        raise CliError(
            "serving to a browser needs textual-serve: pip install 'hfwatch[web]' "
            "(pipx: pipx inject hfwatch textual-serve)"
        ) from None
    from hfwatch.config import load_config

    load_config()  # a bad config fails here, once, rather than in every browser tab
    _check_port(args.host, args.port)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"hfwatch: warning: listening on {args.host}: anyone who can reach this port can use the monitor "
            "(there is no login)",
            file=sys.stderr,
        )
    public_url = args.public_url
    if public_url is None and args.host in ("0.0.0.0", "::"):
        # The page tells the browser where its websocket is: "0.0.0.0" would send it nowhere.
        public_url = f"http://{socket.getfqdn()}:{args.port}"
    server = Server(app_command(args), host=args.host, port=args.port, title="hfwatch", public_url=public_url)
    server.serve()
    return EXIT_OK


def _check_port(host: str, port: int) -> None:
    """Fail with one line before textual-serve prints its banner, rather than with a traceback after."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise CliError(f"--host {host}: cannot resolve it ({err.strerror})") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise CliError(f"{host}:{port}: cannot listen there ({err.strerror}); choose another --port") from None


COMMAND = Command("serve", "serve the monitor to a web browser (needs the web extra)", _setup, cmd_serve, epilog=EPILOG)
