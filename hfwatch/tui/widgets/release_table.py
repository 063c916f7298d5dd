"""Tables of releases: the full-height feed of the releases screen, and a family's newest models."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.message import Message

from hfwatch.store.queries import EventRow, ModelRow
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import OpenModel
from hfwatch.tui.widgets.feed import EventTable, event_key, family_name, what
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
        return [Col("what", "", 7), Col("seen", "seen", 5), Col("age", "age", 5),
                Col("model", "model", self.shape()), Col("family", "family", 10), Col("via", "via", 7),
                Col("cc", "cc", 2), Col("pipeline", "pipeline", 18), Col("d30", "30d dl", 8),
                Col("likes", "likes", 6)]

    def row_for(self, e: EventRow) -> tuple[str, Cells]:
        m = e.model
        created = None if m.created_at is None else self._now - m.created_at
        return event_key(e), [
            what(e), fmt.right(fmt.age(self._now - e.t), style="dim"), fmt.right(fmt.age(created)),
            fmt.safe(m.id, self.shape()),
            fmt.safe(family_name(self._registry, m.family), 10), via_cell(m.via), Text(m.country or "–"),
            fmt.safe(m.pipeline or "–", 18), fmt.right(fmt.human(m.d30)), fmt.right(fmt.human(m.likes))]



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
