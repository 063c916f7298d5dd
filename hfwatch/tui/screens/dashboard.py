"""The dashboard: family leaderboard (with, on `h`, an untracked row against the whole Hub walked, and the
deep walk's progress and coverage), country panel, trending & new-releases feed, status line."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget

from hfwatch.analysis.wholehub import whole_hub, with_shares
from hfwatch.tui import format as fmt
from hfwatch.tui.deep_state import coverage_note
from hfwatch.tui.messages import OpenOnHub, ToggleWatch, WholeHubShown
from hfwatch.tui.screens.base import ListScreen
from hfwatch.tui.view import MonitorView
from hfwatch.tui.widgets.deep_bar import DeepBar
from hfwatch.tui.widgets.leaderboard import SORTS, Leaderboard, matches
from hfwatch.tui.widgets.titled_box import TitledBox

if TYPE_CHECKING:
    # Their modules are imported with the second frame, which mounts them.
    from hfwatch.tui.widgets.country_panel import CountryPanel
    from hfwatch.tui.widgets.feed import Feed

FEED_ROWS = 60


class DashboardScreen(ListScreen):
    AUTO_FOCUS = "Leaderboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left,left_square_bracket", "move_family(-1)", "prev", id="prev_family", key_display="←", priority=True
        ),
        Binding(
            "right,right_square_bracket", "move_family(1)", "next", id="next_family", key_display="→", priority=True
        ),
        Binding("slash", "filter", "filter", id="filter"),
        Binding("s", "sort", "sort", id="sort"),
        Binding("w", "watch", "watch", id="watch"),
        Binding("o", "open_hub", "hub", id="open_hub", show=False),
        Binding("u", "app.toggle_untracked", "untracked", id="untracked", show=False),
        Binding("h", "whole_hub", "whole Hub", id="whole_hub", show=False),
    ]

    def __init__(self, monitor: MonitorView) -> None:
        super().__init__(monitor)
        self.show_whole_hub = False  # the untracked row, and shares of the whole Hub walked
        self._data_shown: tuple[object, ...] = ()  # what the feed and release shares were read for
        self._walks: tuple[int, str] = (-1, "")  # the deep walks' coverage note, and the data it was read from
        self._panels: tuple[CountryPanel, Feed] | None = None  # made with the second frame

    def compose(self) -> ComposeResult:
        yield self.status_bar()
        with Horizontal(id="body"):
            with TitledBox(id="families-box", classes="box"):
                yield Leaderboard(id="leaderboard")
                yield DeepBar(self.monitor.deep_line, id="deep-bar")
            with Vertical(id="side"):
                # Their boxes (titles, borders) are in the first frame; the panels come with the second.
                yield TitledBox(id="countries-box", classes="box")
                yield TitledBox(id="feed-box", classes="box")

    def second_frame_widgets(self) -> list[tuple[Widget, Widget]]:
        from hfwatch.tui.widgets.country_panel import CountryPanel
        from hfwatch.tui.widgets.feed import Feed
        from hfwatch.tui.widgets.filter_bar import FilterBar

        panel, feed = self._panels = CountryPanel(), Feed(self.monitor.registry, id="feed")
        return [
            (self.query_one("#countries-box"), panel),
            (self.query_one("#feed-box"), feed),
            # Hidden until `/`: no use in the first frame, and an input is among the costlier widgets to mount.
            (self, FilterBar("filter families: name, id, country or region (enter keeps it, esc clears)")),
        ]

    @property
    def leaderboard(self) -> Leaderboard:
        return self.query_one(Leaderboard)

    def reload(self) -> None:
        app = self.monitor
        reader = app.reader
        now = reader.now()
        view = app.board_view  # read ahead: its rows laid out already, its countries summed
        sort = SORTS[self.sort_index]
        rows = sorted((r for r in app.board if matches(r, self.filter_text)), key=sort.value)
        untracked = None
        if self.show_whole_hub:
            whole, untracked = whole_hub(app.board, app.untracked, scope=app.scope, metric=app.metric)
            rows = with_shares(rows, whole)
        self.leaderboard.present(
            rows,
            metric=app.metric,
            watched=app.watched,
            now=view.now if view else now,
            untracked=untracked,
            prepared=view.rows if view and not self.show_whole_hub else None,  # shares of the whole Hub differ
        )
        self._follow_selection()
        self._titles(len(rows))
        self.query_one(DeepBar).sync()
        if self._panels is None:
            return  # not mounted yet: they are filled when they are
        panel, feed = self._panels
        if view is not None:
            panel.present(view.countries, view.country_rows)
        else:
            panel.present(reader.countries(app.scope, app.metric, app.board))
        # The release shares and the feed depend on the data only, not on the scope or metric: m and d
        # leave them (and their repaint) alone.
        shown = (app.data_generation, app.show_untracked, app.registry)
        if shown != self._data_shown:
            self._data_shown = shown
            panel.show_releases(*reader.release_shares())
            feed.present(reader.feed(limit=FEED_ROWS, every_untracked=app.show_untracked), now, app.registry)

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self._follow_selection()

    def _follow_selection(self) -> None:
        """Put the cursor on the family selected elsewhere (←/→ in a family screen)."""
        family = self.monitor.selected_family
        if self.is_current and family and self.leaderboard.cursor_key != family:
            self.leaderboard.move_to_key(family)

    def _titles(self, shown: int) -> None:
        app = self.monitor
        what = fmt.label(app.scope, app.metric)
        if self._walks[0] != app.data_generation:  # a deep walk's progress moves the generation too
            self._walks = (app.data_generation, coverage_note(*app.reader.deep_walks()))
        notes = [f"sorted by {SORTS[self.sort_index].label}", self._walks[1]]
        if not any(r.models for r in app.board):
            notes.insert(0, "no data yet: waiting for the first poll")
        if self.filter_text:
            notes.append(f"filter “{self.filter_text}”: {shown} of {len(app.board)}")
        self._title("families-box", f"Families · {what}", " · ".join(notes))
        self._title("countries-box", f"Countries · {what}")
        self._title("feed-box", "Trending & new releases")

    def _title(self, box_id: str, title: str, subtitle: str | None = None) -> None:
        self.query_one(f"#{box_id}", TitledBox).retitle(title, subtitle)

    def action_move_family(self, step: int) -> None:
        board = self.leaderboard
        families = board.row_count - (1 if self.show_whole_hub else 0)  # the untracked row is no family
        if families > 0:
            board.move_cursor(row=max(0, min(families - 1, board.cursor_row + step)))

    def action_whole_hub(self) -> None:
        self.show_whole_hub = not self.show_whole_hub
        self.post_message(WholeHubShown(self.show_whole_hub))
        self.sync(force=True)

    def sort_count(self) -> int:
        return len(SORTS)

    def main_table(self) -> Widget:
        return self.leaderboard

    def action_watch(self) -> None:
        if self.monitor.selected_family:
            self.post_message(ToggleWatch(self.monitor.selected_family))

    def action_open_hub(self) -> None:
        if self.monitor.selected_family:
            self.post_message(OpenOnHub(family=self.monitor.selected_family))
