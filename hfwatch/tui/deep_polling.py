"""The deep lane in the monitor (DESIGN §5, §8): a walk of the whole Hub by downloads, once every
`deep_interval_h` (live; in the demo only when asked with `--deep` or the key), in a thread worker that
reports by message only. It spends the rate budget behind the fast and slow lanes: when its share of a
window is spent the walk stops and the next run, in the next window, resumes it from the cursor in the
store. Pausing, quitting or the key stop it after the request in hand (the Hub client's waits are
cancellable, so within a second)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import replace
from typing import ClassVar

from textual import work
from textual.timer import Timer

from hfwatch.records import Lane
from hfwatch.store import Store, releasegaps, wholehub
from hfwatch.store.releasegaps import hole_note
from hfwatch.store.walks import Walk
from hfwatch.store.wholehub import Untracked
from hfwatch.timeunits import HOUR_S
from hfwatch.tui.deep_state import (
    MIN_INTERVAL_S,
    START_DELAY_S,
    DeepLine,
    DeepRun,
    DeepSchedule,
    progress_line,
    status_text,
)
from hfwatch.tui.format import age
from hfwatch.tui.messages import (
    DeepFinished,
    DeepProgress,
    DeepStarted,
    PollFinished,
    UntrackedCounted,
    WholeHubShown,
)
from hfwatch.tui.polling import PollingApp, one_line
from hfwatch.tui.scheduler import MIN_DELAY_S
from hfwatch.tui.session import Session
from hfwatch.tui.widgets.deep_bar import DeepBar
from hfwatch.tui.widgets.status_bar import StatusFacts


class DeepLaneApp(PollingApp):
    """Adds the deep lane to the polling half of the monitor."""

    POLL_ACTIONS: ClassVar[frozenset[str]] = PollingApp.POLL_ACTIONS | {"deep_walk"}

    def __init__(
        self, session: Session, *, monotonic: Callable[[], float] = time.monotonic, autostart: bool = True
    ) -> None:
        super().__init__(session, monotonic=monotonic, autostart=autostart)
        # A day of the data's clock; in the demo (600x) that is minutes, and a walk of its million-model tail
        # takes about two: at least MIN_INTERVAL_S between walks, or the demo would do nothing else.
        interval = max(MIN_INTERVAL_S, session.config.deep_interval_h * HOUR_S / max(session.speed, 1e-9))
        self.deep = DeepSchedule(interval, clock=monotonic, enabled=session.deep and session.feeder is not None)
        self._deep_timer: Timer | None = None
        self.untracked: Untracked | None = None  # the untracked row's figures, counted when it is shown
        self.release_gap: str | None = None  # a hole in the release feed the fast polls are back-filling
        self._untracked_wanted = False

    # -- scheduling ---------------------------------------------------------------------------------

    def start_polling(self) -> None:
        super().start_polling()
        if self._autostart and self.deep.enabled:
            self._arm_deep(self.deep_first_delay())

    def deep_first_delay(self) -> float:
        """A stored walk left unfinished resumes soon; else the next walk is an interval after the last."""
        latest, finished = self.session.reader.deep_walks()
        if finished is None or (latest is not None and latest.finished is None):
            return START_DELAY_S
        since = (self.session.reader.now() - (finished.finished or finished.updated)) / max(self.session.speed, 1e-9)
        return max(START_DELAY_S, self.deep.interval_s - since)

    def _arm_deep(self, delay_s: float) -> None:
        self._stop_deep_timer()
        if self.schedule.paused or not self.deep.enabled:
            return
        delay_s = max(MIN_DELAY_S, delay_s)
        self.deep.due_at = self.deep.clock() + delay_s
        self._deep_timer = self.set_timer(delay_s, self._deep_due)

    def _stop_deep_timer(self) -> None:
        if self._deep_timer is not None:
            self._deep_timer.stop()
            self._deep_timer = None
        self.deep.due_at = None

    def _deep_due(self) -> None:
        self._deep_timer = None
        self.deep.due_at = None
        if not self.start_deep() and self._warming is not None:
            self._arm_deep(START_DELAY_S)  # the demo's back-fill of history goes first

    def start_deep(self, *, manual: bool = False) -> bool:
        """Start (or resume) the walk in a worker unless one runs; False when it could not start."""
        feeder = self.session.feeder
        if feeder is None or self.deep.running or feeder.cancel.is_set() or self._warming is not None:
            return False
        if self.schedule.paused and not manual:
            return False
        self._stop_deep_timer()
        self.deep.running, self.deep.stopped_by_user, self.deep.waiting = True, False, False
        self._deep_worker(self.session.config.deep_floor)
        self.refresh_deep()
        return True

    def quit_monitor(self, return_code: int = 0) -> None:
        self.stop_deep()
        super().quit_monitor(return_code)

    def stop_deep(self) -> None:
        """Stop a walk under way (it resumes later from its stored cursor) and the timer of the next."""
        self._stop_deep_timer()
        feeder = self.session.feeder
        if feeder is not None:
            feeder.deep_cancel.set()

    # -- the worker ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="poll-deep", exit_on_error=False, description="deep walk")
    def _deep_worker(self, floor: int) -> None:
        feeder = self.session.feeder
        assert feeder is not None
        try:
            latest, previous = feeder.deep_walks()
            resuming = latest is not None and latest.finished is None and latest.floor == floor
            run = DeepRun(time.monotonic(), latest.pages if latest is not None and resuming else 0, previous)
            self.post_message(DeepStarted(run.pages_before))

            def on_page(walk: Walk) -> None:
                self.post_message(DeepProgress(run.facts(walk, time.monotonic())))

            with self._no_full_gc:  # a walk of the whole Hub is a poll too (hfwatch.tui.priority)
                # The lanes' schedule is read from this thread, never changed: its lanes are fixed at start and
                # each figure read is one attribute (a poll's cost or due time a moment old only moves the reserve).
                outcome = feeder.deep(floor, on_page=on_page, lanes_need=self.schedule.need_within)
        except Exception as err:  # a store error must not kill the monitor: reported, retried later
            self.post_message(DeepFinished("failed", one_line(err)))
            return
        s = outcome.stats
        ended = DeepFinished(outcome.status, outcome.reason, outcome.pages, outcome.walked, s.requests)
        ended.rate_remaining, ended.rate_limit = s.rate_remaining, s.rate_limit
        self.post_message(ended)

    def on_deep_started(self, message: DeepStarted) -> None:
        self.deep.running = True
        self.refresh_deep()

    def on_deep_progress(self, message: DeepProgress) -> None:
        if self.deep.running:
            self.deep.progress = message.facts
            self.refresh_deep()

    def on_deep_finished(self, message: DeepFinished) -> None:
        self.deep.running = False
        # Out of its share of the rate window, the walk is still under way: its line stays, saying so.
        self.deep.waiting = message.status == "paused" and not self.deep.stopped_by_user
        if not self.deep.waiting:
            self.deep.progress = None
        if message.rate_remaining is not None:
            self._api = (message.rate_remaining, message.rate_limit)
        self.deep.last_error = message.reason if message.status == "failed" else None
        feeder = self.session.feeder
        delay = self.deep.next_delay(message.status, feeder.budget()[1] if feeder is not None else None)
        if self.deep.stopped_by_user:
            delay, self.deep.stopped_by_user = self.deep.interval_s, False
        elif delay is None and not self.schedule.paused:
            delay = START_DELAY_S  # cancelled by a pause that was lifted before the walk had stopped
        if delay is not None and feeder is not None and not feeder.cancel.is_set():
            self._arm_deep(delay)
        if message.status == "done":
            self.deep.done_at = self.deep.clock()
            self.deep.done_coverage = self._last_coverage()
        if message.pages:
            self.reload()  # coverage and the families' totals moved
            self._recount_untracked()
        self.refresh_deep()

    def _last_coverage(self) -> float | None:
        _latest, finished = self.session.reader.deep_walks()
        return finished.coverage if finished is not None else None

    # -- the untracked row: counted in a worker (at a million models, a scan the UI must not wait for) --

    def on_whole_hub_shown(self, message: WholeHubShown) -> None:
        self._untracked_wanted = message.shown
        self._recount_untracked()

    def on_poll_finished(self, message: PollFinished) -> None:
        super().on_poll_finished(message)
        if message.ok and not message.warmup:
            self._recount_untracked()
            if self._walk_behind_the_lanes():
                self.start_deep()

    def _walk_behind_the_lanes(self) -> bool:
        """Whether to walk now, ahead of the timer: the lanes have seen a Hub refresh that the last walk has not,
        and that walk is at least half an interval old. The ecosystem's rates wait for the walk to date its
        models' growth to the refresh (analysis.family_rates), so the daily walk follows the Hub's refresh by
        minutes instead of drifting a day behind it; the timer stays for a day the Hub skips."""
        d = self.deep
        if not d.enabled or d.running or d.waiting or d.last_error is not None or d.due_at is None:
            return False
        _latest, finished = self.session.reader.deep_walks()
        if finished is None or finished.finished is None:
            return False
        if d.done_at is not None:
            since = d.clock() - d.done_at
        else:  # walked by an earlier run of the monitor (or `hfwatch poll --lane deep`)
            since = (self.session.reader.now() - finished.finished) / max(self.session.speed, 1e-9)
        return since >= max(MIN_INTERVAL_S, d.interval_s / 2) and self.session.reader.refresh_after(finished.finished)

    def _recount_untracked(self) -> None:
        if self._untracked_wanted:
            self._count_untracked()

    @work(thread=True, exclusive=True, group="untracked", exit_on_error=False, description="untracked count")
    def _count_untracked(self) -> None:
        # A connection of its own: the reader's belongs to the UI thread.
        with Store(self.session.db, readonly=True) as store:
            latest, _finished = wholehub.walks(store.conn)
            figures = None if latest is None else wholehub.untracked(store.conn)
        self.post_message(UntrackedCounted(figures))

    def on_untracked_counted(self, message: UntrackedCounted) -> None:
        if message.figures != self.untracked:
            self.untracked = message.figures
            self.reload()

    # -- what it shows ------------------------------------------------------------------------------

    def deep_line(self) -> DeepLine | None:
        """The families box's progress line: the walk under way, or why the last one failed (else none)."""
        d = self.deep
        if d.running:
            if d.progress is None:
                return DeepLine("deep walk: starting", None)
            return progress_line(d.progress)
        if d.waiting and d.progress is not None and (wait := d.remaining()) is not None:
            return progress_line(d.progress, resumes_in=wait)
        if d.last_error:
            retry = d.remaining()
            when = f"; retry in {age(retry)}" if retry is not None else ""
            return DeepLine(f"deep walk failed: {d.last_error}{when}", None, error=True)
        return None

    def refresh_deep(self) -> None:
        if self.screen_stack:
            for bar in self.screen.query(DeepBar):
                bar.sync()
        self.refresh_status()

    def note_file_state(self) -> None:
        super().note_file_state()
        if self._api == (None, None):
            # A deep page stores no rate-limit headers: the budget is what the latest fast or slow poll read.
            polls = [self.session.reader.last_poll(lane.value) for lane in (Lane.FAST, Lane.SLOW)]
            latest = max((p for p in polls if p is not None), key=lambda p: p.pid, default=None)
            if latest is not None:
                self._api = (latest.rate_remaining, latest.rate_limit)
        # The release feed's holes, noted by the fast polls that could not close them (DESIGN §5); a note
        # that cannot be read says so rather than passing for none.
        try:
            self.release_gap = hole_note(releasegaps.load(self.session.reader.conn), short=True)
        except sqlite3.DatabaseError:
            self.release_gap = "release feed: gap note unreadable"

    def status(self, scope: str, metric: str) -> StatusFacts:
        return replace(super().status(scope, metric), deep=status_text(self.deep), release_gap=self.release_gap)

    # -- keys ---------------------------------------------------------------------------------------

    def action_deep_walk(self) -> None:
        """Start the deep walk now (resuming a stored one), or stop the one under way."""
        if self.deep.running:
            self.deep.stopped_by_user = True
            self.stop_deep()
            self.notify("Deep walk stopped: it resumes from its last page at the next walk (or D).", timeout=5)
            return
        self.deep.enabled = self.session.feeder is not None  # asked for: from now on it runs on its own too
        if self.start_deep(manual=True):
            self.notify("Deep walk started: the whole Hub by downloads, behind the other lanes.", timeout=5)
        elif self._warming is not None:
            self.notify("Still back-filling the demo's history; the deep walk starts right after.")
            self._arm_deep(START_DELAY_S)

    def action_toggle_pause(self) -> None:
        super().action_toggle_pause()
        if self.schedule.paused:
            self.stop_deep()
        elif self.deep.enabled and not self.deep.running:
            self._arm_deep(START_DELAY_S)
