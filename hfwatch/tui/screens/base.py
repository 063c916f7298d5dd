"""What every monitor screen shares: the status line and footer, and re-reading the store when
the data changed (only while it is the screen on show; a covered screen catches up on resume)."""

from __future__ import annotations

import asyncio

from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input

from hfwatch.tui.messages import FilterChanged, FilterClosed, PanelsDrawn
from hfwatch.tui.view import MonitorView
from hfwatch.tui.widgets.status_bar import StatusBar


class MonitorScreen(Screen[None]):
    """A screen reads the monitor through `monitor` (attributes down) and asks it for anything else by
    message (up): it never imports the app, nor another screen."""

    # Below 120 columns a screen has the class -narrow: its side panels fold away (app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 (Textual's declaration)

    # Keys that move between families must work whichever table has focus, but never while the
    # user is typing a filter (there ←/→ move the text cursor).
    KEYS_ALSO_TYPED = frozenset({"move_family"})

    def __init__(self, monitor: MonitorView) -> None:
        super().__init__()
        self.monitor = monitor
        # The breakpoint class the first resize event would give: set before the widgets are styled,
        # so that event changes nothing, where it would restyle every widget after the first frame.
        width = self.app.size.width
        self.add_class(max((at, name) for at, name in self.HORIZONTAL_BREAKPOINTS if width >= at)[1])
        self._seen_version = -1
        self._ready = False
        self.complete = False
        """Whether everything the screen shows is up, the widgets mounted after its first frame included."""

    def status_bar(self) -> StatusBar:
        return StatusBar(self.monitor.status_facts)

    def on_mount(self) -> None:
        # Filled before the first layout, so the first frame has the data: our tables keep their rows'
        # strips per width, so a fill at mount costs no redraw (DataTable's did, which is why this once
        # waited for the first frame and paid a second full layout and render for it).
        self._ready = True
        self.sync()
        # The key hints come after the first frame with data: composing them (a widget per key) took
        # a good share of the monitor's start, and they are no use before there is something to act on.
        # So do a screen's secondary panels (`second_frame_widgets`).
        self.app.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        # Queued, not done here: the callbacks due after a frame run one after another, so mounting and
        # filling the panels in one would hold back every later one (a first frame's watchers included).
        self.call_next(self._second_frame)

    async def _second_frame(self) -> None:
        # One turn of the event loop first: the callbacks due after the first frame (an awaiter of that
        # frame among them) run before the mounts below hold the loop for a few ms.
        await asyncio.sleep(0)
        if not self.is_attached or self.query(Footer):
            self.complete = self.is_attached
            return
        later = self.second_frame_widgets()
        mounts = [parent.mount(widget) for parent, widget in later]
        mounts.append(self.mount(Footer()))
        for mounted in mounts:
            await mounted
        self.refresh_bindings()  # a footer shows keys once told the bindings changed
        if later:
            self.sync(force=True)  # filled before their first layout, as the first widgets were
            self.app.call_after_refresh(lambda: self.post_message(PanelsDrawn()))
        self.complete = True

    def second_frame_widgets(self) -> list[tuple[Widget, Widget]]:
        """(parent, widget) pairs mounted with the footer, after the first frame: what a screen can show
        a moment later so that its first frame, with the data the user came for, is drawn sooner."""
        return []

    def on_screen_resume(self) -> None:
        self.sync()

    def sync(self, *, force: bool = False) -> None:
        """Re-read the store if the data (or scope, metric, watch list) changed since last time."""
        if not self._ready or not self.is_current or not self.monitor.data_version:
            return  # not mounted yet, or the app has not read the store yet (its first read syncs)
        version = self.monitor.data_version
        if force or version != self._seen_version:
            try:
                self.reload()
            except NoMatches:
                # Keys typed fast can pop a screen while its resume is still queued, or resume it
                # before its widgets are up: nothing to show yet, and the next sync catches up.
                return
            self._seen_version = version

    def reload(self) -> None:
        """Read what this screen shows; subclasses update their widgets in place."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.KEYS_ALSO_TYPED and isinstance(self.app.focused, Input))


class ListScreen(MonitorScreen):
    """A screen built around one table that `/` filters (live, as typed) and `s` may cycle through
    sort orders."""

    def __init__(self, monitor: MonitorView, *, filter_text: str = "") -> None:
        super().__init__(monitor)
        self.sort_index = 0
        self.filter_text = filter_text

    def sort_count(self) -> int:
        """How many sort orders `s` cycles through."""
        return 1

    def main_table(self) -> Widget:
        """The table the filter applies to, focused again when the filter closes."""
        raise NotImplementedError

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % self.sort_count()
        self.sync(force=True)

    def action_filter(self) -> None:
        from hfwatch.tui.widgets.filter_bar import FilterBar  # mounted with a screen's second frame

        for bar in self.query(FilterBar):  # none yet in the moment before a screen's second frame
            bar.open()

    def on_filter_changed(self, message: FilterChanged) -> None:
        self.filter_text = message.value
        self.sync(force=True)

    def on_filter_closed(self, message: FilterClosed) -> None:
        self.main_table().focus()
