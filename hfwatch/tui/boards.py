"""Every scope and metric's leaderboard and country rows, read and laid out ahead by a worker thread
after each change of the data, so that m and d only swap rows in (DESIGN §11: every key within 50 ms,
while a poll runs too). Nothing here touches the UI: the worker hands its views to the app by message.

A view is the data of one generation (`data_generation`: it moves when the store may have changed) read
at one "now"; the cache answers only for the generation in force, so a view read before a poll is never
shown after it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.console import Console
from textual.message import Message

from hfwatch.analysis.views import CountryRow, FamilyRow
from hfwatch.registry import Registry
from hfwatch.timeunits import DAY_S
from hfwatch.tui.reader import Reader
from hfwatch.tui.widgets.leaderboard import PreparedRows, RowsMadeFor, prepare_rows
from hfwatch.tui.widgets.table_lines import Laid, LineStyles

if TYPE_CHECKING:
    from hfwatch.analysis.overtakes import Overtake  # only typed: the race is read after the first frame

# How far back the race is re-read after each poll for passes of watched families: a pass shows once its
# new order has held a day, so any window over a day (plus the gap between polls) sees each one.
PASS_ALERT_WINDOW_S = 3 * DAY_S


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class BoardView:
    """One scope and metric's leaderboard (every screen's family order) and country rows."""

    generation: int
    scope: str
    metric: str
    now: int
    board: list[FamilyRow]
    countries: list[CountryRow]
    rows: PreparedRows  # the leaderboard's rows as the dashboard shows them, laid out
    country_rows: Laid | None  # the country panel's, when the order said how it draws them
    # Of the last PASS_ALERT_WINDOW_S, newest first (for the watch list's alerts); None until the worker's
    # second round, which reads them once every combination's rows are in (they cost more than the rows).
    passes: list[Overtake] | None = None


@dataclass(frozen=True, slots=True, repr=False)
class CountryStyles:
    """How the country panel draws its rows: its bars' colours by region, its lines' styles. Compared by value:
    the read-ahead asks the worker again only when these (or the data) changed."""

    palette: dict[str, str]
    lines: LineStyles | None


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class BoardOrder:
    """What the worker is asked for: the views of `combos` (the likeliest next first), at `now`."""

    generation: int
    now: int
    combos: list[tuple[str, str]]
    wide: bool
    watched: frozenset[str]
    registry: Registry
    line_styles: LineStyles | None = None  # the leaderboard's, for its lines made ahead
    country_styles: CountryStyles | None = None  # the country panel's


class BoardReady(Message):
    """A view the worker read (posted from its thread)."""

    def __init__(self, view: BoardView) -> None:
        super().__init__()
        self.view = view


class PassesReady(Message):
    """A view's passes, read after every view's rows (posted from the worker's thread)."""

    def __init__(self, generation: int, scope: str, metric: str, passes: list[Overtake]) -> None:
        super().__init__()
        self.generation, self.scope, self.metric, self.passes = generation, scope, metric, passes


class BoardCache:
    """The views of the generation in force (the UI thread's: filled by messages from the worker)."""

    def __init__(self) -> None:
        self.generation = -1
        self._views: dict[tuple[str, str], BoardView] = {}

    def moved_to(self, generation: int) -> None:
        """The data changed: every view read before is stale."""
        if generation != self.generation:
            self.generation = generation
            self._views.clear()

    def add(self, view: BoardView) -> None:
        if view.generation == self.generation:
            self._views[(view.scope, view.metric)] = view

    def add_passes(self, message: PassesReady) -> None:
        view = self._views.get((message.scope, message.metric))
        if view is not None and message.generation == self.generation == view.generation:
            self._views[(message.scope, message.metric)] = replace(view, passes=message.passes)

    def get(self, scope: str, metric: str) -> BoardView | None:
        return self._views.get((scope, metric))

    def has_all(self, order: BoardOrder) -> bool:
        """Whether the views cover `order` (its combinations, formatted for its width and watch list)."""
        if order.generation != self.generation:
            return False
        for scope, metric in order.combos:
            view = self._views.get((scope, metric))
            if view is None:
                return False
            made = view.rows.made_for
            if (made.wide, made.watched) != (order.wide, order.watched):
                return False
            if order.line_styles is not None and view.rows.laid.styled_for != order.line_styles:
                return False  # its lines would be styled on the UI thread, at the key
            drawn = order.country_styles.lines if order.country_styles is not None else None
            if drawn is not None and (view.country_rows is None or view.country_rows.styled_for != drawn):
                return False
        return True


class SideReader:
    """A reader of the store on its own connection and rollup cache, for the worker: one thread at a time
    uses it (a worker cancelled late may still be inside when the next begins), and once closed with the
    session, none."""

    def __init__(self, open_reader: Callable[[], Reader]) -> None:
        self._open = open_reader
        self._reader: Reader | None = None
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def use(self) -> Iterator[Reader | None]:
        """The reader, or None once closed."""
        with self._lock:
            if self._closed:
                yield None
                return
            if self._reader is None:
                self._reader = self._open()
            yield self._reader

    def close(self, timeout_s: float = 10.0) -> None:
        got = self._lock.acquire(timeout=timeout_s)
        try:
            self._closed = True
            if self._reader is not None and got:
                self._reader.store.close()
        finally:
            if got:
                self._lock.release()


def read_view(
    reader: Reader, order: BoardOrder, scope: str, metric: str, console: Console, pace: Callable[[], None]
) -> BoardView:
    """One combination's view but its passes, as the app's own reload and the dashboard would read and
    format it. `pace` between its steps (a key being answered meanwhile goes first)."""
    _stand(reader, order)
    board = reader.leaderboard(scope, metric)
    pace()
    countries = reader.countries(scope, metric, board)
    made_for = RowsMadeFor(order.wide, metric, order.watched, order.now)
    pace()
    rows = prepare_rows(board, made_for, console, order.line_styles, pace)
    drawn = order.country_styles
    # Imported here, in the worker: the country panel comes with the dashboard's second frame.
    from hfwatch.tui.widgets.country_panel import prepare_country_rows

    country_rows = None if drawn is None else prepare_country_rows(countries, drawn.palette, console, drawn.lines, pace)
    return BoardView(order.generation, scope, metric, order.now, board, countries, rows, country_rows)


def read_passes(reader: Reader, order: BoardOrder, scope: str, metric: str) -> PassesReady:
    _stand(reader, order)
    return PassesReady(order.generation, scope, metric, reader.race(scope, metric, PASS_ALERT_WINDOW_S, []).passes)


def _stand(reader: Reader, order: BoardOrder) -> None:
    """Read as the order says: its registry, at its time."""
    reader.registry = order.registry
    reader.stand_at(order.now)
