"""The `/` filter: a one-line input at the bottom of a screen, applied as it is typed."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

from hfwatch.tui.messages import FilterChanged, FilterClosed


class FilterBar(Input):
    DEFAULT_CSS = """
    FilterBar { dock: bottom; display: none; margin: 0 0 1 0; border: tall $accent; }
    FilterBar.-open { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_filter", "clear filter", id="filter_clear"),
    ]

    def __init__(self, placeholder: str, *, value: str = "", id: str | None = None) -> None:
        super().__init__(value=value, placeholder=placeholder, id=id)

    def open(self) -> None:
        self.add_class("-open")
        self.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(FilterChanged(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.remove_class("-open")
        self.post_message(FilterClosed(self.value))

    def action_clear_filter(self) -> None:
        self.value = ""
        self.remove_class("-open")
        self.post_message(FilterChanged(""))
        self.post_message(FilterClosed(""))
