"""Text from the Hub is data: make it safe to print in a terminal, a CSV cell or a table."""

from __future__ import annotations

import re

# ANSI CSI/OSC/other escape sequences, then any remaining C0/C1 control character.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidi marks, overrides and isolates, zero-width characters and line/paragraph separators can reorder,
# hide or break what is shown.
_INVISIBLE_CHARS = "\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")


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
    """A CSV cell a spreadsheet will not run as a formula (tabs and CRs, also formula leads, are gone already)."""
    if isinstance(value, str):
        text = terminal_safe(value)
        if text[:1] in ("=", "+", "-", "@"):
            return "'" + text
        return text
    return value


# What json.dumps(ensure_ascii=False) leaves raw although a terminal acts on it or hides it: DEL and C1
# controls (0x9b is a one-byte CSI) and the invisible characters above.
_JSON_RAW = re.compile(f"[\x7f-\x9f{_INVISIBLE_CHARS}]")


def json_safe(dumped: str) -> str:
    """JSON text from json.dumps with those characters as \\uXXXX escapes: the same data once parsed.

    json.dumps only ever writes them inside string literals, where the escape means the same character;
    C0 controls it escapes itself. Other non-ASCII text (CJK names) stays readable.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
