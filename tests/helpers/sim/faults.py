"""Switchable faults of the simulated Hub, set from a test thread and applied by its response hook."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from hfwatch_sim import Reply, Request, SimHub
from hfwatch_sim.exchange import json_body
from hfwatch_sim.query import BadRequest, parse_query

from .oddities import hostile_records, weird_records

#: Every fault kind the server knows how to produce.
FAULT_KINDS: frozenset[str] = frozenset(
    {
        "429",  # 429 with RateLimit r=0;t=retry_after (what the real Hub sends over quota)
        "429-bare",  # 429 with no rate-limit headers at all
        "500",
        "502",
        "503",
        "slow",  # sleep delay_s, then answer normally
        "malformed",  # 200 whose body is not JSON
        "truncated",  # Content-Length larger than the body, then the connection closes
        "cursor-loop",  # the Link next URL points back at the same page, forever
        "weird-records",  # records with missing/unexpected fields and nonsense counts
        "empty",  # 200 with []
        "hostile",  # records carrying terminal/markup escapes, huge and bidi strings
    }
)


_STATUS_ERRORS = {
    "500": (500, "Internal Error - We're working hard to fix this as soon as possible!"),
    "502": (502, "Bad Gateway"),
    "503": (503, "Service Unavailable"),
}
# Valid JSON up to a point, then cut: what a proxy error page or a half-written cache entry looks like.
_MALFORMED = b'[{"_id":"6a2cfbf15c4b5ce712d08eb6","id":"moonshotai/Kimi-K3","likes":96'
_TOO_MANY = {"error": "Too Many Requests: you have reached your 'api' rate limit"}


class Faults:
    """One active fault at a time: ``set`` replaces whatever was active.

    ``count=None`` keeps the fault until ``clear()``; ``count=N`` applies it to the next N requests to
    ``/api/models`` only (other paths never consume it, so telemetry probes cannot eat a fault).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kind: str | None = None
        self._remaining: int | None = None
        self._retry_after = 2
        self._delay_s = 5.0
        self._released = threading.Event()

    def release(self) -> None:
        """Let every response the "slow" fault holds go now (and later ones through at once)."""
        self._released.set()

    def set(self, kind: str, count: int | None = None) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if count is not None and count < 1:
            raise ValueError("count must be a positive integer or None")
        with self._lock:
            self._kind = kind
            self._remaining = count

    def clear(self) -> None:
        with self._lock:
            self._kind = None
            self._remaining = None

    @property
    def active(self) -> str | None:
        with self._lock:
            return self._kind

    @property
    def remaining(self) -> int | None:
        with self._lock:
            return self._remaining

    @property
    def retry_after(self) -> int:
        """Seconds announced in ``t=`` by the "429" fault."""
        with self._lock:
            return self._retry_after

    @retry_after.setter
    def retry_after(self, value: int) -> None:
        with self._lock:
            self._retry_after = max(0, int(value))

    @property
    def delay_s(self) -> float:
        """How long the "slow" fault holds a response."""
        with self._lock:
            return self._delay_s

    @delay_s.setter
    def delay_s(self, value: float) -> None:
        with self._lock:
            self._delay_s = max(0.0, float(value))

    def take(self) -> str | None:
        """The fault to apply to one request, consuming one use of a counted fault."""
        with self._lock:
            kind = self._kind
            if kind is not None and self._remaining is not None:
                self._remaining -= 1
                if self._remaining <= 0:
                    self._kind = None
                    self._remaining = None
            return kind

    def __repr__(self) -> str:
        return f"Faults(active={self.active!r}, remaining={self.remaining!r})"

    def respond(self, hub: SimHub, request: Request, answer: Callable[[], Reply]) -> Reply:
        """The response hook: the active fault's reply, or the hub's own."""
        fault = self.take()
        if fault == "slow":
            # Held until the delay passes, the test releases it, or the server stops: a test can keep a
            # poll in flight for exactly as long as it needs, whatever the machine's speed.
            until = time.monotonic() + self.delay_s
            while not (request.stopping.is_set() or self._released.is_set()) and time.monotonic() < until:
                self._released.wait(0.02)
            fault = None
        headers = dict(request.rate_headers)
        if fault == "429":
            headers["RateLimit"] = f'"api";r=0;t={self.retry_after}'
            return Reply(429, json_body(_TOO_MANY), headers)
        if fault == "429-bare":
            return Reply(429, json_body({"error": "Too Many Requests"}), {})
        if fault in _STATUS_ERRORS:
            status, message = _STATUS_ERRORS[fault]
            return Reply(status, json_body({"error": message}), headers)
        if fault == "malformed":
            return Reply(200, _MALFORMED, headers)
        if fault == "empty":
            return Reply(200, b"[]", headers)
        reply = answer()
        if reply.status != 200 or fault is None:
            return reply
        if fault == "cursor-loop":
            reply.headers["Link"] = f'<{request.base_url}{request.path}>; rel="next"'
        elif fault == "truncated":
            reply.truncate = True
        elif fault in ("weird-records", "hostile"):
            reply.body = json_body(_odd_records(hub, request, json.loads(reply.body), fault))
        return reply


def _odd_records(hub: SimHub, request: Request, records: list[dict[str, object]], fault: str) -> list[object]:
    if fault == "weird-records":
        weird = weird_records(records)
        return [*weird[:3], *records, *weird[3:]]
    try:
        fields = parse_query(parse_qsl(request.query, keep_blank_values=True), hub.page_size).fields
    except BadRequest:
        fields = ()
    # Templates of a tracked family, so the hostile records are attributed and reach every screen (most of a
    # trending or newest page is untracked).
    tracked = [r for r in records if hub.truth.model(str(r["id"])).family is not None]
    templates = tracked or [hub.record(m, request.t, fields) for m in hub.models.visible(request.t)[-5:]]
    return [*hostile_records(templates, fields), *records]
