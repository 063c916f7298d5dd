"""The rendering core of `KeyedTable`: columns, rows that know their version, and one row laid out
as a line of segments. Laying cells out is the costly part of drawing a table, so it is done once
per row version and kept; styling (zebra, cursor, focus) is applied on top of the kept segments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

Cells = Sequence[Text | str]
PADDING = 1  # blank cells on each side of every cell, as DataTable's default cell_padding


@dataclass(frozen=True, slots=True)
class Col:
    key: str
    label: str | Text
    width: int


def same(a: Text | str, b: Text | str) -> bool:
    """Equal as shown: rich's `Text.__eq__` ignores the base style and justification."""
    if isinstance(a, Text) and isinstance(b, Text):
        return a.plain == b.plain and a.spans == b.spans and a.style == b.style and a.justify == b.justify
    return a == b


def same_cells(a: Cells, b: Cells) -> bool:
    return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))


def fit(cell: Text | str, width: int) -> Text:
    """One cell as exactly `width` cells of text: cut with an ellipsis, justified as it asks.
    A `str` becomes a literal `Text`: Hub text is data and is never parsed as markup."""
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    if "\n" in text.plain:
        text = text.split("\n")[0]
    text.truncate(width, overflow="ellipsis")
    room = width - text.cell_len
    if room > 0:
        if text.justify == "right":
            text = Text(" " * room).append_text(text)
        elif text.justify == "center":
            text = Text(" " * (room // 2)).append_text(text)
            text.pad_right(width - text.cell_len)
        else:
            text.pad_right(room)
    return text


def lay_out(console: Console, cells: Cells, columns: Sequence[Col]) -> list[Segment]:
    """A row's cells as one line of unstyled-background segments, padded per column."""
    line = Text()
    pad = " " * PADDING
    for col, cell in zip(columns, cells, strict=False):
        line.append(pad)
        line.append_text(fit(cell, col.width))
        line.append(pad)
    for col in columns[len(cells) :]:
        line.append(" " * (col.width + 2 * PADDING))
    return list(line.render(console, end=""))


@dataclass(frozen=True, slots=True)
class Laid:
    """Rows laid out ahead (in a worker), for the columns they were laid out for: a table uses their
    segments for the rows whose cells it is given while those columns are the ones it shows."""

    columns: tuple[Col, ...]
    rows: dict[str, tuple[list[Text | str], list[Segment]]]  # key -> (cells, segments)


def lay_out_rows(console: Console, rows: Sequence[tuple[str, list[Text | str]]], columns: Sequence[Col]) -> Laid:
    cols = tuple(columns)
    return Laid(cols, {key: (cells, lay_out(console, cells, cols)) for key, cells in rows})


def table_width(columns: Sequence[Col]) -> int:
    return sum(col.width + 2 * PADDING for col in columns)


@dataclass(slots=True)
class Row:
    """A row's cells and their version: the version moves on whenever a cell changes, which is what
    tells the line cache to lay the row out again."""

    cells: list[Text | str]
    version: int = 0
    segments: list[Segment] | None = None
    laid_out_version: int = -1
    strip_key: tuple[object, ...] | None = None
    strip: Strip | None = None

    def update(self, cells: Cells) -> bool:
        if same_cells(self.cells, cells):
            return False
        self.cells = list(cells)
        self.version += 1
        return True

    def take_layout(self, laid: tuple[list[Text | str], list[Segment]] | None) -> None:
        """Use segments laid out ahead for this version, if they were laid out from these very cells."""
        if laid is not None and same_cells(laid[0], self.cells):
            self.segments, self.laid_out_version = laid[1], self.version


def styled(segments: list[Segment], style: Style) -> list[Segment]:
    """The row style under the cells' own: a cell's colour wins over the zebra and the cursor's."""
    return list(Segment.apply_style(segments, style=style))
