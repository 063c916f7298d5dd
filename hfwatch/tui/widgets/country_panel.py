"""The dashboard's country panel: share bars, sparklines and share change per country of origin,
and the origin share of new releases underneath."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from hfwatch.analysis.views import CountryRow
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import OpenCountry
from hfwatch.tui.widgets.keyed_table import Cells, Col, KeyedTable
from hfwatch.tui.widgets.theme import region_style


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


class CountryTable(KeyedTable[CountryRow]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._top = 1.0

    def present(self, rows: Iterable[CountryRow]) -> None:
        rows = list(rows)
        # Bars are scaled to the leader so that the small countries stay visible.
        self._top = max((r.share or 0.0 for r in rows), default=0.0) or 1.0
        self.show(rows)

    def column_specs(self) -> list[Col]:
        return [
            Col("cc", "cc", 2),
            Col("bar", "share", 12),
            Col("share", "", 6),
            Col("trend", "trend", 10),
            Col("change", "Δ share", 7),
        ]

    def row_for(self, r: CountryRow) -> tuple[str, Cells]:
        style = region_style(self, r.region)
        bar = fmt.bar((r.share or 0.0) / self._top, 12, style=style)
        return r.country, [
            Text(r.country, style="bold"),
            bar,
            fmt.right(fmt.percent(r.share)),
            fmt.spark(r.spark, 10, regimes=(r.spark_touched_from, r.spark_from)),
            fmt.points(r.share_change),
        ]

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

    def present(self, rows: Sequence[CountryRow]) -> None:
        self.query_one(CountryTable).present(rows)

    def show_releases(self, release_shares: dict[str, float], releases_total: int) -> None:
        # One line whatever it says: no layout of the screen for it.
        self.query_one("#releases", Static).update(release_line(release_shares, releases_total), layout=False)
