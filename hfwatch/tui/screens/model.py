"""One model: its download history, metadata as the Hub reported it, its lineage (base-model
chain and known derivatives), and `o` to open it on the Hub."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from hfwatch.store.queries import ModelRow
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import OpenFamily, OpenOnHub, ToggleWatch
from hfwatch.tui.screens.base import MonitorScreen
from hfwatch.tui.view import MonitorView
from hfwatch.tui.widgets.chart import Chart, Series
from hfwatch.tui.widgets.feed import family_name

VIA_MEANING = {
    "org": "first-party (published by the family's org)",
    "lineage": "derivative (base_model tag)",
    "name": "derivative (name match, lower confidence)",
}


def stamp(t: float | None) -> str:
    return "–" if t is None else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M UTC")


class ModelScreen(MonitorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "back", id="back"),
        Binding("o", "open_hub", "open on the Hub", id="open_hub"),
        Binding("f", "open_family", "family", id="open_family"),
        Binding("w", "watch", "watch family", id="watch"),
    ]

    def __init__(self, monitor: MonitorView, model_id: str) -> None:
        super().__init__(monitor)
        self.model_id = model_id
        self._row: ModelRow | None = None
        self._counted_until: int | None = None

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        yield Static(id="model-head")
        with Vertical(id="chart-box", classes="box"):
            yield Chart(id="model-chart", empty="one observation so far: the history grows with every poll")
        with Horizontal(id="model-info"):
            with VerticalScroll(id="meta-box", classes="box"):
                yield Static(id="meta")
            with VerticalScroll(id="lineage-box", classes="box"):
                yield Static(id="lineage")

    def reload(self) -> None:
        reader = self.monitor.reader
        row = reader.model(self.model_id)
        if row is None:
            return
        self._row = row
        registry = self.monitor.registry
        view = reader.model_view(row)
        self._counted_until = reader.counted_until()
        d30, dall = (self._count_text(n, row) for n in (row.d30, row.dall))
        head = Text()
        head.append_text(fmt.safe(row.id))
        head.stylize("bold")
        head.append(f"   {family_name(registry, row.family)}", style="bold cyan")
        head.append(f" · {row.via or '–'} · {row.country or '–'}", style="dim")
        head.append(
            f"   30d {d30} · all-time {dall} · {fmt.human(view.rate_per_day)}/day · {fmt.human(row.likes)} likes"
        )
        self.query_one("#model-head", Static).update(head)
        self._chart(row)
        self.query_one("#meta", Static).update(self._meta(row))
        self.query_one("#lineage", Static).update(self._lineage(row))
        self.query_one("#meta-box").border_title = Text("Metadata")
        self.query_one("#lineage-box").border_title = Text("Lineage")

    def _count_text(self, value: int | None, row: ModelRow, *, exact: bool = False) -> str:
        """A download counter; "not yet" while the Hub has not counted the model (created after its last count)."""
        if fmt.not_counted_yet(value, row.created_at, self._counted_until):
            return f"{fmt.NOT_COUNTED} (created after the Hub's last daily count)" if exact else fmt.NOT_COUNTED
        if exact:
            return f"{value:,}" if value is not None else "–"
        return fmt.human(value)

    def _chart(self, row: ModelRow) -> None:
        history = self.monitor.reader.model_history(row)
        chart = self.query_one(Chart)
        chart.plot(
            [
                Series("30d downloads", history.times, history.downloads_30d, "primary"),
                Series("downloads/day between Hub refreshes", history.times, history.per_day, "success", panel=1),
            ]
        )
        box = self.query_one("#chart-box")
        box.border_title = Text("history · 30d downloads (Hub's rolling count) · downloads/day between Hub refreshes")
        box.border_subtitle = chart.legend()

    def _meta(self, r: ModelRow) -> Table:
        registry = self.monitor.registry
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", no_wrap=True)
        table.add_column()
        rows: list[tuple[str, Text]] = [
            ("id", fmt.safe(r.id)),
            ("author", fmt.safe(r.author or "–")),
            ("counts for", Text(f"{family_name(registry, r.family)} ({r.family or 'untracked'})")),
            ("attributed via", Text(VIA_MEANING.get(r.via or "", r.via or "–"))),
            ("built on", Text(family_name(registry, r.base_family))),
            ("published by", Text(family_name(registry, r.publisher_family))),
            ("country", Text(r.country or "–")),
            ("created", Text(stamp(r.created_at))),
            ("pipeline", fmt.safe(r.pipeline or "–")),
            ("library", fmt.safe(r.library or "–")),
            ("parameters", Text(fmt.params(r.params))),
            ("gated", fmt.safe(r.gated or "–")),
            ("downloads, 30d", Text(self._count_text(r.d30, r, exact=True))),
            ("downloads, all time", Text(self._count_text(r.dall, r, exact=True))),
            ("likes", Text(f"{r.likes:,}" if r.likes is not None else "–")),
            ("trending score", Text(str(r.trend) if r.trend is not None else "–")),
            ("first seen", Text(stamp(r.first_seen))),
            ("last seen", Text(stamp(r.last_seen))),
        ]
        for key, value in rows:
            table.add_row(key, value)
        return table

    def _lineage(self, r: ModelRow) -> Text:
        reader = self.monitor.reader
        chain = reader.lineage(r.id)
        out = Text()
        out.append_text(fmt.safe(r.id))
        out.stylize("bold")
        if not chain:
            out.append("\n  no base_model tag: an original, or its lineage is not declared", style="dim")
        for depth, parent in enumerate(chain, start=1):
            known = reader.model(parent)
            out.append("\n" + "  " * depth + "└ built on ", style="dim")
            out.append_text(fmt.safe(parent))
            if known is not None and known.family:
                out.append(f"  {family_name(self.monitor.registry, known.family)}", style="cyan")
            elif known is None:
                out.append("  (not in the history)", style="dim")
        children = reader.children(r.id)
        if children:
            out.append("\n\nderivatives seen (by 30d downloads)", style="bold")
            for child, d30 in children:
                out.append("\n  • ")
                out.append_text(fmt.safe(child))
                out.append(f"  {fmt.human(d30)}", style="dim")
        return out

    def action_open_hub(self) -> None:
        self.post_message(OpenOnHub(model_id=self.model_id))

    def action_open_family(self) -> None:
        if self._row is not None and self._row.family:
            self.post_message(OpenFamily(self._row.family))

    def action_watch(self) -> None:
        if self._row is not None and self._row.family:
            self.post_message(ToggleWatch(self._row.family))
