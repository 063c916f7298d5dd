"""Marks on the family chart: a deep walk's start is drawn where it changed what the ecosystem line counts,
and named in the legend; a mark outside the plotted span draws nothing and says nothing."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from textual.app import App, ComposeResult

from hfwatch.store import Store
from hfwatch.store.wholehub import walk_starts
from hfwatch.tui.widgets.chart import Chart, Series

DAY = 86_400.0
XS = [i * DAY for i in range(10)]
YS: list[float | None] = [100.0 + 10 * i for i in range(10)]
LABEL = "deep walk: more derivatives counted from here"


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Chart(id="c")


async def drawn(marks: list[float]) -> tuple[str, str]:
    """The chart's text and legend for the same line with these marks."""
    app = ChartApp()
    async with app.run_test(size=(80, 20)) as pilot:
        chart = app.query_one(Chart)
        chart.plot([Series("ecosystem", XS, YS, "primary")], marks=marks, mark_label=LABEL)
        await pilot.pause()
        text = chart.render()
        return str(text), chart.legend().plain


async def test_a_mark_inside_the_span_is_drawn_and_named() -> None:
    plain, plain_legend = await drawn([])
    marked, legend = await drawn([4.5 * DAY])
    assert marked != plain, "the mark changes the drawing"
    # ... and nothing else: the same y axis, and the line still drawn (plotext's own `event` reset the axes)
    assert [row[:4] for row in marked.splitlines()] == [row[:4] for row in plain.splitlines()]
    assert sum(c in "▄▀▞▘▗▝" for c in marked) >= 0.9 * sum(c in "▄▀▞▘▗▝" for c in plain) > 0
    assert LABEL in legend and LABEL not in plain_legend


async def test_a_mark_outside_the_span_draws_nothing() -> None:
    plain, _ = await drawn([])
    outside, legend = await drawn([20 * DAY, -3 * DAY])
    assert outside == plain
    assert LABEL not in legend


def test_walk_starts_are_those_that_ran_in_the_span(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    Store(db).close()  # a current schema
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.executemany(
            "INSERT INTO deep_walks (floor, started, updated, finished) VALUES (100, ?, ?, ?)",
            [
                (10.0, 20.0, 20.0),  # over before the span
                (90.0, 150.0, 150.0),  # began before the span, ran into it: marked at the span's start
                (300.0, 350.0, 360.0),  # inside
                (500.0, 520.0, None),  # under way, last page inside
                (2000.0, 2100.0, None),  # after the span
            ],
        )
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert walk_starts(conn, 100.0, 1000.0) == [100.0, 300.0, 500.0]


def test_a_file_from_before_the_deep_lane_has_no_walks() -> None:
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        assert walk_starts(conn, 0.0, 1e12) == []
