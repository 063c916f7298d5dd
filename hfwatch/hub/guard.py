"""Bounds on every request a poll sends: timeouts, retries, the rate budget, a deadline, cancellation.

huggingface_hub 2.x applies no timeout and its backoff may sleep for minutes on a 429, in a
loop nobody can interrupt. hfwatch therefore owns the retry policy at the transport of the
hub client's own session: a request either comes back as a final answer (2xx or a 4xx that
retrying cannot fix) or raises a `HubError`, which huggingface_hub does not retry. Every wait
happens on an `Event`, so a poll can be cancelled at any moment.
"""

from __future__ import annotations

import contextvars
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx2
from huggingface_hub import constants
from huggingface_hub.errors import OfflineModeIsEnabled
from huggingface_hub.utils import parse_ratelimit_headers

from hfwatch.hub.errors import HubError, HubUnreachable, PollCancelled, PollDeadline, RateLimited
from hfwatch.hub.parse import parse_http_date
from hfwatch.records import PollStats

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RequestPolicy:
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 20.0
    max_attempts: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 8.0
    # Requests kept back from the budget the Hub reports, so a second client on the same
    # IP (a browser, a notebook) is not pushed over the limit by us.
    budget_reserve: int = 5

    @classmethod
    def from_env(cls) -> RequestPolicy:
        """The defaults, adjusted by HFWATCH_CONNECT_TIMEOUT / HFWATCH_READ_TIMEOUT / HFWATCH_MAX_ATTEMPTS /
        HFWATCH_BACKOFF (seconds of the first retry wait; later waits double, up to 8x it).

        Hidden knobs for slow links and for tests, which cannot wait 20 s for a stalled server to time out.
        """
        base = cls()
        backoff = _env_number("HFWATCH_BACKOFF", base.backoff_base_s)
        return cls(
            connect_timeout_s=_env_number("HFWATCH_CONNECT_TIMEOUT", base.connect_timeout_s),
            read_timeout_s=_env_number("HFWATCH_READ_TIMEOUT", base.read_timeout_s),
            max_attempts=int(_env_number("HFWATCH_MAX_ATTEMPTS", base.max_attempts, integer=True)),
            backoff_base_s=backoff,
            backoff_max_s=base.backoff_max_s if backoff == base.backoff_base_s else backoff * 8,
            budget_reserve=base.budget_reserve,
        )


def _env_number(name: str, default: float, *, integer: bool = False) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = -1
    if not math.isfinite(value) or value <= 0:
        kind = "a whole number" if integer else "a number of seconds"
        raise HubError(f"{name}={raw!r}: expected {kind} greater than 0")
    return value


StatusCallback = Callable[[str], None]


class PollGuard:
    """The state of one poll: its deadline, its share of the rate budget, and what it cost."""

    def __init__(
        self,
        *,
        deadline: float,
        policy: RequestPolicy | None = None,
        cancel: threading.Event | None = None,
        on_status: StatusCallback | None = None,
        budget: RateBudget | None = None,
        pace: Callable[[], None] | None = None,
    ) -> None:
        self.deadline = deadline
        # Called between pages: the monitor's UI may ask the poll's thread to give way (hfwatch.pacing).
        self.pace = pace
        self.policy = policy or RequestPolicy()
        self.cancel = cancel or threading.Event()
        self.on_status = on_status
        self.budget = budget or RateBudget()
        self.stats = PollStats()
        self.started = time.monotonic()
        # Every URL fetched by this poll: a Link cursor that points back at a page already
        # read would otherwise make pagination loop until the deadline.
        self.seen_urls: set[str] = set()

    def remaining_s(self) -> float:
        return self.deadline - time.monotonic()

    def say(self, message: str) -> None:
        if self.on_status is not None:
            self.on_status(message)

    def wait(self, seconds: float, why: str) -> None:
        """Sleep, but never past the deadline and never through a cancellation."""
        if seconds <= 0:
            return
        if seconds > self.remaining_s():
            raise PollDeadline(f"{why}: waiting {seconds:.0f} s would pass the poll's deadline")
        self.say(f"{why}: waiting {seconds:.0f} s")
        self.stats.waited_s += seconds
        if self.cancel.wait(seconds):
            raise PollCancelled("poll cancelled")

    def check(self) -> None:
        if self.pace is not None:
            self.pace()
        if self.cancel.is_set():
            raise PollCancelled("poll cancelled")
        if self.remaining_s() <= 0:
            raise PollDeadline("the poll ran past its deadline")


class RateBudget:
    """What the Hub's RateLimit headers last said, shared by every poll of one client.

    Thread-safe: the fast and slow lanes may poll at the same time.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.remaining: int | None = None
        self.limit: int | None = None
        self.reset_at: float | None = None  # monotonic
        self.reset_at_wall: float | None = None

    def update(self, headers: httpx2.Headers) -> None:
        info = parse_ratelimit_headers(headers)
        if info is None:
            return
        now = time.monotonic()
        with self._lock:
            self.remaining = info.remaining
            self.limit = info.limit
            self.reset_at = now + info.reset_in_seconds
            self.reset_at_wall = time.time() + info.reset_in_seconds

    def take(self, reserve: int) -> float:
        """Claim one request; return 0, or the seconds to wait for the window to reset."""
        now = time.monotonic()
        with self._lock:
            if self.remaining is None or self.reset_at is None:
                return 0.0
            if now >= self.reset_at:
                # A new window: unknown until the next response says; let one request find out.
                self.remaining = None
                return 0.0
            if self.remaining > reserve:
                self.remaining -= 1
                return 0.0
            return self.reset_at - now

    def fill(self, stats: PollStats) -> None:
        with self._lock:
            stats.rate_remaining = self.remaining
            stats.rate_limit = self.limit
            stats.rate_reset_at = self.reset_at_wall


_current_guard: contextvars.ContextVar[PollGuard | None] = contextvars.ContextVar("hfwatch_guard", default=None)


@contextmanager
def guarding(guard: PollGuard) -> Iterator[PollGuard]:
    token = _current_guard.set(guard)
    try:
        yield guard
    finally:
        _current_guard.reset(token)


def _retry_wait(response: httpx2.Response, attempt: int, policy: RequestPolicy) -> float:
    info = parse_ratelimit_headers(response.headers)
    if response.status_code == 429 and info is not None and info.remaining == 0:
        return float(info.reset_in_seconds) + 1.0
    retry_after = response.headers.get("retry-after", "")
    if retry_after.strip().isdigit():
        return float(retry_after.strip())
    return min(policy.backoff_max_s, policy.backoff_base_s * 2 ** (attempt - 1))


def _describe(response: httpx2.Response) -> str:
    if response.status_code == 429:
        return "the Hub's rate limit was reached (HTTP 429)"
    return f"the Hub answered HTTP {response.status_code}"


class GuardedTransport(httpx2.BaseTransport):
    """Applies the current poll's guard to every request the hub client's session sends.

    Requests sent outside a poll (no guard set) still get the default timeouts.
    """

    def __init__(self, inner: httpx2.BaseTransport, policy: RequestPolicy | None = None) -> None:
        self.inner = inner
        self.default_policy = policy or RequestPolicy()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if constants.is_offline_mode():
            # What huggingface_hub's own session does in offline mode, for every user of the session.
            raise OfflineModeIsEnabled(f"Cannot reach {request.url}: offline mode is enabled (HF_HUB_OFFLINE)")
        guard = _current_guard.get()
        if guard is None:
            self._set_timeout(request, self.default_policy, None)
            return self._send(request, None)
        policy = guard.policy
        url = str(request.url)
        if url in guard.seen_urls:
            raise HubError("the Hub's pagination points back at a page already read (cursor loop)")
        guard.seen_urls.add(url)
        attempt = 0
        while True:
            guard.check()
            wait = guard.budget.take(policy.budget_reserve)
            if wait > 0:
                guard.wait(wait, "request budget used up for this window")
                continue  # waiting for the window is not an attempt: nothing was sent
            attempt += 1
            self._set_timeout(request, policy, guard)
            guard.stats.requests += 1
            try:
                response = self._send(request, guard)
            except httpx2.ConnectError as err:
                raise HubUnreachable(
                    f"cannot connect to {request.url.scheme}://{request.url.netloc.decode()}: {_reason(err)}"
                ) from None
            except (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError) as err:
                if attempt >= policy.max_attempts:
                    # A timeout and a connection cut mid-answer (truncated body) call for different fixes.
                    what = (
                        "did not answer in time" if isinstance(err, httpx2.TimeoutException) else "broke off its answer"
                    )
                    raise HubError(f"the Hub {what} ({type(err).__name__}) after {attempt} attempts") from None
                guard.stats.retries += 1
                guard.wait(
                    min(policy.backoff_max_s, policy.backoff_base_s * 2 ** (attempt - 1)),
                    f"{type(err).__name__}, retrying",
                )
                continue
            guard.stats.bytes += len(response.content)
            guard.budget.update(response.headers)
            if response.status_code not in RETRY_STATUSES:
                return response
            _wait_to_retry(response, attempt, policy, guard)

    def _send(self, request: httpx2.Request, guard: PollGuard | None) -> httpx2.Response:
        response = self.inner.handle_request(request)
        if guard is None:
            try:
                response.read()
            finally:
                response.close()
            return response
        # Counted once the status line is in: a body that breaks off below is still an answer
        # (the poll is then recorded as failed), unlike a server that never answered.
        guard.stats.responses += 1
        guard.stats.note_hub_time(_hub_date(response.headers))
        # The read timeout bounds each socket read, not the body: a server trickling a byte at a
        # time would hold the poll past its deadline. Checking between chunks keeps the poll
        # bounded and cancellable.
        chunks: list[bytes] = []
        try:
            for chunk in response.stream:  # type: ignore[union-attr]
                guard.check()
                chunks.append(chunk)
        finally:
            response.close()
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            content=b"".join(chunks),
            request=request,
            extensions=response.extensions,
        )

    @staticmethod
    def _set_timeout(request: httpx2.Request, policy: RequestPolicy, guard: PollGuard | None) -> None:
        read = policy.read_timeout_s
        connect = policy.connect_timeout_s
        if guard is not None:
            left = max(0.1, guard.remaining_s())
            read, connect = min(read, left), min(connect, left)
        request.extensions["timeout"] = httpx2.Timeout(read, connect=connect).as_dict()

    def close(self) -> None:
        self.inner.close()


def _hub_date(headers: httpx2.Headers) -> float | None:
    """The Hub's clock from a response's `Date`, None when absent or unreadable.

    A relay on the way may write its own `Date` ahead of the one it passes on (as `http.server` does):
    the last readable one is the origin's.
    """
    for value in reversed(headers.get_list("date")):
        seconds = parse_http_date(value)
        if seconds is not None:
            return seconds
    return None


def _reason(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[-1] if text else type(err).__name__


def _wait_to_retry(response: httpx2.Response, attempt: int, policy: RequestPolicy, guard: PollGuard) -> None:
    """After a 429 or 5xx: wait to send again, or give up when out of attempts or of the poll's time."""
    if attempt >= policy.max_attempts:
        reset_at = guard.budget.reset_at_wall if response.status_code == 429 else None
        raise (
            RateLimited(f"{_describe(response)} after {attempt} attempts", reset_at)
            if response.status_code == 429
            else HubError(f"{_describe(response)} after {attempt} attempts")
        )
    wait = _retry_wait(response, attempt, policy)
    if wait > guard.remaining_s():
        if response.status_code == 429:
            raise RateLimited(
                f"{_describe(response)}; it resets in {wait:.0f} s, past this poll's deadline",
                time.time() + wait,
            )
        raise PollDeadline(f"{_describe(response)}; no time left to retry")
    guard.stats.retries += 1
    guard.wait(wait, _describe(response))
