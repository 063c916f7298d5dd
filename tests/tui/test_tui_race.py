"""The race screen, untracked models in the feed, and the newcomers panel, driven by keys on the fixed
history (or a copy of it that constructed polls, stored through the real ingest path, extend)."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Static

from hfwatch.config import Config
from hfwatch.engine import store_records
from hfwatch.records import Lane, ModelRecord, PollResult
from hfwatch.registry import Registry, load_registry
from hfwatch.store import Store
from hfwatch.timeunits import DAY_S
from hfwatch.tui import format as fmt
from hfwatch.tui.app import HfWatchApp
from hfwatch.tui.demo_history import FIXED_NOW
from hfwatch.tui.messages import OpenModel
from hfwatch.tui.screens.add_org import AddOrgScreen
from hfwatch.tui.screens.family import FamilyScreen
from hfwatch.tui.screens.model import ModelScreen
from hfwatch.tui.screens.race import RaceScreen
from hfwatch.tui.screens.releases import ReleasesScreen
from hfwatch.tui.screenshots import FROZEN_MONOTONIC
from hfwatch.tui.session import frozen_session
from hfwatch.tui.state import UiState
from hfwatch.tui.widgets.feed import Feed, model_of_key
from hfwatch.tui.widgets.model_table import PENDING, ModelTable
from hfwatch.tui.widgets.race import OvertakeTable
from hfwatch.tui.widgets.release_table import NewcomerTable, ReleaseTable
from tests.conftest import run_cli
from tests.helpers.tui import SIZE, fixed_history, history_copy, make_app, registry, until

pytestmark = pytest.mark.ui
__all__ = ["fixed_history", "history_copy", "registry"]  # fixtures used below

NEW_ORG = "newlab"
# Two models of an org no family claims, one of them entering the trending top N.
NEW_MODELS = (
    ModelRecord(
        f"{NEW_ORG}/Nova-7B",
        NEW_ORG,
        downloads_30d=70_000_000,
        downloads_all_time=70_000_000,
        likes=5,
        created_at=int(FIXED_NOW) - 3600,
        pipeline_tag="text-generation",
    ),
    ModelRecord(
        f"{NEW_ORG}/Nova-1B",
        NEW_ORG,
        downloads_30d=20_000_000,
        downloads_all_time=20_000_000,
        likes=1,
        created_at=int(FIXED_NOW) - 7200,
        pipeline_tag="text-generation",
    ),
)


def cell(table: ReleaseTable | Feed | NewcomerTable | OvertakeTable, row: int, column: str) -> str:
    value = table.get_row_at(row)[table.column_keys().index(column)]
    return value.plain if hasattr(value, "plain") else str(value)


def ingest(db: Path, registry: Registry, records: list[ModelRecord], at: float, trending: list[str]) -> None:
    """A fast poll of the Hub at `at` that listed `records`, stored as a poll would be."""
    with Store(db) as store:
        with sqlite3.connect(db) as conn:
            previous = [
                r for (r,) in conn.execute("SELECT m.id FROM trending t JOIN models m ON m.mid = t.mid ORDER BY t.rank")
            ]
        result = PollResult(lane=Lane.FAST, started=at, finished=at, records=records, trending=[*trending, *previous])
        store_records(store, result, registry)


def app_at(
    db: Path,
    registry: Registry,
    tmp_path: Path,
    now: float,
    *,
    watched: tuple[str, ...] = (),
    config: Config | None = None,
) -> HfWatchApp:
    state = tmp_path / "state.json"
    UiState(watched=set(watched)).save(state)
    session = frozen_session(db, registry, now=now, state_path=state, config=config)
    return HfWatchApp(session, monotonic=lambda: FROZEN_MONOTONIC, autostart=False)


async def test_g_opens_the_race_with_the_passes_and_enter_opens_the_family(
    fixed_history: Path, registry: Registry, tmp_path: Path
) -> None:
    cli = run_cli("overtakes", "--db", str(fixed_history), "--format", "json")
    expected = json.loads(cli.out)
    assert expected, "the fixed history has passes"
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, RaceScreen)
        table = app.screen.query_one(OvertakeTable)
        # Every pass of the command, newest first, each "<Family> passed <Family>" with the passer's new rank.
        assert table.row_count == len(expected)
        newest = max(expected, key=lambda r: (r["at"], -r["rank"]))
        name = {f.id: f.name for f in registry.families}
        assert cell(table, 0, "date") == newest["at"][:10]
        assert cell(table, 0, "pass") == f"{name[newest['family']]} passed {name[newest['passed']]}"
        assert cell(table, 0, "rank") == f"#{newest['rank']}"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FamilyScreen) and app.screen.family == newest["family"]
        await pilot.press("escape", "m", "m")  # downloads/day: the passes by the 7-day rate, as the command has them
        await pilot.pause()
        by_rate = json.loads(
            run_cli("overtakes", "--db", str(fixed_history), "--metric", "rate", "--format", "json").out
        )
        assert app.metric == "rate" and app.screen.query_one(OvertakeTable).row_count == len(by_rate)
        await pilot.press("escape", "ctrl+p", *"Race")  # the palette opens it too
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RaceScreen)


async def test_the_feed_shows_untracked_models_when_trending_and_u_shows_their_releases_too(
    history_copy: Path, registry: Registry, tmp_path: Path
) -> None:
    at = FIXED_NOW + 600
    trending, released = NEW_MODELS[0].id, NEW_MODELS[1].id  # both new and untracked; the first trends
    ingest(history_copy, registry, list(NEW_MODELS), at, [trending])

    def untracked_events(*kinds: str) -> int:
        with sqlite3.connect(history_copy) as conn:
            return conn.execute(
                "SELECT count(*) FROM events e JOIN models m ON m.mid = e.mid"
                f" WHERE m.family IS NULL AND e.t >= ? AND e.kind IN ({','.join('?' * len(kinds))})",
                (at - 30 * DAY_S, *kinds),
            ).fetchone()[0]

    app = app_at(history_copy, registry, tmp_path, at)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        feed = app.screen.query_one(Feed)
        rows = {model_of_key(k): i for i, k in enumerate(feed.keys_in_order())}
        assert trending in rows and released not in rows
        assert cell(feed, rows[trending], "family") == "untracked"
        await pilot.press("u")
        await pilot.pause()
        shown = {model_of_key(k) for k in feed.keys_in_order()}
        assert {trending, released} <= shown
        await pilot.press("u", "n")
        await pilot.pause()
        assert isinstance(app.screen, ReleasesScreen)
        releases = app.screen.query_one(ReleaseTable)
        await pilot.press("slash", *"family:none", "enter")
        await pilot.pause()
        assert untracked_events("new") >= 2 and untracked_events("trending") >= 1  # the constructed poll's
        assert releases.row_count == untracked_events("trending")
        await pilot.press("u")
        await pilot.pause()
        assert releases.row_count == untracked_events("new", "trending")
        assert all(cell(releases, i, "family") == "untracked" for i in range(releases.row_count))


async def test_a_release_the_hub_has_not_counted_yet_reads_not_yet_and_not_0(
    history_copy: Path, registry: Registry, tmp_path: Path
) -> None:
    """The Hub computes downloads once a day: a model created after its last refresh the polls saw is listed
    with 0, which is not a count. One created before that refresh and still at 0 was counted: it reads 0."""

    def counted_until() -> int:
        with sqlite3.connect(history_copy) as conn:
            return conn.execute("SELECT max(instant) FROM refreshes").fetchone()[0]

    last = counted_until()
    assert last is not None and FIXED_NOW - 6 * DAY_S < last < FIXED_NOW - 60, "the history saw a recent refresh"
    made = {"downloads_30d": 0, "downloads_all_time": 0, "likes": 2, "pipeline_tag": "text-generation"}
    uncounted = ModelRecord(f"{NEW_ORG}/Fresh-7B", NEW_ORG, created_at=last + 30, **made)
    counted = ModelRecord(f"{NEW_ORG}/Quiet-1B", NEW_ORG, created_at=last - 3600, **made)
    # A small family's: its whole model list is on its screen (a big one's shows its 500 most downloaded).
    first_party = ModelRecord("swiss-ai/Apertus-Fresh-8B", "swiss-ai", created_at=last + 60, **made)
    at = FIXED_NOW + 600
    ingest(history_copy, registry, [uncounted, counted, first_party], at, trending=[])
    assert counted_until() == last  # the poll saw no new refresh: the ground truth above still holds
    app = app_at(history_copy, registry, tmp_path, at)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", "u")  # u: untracked releases too (the new lab's)
        await pilot.pause()
        assert isinstance(app.screen, ReleasesScreen)
        table = app.screen.query_one(ReleaseTable)
        rows = {model_of_key(k): i for i, k in enumerate(table.keys_in_order()) if k.startswith("new")}
        assert cell(table, rows[uncounted.id], "d30") == fmt.NOT_COUNTED
        assert cell(table, rows[counted.id], "d30") == "0"
        assert fmt.NOT_COUNTED in str(app.screen.query_one("#releases-box").border_subtitle)
        app.open_family("apertus")  # its model list: both counters of the release are not counted yet
        await until(pilot, lambda: bool(app.screen.query(ModelTable)), "the family screen")
        models = app.screen.query_one(ModelTable)
        column = models.column_keys().index
        await until(pilot, lambda: first_party.id in models.keys_in_order(), "the family's model list")
        await until(pilot, lambda: models.get_row(first_party.id)[column("likes")].plain.strip() != PENDING, "its row")
        d30, dall = (models.get_row(first_party.id)[column(c)].plain.strip() for c in ("d30", "dall"))
        assert (d30, dall) == (fmt.NOT_COUNTED, fmt.NOT_COUNTED)
        for model, shown in ((first_party.id, fmt.NOT_COUNTED), (counted.id, "0")):  # its own screen too
            app.post_message(OpenModel(model))
            await until(pilot, lambda m=model: isinstance(app.screen, ModelScreen) and app.screen.model_id == m, model)
            await pilot.pause()
            head, meta = (text_of(app.screen.query_one(name, Static).content) for name in ("#model-head", "#meta"))
            assert f"30d {shown} · all-time {shown} ·" in head
            assert all(re.search(rf"{key} +{shown}\b", meta) for key in ("downloads, 30d", "downloads, all time")), meta
            await pilot.press("escape")
    # The CLI says the same: null (unknown) and downloads_counted false, "not yet" in its table.
    rows = json.loads(run_cli("top", "--family", "apertus", "--format", "json", "--db", str(history_copy)).out)
    fresh = next(r for r in rows if r["id"] == first_party.id)
    assert (fresh["downloads_30d"], fresh["downloads_all_time"], fresh["downloads_counted"]) == (None, None, False)
    others = [r for r in rows if r["id"] != first_party.id]
    assert others and all(r["downloads_counted"] and r["downloads_30d"] is not None for r in others)
    table = run_cli("top", "--family", "apertus", "--db", str(history_copy)).out
    assert next(line for line in table.splitlines() if first_party.id in line).count(fmt.NOT_COUNTED) == 2
    exported = run_cli(
        "export", "--what", "models", "--family", "apertus", "--format", "json", "--db", str(history_copy)
    )
    row = next(r for r in json.loads(exported.out) if r["id"] == first_party.id)
    assert (row["downloads_30d"], row["downloads_counted"]) == (None, False), exported.err


def text_of(renderable: object) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def test_newcomers_rank_untracked_orgs_and_a_adds_one_to_the_user_registry(
    history_copy: Path, registry: Registry, tmp_path: Path
) -> None:
    at = FIXED_NOW + 600
    ingest(history_copy, registry, list(NEW_MODELS), at, [NEW_MODELS[0].id])
    user_file = tmp_path / "config" / "families.toml"
    app = app_at(history_copy, registry, tmp_path, at, config=Config(registry_file=str(user_file)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        newcomers = app.screen.query_one(NewcomerTable)
        # The most downloaded untracked org: its two models' 30-day downloads summed, its one trending entry.
        assert newcomers.keys_in_order()[0] == NEW_ORG
        assert cell(newcomers, 0, "d30") == fmt.human(sum(m.downloads_30d or 0 for m in NEW_MODELS))
        assert cell(newcomers, 0, "models") == str(len(NEW_MODELS)) and cell(newcomers, 0, "trending") == "1"
        claimed = {o.name.lower() for f in registry.families for o in f.orgs}
        assert not claimed & {k.lower() for k in newcomers.keys_in_order()}
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddOrgScreen)
        await pilot.press("enter", *"ZZ", "enter")  # a new family, from a country that is no country
        await pilot.pause()
        assert isinstance(app.screen, AddOrgScreen) and not user_file.exists()
        assert "ZZ" in str(app.screen.query_one("#add-org-error", Static).render())
        country = app.screen.query_one("#add-org-country", Input)
        country.value = ""
        await pilot.press(*"FR", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReleasesScreen)
    written = load_registry(user_file)
    assert NEW_ORG in written and [o.name for o in written.get(NEW_ORG).orgs] == [NEW_ORG]
    assert written.get(NEW_ORG).country == "FR"
    assert NEW_ORG in app.registry and NEW_ORG in app.reader.registry
    # Polled again, the org's models count for the new family.
    with Store(history_copy) as store:
        store_records(
            store, PollResult(lane=Lane.FAST, started=at + 60, finished=at + 60, records=list(NEW_MODELS)), app.registry
        )
        families = {f for (f,) in store.conn.execute("SELECT family FROM models WHERE author = ?", (NEW_ORG,))}
    assert families == {NEW_ORG}


async def test_an_org_joins_an_existing_family_from_the_list(
    history_copy: Path, registry: Registry, tmp_path: Path
) -> None:
    at = FIXED_NOW + 600
    ingest(history_copy, registry, list(NEW_MODELS), at, [])
    user_file = tmp_path / "families.toml"
    user_file.write_text("# my families\n", encoding="utf-8")
    app = app_at(history_copy, registry, tmp_path, at, config=Config(registry_file=str(user_file)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        first = sorted(registry.families, key=lambda f: f.name.lower())[0]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReleasesScreen)
    text = user_file.read_text(encoding="utf-8")
    assert text.startswith("# my families\n")
    assert NEW_ORG in [o.name for o in load_registry(user_file).get(first.id).orgs]
    assert NEW_ORG in [o.name for o in app.registry.get(first.id).orgs]


async def test_a_pass_of_a_watched_family_is_one_alert(history_copy: Path, registry: Registry, tmp_path: Path) -> None:
    probe = app_at(history_copy, registry, tmp_path, FIXED_NOW)
    board = probe.session.reader.leaderboard("ecosystem", "downloads_30d")
    probe.session.close()
    watched, chaser = board[1].family, board[2].family
    gap = (board[1].downloads_30d or 0) - (board[2].downloads_30d or 0)
    # The chaser's top model listed again with enough more downloads to put it ahead, over a day and more.
    with sqlite3.connect(history_copy) as conn:
        model_id, author, d30, dall = conn.execute(
            "SELECT id, author, d30, dall FROM models WHERE family = ? AND via = 'org' ORDER BY d30 DESC LIMIT 1",
            (chaser,),
        ).fetchone()
    leap = ModelRecord(model_id, author, downloads_30d=d30 + gap + 1_000_000, downloads_all_time=dall + gap + 1_000_000)
    app = app_at(history_copy, registry, tmp_path, FIXED_NOW, watched=(watched,))
    async with app.run_test(size=SIZE) as pilot:

        async def passes_looked_at() -> None:  # the race is read ahead by the worker, after the rows
            looked = (app.scope, app.metric)
            await until(pilot, lambda: app._passes_read_at.get(looked) == app._last_pid, "the passes looked at")

        await passes_looked_at()
        assert not app._notifications  # the passes already in the history are not news
        for hours in (1, 13, 26):
            ingest(history_copy, registry, [leap], FIXED_NOW + hours * 3600, [])
            app.reload()
            await passes_looked_at()
        toasts = [n for n in app._notifications if n.title.startswith("The race")]
        assert len(toasts) == 1
        name = registry.get
        assert f"{name(chaser).name} passed {name(watched).name}" in toasts[0].message
        app.reload()
        await passes_looked_at()
        assert len([n for n in app._notifications if n.title.startswith("The race")]) == 1
