"""The rendering core of `KeyedTable`: columns, rows that know their version, and one row laid out
as a line of segments. Laying cells out is the costly part of drawing a table, so it is done once
per row version and kept; styling (zebra, cursor, focus) is applied on top of the kept segments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

Cells = Sequence[Text | str]
PADDING = 1  # blank cells on each side of every cell, as DataTable's default cell_padding


@dataclass(frozen=True, slots=True)
class Col:
    """A table column: its key, heading and width in cells."""

    key: str
    label: str | Text
    width: int


def same(a: Text | str, b: Text | str) -> bool:
    """Equal as shown: rich's `Text.__eq__` ignores the base style and justification."""
    if a is b:  # a row's cells made ahead, checked against themselves
        return True
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
class LineStyles:
    """The row styles a table painted with (zebra, by name) and the width of its view: what rows styled
    ahead are made for."""

    styles: dict[str, Style]
    width: int


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Laid:
    """Rows laid out ahead (in a worker), for the columns they were laid out for: a table uses their
    segments for the rows whose cells it is given while those columns are the ones it shows; and their
    lines styled and fitted ahead (`strips`, for `styled_for`'s styles and width) when those are its own."""

    columns: tuple[Col, ...]
    rows: dict[str, tuple[list[Text | str], list[Segment]]]  # key -> (cells, segments)
    styled_for: LineStyles | None = None
    strips: dict[str, dict[Style, Strip]] = field(default_factory=dict)  # key -> style -> its line


# Rows laid out between two checkpoints of a worker (a key answered meanwhile goes first: hfwatch.pacing).
ROWS_BETWEEN_CHECKPOINTS = 16


def lay_out_rows(
    console: Console,
    rows: Sequence[tuple[str, list[Text | str]]],
    columns: Sequence[Col],
    styled_for: LineStyles | None = None,
    pace: Callable[[], None] = lambda: None,
) -> Laid:
    """`rows` laid out, and with `styled_for` their lines made too: a key that swaps these rows in then
    only shows lines made already (pure, for a worker thread)."""
    cols = tuple(columns)
    laid: dict[str, tuple[list[Text | str], list[Segment]]] = {}
    strips: dict[str, dict[Style, Strip]] = {}
    for i, (key, cells) in enumerate(rows):
        if not i % ROWS_BETWEEN_CHECKPOINTS:
            pace()
        segments = lay_out(console, cells, cols)
        laid[key] = (cells, segments)
        if styled_for is not None:
            strips[key] = {st: fitted(styled(segments, st), st, styled_for.width) for st in styled_for.styles.values()}
    return Laid(cols, laid, styled_for, strips)


def table_width(columns: Sequence[Col]) -> int:
    return sum(col.width + 2 * PADDING for col in columns)


@dataclass(slots=True, eq=False, repr=False)
class Row:
    """A row's cells and their version: the version moves on whenever a cell changes, which is what
    tells the line cache to lay the row out again."""

    cells: list[Text | str]
    version: int = 0
    segments: list[Segment] | None = None
    laid_out_version: int = -1
    strip_key: tuple[object, ...] | None = None
    strip: Strip | None = None
    ahead: tuple[int, int, dict[Style, Strip]] | None = None  # (version, width, style -> line) made ahead

    def update(self, cells: Cells) -> bool:
        if same_cells(self.cells, cells):
            return False
        self.cells = list(cells)
        self.version += 1
        return True

    def take_layout(self, laid: Laid, key: str) -> None:
        """Use segments laid out (and lines made) ahead for this version, if from these very cells."""
        ahead = laid.rows.get(key)
        if ahead is not None and same_cells(ahead[0], self.cells):
            self.segments, self.laid_out_version = ahead[1], self.version
            strips = laid.strips.get(key)
            if strips and laid.styled_for is not None:
                self.ahead = (self.version, laid.styled_for.width, strips)

    def made_ahead(self, style: Style, width: int) -> Strip | None:
        """The line made ahead for this version in `style` at `width`, if there is one."""
        ahead = self.ahead
        if ahead is None or ahead[0] != self.version or ahead[1] != width:
            return None
        return ahead[2].get(style)


def styled(segments: list[Segment], style: Style) -> list[Segment]:
    """The row style under the cells' own: a cell's colour wins over the zebra and the cursor's."""
    return list(Segment.apply_style(segments, style=style))


def fitted(segments: list[Segment], style: Style, width: int) -> Strip:
    """An unscrolled line as one strip `width` cells wide (not the four of crop, extend and simplify: m and
    d redraw every row, and a strip's making, its seven caches, was most of a row's cost)."""
    line = Segment.adjust_line_length(segments, width, style=style)
    return Strip(Segment.simplify(line), width)
