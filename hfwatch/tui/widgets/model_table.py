"""A family's models: downloads, rate, a sparkline of downloads/day, likes, age; one row per model
id, sortable and filterable by the screen that owns it."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.message import Message

from hfwatch.analysis.views import ModelView
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import OpenModel
from hfwatch.tui.widgets.keyed_table import Cells, Col, KeyedTable
from hfwatch.tui.widgets.sorting import SortOrder, desc

MODEL_SORTS: tuple[SortOrder[ModelView], ...] = (
    SortOrder("d30", "30d downloads", lambda v: (*desc(v.row.d30), v.row.id)),
    SortOrder("dall", "all-time downloads", lambda v: (*desc(v.row.dall), v.row.id)),
    SortOrder("rate", "downloads/day", lambda v: (*desc(v.rate_per_day), v.row.id)),
    SortOrder("likes", "likes", lambda v: (*desc(v.row.likes), v.row.id)),
    SortOrder("newest", "newest", lambda v: (*desc(v.row.created_at), v.row.id)),
    SortOrder("name", "name", lambda v: (v.row.id.lower(),)),
)

VIA_STYLES = {"org": "bold green", "lineage": "cyan", "name": "yellow"}
FIXED = 7 + 8 + 8 + 7 + 12 + 6 + 4 + 2 * 9  # every column but the id (and pipeline), with padding
PIPELINE_W = 16


def via_cell(via: str | None) -> Text:
    return Text(via or "–", style=VIA_STYLES.get(via or "", "dim"))


def model_matches(view: ModelView, needle: str) -> bool:
    needle = needle.strip().lower()
    row = view.row
    fields = (row.id, row.pipeline, row.via, row.library)
    return not needle or any(needle in (s or "").lower() for s in fields)


class ModelTable(KeyedTable[ModelView]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._now = 0

    def present(self, views: Iterable[ModelView], now: int) -> None:
        self._now = now
        self.show(views)

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

    def row_for(self, v: ModelView) -> tuple[str, Cells]:
        r = v.row
        width, pipeline = self.shape()
        created = None if r.created_at is None else self._now - r.created_at
        cells: list[Text | str] = [
            fmt.safe(r.id, width),
            via_cell(r.via),
            fmt.right(fmt.human(r.d30), style="bold"),
            fmt.right(fmt.human(r.dall)),
            fmt.right(fmt.human(v.rate_per_day)),
            fmt.spark(v.spark, 12),
            fmt.right(fmt.human(r.likes)),
            fmt.right(fmt.age(created), style="dim"),
        ]
        if pipeline:
            cells.append(fmt.safe(r.pipeline or "–", PIPELINE_W))
        return r.id, cells

    def open_message(self, key: str) -> Message:
        return OpenModel(key)
