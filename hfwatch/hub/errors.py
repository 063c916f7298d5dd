"""The errors a poll raises, apart from the HTTP client: code that only catches or raises them (the
monitor's writer gate, the deep walk's bookkeeping) need not import httpx2, which costs a tenth of a
second of the monitor's start."""

from __future__ import annotations


class HubError(Exception):
    """A poll could not complete; the message is one line meant for the user."""


class HubUnreachable(HubError):
    pass


class PollCancelled(HubError):
    pass


class PollDeadline(HubError):
    pass


class RateLimited(HubError):
    def __init__(self, message: str, reset_at: float | None) -> None:
        super().__init__(message)
        self.reset_at = reset_at
