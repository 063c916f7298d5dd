"""KeyedTable on its own: rows updated in place by key, the cursor kept on its key, and only rows whose
cells changed laid out again (counted through the table's public `render_count`, never timed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot

import hfwatch.tui
from hfwatch.tui.widgets.keyed_table import Cells, Col, KeyedTable
from hfwatch.tui.widgets.table_lines import fit

pytestmark = pytest.mark.ui


@dataclass(frozen=True)
class Item:
    key: str
    value: str


@dataclass
class Opened(Message):
    key: str


class Table(KeyedTable[Item]):
    def column_specs(self) -> list[Col]:
        return [Col("key", "key", 6), Col("value", "value", 10)]

    def row_for(self, item: Item) -> tuple[str, Cells]:
        return item.key, [Text(item.key), item.value]

    def open_message(self, key: str) -> Message:
        return Opened(key)


class TableApp(App[None]):
    CSS_PATH = Path(hfwatch.tui.__file__).parent / "app.tcss"  # the table's styles, as the monitor has them

    def __init__(self) -> None:
        super().__init__()
        self.highlighted: list[str] = []
        self.opened: list[str] = []

    def compose(self) -> ComposeResult:
        yield Table()

    def on_keyed_table_row_highlighted(self, event: KeyedTable.RowHighlighted) -> None:
        self.highlighted.append(event.key)

    def on_opened(self, event: Opened) -> None:
        self.opened.append(event.key)


def items(n: int, value: str = "v") -> list[Item]:
    return [Item(f"k{i:03}", f"{value}{i}") for i in range(n)]


def shown(table: Table, y: int) -> str:
    """The text of viewport line `y` as painted (line 0 is the header)."""
    return table.render_line(y).text


@asynccontextmanager
async def running() -> AsyncIterator[tuple[TableApp, Pilot[None], Table]]:
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        yield app, pilot, app.query_one(Table)


async def showing(pilot: Pilot[None], table: Table, rows: list[Item], *, cursor: str) -> list[Item]:
    table.show(rows)
    table.move_to_key(cursor)
    await pilot.pause()
    return rows


async def test_an_update_in_place_keeps_the_cursor_on_its_key() -> None:
    async with running() as (app, pilot, table):
        rows = await showing(pilot, table, items(6), cursor="k002")
        app.highlighted.clear()
        # The rows change order and one value changes: the cursor follows its key to its new place.
        moved = [rows[5], Item("k002", "changed"), *rows[:2], *rows[3:5]]
        table.show(moved)
        await pilot.pause()
        assert table.cursor_key == "k002" and table.cursor_row == 1
        assert table.keys_in_order() == [r.key for r in moved]
        assert app.highlighted == [], "the same row under the cursor is not highlighted again"
        assert "changed" in shown(table, 2)


async def test_a_removed_row_leaves_the_cursor_at_its_place() -> None:
    async with running() as (app, pilot, table):
        rows = await showing(pilot, table, items(5), cursor="k002")
        table.show([r for r in rows if r.key != "k002"])
        await pilot.pause()
        assert (table.cursor_row, table.cursor_key) == (2, "k003")
        assert app.highlighted[-1] == "k003"
        table.move_cursor(row=3)
        table.show(rows[:2])  # the cursor's row and everything below it go
        await pilot.pause()
        assert (table.cursor_row, table.cursor_key) == (1, "k001")
        table.show([])
        await pilot.pause()
        assert table.cursor_key is None and table.row_count == 0


async def test_only_rows_whose_cells_changed_are_laid_out_again() -> None:
    async with running() as (_app, pilot, table):
        rows = items(100)
        table.show(rows)
        await pilot.pause()
        visible = table.scrollable_content_region.height - 1
        first = table.render_count
        assert first == visible, "each visible row laid out once, the rows below not at all"
        table.show([*rows[:3], Item(rows[3].key, "new"), *rows[4:]])
        await pilot.pause()
        assert table.render_count == first + 1
        table.show([*rows[:3], Item(rows[3].key, "new"), *rows[4:]])  # the same again: nothing to do
        await pilot.pause()
        assert table.render_count == first + 1
        await pilot.press("down", "down")  # the cursor restyles three rows; their layout is kept
        await pilot.pause()
        assert table.cursor_row == 2 and table.render_count == first + 1
        await pilot.press("pagedown")
        await pilot.pause()
        after_scroll = table.render_count
        assert after_scroll > first + 1, "rows scrolled into view are laid out"
        await pilot.press("home")
        await pilot.pause()
        assert table.render_count == after_scroll, "rows scrolled back into view reuse their layout"


async def test_keys_move_the_cursor_and_keep_it_in_view() -> None:
    async with running() as (_app, pilot, table):
        table.show(items(50))
        table.focus()
        await pilot.pause()
        page = table.scrollable_content_region.height - 1
        await pilot.press("down", "down", "up")
        assert table.cursor_key == "k001"
        await pilot.press("pagedown")
        assert table.cursor_row == 1 + page
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_key == "k049"
        assert shown(table, page).startswith(" k049"), "the last row is on the last line"
        await pilot.press("pageup", "home")
        await pilot.pause()
        assert table.cursor_row == 0 and shown(table, 1).startswith(" k000")
        assert shown(table, 0).split() == ["key", "value"], "the header stays on top"


async def test_a_click_puts_the_cursor_on_a_row_and_a_second_opens_it() -> None:
    async with running() as (app, pilot, table):
        table.show(items(5))
        await pilot.pause()
        await pilot.click(Table, offset=(2, 3))  # line 3: the header, then rows 0, 1, 2
        await pilot.pause()
        assert table.cursor_key == "k002" and app.opened == []
        await pilot.click(Table, offset=(2, 3))
        await pilot.pause()
        assert app.opened == ["k002"]
        await pilot.click(Table, offset=(2, 0))  # the header opens nothing and keeps the cursor
        await pilot.pause()
        assert table.cursor_key == "k002" and app.opened == ["k002"]
        table.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.opened == ["k002", "k003"]


async def test_hub_text_stays_data_and_is_cut_to_its_column() -> None:
    async with running() as (_app, pilot, table):
        table.show([Item("k0", "[b]x[/b]"), Item("k1", "a-very-long-model-name")])
        await pilot.pause()
        assert "[b]x[/b]" in shown(table, 1)
        assert "a-very-lo…" in shown(table, 2) and "a-very-lon" not in shown(table, 2)


def test_a_cell_fits_its_width_as_it_is_justified() -> None:
    assert fit(Text("7", justify="right"), 4).plain == "   7"
    assert fit(Text("7", justify="center"), 3).plain == " 7 "
    assert fit("abc", 5).plain == "abc  "
    assert fit("abcdef", 4).plain == "abc…"
    assert fit("one\ntwo", 5).plain == "one  "


async def test_the_cursor_row_stays_in_view_when_its_row_moves() -> None:
    async with running() as (_app, pilot, table):
        rows = await showing(pilot, table, items(50), cursor="k000")
        table.show([*rows[1:], rows[0]])  # the cursor's row falls to the bottom
        await pilot.pause()
        page = table.scrollable_content_region.height - 1
        assert table.cursor_row == 49 and shown(table, page).startswith(" k000")


class WidthTable(Table):
    """Columns and cells that depend on the table's width, as the feed's model column does."""

    def shape(self) -> int:
        return max(4, self.size.width - 12)

    def column_specs(self) -> list[Col]:
        return [Col("key", "key", 6), Col("value", "value", self.shape())]

    def row_for(self, item: Item) -> tuple[str, Cells]:
        return item.key, [Text(item.key), fit(item.value, self.shape())]


class FilledAtMountApp(App[None]):
    CSS_PATH = TableApp.CSS_PATH

    def compose(self) -> ComposeResult:
        yield WidthTable()

    def on_mount(self) -> None:
        # Before the first layout, as the monitor's screens fill their tables: no width is known yet.
        self.query_one(WidthTable).show([Item(f"k{i:03}", "x" * 30 + str(i)) for i in range(40)])


async def test_rows_filled_before_the_first_layout_are_laid_out_once_for_the_width_drawn() -> None:
    app = FilledAtMountApp()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(WidthTable)
        visible = table.scrollable_content_region.height - 1
        assert table.render_count == visible, "each visible row laid out once, at the width it is drawn at"
        assert " " + "x" * (table.shape() - 1) + "…" in shown(table, 1), "the value cut to the width drawn"
