"""The simulated Hub: a real HTTP server on 127.0.0.1 serving ``GET /api/models`` from the catalogue."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Sequence
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from . import query
from .catalogue import Catalogue, Model, anchor_for, build_catalogue
from .clock import SimClock
from .exchange import Reply, Request, ResponseHook, json_body
from .listing import Listings
from .ratelimit import FixedWindow
from .refresh import Schedule
from .stats import Stats
from .tail import Tail, tail_roots
from .truth import Truth

_NOT_FOUND = {"error": "Sorry, we can't find the page you are looking for."}
_TOO_MANY = {"error": "Too Many Requests: you have reached your 'api' rate limit"}


class SimHub:
    """The simulated Hub. ``start()`` it (or use ``with``), point ``HfApi(endpoint=sim.url)`` at it.

    - ``clock``: simulated time; counters and visibility follow it. The release schedule is laid out around
      the clock's reading at construction (floored to the day), so any start date has releases ahead.
    - ``page_size``: the page size when a request gives no ``limit`` (``limit`` itself is capped at 1000).
    - ``quota`` / ``window_s``: the fixed-window rate limit, on real time, over every request.
    - ``tail``: how many long-tail repos the listing sorted by downloads adds (lazily, see
      :mod:`hfwatch_sim.tail`); 0 (the default) for none.
    - ``response_hook``: None, or a :data:`~hfwatch_sim.exchange.ResponseHook` that sees every listing
      request and may replace or change its reply (the tests' fault injection).
    - ``truth``: the generator's ground truth (:class:`~hfwatch_sim.truth.Truth`).
    - Cursors are a live keyset; see :mod:`hfwatch_sim.query`. Counters refresh daily; see
      :mod:`hfwatch_sim.refresh`.
    """

    def __init__(
        self,
        seed: int = 7,
        clock: SimClock | None = None,
        page_size: int = 100,
        quota: int = 500,
        window_s: float = 300,
        port: int = 0,
        tail: int = 0,
    ) -> None:
        self.seed = seed
        self.clock = clock if clock is not None else SimClock()
        self.page_size = max(1, min(int(page_size), query.MAX_LIMIT))
        self.stats = Stats()
        self.ratelimit = FixedWindow(quota, window_s)
        self.response_hook: ResponseHook | None = None
        # Releases are scheduled around the clock's start, whatever date the hub is started at.
        self.models: Catalogue = build_catalogue(seed, anchor_for(self.clock.now()))
        self.schedule = Schedule(seed)
        anchor = anchor_for(self.clock.now())
        self.tail = (
            Tail(seed, tail, anchor, tail_roots(self.models.models, anchor), skip=self.schedule.not_full)
            if tail > 0
            else None
        )
        self.listings = Listings(self.models, self.schedule, self.tail)
        self.truth = Truth(self.models, self.schedule, self.tail)
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def answer(self, request: Request) -> Reply:
        """The reply to a listing request, before any hook."""
        headers = dict(request.rate_headers)
        try:
            q = query.parse_query(parse_qsl(request.query, keep_blank_values=True), self.page_size)
        except query.BadRequest as e:
            return Reply(400, json_body({"error": str(e)}), headers)
        page, last = self.listings.page(q, request.t)
        if last is not None:
            headers["Link"] = query.next_link(request.base_url, q, *last)
        return Reply(200, query.render(page, request.t, q.fields, self.schedule), headers)

    def record(self, m: Model, t: float, fields: Sequence[str]) -> dict[str, object]:
        """One model as a listing with ``fields`` shows it at ``t``."""
        return query.record(m, t, fields, self.schedule)

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
        rec = self.record(m, t, _VIEW_FIELDS)
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

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Hub's own clock dates every response: the client dates its polls by it.
        return formatdate(self.server.hub.clock.now() if timestamp is None else timestamp, usegmt=True)

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
            self._reply(Reply(429, json_body(_TOO_MANY), limit_headers))
            return
        if path.rstrip("/") != "/api/models":
            self._reply(Reply(404, json_body(_NOT_FOUND), limit_headers))
            return
        request = Request(
            path=self.path,
            query=raw_query,
            t=hub.clock.now(),
            base_url=f"http://127.0.0.1:{self.server.server_address[1]}",
            rate_headers=limit_headers,
            stopping=self.server.stopping,
        )
        hook = hub.response_hook
        self._reply(hook(request, lambda: hub.answer(request)) if hook is not None else hub.answer(request))

    def _reply(self, reply: Reply) -> None:
        if reply.truncate:
            self._send_truncated(reply.body, reply.headers)
        else:
            self._send(reply.status, reply.body, reply.headers)

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
