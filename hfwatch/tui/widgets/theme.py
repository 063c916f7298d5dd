"""Colours from the theme in force (Textual's public `App.get_css_variables()`: `$primary`, `$error`, ...),
for what is drawn through Rich and plotext rather than styled by .tcss: chart lines, share bars, regions."""

from __future__ import annotations

from functools import lru_cache

from textual.app import App
from textual.color import Color, ColorParseError
from textual.widget import Widget

RGB = tuple[int, int, int]

# Region of origin -> theme variable, so that a bar, a region name and a chart line agree.
REGION_COLORS = {"china": "error", "us": "primary", "eu": "warning", "other": "success"}
# The chart's series, in order: variables told apart in the dark and the light themes alike.
SERIES_COLORS = ("primary", "error", "warning", "success", "foreground")


@lru_cache(maxsize=64)
def _color(app: App, theme: str, name: str) -> Color | None:
    """One of the theme's colours, parsed when first asked for: the theme has ~90 variables and parsing
    all of them cost the first frame a tenth of a second. Keyed by the theme's name: `App.theme_variables`
    follows only once the CSS has been refreshed, after a theme change."""
    value = app.get_css_variables().get(name)
    if value is None:
        return None
    try:
        return Color.parse(value)
    except ColorParseError:  # not every variable is a colour (`block-cursor-text-style`, ...)
        return None


def theme_color(widget: Widget, name: str) -> Color:
    app = widget.app
    color = _color(app, app.theme, name) or _color(app, app.theme, "primary")
    return color if color is not None else Color(255, 255, 255)


def theme_style(widget: Widget, name: str) -> str:
    """A Rich style string (`#rrggbb`) for the theme variable `name`."""
    return theme_color(widget, name).hex


def theme_rgb(widget: Widget, name: str) -> RGB:
    return theme_color(widget, name).rgb


def region_style(widget: Widget, region: str) -> str:
    return theme_style(widget, REGION_COLORS.get(region, "accent"))
