"""The race's ranks over time, the newcomers' ranking, pass alerts, and writing the user's families.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfwatch.analysis.newcomers import rank_newcomers
from hfwatch.analysis.overtakes import Overtake
from hfwatch.analysis.race import race, rank_history, sample_times
from hfwatch.registry import RegistryError, load_registry
from hfwatch.registry.userfile import add_family, add_org
from hfwatch.store.newcomers import OrgActivity
from hfwatch.tui.alerts import PassAlerts

H = 3600
DAY = 86400


def test_ranks_carry_values_forward_and_count_only_known_families() -> None:
    series = {"a": [(0, 10.0), (2 * H, 10.0)], "b": [(0, 5.0), (H, 20.0)], "c": [(H, 1.0)]}
    ranks = rank_history(series, [0, H, 2 * H])
    # t=0: a 10 > b 5, c unknown; t=H: b 20 > a 10 > c 1; t=2H: b's 20 still holds.
    assert ranks == {"a": [1, 2, 2], "b": [2, 1, 1], "c": [None, 3, 3]}
    assert rank_history(series, [H], ["c"]) == {"c": [3]}


def test_sample_times_thin_evenly_and_keep_the_ends() -> None:
    series = {"a": [(t, 1.0) for t in range(0, 1000 * H, H)]}
    times = sample_times(series, since=100 * H, max_points=50)
    assert len(times) == 50 and times[0] == 100 * H and times[-1] == 999 * H
    assert sample_times(series, since=995 * H) == [995 * H, 996 * H, 997 * H, 998 * H, 999 * H]


def test_the_race_lists_passes_in_the_span_newest_first() -> None:
    hourly = range(0, 6 * DAY, H)
    a = [(t, 100.0) for t in hourly]
    b = [(t, 150.0 if t >= DAY else 50.0) for t in hourly]  # passes a at day 1
    c = [(t, 200.0 if t >= 3 * DAY else 10.0) for t in hourly]  # passes a and b at day 3
    got = race({"a": a, "b": b, "c": c}, leaders=["a", "c"], since=2 * DAY, scope="ecosystem", metric="downloads_30d")
    assert [(o.at, o.family, o.passed) for o in got.passes] == [(3 * DAY, "c", "a"), (3 * DAY, "c", "b")]
    assert set(got.ranks) == {"a", "c"} and got.ranks["c"][-1] == 1 and got.ranks["a"][-1] == 3


def activity(org: str, d30: int | None, trending: int = 0) -> OrgActivity:
    return OrgActivity(org, 1, d30, trending, None, None, None)


def test_newcomers_leave_out_claimed_orgs_and_reuploaders_and_rank_by_downloads_then_trending() -> None:
    registry = load_registry()
    claimed = registry.families[0].orgs[0].name
    reuploader = sorted(registry.reuploaders)[0]
    orgs = [
        activity("zeta", 10),
        activity("alpha", None, 3),
        activity("beta", 10, 2),
        activity(claimed.upper(), 99),
        activity(reuploader, 99),
        activity("gamma", 500),
    ]
    ranked = rank_newcomers(orgs, registry)
    assert [n.org for n in ranked] == ["gamma", "beta", "zeta", "alpha"]
    assert [n.rank for n in ranked] == [1, 2, 3, 4]


def test_pass_alerts_start_from_a_baseline_and_hand_out_each_pass_once() -> None:
    old = Overtake(100, "qwen", "llama", 1, "ecosystem", "downloads_30d")
    new = Overtake(200, "gemma", "llama", 2, "ecosystem", "downloads_30d")
    other = Overtake(200, "kimi", "glm", 9, "ecosystem", "downloads_30d")
    alerts = PassAlerts()
    assert alerts.new("ecosystem", "downloads_30d", [old], {"llama"}) == []
    assert alerts.new("ecosystem", "downloads_30d", [old, new, other], {"llama"}) == [new]
    assert alerts.new("ecosystem", "downloads_30d", [old, new, other], {"llama"}) == []
    assert alerts.new("first-party", "downloads_30d", [new], {"llama"}) == []  # a new baseline per view


def test_user_file_gains_a_family_then_an_org_and_bad_input_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "families.toml"
    registry = add_family(path, family_id="nova", name='Nova "Lab"', country="fr", org="newlab")
    assert registry.get("nova").name == 'Nova "Lab"' and registry.get("nova").country == "FR"
    add_org(path, family_id="nova", org="newlab-research")
    registry = add_org(path, family_id="qwen", org="qwen-extra")
    loaded = load_registry(path)
    assert [o.name for o in loaded.get("nova").orgs] == ["newlab", "newlab-research"]
    assert "qwen-extra" in [o.name for o in loaded.get("qwen").orgs]
    assert [o.name for o in registry.get("qwen").orgs] == [o.name for o in loaded.get("qwen").orgs]
    before = path.read_text(encoding="utf-8")
    claimed = load_registry().get("qwen").orgs[0].name
    for bad in (
        {"family_id": "Bad Id", "name": "x", "country": "US", "org": "a"},
        {"family_id": "x", "name": "x", "country": "ZZ", "org": "a"},
        {"family_id": "x", "name": "x", "country": "US", "org": claimed},
    ):
        with pytest.raises(RegistryError) as err:
            add_family(path, **bad)
        assert str(err.value).startswith(f"{path}:") and "\n" not in str(err.value)
    assert path.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["families.toml"]  # no temporary copy left
