"""A family's models: downloads, rate, a sparkline of downloads/day, likes, age; one row per model
id, sortable and filterable by the screen that owns it.

A family lists hundreds of models; a rate and a sparkline cost a read of the model's growth. So a row
is first known by its key (id, via, 30-day downloads, from one index) and filled in when it comes into
view: the table asks for the rows it is about to draw (`RowsWanted`), the screen reads them and hands
them back (`fill`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from hfwatch.analysis.views import ModelView
from hfwatch.store.queries import ModelKey, ModelRow
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import OpenModel
from hfwatch.tui.widgets.keyed_rows import HEADER
from hfwatch.tui.widgets.keyed_table import Cells, Col, KeyedTable
from hfwatch.tui.widgets.sorting import SortOrder, desc

PENDING = "…"  # a cell not read yet (unknown is "–")


@dataclass(slots=True)
class ModelItem:
    """One row of the table: its key always; its whole row and its rates once read."""

    key: ModelKey
    row: ModelRow | None = None
    view: ModelView | None = None

    @property
    def full(self) -> ModelRow:
        """The whole row, for the sorts that need it (the screen reads every row before using them)."""
        row = self.view.row if self.view is not None else self.row
        if row is None:
            raise LookupError(f"{self.key.id}: row not read")
        return row

    @property
    def rate(self) -> float | None:
        if self.view is None:
            raise LookupError(f"{self.key.id}: rate not read")
        return self.view.rate_per_day


def item_of_row(row: ModelRow) -> ModelItem:
    return ModelItem(ModelKey(row.mid, row.id, row.via, row.d30), row)


def item_of(view: ModelView) -> ModelItem:
    return ModelItem(ModelKey(view.row.mid, view.row.id, view.row.via, view.row.d30), view.row, view)


MODEL_SORTS: tuple[SortOrder[ModelItem], ...] = (
    SortOrder("d30", "30d downloads", lambda v: (*desc(v.key.d30), v.key.id)),
    SortOrder("dall", "all-time downloads", lambda v: (*desc(v.full.dall), v.key.id)),
    SortOrder("rate", "downloads/day", lambda v: (*desc(v.rate), v.key.id)),
    SortOrder("likes", "likes", lambda v: (*desc(v.full.likes), v.key.id)),
    SortOrder("newest", "newest", lambda v: (*desc(v.full.created_at), v.key.id)),
    SortOrder("name", "name", lambda v: (v.key.id.lower(),)),
)
# What each sort order needs of every model before the first row is shown: the keys suffice for the rest.
SORTS_ON_ROWS = frozenset({"dall", "likes", "newest"})
SORTS_ON_RATES = frozenset({"rate"})

VIA_STYLES = {"org": "bold green", "lineage": "cyan", "name": "yellow"}
FIXED = 7 + 8 + 8 + 7 + 12 + 6 + 4 + 2 * 9  # every column but the id (and pipeline), with padding
PIPELINE_W = 16
READ_AHEAD = 1  # pages below the last one shown that are read with it, so a page down finds them ready


def via_cell(via: str | None) -> Text:
    return Text(via or "–", style=VIA_STYLES.get(via or "", "dim"))


def model_matches(row: ModelRow, needle: str) -> bool:
    needle = needle.strip().lower()
    fields = (row.id, row.pipeline, row.via, row.library)
    return not needle or any(needle in (s or "").lower() for s in fields)


def _pending() -> Text:
    return fmt.right(PENDING, style="dim")


class ModelTable(KeyedTable[ModelItem]):
    class RowsWanted(Message):
        """These rows are (about to be) on screen and have no rate yet: `fill` them."""

        def __init__(self, table: ModelTable, items: list[ModelItem]) -> None:
            super().__init__()
            self.table, self.items = table, items

        @property
        def control(self) -> ModelTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._now = 0
        self._counted_until: int | None = None
        self._asked: set[int] = set()

    def present(self, items: Iterable[ModelItem], now: int, counted_until: int | None = None) -> None:
        """`counted_until`: the Hub's last refresh of its counters (fmt.downloads)."""
        self._now = now
        self._counted_until = counted_until
        self._asked.clear()
        self.show(items)

    def page_rows(self) -> int:
        """How many rows fit on screen (a screenful before the table is laid out)."""
        height = self.scrollable_content_region.height - HEADER
        return height if height > 0 else 60

    def on_screen(self, ahead: int = READ_AHEAD) -> list[ModelItem]:
        """The items on screen now and the next `ahead` pages."""
        top, page = int(self.scroll_offset.y), self.page_rows()
        return self._items[top : top + page * (1 + ahead)]

    def fill(self, views: Iterable[ModelView]) -> None:
        """Rates (and whole rows) read for some items: their rows are drawn again, nothing else."""
        by_mid = {v.row.mid: v for v in views}
        changed = []
        for item in self._items:
            view = by_mid.get(item.key.mid)
            if view is not None:
                item.view, item.row = view, view.row
                changed.append(self.row_for(item))
        self.update_rows(changed)

    def render_lines(self, crop: Region) -> list[Strip]:
        wanted = [i for i in self.on_screen() if i.view is None and i.key.mid not in self._asked]
        if wanted:
            self._asked.update(i.key.mid for i in wanted)
            self.post_message(self.RowsWanted(self, wanted))
        return super().render_lines(crop)

    def shape(self) -> tuple[int, bool]:
        """(width of the id column, whether the pipeline column fits)."""
        room = self.size.width - FIXED - 2
        pipeline = room >= 30 + PIPELINE_W + 2
        return max(18, room - (PIPELINE_W + 2 if pipeline else 0)), pipeline

    def column_specs(self) -> list[Col]:
        width, pipeline = self.shape()
        cols = [
            Col("model", "model", width),
            Col("via", "via", 7),
            Col("d30", "30d dl", 8),
            Col("dall", "all-time", 8),
            Col("rate", "dl/day", 7),
            Col("trend", "dl/day trend", 12),
            Col("likes", "likes", 6),
            Col("age", "age", 4),
        ]
        if pipeline:
            cols.append(Col("pipeline", "pipeline", PIPELINE_W))
        return cols

    def row_for(self, item: ModelItem) -> tuple[str, Cells]:
        k, r, v = item.key, item.row, item.view
        width, pipeline = self.shape()
        created_at = r.created_at if r is not None else None
        cells: list[Text | str] = [
            fmt.safe(k.id, width),
            via_cell(k.via),
            fmt.downloads(k.d30, created_at, self._counted_until, style="bold"),
        ]
        if r is None:
            cells += [_pending(), _pending(), "", _pending(), _pending()]
        else:
            created = None if r.created_at is None else self._now - r.created_at
            cells += [
                fmt.downloads(r.dall, r.created_at, self._counted_until),
                fmt.right(fmt.human(v.rate_per_day)) if v is not None else _pending(),
                fmt.spark(v.spark, 12) if v is not None else "",
                fmt.right(fmt.human(r.likes)),
                fmt.right(fmt.age(created), style="dim"),
            ]
        if pipeline:
            cells.append(fmt.safe(r.pipeline or "–", PIPELINE_W) if r is not None else _pending())
        return k.id, cells

    def open_message(self, key: str) -> Message:
        return OpenModel(key)
