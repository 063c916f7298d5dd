"""Polling both lanes from the monitor: one-shot timers re-armed when a poll completes (so polls of a
lane never overlap), thread workers that report only by message, pause, poll now, intervals, the demo's
back-fill, following another writer, and the status those make."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.timer import Timer

from hfwatch.records import Lane
from hfwatch.textsafe import terminal_safe
from hfwatch.tui import hangup
from hfwatch.tui.format import age
from hfwatch.tui.messages import PollFinished, PollProgress, PollStarted, WarmupProgress
from hfwatch.tui.priority import NoFullCollections
from hfwatch.tui.scheduler import PollSchedule
from hfwatch.tui.screenshot_app import ScreenshotApp
from hfwatch.tui.session import FOLLOW_EVERY_S, Mode, Session
from hfwatch.tui.widgets.status_bar import StatusFacts

if TYPE_CHECKING:
    # Only typed here: the engine comes with the session that polls (hfwatch.tui.session), not with the app.
    from hfwatch.engine import PollOutcome

_ANSWERED_FIRST = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)


def one_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


class PollingApp(ScreenshotApp):
    """The polling half of the monitor; `HfWatchApp` adds the screens and what they show."""

    POLL_ACTIONS: ClassVar[frozenset[str]] = frozenset({"poll_now", "toggle_pause", "scale_interval"})

    def __init__(
        self, session: Session, *, monotonic: Callable[[], float] = time.monotonic, autostart: bool = True
    ) -> None:
        super().__init__()
        self.session = session
        self.schedule = PollSchedule(dict(session.intervals), clock=monotonic)
        self._monotonic = monotonic
        self._autostart = autostart
        self._lane_timers: dict[Lane, Timer] = {}
        self._warming: tuple[int, int] | None = None
        self._api: tuple[int | None, int | None] = (None, None)
        self._last_pid = 0
        self._db_last_ok: float | None = None  # data-clock time of the newest good poll in the file
        self._follow_seen_at: float | None = None  # following: when a new poll appeared in the file
        self._told_unreachable = False
        self._no_full_gc = NoFullCollections()

    async def on_event(self, event: events.Event) -> None:
        # A key or a click is answered before a poll's thread gets the GIL back (hfwatch.pacing): the poll
        # waits at its next checkpoint until the screen has been redrawn.
        if isinstance(event, _ANSWERED_FIRST) and not event.is_forwarded:
            self.polls_give_way()
        await super().on_event(event)

    def polls_give_way(self) -> None:
        """Hold the polls' threads at their next checkpoint until the screen has been redrawn."""
        feeder = self.session.feeder
        if feeder is not None:
            feeder.give_way.hold()
            self.call_after_refresh(feeder.give_way.release)

    # Hooks for the screens' side (HfWatchApp).

    def reload(self) -> None:
        """The store changed: re-read what is on show."""

    def refresh_status(self) -> None:
        """Repaint the status line."""

    def on_new_events(self, pid: int) -> None:
        """Poll `pid` added feed events."""

    def start_polling(self) -> None:
        """Called once the screens are up: follow, back-fill, or arm both lanes."""
        terminal = hangup.input_terminal()
        if terminal is not None:
            self.set_interval(hangup.CHECK_EVERY_S, partial(self._quit_if_hung_up, terminal))
        if not self._autostart:
            return
        if self.session.mode is Mode.FOLLOWING:
            self.set_interval(FOLLOW_EVERY_S, self._follow)
        elif self.session.feeder is not None:
            if self.session.backfill is not None:
                self._warming = (0, 1)
                self._backfill()
            else:
                self._arm_from_history()

    def _quit_if_hung_up(self, terminal: int) -> None:
        if hangup.hung_up(terminal):
            self.quit_monitor(hangup.HANGUP_EXIT)

    def quit_monitor(self, return_code: int = 0) -> None:
        """Cancel the polls, then exit: a poll in flight stops at its next checkpoint, not at its end (which
        `exit` alone would wait for)."""
        if self.session.feeder is not None:
            self.session.feeder.cancel.set()
        self.exit(return_code=return_code)

    def note_file_state(self) -> None:
        """What the file says about its polls (for the status line before this session polled)."""
        reader = self.session.reader
        last = reader.last_poll()
        if last is not None:
            self._last_pid = last.pid
            if self._api == (None, None):
                self._api = (last.rate_remaining, last.rate_limit)
        ok = reader.last_poll(ok_only=True)
        self._db_last_ok = ok.finished if ok is not None else None

    def _arm_from_history(self) -> None:
        """Poll at once in the demo; live, pick up each lane's cadence where the file left it."""
        reader = self.session.reader
        for lane in (Lane.FAST, Lane.SLOW):
            delay = 0.0
            last = reader.last_poll(lane.value, ok_only=True)
            if self.session.mode is Mode.LIVE and last is not None:
                delay = self.schedule.lanes[lane].interval_s - (time.time() - last.finished)
            self._arm(lane, delay)

    # -- lanes --------------------------------------------------------------------------------

    def _arm(self, lane: Lane, delay_s: float) -> None:
        """One-shot timer per lane, re-armed when its poll completes: polls of a lane never overlap."""
        timer = self._lane_timers.pop(lane, None)
        if timer is not None:
            timer.stop()
        if self.schedule.paused:
            return
        delay_s = self.schedule.plan(lane, delay_s)
        self._lane_timers[lane] = self.set_timer(delay_s, partial(self.start_poll, lane))

    def start_poll(self, lane: Lane, *, manual: bool = False) -> bool:
        """Start a lane's poll unless one is running; a scheduled (not manual) poll that would not fit
        in the API budget left is put off until the rate-limit window resets."""
        feeder = self.session.feeder
        if feeder is None or self.schedule.lanes[lane].running or self._warming or feeder.cancel.is_set():
            return False
        if not manual:
            wait = self.schedule.budget_wait(lane, *feeder.budget(), reserve=feeder.budget_reserve)
            if wait > 0:
                self._arm(lane, wait)
                return False
        timer = self._lane_timers.pop(lane, None)
        if timer is not None:
            timer.stop()
        self.schedule.started(lane)
        if lane is Lane.FAST:
            self._poll_fast()
        else:
            self._poll_slow()
        return True

    @work(thread=True, exclusive=True, group="poll-fast", exit_on_error=False, description="fast lane poll")
    def _poll_fast(self) -> None:
        self._poll_in_thread(Lane.FAST)

    @work(thread=True, exclusive=True, group="poll-slow", exit_on_error=False, description="slow lane poll")
    def _poll_slow(self) -> None:
        self._poll_in_thread(Lane.SLOW)

    def _poll_in_thread(self, lane: Lane) -> None:
        feeder = self.session.feeder
        assert feeder is not None
        self.post_message(PollStarted(lane))
        began = time.monotonic()
        try:
            with self._no_full_gc:
                outcome = feeder.poll(lane, on_status=partial(self._progress, lane))
        except Exception as err:  # a store error must not kill the lane: it is reported and retried
            self.post_message(PollFinished(lane, ok=False, error=one_line(err), duration_s=time.monotonic() - began))
            return
        self.post_message(finished(outcome, time.monotonic() - began))

    def _progress(self, lane: Lane, text: str) -> None:
        self.post_message(PollProgress(lane, text))

    @work(thread=True, exclusive=True, group="backfill", exit_on_error=False, description="demo back-fill")
    def _backfill(self) -> None:
        feeder, plan = self.session.feeder, self.session.backfill
        assert feeder is not None and plan is not None

        def step(n: int, total: int, outcome: PollOutcome) -> None:
            self.post_message(WarmupProgress(n, total))
            self.post_message(finished(outcome, 0.0, warmup=True))

        try:
            with self._no_full_gc:  # as the lanes' polls (hfwatch.tui.priority)
                feeder.backfill(plan, step)
        finally:
            self.post_message(WarmupProgress(0, 0, done=True))

    def on_poll_started(self, message: PollStarted) -> None:
        state = self.schedule.lanes[message.lane]
        if state.running and state.progress is None:
            state.progress = f"{message.lane.value} poll: connecting"
        self.refresh_status()

    def on_poll_progress(self, message: PollProgress) -> None:
        state = self.schedule.lanes[message.lane]
        if state.running:
            state.progress = message.text
            self.refresh_status()

    def on_poll_finished(self, message: PollFinished) -> None:
        if message.rate_remaining is not None:
            self._api = (message.rate_remaining, message.rate_limit)
        if message.warmup:
            self.schedule.lanes[message.lane].requests = message.requests or None
            if message.ok:
                self.schedule.lanes[message.lane].last_ok_at = self._monotonic()
                self.reload()
            return
        self.schedule.finished(message.lane, None if message.ok else message.error, message.requests)
        if message.ok:
            self.reload()
            if message.events and message.pid is not None:
                self.on_new_events(message.pid)
        elif not self._told_unreachable and self.session.mode is Mode.LIVE:
            self._told_unreachable = True
            self.notify(
                f"{terminal_safe(message.error)}. The history on screen is what was stored before; "
                "hfwatch retries shortly. `hfwatch --demo` runs on a simulated Hub.",
                title="The Hub did not answer",
                severity="warning",
                markup=False,
                timeout=12,
            )
        if self.session.feeder is not None and not self.session.feeder.cancel.is_set():
            self._arm(message.lane, self.schedule.next_delay(message.lane))
        self.refresh_status()

    def on_warmup_progress(self, message: WarmupProgress) -> None:
        if not message.done:
            self._warming = (message.step, message.total)
            self.refresh_status()
            return
        self._warming = None
        self.reload()
        for lane in (Lane.FAST, Lane.SLOW):
            self._arm(lane, 0.0)

    def _follow(self) -> None:
        if self.session.reader.last_pid() != self._last_pid:
            # The writer's clock may be a simulation: time the polls we see by our own clock.
            self._follow_seen_at = self._monotonic()
            self.reload()

    # -- status ---------------------------------------------------------------------------------

    def status(self, scope: str, metric: str) -> StatusFacts:
        """What the status line says: the state, how fresh the data is, what comes next, the budget."""
        s = self.session
        last_age = self.schedule.last_ok_age()
        if self._follow_seen_at is not None:
            last_age = self._monotonic() - self._follow_seen_at
        elif last_age is None and self._db_last_ok is not None and not s.clock_is_data:
            last_age = max(0.0, (s.reader.now() - self._db_last_ok) / max(s.speed, 1e-9))
        if s.mode is Mode.OFFLINE:
            state = "offline"
        elif s.mode is Mode.FOLLOWING:
            state = "following"
        elif self.schedule.paused:
            state = "paused"
        elif self._warming is not None or (last_age is None and self.schedule.running()):
            state = "starting"
        elif self.schedule.is_stale(last_age):
            state = "stale"
        else:
            state = "demo" if s.mode is Mode.DEMO else "live"
        activity = None
        if self._warming is not None:
            n, total = self._warming
            activity = f"back-filling history: poll {n}/{total}"
        elif running := self.schedule.running():
            activity = running[0].progress or f"{running[0].lane.value} poll"
        errors = [
            f"{st.lane.value} poll failed: {st.last_error}" for st in self.schedule.lanes.values() if st.last_error
        ]
        polling = s.polls and not self.schedule.paused
        nxt = self.schedule.next_due() if polling else None
        fast = self.schedule.lanes.get(Lane.FAST)
        waiting = [
            f"{st.lane.value} poll waits {age(self.schedule.remaining(st.lane))} for api budget"
            for st in self.schedule.lanes.values()
            if st.waiting_for_budget and polling
        ]
        return StatusFacts(
            state=state,
            scope=scope,
            metric=metric,
            last_poll_age_s=last_age,
            next_poll_s=nxt[1] if nxt else None,
            interval_s=fast.interval_s if fast and s.polls else None,
            api_remaining=self._api[0] if s.polls else None,
            api_limit=self._api[1],
            activity=activity,
            error=errors[0] if errors else None,
            sim_time=s.reader.now() if s.mode is Mode.DEMO else None,
            speed=s.speed,
            writer_pid=s.writer_pid,
            data_time=s.reader.data_time() if s.mode is Mode.OFFLINE else None,
            note=s.note,
            waiting=waiting[0] if waiting else None,
        )

    # -- keys -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Offline or following another writer there is nothing to poll: those keys show disabled.
        if action in self.POLL_ACTIONS and not self.session.polls:
            return None
        return True

    def action_poll_now(self) -> None:
        if self._warming is not None:
            self.notify("Still back-filling the demo's history; polls start right after.")
            return
        started = [lane.value for lane in (Lane.FAST, Lane.SLOW) if self.start_poll(lane, manual=True)]
        if not started:
            self.notify("Both lanes are polling already.")

    def action_toggle_pause(self) -> None:
        if not self.session.polls:
            return
        self.schedule.paused = not self.schedule.paused
        if self.schedule.paused:
            for lane in list(self._lane_timers):
                self._lane_timers.pop(lane).stop()
                self.schedule.lanes[lane].due_at = None
            self.notify("Polling paused (p resumes; r still polls once).")
            self.refresh_status()
            return
        for lane, state in self.schedule.lanes.items():
            if not state.running and self._warming is None:
                last = state.last_ok_at
                elapsed = self._monotonic() - last if last is not None else state.interval_s
                self._arm(lane, state.interval_s - elapsed)
        self.notify("Polling resumed.")
        self.refresh_status()

    def action_scale_interval(self, factor: float) -> None:
        if not self.session.polls:
            return
        self.schedule.scale(factor)
        for lane, state in self.schedule.lanes.items():
            remaining = self.schedule.remaining(lane)
            if remaining is not None and not state.running:
                self._arm(lane, remaining)
        fast, slow = self.schedule.lanes[Lane.FAST], self.schedule.lanes[Lane.SLOW]
        self.notify(f"Poll intervals: fast every {age(fast.interval_s)}, slow every {age(slow.interval_s)}.")
        self.refresh_status()


def finished(outcome: PollOutcome, duration_s: float, *, warmup: bool = False) -> PollFinished:
    result, summary = outcome.result, outcome.summary
    error = result.error if result.error else None if summary is not None else "not stored"
    return PollFinished(
        lane=result.lane,
        ok=outcome.ok,
        error=error,
        duration_s=duration_s,
        pid=summary.pid if summary else None,
        models=summary.models if summary else 0,
        new_models=summary.new_models if summary else 0,
        events=summary.events if summary else 0,
        requests=result.stats.requests,
        rate_remaining=result.stats.rate_remaining,
        rate_limit=result.stats.rate_limit,
        warmup=warmup,
    )
