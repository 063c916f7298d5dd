"""Text from the Hub is data: make it safe to print in a terminal, a CSV cell or a table."""

from __future__ import annotations

import re

# ANSI CSI/OSC/other escape sequences, then any remaining C0/C1 control character.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidi overrides/isolates and zero-width characters can reorder or hide what is shown.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def terminal_safe(text: str | None, max_len: int | None = None) -> str:
    """Printable text: escapes and controls removed, invisible characters shown as '?'."""
    if text is None:
        return ""
    out = _ESCAPES.sub("", text)
    out = _CONTROLS.sub("", out)
    out = _INVISIBLE.sub("?", out)
    if max_len is not None and len(out) > max_len:
        out = out[: max(0, max_len - 1)] + "…"
    return out


def csv_safe(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula."""
    if isinstance(value, str):
        text = terminal_safe(value)
        if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + text
        return text
    return value
