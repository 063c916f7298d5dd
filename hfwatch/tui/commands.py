"""The command palette (ctrl+p): the monitor's main actions, and every family to open or watch.

A command is an action string or a message for the app, like a key or a widget would send: this
module reads the monitor through `MonitorView` and never imports the app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from hfwatch.tui.format import METRIC_LABELS, SCOPE_LABELS
from hfwatch.tui.messages import OpenFamily, ToggleWatch
from hfwatch.tui.view import MonitorView

Command = tuple[str, str, Callable[[], object]]


class MonitorCommands(Provider):
    def commands(self) -> Iterator[Command]:
        app = self.app
        monitor = cast(MonitorView, app)

        def action(name: str) -> Callable[[], object]:
            return partial(app.run_action, name)

        yield ("Poll now", "poll both lanes of the Hub now (r)", action("poll_now"))
        yield (
            "Resume polling" if monitor.paused else "Pause polling",
            "stop or restart the poll timers (p)",
            action("toggle_pause"),
        )
        for metric, label in METRIC_LABELS.items():
            yield (f"Metric: {label}", "rank and chart by this metric (m cycles)", action(f"set_metric('{metric}')"))
        for scope, label in SCOPE_LABELS.items():
            yield (
                f"Scope: {label}",
                "count only the family's own orgs, or derivatives too (d toggles)",
                action(f"set_scope('{scope}')"),
            )
        yield ("Countries", "the leaderboard by country of origin (c)", action("countries"))
        yield ("Releases", "new releases and trending entries, full height, and newcomers (n)", action("releases"))
        yield ("Race", "ranks of the leading families over time and who passed whom (g)", action("race"))
        yield (
            "Show or hide untracked releases",
            "in the trending & new-releases feed; untracked trending entries always show (u)",
            action("toggle_untracked"),
        )
        yield ("Poll less often", "double both poll intervals (+)", action("scale_interval(2.0)"))
        yield ("Poll more often", "halve both poll intervals (-)", action("scale_interval(0.5)"))
        yield ("Keys", "every key and its binding id (?)", action("help"))
        for fam in monitor.registry.families:
            yield (
                f"Open family: {fam.name}",
                f"{fam.developer} · {fam.country}",
                partial(app.post_message, OpenFamily(fam.id)),
            )
        for fam in monitor.registry.families:
            verb = "Unwatch" if fam.id in monitor.watched else "Watch"
            yield (
                f"{verb} family: {fam.name}",
                "toasts for its new releases and trending entries (w)",
                partial(app.post_message, ToggleWatch(fam.id)),
            )

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
