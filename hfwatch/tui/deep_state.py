"""The deep lane as the monitor sees it (no Textual): when it walks next, how far the walk in hand has gone,
how many pages it will take and how long that is; and the lines that say so.

Times are real (monotonic) seconds, like the other lanes' schedule; walks are dated by the data's clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from hfwatch.store.walks import Walk
from hfwatch.tui.format import age, human

MIN_INTERVAL_S = 900.0  # real seconds between walks, whatever the data's clock
START_DELAY_S = 20.0  # a walk to start or resume waits for the other lanes' first polls
RETRY_FIRST_S = 30.0
RESUME_SOON_S = 5.0  # a walk stopped by its deadline goes on at once (the next page is a new poll)
DONE_SHOWN_S = 60.0  # the status line names a walk just done for this long, then leaves the room to others


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class DeepProgressFacts:
    """A walk under way: pages done of the estimate, models walked, requests used, time left."""

    pages: int
    estimate: int | None  # None: not yet known
    walked: int
    requests: int
    eta_s: float | None
    floor: int

    @property
    def fraction(self) -> float | None:
        return min(1.0, self.pages / self.estimate) if self.estimate else None


def estimate_pages(walk: Walk, previous: Walk | None) -> int | None:
    """Pages a walk to `walk.floor` will take in all.

    A finished walk to the same floor says best. Otherwise the downloads are extrapolated down to the floor
    along Zipf's law (rank x downloads constant: the Hub's downloads are heavy-tailed) from the last model
    read. A fit of the exponent to the pages read so far does worse: the head of the listing falls off more
    slowly than its tail, so early pages would promise thousands of pages where there are tens.
    """
    if walk.finished is not None:
        return walk.pages
    if previous is not None and previous.floor == walk.floor and previous.pages > 0:
        return max(previous.pages, walk.pages + 1)
    if not walk.pages or not walk.listed or not walk.lowest or walk.lowest <= 0:
        return None
    if walk.lowest <= walk.floor:
        return walk.pages + 1
    models = walk.listed * walk.lowest / max(walk.floor, 1)
    per_page = walk.listed / walk.pages
    return max(walk.pages + 1, math.ceil(models / per_page))


@dataclass(eq=False, repr=False)
class DeepRun:
    """One run of the walk in the monitor: what it started from, to time and extrapolate it."""

    started_at: float
    pages_before: int
    previous: Walk | None  # the latest finished walk, when the run started

    def facts(self, walk: Walk, now: float) -> DeepProgressFacts:
        estimate = estimate_pages(walk, self.previous)
        done = walk.pages - self.pages_before
        eta = None
        if estimate is not None and done > 0:
            eta = (now - self.started_at) / done * max(0, estimate - walk.pages)
        return DeepProgressFacts(walk.pages, estimate, walk.walked, walk.requests, eta, walk.floor)


@dataclass(eq=False, repr=False)
class DeepSchedule:
    """When the deep lane walks next (monotonic seconds), and what it is doing."""

    interval_s: float
    clock: Callable[[], float]
    enabled: bool = False
    running: bool = False
    due_at: float | None = None
    failures: int = 0
    progress: DeepProgressFacts | None = None
    last_error: str | None = None
    stopped_by_user: bool = False
    waiting: bool = False  # stopped for the rate budget, to go on in the next window
    done_at: float | None = None  # when the last walk completed (this clock), and the coverage it found
    done_coverage: float | None = None

    def next_delay(self, status: str, budget_reset_s: float | None) -> float | None:
        """After a run ended with `status`: when the next one starts (None: not until asked)."""
        if status == "done":
            self.failures = 0
            return self.interval_s
        if status == "failed":
            self.failures += 1
            return min(self.interval_s, RETRY_FIRST_S * 2 ** (self.failures - 1))
        if status == "paused":
            # Out of the share of this rate window it may spend: on in the next window.
            return max(RESUME_SOON_S, (budget_reset_s or 0.0) + 1.0)
        return None  # cancelled: by pause, quit or the user; a resume or the key starts it again

    def remaining(self) -> float | None:
        return None if self.due_at is None else max(0.0, self.due_at - self.clock())


def status_text(d: DeepSchedule) -> str | None:
    """The status line's short word on the deep lane: a walk under way or waiting for the budget, a failure,
    a walk done a moment ago; None when there is nothing to say."""
    if d.running:
        return f"deep {_done_share(d.progress)}" if d.progress is not None else "deep walk starting"
    if d.waiting and d.progress is not None and (wait := d.remaining()) is not None:
        share = f" {d.progress.fraction:.0%}" if d.progress.fraction is not None else ""
        return f"deep{share} waits {age(wait)} for api budget"
    if d.last_error:
        retry = d.remaining()
        return "deep walk failed" + (f", retry in {age(retry)}" if retry is not None else "")
    if d.done_at is not None and (since := d.clock() - d.done_at) < DONE_SHOWN_S:
        covered = f", coverage {d.done_coverage:.1%}" if d.done_coverage is not None else ""
        return f"deep walk done {age(since)} ago{covered}"
    return None


def _done_share(p: DeepProgressFacts) -> str:
    # One part of the status line, whose parts are joined by " · ": no dot inside.
    of = f"{p.estimate:,}" if p.estimate else "?"
    if p.fraction is None:
        return f"page {p.pages:,}/{of}"
    return f"{p.fraction:.0%} (page {p.pages:,}/{of})"


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class DeepLine:
    """What the progress line under the leaderboard says: `text`, or its `parts` (priority, part), the least
    important left out first where the line is short."""

    text: str
    fraction: float | None  # of the estimated pages; None: not known
    error: bool = False
    parts: tuple[tuple[int, str], ...] = ()


def progress_line(p: DeepProgressFacts, *, resumes_in: float | None = None) -> DeepLine:
    """The walk under way; `resumes_in`: it waits for the next rate window, to go on in that many seconds."""
    of = f"/{p.estimate:,}" if p.estimate else "/?"
    parts = [
        (100, f"deep walk: page {p.pages:,}{of}"),
        (50, f"{human(p.walked)} models ≥{p.floor:,} dl"),
        (40, f"{p.requests:,} req"),
    ]
    if resumes_in is not None:
        parts.append((90, f"budget spent, on in {age(resumes_in)}"))
    elif p.eta_s is not None:
        parts.append((60, f"ETA {age(p.eta_s)}"))
    return DeepLine(" · ".join(text for _, text in parts), p.fraction, parts=tuple(parts))


def coverage_note(latest: Walk | None, finished: Walk | None) -> str:
    """The families box's word on coverage: the share of the walked downloads a tracked family claims."""
    if finished is not None and finished.coverage is not None:
        when = datetime.fromtimestamp(finished.finished or finished.updated, UTC).strftime("%m-%d %H:%M")
        return (
            f"coverage {finished.coverage:.1%} of {finished.walked:,} models ≥{finished.floor:,} dl/30d "
            f"(walk done {when} UTC)"
        )
    if latest is not None and latest.coverage is not None:
        return f"coverage so far {latest.coverage:.1%} (walk under way, {latest.walked:,} models)"
    return "coverage unknown: no deep walk yet"
