"""The trending & new-releases feed: new models and entries into the trending top N, newest first, one
row per event. Models no family claims are shown dimmed and marked "untracked": their trending entries always,
their new releases when asked (the readers choose: hfwatch.store.queries.recent_events)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.message import Message

from hfwatch.registry import Registry
from hfwatch.store.queries import EventRow
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import OpenModel
from hfwatch.tui.widgets.keyed_table import Cells, Col, KeyedTable

FIXED = 7 + 9 + 2 + 4 + 2 * 5  # every column but the model id, with cell padding


def event_key(e: EventRow) -> str:
    return f"{e.kind}:{e.t}:{e.model.id}"


def model_of_key(key: str) -> str:
    return key.split(":", 2)[2]


def what(e: EventRow) -> Text:
    if e.kind == "new":
        return Text("★ new", style="bold green")
    return Text(f"↑ #{e.rank}" if e.rank else "↑ top", style="bold magenta")


def family_name(registry: Registry, family: str | None) -> str:
    return registry.get(family).name if family and family in registry else "–"


UNTRACKED = "untracked"


def family_cell(registry: Registry, family: str | None, width: int) -> Text:
    if family is None:
        return Text(UNTRACKED[:width], style="dim italic")
    return fmt.safe(family_name(registry, family), width)


def model_cell(e: EventRow, width: int) -> Text:
    cell = fmt.safe(e.model.id, width)
    if e.model.family is None:
        cell.stylize("dim")
    return cell


class EventTable(KeyedTable[EventRow]):
    """A table of feed events whose ages are measured against the data's clock."""

    def __init__(self, registry: Registry, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._registry = registry
        self._now = 0
        self._counted_until: int | None = None

    def present(
        self,
        events: Iterable[EventRow],
        now: int,
        registry: Registry | None = None,
        counted_until: int | None = None,
    ) -> None:
        """Show `events`; `registry`: the one in force now, when it may have changed (a family added);
        `counted_until`: the Hub's last refresh of its counters (the models created after it are not counted)."""
        self._now = now
        self._counted_until = counted_until
        if registry is not None:
            self._registry = registry
        self.show(events)

    def open_message(self, key: str) -> Message:
        return OpenModel(model_of_key(key))


class Feed(EventTable):
    def shape(self) -> int:
        return max(16, self.size.width - FIXED - 2)

    def column_specs(self) -> list[Col]:
        return [
            Col("what", "", 7),
            Col("model", "model", self.shape()),
            Col("family", "family", 9),
            Col("cc", "cc", 2),
            Col("age", "age", 4),
        ]

    def row_for(self, e: EventRow) -> tuple[str, Cells]:
        # A release's age is the model's own; a trending entry's is when it entered.
        since = e.model.created_at if e.kind == "new" and e.model.created_at else e.t
        return event_key(e), [
            what(e),
            model_cell(e, self.shape()),
            family_cell(self._registry, e.model.family, 9),
            Text(e.model.country or "–"),
            fmt.right(fmt.age(self._now - since), style="dim"),
        ]
