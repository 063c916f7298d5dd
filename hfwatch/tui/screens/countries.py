"""Countries of origin: the leaderboard by country, its trend over time, and the families behind the
country under the cursor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from hfwatch.analysis.views import DEFAULT_SPARK_SPAN_S, CountryRow, FamilyRow
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import OpenReleases
from hfwatch.tui.screens.base import MonitorScreen
from hfwatch.tui.view import MonitorView
from hfwatch.tui.widgets.chart import Chart, Series
from hfwatch.tui.widgets.keyed_table import Cells, Col, KeyedTable
from hfwatch.tui.widgets.theme import SERIES_COLORS, region_style

CHART_COUNTRIES = 5


class CountryBoard(KeyedTable[CountryRow]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._metric = "downloads_30d"

    def present(self, rows: Iterable[CountryRow], metric: str) -> None:
        self._metric = metric
        self.show(rows)

    def shape(self) -> str:
        return self._metric

    def column_specs(self) -> list[Col]:
        return [
            Col("rank", "#", 3),
            Col("cc", "cc", 2),
            Col("region", "region", 6),
            Col("value", fmt.METRIC_HEADERS.get(self._metric, self._metric), 8),
            Col("rate", "dl/day", 7),
            Col("bar", "share", 14),
            Col("share", "", 6),
            Col("change", "Δ share", 7),
            Col("trend", "trend", 14),
            Col("models", "models", 7),
            Col("new", "new rel.", 8),
            Col("families", "fams", 4),
        ]

    def row_for(self, r: CountryRow) -> tuple[str, Cells]:
        style = region_style(self, r.region)
        return r.country, [
            fmt.right(str(r.rank)),
            Text(r.country, style="bold"),
            Text(r.region, style=style),
            fmt.right(fmt.human(r.value), style="bold"),
            fmt.right(fmt.human(r.rate_per_day)),
            fmt.bar(r.share, 14, style=style),
            fmt.right(fmt.percent(r.share)),
            fmt.points(r.share_change),
            fmt.spark(r.spark, 14, regimes=(r.spark_touched_from, r.spark_from)),
            fmt.right(f"{r.models:,}"),
            fmt.right(fmt.percent(r.release_share, 0)),
            fmt.right(str(len(r.families))),
        ]


def share_label(x: float) -> str:
    return f"{x * 100:.0f}%"


def families_table(country: CountryRow, board: list[FamilyRow]) -> Table:
    rows = [f for f in board if f.family in country.families]
    total = sum(f.value or 0 for f in rows) or 1
    table = Table.grid(padding=(0, 1))
    for _ in range(4):
        table.add_column(no_wrap=True)
    for f in rows:
        table.add_row(
            fmt.safe(f.name, 14),
            fmt.right(fmt.human(f.value), style="bold"),
            fmt.bar((f.value or 0) / total, 10),
            fmt.right(fmt.percent((f.value or 0) / total)),
        )
    return table


class CountriesScreen(MonitorScreen):
    AUTO_FOCUS = "CountryBoard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "back", id="back"),
        Binding("n", "country_releases", "releases", id="releases"),
    ]

    def __init__(self, monitor: MonitorView, country: str | None = None) -> None:
        super().__init__(monitor)
        self.country = country
        self._rows: list[CountryRow] = []

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        with Vertical(id="chart-box", classes="box"):
            yield Chart(id="countries-chart", empty="no history yet", y_format=share_label)
        with Horizontal(id="lists"):
            with Vertical(id="countries-box", classes="box"):
                yield CountryBoard(id="country-board")
            with VerticalScroll(id="members-box", classes="box"):
                yield Static(id="members")

    def reload(self) -> None:
        app = self.monitor
        reader = app.reader
        self._rows = reader.countries(app.scope, app.metric, app.board)
        board = self.query_one(CountryBoard)
        board.present(self._rows, app.metric)
        if self.country:
            board.move_to_key(self.country)
        what = fmt.label(app.scope, app.metric)
        box = self.query_one("#countries-box")
        box.border_title = Text(f"Countries of origin · {what}")
        box.border_subtitle = Text("new rel.: origin share of models created in 30 days")
        self._chart(what)
        self._members()

    def _chart(self, what: str) -> None:
        """Each country's share over time: the race itself, where absolute totals all look flat."""
        reader = self.monitor.reader
        now = reader.now()
        first = reader.first_data_time() or now
        start = max(first, now - DEFAULT_SPARK_SPAN_S)
        totals = [
            sum(v for v in values if v is not None) for values in zip(*(r.spark for r in self._rows), strict=False)
        ]
        series = []
        for color, row in zip(SERIES_COLORS, self._rows[:CHART_COUNTRIES], strict=False):
            n = len(row.spark)
            xs = [start + (now - start) * (i + 1) / n for i in range(n)]
            shares = [v / t if t and v is not None else None for v, t in zip(row.spark, totals, strict=False)]
            series.append(Series(row.country, xs, shares, color))
        chart = self.query_one(Chart)
        chart.plot(series)
        box = self.query_one("#chart-box")
        box.border_title = Text(f"Share by country of origin · {what} · last 14 days")
        box.border_subtitle = chart.legend()

    def _members(self) -> None:
        key = self.query_one(CountryBoard).cursor_key
        row = next((r for r in self._rows if r.country == key), None)
        box = self.query_one("#members-box")
        if row is None:
            self.query_one("#members", Static).update("")
            return
        box.border_title = Text(f"Families from {row.country}")
        self.query_one("#members", Static).update(families_table(row, self.monitor.board))

    def on_keyed_table_row_highlighted(self, event: KeyedTable.RowHighlighted) -> None:
        self.country = event.key
        self._members()

    def action_country_releases(self) -> None:
        if self.country:
            self.post_message(OpenReleases(f"cc:{self.country}"))
