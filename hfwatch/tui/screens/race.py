"""The race: the ranks of the leading families over 30, 90 or 365 days (a bump chart) and who passed whom
in that span, newest first, in the scope and metric in force. Enter on a pass opens the family that moved up."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from hfwatch.timeunits import DAY_S
from hfwatch.tui import format as fmt
from hfwatch.tui.screens.base import MonitorScreen
from hfwatch.tui.view import MonitorView
from hfwatch.tui.widgets.race import LEADERS, BumpChart, OvertakeTable

SPANS_DAYS = (30, 90, 365)


class RaceScreen(MonitorScreen):
    AUTO_FOCUS = "OvertakeTable"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "back", id="back"),
        Binding("t", "span", "30/90/365 days", id="race_span"),
    ]

    def __init__(self, monitor: MonitorView) -> None:
        super().__init__(monitor)
        self.span_index = 0

    @property
    def span_days(self) -> int:
        return SPANS_DAYS[self.span_index]

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        with Vertical(id="race-chart-box", classes="box"):
            yield BumpChart(id="bump")
        with Vertical(id="passes-box", classes="box"):
            yield Static(id="race-note")
            yield OvertakeTable(id="passes")

    def reload(self) -> None:
        app = self.monitor
        leaders = [row.family for row in app.board[:LEADERS]]
        race = app.reader.race(app.scope, app.metric, self.span_days * DAY_S, leaders)
        what = fmt.label(app.scope, app.metric)
        chart_box, passes_box = self.query_one("#race-chart-box"), self.query_one("#passes-box")
        chart_box.border_title = Text(f"The race · rank of the top {LEADERS} · {what} · last {self.span_days} days")
        passes_box.border_title = Text(f"Overtakes · {what} · last {self.span_days} days · newest first")
        note = self.query_one("#race-note", Static)
        chart, table = self.query_one(BumpChart), self.query_one(OvertakeTable)
        note.display = not race.passes
        note.update(Text("no passes in this span (a pass counts once the new order has held for a day)", style="dim"))
        chart.present(race, self._label_of)
        chart_box.border_subtitle = chart.legend()
        table.present(race.passes, self._label_of, app.watched)
        passes_box.border_subtitle = Text(f"{len(race.passes):,} passes · a pass counts once it has held a day")

    def _label_of(self, family: str) -> str:
        registry = self.monitor.registry
        return registry.get(family).name if family in registry else family

    def action_span(self) -> None:
        self.span_index = (self.span_index + 1) % len(SPANS_DAYS)
        self.sync(force=True)
