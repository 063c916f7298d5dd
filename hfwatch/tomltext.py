"""Lines in TOML text, for error messages: tomllib keeps no positions, so both the config and the registry
find the line of a key (or of a syntax error) in the raw text here, with one set of rules.
"""

from __future__ import annotations

import re
import tomllib

__all__ = ["TomlLines", "syntax_error"]

# tomllib ends its messages with "(at line N, column M)" or "(at end of document)".
_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")


def syntax_error(err: tomllib.TOMLDecodeError, text: str) -> tuple[int, str]:
    """The line of a TOML syntax error and its reason without the position suffix (end of file: last line)."""
    message = str(err)
    match = _POSITION.search(message)
    at_line = match.group(1) if match is not None else None
    line = int(at_line) if at_line is not None else max(1, len(text.splitlines()))
    return line, message[: match.start()] if match else message


def _quoted(name: str) -> str:
    """A bare or quoted TOML key, as a regex."""
    n = re.escape(name)
    return rf"(?:{n}|\"{n}\"|'{n}')"


class TomlLines:
    """The lines of a TOML text and where a key or a table header sits in them (0-based indexes)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines() or [""]

    def find(self, pattern: re.Pattern[str], start: int = 0, stop: int | None = None) -> int | None:
        """The first index in [start, stop) whose line matches `pattern` at its start."""
        for i in range(start, len(self.lines) if stop is None else min(stop, len(self.lines))):
            if pattern.match(self.lines[i]):
                return i
        return None

    def key(self, key: str, start: int = 0, stop: int | None = None, *, dotted: bool = False) -> int | None:
        """`key = ...` (and with `dotted`, `key.sub = ...` too) in [start, stop)."""
        tail = r"[=.]" if dotted else "="
        return self.find(re.compile(rf"^\s*{_quoted(key)}\s*{tail}"), start, stop)

    def table(self, name: str, start: int = 0) -> int | None:
        """The `[name]` header."""
        return self.find(re.compile(rf"^\s*\[\s*{_quoted(name)}\s*\]"), start)

    def dotted(self, table: str, key: str) -> int | None:
        """`table.key = ...`."""
        return self.find(re.compile(rf"^\s*{re.escape(table)}\s*\.\s*{_quoted(key)}\s*="))


def toml_type_name(value: object) -> str:
    """What a TOML value is, in the words of an error message ("must be a string, not a list")."""
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
