"""Every screen's bindings in one list, for the help screen and the keymap check.

Its own module, imported only when needed (help, and after the first frame): it imports every screen,
which the monitor's start does not.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding, BindingType

from hfwatch.tui.keys import Sections
from hfwatch.tui.screens.add_org import AddOrgScreen
from hfwatch.tui.screens.countries import CountriesScreen
from hfwatch.tui.screens.dashboard import DashboardScreen
from hfwatch.tui.screens.family import FamilyScreen
from hfwatch.tui.screens.model import ModelScreen
from hfwatch.tui.screens.race import RaceScreen
from hfwatch.tui.screens.releases import ReleasesScreen
from hfwatch.tui.widgets.filter_bar import FilterBar
from hfwatch.tui.widgets.keyed_table import KeyedTable


def binding_sections(everywhere: Iterable[BindingType]) -> Sections:
    """Every screen's bindings, in the order the help screen lists them (`everywhere`: the app's own)."""
    return [
        ("Everywhere", list(everywhere)),
        (
            "Tables",
            [*KeyedTable.BINDINGS, Binding("up,down", "", "move between rows"), Binding("tab", "", "next panel")],
        ),
        ("Dashboard", list(DashboardScreen.BINDINGS)),
        ("Family", list(FamilyScreen.BINDINGS)),
        ("Model", list(ModelScreen.BINDINGS)),
        ("Countries", list(CountriesScreen.BINDINGS)),
        ("Releases", list(ReleasesScreen.BINDINGS)),
        ("Race", list(RaceScreen.BINDINGS)),
        ("Track an org", list(AddOrgScreen.BINDINGS)),
        ("Filter", list(FilterBar.BINDINGS)),
    ]
