"""Loading a registry: the bundled TOML with a user file merged on top, validated whole.

A bad file is refused with one line, ``<file>:<line>: <reason>``, because a silently ignored typo would
change every total on screen without anyone noticing.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from hfwatch.registry.countries import ISO_3166_ALPHA2
from hfwatch.registry.locator import Locator
from hfwatch.registry.model import Family, OrgRule, Registry
from hfwatch.tomltext import syntax_error, toml_type_name

__all__ = ["BUNDLED_PATH", "RegistryError", "default_user_registry_path", "load_registry"]

BUNDLED_PATH = Path(__file__).resolve().parent.parent / "data" / "families.toml"


class RegistryError(ValueError):
    """A registry file that cannot be used. ``str(err)`` is one line: ``<file>:<line>: <reason>``."""

    def __init__(self, file: str | Path, line: int, reason: str) -> None:
        self.file = str(file)
        self.line = max(1, int(line))
        self.reason = " ".join(str(reason).split())  # the message must stay on one line
        super().__init__(f"{self.file}:{self.line}: {self.reason}")


_FAMILY_KEYS = ("id", "name", "developer", "country", "patterns", "exclude", "search", "org")
_ORG_KEYS = ("name", "legacy", "include", "remove")
_TOP_KEYS = ("family", "reuploaders")
_REQUIRED_NEW = ("name", "country")
_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
_NAMESPACE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


def default_user_registry_path() -> Path:
    return Path(platformdirs.user_config_dir("hfwatch")) / "families.toml"


@dataclass(eq=False, repr=False)
class _OrgDraft:
    """An org rule as read from a file, with where it was defined for the errors."""

    name: str
    legacy: bool
    include: tuple[str, ...]
    file: str
    line: int
    order: int  # global definition order, to report a conflict at the later of two claims


@dataclass(eq=False, repr=False)
class _FamilyDraft:
    """A family as the files read so far define it (a later file may extend it)."""

    id: str
    name: str = ""
    developer: str = ""
    country: str = ""
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    orgs: list[_OrgDraft] = field(default_factory=list)


class _FileReader:
    """Validates one file and applies it to the drafts built so far."""

    def __init__(
        self, path: Path, drafts: dict[str, _FamilyDraft], counter: list[int], *, check_regexes: bool = True
    ) -> None:
        self.path = path
        self.check_regexes = check_regexes
        self.file = str(path)
        self.drafts = drafts
        self.counter = counter
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise RegistryError(self.file, 1, f"not UTF-8 text ({exc.reason})") from None
        except OSError as exc:
            raise RegistryError(self.file, 1, f"cannot read the file: {exc.strerror or exc}") from None
        self.loc = Locator(text)
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line, reason = syntax_error(exc, text)
            raise RegistryError(self.file, line, f"TOML syntax error: {reason}") from None

    def fail(self, line: int, reason: str) -> RegistryError:
        return RegistryError(self.file, line, reason)

    # -- typed getters
    def _str(self, table: dict[str, Any], key: str, fam: int, org: int | None = None) -> str | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(self.loc.key(key, fam, org), f"{key!r} must be a string, not {toml_type_name(value)}")
        if not value.strip():
            raise self.fail(self.loc.key(key, fam, org), f"{key!r} must not be empty")
        return value.strip()

    def _strings(
        self, table: dict[str, Any], key: str, fam: int | None, org: int | None = None
    ) -> tuple[str, ...] | None:
        if key not in table:
            return None
        value = table[key]
        # The key's line is looked up for an error only: finding it scans the text (the monitor's start loads
        # the registry before its first frame).
        if not isinstance(value, list):
            raise self.fail(
                self.loc.key(key, fam, org), f"{key!r} must be a list of strings, not {toml_type_name(value)}"
            )
        for item in value:
            if not isinstance(item, str):
                raise self.fail(
                    self.loc.key(key, fam, org),
                    f"{key!r} must be a list of strings; found {toml_type_name(item)} {item!r}",
                )
            if not item.strip():
                raise self.fail(self.loc.key(key, fam, org), f"{key!r} contains an empty string")
        return tuple(value)

    def _regexes(
        self, table: dict[str, Any], key: str, fam: int, org: int | None = None, *, match_all_ok: bool = True
    ) -> tuple[str, ...] | None:
        patterns = self._strings(table, key, fam, org)
        for p in patterns if patterns and self.check_regexes else ():
            try:
                compiled = re.compile(p, re.IGNORECASE)
            except re.error as exc:
                raise self.fail(self.loc.value(key, p, fam, org), f"invalid regex {p!r} in {key!r}: {exc}") from None
            if not match_all_ok and compiled.search("") is not None:
                raise self.fail(
                    self.loc.value(key, p, fam, org),
                    f"regex {p!r} in {key!r} matches the empty string, so it would match every repo name",
                )
        return patterns

    def _unknown(
        self,
        table: dict[str, Any],
        allowed: Sequence[str],
        where: str,
        fam: int | None,
        org: int | None = None,
    ) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(
                    self.loc.key(key, fam, org),
                    f"unknown key {key!r} in {where} (allowed: {', '.join(allowed)})",
                )

    # -- the file
    def apply(self, reuploaders: list[str]) -> None:
        self._unknown(self.data, _TOP_KEYS, "the top level", None)
        more = self._strings(self.data, "reuploaders", None)
        for name in more or ():
            if not _NAMESPACE_RE.match(name.strip()):
                raise self.fail(self.loc.value("reuploaders", name), f"reuploader {name!r} is not a Hub namespace")
            reuploaders.append(name.strip())
        families = self.data.get("family", [])
        if not isinstance(families, list) or not all(isinstance(t, dict) for t in families):
            raise self.fail(self.loc.key("family"), "'family' must be an array of tables ([[family]])")
        seen: dict[str, int] = {}
        for i, table in enumerate(families):
            self._family(i, table, seen)

    def _family(self, i: int, table: dict[str, Any], seen: dict[str, int]) -> None:
        self._unknown(table, _FAMILY_KEYS, "[[family]]", i)
        if "id" not in table:
            raise self.fail(self.loc.header(i), "[[family]] is missing the required key 'id'")
        fid = self._str(table, "id", i)
        assert fid is not None
        if not _ID_RE.match(fid):
            raise self.fail(
                self.loc.key("id", i),
                f"family id {fid!r} must be lowercase letters, digits, '.', '_' or '-'",
            )
        if fid in seen:
            raise self.fail(
                self.loc.key("id", i),
                f"duplicate family id {fid!r} (already defined at line {seen[fid]})",
            )
        seen[fid] = self.loc.key("id", i)

        draft = self.drafts.get(fid)
        is_new = draft is None
        if is_new:
            for key in _REQUIRED_NEW:
                if key not in table:
                    raise self.fail(self.loc.header(i), f"family {fid!r} is missing the required key {key!r}")
        new = _FamilyDraft(fid) if draft is None else draft

        name = self._str(table, "name", i)
        developer = self._str(table, "developer", i)
        country = self._country(table, i)
        patterns = self._regexes(table, "patterns", i, match_all_ok=False)
        exclude = self._regexes(table, "exclude", i)
        search = self._strings(table, "search", i)
        orgs = table.get("org", [])
        if not isinstance(orgs, list) or not all(isinstance(t, dict) for t in orgs):
            raise self.fail(self.loc.key("org", i), "'org' must be an array of tables ([[family.org]])")

        if name is not None:
            new.name = name
        if developer is not None:
            new.developer = developer
        elif is_new:
            new.developer = new.name
        if country is not None:
            new.country = country
        if patterns is not None:
            new.patterns = patterns
        if exclude is not None:
            new.exclude = exclude
        if search is not None:
            new.search = search
        defined_here: set[str] = set()
        for j, org_table in enumerate(orgs):
            self._org(i, j, org_table, new, defined_here)
        self.drafts[fid] = new

    def _country(self, table: dict[str, Any], i: int) -> str | None:
        raw = self._str(table, "country", i)
        if raw is None:
            return None
        code = raw.upper()
        if len(code) != 2 or not code.isalpha() or not code.isascii():
            raise self.fail(
                self.loc.key("country", i), f"country {raw!r} is not an ISO 3166-1 alpha-2 code (like 'CN', 'US', 'FR')"
            )
        if code not in ISO_3166_ALPHA2:
            raise self.fail(
                self.loc.key("country", i), f"country {raw!r} is not an officially assigned ISO 3166-1 alpha-2 code"
            )
        return code

    def _org(self, i: int, j: int, table: dict[str, Any], fam: _FamilyDraft, defined_here: set[str]) -> None:
        self._unknown(table, _ORG_KEYS, "[[family.org]]", i, j)
        if "name" not in table:
            raise self.fail(self.loc.header(i, j), "[[family.org]] is missing the required key 'name'")
        name = self._str(table, "name", i, j)
        assert name is not None
        line = self.loc.key("name", i, j)
        if not _NAMESPACE_RE.match(name):
            raise self.fail(line, f"org {name!r} is not a Hub namespace")
        for key in ("legacy", "remove"):
            if key in table and not isinstance(table[key], bool):
                raise self.fail(
                    self.loc.key(key, i, j), f"{key!r} must be true or false, not {toml_type_name(table[key])}"
                )
        include = self._regexes(table, "include", i, j) or ()
        lower = name.lower()
        if lower in defined_here:
            raise self.fail(line, f"duplicate org {name!r} in family {fam.id!r}")
        defined_here.add(lower)
        existing = [k for k, o in enumerate(fam.orgs) if o.name.lower() == lower]
        if table.get("remove", False):
            if not existing:
                raise self.fail(line, f"cannot remove org {name!r}: family {fam.id!r} has no such org")
            del fam.orgs[existing[0]]
            return
        self.counter[0] += 1
        org = _OrgDraft(name, bool(table.get("legacy", False)), include, self.file, line, self.counter[0])
        if existing:  # a user file restating an org refines it (e.g. a new include filter)
            fam.orgs[existing[0]] = org
        else:
            fam.orgs.append(org)


def _check_org_claims(drafts: Iterable[_FamilyDraft]) -> None:
    """Refuse an org claimed by two families unless their include filters tell the repos apart.

    Whether two regexes can match the same name is undecidable in general, so the test is conservative
    on what it can know: an org without a filter claims every repo, and an identical filter is a clash.
    Distinct filters are trusted, and the earlier family wins a name both would take.
    """
    claims: dict[str, list[tuple[str, _OrgDraft]]] = {}
    for fam in drafts:
        for org in fam.orgs:
            claims.setdefault(org.name.lower(), []).append((fam.id, org))
    for entries in claims.values():
        for a in range(len(entries)):
            for b in range(a + 1, len(entries)):
                (fa, oa), (fb, ob) = entries[a], entries[b]
                shared = set(oa.include) & set(ob.include)
                if oa.include and ob.include and not shared:
                    continue
                first, later = (oa, ob) if oa.order < ob.order else (ob, oa)
                f_first, f_later = (fa, fb) if first is oa else (fb, fa)
                why = (
                    f"with the same include filter {sorted(shared)[0]!r}"
                    if shared
                    else "and a claim without an include filter takes every repo of the org"
                )
                raise RegistryError(
                    later.file,
                    later.line,
                    f"duplicate org {later.name!r}: family {f_later!r} claims it but family {f_first!r} "
                    f"already does ({first.file}:{first.line}), {why}",
                )


def load_registry(user_file: Path | None = None) -> Registry:
    """The bundled registry, with `user_file` merged on top when it is given and exists."""
    paths = [BUNDLED_PATH]
    if user_file is not None and Path(user_file).exists():
        paths.append(Path(user_file))
    drafts: dict[str, _FamilyDraft] = {}
    reuploaders: list[str] = []
    counter = [0]
    for path in paths:
        # The bundled file's regexes are not compiled here (tests/unit/test_registry.py compiles every one):
        # a start of the monitor compiled ~90 of them only to throw them away (attribution compiles them
        # at its first search). A user's file is checked whole.
        _FileReader(path, drafts, counter, check_regexes=path != BUNDLED_PATH).apply(reuploaders)
    _check_org_claims(drafts.values())
    families = [
        Family(
            id=d.id,
            name=d.name,
            developer=d.developer or d.name,
            country=d.country,
            orgs=tuple(OrgRule(o.name, o.legacy, o.include) for o in d.orgs),
            patterns=d.patterns,
            exclude=d.exclude,
            search=d.search,
        )
        for d in drafts.values()
    ]
    return Registry(families, reuploaders, [str(p) for p in paths])
