"""Numbers, ages and little pictures as `rich.text.Text`: never markup, so Hub text stays literal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from hfwatch.analysis.counted import not_counted_yet
from hfwatch.numfmt import human, percent  # noqa: F401  (screens use fmt.percent)
from hfwatch.records import Metric, Scope
from hfwatch.textsafe import terminal_safe

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
BAR_EIGHTHS = " ▏▎▍▌▋▊▉"
DASH = "–"

METRIC_LABELS = {
    Metric.DOWNLOADS_30D.value: "30d downloads",
    Metric.DOWNLOADS_ALL_TIME.value: "all-time downloads",
    Metric.RATE.value: "downloads/day",
}
METRIC_HEADERS = {
    Metric.DOWNLOADS_30D.value: "30d dl",
    Metric.DOWNLOADS_ALL_TIME.value: "all-time",
    Metric.RATE.value: "dl/day",
}
SCOPE_LABELS = {Scope.FIRST_PARTY.value: "first-party", Scope.ECOSYSTEM.value: "ecosystem"}


def safe(text: str | None, max_len: int | None = None) -> Text:
    """Hub text as a literal `Text`: escapes and controls removed, nothing parsed as markup."""
    return Text(terminal_safe(text, max_len))


def points(x: float | None) -> Text:
    """A share change in percentage points, coloured by direction."""
    if x is None:
        return Text(DASH, style="dim")
    pp = x * 100
    if abs(pp) < 0.05:
        return Text("±0.0pp", style="dim")
    return Text(f"{pp:+.1f}pp", style="green" if pp > 0 else "red")


def age(seconds: float | None) -> str:
    """A compact age: 45s, 12m, 3h, 5d, 7w, 2y."""
    if seconds is None:
        return DASH
    s = max(0, int(seconds))
    for unit, size in (("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if s >= size * (2 if unit == "w" else 1):
            return f"{s // size}{unit}"
    return f"{s}s"


def rank_change(change: int | None) -> Text:
    if not change:
        return Text(DASH, style="dim")
    if change > 0:
        return Text(f"▲{change}", style="bold green")
    return Text(f"▼{-change}", style="bold red")


def resample(values: Sequence[float | None], width: int) -> list[float | None]:
    """`width` points from `values`: the max of the known values of each slice when shrinking (None when
    none is known), repeats when growing."""
    if width <= 0 or not values:
        return []
    n = len(values)
    if n == width:
        return list(values)
    out: list[float | None] = []
    for i in range(width):
        lo = i * n // width
        hi = max(lo + 1, (i + 1) * n // width)
        known = [v for v in values[lo:hi] if v is not None]
        out.append(max(known) if known else None)
    return out


SPARK_MIN_SPAN = 0.02  # of the largest value: smaller wiggles stay small instead of filling the cell


def spark(
    values: Sequence[float | None],
    width: int,
    *,
    style: str | None = None,
    regimes: tuple[int, int] = (0, 0),
) -> Text:
    """A unicode-block sparkline cell; coloured by the direction of the trend unless `style` is given.

    None (nothing observed in that bucket: before the history starts, after the latest refresh) is blank;
    a real 0 is the lowest bar. No data at all is a blank cell, never a flat line.
    Scaled from the series' minimum, like htop's graphs, but over at least 2% of its maximum, so
    that a 0.1% wobble of a big number does not look like a swing from nothing to everything.
    `regimes` (touched, after): a deep walk widened the coverage from bucket `touched` to bucket `after`.
    The values before it are drawn dim and scaled apart from those after it, each part its own trend, and
    those it touched are dots, so the widening does not draw as a surge.
    """
    data = resample(values, width)
    if not any(v is not None for v in data):
        return Text(" " * max(0, width))
    touched, after = regimes
    if after <= 0:
        return spark_blocks(data, style)
    n = len(values)
    # A cell stands for a slice of the values: it is of a part only when its whole slice is.
    old = next((i for i in range(width) if max(i * n // width + 1, (i + 1) * n // width) > touched), width)
    new = next((i for i in range(width) if i * n // width >= after), width)
    out = _spark_part(data[:old], "dim")
    out.append("".join(" " if v is None else "·" for v in data[old:new]), style="dim")
    out.append_text(_spark_part(data[new:], style))
    return out


def _spark_part(data: Sequence[float | None], style: str | None) -> Text:
    part = Text()
    part.append_text(spark_blocks(data, style) if any(v is not None for v in data) else Text(" " * len(data)))
    return part


def spark_blocks(data: Sequence[float | None], style: str | None) -> Text:
    """The blocks of a sparkline, one per value (blank for None)."""
    known = [v for v in data if v is not None]
    lo, hi = min(known), max(known)
    span = max(hi - lo, abs(hi) * SPARK_MIN_SPAN)
    if span <= 0:
        # Flat: a baseline, not a full bar, so "no change" does not look like "maximum".
        glyph = SPARK_BLOCKS[0] if hi <= 0 else SPARK_BLOCKS[3]
        return Text("".join(" " if v is None else glyph for v in data), style=style or "dim")
    chars = "".join(" " if v is None else SPARK_BLOCKS[min(7, int((v - lo) / span * 7.999))] for v in data)
    if style is None:
        style = "green" if known[-1] > known[0] else "red" if known[-1] < known[0] else "cyan"
    return Text(chars, style=style)


def bar(fraction: float | None, width: int, *, style: str = "cyan") -> Text:
    """A horizontal share bar in eighths of a cell, padded to `width`."""
    if fraction is None:
        return Text(" " * width)
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    body = "█" * full + (BAR_EIGHTHS[rest] if rest else "")
    return Text(body.ljust(width), style=style)


def right(text: str, style: str | None = None) -> Text:
    return Text(text, style=style or "", justify="right")


def label(scope: str, metric: str) -> str:
    """'ecosystem · 30d downloads': every number on screen says what it counts."""
    return f"{SCOPE_LABELS.get(scope, scope)} · {METRIC_LABELS.get(metric, metric)}"


def params(n: int | None) -> str:
    if n is None:
        return DASH
    return f"{human(n)} params"


NOT_COUNTED = "not yet"


def downloads(value: int | None, created_at: int | None, counted_until: int | None, style: str | None = None) -> Text:
    """A download counter, right-aligned; "not yet" (dim) for one the Hub has not counted."""
    if not_counted_yet(value, created_at, counted_until):
        return right(NOT_COUNTED, style="dim")
    return right(human(value), style=style)
