"""What the reliability tests share: fast client settings, looks into the history file, a recording proxy.

The proxy exists because the simulated Hub does not record request headers: it sits on loopback in
front of the sim, relays every request unchanged (so hfwatch's real HTTP path is exercised), keeps
the headers it saw, and can rewrite the JSON pages it relays back.
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import json
import socket
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hfwatch.hub.guard import RequestPolicy

# Short enough that a stalled server or a burst of 5xx costs well under a second per attempt, long
# enough for a loaded CI machine to answer a healthy request.
FAST_ENV = {
    "HFWATCH_CONNECT_TIMEOUT": "2",
    "HFWATCH_READ_TIMEOUT": "1.5",
    "HFWATCH_MAX_ATTEMPTS": "3",
    "HFWATCH_BACKOFF": "0.05",
}
FAST_POLICY = RequestPolicy(
    connect_timeout_s=2.0, read_timeout_s=1.5, max_attempts=3, backoff_base_s=0.05, backoff_max_s=0.4
)

# C0 controls but newline, DEL, C1 controls: none may reach a terminal from Hub data.
CONTROL_BYTES = {chr(c) for c in range(0x20) if c != 0x0A} | {chr(c) for c in range(0x7F, 0xA0)}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_error(err: str) -> str:
    """The single stderr line of a failed command (asserting there is exactly one, and no traceback)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and lines[0].startswith("hfwatch: "), err
    return lines[0]


@dataclass(frozen=True)
class Snapshot:
    """What a history file holds, in the terms the atomicity checks need."""

    models: int
    observations: int
    polls: list[tuple[str, str, str | None]]  # (lane, status, error) in order

    @property
    def ok_polls(self) -> int:
        return sum(1 for _, status, _ in self.polls if status == "ok")

    @property
    def failed(self) -> list[tuple[str, str, str | None]]:
        return [p for p in self.polls if p[1] == "failed"]


def snapshot(db: Path) -> Snapshot:
    if not db.exists():
        return Snapshot(0, 0, [])
    conn = sqlite3.connect(db)
    try:
        return Snapshot(
            models=conn.execute("SELECT count(*) FROM models").fetchone()[0],
            observations=conn.execute("SELECT count(*) FROM observations").fetchone()[0],
            polls=conn.execute("SELECT lane, status, error FROM polls ORDER BY pid").fetchall(),
        )
    finally:
        conn.close()


def check_consistent(db: Path) -> int:
    """Assert the file is sound and every stored poll complete; return the number of ok polls.

    A poll's rows all carry its time t = int(finished): models first seen then, observations made
    then. Several polls may share one second, so the checks group polls by t.
    """
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        ok: dict[int, list[int]] = {}
        for finished, new_models, listed in conn.execute(
            "SELECT finished, new_models, models FROM polls WHERE status = 'ok'"
        ):
            acc = ok.setdefault(int(finished), [0, 0])
            acc[0] += new_models
            acc[1] += listed
        obs_times = dict(conn.execute("SELECT t, count(*) FROM observations GROUP BY t").fetchall())
        first_seen = dict(conn.execute("SELECT first_seen, count(*) FROM models GROUP BY first_seen").fetchall())
        last_seen = {t for (t,) in conn.execute("SELECT DISTINCT last_seen FROM models")}
        # Nothing written by a poll that has no `ok` row: no partial poll survives.
        assert set(obs_times) <= set(ok), sorted(set(obs_times) - set(ok))
        assert set(first_seen) <= set(ok) and last_seen <= set(ok)
        assert {pid for (pid,) in conn.execute("SELECT DISTINCT pid FROM events")} <= {
            pid for (pid,) in conn.execute("SELECT pid FROM polls WHERE status = 'ok'")
        }
        # Every ok poll is whole: each new model with its first observation; at most one observation per model
        # it listed (a change, or the value a model holds after a Hub refresh, kept as a rate endpoint).
        for t, (new_models, listed) in ok.items():
            assert first_seen.get(t, 0) == new_models, (t, first_seen.get(t), new_models)
            assert new_models <= obs_times.get(t, 0) <= listed, (t, new_models, obs_times.get(t), listed)
        orphans = conn.execute(
            "SELECT count(*) FROM models m WHERE NOT EXISTS"
            " (SELECT 1 FROM observations o WHERE o.mid = m.mid AND o.t = m.first_seen)"
        ).fetchone()[0]
        assert orphans == 0
        return sum(1 for _ in conn.execute("SELECT 1 FROM polls WHERE status = 'ok'"))
    finally:
        conn.close()


Transform = Callable[[list[Any]], list[Any]]
HeaderRewrite = Callable[[list[tuple[str, str]]], list[tuple[str, str]]]


class RecordingProxy:
    """A loopback relay to `upstream` that records each request's headers and may rewrite JSON pages."""

    def __init__(
        self, upstream: str, transform: Transform | None = None, rewrite_headers: HeaderRewrite | None = None
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.transform = transform
        # Given: the response carries exactly the headers it returns (no Date or Server of the proxy's own).
        self.rewrite_headers = rewrite_headers
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                proxy._relay(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RecordingProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _relay(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.headers.append({k.lower(): v for k, v in handler.headers.items()})
        host, port = self.upstream.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            sent = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "connection")}
            conn.request("GET", handler.path, headers=sent)
            resp = conn.getresponse()
            body = resp.read()
            out_headers = [
                (k, v)
                for k, v in resp.getheaders()
                if k.lower() not in ("content-length", "connection", "transfer-encoding")
            ]
        finally:
            conn.close()
        if self.transform is not None and resp.status == 200:
            body = json.dumps(self.transform(json.loads(body)), ensure_ascii=False).encode()
        # Next-page links are absolute: keep the client on the proxy.
        out_headers = [(k, v.replace(self.upstream, self.url) if k.lower() == "link" else v) for k, v in out_headers]
        if self.rewrite_headers is None:
            handler.send_response(resp.status)
        else:
            handler.send_response_only(resp.status)
            out_headers = self.rewrite_headers(out_headers)
        for key, value in out_headers:
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        # One connection per request, so that a stopped proxy refuses the very next one.
        handler.send_header("Connection", "close")
        handler.close_connection = True
        handler.end_headers()
        handler.wfile.write(body)


def first_party_record(page: list[Any]) -> dict[str, Any] | None:
    """The page's first record published by a tracked family's own org (most of a trending or newest page is
    untracked, so a record shaped like page[0] might count for no family and `top` would not list it)."""
    registry = _registry()
    for record in page:
        if isinstance(record, dict) and isinstance(record.get("id"), str) and "/" in record["id"]:
            org, name = record["id"].split("/", 1)
            if registry.org_family(org, name) is not None:
                return record
    return None


@functools.cache
def _registry() -> Any:
    # Parsed once: the relays call first_party_record for every page they pass on.
    from hfwatch.registry import load_registry

    return load_registry()
