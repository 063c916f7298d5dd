"""The command palette (ctrl+p): the monitor's main actions, and every family to open or watch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from hfwatch.tui.format import METRIC_LABELS, SCOPE_LABELS

if TYPE_CHECKING:
    from hfwatch.tui.app import HfWatchApp

Command = tuple[str, str, Callable[[], object]]


class MonitorCommands(Provider):
    @property
    def monitor(self) -> HfWatchApp:
        return cast("HfWatchApp", self.app)

    def commands(self) -> Iterator[Command]:
        app = self.monitor
        paused = app.schedule.paused
        yield ("Poll now", "poll both lanes of the Hub now (r)", app.action_poll_now)
        yield ("Resume polling" if paused else "Pause polling", "stop or restart the poll timers (p)",
               app.action_toggle_pause)
        for metric, label in METRIC_LABELS.items():
            yield (f"Metric: {label}", "rank and chart by this metric (m cycles)",
                   partial(setattr, app, "metric", metric))
        for scope, label in SCOPE_LABELS.items():
            yield (f"Scope: {label}", "count only the family's own orgs, or derivatives too (d toggles)",
                   partial(setattr, app, "scope", scope))
        yield ("Countries", "the leaderboard by country of origin (c)", app.action_countries)
        yield ("Releases", "new releases and trending entries, full height (n)", app.action_releases)
        yield ("Poll less often", "double both poll intervals (+)", partial(app.action_scale_interval, 2.0))
        yield ("Poll more often", "halve both poll intervals (-)", partial(app.action_scale_interval, 0.5))
        yield ("Keys", "every key and its binding id (?)", app.action_help)
        for fam in app.session.registry.families:
            yield (f"Open family: {fam.name}", f"{fam.developer} · {fam.country}",
                   partial(app.open_family, fam.id))
        for fam in app.session.registry.families:
            verb = "Unwatch" if fam.id in app.watched else "Watch"
            yield (f"{verb} family: {fam.name}", "toasts for its new releases and trending entries (w)",
                   partial(app.toggle_watch, fam.id))

    async def discover(self) -> Hits:
        for name, help_text, callback in self.commands():
            if name.startswith(("Open family", "Watch family", "Unwatch family")):
                continue
            yield DiscoveryHit(Text(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
