"""Key bindings across screens: the user's remaps (`keymap` in the config, by binding id), and the
table the help screen shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType
from textual.keys import format_key

from hfwatch.config import Config

if TYPE_CHECKING:
    from textual.app import App


def sections() -> list[tuple[str, list[BindingType]]]:
    """Every screen's bindings, in the order the help screen lists them."""
    from hfwatch.tui.app import HfWatchApp
    from hfwatch.tui.screens.countries import CountriesScreen
    from hfwatch.tui.screens.dashboard import DashboardScreen
    from hfwatch.tui.screens.family import FamilyScreen
    from hfwatch.tui.screens.model import ModelScreen
    from hfwatch.tui.screens.releases import ReleasesScreen
    from hfwatch.tui.widgets.filter_bar import FilterBar
    from hfwatch.tui.widgets.keyed_table import KeyedTable

    return [
        ("Everywhere", list(HfWatchApp.BINDINGS)),
        ("Tables", [*KeyedTable.BINDINGS, Binding("up,down", "", "move between rows"),
                    Binding("tab", "", "next panel")]),
        ("Dashboard", list(DashboardScreen.BINDINGS)),
        ("Family", list(FamilyScreen.BINDINGS)),
        ("Model", list(ModelScreen.BINDINGS)),
        ("Countries", list(CountriesScreen.BINDINGS)),
        ("Releases", list(ReleasesScreen.BINDINGS)),
        ("Filter", list(FilterBar.BINDINGS)),
    ]


def binding_ids() -> set[str]:
    return {b.id for _title, bindings in sections() for b in bindings if isinstance(b, Binding) and b.id}


def key_display(binding: Binding, keymap: dict[str, str]) -> str:
    keys = keymap.get(binding.id or "", binding.key)
    shown = []
    for key in keys.split(","):
        key = key.strip()
        if not key:
            continue
        *mods, base = key.split("+")
        shown.append("+".join([*mods, format_key(base)]))
    return " ".join(shown)


def apply(app: App[int], config: Config) -> dict[str, str]:
    """Remap keys and pick the theme from the config; what is wrong there is said, not fatal."""
    keymap = dict(config.keymap)
    # Checking ids imports every screen (and plotext with the charts): only when there is a keymap.
    unknown = sorted(set(keymap) - binding_ids()) if keymap else []
    if unknown:
        app.notify(f"keymap: no binding with id {', '.join(unknown)} (the help screen lists the ids)",
                   severity="warning", markup=False)
    app.set_keymap({k: v for k, v in keymap.items() if k not in unknown})
    if config.theme in app.available_themes:
        app.theme = config.theme
    else:
        app.notify(f"theme {config.theme!r} is not available; using {app.theme}", severity="warning",
                   markup=False)
    return keymap
