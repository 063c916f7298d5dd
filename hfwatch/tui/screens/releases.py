"""The feed, full height: new releases and entries into the trending top N, of tracked families and of
models no family claims (`u` hides those), filterable by family, country and pipeline (`family:qwen cc:CN
pipeline:text-generation`, `family:none` for the untracked); beside it the newcomers, the untracked orgs
by what their models do, which `a` adds to the user's families.toml."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget

from hfwatch.registry import Registry
from hfwatch.store.queries import EventRow
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import AddOrg
from hfwatch.tui.screens.base import ListScreen
from hfwatch.tui.view import MonitorView
from hfwatch.tui.widgets.filter_bar import FilterBar
from hfwatch.tui.widgets.release_table import NewcomerTable, ReleaseTable

FEED_WINDOW_S = 30 * 86400
FEED_LIMIT = 2000
KINDS = ("all", "new", "trending")
FILTER_HINT = "filter: words, family:qwen  family:none  cc:CN  pipeline:text-generation (enter keeps, esc clears)"
UNTRACKED_FAMILY = ("none", "untracked")  # what `family:` matches for a model no family claims
FIELDS = {
    "family": "family",
    "fam": "family",
    "f": "family",
    "cc": "country",
    "country": "country",
    "c": "country",
    "pipeline": "pipeline",
    "pipe": "pipeline",
    "p": "pipeline",
}


@dataclass
class FeedFilter:
    """`family:` `cc:` `pipeline:` terms (each a substring, case-insensitive) and free words that
    must appear in the model id, family, country or pipeline."""

    terms: dict[str, list[str]] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> FeedFilter:
        out = cls()
        for token in text.split():
            name, sep, value = token.partition(":")
            if sep and name.lower() in FIELDS and value:
                out.terms.setdefault(FIELDS[name.lower()], []).append(value.lower())
            else:
                out.words.append(token.lower())
        return out

    def matches(self, e: EventRow, registry: Registry) -> bool:
        m = e.model
        fam = m.family or ""
        names = [fam, registry.get(fam).name if fam in registry else ""] if m.family else list(UNTRACKED_FAMILY)
        fields = {"family": names, "country": [m.country or ""], "pipeline": [m.pipeline or ""]}
        for name, wanted in self.terms.items():
            values = [v.lower() for v in fields[name]]
            if not any(w in v for w in wanted for v in values):
                return False
        haystack = " ".join([m.id, *fields["family"], m.country or "", m.pipeline or ""]).lower()
        return all(w in haystack for w in self.words)


class ReleasesScreen(ListScreen):
    AUTO_FOCUS = "ReleaseTable"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "back", id="back"),
        Binding("slash", "filter", "filter", id="filter"),
        Binding("k", "kind", "new/trending", id="feed_kind"),
        Binding("u", "app.toggle_untracked", "untracked", id="untracked"),
        Binding("a", "add_org", "track org", id="add_org"),
    ]

    def __init__(self, monitor: MonitorView, filter_text: str = "") -> None:
        super().__init__(monitor, filter_text=filter_text)
        self.kind = 0

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        with Vertical(id="releases-body"):
            with Vertical(id="releases-box", classes="box"):
                yield ReleaseTable(self.monitor.registry, id="releases")
            with Vertical(id="newcomers-box", classes="box"):
                yield NewcomerTable(id="newcomers")
        yield FilterBar(FILTER_HINT, value=self.filter_text)

    def reload(self) -> None:
        reader = self.monitor.reader
        untracked = self.monitor.show_untracked
        events = reader.feed(limit=FEED_LIMIT, window_s=FEED_WINDOW_S, every_untracked=untracked)
        wanted = FeedFilter.parse(self.filter_text)
        kind = KINDS[self.kind]
        registry = self.monitor.registry
        shown = [e for e in events if (kind == "all" or e.kind == kind) and wanted.matches(e, registry)]
        counted_until = reader.counted_until()
        self.query_one(ReleaseTable).present(shown, reader.now(), registry, counted_until)
        self._newcomers()
        box = self.query_one("#releases-box")
        shown_kind = {"all": "all events", "new": "new releases", "trending": "trending entries"}[kind]
        box.border_title = Text(f"Releases & trending entries · last 30 days · {shown_kind}")
        notes = [
            f"{len(shown):,} of {len(events):,}",
            "untracked: all (u: trending only)" if untracked else "untracked: trending only (u: all)",
        ]
        if self.filter_text:
            notes.append(f"filter “{self.filter_text}”")
        if any(fmt.not_counted_yet(e.model.d30, e.model.created_at, counted_until) for e in shown):
            notes.append(f"30d dl “{fmt.NOT_COUNTED}”: created after the Hub's last daily count")
        box.border_subtitle = Text(" · ".join(notes))

    def main_table(self) -> Widget:
        return self.query_one(ReleaseTable)

    def action_kind(self) -> None:
        self.kind = (self.kind + 1) % len(KINDS)
        self.sync(force=True)

    def _newcomers(self) -> None:
        newcomers = self.monitor.reader.newcomers()
        self.query_one(NewcomerTable).show(newcomers)
        box = self.query_one("#newcomers-box")
        box.border_title = Text("Newcomers · untracked orgs · last 7 days")
        box.border_subtitle = Text("a: track the org" if newcomers else "none seen lately")

    def action_add_org(self) -> None:
        org = self.query_one(NewcomerTable).cursor_key
        if org is not None:
            self.post_message(AddOrg(org))
