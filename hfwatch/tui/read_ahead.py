"""The monitor's half that reads every scope and metric ahead (hfwatch.tui.boards) in a thread worker
after each change of the data, so that m and d only swap views in; `HfWatchApp` says when."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from rich.console import Console
from textual import work
from textual.worker import get_current_worker

from hfwatch.pacing import no_checkpoint
from hfwatch.records import Metric, Scope
from hfwatch.registry import Registry
from hfwatch.tui.boards import (
    PASS_ALERT_WINDOW_S,
    BoardCache,
    BoardOrder,
    BoardReady,
    BoardView,
    CountryStyles,
    PassesReady,
    SideReader,
    read_passes,
    read_view,
)
from hfwatch.tui.deep_polling import DeepLaneApp
from hfwatch.tui.messages import PanelsDrawn
from hfwatch.tui.session import Session
from hfwatch.tui.widgets.leaderboard import Leaderboard

if TYPE_CHECKING:
    from hfwatch.analysis.overtakes import Overtake  # only typed: the race is read after the first frame
    from hfwatch.tui.widgets.country_panel import CountryTable  # with the dashboard's second frame

METRICS = (Metric.DOWNLOADS_30D.value, Metric.DOWNLOADS_ALL_TIME.value, Metric.RATE.value)
SCOPES = (Scope.ECOSYSTEM.value, Scope.FIRST_PARTY.value)


def likeliest(scope: str, metric: str) -> list[tuple[str, str]]:
    """Every combination, the ones m and d lead to first, the one on show last."""
    shown = (scope, metric)
    nxt = [(scope, METRICS[(METRICS.index(metric) + 1) % len(METRICS)])]
    nxt.append((SCOPES[(SCOPES.index(scope) + 1) % len(SCOPES)], metric))
    rest = [(sc, m) for sc in SCOPES for m in METRICS if (sc, m) not in (*nxt, shown)]
    return [*nxt, *rest, shown]


class ReadAheadApp(DeepLaneApp):
    def __init__(
        self, session: Session, *, monotonic: Callable[[], float] = time.monotonic, autostart: bool = True
    ) -> None:
        super().__init__(session, monotonic=monotonic, autostart=autostart)
        self.data_generation = 0  # moves when the store's data changed (a poll), not on m, d or w
        self.boards = BoardCache()
        self.board_view: BoardView | None = None  # the worker's view behind `board`, when it had one
        self._side_reader = SideReader(session.reader.twin)
        session.on_close(self._side_reader.close)
        self._asked_ahead: tuple[object, ...] = ()
        self._last_ask: tuple[str, str, set[str], Registry] | None = None
        self._board_wide = True

    def data_moved(self) -> None:
        """The store may hold new data: every view read before is stale."""
        self.data_generation += 1
        self.boards.moved_to(self.data_generation)

    def read_ahead(self, scope: str, metric: str, watched: set[str], registry: Registry) -> None:
        """Have the worker read what m and d would show, unless it has (or is on it). Not while the demo
        back-fills its history: a poll every few hundred ms would outdate each read before it is used."""
        self._last_ask = (scope, metric, watched, registry)
        closing = self.session.feeder is not None and self.session.feeder.cancel.is_set()
        if not self.screen_stack or closing or self._warming is not None:
            return
        board = next(iter(self.screen.query(Leaderboard)), None)
        wide = board.made_for().wide if board is not None else self._board_wide
        self._board_wide = wide
        now = self.session.reader.now()
        styles = board.line_styles() if board is not None else None
        # By its type's name: the module comes with the dashboard's second frame, after this first look.
        table = cast("CountryTable | None", next(iter(self.screen.query("CountryTable")), None))
        drawn = CountryStyles(table.palette(), table.line_styles()) if table is not None else None
        combos = likeliest(scope, metric)
        order = BoardOrder(self.data_generation, now, combos, wide, frozenset(watched), registry, styles, drawn)
        # The styles too: read before the country panel was drawn, its rows were not made ahead.
        asked = (order.generation, order.wide, order.watched, order.registry, styles, drawn)
        if asked == self._asked_ahead or self.boards.has_all(order):
            return
        self._asked_ahead = asked
        self._fill_boards(order, self.console)

    @work(thread=True, exclusive=True, group="boards", exit_on_error=False, description="boards read ahead")
    def _fill_boards(self, order: BoardOrder, console: Console) -> None:
        worker = get_current_worker()
        feeder = self.session.feeder
        pace = feeder.give_way.checkpoint if feeder is not None else no_checkpoint  # a key answered goes first
        with self._side_reader.use() as reader:
            for scope, metric in order.combos:
                pace()
                if reader is None or worker.is_cancelled:
                    return
                self.post_message(BoardReady(read_view(reader, order, scope, metric, console, pace)))
            # The passes only feed the watch list's alerts, after a redraw: every combination's rows first.
            for scope, metric in order.combos:
                pace()
                if reader is None or worker.is_cancelled:
                    return
                self.post_message(read_passes(reader, order, scope, metric))

    def on_panels_drawn(self, _message: PanelsDrawn) -> None:
        if self._last_ask is not None:
            self.read_ahead(*self._last_ask)  # the same ask, now in the styles of every table on show

    def on_board_ready(self, message: BoardReady) -> None:
        self.boards.add(message.view)

    def on_passes_ready(self, message: PassesReady) -> None:
        self.boards.add_passes(message)
        self._alert_passes()

    def _alert_passes(self) -> None:
        """Hook (HfWatchApp): look at the passes of the scope and metric on show, for the watch list."""

    def passes_read(self, scope: str, metric: str) -> list[Overtake] | None:
        """The passes of a view read ahead; None while the worker is still on them (it posts them, and the
        app looks again then); read here when no worker will."""
        view = self.boards.get(scope, metric)
        if view is not None and view.passes is not None:
            return view.passes
        if view is not None or (self._asked_ahead and self._asked_ahead[0] == self.data_generation):
            return None
        return self.session.reader.race(scope, metric, PASS_ALERT_WINDOW_S, []).passes
