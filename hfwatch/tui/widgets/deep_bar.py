"""The deep walk's progress, one line under the leaderboard: a bar of pages done of the estimate, then
pages, models walked, requests used and the time left. Hidden while no walk runs (the families box's
subtitle then gives the coverage of the last one)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widget import Widget

from hfwatch.tui.deep_state import DeepLine
from hfwatch.tui.widgets.status_bar import fit

BAR_WIDTH = 16


def bar_text(line: DeepLine, width: int) -> Text:
    text = Text()
    if line.error:
        text.append(line.text, style="red")
    else:
        filled = round(BAR_WIDTH * line.fraction) if line.fraction is not None else 0
        text.append("█" * filled, style="bold cyan")
        text.append("░" * (BAR_WIDTH - filled), style="dim cyan")
        text.append(" ")
        room = max(1, width - text.cell_len)
        text.append_text(fit([(p, Text(s)) for p, s in line.parts], room) if line.parts else Text(line.text))
    text.truncate(max(1, width), overflow="ellipsis")
    return text


class DeepBar(Widget):
    """Shown (class -shown, app.tcss) only while there is a line to show."""

    def __init__(self, line: Callable[[], DeepLine | None], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._line = line

    def on_mount(self) -> None:
        self.sync()

    def sync(self) -> None:
        """Show or hide, and repaint, from the monitor's state."""
        self.set_class(self._line() is not None, "-shown")
        self.refresh()

    def render(self) -> Text:
        line = self._line()
        return bar_text(line, self.content_size.width) if line is not None else Text()
