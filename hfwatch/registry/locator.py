"""Where a key or value of a registry file sits, since tomllib keeps no positions."""

from __future__ import annotations

import re

from hfwatch.tomltext import TomlLines

__all__ = ["Locator"]

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([\w.\-\s\"']+?)\s*\]\]\s*(?:#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([\w.\-\s\"']+?)\s*\]\s*(?:#.*)?$")


class Locator:
    """Finds the line of a key or value in the raw text, since tomllib keeps no positions.

    The i-th ``[[family]]`` header is the i-th family of the parsed list (and likewise for
    ``[[family.org]]`` within it), so keys are looked up only inside their own table. Best effort:
    anything not found falls back to the table's header, and always to a real line >= 1.
    """

    def __init__(self, text: str) -> None:
        self.text = TomlLines(text)
        self.lines = self.text.lines
        self.top_end = len(self.lines)
        # per family: (header, end of own keys, end of family incl. orgs); per org: (header, end)
        self.families: list[tuple[int, int, int]] = []
        self.orgs: list[list[tuple[int, int]]] = []
        headers: list[tuple[int, str]] = []
        for i, line in enumerate(self.lines):
            m = _ARRAY_HEADER.match(line) or _TABLE_HEADER.match(line)
            if m:
                headers.append((i, re.sub(r"[\s\"']", "", m.group(1))))
        if headers:
            self.top_end = headers[0][0]
        bounds = [h[0] for h in headers] + [len(self.lines)]
        fam_heads = [k for k, (_, name) in enumerate(headers) if name == "family"]
        for n, k in enumerate(fam_heads):
            start = headers[k][0]
            own_end = bounds[k + 1]
            last = fam_heads[n + 1] if n + 1 < len(fam_heads) else len(headers)
            end = bounds[last]
            orgs = [(headers[j][0], bounds[j + 1]) for j in range(k + 1, last) if headers[j][1] == "family.org"]
            # a later top-level table ([foo]) ends the family early
            for j in range(k + 1, last):
                if not headers[j][1].startswith("family."):
                    end = headers[j][0]
                    break
            self.families.append((start, own_end, end))
            self.orgs.append(orgs)

    def _span(self, fam: int | None, org: int | None) -> tuple[int, int]:
        if fam is None or fam >= len(self.families):
            return (0, self.top_end) if fam is None else (0, len(self.lines))
        start, own_end, _ = self.families[fam]
        if org is None:
            return start, own_end
        orgs = self.orgs[fam]
        return orgs[org] if org < len(orgs) else (start, own_end)

    def header(self, fam: int | None, org: int | None = None) -> int:
        if fam is None:
            return 1
        return self._span(fam, org)[0] + 1

    def key(self, key: str, fam: int | None = None, org: int | None = None) -> int:
        """The line of `key = ...` (or a dotted `key.x = ...`) in its table; else the table's header line."""
        start, end = self._span(fam, org)
        hit = self.text.key(key, start, end, dotted=True)
        if hit is None and fam is None:
            hit = self.text.key(key, dotted=True)
        if hit is None:
            return start + 1 if fam is not None else 1
        return hit + 1

    def value(self, key: str, needle: str, fam: int | None = None, org: int | None = None) -> int:
        """The line holding `needle` (a string value, maybe in a multi-line array) after `key`."""
        key_line = self.key(key, fam, org)
        _, end = self._span(fam, org)
        end = max(end, key_line)
        escaped = needle.replace("\\", "\\\\").replace('"', '\\"')
        for i in range(key_line - 1, end):
            if needle in self.lines[i] or escaped in self.lines[i]:
                return i + 1
        return key_line
