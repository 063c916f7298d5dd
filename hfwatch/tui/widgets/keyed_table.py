"""A table that is updated in place by row key: no clear-and-rebuild, no flicker, the cursor stays on
its row (its family or model) however the rows move. Drawn line by line (`keyed_rows`), each row laid
out again only when one of its cells changed."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import ClassVar, Generic, TypeVar

from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from hfwatch.tui.widgets.keyed_rows import KeyedRows
from hfwatch.tui.widgets.table_lines import Cells, Col, Laid, same

__all__ = ["Cells", "Col", "KeyedTable", "same"]

Item = TypeVar("Item")


class KeyedTable(KeyedRows, Generic[Item]):
    """Shows a list of items, one row each. Subclasses say how an item becomes a keyed row
    (`row_for`), which columns to show (`column_specs`) and what those depend on (`shape`, e.g. the
    width: when it changes on a resize, the columns are redefined); `show` does the rest."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "open", id="open")]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._items: list[Item] = []
        self._shape: Hashable = None
        self._shown = False

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
        self.sync([self.row_for(item) for item in self._items], self.laid_ahead())

    def laid_ahead(self) -> Laid | None:
        """Rows laid out ahead of `show` (a subclass that has some says so)."""
        return None

    def open_message(self, key: str) -> Message | None:
        """What enter (or a click) on the row `key` asks for: a table that opens something says what."""
        return None

    def on_keyed_table_row_selected(self, event: KeyedRows.RowSelected) -> None:
        message = self.open_message(event.key)
        if message is not None:
            event.stop()
            self.post_message(message)

    def on_resize(self) -> None:
        if self._shown and self.shape() != self._shape:
            self.show(self._items)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Rows filled before the first layout were given columns for no width; the first paint, which
        # comes before the resize event, lays them out once for the width it draws, not twice.
        if self._shown and self.shape() != self._shape:
            self.show(self._items)  # rows too: a row's cells may be cut to the shape
        return super().render_lines(crop)
