"""A retitled box shows its new titles: a retitle repaints only its border lines, and those must be the
lines the titles are drawn on."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Static

from hfwatch.tui.widgets.titled_box import TitledBox


class Boxed(App[None]):
    CSS = "TitledBox { border: round white; height: 8; }"

    def compose(self) -> ComposeResult:
        with TitledBox(id="box"):
            yield Static("inside")


def line(box: TitledBox, y: int) -> str:
    return box.render_lines(Region(0, y, box.outer_size.width, 1))[0].text


async def test_a_retitle_is_drawn_in_the_border_lines() -> None:
    app = Boxed()
    async with app.run_test(size=(40, 10)) as pilot:
        box = app.query_one(TitledBox)
        box.retitle("first title", "first note")
        await pilot.pause()
        last = box.outer_size.height - 1
        assert "first title" in line(box, 0) and "first note" in line(box, last)
        box.retitle("second title", "second note")
        await pilot.pause()
        assert "second title" in line(box, 0)
        assert "second note" in line(box, last)
        box.retitle("third title")  # no subtitle: the one shown stays
        await pilot.pause()
        assert "third title" in line(box, 0) and "second note" in line(box, last)
