"""The dashboard's country panel: share bars, sparklines and share change per country of origin,
and the origin share of new releases underneath."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from rich.console import Console
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from hfwatch.analysis.views import CountryRow
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import OpenCountry
from hfwatch.tui.widgets.keyed_table import Cells, Col, KeyedTable
from hfwatch.tui.widgets.table_lines import Laid, LineStyles, lay_out_rows
from hfwatch.tui.widgets.theme import REGION_COLORS, region_style

COUNTRY_COLUMNS = (
    Col("cc", "cc", 2),
    Col("bar", "share", 12),
    Col("share", "", 6),
    Col("trend", "trend", 10),
    Col("change", "Δ share", 7),
)


def release_line(shares: dict[str, float], total: int, window_days: int = 30, shown: int = 4) -> Text:
    """'new releases, 30d (1,234): CN 43% · US 15% · …' — the origin share of new releases."""
    line = Text(f"new releases, {window_days}d ", style="bold", no_wrap=True, overflow="ellipsis")
    if not total:
        line.append("(none yet)", style="dim")
        return line
    line.append(f"({total:,}): ", style="dim")
    ranked = sorted(shares.items(), key=lambda kv: -kv[1])
    for i, (country, share) in enumerate(ranked[:shown]):
        if i:
            line.append(" · ", style="dim")
        line.append(country, style="bold")
        line.append(f" {share * 100:.0f}%")
    if len(ranked) > shown:
        line.append(" · …", style="dim")
    return line


def top_share(rows: Sequence[CountryRow]) -> float:
    """What the bars are scaled to: the leader's share, so that the small countries stay visible."""
    return max((r.share or 0.0 for r in rows), default=0.0) or 1.0


def country_cells(r: CountryRow, top: float, palette: Mapping[str, str]) -> list[Text | str]:
    """`palette`: region -> the Rich style of its bar (`CountryTable.palette`)."""
    return [
        Text(r.country, style="bold"),
        fmt.bar((r.share or 0.0) / top, 12, style=palette.get(r.region) or palette.get("", "")),
        fmt.right(fmt.percent(r.share)),
        fmt.spark(r.spark, 10, regimes=(r.spark_touched_from, r.spark_from)),
        fmt.points(r.share_change),
    ]


def prepare_country_rows(
    rows: Sequence[CountryRow],
    palette: Mapping[str, str],
    console: Console,
    styled_for: LineStyles | None,
    pace: Callable[[], None],
) -> Laid:
    """The rows as `CountryTable` would show them, laid out and their lines made: pure, for a worker thread."""
    top = top_share(rows)
    cells = [(r.country, country_cells(r, top, palette)) for r in rows]
    return lay_out_rows(console, cells, COUNTRY_COLUMNS, styled_for, pace)


class CountryTable(KeyedTable[CountryRow]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._top = 1.0
        self._laid: Laid | None = None
        self._palette: dict[str, str] = {}

    def present(self, rows: Iterable[CountryRow], laid: Laid | None = None) -> None:
        """`laid`: these rows laid out ahead (used for the rows whose cells they are)."""
        rows = list(rows)
        self._top, self._laid, self._palette = top_share(rows), laid, self.palette()
        self.show(rows)

    def palette(self) -> dict[str, str]:
        """Region -> its bar's style in the theme in force ("" for a region of no colour of its own)."""
        return {region: region_style(self, region) for region in (*REGION_COLORS, "")}

    def column_specs(self) -> list[Col]:
        return list(COUNTRY_COLUMNS)

    def laid_ahead(self) -> Laid | None:
        return self._laid

    def row_for(self, r: CountryRow) -> tuple[str, Cells]:
        return r.country, country_cells(r, self._top, self._palette)

    def open_message(self, key: str) -> Message:
        return OpenCountry(key)


class CountryPanel(Vertical):
    DEFAULT_CSS = """
    CountryPanel { height: auto; }
    CountryPanel CountryTable { height: auto; max-height: 12; }
    CountryPanel #releases { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def compose(self) -> ComposeResult:
        yield CountryTable(id="countries")
        yield Static(id="releases")

    def present(self, rows: Sequence[CountryRow], laid: Laid | None = None) -> None:
        self.query_one(CountryTable).present(rows, laid)

    def show_releases(self, release_shares: dict[str, float], releases_total: int) -> None:
        # One line whatever it says: no layout of the screen for it.
        self.query_one("#releases", Static).update(release_line(release_shares, releases_total), layout=False)
