"""The thread side of polling: fetch from the Hub, save into the writer store. No Textual here.

Used only from the app's poll workers. Both lanes may fetch at the same time (network), but
saving goes through one lock: the writer store is a single SQLite connection, and a poll is
one transaction that must not interleave with another.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from hfwatch.deep import DeepOutcome, LanesNeed, walk_deep
from hfwatch.engine import Poller, PollOutcome
from hfwatch.gapfill import GapFill, fill_fast_poll, known_gaps, save_fast_poll
from hfwatch.hub.errors import PollCancelled
from hfwatch.pacing import GiveWay
from hfwatch.records import Lane
from hfwatch.store import Store, walks
from hfwatch.store.walks import Walk

StatusCallback = Callable[[str], None]
# The demo's back-fill: (simulated time, lane) of each poll, given the time the demo starts at.
BackfillPlan = Callable[[float], Sequence[tuple[float, Lane]]]


class WriterGate:
    """The writer connection's lock, shut for good when the session closes the store.

    A poll whose fetch ends after the session began to close (cancelled, or finishing anyway) must not
    write: the store is about to be closed under it, and SQLite does not survive a connection closed while
    another thread writes through it. Entering a shut gate raises PollCancelled instead."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shut = False

    def __enter__(self) -> WriterGate:
        self._lock.acquire()
        if self._shut:
            self._lock.release()
            raise PollCancelled("the session is closing")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._lock.release()

    def shut(self, timeout_s: float) -> None:
        """Wait for a write under way (a transaction is short), then let no other in."""
        if self._lock.acquire(timeout=timeout_s):
            self._shut = True
            self._lock.release()
        else:
            self._shut = True


class Feeder:
    def __init__(
        self,
        poller: Poller,
        writer: Store,
        *,
        set_clock: Callable[[float], None] | None = None,
        reset_budget: Callable[[], None] | None = None,
        speed: float = 1.0,
    ) -> None:
        self.poller = poller
        self._writer = writer
        # Only the simulated Hub's clock can be moved (for the demo's back-fill of history).
        self._set_clock = set_clock
        self._reset_budget = reset_budget
        self.speed = speed
        self._save_lock = WriterGate()
        self.cancel = threading.Event()
        # The deep walk's own: pausing stops the walk, not the other lanes (closing stops all).
        self.deep_cancel = threading.Event()
        self.last_gap: GapFill | None = None
        # Held by the UI thread while it answers a key: the polls wait for it at their checkpoints.
        self.give_way = GiveWay()

    def poll(self, lane: Lane, on_status: StatusCallback | None = None) -> PollOutcome:
        known = None
        if lane is Lane.FAST:
            with self._save_lock:
                known = known_gaps(self._writer.conn)
        result = self.poller.fetch(lane, cancel=self.cancel, on_status=on_status, pace=self.give_way.checkpoint)
        # Off longer than the newest listing covers (now or before): the releases in between are listed too.
        fill = None
        if known is not None:
            fill = fill_fast_poll(self.poller, result, known, cancel=self.cancel, on_status=on_status)
            self.last_gap = fill
        with self._save_lock:
            return save_fast_poll(self.poller, self._writer, result, fill, pace=self.give_way.checkpoint)

    def deep_walks(self) -> tuple[Walk | None, Walk | None]:
        """The latest walk stored and the latest finished one."""
        with self._save_lock:
            return walks.latest(self._writer.conn), walks.latest(self._writer.conn, finished=True)

    def deep(
        self,
        floor: int,
        on_page: Callable[[Walk], None] | None = None,
        on_status: StatusCallback | None = None,
        lanes_need: LanesNeed | None = None,
    ) -> DeepOutcome:
        """Walk (or resume) the deep lane in this thread, storing each page under the lock the lanes share."""
        self.deep_cancel = threading.Event()
        if self.cancel.is_set():
            self.deep_cancel.set()
        return walk_deep(
            self.poller,
            self._writer,
            floor=floor,
            cancel=self.deep_cancel,
            on_status=on_status,
            save_lock=self._save_lock,
            on_page=on_page,
            pace=self.give_way.checkpoint,
            lanes_need=lanes_need,
        )

    @property
    def budget_reserve(self) -> int:
        """Requests of each window the Hub client never spends (HubPolicy.budget_reserve)."""
        return self.poller.client.policy.budget_reserve

    def budget(self) -> tuple[int | None, float | None]:
        """(requests left, seconds until the rate-limit window resets), as the Hub last said."""
        budget = self.poller.client.budget
        reset_at = budget.reset_at
        return budget.remaining, None if reset_at is None else reset_at - time.monotonic()

    def backfill(self, plan: BackfillPlan, on_step: Callable[[int, int, PollOutcome], None]) -> float:
        """Poll the lanes at the simulated times `plan(now)` gives (the past, oldest first), so that a new
        demo file has trends at once; then puts the clock back. Returns the seconds it took."""
        if self._set_clock is None:
            raise RuntimeError("back-fill needs a simulated Hub")
        began = time.monotonic()
        resume_at = self.poller.clock()
        steps = plan(resume_at)
        polled_until = float("-inf")
        for n, (t, lane) in enumerate(steps, start=1):
            if self.cancel.is_set():
                break
            # Never back in time: two lanes planned at one instant run one after the other, as in the monitor.
            # A clock set back made the second poll's previous poll a later one, and one refresh two.
            self._set_clock(max(t, polled_until))
            # Polling the simulated past is not traffic a real client would send: it does not spend
            # the API budget that the live polls after it are shown working within.
            self._spend_nothing()
            on_step(n, len(steps), self.poll(lane))
            polled_until = self.poller.clock()
        self._spend_nothing()
        # Real time went by meanwhile: the clock resumes where it would have been anyway.
        self._set_clock(resume_at + (time.monotonic() - began) * self.speed)
        return time.monotonic() - began

    def _spend_nothing(self) -> None:
        if self._reset_budget is not None:
            self._reset_budget()

    def close(self) -> None:
        """Cancel what is in flight and wait for a save under way (a transaction is short) so the
        session can close the store after this; the store itself is the session's to close."""
        self.cancel.set()
        self.deep_cancel.set()
        self._save_lock.shut(timeout_s=30)
