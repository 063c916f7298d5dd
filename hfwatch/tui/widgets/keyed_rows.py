"""A table drawn line by line (Textual's Line API): rows by key, in the order given, with a row
cursor that stays on its key. Each row is laid out once per version of its cells and its styled
line kept, so a poll that changes one cell lays out one line, and scrolling reuses kept lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from hfwatch.tui.widgets.table_lines import Cells, Col, Laid, LineStyles, Row, fitted, lay_out, styled, table_width

HEADER = 1  # lines above the rows, fixed while the rows scroll


class RowMessage(Message):
    """What happened to which row of which table."""

    def __init__(self, table: KeyedRows, key: str, row: int) -> None:
        super().__init__()
        self.table, self.key, self.row = table, key, row

    @property
    def control(self) -> KeyedRows:
        return self.table


class KeyedRows(ScrollView, can_focus=True):
    """The generic part of `KeyedTable`: what it shows, the cursor, the keys and the drawing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "up", show=False, id="row-up"),
        Binding("down", "cursor_down", "down", show=False, id="row-down"),
        Binding("pageup", "page_up", "page up", show=False, id="row-page-up"),
        Binding("pagedown", "page_down", "page down", show=False, id="row-page-down"),
        Binding("home", "first_row", "first row", show=False, id="row-first"),
        Binding("end", "last_row", "last row", show=False, id="row-last"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "keyed-table--header",
        "keyed-table--even-row",
        "keyed-table--odd-row",
        "keyed-table--cursor",
    }

    class RowHighlighted(RowMessage, namespace="keyed_table"):
        """The cursor is on another row (another key)."""

    class RowSelected(RowMessage, namespace="keyed_table"):
        """Enter, or a click on the row under the cursor."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: list[Col] = []
        self._rows: dict[str, Row] = {}
        self._order: list[str] = []
        self._index: dict[str, int] = {}
        self.cursor_row = 0
        self._highlighted: str | None = None
        self._header: tuple[tuple[object, ...], Strip] | None = None
        self._styles: dict[str, Style] = {}
        self._view = (0, 0, 0)  # scroll x, scroll y and width of the paint under way
        self.render_count = 0
        """Rows laid out so far: a public counter, so that tests see what a change costs."""

    # -- what is shown --------------------------------------------------------------------------

    def set_columns(self, columns: Sequence[Col]) -> None:
        """(Re)define the columns: every row is laid out again, the rows themselves stay."""
        self.columns = list(columns)
        for row in self._rows.values():
            row.version += 1
        self._header = None
        self._resize_virtual()
        self.refresh()

    def sync(self, rows: Sequence[tuple[str, Cells]], laid: Laid | None = None) -> None:
        """Show exactly `rows`, in that order; only rows whose cells changed are drawn again, and the
        cursor stays on its key (or, its row gone, at the same place). `laid`: some of those rows laid
        out ahead, used when laid out for the columns in force."""
        keep, was = self.cursor_key, self.cursor_row
        old_order = self._order
        changed: list[str] = []
        fresh: dict[str, Row] = {}
        for key, cells in rows:
            row = self._rows.get(key)
            if row is None:
                row = Row(list(cells))
                changed.append(key)
            elif row.update(cells):
                changed.append(key)
            fresh[key] = row
        self._rows = fresh
        if laid is not None and laid.columns == tuple(self.columns):
            for key in changed:
                self._rows[key].take_layout(laid, key)
        self._order = [key for key, _cells in rows]
        self._index = {key: i for i, key in enumerate(self._order)}
        self._resize_virtual()
        if keep is not None and keep in self._index:
            self.cursor_row = self._index[keep]
        self.cursor_row = self._clamp(self.cursor_row)
        if self.cursor_row != was:
            self._scroll_to_cursor()  # its row moved: keep it in view, as a move of the cursor does
        if self._order != old_order:
            self.refresh()
        else:
            for key in changed:
                self.refresh_line(self._index[key] + HEADER)
        self._announce()

    def update_rows(self, rows: Sequence[tuple[str, Cells]]) -> None:
        """New cells for some of the rows shown (keys not shown are ignored); order and cursor stay."""
        for key, cells in rows:
            row = self._rows.get(key)
            if row is not None and row.update(cells):
                self.refresh_line(self._index[key] + HEADER)

    @property
    def row_count(self) -> int:
        return len(self._order)

    def keys_in_order(self) -> list[str]:
        return list(self._order)

    def get_row_at(self, index: int) -> list[Text | str]:
        return list(self._rows[self._order[index]].cells)

    def get_row(self, key: str) -> list[Text | str]:
        return list(self._rows[key].cells)

    def column_keys(self) -> list[str]:
        return [col.key for col in self.columns]

    # -- the cursor -----------------------------------------------------------------------------

    @property
    def cursor_key(self) -> str | None:
        return self._order[self.cursor_row] if 0 <= self.cursor_row < len(self._order) else None

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        old, self.cursor_row = self.cursor_row, self._clamp(row)
        if old != self.cursor_row:
            self.refresh_line(old + HEADER)
            self.refresh_line(self.cursor_row + HEADER)
        self._scroll_to_cursor(animate)
        self._announce()

    def move_to_key(self, key: str) -> bool:
        if key not in self._index:
            return False
        self.move_cursor(row=self._index[key])
        return True

    def _clamp(self, row: int) -> int:
        return min(max(row, 0), max(len(self._order) - 1, 0))

    def _announce(self) -> None:
        key = self.cursor_key
        if key is not None and key != self._highlighted:
            self.post_message(self.RowHighlighted(self, key, self.cursor_row))
        self._highlighted = key

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER)

    def _scroll_to_cursor(self, animate: bool = False) -> None:
        top, page = int(self.scroll_offset.y), self._page()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=animate)
        elif self.cursor_row >= top + page:
            self.scroll_to(y=self.cursor_row - page + 1, animate=animate)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._page())

    def action_first_row(self) -> None:
        self.move_cursor(row=0)

    def action_last_row(self) -> None:
        self.move_cursor(row=len(self._order) - 1)

    def action_select_cursor(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, key, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on a row; a click on the cursor's row selects it (as DataTable)."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < HEADER:
            return
        row = int(self.scroll_offset.y) + offset.y - HEADER
        if not 0 <= row < len(self._order):
            return
        event.stop()
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)

    # -- drawing --------------------------------------------------------------------------------

    def _resize_virtual(self) -> None:
        # A table narrower than its view is as wide as the view: a change of columns that still fits (the
        # metric's columns on m) then leaves the virtual size as it was, and a new virtual size costs a
        # layout of the whole screen (Textual's `virtual_size` is a layout reactive).
        height = len(self._order) + HEADER
        view = self.content_region
        room = view.width - (self.styles.scrollbar_size_vertical if height > view.height else 0)
        size, was = Size(max(table_width(self.columns), room), height), self.virtual_size
        if size == was:
            return
        if view.width and size.height == was.height and max(size.width, was.width) <= room:
            # Only the width of a table that fits its view either way: no scrollbar comes or goes and
            # nothing moves, so a repaint does, without the layout the reactive would ask for. This is
            # the first layout's own resize (the rows were filled before it, against no view yet). Nor a
            # repaint when the last paint was at this width already, as the first paint is: lines are drawn
            # for the view's width, never the virtual width.
            self.set_reactive(KeyedRows.virtual_size, size)
            if self._view[2] != self.scrollable_content_region.width:
                self.refresh()
            return
        self.virtual_size = size

    def on_resize(self) -> None:
        self._resize_virtual()  # as wide as the view again

    def line_styles(self) -> LineStyles | None:
        """The zebra styles and view width of the last paint (None before the first): rows styled ahead for
        these are shown without styling them again."""
        if not self._styles:
            return None
        return LineStyles({name: self._styles[name] for name in ("even-row", "odd-row")}, self._view[2])

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles and the view are read once per paint, not per line: styles change with focus and theme only.
        scroll_x, scroll_y = self.scroll_offset
        self._view = (scroll_x, scroll_y, self.scrollable_content_region.width)
        base = self.rich_style
        self._styles = {
            name: base + self.get_component_rich_style(f"keyed-table--{name}")
            for name in ("header", "even-row", "odd-row", "cursor")
        }
        zebra = self._styles["even-row" if self.cursor_row % 2 == 0 else "odd-row"]
        self._styles["cursor"] = zebra + self.get_component_rich_style("keyed-table--cursor")
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y, width = self._view
        if y < HEADER:
            return self._header_line(scroll_x, width)
        index = scroll_y + y - HEADER
        if not 0 <= index < len(self._order):
            return Strip.blank(width, self.rich_style)
        row = self._rows[self._order[index]]
        name = "cursor" if index == self.cursor_row else ("even-row" if index % 2 == 0 else "odd-row")
        style = self._styles.get(name) or self.rich_style
        key = (row.version, style, scroll_x, width)
        if row.strip_key != key or row.strip is None:
            ahead = None if scroll_x else row.made_ahead(style, width)
            if ahead is not None:
                row.strip, row.strip_key = ahead, key
                return ahead
            if row.laid_out_version != row.version or row.segments is None:
                row.segments = lay_out(self.app.console, row.cells, self.columns)
                row.laid_out_version = row.version
                self.render_count += 1
            row.strip = self._fit(styled(row.segments, style), style, scroll_x, width)
            row.strip_key = key
        return row.strip

    def _header_line(self, scroll_x: int, width: int) -> Strip:
        style = self._styles.get("header") or self.rich_style
        key = (tuple(self.columns), style, scroll_x, width)
        if self._header is None or self._header[0] != key:
            labels = [col.label if isinstance(col.label, Text) else Text(col.label) for col in self.columns]
            segments = lay_out(self.app.console, labels, self.columns)
            self._header = key, self._fit(styled(segments, style), style, scroll_x, width)
        return self._header[1]

    @staticmethod
    def _fit(segments: list[Segment], style: Style, scroll_x: int, width: int) -> Strip:
        if scroll_x:
            strip = Strip(segments)
            return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, style).simplify()
        return fitted(segments, style, width)  # unscrolled (nearly always)
