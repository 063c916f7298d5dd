"""The race: passes between families, a flap that is not one, and `hfwatch overtakes` on an imported history."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hfwatch.analysis.overtakes import Overtake, overtakes
from hfwatch.importing import read_listing, store_listing
from hfwatch.registry import load_registry
from hfwatch.store import Store
from tests.conftest import run_cli

H = 3600
DAY = 86400


def test_a_pass_counts_once_it_has_held_a_day_and_is_dated_by_its_first_poll() -> None:
    hourly = range(0, 4 * DAY, H)
    a = [(t, 1000.0) for t in hourly]
    # b: below a, then above it for 5 hours (a flap), below again, then above for good from hour 50.
    b = [(t, 1100.0 if 10 * H <= t < 15 * H or t >= 50 * H else 900.0) for t in hourly]
    found = overtakes({"a": a, "b": b}, scope="ecosystem", metric="downloads_30d")
    assert found == [Overtake(at=50 * H, family="b", passed="a", rank=1, scope="ecosystem", metric="downloads_30d")]


def test_a_flap_every_hour_never_counts_and_a_new_order_younger_than_a_day_is_not_yet_a_pass() -> None:
    hourly = range(0, 3 * DAY, H)
    a = [(t, 1000.0) for t in hourly]
    flapping = [(t, 1001.0 if (t // H) % 2 else 999.0) for t in hourly]
    late = [(t, 1200.0 if t >= 3 * DAY - 23 * H else 10.0) for t in hourly]  # ahead for 22 hours only
    assert overtakes({"a": a, "b": flapping, "c": late}, scope="first-party", metric="downloads_all_time") == []


def test_unknown_and_ties_interrupt_a_pending_pass_and_ranks_count_every_known_family() -> None:
    t = [i * 6 * H for i in range(12)]  # every 6 hours over 3 days
    a = [(x, 500.0) for x in t]
    b = [(x, 100.0) for x in t]
    # c starts last; it passes b at t[2] for good, and a at t[4] but a tie at t[6] breaks that order
    # (t[4] + 1 day = t[8]); from t[7] on it is ahead of a again, which holds from t[7] to t[11].
    c_values = [50, 50, 200, 200, 600, 600, 500, 700, 700, 700, 700, 700]
    c = list(zip(t, map(float, c_values), strict=True))
    found = overtakes({"a": a, "b": b, "c": c}, scope="ecosystem", metric="downloads_30d")
    assert [(o.at, o.family, o.passed, o.rank) for o in found] == [(t[2], "c", "b", 2), (t[7], "c", "a", 1)]
    # A family without a value yet is ranked by nobody: d's first point is late, and its first order is no pass.
    d = [(t[5], 1000.0)]
    found = overtakes({"a": a, "b": b, "c": c, "d": d}, scope="ecosystem", metric="downloads_30d")
    assert all(o.family != "d" for o in found)
    assert [(o.at, o.family, o.passed, o.rank) for o in found] == [(t[2], "c", "b", 2), (t[7], "c", "a", 2)]


# -- the command, on a history built by importing listings ------------------------------------------

START = datetime(2026, 10, 1, tzinfo=UTC).timestamp()
POLLS = 20  # every 6 hours for 5 days
STEP = 6 * H


def d30(family: str, n: int) -> int:
    """The scenario: Qwen leads; Llama flaps above Qwen at poll 3 only; DeepSeek passes Llama at poll 8;
    Llama passes Qwen and DeepSeek at poll 14. Each new order (but the flap) holds to the end."""
    if family == "qwen":
        return 1000
    if family == "llama":
        return 1100 if n == 3 else (1200 if n >= 14 else 900)
    return 950 if n >= 8 else 500


def listing(n: int) -> dict[str, Any]:
    ids = {"qwen": "Qwen/Qwen3-8B", "llama": "meta-llama/Llama-3.1-8B", "deepseek": "deepseek-ai/DeepSeek-V3"}
    iso_t = datetime.fromtimestamp(START + n * STEP, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "fetched_at": iso_t,
        "models": [
            {
                "id": ident,
                "author": ident.split("/")[0],
                "downloads": d30(fam, n),
                "downloadsAllTime": 100_000 + n,
                "likes": 1,
                "createdAt": "2026-09-20T00:00:00.000Z",
            }
            for fam, ident in ids.items()
        ],
    }


@pytest.fixture(scope="module")
def race_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("race")
    db = folder / "race.sqlite"
    with Store(db) as store:
        for n in range(POLLS):
            path = folder / f"poll{n}.json"
            path.write_text(json.dumps(listing(n)), encoding="utf-8")
            read = read_listing(str(path))
            assert read.at is not None
            store_listing(store, read, int(read.at), load_registry())
    return db


def at(n: int) -> str:
    return datetime.fromtimestamp(START + n * STEP, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_overtakes_json_lists_the_scenario_passes_and_not_the_flap(race_db: Path) -> None:
    ran = run_cli("overtakes", "--db", str(race_db), "--format", "json", "--scope", "first-party")
    assert ran.code == 0, ran.err
    rows = json.loads(ran.out)
    got = [(r["at"], r["family"], r["passed"], r["rank"]) for r in rows]
    assert got == [(at(8), "deepseek", "llama", 2), (at(14), "llama", "deepseek", 1), (at(14), "llama", "qwen", 1)]
    assert {(r["scope"], r["metric"]) for r in rows} == {("first-party", "downloads_30d")}


def test_overtakes_table_csv_filters_and_limit(race_db: Path) -> None:
    ran = run_cli("overtakes", "--db", str(race_db), "--family", "deepseek", "--scope", "first-party")
    assert ran.code == 0, ran.err
    names = {f.id: f.name for f in load_registry().families}
    lines = ran.out.splitlines()
    assert len(lines) == 2
    first = lines[0].split()
    assert lines[0].startswith(at(8)[:10] + "  ") and lines[0].endswith("first-party · 30d downloads")
    assert " ".join(first[1:-5]) == f"{names['deepseek']} passed {names['llama']}" and first[-5] == "#2"
    ran = run_cli("overtakes", "--db", str(race_db), "--format", "csv", "--limit", "1", "--since", at(9))
    assert ran.code == 0, ran.err
    rows = list(csv.DictReader(io.StringIO(ran.out)))
    assert [(r["at"], r["family"], r["passed"], r["rank"]) for r in rows] == [(at(14), "llama", "qwen", "1")]
    ran = run_cli("overtakes", "--db", str(race_db), "--since", at(15), "--metric", "downloads_all_time")
    assert ran.code == 0 and ran.out.startswith("no passes")


def test_overtakes_refuses_bad_input_in_one_line(race_db: Path) -> None:
    for args in (["--family", "nope"], ["--limit", "0"], ["--since", "yesterday-ish"]):
        ran = run_cli("overtakes", "--db", str(race_db), *args)
        assert ran.code == 1 and ran.err.count("\n") == 1 and ran.err.startswith("hfwatch: error: "), ran.err


def test_a_pass_by_downloads_per_day_is_dated_by_the_refresh_that_showed_it(tmp_path: Path) -> None:
    """Qwen's three models grow 1,000/day each (3,000/day); DeepSeek's three 400/day each (1,200/day), then
    3,000/day each (9,000/day) from the refresh of day 5. Counters step once a day at 06:00; polled hourly.
    The 7-day rate is the mean of the daily growths in the window since the first refresh seen (day 0): at day 5
    DeepSeek has (4 x 1,200 + 9,000) / 5 = 2,760 < 3,000, at day 6 (4 x 1,200 + 2 x 9,000) / 6 = 3,800 > 3,000, and
    it stays ahead. So one pass, DeepSeek over Qwen, dated by the poll that first saw day 6's refresh."""
    from hfwatch.engine import store_records
    from hfwatch.records import Lane, ModelRecord, PollResult

    day, hour, t0 = 86400, 3600, 20_000 * 86400
    registry = load_registry()

    def per_day(model: str, k: int) -> int:
        if model.startswith("Qwen"):
            return 1000
        return 400 if k < 5 else 3000

    def counter(model: str, t: int) -> int:
        k = (t - t0 - 6 * hour) // day  # the latest refresh at or before t
        return 10**6 + sum(per_day(model, i) for i in range(k + 1))

    models = [f"Qwen/Qwen3-{n}B" for n in (1, 4, 8)] + [f"deepseek-ai/DeepSeek-V{n}" for n in (2, 3, 4)]
    db = tmp_path / "rate.sqlite"
    with Store(db) as store:
        for t in range(t0, t0 + 10 * day, hour):
            records = [ModelRecord(id=m, downloads_30d=1, downloads_all_time=counter(m, t)) for m in models]
            store_records(store, PollResult(lane=Lane.SLOW, started=t, finished=t, records=records), registry)
    ran = run_cli("overtakes", "--db", str(db), "--metric", "rate", "--scope", "first-party", "--format", "json")
    assert ran.code == 0, ran.err
    passes = [p for p in json.loads(ran.out) if {p["family"], p["passed"]} == {"qwen", "deepseek"}]
    assert [(p["family"], p["passed"], p["metric"]) for p in passes] == [("deepseek", "qwen", "rate")]
    # Day 6's refresh at 06:00 is first seen by the poll of 06:00 (the counter shows it from that instant on).
    assert passes[0]["at"] == datetime.fromtimestamp(t0 + 6 * day + 6 * hour, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
