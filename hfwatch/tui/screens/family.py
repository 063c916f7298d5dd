"""One family: its downloads per day over time (first-party and ecosystem), its models (sortable,
filterable, a sparkline each) and its newest releases. ←/→ go straight to the neighbouring
family in the leaderboard's order."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from hfwatch.analysis.views import FamilyRow
from hfwatch.records import Scope
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import FamilyHighlighted, OpenOnHub, OpenReleases, ToggleWatch
from hfwatch.tui.reader import FAMILY_LIST_LIMIT
from hfwatch.tui.screens.base import ListScreen
from hfwatch.tui.view import MonitorView
from hfwatch.tui.widgets.chart import Chart, Series
from hfwatch.tui.widgets.filter_bar import FilterBar
from hfwatch.tui.widgets.model_table import (
    MODEL_SORTS,
    SORTS_ON_RATES,
    SORTS_ON_ROWS,
    ModelItem,
    ModelTable,
    item_of,
    item_of_row,
    model_matches,
)
from hfwatch.tui.widgets.release_table import NewestList

NEWEST_ROWS = 40


def family_header(row: FamilyRow | None, name: str, developer: str, orgs: list[str], watched: bool) -> Text:
    head = Text()
    head.append(("★ " if watched else ""), style="bold yellow")
    head.append_text(Text(fmt.safe(name).plain, style="bold"))
    head.append(f"  {developer}", style="dim")
    if row is not None:
        head.append(f"  {row.country} · {row.region}", style="dim")
        head.append("   #", style="dim")
        head.append(str(row.rank), style="bold")
        head.append(" ")
        head.append_text(fmt.rank_change(row.rank_change))
        head.append("   ")
        numbers = (
            ("30d", fmt.human(row.downloads_30d)),
            ("all-time", fmt.human(row.downloads_all_time)),
            ("/day", fmt.human(row.rate_per_day)),
            ("share", fmt.percent(row.share)),
            ("models", f"{row.models:,}"),
        )
        for name, value in numbers:
            head.append(f"  {name} ", style="dim")
            head.append(value, style="bold")
    if orgs:
        head.append("   orgs ", style="dim")
        head.append(", ".join(orgs))
    return head


class FamilyScreen(ListScreen):
    AUTO_FOCUS = "ModelTable"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "back", id="back"),
        Binding(
            "left,left_square_bracket",
            "move_family(-1)",
            "prev family",
            id="prev_family",
            key_display="←",
            priority=True,
        ),
        Binding(
            "right,right_square_bracket",
            "move_family(1)",
            "next family",
            id="next_family",
            key_display="→",
            priority=True,
        ),
        Binding("slash", "filter", "filter", id="filter"),
        Binding("s", "sort", "sort", id="sort"),
        Binding("w", "watch", "watch", id="watch"),
        Binding("o", "open_hub", "hub", id="open_hub"),
        Binding("n", "family_releases", "releases", id="releases"),
    ]

    family: reactive[str] = reactive("", init=False)

    def __init__(self, monitor: MonitorView, family: str) -> None:
        super().__init__(monitor)
        self.set_reactive(FamilyScreen.family, family)

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        yield Static(id="family-head")
        with Vertical(id="chart-box", classes="box"):
            yield Chart(id="family-chart", empty="no rate yet: downloads/day needs two polls of this family")
        with Horizontal(id="lists"):
            with Vertical(id="models-box", classes="box"):
                yield ModelTable(id="models")
            with Vertical(id="newest-box", classes="box"):
                yield NewestList(id="newest")
        yield FilterBar("filter models: id, pipeline, library or via (enter keeps it, esc clears)")

    def watch_family(self) -> None:
        if not self.is_mounted:
            return
        self.query_one(ModelTable).move_cursor(row=0)
        self.query_one(NewestList).move_cursor(row=0)
        self.sync(force=True)

    def reload(self) -> None:
        app = self.monitor
        reader = app.reader
        fam = app.registry.get(self.family)
        row = next((r for r in app.board if r.family == self.family), None)
        orgs = [o.name for o in fam.orgs if not o.legacy]
        self.query_one("#family-head", Static).update(
            family_header(row, fam.name, fam.developer, orgs, self.family in app.watched)
        )
        self._chart(fam.name)
        now = reader.now()
        sort = MODEL_SORTS[self.sort_index]
        items = self._model_items(sort.key)
        needle = self.filter_text
        shown = sorted((i for i in items if not needle or model_matches(i.full, needle)), key=sort.value)
        table = self.query_one(ModelTable)
        table.present(shown, now, reader.counted_until())
        # The rows on screen are read before the first paint; the rest as they come into view.
        self._fill(table, [i for i in table.on_screen(ahead=0) if i.view is None])
        models_box = self.query_one("#models-box")
        models_box.border_title = Text(f"{fam.name} models · {fmt.SCOPE_LABELS.get(app.scope, app.scope)}")
        notes = [f"sorted by {sort.label}"]
        if self.filter_text:
            many = len(items) >= FAMILY_LIST_LIMIT
            found = f"its {len(shown):,} most downloaded matches" if many else f"{len(shown):,} matching"
            whole = f" over all {row.models:,} models" if row is not None else ""
            notes.append(f"filter “{self.filter_text}”{whole}: {found}")
        models_box.border_subtitle = Text(" · ".join(notes))
        self.query_one(NewestList).present(reader.family_newest(self.family, NEWEST_ROWS), now)
        self.query_one("#newest-box").border_title = Text(f"Newest {fam.name} releases")

    def _model_items(self, sort: str) -> list[ModelItem]:
        """The family's models with what the sort in force and the filter need of every one of them: the keys,
        whole rows, or (sorting by rate) rates too."""
        reader, scope = self.monitor.reader, self.monitor.scope
        if self.filter_text:
            # Over the whole family: a new release far below the 500 most downloaded is found by its name.
            rows = reader.family_matching(self.family, scope, self.filter_text)
            if sort in SORTS_ON_RATES:
                return [item_of(v) for v in reader.model_views([r.mid for r in rows], {r.mid: r for r in rows})]
            return [item_of_row(r) for r in rows]
        if sort in SORTS_ON_RATES:
            return [item_of(v) for v in reader.family_models(self.family, scope)]
        if sort in SORTS_ON_ROWS:
            return [item_of_row(r) for r in reader.family_rows(self.family, scope)]
        return [ModelItem(k) for k in reader.family_listing(self.family, scope)]

    def _fill(self, table: ModelTable, items: list[ModelItem]) -> None:
        if items:
            rows = {i.key.mid: i.row for i in items if i.row is not None}
            table.fill(self.monitor.reader.model_views([i.key.mid for i in items], rows))

    def on_model_table_rows_wanted(self, message: ModelTable.RowsWanted) -> None:
        self._fill(message.table, message.items)

    def _chart(self, name: str) -> None:
        reader = self.monitor.reader
        eco = reader.family_rates(self.family, Scope.ECOSYSTEM.value)
        first = reader.family_rates(self.family, Scope.FIRST_PARTY.value)
        chart = self.query_one(Chart)
        times = [*eco.times, *first.times]
        walks = reader.deep_walk_starts(min(times), max(times)) if times else []
        chart.plot(
            [
                Series("ecosystem", eco.times, eco.per_day, "primary"),
                Series("first-party", first.times, first.per_day, "warning"),
            ],
            # A deep walk adds the derivatives it finds to the ecosystem line: a step there is coverage.
            marks=walks,
            mark_label="deep walk: more derivatives counted from here",
        )
        box = self.query_one("#chart-box")
        box.border_title = Text(f"{name} · downloads/day (growth of all-time downloads) · last 30 days")
        box.border_subtitle = chart.legend()

    def action_move_family(self, step: int) -> None:
        nxt = self.monitor.neighbour_family(self.family, step)
        if nxt is not None:
            self.post_message(FamilyHighlighted(nxt))
            self.family = nxt

    def sort_count(self) -> int:
        return len(MODEL_SORTS)

    def main_table(self) -> Widget:
        return self.query_one(ModelTable)

    def action_watch(self) -> None:
        self.post_message(ToggleWatch(self.family))

    def action_open_hub(self) -> None:
        self.post_message(OpenOnHub(family=self.family))

    def action_family_releases(self) -> None:
        self.post_message(OpenReleases(f"family:{self.family}"))
