"""A plotext line chart sized to its widget, rebuilt on resize or new data.

plotext keeps one global figure and is not thread-safe, so it is only ever driven from
`render()`, which runs on the main thread. The built text is cached per (size, data) so a
repaint that changes neither does not rebuild the figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from hfwatch.textsafe import terminal_safe
from hfwatch.tui.format import human
from hfwatch.tui.widgets.theme import theme_rgb


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    xs: Sequence[float]
    ys: Sequence[float | None]
    color: str  # a theme variable (`primary`, `error`, ...): the line follows the theme in force
    panel: int = 0  # series of different panels are stacked (plotext subplots), each its own y axis


def time_labels(ticks: Sequence[float]) -> list[str]:
    """Dates for a span of days, hours:minutes for a span under two days (UTC, like the Hub)."""
    if not ticks:
        return []
    span = ticks[-1] - ticks[0]
    fmt = "%H:%M" if span < 2 * 86400 else "%m-%d %H:%M" if span < 6 * 86400 else "%Y-%m-%d"
    return [datetime.fromtimestamp(t, UTC).strftime(fmt) for t in ticks]


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round tick values from at or below `lo` to at or above `hi` (plotext takes the outer ticks
    as the axis limits, so they must enclose the data)."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step)
    last = math.ceil(hi / step - 1e-9)
    return [i * step for i in range(first, last + 1)]


MARK_COLOR = "secondary"  # a theme variable, apart from the series' own


class Chart(Widget):
    DEFAULT_CSS = """
    Chart { height: 1fr; min-height: 6; }
    """

    def __init__(
        self,
        *,
        empty: str = "no history yet",
        id: str | None = None,
        classes: str | None = None,
        y_format: Callable[[float], str] = human,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._series: list[Series] = []
        self._marks: list[float] = []
        self._mark_label = ""
        self._title = ""
        self._empty = empty
        self._y_format = y_format
        self._revision = 0
        self._cache: tuple[tuple[int, int, int, str], Text] | None = None

    def plot(
        self,
        series: Sequence[Series],
        *,
        title: str = "",
        empty: str | None = None,
        marks: Sequence[float] = (),
        mark_label: str = "",
    ) -> None:
        """Draw `series`; `marks` are instants drawn as dotted vertical lines (named `mark_label` in the
        legend) where something other than the data changed the line, such as what is counted."""
        self._series = [s for s in series if any(y is not None for y in s.ys)]
        xs = {x for s in self._series for x, y in zip(s.xs, s.ys, strict=False) if y is not None}
        if len(xs) < 2:
            self._series = []  # a single instant is not a line: say so instead of drawing a dot
        self._marks = [m for m in marks if xs and min(xs) <= m <= max(xs)]
        self._mark_label = terminal_safe(mark_label)
        self._title = terminal_safe(title)
        if empty is not None:
            self._empty = empty
        self._revision += 1
        self.refresh()

    def legend(self) -> Text:
        """The series' names in their colours, for a border subtitle (plotext's own legend box
        would cover the newest data in the top corner)."""
        out = Text()
        for s in self._series:
            if out:
                out.append("  ")
            r, g, b = theme_rgb(self, s.color)
            out.append("━━ ", style=f"rgb({r},{g},{b})")
            out.append(terminal_safe(s.label))
        if self._marks and self._series and self._mark_label:
            r, g, b = theme_rgb(self, MARK_COLOR)
            out.append("  ")
            out.append("┊ ", style=f"rgb({r},{g},{b})")
            out.append(self._mark_label)
        return out

    def render(self) -> RenderableType:
        width, height = self.content_size.width, self.content_size.height
        if width < 20 or height < 5 or not self._series:
            return Text(self._empty, style="dim", justify="center")
        key = (width, height, self._revision, self.app.theme)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._build(width, height))
        return self._cache[1]

    def _build(self, width: int, height: int) -> Text:
        # Imported on the first chart drawn, not with the module: plotext takes ~0.25 s to import and the
        # dashboard, which opens first, has no chart.
        import plotext

        # plotext clamps a figure to the terminal it thinks it prints to; this one goes into a widget.
        plotext.terminal.limit(False, False)
        fig = plotext.figure
        fig.clear()
        fig.plot_size(width, height)
        panels = sorted({s.panel for s in self._series})
        xs_all = [x for s in self._series for x, y in zip(s.xs, s.ys, strict=False) if y is not None]
        x_ticks = self._x_ticks(xs_all)
        if len(panels) > 1:
            fig.subplots(len(panels), 1)
        for n, panel in enumerate(panels, start=1):
            plot = fig.subplot(n, 1) if len(panels) > 1 else fig
            series = [s for s in self._series if s.panel == panel]
            self._draw(plot, series, x_ticks, height // len(panels), titled=len(panels) > 1)
        text = Text.from_ansi(fig.build().string().rstrip("\n"))
        text.no_wrap = True
        return text

    @staticmethod
    def _x_ticks(xs: list[float]) -> list[float]:
        lo, hi = min(xs), max(xs)
        return [lo + (hi - lo) * i / 4 for i in range(5)] if hi > lo else [lo]

    def _draw(self, plot: Any, series: list[Series], x_ticks: list[float], height: int, *, titled: bool) -> None:
        import plotext  # already loaded by _build; see there

        # One y axis per panel: plotext mixes up the x axis when a figure has ticks on both y sides.
        plot.theme("simple")
        plot.canvas("default")
        plot.legend(active=False)
        values: list[float] = []
        for s in series:
            pts = [(x, y) for x, y in zip(s.xs, s.ys, strict=False) if y is not None]
            if not pts:
                continue
            # Quadrant blocks, not braille: every terminal font (and the SVG screenshots) has them.
            marker = plotext.marker("hd", plotext.pixel(foreground=theme_rgb(self, s.color)))
            sig = plot.signal([p[0] for p in pts], [p[1] for p in pts], marker=marker)
            sig.lines()
            plot.draw(sig)
            values.extend(p[1] for p in pts)
        if titled:
            plot.title(" · ".join(terminal_safe(s.label) for s in series))
        elif self._title:
            plot.title(self._title)
        plot.ruler("x").ticks(x_ticks, time_labels(x_ticks))
        if values:
            plot.ruler("y", 0).ticks(*self.y_ticks(values, height))
        mark = plotext.pixel(foreground=theme_rgb(self, MARK_COLOR))
        for x in self._marks:
            # plotext's `event` would also set both axes' limits to its own: one vertical line each.
            plot.line(x, orientation=1, pixel=mark, style="dotted")

    def y_ticks(self, values: list[float], height: int) -> tuple[list[float], list[str]]:
        """The y axis' ticks and their labels, for these plotted values in a panel this high."""
        top, bottom = max(values), min(values)
        # From zero, unless that would flatten the line: then the axis starts near the data,
        # and its labels say where.
        base = 0.0 if bottom < 0.4 * top else bottom
        ticks = nice_ticks(min(0.0, base) if base <= 0 else base, top or 1.0, max(2, min(5, height // 4)))
        return ticks, [self._y_format(t) for t in ticks]
