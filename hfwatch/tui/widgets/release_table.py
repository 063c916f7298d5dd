"""Tables of releases: the full-height feed of the releases screen, a family's newest models, and the
newcomers (orgs no family claims, by what their models do)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.message import Message

from hfwatch.analysis.newcomers import Newcomer
from hfwatch.store.queries import EventRow, ModelRow
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import OpenModel
from hfwatch.tui.widgets.feed import EventTable, event_key, family_cell, model_cell, what
from hfwatch.tui.widgets.keyed_table import Cells, Col, KeyedTable
from hfwatch.tui.widgets.model_table import via_cell

FEED_FIXED = 7 + 5 + 5 + 10 + 7 + 2 + 18 + 8 + 6 + 2 * 10  # every column but the model id, with padding
NEWEST_FIXED = 4 + 7 + 2 * 3


class ReleaseTable(EventTable):
    """Feed events, newest first: what happened, when hfwatch saw it, the model's age, the model and
    its family, origin, pipeline."""

    def shape(self) -> int:
        return max(20, self.size.width - FEED_FIXED - 2)

    def column_specs(self) -> list[Col]:
        return [
            Col("what", "", 7),
            Col("seen", "seen", 5),
            Col("age", "age", 5),
            Col("model", "model", self.shape()),
            Col("family", "family", 10),
            Col("via", "via", 7),
            Col("cc", "cc", 2),
            Col("pipeline", "pipeline", 18),
            Col("d30", "30d dl", 8),
            Col("likes", "likes", 6),
        ]

    def row_for(self, e: EventRow) -> tuple[str, Cells]:
        m = e.model
        created = None if m.created_at is None else self._now - m.created_at
        return event_key(e), [
            what(e),
            fmt.right(fmt.age(self._now - e.t), style="dim"),
            fmt.right(fmt.age(created)),
            model_cell(e, self.shape()),
            family_cell(self._registry, m.family, 10),
            via_cell(m.via),
            Text(m.country or "–"),
            fmt.safe(m.pipeline or "–", 18),
            fmt.downloads(m.d30, m.created_at, self._counted_until),
            fmt.right(fmt.human(m.likes)),
        ]


class NewestList(KeyedTable[ModelRow]):
    """A family's most recently created models."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._now = 0

    def present(self, rows: Iterable[ModelRow], now: int) -> None:
        self._now = now
        self.show(rows)

    def shape(self) -> int:
        return max(16, self.size.width - NEWEST_FIXED - 2)

    def column_specs(self) -> list[Col]:
        return [Col("age", "age", 4), Col("model", "model", self.shape()), Col("via", "via", 7)]

    def row_for(self, r: ModelRow) -> tuple[str, Cells]:
        created = None if r.created_at is None else self._now - r.created_at
        return r.id, [fmt.right(fmt.age(created), style="dim"), fmt.safe(r.id, self.shape()), via_cell(r.via)]

    def open_message(self, key: str) -> Message:
        return OpenModel(key)


NEWCOMER_FIXED = 3 + 6 + 8 + 5 + 2 * 5  # every column but the org and its top model, with padding


class NewcomerTable(KeyedTable[Newcomer]):
    """Untracked orgs, most downloaded first: their models seen lately, 30-day downloads, trending
    entries, and their most downloaded model. The row key is the org."""

    def shape(self) -> tuple[int, int]:
        room = max(30, self.size.width - NEWCOMER_FIXED - 2)
        return room * 2 // 5, room - room * 2 // 5

    def column_specs(self) -> list[Col]:
        org, top = self.shape()
        return [
            Col("rank", "#", 3),
            Col("org", "org", org),
            Col("models", "models", 6),
            Col("d30", "30d dl", 8),
            Col("trending", "trend", 5),
            Col("top", "top model", top),
        ]

    def row_for(self, n: Newcomer) -> tuple[str, Cells]:
        a, (org_w, top_w) = n.activity, self.shape()
        top = a.top_model.split("/", 1)[-1] if a.top_model else None
        return a.org, [
            fmt.right(str(n.rank), style="dim"),
            fmt.safe(a.org, org_w),
            fmt.right(f"{a.models:,}"),
            fmt.right(fmt.human(a.d30)),
            fmt.right(str(a.trending)),
            fmt.safe(top or "–", top_w),
        ]
