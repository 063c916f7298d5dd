"""A bordered box whose titles can change without repainting the rest of it.

Setting a Textual border title repaints the whole widget: every line of its border and background is
drawn again, under children that cover it anyway. On the dashboard, m and d retitle two boxes (the metric
is in their titles), and redrawing the 60 lines of those boxes was a quarter of what a key cost the UI
thread. A title lives in the top border line and a subtitle in the bottom one: those are all `retitle`
repaints.
"""

from __future__ import annotations

from typing import Self

from rich.text import Text
from textual.containers import Vertical
from textual.geometry import Region


class TitledBox(Vertical):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._retitling = False
        self._shown: tuple[str | None, str | None] | None = None

    def retitle(self, title: str, subtitle: str | None = None) -> None:
        """Set the title, and the subtitle unless None; a title as shown already repaints nothing."""
        if self._shown == (title, subtitle):
            return
        self._shown = (title, subtitle)
        self._retitling = True
        try:
            self.border_title = Text(title)
            if subtitle is not None:
                self.border_subtitle = Text(subtitle)
        finally:
            self._retitling = False

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        if self._retitling and not regions and not layout and not recompose and self.outer_size.height > 1:
            # Regions are relative to the content area, inside the border: the border lines lie outside it.
            left, top = self.content_offset
            width, height = self.outer_size
            regions = (Region(-left, -top, width, 1), Region(-left, height - 1 - top, width, 1))
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
