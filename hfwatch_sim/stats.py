"""Traffic counters of the simulated Hub, read by tests and benchmarks."""

from __future__ import annotations

import threading


class Stats:
    """Thread-safe counters. ``max_in_window`` is the most requests seen in one rate-limit window."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._bytes_sent = 0
        self._by_path: dict[str, int] = {}
        self._max_in_window = 0
        self._window: int | None = None
        self._in_window = 0

    def record_request(self, path: str, window: int) -> None:
        with self._lock:
            self._requests += 1
            self._by_path[path] = self._by_path.get(path, 0) + 1
            if window != self._window:
                self._window, self._in_window = window, 0
            self._in_window += 1
            self._max_in_window = max(self._max_in_window, self._in_window)

    def record_bytes(self, n: int) -> None:
        with self._lock:
            self._bytes_sent += n

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    @property
    def bytes_sent(self) -> int:
        """Response body bytes actually written (headers excluded)."""
        with self._lock:
            return self._bytes_sent

    @property
    def by_path(self) -> dict[str, int]:
        """Requests per URL path (query string excluded); a copy."""
        with self._lock:
            return dict(self._by_path)

    @property
    def max_in_window(self) -> int:
        with self._lock:
            return self._max_in_window

    def reset(self) -> None:
        with self._lock:
            self._requests = 0
            self._bytes_sent = 0
            self._by_path = {}
            self._max_in_window = 0
            self._window = None
            self._in_window = 0

    def __repr__(self) -> str:
        return f"Stats(requests={self.requests}, bytes_sent={self.bytes_sent}, max_in_window={self.max_in_window})"
