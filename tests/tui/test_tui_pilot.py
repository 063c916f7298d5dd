"""The monitor driven by keys (Textual's pilot) on a fixed history: navigation, drill-down and back,
live updates that keep the cursor, pause/resume and polling, filter, sort, scope and metric."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from hfwatch.config import Config
from hfwatch.records import Lane
from hfwatch.registry import Registry
from hfwatch.tui.app import HfWatchApp
from hfwatch.tui.messages import PollFinished
from hfwatch.tui.screens.countries import CountriesScreen
from hfwatch.tui.screens.dashboard import DashboardScreen
from hfwatch.tui.screens.family import FamilyScreen
from hfwatch.tui.screens.help import HelpScreen
from hfwatch.tui.screens.model import ModelScreen
from hfwatch.tui.screens.releases import ReleasesScreen
from hfwatch.tui.screenshots import workers_done
from hfwatch.tui.state import UiState
from hfwatch.tui.widgets.chart import Chart
from hfwatch.tui.widgets.feed import Feed, model_of_key
from hfwatch.tui.widgets.keyed_table import KeyedTable
from hfwatch.tui.widgets.leaderboard import Leaderboard
from hfwatch.tui.widgets.model_table import ModelTable
from hfwatch.tui.widgets.release_table import ReleaseTable
from tests.helpers.tui import SIZE, FakeFeeder, fixed_history, history_copy, loaded, make_app, registry

pytestmark = pytest.mark.ui
__all__ = ["fixed_history", "history_copy", "registry"]  # fixtures used below


def board(app: HfWatchApp) -> Leaderboard:
    return app.screen.query_one(Leaderboard)


def cell_text(table: Leaderboard | ReleaseTable | Feed | ModelTable, row: int, column: str) -> str:
    value = table.get_row_at(row)[table.column_keys().index(column)]
    return value.plain if hasattr(value, "plain") else str(value)


async def test_dashboard_shows_families_with_trends_and_the_feed(
    fixed_history: Path, registry: Registry, tmp_path: Path
) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        lb = board(app)
        assert lb.row_count == len(registry.families) >= 20
        sparks = [cell_text(lb, i, "trend").strip() for i in range(lb.row_count)]
        assert sum(1 for s in sparks if s) >= 20
        assert app.screen.query_one(Feed).row_count > 0
        assert [lb.keys_in_order()[i] for i in range(3)] == [r.family for r in app.board[:3]]


async def test_arrows_and_brackets_move_between_families(
    fixed_history: Path, registry: Registry, tmp_path: Path
) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        order = app.family_order()
        assert board(app).cursor_key == order[0]
        await pilot.press("right", "right")
        assert board(app).cursor_key == order[2] == app.selected_family
        await pilot.press("left_square_bracket")
        assert board(app).cursor_key == order[1]
        await pilot.press("right_square_bracket", "down")
        assert board(app).cursor_key == order[3]
        # ←/→ select a family even with the feed focused.
        app.screen.query_one(Feed).focus()
        await pilot.press("left")
        assert app.selected_family == order[2]


async def test_drill_down_into_a_family_next_family_and_back(
    fixed_history: Path, registry: Registry, tmp_path: Path
) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        order = app.family_order()
        await pilot.press("right", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FamilyScreen) and screen.family == order[1]
        assert screen.query_one(Chart)._series, "the family chart has data"
        models = screen.query_one(ModelTable)
        assert models.row_count > 0
        first_model = models.cursor_key
        await pilot.press("right")
        await pilot.pause()
        assert screen.family == order[2] and app.screen is screen
        assert models.cursor_key != first_model
        await pilot.press("left", "left")
        await pilot.pause()
        assert screen.family == order[0]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert board(app).cursor_key == order[0], "the dashboard follows the family last shown"


async def test_model_screen_lineage_and_open_on_the_hub(
    fixed_history: Path, registry: Registry, tmp_path: Path
) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    opened: list[str] = []
    app.open_url = lambda url, new_tab=True: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        model_id = app.screen.query_one(ModelTable).cursor_key
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ModelScreen) and app.screen.model_id == model_id
        await pilot.press("o")
        assert opened == [f"https://huggingface.co/{model_id}"]
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_live_update_keeps_the_cursor_on_its_family(
    history_copy: Path, registry: Registry, tmp_path: Path
) -> None:
    app = make_app(history_copy, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        lb = board(app)
        target = app.family_order()[5]
        lb.move_to_key(target)
        await pilot.pause()
        before = lb.cursor_row
        # A poll lands: the last-placed family leaps to first place.
        last = app.family_order()[-1]
        with sqlite3.connect(history_copy) as conn:
            conn.execute(
                "UPDATE rollups SET d30 = d30 + 10000000000 WHERE family = ? AND t = (SELECT max(t) FROM rollups)",
                (last,),
            )

        def no_rebuild(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("a live update must not clear the table")

        lb.clear = no_rebuild  # type: ignore[method-assign]
        app.reload()
        await pilot.pause()
        assert app.family_order()[0] == last
        assert lb.keys_in_order()[0] == last
        assert lb.cursor_key == target and lb.cursor_row == before + 1
        leap = app.board[0].rank_change
        assert leap and leap > 20 and cell_text(lb, 0, "delta") == f"▲{leap}"


async def test_filter_narrows_and_escape_restores(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press("q", "w", "e")
        await pilot.pause()
        assert board(app).keys_in_order() == ["qwen"]
        await pilot.press("enter")
        assert app.focused is board(app)
        assert board(app).row_count == 1
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert board(app).row_count == len(registry.families)


async def test_sort_cycles_and_says_so(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("s")
        await pilot.pause()
        rates = [r.rate_per_day or 0.0 for r in app.board]
        by_key = {r.family: r.rate_per_day or 0.0 for r in app.board}
        shown = [by_key[k] for k in board(app).keys_in_order()]
        assert shown == sorted(rates, reverse=True)
        assert "downloads/day" in str(app.screen.query_one("#families-box").border_subtitle)


async def test_scope_and_metric_toggles_relabel_everything(
    fixed_history: Path, registry: Registry, tmp_path: Path
) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        eco = {r.family: r.downloads_30d for r in app.board}
        await pilot.press("d")
        await pilot.pause()
        assert app.scope == "first-party"
        assert all(r.scope == "first-party" for r in app.board)
        assert sum(r.downloads_30d for r in app.board) < sum(eco.values())
        assert "first-party" in str(app.screen.query_one("#families-box").border_title)
        await pilot.press("m")
        await pilot.pause()
        assert app.metric == "downloads_all_time"
        header = [str(c.label) for c in board(app).columns]
        assert "all-time" in header
        facts = app.status_facts()
        assert (facts.scope, facts.metric) == ("first-party", "downloads_all_time")
        await pilot.press("m")
        await pilot.pause()
        assert app.metric == "rate"
        assert "dl/day" in [str(c.label) for c in board(app).columns]


async def test_watch_is_remembered_and_marked(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        first = app.family_order()[0]
        await pilot.press("w")
        await pilot.pause()
        assert first in app.watched
        assert cell_text(board(app), 0, "family").startswith("★")
        assert UiState.load(app.session.state_path).watched == {first}
        await pilot.press("w")
        assert UiState.load(app.session.state_path).watched == set()


async def test_other_screens_help_and_palette(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CountriesScreen)
        await pilot.press("escape", "n")
        await pilot.pause()
        assert isinstance(app.screen, ReleasesScreen)
        releases = app.screen.query_one(ReleaseTable)
        total = releases.row_count
        await pilot.press("slash", *"cc:US", "enter")
        await pilot.pause()
        assert 0 < releases.row_count < total
        assert all(cell_text(releases, i, "cc") == "US" for i in range(releases.row_count))
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"Countries")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CountriesScreen)


async def press(pilot: Pilot[int], *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def test_screens_ask_the_app_for_other_screens_by_message(
    fixed_history: Path, registry: Registry, tmp_path: Path
) -> None:
    """`n` on a country or a family opens the feed filtered to it; the screens only post the request."""
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "c", "down")
        cc = app.screen.query_one("#country-board", KeyedTable).cursor_key
        await press(pilot, "n")
        assert isinstance(app.screen, ReleasesScreen) and app.screen.filter_text == f"cc:{cc}"
        releases = app.screen.query_one(ReleaseTable)
        assert releases.row_count and all(cell_text(releases, i, "cc") == cc for i in range(releases.row_count))
        family = app.family_order()[1]
        await press(pilot, "escape", "escape", "right", "enter")
        assert isinstance(app.screen, FamilyScreen) and app.screen.family == family
        await press(pilot, "n")
        assert isinstance(app.screen, ReleasesScreen) and app.screen.filter_text == f"family:{family}"
        shown = [model_of_key(key) for key in app.screen.query_one(ReleaseTable).keys_in_order()]
        assert shown and {app.reader.model(m).family for m in shown} == {family}  # type: ignore[union-attr]


async def test_keymap_remaps_by_binding_id(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    config = Config(keymap={"countries": "f6", "next_family": "l"})
    app = make_app(fixed_history, registry, tmp_path, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("l")
        assert board(app).cursor_key == app.family_order()[1]
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, CountriesScreen)


async def test_small_terminal_still_works(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert app.screen.has_class("-narrow")
        assert board(app).size.width <= 80
        await pilot.press("right", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FamilyScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_hub_text_is_shown_literally(history_copy: Path, registry: Registry, tmp_path: Path) -> None:
    hostile = "evil/[bold red]x[/]\x1b[2J\u202eabc"
    with sqlite3.connect(history_copy) as conn:
        mid = conn.execute(
            "INSERT INTO models (id, author, family, via, country, created_at, first_seen, last_seen, d30)"
            " VALUES (?, 'evil', 'qwen', 'lineage', 'CN', ?, ?, ?, 5)",
            (hostile, 1_793_480_000, 1_793_480_000, 1_793_480_000),
        ).lastrowid
        conn.execute("INSERT INTO events (t, kind, mid) VALUES (?, 'new', ?)", (1_793_491_200, mid))
    app = make_app(history_copy, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        feed = app.screen.query_one(Feed)
        shown = cell_text(feed, 0, "model")
        assert shown.startswith("evil/[bold red]x[/]")
        assert "\x1b" not in shown and "\u202e" not in shown


async def test_polls_pause_resume_and_poll_now(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    feeder = FakeFeeder(pid=1)
    app = make_app(fixed_history, registry, tmp_path, feeder=feeder)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app._arm_from_history()
        await pilot.pause(0.3)
        await workers_done(app)
        await pilot.pause()
        assert sorted(feeder.calls) == [Lane.FAST, Lane.SLOW]
        assert set(app._lane_timers) == {Lane.FAST, Lane.SLOW}, "re-armed after each poll"
        await pilot.press("p")
        assert app.schedule.paused and not app._lane_timers
        assert app.status_facts().state == "paused"
        await pilot.press("r")
        await workers_done(app)
        await pilot.pause()
        assert len(feeder.calls) == 4, "r polls once even when paused"
        assert not app._lane_timers, "…and does not re-arm while paused"
        await pilot.press("p")
        assert not app.schedule.paused and set(app._lane_timers) == {Lane.FAST, Lane.SLOW}
        await pilot.press("plus")
        assert app.schedule.lanes[Lane.FAST].interval_s == 120.0


async def test_polls_of_a_lane_never_overlap(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    release = threading.Event()
    feeder = FakeFeeder(hold=release)
    app = make_app(fixed_history, registry, tmp_path, feeder=feeder)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.start_poll(Lane.FAST, manual=True)
        assert not app.start_poll(Lane.FAST, manual=True), "a second poll of a running lane is refused"
        await pilot.press("j")  # the UI keeps answering while the poll runs
        assert app.status_facts().activity is not None
        release.set()
        await workers_done(app)
        await pilot.pause()
        assert feeder.calls == [Lane.FAST]
        assert not app.schedule.lanes[Lane.FAST].running


async def test_watched_family_burst_is_one_toast(history_copy: Path, registry: Registry, tmp_path: Path) -> None:
    with sqlite3.connect(history_copy) as conn:
        mids = [m for (m,) in conn.execute("SELECT mid FROM models WHERE family = 'deepseek' LIMIT 5")]
        # After every event of the history: the toast covers this poll's events and any later, no others.
        (last,) = conn.execute("SELECT max(t) FROM events").fetchone()
        conn.executemany(
            "INSERT INTO events (t, kind, mid, pid) VALUES (?, 'new', ?, 999)", [(last + 1, m) for m in mids]
        )
    app = make_app(history_copy, registry, tmp_path, watched=("deepseek",), feeder=FakeFeeder())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for _ in range(2):  # the same events again must not toast twice
            app.post_message(PollFinished(Lane.FAST, ok=True, error=None, duration_s=0.1, pid=999, events=5))
            await pilot.pause()
        toasts = list(app._notifications)
        assert len(toasts) == 1
        assert toasts[0].title.startswith("DeepSeek")
        assert "5 new releases" in toasts[0].title


async def test_polls_give_way_while_a_key_is_answered(
    fixed_history: Path, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the key to the redrawn screen the polls' threads are held at their checkpoints (hfwatch.pacing),
    and let go once the screen is drawn."""
    feeder = FakeFeeder(pid=1)
    app = make_app(fixed_history, registry, tmp_path, feeder=feeder)
    held_while_showing: list[bool] = []

    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.pause()
        assert not feeder.give_way.held
        table = board(app)
        present = table.present

        def spy(*args: object, **kwargs: object) -> None:
            held_while_showing.append(feeder.give_way.held)
            present(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(table, "present", spy)
        await pilot.press("m")
        await pilot.pause()
        assert held_while_showing == [True]  # the re-rank (read ahead or not) was shown with the polls held
        await pilot.pause()
        assert not feeder.give_way.held  # and let them go after the redraw
