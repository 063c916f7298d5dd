"""A DataTable that is updated in place by row key: no clear-and-rebuild, no flicker, the cursor
stays on its row (its family or model) however the rows move.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey


class KeyText(Text):
    """The first cell of every row, carrying its row key: `DataTable.sort` hands the key function
    cell values only, and this is how a row's place in our order is found from them."""

    row_key: str = ""

    @classmethod
    def of(cls, row_key: str, text: Text | str) -> KeyText:
        cell = cls()
        cell.append_text(text if isinstance(text, Text) else Text(text))
        cell.row_key = row_key
        return cell


def same(a: Text | str, b: Text | str) -> bool:
    """Equal as shown: rich's `Text.__eq__` ignores the base style and justification."""
    if isinstance(a, Text) and isinstance(b, Text):
        return (a.plain == b.plain and a.spans == b.spans and a.style == b.style and a.justify == b.justify
                and getattr(a, "row_key", None) == getattr(b, "row_key", None))
    return a == b


@dataclass(frozen=True, slots=True)
class Col:
    key: str
    label: str | Text
    width: int


Cells = Sequence[Text | str]
REBUILD_AFTER = 40  # rows going at once beyond which a table is rebuilt rather than edited
Item = TypeVar("Item")


class KeyedTable(DataTable[Text | str], Generic[Item]):
    """Shows a list of items, one row each. Subclasses say how an item becomes a keyed row
    (`row`), which columns to show (`columns`) and what those depend on (`layout`, e.g. the
    width: when it changes on a resize, the columns are redefined); `show` does the rest."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "open", id="open")]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True,
                         cursor_foreground_priority="renderable")
        self._order: dict[str, int] = {}
        self._items: list[Item] = []
        self._shape: Hashable = None
        self._shown = False
        # The row the cursor was on before the columns were redefined, to return to it.
        self._keep: str | None = None

    def shape(self) -> Hashable:
        return None

    def column_specs(self) -> list[Col]:
        raise NotImplementedError

    def row_for(self, item: Item) -> tuple[str, Cells]:
        raise NotImplementedError

    def show(self, items: Iterable[Item]) -> None:
        self._items = list(items)
        layout = self.shape()
        if not self._shown or layout != self._shape:
            self._shown, self._shape = True, layout
            self.set_columns(self.column_specs())
        self.sync([self.row_for(item) for item in self._items])

    def open_message(self, key: str) -> Message | None:
        """What enter (or a click) on the row `key` asks for: a table that opens something says what."""
        return None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        message = self.open_message(event.row_key.value) if event.row_key.value else None
        if message is not None:
            event.stop()
            self.post_message(message)

    def on_resize(self) -> None:
        if self._shown and self.shape() != self._shape:
            self.show(self._items)

    def set_columns(self, columns: Sequence[Col]) -> None:
        """(Re)define the columns; only on a layout change, never per update."""
        keep = self.cursor_key
        self.clear(columns=True)
        for col in columns:
            self.add_column(col.label if isinstance(col.label, Text) else Text(col.label),
                            width=col.width, key=col.key)
        self._order = {}
        self._keep = keep

    @property
    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:
            return None
        return key.value

    def sync(self, rows: Sequence[tuple[str, Cells]]) -> None:
        """Make the table show exactly `rows`, in that order, touching only what changed."""
        keep = self.cursor_key or self._keep
        self._keep = None
        keep_index = self.cursor_row
        wanted = {key: cells for key, cells in rows}
        columns = [c.key for c in self.ordered_columns]
        stale = [k for k in self.rows if k.value not in wanted]
        with self.app.batch_update():
            if len(stale) > max(REBUILD_AFTER, self.row_count // 2):
                # Another family, another filter: most rows go. DataTable.remove_row is linear, so
                # replacing hundreds one by one costs seconds; starting afresh costs milliseconds.
                # (A poll keeps its rows: that path below never clears.)
                self.clear()
                stale = []
            for row_key in stale:
                self.remove_row(row_key)
            for key, cells in rows:
                first, *rest = cells
                values = [KeyText.of(key, first), *rest]
                if RowKey(key) in self.rows:
                    old = self.get_row(key)
                    for col, new, cur in zip(columns, values, old, strict=False):
                        if not same(new, cur):
                            self.update_cell(key, col, new)
                else:
                    self.add_row(*values, key=key)
            self._order = {key: i for i, (key, _cells) in enumerate(rows)}
            # Sorting re-renders every row: only when the order really changed.
            if columns and self.keys_in_order() != [key for key, _cells in rows]:
                self.sort(columns[0], key=self._position)
            self._restore_cursor(keep, keep_index)

    def _position(self, cell: Text | str) -> int:
        last = len(self._order)
        return self._order.get(cell.row_key, last) if isinstance(cell, KeyText) else last

    def _restore_cursor(self, key: str | None, index: int) -> None:
        if not self.row_count:
            return
        if key is not None and RowKey(key) in self.rows:
            row = self.get_row_index(key)
        else:
            row = min(max(index, 0), self.row_count - 1)
        if row != self.cursor_row:
            self.move_cursor(row=row, animate=False)

    def move_to_key(self, key: str) -> bool:
        if RowKey(key) not in self.rows:
            return False
        self.move_cursor(row=self.get_row_index(key), animate=False)
        return True

    def keys_in_order(self) -> list[str]:
        keys = (self.coordinate_to_cell_key(Coordinate(i, 0)).row_key for i in range(self.row_count))
        return [key.value or "" for key in keys]
