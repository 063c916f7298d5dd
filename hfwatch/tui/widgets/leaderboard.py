"""The family leaderboard: rank, rank change, family, country, the metric in force, rate/day,
share, a sparkline, models and the age of the newest release, one row per family (key: its id); and,
when asked, an "untracked" row last (key `UNTRACKED_KEY`) for everything no family claims, which is no
family: highlighting it selects none, and enter on it opens the releases (where the untracked show)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text
from textual.message import Message

from hfwatch.analysis.views import FamilyRow
from hfwatch.analysis.wholehub import UNTRACKED_KEY, UntrackedRow
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import FamilyHighlighted, OpenFamily, OpenReleases
from hfwatch.tui.widgets.keyed_table import Cells, Col, KeyedTable
from hfwatch.tui.widgets.sorting import SortOrder, desc
from hfwatch.tui.widgets.table_lines import Laid, LineStyles, lay_out_rows

SORTS: tuple[SortOrder[FamilyRow], ...] = (
    SortOrder("rank", "rank", lambda r: (r.rank,)),
    SortOrder("rate", "downloads/day", lambda r: (*desc(r.rate_per_day), r.rank)),
    SortOrder("change", "rank change", lambda r: (-(r.rank_change or 0), r.rank)),
    SortOrder("models", "models", lambda r: (-r.models, r.rank)),
    SortOrder("newest", "newest release", lambda r: (*desc(r.newest_release), r.rank)),
    SortOrder("name", "name", lambda r: (r.name.lower(),)),
)

WIDE_MIN = 92  # below this many columns the table drops its least useful columns


def matches(row: FamilyRow, needle: str) -> bool:
    needle = needle.strip().lower()
    return not needle or any(needle in s.lower() for s in (row.family, row.name, row.country, row.region))


def watched_name(name: str, watched: bool, width: int) -> Text:
    """The family name, marked ★ when watched (its alerts are on)."""
    cell = Text()
    cell.append("★ " if watched else "  ", style="bold yellow")
    cell.append_text(fmt.safe(name, width - 2))
    return cell


@dataclass(frozen=True, slots=True)
class RowsMadeFor:
    """What a leaderboard row's cells depend on besides its family's figures."""

    wide: bool
    metric: str
    watched: frozenset[str]
    now: int


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class PreparedRows:
    """Leaderboard rows formatted and laid out ahead, in a worker (`prepare_rows`)."""

    made_for: RowsMadeFor
    laid: Laid


def board_columns(wide: bool, metric: str) -> list[Col]:
    cols = [
        Col("rank", "#", 3),
        Col("delta", "Δ", 3),
        Col("family", "family", 14),
        Col("cc", "cc", 2),
        Col("value", fmt.METRIC_HEADERS.get(metric, metric), 8),
    ]
    if metric != "rate":
        cols.append(Col("rate", "dl/day", 7))
    cols += [Col("share", "share", 6), Col("trend", "trend", 16 if wide else 10)]
    if wide:
        cols += [Col("models", "models", 6), Col("newest", "newest", 6)]
    return cols


def family_cells(r: FamilyRow, made_for: RowsMadeFor) -> list[Text | str]:
    wide, metric = made_for.wide, made_for.metric
    cells: list[Text | str] = [
        fmt.right(str(r.rank)),
        fmt.rank_change(r.rank_change),
        watched_name(r.name, r.family in made_for.watched, 14),
        Text(r.country),
        fmt.right(fmt.human(r.value), style="bold"),
    ]
    if metric != "rate":
        cells.append(fmt.right(fmt.human(r.rate_per_day)))
    cells += [
        fmt.right(fmt.percent(r.share)),
        fmt.spark(r.spark, 16 if wide else 10, regimes=(r.spark_touched_from, r.spark_from)),
    ]
    if wide:
        newest = None if r.newest_release is None else made_for.now - r.newest_release
        cells += [fmt.right(f"{r.models:,}"), fmt.right(fmt.age(newest), style="dim")]
    return cells


def prepare_rows(
    rows: Iterable[FamilyRow],
    made_for: RowsMadeFor,
    console: Console,
    styled_for: LineStyles | None = None,
    pace: Callable[[], None] = lambda: None,
) -> PreparedRows:
    """The rows as `Leaderboard` would show them, laid out (and, `styled_for` the table's own styles, their
    lines made): pure, for a worker thread; `pace` between runs of rows."""
    cells = [(r.family, family_cells(r, made_for)) for r in rows]
    columns = board_columns(made_for.wide, made_for.metric)
    return PreparedRows(made_for, lay_out_rows(console, cells, columns, styled_for, pace))


class Leaderboard(KeyedTable[FamilyRow | UntrackedRow]):
    """Rows come sorted and filtered by the caller's choice; this widget only shows them."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._watched: frozenset[str] = frozenset()
        self._now = 0
        self._metric = "downloads_30d"
        self._prepared: PreparedRows | None = None

    def present(
        self,
        rows: Iterable[FamilyRow],
        *,
        metric: str,
        watched: set[str],
        now: int,
        untracked: UntrackedRow | None = None,
        prepared: PreparedRows | None = None,
    ) -> None:
        """`prepared`: these rows formatted ahead (used where made for what this table shows now)."""
        self._metric, self._watched, self._now, self._prepared = metric, frozenset(watched), now, prepared
        self.show([*rows, untracked] if untracked is not None else rows)

    def made_for(self) -> RowsMadeFor:
        wide, metric = self.shape()
        return RowsMadeFor(wide, metric, self._watched, self._now)

    def shape(self) -> tuple[bool, str]:
        return self.size.width >= WIDE_MIN or not self.size.width, self._metric

    def column_specs(self) -> list[Col]:
        return board_columns(*self.shape())

    def _usable(self) -> PreparedRows | None:
        prepared = self._prepared
        return prepared if prepared is not None and prepared.made_for == self.made_for() else None

    def laid_ahead(self) -> Laid | None:
        prepared = self._usable()
        return prepared.laid if prepared is not None else None

    def row_for(self, r: FamilyRow | UntrackedRow) -> tuple[str, Cells]:
        if isinstance(r, UntrackedRow):
            return self._untracked_row(r)
        prepared = self._usable()
        ahead = prepared.laid.rows.get(r.family) if prepared is not None else None
        return r.family, ahead[0] if ahead is not None else family_cells(r, self.made_for())

    def _untracked_row(self, r: UntrackedRow) -> tuple[str, Cells]:
        wide, metric = self.shape()
        cells: list[Text | str] = [
            fmt.right(""),
            fmt.right(""),
            Text("  untracked", style="italic"),
            Text(""),
            fmt.right(fmt.human(r.value), style="bold"),
        ]
        if metric != "rate":
            cells.append(fmt.right(fmt.human(None)))
        cells += [fmt.right(fmt.percent(r.share)), Text("")]
        if wide:
            cells += [fmt.right(fmt.human(r.models)), fmt.right("")]
        return UNTRACKED_KEY, cells

    def on_keyed_table_row_highlighted(self, event: KeyedTable.RowHighlighted) -> None:
        if event.key != UNTRACKED_KEY:
            self.post_message(FamilyHighlighted(event.key))

    def open_message(self, key: str) -> Message:
        return OpenReleases() if key == UNTRACKED_KEY else OpenFamily(key)
