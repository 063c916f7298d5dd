"""m and d swap in views a worker read ahead (hfwatch.tui.boards): what they show is what a fresh read of the
store shows, and a view read before new data is never shown after it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip

from hfwatch.analysis.views import FamilyRow
from hfwatch.records import Lane
from hfwatch.registry import Registry
from hfwatch.store import Store
from hfwatch.tui import read_ahead
from hfwatch.tui.app import METRICS, SCOPES, HfWatchApp
from hfwatch.tui.boards import (
    PASS_ALERT_WINDOW_S,
    BoardCache,
    BoardOrder,
    BoardView,
    CountryStyles,
    read_passes,
    read_view,
)
from hfwatch.tui.demo_history import FIXED_NOW
from hfwatch.tui.messages import PollFinished
from hfwatch.tui.reader import Reader
from hfwatch.tui.widgets.country_panel import CountryTable
from hfwatch.tui.widgets.keyed_table import KeyedTable
from hfwatch.tui.widgets.leaderboard import Leaderboard, family_cells
from hfwatch.tui.widgets.table_lines import Laid, same_cells
from tests.helpers.tui import SIZE, FakeFeeder, fixed_history, history_copy, loaded, make_app, registry, until

pytestmark = pytest.mark.ui

__all__ = ["fixed_history", "history_copy", "registry"]  # fixtures


def fresh_board(db: Path, registry: Registry, scope: str, metric: str) -> list[FamilyRow]:
    """The leaderboard as a reader that never read the file before reads it."""
    with Store(db, readonly=True) as store:
        return Reader(store, registry, lambda: FIXED_NOW).leaderboard(scope, metric)


def every_view_read(app: HfWatchApp) -> bool:
    combos = [(s, m) for s in SCOPES for m in METRICS]
    order = BoardOrder(app.data_generation, 0, combos, True, frozenset(), app.registry)
    return app.boards.has_all(order)


def assert_shows_fresh(app: HfWatchApp, db: Path, registry: Registry) -> None:
    """The app's family order, the leaderboard's rows and the country rows are those of a fresh read."""
    fresh = fresh_board(db, registry, app.scope, app.metric)
    assert app.board == fresh
    table = app.screen.query_one(Leaderboard)
    made_for = table.made_for()
    assert table.keys_in_order() == [r.family for r in fresh]
    for r in fresh:
        assert same_cells(table.get_row(r.family), family_cells(r, made_for)), r.family
    with Store(db, readonly=True) as store:
        countries = Reader(store, registry, lambda: FIXED_NOW).countries(app.scope, app.metric, fresh)
    assert app.screen.query_one(CountryTable).keys_in_order() == [c.country for c in countries]


def boost_last(db: Path, board: list[FamilyRow]) -> str:
    """New data in the store: the last family with downloads gets 1,000 times its 30-day and all-time
    downloads in every hour of its history (rank 1 by either, in both scopes). Returns its id."""
    last = [r for r in board if r.downloads_30d and r.downloads_all_time][-1].family
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE rollups SET d30 = d30 * 1000, dall = dall * 1000 WHERE family = ?", (last,))
    return last


async def poll_finished(app: HfWatchApp, pilot: Pilot) -> None:
    app.post_message(PollFinished(Lane.SLOW, ok=True, error=None, duration_s=0.1, pid=1))
    await pilot.pause()


async def test_after_a_poll_m_and_d_show_what_a_fresh_read_shows(
    history_copy: Path, registry: Registry, tmp_path: Path
) -> None:
    app = make_app(history_copy, registry, tmp_path, feeder=FakeFeeder(pid=1))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        before = [r.family for r in app.board]
        boosted = boost_last(history_copy, app.board)
        await poll_finished(app, pilot)
        await until(pilot, lambda: every_view_read(app), "the worker read every scope and metric")
        seen = set()
        for key in ("m", "d", "m", "d", "m", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert app.board_view is not None, "m and d swap in a view read ahead"
            assert_shows_fresh(app, history_copy, registry)
            seen.add((app.scope, app.metric))
        assert len(seen) == 6
        await pilot.press("d")  # back to the first scope and metric
        await pilot.pause()
        assert_shows_fresh(app, history_copy, registry)
        after = [r.family for r in app.board]
        assert after.index(boosted) < before.index(boosted), "the new data is what is shown"


@asynccontextmanager
async def all_read_ahead(db: Path, registry: Registry, tmp_path: Path) -> AsyncIterator[tuple[HfWatchApp, Pilot]]:
    """The monitor on `db` once its worker has read every scope and metric ahead."""
    app = make_app(db, registry, tmp_path, feeder=FakeFeeder(pid=1))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await until(pilot, lambda: every_view_read(app), "the worker read every scope and metric")
        yield app, pilot


async def test_a_view_read_before_new_data_is_never_shown(
    history_copy: Path, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with all_read_ahead(history_copy, registry, tmp_path) as (app, pilot):
        old = app.boards.get(app.scope, METRICS[(METRICS.index(app.metric) + 1) % len(METRICS)])
        assert old is not None
        boosted = boost_last(history_copy, app.board)
        # The worker is not asked again: only a fresh read can show the new data.
        monkeypatch.setattr(app, "_fill_boards", lambda *_args: None)
        await poll_finished(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        assert app.metric == old.metric and app.board_view is None
        assert [r.family for r in app.board] != [r.family for r in old.board], "the data did change"
        assert_shows_fresh(app, history_copy, registry)
        assert [r.family for r in app.board].index(boosted) < [r.family for r in old.board].index(boosted)
        # A view the worker read before the poll, arriving late, is dropped.
        app.boards.add(old)
        assert app.boards.get(old.scope, old.metric) is None


async def test_the_passes_come_after_every_views_rows_and_are_not_read_on_the_ui_thread_meanwhile(
    history_copy: Path, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with all_read_ahead(history_copy, registry, tmp_path) as (app, pilot):
        gate, arrived = threading.Event(), []

        def held_passes(*args: object) -> object:
            arrived.append("passes")
            gate.wait(timeout=30)
            return read_passes(*args)  # type: ignore[arg-type]

        def rows(*args: object) -> object:
            arrived.append("rows")
            return read_view(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(read_ahead, "read_passes", held_passes)
        monkeypatch.setattr(read_ahead, "read_view", rows)
        ui_reads: list[tuple[str, str]] = []
        race = app.session.reader.race
        monkeypatch.setattr(app.session.reader, "race", lambda s, m, *a: ui_reads.append((s, m)) or race(s, m, *a))
        boost_last(history_copy, app.board)
        await poll_finished(app, pilot)
        # The worker's second round has begun, and the app has taken in every view its first round posted (on a
        # loaded machine the app's queue ran behind the worker, and "m" found no view read ahead yet).
        await until(
            pilot,
            lambda: "passes" in arrived and all(app.boards.get(s, m) is not None for s in SCOPES for m in METRICS),
            "the worker's second round, every view's rows taken in",
        )
        await pilot.press("m")
        await pilot.pause()
        assert app.board_view is not None and app.board_view.passes is None
        assert not ui_reads, "the UI thread waits for the worker's passes"
        gate.set()
        looked = (app.scope, app.metric)
        combos = len(SCOPES) * len(METRICS)
        # The view looked at need not be the last one the worker reads: wait for the whole second round.
        await until(
            pilot,
            lambda: app._passes_read_at.get(looked) == app._last_pid and arrived.count("passes") == combos,
            "every view's passes",
        )
        assert arrived == ["rows"] * combos + ["passes"] * combos, "every view's rows before the first passes"
        assert not ui_reads
        with Store(history_copy, readonly=True) as store:
            fresh = Reader(store, registry, lambda: FIXED_NOW).race(*looked, PASS_ALERT_WINDOW_S, []).passes
        view = app.boards.get(*looked)
        assert view is not None and view.passes == fresh


def view(generation: int, scope: str = "ecosystem", metric: str = "rate") -> BoardView:
    return BoardView(generation, scope, metric, 0, [], [], None, None, [])  # type: ignore[arg-type]


def test_the_cache_answers_only_for_the_generation_in_force() -> None:
    cache = BoardCache()
    cache.moved_to(1)
    cache.add(view(1))
    assert cache.get("ecosystem", "rate") is not None
    assert cache.get("first-party", "rate") is None
    cache.moved_to(2)
    assert cache.get("ecosystem", "rate") is None, "new data: the views read before are gone"
    cache.add(view(1))
    assert cache.get("ecosystem", "rate") is None, "a view of older data arriving late is dropped"
    cache.add(view(2))
    assert cache.get("ecosystem", "rate") is not None


def lines_made_ahead(table: KeyedTable[Any], laid: Laid | None) -> list[Strip]:
    """The table's lines as it paints them now, once it is checked that every row's line but the cursor's is
    the line the worker made (the very one, for the rows that changed: a row that did not keeps its line)."""
    zebra = table.line_styles()
    assert laid is not None and zebra is not None and laid.styled_for == zebra
    region = table.scrollable_content_region
    crop = Region(0, 0, region.width, region.height)
    shown = table.render_lines(crop)
    lines = [table.render_line(y) for y in range(region.height)]  # as drawn, before Textual's own styling
    pairs = [
        (lines[index + 1], laid.strips[key][zebra.styles["even-row" if index % 2 == 0 else "odd-row"]])
        for index, key in enumerate(table.keys_in_order()[: region.height - 1])
        if index != table.cursor_row
    ]
    assert pairs and all(list(line) == list(ahead) for line, ahead in pairs)
    assert any(line is ahead for line, ahead in pairs), "the lines shown are the worker's"
    return shown


async def test_m_and_d_show_lines_made_ahead_and_they_are_the_lines_the_tables_make(
    history_copy: Path, registry: Registry, tmp_path: Path
) -> None:
    async with all_read_ahead(history_copy, registry, tmp_path) as (app, pilot):
        await poll_finished(app, pilot)  # asked again once the tables have painted: their styles are known
        await until(pilot, lambda: every_view_read(app), "the worker read every scope and metric")
        for key in ("m", "d"):
            await pilot.press(key)
            await pilot.pause()
            view = app.board_view
            assert view is not None
            tables = [(app.screen.query_one(Leaderboard), view.rows.laid)]
            tables.append((app.screen.query_one(CountryTable), view.country_rows))
            for table, laid in tables:
                shown = lines_made_ahead(table, laid)
                # Made on the UI thread instead (no lines ahead), the lines are the same.
                table.set_columns(table.columns)  # every row laid out and styled again, here
                crop = Region(0, 0, table.scrollable_content_region.width, len(shown))
                assert [list(s) for s in table.render_lines(crop)] == [list(s) for s in shown]


def views_made_in_the_styles_on_show(app: HfWatchApp) -> bool:
    """Every view read ahead with its lines made for the tables as they paint now, the country table's too."""
    board, countries = app.screen.query_one(Leaderboard), app.screen.query(CountryTable)
    if not countries or countries.first().line_styles() is None:
        return False
    drawn = CountryStyles(countries.first().palette(), countries.first().line_styles())
    combos = [(s, m) for s in SCOPES for m in METRICS]
    order = BoardOrder(app.data_generation, 0, combos, True, frozenset(), app.registry, board.line_styles(), drawn)
    return app.boards.has_all(order)


async def test_the_country_lines_are_made_ahead_from_the_start_not_only_after_a_poll(
    history_copy: Path, registry: Registry, tmp_path: Path
) -> None:
    # The country panel is mounted after the first frame, when the worker has been asked already: once it
    # has painted, the worker is asked again (no poll comes offline, or for an hour when live).
    async with all_read_ahead(history_copy, registry, tmp_path) as (app, pilot):
        generation = app.data_generation
        await until(pilot, lambda: views_made_in_the_styles_on_show(app), "views made in the country table's styles")
        assert app.data_generation == generation, "no new data was needed"
        await pilot.press("m")
        await pilot.pause()
        view = app.board_view
        assert view is not None
        lines_made_ahead(app.screen.query_one(CountryTable), view.country_rows)
