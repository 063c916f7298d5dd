"""The top line: what the monitor is doing (live, paused, offline, stale, following), how fresh the
data is, when the next poll comes, the API budget left, and the scope and metric in force."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from hfwatch.textsafe import terminal_safe
from hfwatch.tui.format import age, label

STATE_STYLES = {
    "live": ("●", "bold green"),
    "demo": ("●", "bold green"),
    "paused": ("❚❚", "bold yellow"),
    "offline": ("○", "bold"),
    "stale": ("▲", "bold red"),
    "following": ("◌", "bold cyan"),
    "starting": ("◌", "bold cyan"),
}


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class StatusFacts:
    """What the status line shows, gathered by the app for each repaint."""

    state: str  # a key of STATE_STYLES
    scope: str
    metric: str
    last_poll_age_s: float | None = None
    next_poll_s: float | None = None
    interval_s: float | None = None
    api_remaining: int | None = None
    api_limit: int | None = None
    activity: str | None = None
    error: str | None = None
    sim_time: float | None = None
    speed: float = 1.0
    writer_pid: str | None = None
    data_time: float | None = None
    note: str | None = None
    waiting: str | None = None  # a lane held back for the API budget
    deep: str | None = None  # the deep walk under way (or waiting, or just done)
    release_gap: str | None = None  # a hole in the release feed that the fast polls are still back-filling


def _stamp(t: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.fromtimestamp(t, UTC).strftime(fmt)


def status_parts(f: StatusFacts) -> list[tuple[int, Text]]:
    """(priority, part): lower priorities are dropped first when the line is too narrow."""
    glyph, style = STATE_STYLES.get(f.state, ("●", "bold"))
    head = Text(f"{glyph} ", style=style)
    if f.state == "following":
        head.append(f"following (read-only) — pid {terminal_safe(f.writer_pid or '?')} writes", style=style)
    elif f.state == "demo":
        head.append(f"demo ×{f.speed:g}", style=style)
    else:
        head.append(f.state, style=style)
    parts: list[tuple[int, Text]] = [(100, head)]
    if f.note:
        parts.append((40, Text(terminal_safe(f.note), style="yellow")))
    if f.error:
        parts.append((60, Text(terminal_safe(f.error, 60), style="red")))
    if f.activity:
        parts.append((50, Text("⟳ " + terminal_safe(f.activity, 48), style="cyan")))
    if f.state == "offline" and f.data_time is not None:
        parts.append((80, Text(f"history as of {_stamp(f.data_time)} UTC")))
    elif f.last_poll_age_s is not None:
        parts.append((80, Text(f"polled {age(f.last_poll_age_s)} ago")))
    elif f.state not in ("offline", "following"):
        parts.append((80, Text("no poll yet", style="dim")))
    if f.waiting:
        parts.append((55, Text(terminal_safe(f.waiting), style="yellow")))
    if f.next_poll_s is not None:
        parts.append((45, Text(f"next {age(f.next_poll_s)}")))
    if f.interval_s is not None:
        parts.append((20, Text(f"every {age(f.interval_s)}", style="dim")))
    if f.api_remaining is not None:
        budget = f"api {f.api_remaining}" + (f"/{f.api_limit}" if f.api_limit else "")
        low = f.api_limit and f.api_remaining < 0.1 * f.api_limit
        parts.append((35, Text(budget, style="bold red" if low else "")))
    if f.release_gap:
        # A hole in the data outranks the clocks: it says what the figures on screen lack.
        parts.append((32, Text(terminal_safe(f.release_gap), style="yellow")))
    # The progress line under the leaderboard says more: on a narrow line this goes first.
    if f.deep:
        parts.append((15, Text(terminal_safe(f.deep), style="cyan")))
    if f.sim_time is not None:
        parts.append((30, Text(f"sim {_stamp(f.sim_time, '%m-%d %H:%M')}", style="dim")))
    parts.append((90, Text(label(f.scope, f.metric), style="bold")))
    return parts


def fit(parts: list[tuple[int, Text]], width: int, sep: str = " · ") -> Text:
    """Join the parts in order, dropping the least important until the line fits."""
    kept = list(parts)
    while kept:
        line = Text(sep, style="dim").join(p for _, p in kept)
        if line.cell_len <= width or len(kept) == 1:
            line.truncate(width, overflow="ellipsis")
            return line
        kept.remove(min(kept, key=lambda p: p[0]))
    return Text()


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar { dock: top; height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self, facts: Callable[[], StatusFacts], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._facts = facts
        self._drawn: tuple[Text, int, Style, Strip] | None = None

    def on_mount(self) -> None:
        # Ages and countdowns move by the second even when nothing else changes.
        self.set_interval(1.0, self.refresh)

    def render(self) -> Text:
        width = self.content_size.width
        title = Text.assemble(("hfwatch", "bold"), (" · open-model race on the Hub", "dim"))
        # Room for the leading space and at least one before the parts: a line of parts as wide as the bar
        # would lose its last characters.
        right = fit(status_parts(self._facts()), max(10, width - 2))
        room = width - right.cell_len - 2
        line = Text(" ")
        if room >= title.cell_len:
            line.append_text(title)
        elif room >= 8:
            line.append("hfwatch", style="bold")
        gap = width - line.cell_len - right.cell_len
        line.append(" " * max(1, gap))
        line.append_text(right)
        line.truncate(width)
        return line

    def render_line(self, y: int) -> Strip:
        # One line of Rich text made into a strip here: Textual's own path (the text turned into its Content
        # and laid out as a visual) cost ~1.7 ms a repaint, and the line repaints every second, with every
        # poll's progress and on each m and d.
        width, base = self.size.width, self.visual_style.rich_style
        if y:
            return Strip.blank(width, base)
        line = self.render()
        drawn = self._drawn
        if drawn is not None and drawn[1] == width and drawn[2] == base and drawn[0] == line:
            return drawn[3]
        segments = list(Segment.apply_style(line.render(self.app.console, end=""), style=base))
        strip = Strip(Segment.adjust_line_length(segments, width, style=base), width)
        self._drawn = (line, width, base, strip)
        return strip
