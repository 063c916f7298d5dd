"""The deep lane as the monitor shows it: the page estimate against real walks of the simulated Hub, when
the next walk comes after each kind of ending, and what the families box says before any walk."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfwatch.deep import walk_deep
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.registry import load_registry
from hfwatch.store import Store
from hfwatch.store.walks import Walk
from hfwatch.tui.deep_state import (
    DONE_SHOWN_S,
    RETRY_FIRST_S,
    DeepLine,
    DeepProgressFacts,
    DeepRun,
    DeepSchedule,
    coverage_note,
    estimate_pages,
    progress_line,
    status_text,
)
from hfwatch.tui.widgets.deep_bar import BAR_WIDTH, bar_text
from hfwatch_sim import SimHub


def walk_with_estimates(hub: SimHub, db: Path, pages: int, previous: Walk | None = None) -> tuple[Walk, list[int]]:
    assert hub.tail is not None
    floor = hub.tail.downloads(pages * 1000 - 300, hub.clock.now())
    run = DeepRun(0.0, 0, previous)
    estimates: list[int] = []

    def on_page(walk: Walk) -> None:
        facts = run.facts(walk, 1.0)
        assert facts.estimate is not None
        estimates.append(facts.estimate)

    poller = Poller(HubClient(hub.url, token=False), load_registry(), clock=hub.clock.now)
    with Store(db) as store:
        out = walk_deep(poller, store, floor=floor, on_page=on_page)
    assert out.status == "done" and out.walk is not None
    return out.walk, estimates


@pytest.mark.parametrize("pages", [5, 20, 60])
def test_the_estimate_is_within_a_factor_of_the_walk_and_exact_at_its_end(
    tail_sim: SimHub, tmp_path: Path, pages: int
) -> None:
    walk, estimates = walk_with_estimates(tail_sim, tmp_path / "h.sqlite", pages)
    assert len(estimates) == walk.pages
    ratios = [e / walk.pages for e in estimates]
    assert all(0.5 <= r <= 2.5 for r in ratios), ratios
    assert estimates[-1] == walk.pages


def test_a_second_walk_to_the_same_floor_is_estimated_by_the_first(tail_sim: SimHub, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    first, _ = walk_with_estimates(tail_sim, db, 4)
    second, estimates = walk_with_estimates(tail_sim, db, 4, previous=first)
    assert second.wid != first.wid
    assert estimates == [first.pages] * len(estimates)


def test_no_estimate_before_a_page() -> None:
    walk = Walk(1, 100, 0.0, 0.0, None, None, 0, 0, 0, 0, 0, 0, None)
    assert estimate_pages(walk, None) is None
    assert coverage_note(walk, None) == "coverage unknown: no deep walk yet"


def test_after_each_ending_the_next_walk_comes_when_it_should() -> None:
    schedule = DeepSchedule(interval_s=86_400.0, clock=lambda: 0.0)
    assert schedule.next_delay("paused", 120.0) == 121.0, "out of its share of the window: the next window"
    assert schedule.next_delay("failed", None) == RETRY_FIRST_S
    assert schedule.next_delay("failed", None) == 2 * RETRY_FIRST_S
    assert schedule.next_delay("done", None) == 86_400.0
    assert schedule.failures == 0
    assert schedule.next_delay("cancelled", None) is None


def test_the_bar_fills_with_the_share_of_pages() -> None:
    assert bar_text(DeepLine("x", 0.5), 80).plain.count("█") == BAR_WIDTH // 2
    assert bar_text(DeepLine("x", None), 80).plain.count("█") == 0
    assert bar_text(DeepLine("failed: no network", None, error=True), 80).plain == "failed: no network"


def test_a_short_progress_line_keeps_when_the_walk_goes_on() -> None:
    facts = DeepProgressFacts(pages=133, estimate=159, walked=133_000, requests=133, eta_s=None, floor=100)
    waiting = progress_line(facts, resumes_in=180)
    full = bar_text(waiting, 200).plain
    assert "page 133/159" in full and "133.0k models ≥100 dl" in full and "133 req" in full
    assert full.endswith("budget spent, on in 3m")
    # A families box too narrow for all of it: the requests go first, then the models; never when it goes on.
    width = len(full) - len(" · 133 req")
    short = bar_text(waiting, width).plain
    assert len(short) <= width and "req" not in short and short.endswith("budget spent, on in 3m")
    narrower = bar_text(waiting, BAR_WIDTH + 50).plain
    assert "models" not in narrower and narrower.endswith("budget spent, on in 3m")


def test_the_status_line_word_for_each_state_of_the_walk() -> None:
    now = [1_000.0]
    d = DeepSchedule(interval_s=86_400.0, clock=lambda: now[0])
    assert status_text(d) is None, "no walk: nothing to say"
    d.running = True
    assert status_text(d) == "deep walk starting"
    d.progress = DeepProgressFacts(pages=12, estimate=150, walked=12_000, requests=12, eta_s=None, floor=100)
    assert status_text(d) == "deep 8% (page 12/150)"
    d.progress = DeepProgressFacts(pages=12, estimate=None, walked=12_000, requests=12, eta_s=None, floor=100)
    assert status_text(d) == "deep page 12/?", "no estimate yet: no share"
    d.running, d.waiting, d.due_at = False, True, now[0] + 180
    assert status_text(d) == "deep waits 3m for api budget"
    d.waiting, d.last_error, d.due_at = False, "network error", now[0] + 30
    assert status_text(d) == "deep walk failed, retry in 30s"
    d.last_error, d.due_at, d.done_at, d.done_coverage = None, None, now[0], 0.471
    now[0] += 40
    assert status_text(d) == "deep walk done 40s ago, coverage 47.1%"
    now[0] += DONE_SHOWN_S
    assert status_text(d) is None, "a minute later it leaves the room to the rest"
