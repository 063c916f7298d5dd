"""`?`: every key of every screen, as remapped by the config's keymap, with the binding ids to
remap them by."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from hfwatch.tui import keys

NOTES = (
    "Every number says its scope (first-party: the family's own orgs; ecosystem: plus derivatives by "
    "lineage) and metric (30d downloads: the Hub's rolling count; all-time; downloads/day: growth of "
    'all-time downloads between the Hub\'s daily refreshes). "not yet": the Hub counts downloads once a day '
    'and has not counted a model created since. Remap keys in the config file: [keymap] poll_now = "f5".'
)


def help_table(sections: keys.Sections, keymap: dict[str, str]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True, min_width=12)
    table.add_column(no_wrap=True)
    table.add_column(style="dim", no_wrap=True)
    seen: set[tuple[str, str]] = set()
    for title, bindings in sections:
        table.add_row(Text(title, style="bold underline"), Text(""), Text(""))
        for b in bindings:
            if not isinstance(b, Binding) or not b.description:
                continue
            shown = keys.key_display(b, keymap)
            if (title, shown) in seen:
                continue
            seen.add((title, shown))
            table.add_row(Text(shown), Text(b.description), Text(b.id or ""))
        table.add_row(Text(""), Text(""), Text(""))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "app.pop_screen", "close", id="close_help"),
    ]

    def __init__(self, sections: keys.Sections, keymap: dict[str, str]) -> None:
        super().__init__()
        self.sections = sections
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        box = VerticalScroll(id="help-box", classes="box")
        box.border_title = Text("hfwatch keys · key, action, binding id (for the config's keymap)")
        box.border_subtitle = Text("esc closes · ctrl+p: command palette")
        with box:
            yield Static(help_table(self.sections, self.keymap))
            yield Static(Text(NOTES, style="dim"), id="help-notes")
