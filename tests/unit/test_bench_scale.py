"""The scale section's walk and arithmetic (no timings are asserted): its pages are what the simulated Hub
serves, its walk counts what the Hub's ground truth says, its baseline makes the store's writes, and a
quick run says why it leaves the section out."""

from __future__ import annotations

import argparse
import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench import docs, scalecost
from bench.__main__ import FULL, QUICK, _scale_plan
from bench.report import Figure
from bench.scale_child import _updates
from bench.scalewalk import DAY_S, Raw, pages, parse, sim_tail, walk
from hfwatch.hub.client import EXPAND
from hfwatch.registry import load_registry
from hfwatch.store import Store, walks
from hfwatch_sim import SimHub
from hfwatch_sim.clock import SimClock

T = 1_793_577_600  # 2026-11-02T00:00:00Z


def test_pages_are_the_tail_as_the_simulated_hub_lists_it() -> None:
    tail = sim_tail(3_000, T)
    ours = [r for body in pages(tail, T) for r in json.loads(body)]
    with SimHub(seed=7, clock=SimClock(start=T, speed=0.0), quota=1_000_000, tail=3_000) as hub:
        query = urllib.parse.urlencode([("sort", "downloads"), ("limit", "1000"), *(("expand", f) for f in EXPAND)])
        with urllib.request.urlopen(f"{hub.url}/api/models?{query}") as reply:
            served = json.loads(reply.read())
    tail_ids = {r["id"] for r in ours}
    listed = [r for r in served if r["id"] in tail_ids]
    assert listed, "the Hub's first page holds tail repos"
    assert listed == ours[: len(listed)]


def test_walk_stores_the_tail_with_the_coverage_of_the_ground_truth(tmp_path: Path) -> None:
    tail = sim_tail(2_500, T)
    truth = [tail.model(r, T) for r in range(tail.size)]
    with Store(tmp_path / "s.sqlite") as store:
        timing = walk(store, tail, load_registry(), T)
        stored = walks.latest(store.conn)
        models = store.conn.execute("SELECT count(*) FROM models").fetchone()[0]
    assert timing.pages == 3 and models == 2_500
    assert stored is not None and stored.walked == 2_500 and stored.finished == T
    assert stored.downloads == sum(m.downloads for m in truth)
    tracked = sum(m.downloads for m in truth if m.family is not None)
    # Not exact: a few fine-tunes of allenai repos named without "olmo" (allenai/BAR-7B) are OLMo's in the
    # simulated Hub's lineage, while hfwatch narrows the shared allenai org by its search term.
    assert stored.coverage == pytest.approx(tracked / stored.downloads, abs=0.01)


def test_next_day_baseline_updates_the_models_the_store_changed(tmp_path: Path) -> None:
    tail = sim_tail(1_500, T)
    registry = load_registry()
    with Store(tmp_path / "s.sqlite") as store:
        walk(store, tail, registry, T)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        shutil.copyfile(store.path, tmp_path / "raw.sqlite")
        changed = walk(store, tail, registry, T + DAY_S).changed
    raw = Raw.open(str(tmp_path / "raw.sqlite"))
    updated = sum(len(_updates(raw, parse(body), T + DAY_S)[0][1]) for body in pages(tail, T + DAY_S))
    raw.close()
    assert 0 < updated == changed


def test_a_year_on_disk_weighs_the_days_that_start_a_week_apart() -> None:
    # Before the walks 1,000 B (100 free), then +2,000 B, +200 B, +300 B and +500 B (freed pages not counted).
    sizes = [
        {"file": 1_000, "free": 100},
        {"file": 3_000, "free": 100},
        {"file": 3_200, "free": 100},
        {"file": 3_500, "free": 100},
        {"file": 4_100, "free": 200},
    ]
    saturday = 1_793_404_800  # 2026-10-31: the third walk is on the Monday that starts a week, the fourth inside it
    times = [saturday + k * DAY_S for k in range(4)]
    figures, out = scalecost.year_on_disk(sizes, tail=500, models=1_000, changed=[0.5, 0.7], times=times)
    # Of the 363 days after the first two, from a Saturday, 52 start a week: (2,200 + 52 x 300 + 311 x 500) x 2
    assert out["year_bytes"] == 346_600
    assert figures[0].value == pytest.approx(346_600 / 1e9) and figures[0].met is None, "the budget is for 1M"
    # ...to which a smaller run projects: x 1M/1,000 models, against the budget.
    assert figures[1].name.endswith("1M models, on disk, projected") and figures[1].budget == "<= 2"
    assert figures[1].value == pytest.approx(346_600 * 1_000 / 1e9) and figures[1].met is True
    assert out["changed_share"] == pytest.approx(0.6)
    assert "1 week start(s) and 1 other day(s) measured" in (figures[0].note or "")
    # Walks from a Sunday measure no week start: the days stand for both kinds, and the note says what is missing.
    later = [t + DAY_S for t in times]
    figures, out = scalecost.year_on_disk(sizes, tail=500, models=1_000, changed=[0.5], times=later)
    assert out["year_bytes"] == (2_200 + 363 * 400) * 2
    assert "NO week start measured" in (figures[0].note or "")


def test_quick_leaves_scale_out_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(scale_models=None, scale_reps=None)
    assert _scale_plan(QUICK, args, set()) is None
    assert "left out of --quick" in capsys.readouterr().err
    asked = _scale_plan(QUICK, argparse.Namespace(scale_models=60_000, scale_reps=1), {"scale"})
    assert asked is not None and (asked.models, asked.reps) == (60_000, 1)
    assert _scale_plan(FULL, args, {"ingest"}) is None


def test_deep_lane_figures_fill_the_marked_blocks_of_readme_and_scaling(tmp_path: Path) -> None:
    meta = {"mode": "full", "finished_at": 0, "seconds": 1.0, "cpus": 2, "python": "3", "sqlite": "3",
            "load_avg_1m_at_start": 1.0, "load_avg_1m_at_end": 2.0}  # fmt: skip
    marked = f"a\n{docs.BEGIN}\n{docs.END}\n{docs.DEEP_BEGIN}\nold\n{docs.DEEP_END}\nz\n"
    readme, scaling = tmp_path / "README.md", tmp_path / "scaling.md"
    readme.write_text(marked)
    scaling.write_text(marked)
    figures = [Figure("deep lane cost", "floor 100: requests (pages of 1000)", 150), Figure("network", "x", 2)]
    docs.write(meta, figures, readme=readme, results=tmp_path / "RESULTS.md", scaling=scaling)
    for path, link in ((readme, "(bench/RESULTS.md)"), (scaling, "(../bench/RESULTS.md)")):
        text = path.read_text()
        assert "old" not in text and "| deep lane cost | floor 100: requests (pages of 1000) | 150 |" in text
        assert link in text and "| network |" not in text.split(docs.DEEP_BEGIN)[1]
    docs.write(meta, [Figure("network", "x", 3)], readme=readme, results=tmp_path / "RESULTS.md", scaling=scaling)
    assert "| 150 |" in scaling.read_text()  # a run without the deep lane leaves its block as it was


def test_a_run_of_some_sections_is_named_by_its_command() -> None:
    base = {"mode": "full", "plan": {"scale": {"reps": 3}}, "scale_plan": {"reps": 1}}
    scale_only = base | {"sections": {"history:50000": 0.3, "scale": 2780.1}}
    assert docs.command(scale_only) == "python -m bench --only scale --scale-reps 1"
    whole = base | {"sections": {"ingest": 48.0, "dashboard": 60.0, "ui:cold start": 16.0}}
    assert docs.command(whole) == "python -m bench"
    assert docs.command(whole | {"mode": "quick"}) == "python -m bench --quick"
