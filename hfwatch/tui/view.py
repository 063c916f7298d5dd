"""What a screen may read of the monitor: the app is one, and passes itself to every screen it opens.

Screens and widgets depend on this Protocol, never on the app: data comes down through it, requests go
up as messages (`hfwatch.tui.messages`) that the app handles.
"""

from __future__ import annotations

from typing import Protocol

from hfwatch.analysis.views import FamilyRow
from hfwatch.registry import Registry
from hfwatch.store.wholehub import Untracked
from hfwatch.tui.boards import BoardView
from hfwatch.tui.deep_state import DeepLine
from hfwatch.tui.reader import Reader
from hfwatch.tui.widgets.status_bar import StatusFacts


class MonitorView(Protocol):
    @property
    def reader(self) -> Reader: ...

    @property
    def registry(self) -> Registry: ...

    @property
    def scope(self) -> str: ...

    @property
    def metric(self) -> str: ...

    @property
    def board(self) -> list[FamilyRow]:
        """The leaderboard in force: every screen's family order."""

    @property
    def board_view(self) -> BoardView | None:
        """The view read ahead that `board` comes from (its country rows and laid-out rows), if any."""

    @property
    def watched(self) -> set[str]: ...

    @property
    def selected_family(self) -> str | None: ...

    @property
    def data_version(self) -> int:
        """Bumped whenever the store, scope, metric or watch list changed."""

    @property
    def data_generation(self) -> int:
        """Bumped whenever the store's data may have changed (a poll), not when only the view did."""

    @property
    def paused(self) -> bool: ...

    @property
    def show_untracked(self) -> bool:
        """The feed shows models no family claims too."""

    def status_facts(self) -> StatusFacts: ...

    def neighbour_family(self, family: str, step: int) -> str | None: ...

    @property
    def untracked(self) -> Untracked | None:
        """The stored models no family claims, as last counted (None: unknown, no deep walk yet)."""

    def deep_line(self) -> DeepLine | None:
        """The deep walk's progress line (None: no walk under way, nothing to say)."""
