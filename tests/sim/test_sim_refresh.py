"""The simulated Hub as awkward as the real one: daily refresh staircase, skip and partial days, recounts,
a live keyset cursor, an untracked majority, a search past the 1,000 cut; and its ground truth."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

import pytest
from huggingface_hub import HfApi, get_session

from hfwatch_sim import DEFAULT_START, SimClock, SimHub
from hfwatch_sim.dynamics import DAY
from hfwatch_sim.refresh import REFRESH_HOUR_S

HOUR = 3600.0
FIRST_DAYS = (DEFAULT_START, DEFAULT_START + 10 * DAY)


@pytest.fixture
def sim() -> Iterator[SimHub]:
    with SimHub(seed=7, clock=SimClock(start=DEFAULT_START, speed=0.0), quota=1_000_000) as hub:
        yield hub


def counters(sim: SimHub, **params: Any) -> dict[str, tuple[int, int]]:
    """id -> (downloads, downloadsAllTime) over every page of a listing, at the clock's current reading."""
    api = HfApi(endpoint=sim.url, token=False)
    models = api.list_models(expand=["downloads", "downloadsAllTime"], limit=None, **params)
    return {m.id: (m.downloads, m.downloads_all_time) for m in models}


def at(sim: SimHub, t: float, **params: Any) -> dict[str, tuple[int, int]]:
    sim.clock.set(t)
    return counters(sim, **params)


def grew(sim: SimHub, model_id: str, t0: float, t1: float) -> bool:
    return sim.truth.downloads(model_id, t0, t1) > 0


def test_counters_stand_still_between_refreshes(sim: SimHub) -> None:
    refresh = sim.truth.refreshes(*FIRST_DAYS)[0][0]
    after = at(sim, refresh + HOUR)
    later = at(sim, refresh + 23 * HOUR)
    common = after.keys() & later.keys()
    assert len(common) > 1000
    assert all(after[i] == later[i] for i in common)
    growing = [i for i in common if grew(sim, i, refresh + HOUR, refresh + 23 * HOUR)]
    assert len(growing) > 0.5 * len(common), "downloads happened all day; the counters just did not show them"


def test_refresh_hour_is_fixed() -> None:
    instants = [r for r, _ in SimHub(seed=7, clock=SimClock(speed=0.0)).truth.refreshes(*FIRST_DAYS)]
    assert len(instants) == 10
    assert all(r % DAY == REFRESH_HOUR_S for r in instants)


def test_a_skip_day_repeats_every_counter(sim: SimHub) -> None:
    skips = sim.truth.skip_days(*FIRST_DAYS)
    assert skips, "at least one skipped refresh in the first ten days"
    before, after = at(sim, skips[0] - HOUR), at(sim, skips[0] + HOUR)
    common = before.keys() & after.keys()
    assert all(before[i] == after[i] for i in common)
    # The next full refresh carries two days' growth.
    nxt = next(r for r, kind in sim.truth.refreshes(skips[0] + 1, skips[0] + 9 * DAY) if kind == "full")
    jumped = at(sim, nxt + HOUR)
    model = max(common, key=lambda i: before[i][1])
    last_full = sim.truth.refreshed_at(model, skips[0] - HOUR)
    assert last_full is not None and nxt - last_full >= 2 * DAY
    if not any(r.model_id == model for r in sim.truth.recounts()):
        assert jumped[model][1] - before[model][1] == sim.truth.downloads(model, last_full, nxt)


def test_a_partial_day_refreshes_about_a_quarter(sim: SimHub) -> None:
    partials = sim.truth.partial_days(*FIRST_DAYS)
    assert partials
    day = partials[0]
    before, after = at(sim, day - HOUR), at(sim, day + HOUR)
    moving = [i for i in before.keys() & after.keys() if grew(sim, i, day - DAY, day) and before[i][1] > 1000]
    changed = {i for i in moving if after[i] != before[i]}
    assert 0.15 < len(changed) / len(moving) < 0.35
    assert changed == {i for i in moving if sim.truth.refreshed_at(i, day + HOUR) == day}


def test_a_full_day_refreshes_every_moving_counter(sim: SimHub) -> None:
    day = next(r for r, kind in sim.truth.refreshes(*FIRST_DAYS) if kind == "full")
    before, after = at(sim, day - HOUR), at(sim, day + HOUR)
    moving = [i for i in before.keys() & after.keys() if sim.truth.downloads(i, day - DAY, day) >= 2]
    assert moving and all(after[i][1] != before[i][1] for i in moving)


def test_published_all_time_is_the_truth_at_the_last_refresh(sim: SimHub) -> None:
    t0, t1 = DEFAULT_START + 2 * HOUR, DEFAULT_START + 9 * DAY + 2 * HOUR
    first, last = at(sim, t0), at(sim, t1)
    recounted = {r.model_id for r in sim.truth.recounts()}
    checked = 0
    for model_id in (first.keys() & last.keys()) - recounted:
        r0, r1 = sim.truth.refreshed_at(model_id, t0), sim.truth.refreshed_at(model_id, t1)
        if r0 is None or r1 is None:
            continue
        assert last[model_id][1] - first[model_id][1] == sim.truth.downloads(model_id, r0, r1), model_id
        checked += 1
    assert checked > 1000


def test_a_recount_lowers_an_all_time_count_for_good(sim: SimHub) -> None:
    recounts = [r for r in sim.truth.recounts() if FIRST_DAYS[0] < r.at < FIRST_DAYS[1]]
    assert recounts
    rc = recounts[0]
    applied = next(
        r for r, _ in sim.truth.refreshes(rc.at, rc.at + 20 * DAY) if sim.truth.refreshed_at(rc.model_id, r) == r
    )
    before = at(sim, applied - HOUR, search=rc.model_id)[rc.model_id][1]
    after = at(sim, applied + HOUR, search=rc.model_id)[rc.model_id][1]
    assert after < before
    # Permanently: later values stay short of the truth by the offset.
    r_later = sim.truth.refreshed_at(rc.model_id, applied + 5 * DAY)
    assert r_later is not None
    later = at(sim, applied + 5 * DAY, search=rc.model_id)[rc.model_id][1]
    assert later == after + sim.truth.downloads(rc.model_id, applied, r_later)


def test_the_keyset_cursor_repeats_or_skips_records_whose_downloads_moved(sim: SimHub) -> None:
    t1 = sim.truth.refreshes(*FIRST_DAYS)[0][0] - HOUR
    sim.clock.set(t1)
    session = get_session()
    r = session.get(sim.url + "/api/models", params={"sort": "downloads", "limit": 200, "expand": "downloads"})
    walked, pages_at = [m["id"] for m in r.json()], [t1]
    while "next" in r.links:
        sim.clock.advance(DAY)  # a refresh reorders the listing between two pages
        pages_at.append(sim.clock.now())
        r = session.get(r.links["next"]["url"])
        walked += [m["id"] for m in r.json()]
    seen_twice = {i for i in walked if walked.count(i) > 1}
    skipped = {m.id for m in sim.truth.models(t1)} - set(walked)
    assert seen_twice and skipped
    for model_id in seen_twice | skipped:
        assert len({sim.truth.published(model_id, t)[1] for t in pages_at}) > 1, model_id
    # A walk that nothing moves under sees every record once.
    assert len(counters(sim, sort="downloads")) == len(sim.truth.models(pages_at[-1]))


def test_newest_and_trending_are_mostly_untracked(sim: SimHub) -> None:
    session = get_session()
    for day in range(0, 10, 3):
        sim.clock.set(DEFAULT_START + day * DAY)
        newest = session.get(sim.url + "/api/models", params={"sort": "createdAt", "limit": 100}).json()
        trending = session.get(sim.url + "/api/models", params={"limit": 100}).json()
        untracked_new = sum(sim.truth.model(m["id"]).family is None for m in newest)
        untracked_trending = sum(sim.truth.model(m["id"]).family is None for m in trending)
        assert untracked_new > 60
        assert 30 <= untracked_trending <= 70


def test_a_family_search_passes_the_1000_cut_and_models_drop_in_and_out(sim: SimHub) -> None:
    api = HfApi(endpoint=sim.url, token=False)
    assert len(list(api.list_models(search="qwen", limit=None))) > 1000
    tops = []
    for day in (0, 4, 8):
        sim.clock.set(DEFAULT_START + day * DAY + 8 * HOUR)
        tops.append({m.id for m in api.list_models(search="qwen", sort="downloads", limit=1000)})
    assert all(len(top) == 1000 for top in tops)
    assert tops[0] - tops[2] and tops[2] - tops[0]
    assert all(sim.truth.model(i).base_family == "Qwen" or "qwen" in i.lower() for i in tops[0])


def test_truth_adds_up_day_by_day(sim: SimHub) -> None:
    t0, t1 = DEFAULT_START, DEFAULT_START + 7 * DAY
    qwen = sim.truth.in_scope("Qwen", "ecosystem")
    first_party = sim.truth.in_scope("Qwen", "first-party")
    assert {m.id for m in first_party} < {m.id for m in qwen}
    assert all(m.via == "org" and m.family == "Qwen" for m in first_party)
    for model in qwen[:200]:
        days = sum(sim.truth.downloads(model.id, t0 + d * DAY, t0 + (d + 1) * DAY) for d in range(7))
        assert days == sim.truth.downloads(model.id, t0, t1)
    eco = sim.truth.family_downloads("Qwen", "ecosystem", t0, t1)
    fp = sim.truth.family_downloads("Qwen", "first-party", t0, t1)
    assert eco == sum(sim.truth.downloads(m.id, t0, t1) for m in qwen if m.created < t1)
    assert 0 < fp < eco
    untracked = [m for m in sim.truth.models(t0) if m.family is None and m.kind == "indie"]
    assert untracked and all(m.base_family is None and m.via is None for m in untracked)


def test_every_response_is_dated_by_the_simulated_clock(sim: SimHub) -> None:
    session = get_session()
    for t in (DEFAULT_START + 1234.0, DEFAULT_START + 3 * DAY + 7.0):
        sim.clock.set(t)
        for path in ("/api/models", "/nope"):
            r = session.get(sim.url + path, params={"limit": 1})
            assert r.headers["Date"] == formatdate(t, usegmt=True)
            assert parsedate_to_datetime(r.headers["Date"]).timestamp() == int(t)
