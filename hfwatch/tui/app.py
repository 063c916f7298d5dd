"""The hfwatch monitor: its screens, and the view state every screen reads (scope, metric, the
leaderboard's family order, the selected and watched families). Polling is `PollingApp`'s, the deep
lane `DeepLaneApp`'s, reading every scope and metric ahead `ReadAheadApp`'s.

The app is the one place that knows every screen: it opens them (passing itself as their `MonitorView`)
and handles what they ask for by message, so no screen imports the app or another screen."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote

from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer

from hfwatch.analysis.views import FamilyRow
from hfwatch.gcpause import end_start_pause
from hfwatch.records import Metric, Scope
from hfwatch.registry import Registry, RegistryError
from hfwatch.tui import format as fmt
from hfwatch.tui import keys, priority
from hfwatch.tui.alerts import AlertBatcher, PassAlerts, pass_alert
from hfwatch.tui.messages import (
    AddOrg,
    FamilyHighlighted,
    OpenCountry,
    OpenFamily,
    OpenModel,
    OpenOnHub,
    OpenReleases,
    ToggleWatch,
)
from hfwatch.tui.read_ahead import METRICS, SCOPES, ReadAheadApp
from hfwatch.tui.reader import Reader
from hfwatch.tui.screens.base import MonitorScreen
from hfwatch.tui.screens.dashboard import DashboardScreen
from hfwatch.tui.session import Session
from hfwatch.tui.state import UiState
from hfwatch.tui.widgets.status_bar import StatusBar, StatusFacts

if TYPE_CHECKING:
    from textual.command import Provider

    from hfwatch.tui.screens.add_org import OrgChoice

# Every screen but the dashboard is imported when first opened: the monitor's start imports only what its
# first frame draws (the screens, their charts and the command palette cost a good share of the start).


def _monitor_commands() -> type[Provider]:
    from hfwatch.tui.commands import MonitorCommands

    return MonitorCommands


FIRST_PASS_LOOK_S = 1.0


class HfWatchApp(ReadAheadApp):
    CSS_PATH = "app.tcss"
    TITLE = "hfwatch"
    COMMANDS = App.COMMANDS | {_monitor_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "quit", id="quit"),
        Binding("question_mark", "help", "help", id="help"),
        Binding("ctrl+p", "command_palette", "palette", id="command_palette", show=False, priority=True),
        Binding("m", "cycle_metric", "metric", id="metric"),
        Binding("d", "toggle_scope", "scope", id="scope"),
        Binding("r", "poll_now", "poll", id="poll_now"),
        Binding("p", "toggle_pause", "pause", id="pause"),
        Binding(
            "plus,equals_sign", "scale_interval(2.0)", "poll less often", id="interval_up", key_display="+", show=False
        ),
        Binding("minus", "scale_interval(0.5)", "poll more often", id="interval_down", key_display="-", show=False),
        Binding("c", "countries", "countries", id="countries"),
        Binding("n", "releases", "releases", id="releases"),
        Binding("g", "race", "race", id="race"),
        Binding("D", "deep_walk", "deep walk now / stop", id="deep_walk", show=False),
    ]

    scope: var[str] = var(Scope.ECOSYSTEM.value, init=False)
    metric: var[str] = var(Metric.DOWNLOADS_30D.value, init=False)

    def __init__(
        self, session: Session, *, monotonic: Callable[[], float] = time.monotonic, autostart: bool = True
    ) -> None:
        super().__init__(session, monotonic=monotonic, autostart=autostart)
        self.data_version = 0
        self.board: list[FamilyRow] = []
        self.selected_family: str | None = None
        self.state = UiState.load(session.state_path)
        self.watched: set[str] = set(session.config.watched) | self.state.watched
        self.alerts = AlertBatcher(clock=monotonic)
        self.pass_alerts = PassAlerts()
        self._passes_read_at: dict[tuple[str, str], int] = {}  # (scope, metric) -> the newest poll read then
        # u: untracked models' new releases too (thousands a day on the real Hub); their trending entries always show.
        self.show_untracked = False
        self._alert_timer: Timer | None = None
        self.keymap_in_force: dict[str, str] = {}
        self.set_reactive(HfWatchApp.scope, session.config.scope)
        self.set_reactive(HfWatchApp.metric, session.config.metric)

    # -- start ----------------------------------------------------------------------------------

    @classmethod
    def binding_sections(cls) -> keys.Sections:
        from hfwatch.tui.bindings_index import binding_sections

        return binding_sections(cls.BINDINGS)

    def get_default_screen(self) -> Screen:
        return DashboardScreen(self)

    def on_mount(self) -> None:
        self.keymap_in_force = keys.apply(self, self.session.config)
        # Bars, regions and chart lines take their colours from the theme: redrawn when it changes.
        self.theme_changed_signal.subscribe(self, lambda _theme: self.reload() if self.data_version else None)
        # The first read of the store before the first layout, so the first frame shows data; polls start
        # once it is drawn.
        self.reload()
        self.call_after_refresh(self._first_frame_drawn)

    def _first_frame_drawn(self) -> None:
        end_start_pause()
        priority.favour_ui_thread()
        self.start_polling()
        if self.keymap_in_force:
            # Listing every binding imports every screen: a few hundred ms of the UI thread, only worth it
            # when there are remapped ids to check.
            self.call_after_refresh(lambda: keys.warn_unknown(self, self.keymap_in_force, self.binding_sections()))

    # -- data (what a screen reads: `MonitorView`) ----------------------------------------------

    @property
    def reader(self) -> Reader:
        return self.session.reader

    @property
    def registry(self) -> Registry:
        return self.session.registry

    @property
    def paused(self) -> bool:
        return self.schedule.paused

    def reload(self, *, data_changed: bool = True) -> None:
        """Re-read the leaderboard (every screen's family order) and let the screen on show catch up.
        `data_changed`: the store may hold new data (False: only the scope, metric or watch list moved;
        the views the worker read ahead for this data then serve, when it has read them)."""
        self.polls_give_way()
        if data_changed:
            self.data_moved()
        reader = self.session.reader
        self.board_view = self.boards.get(self.scope, self.metric)
        self.board = self.board_view.board if self.board_view else reader.leaderboard(self.scope, self.metric)
        if self.selected_family is None and self.board:
            self.selected_family = self.board[0].family
        if data_changed:
            self.note_file_state()
        # The worker asked first: the race's passes are among what it reads ahead.
        self.call_after_refresh(lambda: self.read_ahead(self.scope, self.metric, self.watched, self.registry))
        if self.data_version:
            # After the redraw: a key's new figures are shown before the race is re-read for news.
            self.call_after_refresh(self._alert_passes)
        else:
            # The first look only notes the passes already in the history (they are not news): it can
            # wait until the first frame has long been drawn.
            self.set_timer(FIRST_PASS_LOOK_S, self._alert_passes)
        self.data_version += 1
        if self.screen_stack and isinstance(self.screen, MonitorScreen):  # none left while shutting down
            self.screen.sync()
        self.refresh_status()

    def refresh_status(self) -> None:
        """Repaint the status line now (it also repaints itself every second, for the clocks)."""
        if not self.screen_stack:
            # A poll's progress message can arrive while the app shuts down: `self.screen` would raise
            # ScreenStackError with no screen left, and there is no status line to repaint anyway.
            return
        for bar in self.screen.query(StatusBar):
            bar.refresh()

    def watch_scope(self) -> None:
        self.reload(data_changed=False)

    def watch_metric(self) -> None:
        self.reload(data_changed=False)

    def family_name(self, family: str) -> str:
        return self.registry.get(family).name if family in self.registry else family

    def family_order(self) -> list[str]:
        return [row.family for row in self.board]

    def neighbour_family(self, family: str, step: int) -> str | None:
        order = self.family_order()
        if family not in order:
            return order[0] if order else None
        return order[(order.index(family) + step) % len(order)]

    # -- alerts: toasts for watched families, a burst at a time ---------------------------------

    def on_new_events(self, pid: int) -> None:
        self.alerts.add(self.session.reader.events_of_poll(pid), self.watched)
        self._show_alert()

    def _show_alert(self) -> None:
        alert = self.alerts.due(self.family_name)
        if alert is not None:
            self.notify(alert.body, title=alert.title, markup=False, timeout=8)
        if self.alerts.pending and self._alert_timer is None:

            def later() -> None:
                self._alert_timer = None
                self._show_alert()

            self._alert_timer = self.set_timer(max(0.5, self.alerts.wait_s()), later)

    def _alert_passes(self) -> None:
        """A toast for each pass that involves a watched family, once (those in the history at the first
        look at a scope and metric are not news). Only new polls bring passes: read again only after one."""
        looked = (self.scope, self.metric)
        if self._passes_read_at.get(looked) == self._last_pid:
            return
        passes = self.passes_read(*looked)
        if passes is None:
            return  # the worker posts them: this looks again then
        self._passes_read_at[looked] = self._last_pid
        fresh = self.pass_alerts.new(self.scope, self.metric, passes, self.watched)
        if fresh:
            alert = pass_alert(fresh, fmt.label(self.scope, self.metric), self.family_name)
            self.notify(alert.body, title=alert.title, markup=False, timeout=8)

    # -- status ---------------------------------------------------------------------------------

    def status_facts(self) -> StatusFacts:
        return self.status(self.scope, self.metric)

    # -- actions --------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        self.quit_monitor(0)

    def action_help(self) -> None:
        from hfwatch.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.binding_sections(), self.keymap_in_force))

    def action_cycle_metric(self) -> None:
        self.metric = METRICS[(METRICS.index(self.metric) + 1) % len(METRICS)]

    def action_toggle_scope(self) -> None:
        self.scope = SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)]

    def action_set_metric(self, metric: str) -> None:
        self.metric = metric

    def action_set_scope(self, scope: str) -> None:
        self.scope = scope

    def action_countries(self) -> None:
        from hfwatch.tui.screens.countries import CountriesScreen

        self._show(CountriesScreen(self))

    def action_releases(self) -> None:
        from hfwatch.tui.screens.releases import ReleasesScreen

        self._show(ReleasesScreen(self))

    def action_race(self) -> None:
        from hfwatch.tui.screens.race import RaceScreen

        self._show(RaceScreen(self))

    def action_toggle_untracked(self) -> None:
        self.show_untracked = not self.show_untracked
        self.notify(
            "The feed shows every untracked release too."
            if self.show_untracked
            else "The feed shows untracked models only when trending.",
            markup=False,
            timeout=3,
        )
        self.reload()

    def _show(self, screen: Screen) -> None:
        """Open a screen, replacing one of the same kind rather than stacking copies of it."""
        if type(self.screen) is type(screen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    # -- what screens and widgets ask for ---------------------------------------------------------

    def on_family_highlighted(self, message: FamilyHighlighted) -> None:
        self.selected_family = message.family

    def on_toggle_watch(self, message: ToggleWatch) -> None:
        self.toggle_watch(message.family)

    def toggle_watch(self, family: str) -> None:
        name = self.family_name(family)
        if family in self.watched:
            self.watched.discard(family)
            self.state.watched.discard(family)
            note = f"No longer watching {name}."
        else:
            self.watched.add(family)
            self.state.watched.add(family)
            note = f"Watching {name}: a toast for its new releases and trending entries."
        if not self.state.save(self.session.state_path):
            note += " (could not save the watch list)"
        self.notify(note, markup=False)
        self.reload(data_changed=False)

    def on_open_on_hub(self, message: OpenOnHub) -> None:
        if message.model_id is not None:
            # The id is Hub data: quoted, so it can only ever name a path under the endpoint.
            self._open_url(f"{self.session.hub_url()}/{quote(message.model_id, safe='/')}")
        elif message.family is not None and message.family in self.registry:
            orgs = [o.name for o in self.registry.get(message.family).orgs if not o.legacy]
            if orgs:
                self._open_url(f"{self.session.hub_url()}/{orgs[0]}")

    def _open_url(self, url: str) -> None:
        self.open_url(url)
        self.notify(url, title="Opening in the browser", markup=False, timeout=4)

    def on_open_family(self, message: OpenFamily) -> None:
        self.open_family(message.family)

    def open_family(self, family: str) -> None:
        if family not in self.registry:
            return
        from hfwatch.tui.screens.family import FamilyScreen

        self.selected_family = family
        if isinstance(self.screen, FamilyScreen):
            self.screen.family = family
        else:
            self.push_screen(FamilyScreen(self, family))

    def on_open_model(self, message: OpenModel) -> None:
        if self.reader.model(message.model_id) is None:
            self.notify("That model is not in the history file.", severity="warning")
            return
        from hfwatch.tui.screens.model import ModelScreen

        self._show(ModelScreen(self, message.model_id))

    def on_open_country(self, message: OpenCountry) -> None:
        from hfwatch.tui.screens.countries import CountriesScreen

        self._show(CountriesScreen(self, country=message.country))

    def on_open_releases(self, message: OpenReleases) -> None:
        from hfwatch.tui.screens.releases import ReleasesScreen

        self._show(ReleasesScreen(self, filter_text=message.filter_text))

    # -- tracking a newcomer: the user's families.toml -------------------------------------------

    def on_add_org(self, message: AddOrg) -> None:
        families = [(f.id, f.name) for f in sorted(self.registry.families, key=lambda f: f.name.lower())]
        target = self.session.config.registry_path()
        from hfwatch.tui.screens.add_org import AddOrgScreen

        self.push_screen(AddOrgScreen(message.org, families, str(target), self.add_org))

    def add_org(self, choice: OrgChoice) -> str | None:
        """Write the choice into the user registry file (validated whole first) and put the new registry in
        force; the models already stored are re-attributed as the next polls list them. Returns the
        one-line reason when the file was left as it was."""
        from hfwatch.tui.screens.add_org import write_choice

        path = self.session.config.registry_path()
        try:
            registry, family = write_choice(path, choice)
        except RegistryError as err:
            return str(err)
        self.session.registry = registry
        self.session.reader.registry = registry
        if self.session.feeder is not None and hasattr(self.session.feeder, "poller"):
            self.session.feeder.poller.registry = registry  # read by the next poll's plan and attribution
        self.notify(
            f"{choice.org} now counts for {self.family_name(family)} ({path}); its models are "
            "attributed as the next polls list them.",
            title="Registry updated",
            markup=False,
            timeout=8,
        )
        self.reload()
        return None
