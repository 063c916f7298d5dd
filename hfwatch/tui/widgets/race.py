"""The race screen's widgets: the bump chart of the leading families' ranks, and the list of passes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from rich.text import Text
from textual.message import Message

from hfwatch.analysis.overtakes import Overtake
from hfwatch.analysis.race import Race
from hfwatch.tui import format as fmt
from hfwatch.tui.messages import OpenFamily
from hfwatch.tui.widgets.chart import Chart, Series
from hfwatch.tui.widgets.keyed_table import Cells, Col, KeyedTable

# One colour per leading family, told apart in the dark and the light themes alike.
BUMP_COLORS = (
    "primary",
    "error",
    "warning",
    "success",
    "foreground",
    "primary-lighten-3",
    "error-lighten-3",
    "success-darken-3",
)
LEADERS = len(BUMP_COLORS)
FIXED = 10 + 5 + 2 * 3  # the date and rank columns with cell padding


def _rank_label(depth: int) -> Callable[[float], str]:
    return lambda v: f"#{round(depth + 1 - v)}"


class BumpChart(Chart):
    """Rank 1 at the top: each family's line is drawn at height depth + 1 - rank."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(empty="no ranks yet: the race needs two polls", id=id)
        self._depth = LEADERS

    def present(self, race: Race, name: Callable[[str], str]) -> None:
        known = [r for ranks in race.ranks.values() for r in ranks if r is not None]
        self._depth = max(known, default=LEADERS)
        self._y_format = _rank_label(self._depth)
        series = [
            Series(
                name(family),
                race.times,
                [None if r is None else self._depth + 1 - r for r in ranks],
                BUMP_COLORS[i % len(BUMP_COLORS)],
            )
            for i, (family, ranks) in enumerate(race.ranks.items())
        ]
        self.plot(series)

    def y_ticks(self, values: list[float], height: int) -> tuple[list[float], list[str]]:
        # Whole ranks only, as many as the height has room for. The outer ticks are the axis' limits for
        # plotext: the first and the last rank are always ticks, or lines beyond them are lost.
        step = max(1, -(-self._depth // max(1, height // 2)))
        ranks = sorted({*range(1, self._depth + 1, step), self._depth})
        ticks = [float(self._depth + 1 - r) for r in ranks]
        return ticks[::-1], [f"#{r}" for r in ranks][::-1]


def pass_key(o: Overtake) -> str:
    return f"{o.at}:{o.family}:{o.passed}"


class OvertakeTable(KeyedTable[Overtake]):
    """Passes, newest first: "<date>  <Family> passed <Family>" and the passer's new rank; enter opens it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._label_of: Callable[[str], str] = str
        self._watched: set[str] = set()

    def present(self, passes: Iterable[Overtake], name: Callable[[str], str], watched: set[str]) -> None:
        self._label_of, self._watched = name, watched
        self.show(passes)

    def shape(self) -> int:
        return max(24, self.size.width - FIXED - 2)

    def column_specs(self) -> list[Col]:
        return [Col("date", "date", 10), Col("pass", "pass", self.shape()), Col("rank", "rank", 5)]

    def row_for(self, o: Overtake) -> tuple[str, Cells]:
        text = self._family(o.family)
        text.stylize("bold")
        text.append(" passed ", style="dim")
        text.append_text(self._family(o.passed))
        text.truncate(self.shape(), overflow="ellipsis")
        day = datetime.fromtimestamp(o.at, UTC).strftime("%Y-%m-%d")
        return pass_key(o), [Text(day, style="dim"), text, fmt.right(f"#{o.rank}")]

    def _family(self, family: str) -> Text:
        return fmt.safe(("★ " if family in self._watched else "") + self._label_of(family))

    def open_message(self, key: str) -> Message | None:
        return OpenFamily(key.split(":", 2)[1])
