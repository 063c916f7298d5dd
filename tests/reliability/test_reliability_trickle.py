"""A server that trickles its body a byte at a time cannot hold a poll past its deadline or a cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.records import Lane
from hfwatch.registry import load_registry

pytestmark = pytest.mark.reliability


class _Trickle(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(300):  # each byte well within the read timeout; the whole body never is
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass


@pytest.fixture
def trickle_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_trickled_body_stops_at_the_deadline(trickle_url: str) -> None:
    poller = Poller(HubClient(trickle_url, token=False), load_registry())
    started = time.monotonic()
    result = poller.fetch(Lane.FAST, deadline_s=1.5)
    assert time.monotonic() - started < 10
    assert result.error is not None and "deadline" in result.error


def test_trickled_body_stops_on_cancel(trickle_url: str) -> None:
    poller = Poller(HubClient(trickle_url, token=False), load_registry())
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    result = poller.fetch(Lane.FAST, cancel=cancel, deadline_s=60)
    assert time.monotonic() - started < 10
    assert result.error == "poll cancelled"
