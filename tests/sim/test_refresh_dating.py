"""Each of the Hub's daily refreshes dated once, and after it happened, against the simulated Hub's own
refresh instants (DESIGN §2): a refresh dated twice, or to the day before, credits a day's growth to the
seconds between two instants, and the family chart shows a spike that never happened."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfwatch.demo import start_demo_hub
from hfwatch.engine import Poller, PollOutcome
from hfwatch.hub.client import HubClient
from hfwatch.records import Lane
from hfwatch.registry import Registry
from hfwatch.store import Store
from hfwatch.store.refresh import PRECISE_BRACKET_S
from hfwatch.timeunits import DAY_S, HOUR_S
from hfwatch.tui.feeder import Feeder
from hfwatch.tui.session import DEMO_BACKFILL_DAYS, demo_backfill
from tests.conftest import SIM_START
from tests.helpers.tui import registry

__all__ = ["registry"]  # fixture used below

# A poll takes simulated time, as in the demo (x600 there: a slow poll, minutes). Slower here, so that a poll
# on a loaded machine still ends long before the refresh an hour after it.
SPEED = 60.0
# The simulated Hub refreshes at 06:00; the back-fill polls an hour either side, so the time of day it
# learns for the refresh is 07:00. A monitor started in between finds today's refresh already published.
STARTED = SIM_START + 2 * DAY_S + 6 * HOUR_S + 33 * 60


@pytest.mark.slow
def test_the_demo_backfill_dates_every_refresh_once_and_after_it(tmp_path: Path, registry: Registry) -> None:
    hub = start_demo_hub(start=STARTED, speed=SPEED)
    try:
        poller = Poller(HubClient(hub.url, token=False), registry, clock=hub.clock.now)

        def polled(_n: int, _total: int, outcome: PollOutcome) -> None:
            assert outcome.ok, outcome.result.error

        with Store(tmp_path / "demo.db") as store:
            feeder = Feeder(poller, store, set_clock=hub.clock.set, reset_budget=hub.ratelimit.reset, speed=SPEED)
            feeder.backfill(demo_backfill(hub), polled)
            # The monitor's first polls, at the time it started (the back-fill's time is this test's, not the Hub's).
            hub.clock.set(STARTED)
            for lane in (Lane.FAST, Lane.SLOW):
                assert poller.poll(store, lane).ok
            dated = [row[0] for row in store.conn.execute("SELECT instant FROM refreshes ORDER BY t")]
        published = [
            at for at, kind in hub.truth.refreshes(STARTED - DEMO_BACKFILL_DAYS * DAY_S, STARTED) if kind != "skip"
        ]
    finally:
        hub.stop()

    def dates(instant: int) -> float:
        """The Hub's refresh whose values a poll dated `instant` holds: the latest published by then."""
        before = [at for at in published if at <= instant]
        assert before, f"{instant} is dated before any refresh the back-fill saw: {published}"
        return before[-1]

    assert None not in dated, dated
    assert dated == sorted(dated), dated
    assert all(0 <= instant - dates(instant) <= PRECISE_BRACKET_S for instant in dated), (dated, published)
    # Every refresh the back-fill saw is dated, each once.
    assert [dates(instant) for instant in dated] == published, (dated, published)
