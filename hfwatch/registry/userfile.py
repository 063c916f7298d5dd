"""Adding to the user's families.toml from the monitor: a new family for an org, or an org for a family.

The file changes only once the whole registry (bundled + the changed user file) loads from a temporary
copy: a bad id, country or a clash with another family's org is refused with one line, and the file
stays as it was. Text already in the file (comments included) is kept; the new table goes at its end,
or (an org for a family the file already restates) at the end of that family's table.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path

from hfwatch.registry.loading import RegistryError, load_registry
from hfwatch.registry.model import Registry

_FAMILY_HEADER = re.compile(r"^\s*\[\[\s*family\s*\]\]\s*(#.*)?$")


def _quoted(value: str) -> str:
    # A TOML basic string: JSON's escapes (\", \\, \n, \uXXXX) are TOML's too.
    return json.dumps(value, ensure_ascii=False)


def add_family(path: Path, *, family_id: str, name: str, country: str, org: str) -> Registry:
    """Add a family that claims `org` to the user file at `path`; returns the registry with it."""
    block = (
        f"[[family]]\nid = {_quoted(family_id.strip())}\nname = {_quoted(name.strip())}\n"
        f"country = {_quoted(country.strip().upper())}\n\n[[family.org]]\nname = {_quoted(org.strip())}\n"
    )
    text = _read(path)
    return _write_checked(path, text + ("\n" if text.strip() else "") + block)


def add_org(path: Path, *, family_id: str, org: str) -> Registry:
    """Add `org` to the family `family_id` (bundled or the user's own) in the user file at `path`."""
    text = _read(path)
    org_block = f"[[family.org]]\nname = {_quoted(org.strip())}\n"
    lines = text.splitlines(keepends=True)
    end = _family_table_end(lines, family_id)
    if end is None:
        block = f"[[family]]\nid = {_quoted(family_id)}\n\n{org_block}"
        return _write_checked(path, text + ("\n" if text.strip() else "") + block)
    head = "".join(lines[:end])
    if not head.endswith("\n"):
        head += "\n"
    return _write_checked(path, head + "\n" + org_block + "\n" + "".join(lines[end:]))


def _family_table_end(lines: list[str], family_id: str) -> int | None:
    """The line index where the file's own [[family]] table with this id ends (None: the file has none)."""
    id_line = re.compile(r"^\s*id\s*=\s*[\"']" + re.escape(family_id) + r"[\"']\s*(#.*)?$")
    headers = [i for i, line in enumerate(lines) if _FAMILY_HEADER.match(line)]
    for n, start in enumerate(headers):
        stop = headers[n + 1] if n + 1 < len(headers) else len(lines)
        if any(id_line.match(line) for line in lines[start:stop]):
            while stop > start + 1 and not lines[stop - 1].strip():
                stop -= 1  # before the blank lines that separate it from the next table
            return stop
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(path, 1, f"cannot read the file: {exc}") from None


def _write_checked(path: Path, text: str) -> Registry:
    """Load the registry with `text` as the user file from a temporary copy; only if it loads, replace
    the file (atomically) and return that registry."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".families.", suffix=".toml", dir=path.parent)
    except OSError as exc:
        raise RegistryError(path, 1, f"cannot write next to the file: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            registry = load_registry(Path(tmp))
        except RegistryError as err:
            # The error names the temporary copy; the user knows the file by its own name.
            raise RegistryError(path, err.line, err.reason) from None
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # Sources name the file as it now is, not the temporary copy it was checked from.
    return Registry(registry.families, registry.reuploaders, [*registry.sources[:-1], str(path)])
