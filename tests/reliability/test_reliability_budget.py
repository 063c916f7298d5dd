"""The rate budget: a poll never sends more than the RateLimit headers left, and waits for the window instead.

The simulated Hub enforces a real fixed window (quota requests per window_s seconds) and counts every
request, refused ones included, so `max_in_window <= quota` means no request was ever over the limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.records import Lane
from hfwatch.registry import load_registry
from hfwatch.store import Store
from hfwatch_sim import SimClock, SimHub
from tests.conftest import SIM_START, run_cli
from tests.helpers.reliability import FAST_ENV, FAST_POLICY, one_line_error, snapshot

pytestmark = pytest.mark.reliability

QUOTA = 40
WINDOW_S = 2.0


@pytest.fixture
def tight_sim(request: pytest.FixtureRequest) -> Iterator[SimHub]:
    window_s = getattr(request, "param", WINDOW_S)
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=QUOTA, window_s=window_s)
    hub.start()
    yield hub
    hub.stop()


def poller(url: str) -> Poller:
    return Poller(HubClient(url, token=False, policy=FAST_POLICY), load_registry())


def test_slow_poll_spreads_over_windows_instead_of_exceeding_the_quota(tight_sim: SimHub, tmp_path: Path) -> None:
    messages: list[str] = []
    with Store(tmp_path / "h.sqlite") as store:
        outcome = poller(tight_sim.url).poll(store, Lane.SLOW, on_status=messages.append, deadline_s=60)
    assert outcome.ok, outcome.result.error
    stats = outcome.result.stats
    assert stats.requests > 2 * QUOTA  # the plan needs several windows' worth
    assert tight_sim.stats.requests == stats.requests  # no request was refused and re-sent
    assert tight_sim.stats.max_in_window <= QUOTA
    assert any("request budget used up" in m and "waiting" in m for m in messages)
    assert stats.rate_limit == QUOTA


# A long window: the next one is ~30 s away, far past a 10 s deadline, however slow the machine.
@pytest.mark.parametrize("tight_sim", [30.0], indirect=True)
def test_poll_that_cannot_wait_for_the_window_fails_with_one_line(tight_sim: SimHub, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    ran = run_cli(
        "poll",
        "--lane",
        "slow",
        "--deadline",
        "10",
        "--db",
        str(db),
        env={"HF_ENDPOINT": tight_sim.url, **FAST_ENV},
        timeout=60,
    )
    assert ran.code == 1
    line = one_line_error(ran.err)
    assert "request budget used up" in line and "deadline" in line
    assert tight_sim.stats.max_in_window <= QUOTA
    after = snapshot(db)
    assert (after.models, after.observations) == (0, 0)
    assert [status for _, status, _ in after.polls] == ["failed"]


@pytest.mark.parametrize("tight_sim", [5.0], indirect=True)
def test_a_budget_spent_by_someone_else_costs_one_429_not_a_storm(tight_sim: SimHub, tmp_path: Path) -> None:
    # Another client on the same IP (a browser, a notebook) uses the whole of a fresh window.
    tight_sim.ratelimit.reset()
    with httpx2.Client() as other:
        for _ in range(QUOTA):
            other.get(f"{tight_sim.url}/api/models", params={"limit": 1})
    before = tight_sim.stats.requests
    started = time.monotonic()
    with Store(tmp_path / "h.sqlite") as store:
        outcome = poller(tight_sim.url).poll(store, Lane.FAST, deadline_s=30)
    assert outcome.ok, outcome.result.error
    assert time.monotonic() - started < 30
    # The fast lane needs two requests; the one that found the window spent was refused and waited out.
    assert tight_sim.stats.requests - before == 3
    assert outcome.result.stats.retries == 1
