"""When each lane polls next, and what the status line says about it. Pure state (no Textual):
the app arms its one-shot timers from `delay()` and reports back with `started`/`finished`.

Times here are real (monotonic) seconds: the poll cadence is the user's, even in the demo
where the data's clock runs faster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from hfwatch.records import Lane

MIN_INTERVAL_S = 5.0
MIN_DELAY_S = 0.05  # Textual's timers divide by their delay: "now" is a moment from now
MAX_INTERVAL_S = 86400.0
RETRY_FIRST_S = 30.0
STALE_AFTER = 2.0  # intervals of the fast lane without a successful poll


@dataclass(eq=False, repr=False)
class LaneState:
    """One lane's cadence and state: due, running, last success, failures in a row."""

    lane: Lane
    interval_s: float
    running: bool = False
    due_at: float | None = None  # monotonic; None: not scheduled
    started_at: float | None = None
    last_ok_at: float | None = None  # monotonic, this session
    last_error: str | None = None
    progress: str | None = None
    polls: int = 0
    requests: int | None = None  # what the last poll of this lane cost
    waiting_for_budget: bool = False
    failures: int = 0  # failed polls in a row


@dataclass(eq=False, repr=False)
class PollSchedule:
    """When each lane polls next, paused or not."""

    intervals: dict[Lane, float]
    clock: Callable[[], float] = time.monotonic
    paused: bool = False
    lanes: dict[Lane, LaneState] = field(init=False)

    def __post_init__(self) -> None:
        self.lanes = {lane: LaneState(lane, max(MIN_INTERVAL_S, s)) for lane, s in self.intervals.items()}

    def plan(self, lane: Lane, delay_s: float) -> float:
        """Record that `lane` polls in `delay_s` seconds; returns the delay to arm a timer with."""
        delay_s = max(MIN_DELAY_S, delay_s)
        self.lanes[lane].due_at = self.clock() + delay_s
        return delay_s

    def started(self, lane: Lane) -> None:
        state = self.lanes[lane]
        state.running = True
        state.waiting_for_budget = False
        state.due_at = None
        state.started_at = self.clock()
        state.progress = None

    def finished(self, lane: Lane, error: str | None, requests: int | None = None) -> None:
        state = self.lanes[lane]
        state.running = False
        if requests:
            state.requests = requests
        state.progress = None
        state.polls += 1
        if error is None:
            state.last_ok_at = self.clock()
            state.last_error = None
            state.failures = 0
        else:
            state.last_error = error
            state.failures += 1

    def next_delay(self, lane: Lane) -> float:
        """After a poll: the interval, or sooner after a failure (30 s, 60 s, ... up to the interval)
        so that a brief outage does not cost a whole slow-lane hour."""
        state = self.lanes[lane]
        if not state.failures:
            return state.interval_s
        return min(state.interval_s, RETRY_FIRST_S * 2 ** (state.failures - 1))

    def budget_wait(self, lane: Lane, remaining: int | None, reset_in_s: float | None, reserve: int = 0) -> float:
        """Seconds to hold a poll back so it does not run out of API budget halfway (0: go now).

        A poll is expected to cost what the lane's last one did; one that would not fit in what is
        left of the rate-limit window, less the `reserve` the Hub client never spends, waits for the next
        window instead of failing in the middle.
        """
        state = self.lanes[lane]
        need = state.requests
        if need is None or remaining is None or reset_in_s is None or reset_in_s <= 0 or remaining - reserve >= need:
            state.waiting_for_budget = False
            return 0.0
        state.waiting_for_budget = True
        return reset_in_s + 1.0

    def scale(self, factor: float) -> None:
        """+/-: every lane's interval times `factor`, within bounds; planned polls move with it."""
        now = self.clock()
        for state in self.lanes.values():
            new = min(MAX_INTERVAL_S, max(MIN_INTERVAL_S, state.interval_s * factor))
            if state.due_at is not None:
                state.due_at = now + max(0.0, min(state.due_at - now, new))
            state.interval_s = new

    def remaining(self, lane: Lane) -> float | None:
        due = self.lanes[lane].due_at
        return None if due is None else max(0.0, due - self.clock())

    def need_within(self, seconds: float) -> int:
        """Requests the lanes will send in the next `seconds`, each poll costing what its lane's last one did:
        one running now counts whole (what it has sent is already out of the budget, the rest is not known)."""
        if self.paused:
            return 0
        total = 0
        for state in self.lanes.values():
            cost = state.requests or 0
            if state.running:
                total += cost
            if (wait := self.remaining(state.lane)) is not None and wait <= seconds:
                total += cost * (1 + int((seconds - wait) // state.interval_s))
        return total

    def next_due(self) -> tuple[Lane, float] | None:
        waits = [(lane, r) for lane in self.lanes if (r := self.remaining(lane)) is not None]
        return min(waits, key=lambda w: w[1]) if waits else None

    def last_ok_age(self) -> float | None:
        times = [s.last_ok_at for s in self.lanes.values() if s.last_ok_at is not None]
        return self.clock() - max(times) if times else None

    def running(self) -> list[LaneState]:
        return [s for s in self.lanes.values() if s.running]

    def is_stale(self, last_ok_age_s: float | None) -> bool:
        fast = self.lanes.get(Lane.FAST)
        limit = (fast.interval_s if fast else MIN_INTERVAL_S) * STALE_AFTER
        return last_ok_age_s is None or last_ok_age_s > limit
