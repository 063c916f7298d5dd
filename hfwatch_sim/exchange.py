"""One ``/api/models`` exchange as the server's response hook sees it.

The hook is how tests bend the simulated Hub (fault injection lives in ``tests/sim``): a callable
``hook(request, answer) -> Reply`` installed as :attr:`SimHub.response_hook`. It may return its own reply
without calling ``answer()`` (an error status, a stalled or malformed body), or call ``answer()`` for the
normal reply and change it (headers, body, ``truncate``). Rate limiting and 404s happen before the hook, so
only listing requests ever reach it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Request:
    path: str  # path and query string, as received
    query: str  # the raw query string
    t: float  # the simulated instant the request arrived at
    base_url: str  # ``http://127.0.0.1:PORT``
    rate_headers: dict[str, str]  # the RateLimit headers the reply would carry
    stopping: threading.Event  # set when the server shuts down: a hook that stalls waits on it


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    #: Announce a longer body than is sent, send half of it and close: a connection cut mid-body.
    truncate: bool = False


ResponseHook = Callable[[Request, Callable[[], Reply]], Reply]


def json_body(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
