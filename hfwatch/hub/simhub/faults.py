"""Switchable faults of the simulated Hub, set from a test thread and read by the server threads."""

from __future__ import annotations

import threading

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
