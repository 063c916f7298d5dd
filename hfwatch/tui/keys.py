"""Key bindings across screens: the user's remaps (`keymap` in the config, by binding id), and how
the help screen shows a key. The app says which bindings there are (`Sections`): this module imports
no screen and no app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType
from textual.keys import format_key

from hfwatch.config import Config

if TYPE_CHECKING:
    from textual.app import App


Sections = list[tuple[str, list[BindingType]]]


def binding_ids(sections: Sections) -> set[str]:
    return {b.id for _title, bindings in sections for b in bindings if isinstance(b, Binding) and b.id}


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
    app.set_keymap(keymap)  # an id no binding has simply matches nothing: `warn_unknown` says so
    if config.theme in app.available_themes:
        app.theme = config.theme
    else:
        app.notify(f"theme {config.theme!r} is not available; using {app.theme}", severity="warning", markup=False)
    return keymap


def warn_unknown(app: App[int], keymap: dict[str, str], sections: Sections) -> None:
    """Name the keymap's ids that no binding has (checked after the first frame: it needs every screen)."""
    unknown = sorted(set(keymap) - binding_ids(sections))
    if unknown:
        app.notify(
            f"keymap: no binding with id {', '.join(unknown)} (the help screen lists the ids)",
            severity="warning",
            markup=False,
        )
