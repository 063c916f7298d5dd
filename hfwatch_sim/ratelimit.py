"""The Hub's "api" rate limit: a fixed window of real (not simulated) time, counting every request."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    remaining: int
    reset_s: int
    window: int  # index of the window the request fell in
    count: int  # requests counted in that window, this one included


class FixedWindow:
    """``quota`` requests per ``window_s`` seconds of monotonic time, windows aligned on creation.

    Requests over the quota are still counted (the real Hub counts them too), so hammering a limited
    client never shortens its wait.
    """

    def __init__(self, quota: int, window_s: float) -> None:
        if quota < 1 or window_s <= 0:
            raise ValueError("quota must be >= 1 and window_s > 0")
        self.quota = int(quota)
        self.window_s = float(window_s)
        self._lock = threading.Lock()
        self._origin = time.monotonic()
        self._window = 0
        self._count = 0

    def hit(self) -> Verdict:
        now = time.monotonic()
        with self._lock:
            window = int((now - self._origin) // self.window_s)
            if window != self._window:
                self._window, self._count = window, 0
            self._count += 1
            count = self._count
        end = self._origin + (window + 1) * self.window_s
        reset_s = max(1, math.ceil(end - now))
        remaining = max(0, self.quota - count)
        return Verdict(count <= self.quota, remaining, reset_s, window, count)

    def peek(self) -> tuple[int, int]:
        """(remaining, reset_s) without counting a request."""
        now = time.monotonic()
        with self._lock:
            window = int((now - self._origin) // self.window_s)
            count = self._count if window == self._window else 0
        end = self._origin + (window + 1) * self.window_s
        return max(0, self.quota - count), max(1, math.ceil(end - now))

    def reset(self) -> None:
        """Start a fresh window now (tests use it to get a full quota back without waiting)."""
        with self._lock:
            self._origin = time.monotonic()
            self._window = 0
            self._count = 0
