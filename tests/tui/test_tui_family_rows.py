"""The family screen's model list reads a model's rates only when its row comes into view: the rows
below the screen wait ("…"), scrolling fills them, and every filled row says what the whole list
computed at once says (the rates themselves are checked against the simulated Hub's truth elsewhere)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from hfwatch.analysis import views
from hfwatch.engine import store_records
from hfwatch.records import Lane, ModelRecord, PollResult
from hfwatch.registry import Registry
from hfwatch.store import Store, queries
from hfwatch.tui import format as fmt
from hfwatch.tui.app import HfWatchApp
from hfwatch.tui.demo_history import FIXED_NOW
from hfwatch.tui.reader import FAMILY_LIST_LIMIT
from hfwatch.tui.widgets.model_table import PENDING, ModelTable
from tests.helpers.tui import SIZE, fixed_history, history_copy, loaded, make_app, registry, until
from tests.tui.test_tui_race import app_at

pytestmark = pytest.mark.ui
__all__ = ["fixed_history", "history_copy", "registry"]  # fixtures used below


def cell(table: ModelTable, key: str, column: str) -> str:
    value = table.get_row(key)[table.column_keys().index(column)]
    return value.plain.strip() if hasattr(value, "plain") else str(value).strip()


def eager(db: Path, family: str, now: int) -> dict[str, float | None]:
    """Every model's rate as the whole list computed in one go says it."""
    with Store(db, readonly=True) as store:
        return {v.row.id: v.rate_per_day for v in views.family_models(store.conn, family, now=now)}


async def open_biggest_family(app: HfWatchApp, pilot: Pilot) -> tuple[str, ModelTable]:
    await loaded(pilot)
    # The family with the most models: the one whose list is longest.
    family = max(app.board, key=lambda r: r.models).family
    app.open_family(family)
    for _ in range(3):
        await pilot.pause()
    return family, app.screen.query_one(ModelTable)


async def test_scrolling_fills_the_rows_it_shows(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        family, table = await open_biggest_family(app, pilot)
        keys = table.keys_in_order()
        page = table.page_rows()
        assert len(keys) > 3 * page, "the test needs a family longer than the screen and its read-ahead"
        truth = {k: fmt.human(v) for k, v in eager(fixed_history, family, app.reader.now()).items()}
        top = keys[: page - 1]
        assert [cell(table, k, "rate") for k in top] == [truth[k] for k in top]
        assert cell(table, keys[-1], "rate") == PENDING, "a row far below the screen is not read yet"
        await pilot.press("end")
        for _ in range(3):
            await pilot.pause()
        bottom = keys[-(page - 1) :]
        assert [cell(table, k, "rate") for k in bottom] == [truth[k] for k in bottom]
        middle = keys[len(keys) // 2]
        if abs(keys.index(middle) - len(keys)) > 2 * page:
            assert cell(table, middle, "rate") == PENDING, "rows scrolled past without showing are not read"


async def test_sorting_by_rate_orders_every_model(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        family, table = await open_biggest_family(app, pilot)
        await pilot.press("s", "s")  # 30d downloads -> all-time -> downloads/day
        await pilot.pause()
        rates = eager(fixed_history, family, app.reader.now())
        shown = [rates[k] for k in table.keys_in_order()]
        known = [r for r in shown if r is not None]
        assert known == sorted(known, reverse=True) and known, "by rate, largest first"
        assert shown[: len(known)] == known, "unknown rates last"
        last = table.keys_in_order()[-1]
        assert cell(table, last, "rate") != PENDING, "sorting by rate reads every model's"


async def test_the_filter_searches_the_whole_family_not_only_the_500_listed(
    history_copy: Path, registry: Registry, tmp_path: Path
) -> None:
    """A new derivative with no downloads yet sits far below a big family's 500 most downloaded: its list does
    not show it, and `/` still finds it by name (a non-ASCII name too, folded as Python folds case)."""
    at = FIXED_NOW + 600
    fresh = [
        ModelRecord(f"some-lab/{name}", "some-lab", 0, 0, 0, created_at=at - 60, tags=("base_model:Qwen/Qwen3-8B",))
        for name in ("Zephyrine-Qwen3-8B-ft", "Модель-Qwen3-8B")
    ]
    with Store(history_copy) as store:
        store_records(store, PollResult(lane=Lane.FAST, started=at, finished=at, records=fresh), registry)
        family = store.conn.execute("SELECT family FROM models WHERE id = ?", (fresh[0].id,)).fetchone()[0]
        in_family = store.conn.execute("SELECT count(*) FROM models WHERE family = ?", (family,)).fetchone()[0]
    assert family == "qwen" and in_family > FAMILY_LIST_LIMIT, "the test needs a family longer than its list"
    app = app_at(history_copy, registry, tmp_path, at)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.open_family(family)
        await until(pilot, lambda: bool(app.screen.query(ModelTable)), "the family screen")
        table = app.screen.query_one(ModelTable)
        await until(pilot, lambda: table.row_count == FAMILY_LIST_LIMIT, "the family's list")
        assert not {m.id for m in fresh} & set(table.keys_in_order())  # below the 500 most downloaded
        for needle, model in (("zephyrine", fresh[0]), ("модель", fresh[1])):
            await pilot.press("slash", *needle, "enter")
            await until(pilot, lambda m=model: table.keys_in_order() == [m.id], needle)
            subtitle = str(app.screen.query_one("#models-box").border_subtitle)
            assert f"filter “{needle}” over all" in subtitle and "1 matching" in subtitle
            await pilot.press("slash", *["backspace"] * len(needle), "enter")
        # A needle that many models hold lists the most downloaded of them, as the unfiltered list does.
        await pilot.press("slash", *"qwen", "enter")
        await until(pilot, lambda: table.row_count == FAMILY_LIST_LIMIT, "a broad filter")
        with Store(history_copy, readonly=True) as store:
            top = queries.family_models(store.conn, family, limit=None)
        expected = [r.id for r in top if "qwen" in r.id.lower() or "qwen" in (r.pipeline or "").lower()]
        assert table.keys_in_order()[:20] == expected[:20]
        assert "most downloaded matches" in str(app.screen.query_one("#models-box").border_subtitle)
