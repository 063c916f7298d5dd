"""The simulated Hub: a real HTTP server on 127.0.0.1 serving ``GET /api/models`` from the catalogue."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from . import query
from .catalogue import Catalogue, Model, anchor_for, build_catalogue
from .clock import SimClock
from .faults import Faults
from .oddities import hostile_records, weird_records
from .ratelimit import FixedWindow
from .stats import Stats

_NOT_FOUND = {"error": "Sorry, we can't find the page you are looking for."}
_STATUS_ERRORS = {
    "500": (500, "Internal Error - We're working hard to fix this as soon as possible!"),
    "502": (502, "Bad Gateway"),
    "503": (503, "Service Unavailable"),
}
# Valid JSON up to a point, then cut: what a proxy error page or a half-written cache entry looks like.
_MALFORMED = b'[{"_id":"6a2cfbf15c4b5ce712d08eb6","id":"moonshotai/Kimi-K3","likes":96'


class SimHub:
    """The simulated Hub. ``start()`` it (or use ``with``), point ``HfApi(endpoint=sim.url)`` at it.

    - ``clock``: simulated time; counters and visibility follow it. The release schedule is laid out around
      the clock's reading at construction (floored to the day), so any start date has releases ahead.
    - ``page_size``: the page size when a request gives no ``limit`` (``limit`` itself is capped at 1000).
    - ``quota`` / ``window_s``: the fixed-window rate limit, on real time, over every request.
    - Cursors carry the first page's simulated instant; see :mod:`hfwatch.hub.simhub.query`.
    """

    def __init__(
        self,
        seed: int = 7,
        clock: SimClock | None = None,
        page_size: int = 100,
        quota: int = 500,
        window_s: float = 300,
        port: int = 0,
    ) -> None:
        self.seed = seed
        self.clock = clock if clock is not None else SimClock()
        self.page_size = max(1, min(int(page_size), query.MAX_LIMIT))
        self.faults = Faults()
        self.stats = Stats()
        self.ratelimit = FixedWindow(quota, window_s)
        # Releases are scheduled around the clock's start, whatever date the hub is started at.
        self.models: Catalogue = build_catalogue(seed, anchor_for(self.clock.now()))
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._listings: OrderedDict[tuple[object, ...], list[Model]] = OrderedDict()
        self._listings_lock = threading.Lock()

    def listing(self, q: query.Query, t: float) -> list[Model]:
        """The sorted selection for ``q`` at ``t``. Cursor pages share their first page's snapshot instant,
        so walking N pages sorts once instead of N times."""
        key = (
            t,
            q.author and q.author.lower(),
            q.search and q.search.lower(),
            q.filters,
            q.pipeline_tag,
            q.sort,
        )
        with self._listings_lock:
            hit = self._listings.get(key)
            if hit is not None:
                self._listings.move_to_end(key)
                return hit
        selected = query.select(self.models, q, t)
        with self._listings_lock:
            self._listings[key] = selected
            while len(self._listings) > 16:
                self._listings.popitem(last=False)
        return selected

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> SimHub:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.hub = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="simhub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.stopping.set()  # wakes handlers held by the "slow" fault
        server.shutdown()
        server.close_all()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SimHub:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SimHub is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, no trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    # -- views for tests ---------------------------------------------------------------------------------

    @property
    def catalogue(self) -> list[dict[str, Any]]:
        """Every model (future releases included) as a full record at the current simulated time (all of
        ``full=true`` but the bulky ``siblings``), plus a ``_sim`` dict with the intended attribution: kind,
        family, via (org/lineage/name), base_family, relation, bases, created (Unix seconds)."""
        t = self.clock.now()
        return [self._full(m, t) for m in self.models.models]

    def visible_models(self) -> list[dict[str, Any]]:
        """The models a listing would show now, as :attr:`catalogue` records."""
        t = self.clock.now()
        return [self._full(m, t) for m in self.models.visible(t)]

    def _full(self, m: Model, t: float) -> dict[str, Any]:
        rec = query.record(m, t, _VIEW_FIELDS)
        rec["_sim"] = {
            "kind": m.kind,
            "family": m.family,
            "via": m.via,
            "base_family": m.base_family,
            "relation": m.relation,
            "bases": list(m.bases),
            "created": m.created,
        }
        return rec

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"SimHub({where}, seed={self.seed}, models={len(self.models)}, {self.clock!r})"


_VIEW_FIELDS = tuple(f for f in query.FULL_FIELDS if f != "siblings")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    hub: SimHub

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()

    def track(self, conn: socket.socket, alive: bool) -> None:
        with self._conns_lock:
            if alive:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def close_all(self) -> None:
        """Cut kept-alive connections so their handler threads end with the server."""
        with self._conns_lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-response is routine here (timeouts, truncation tests): stay silent.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects from the Hub
    server_version = "simhub"
    sys_version = ""
    timeout = 60  # idle kept-alive connections are dropped after this
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's delayed ACK
    # (~40 ms per response on loopback).
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        try:
            self._get()
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True

    def do_HEAD(self) -> None:
        self.do_GET()

    # -- request handling ----------------------------------------------------------------------------------

    def _get(self) -> None:
        hub = self.server.hub
        path, _, raw_query = self.path.partition("?")
        verdict = hub.ratelimit.hit()
        hub.stats.record_request(path, verdict.window)
        quota, window = hub.ratelimit.quota, int(hub.ratelimit.window_s)
        limit_headers = {
            "RateLimit": f'"api";r={verdict.remaining};t={verdict.reset_s}',
            "RateLimit-Policy": f'"fixed window";"api";q={quota};w={window}',
        }
        if not verdict.allowed:
            self._json(
                429, {"error": "Too Many Requests: you have reached your 'api' rate limit"}, limit_headers
            )
            return
        if path.rstrip("/") != "/api/models":
            self._json(404, _NOT_FOUND, limit_headers)
            return

        fault = hub.faults.take()
        if fault == "slow":
            self.server.stopping.wait(hub.faults.delay_s)
            fault = None
        if fault == "429":
            limit_headers["RateLimit"] = f'"api";r=0;t={hub.faults.retry_after}'
            self._json(
                429, {"error": "Too Many Requests: you have reached your 'api' rate limit"}, limit_headers
            )
            return
        if fault == "429-bare":
            self._json(429, {"error": "Too Many Requests"}, {})
            return
        if fault in _STATUS_ERRORS:
            status, message = _STATUS_ERRORS[fault]
            self._json(status, {"error": message}, limit_headers)
            return
        if fault == "malformed":
            self._send(200, _MALFORMED, limit_headers)
            return
        if fault == "empty":
            self._json(200, [], limit_headers)
            return

        try:
            q = query.parse_query(parse_qsl(raw_query, keep_blank_values=True), hub.page_size)
        except query.BadRequest as e:
            self._json(400, {"error": str(e)}, limit_headers)
            return
        t = q.snapshot if q.snapshot is not None else hub.clock.now()
        selected = hub.listing(q, t)
        page = selected[q.offset : q.offset + q.limit]
        headers = dict(limit_headers)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if fault == "cursor-loop":
            headers["Link"] = f'<{base}{self.path}>; rel="next"'
        elif q.offset + q.limit < len(selected):
            headers["Link"] = query.next_link(base, q, t, q.offset + q.limit)
        if fault in ("weird-records", "hostile"):
            records = [query.record(m, t, q.fields) for m in page]
            if fault == "weird-records":
                weird = weird_records(records)
                records = weird[:3] + records + weird[3:]
            else:
                records = hostile_records(page or hub.models.visible(t)[-5:], t, q.fields) + records
            body = json.dumps(records, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        else:
            body = query.render(page, t, q.fields)
        if fault == "truncated":
            self._send_truncated(body, headers)
            return
        self._send(200, body, headers)

    def _json(self, status: int, payload: object, headers: dict[str, str]) -> None:
        self._send(status, json.dumps(payload, separators=(",", ":")).encode(), headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
            self.server.hub.stats.record_bytes(len(body))

    def _send_truncated(self, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body) + 4096))
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Connection", "close")
        self.end_headers()
        part = body[: max(1, len(body) // 2)]
        self.wfile.write(part)
        self.wfile.flush()
        self.server.hub.stats.record_bytes(len(part))
        self.close_connection = True
