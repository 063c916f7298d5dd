"""The family registry: which Hub orgs and repo names belong to which model family, and its country.

The data lives in TOML (`hfwatch/data/families.toml`, documented in its header) so that a user file can add
a family, add an org or change a country without touching code. Loading validates everything up front and
refuses a bad file with one line, ``<file>:<line>: <reason>``, because a silently ignored typo would change
every total on screen without anyone noticing.

Only the standard library is used here (plus platformdirs for the default user path): the registry sits
below every other layer.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

__all__ = [
    "BUNDLED_PATH",
    "ISO_3166_ALPHA2",
    "REGIONS",
    "Family",
    "OrgRule",
    "Registry",
    "RegistryError",
    "default_user_registry_path",
    "load_registry",
    "region_of",
]

BUNDLED_PATH = Path(__file__).resolve().parent / "data" / "families.toml"

# The 249 officially assigned ISO 3166-1 alpha-2 codes (as shipped in tzdata's iso3166.tab). User-assigned
# codes such as XK or XX are refused: a country we cannot name is a typo, not a new country.
_ISO_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
    BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
    ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
    IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
    NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
    SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
    VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_3166_ALPHA2: frozenset[str] = frozenset(_ISO_CODES.split())

REGIONS = ("china", "us", "eu", "other")

# "eu" is the European bucket of the open-model race rather than EU membership: the 27 members, the EEA
# states (IS, LI, NO), Switzerland (Apertus) and the UK.
_EUROPE_CODES = """
    AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE
    IS LI NO
    CH GB
"""
_EUROPE = frozenset(_EUROPE_CODES.split())


def region_of(country: str) -> str:
    """The region bucket of an ISO country: CN→china, US→us, Europe→eu, everything else→other."""
    code = country.strip().upper()
    if code == "CN":
        return "china"
    if code == "US":
        return "us"
    if code in _EUROPE:
        return "eu"
    return "other"


class RegistryError(ValueError):
    """A registry file that cannot be used. ``str(err)`` is one line: ``<file>:<line>: <reason>``."""

    def __init__(self, file: str | Path, line: int, reason: str) -> None:
        self.file = str(file)
        self.line = max(1, int(line))
        self.reason = " ".join(str(reason).split())  # the message must stay on one line
        super().__init__(f"{self.file}:{self.line}: {self.reason}")


# --------------------------------------------------------------------------------------------- matching

# A numbered or named back-reference would point at the wrong group once patterns are joined.
_BACKREF = re.compile(r"\\\d|\(\?P=")


def _join(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """One regex for a list (one search instead of several), or None when joining would change meaning."""
    if not patterns or any(_BACKREF.search(p) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error:  # e.g. a global inline flag such as (?i) in the middle of the joined text
        return None


class _AnyOf:
    """Case-insensitive search for any of several regexes; reports where the earliest match starts."""

    __slots__ = ("_each", "_joined")

    def __init__(self, patterns: Sequence[str]) -> None:
        self._each = tuple(re.compile(p, re.IGNORECASE) for p in patterns)
        self._joined = _join(patterns)

    def __bool__(self) -> bool:
        return bool(self._each)

    def start(self, text: str) -> int | None:
        if self._joined is not None:
            m = self._joined.search(text)
            return None if m is None else m.start()
        starts = [m.start() for p in self._each if (m := p.search(text)) is not None]
        return min(starts) if starts else None

    def search(self, text: str) -> bool:
        if self._joined is not None:
            return self._joined.search(text) is not None
        return any(p.search(text) for p in self._each)


@dataclass(frozen=True)
class OrgRule:
    """One Hub namespace of a family; `include` (regexes on the repo name) limits which repos count."""

    name: str
    legacy: bool = False
    include: tuple[str, ...] = ()
    _include: _AnyOf = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "include", tuple(self.include))
        object.__setattr__(self, "_include", _AnyOf(self.include))

    def matches(self, repo_name: str) -> bool:
        """True when a repo of this org with this name (the part after "/") passes the include filter."""
        return not self.include or self._include.search(repo_name)


@dataclass(frozen=True)
class Family:
    id: str
    name: str
    developer: str
    country: str
    region: str = ""  # derived from country when left empty
    orgs: tuple[OrgRule, ...] = ()
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    _patterns: _AnyOf = field(init=False, repr=False, compare=False)
    _exclude: _AnyOf = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("orgs", "patterns", "exclude", "search"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.region:
            object.__setattr__(self, "region", region_of(self.country))
        object.__setattr__(self, "_patterns", _AnyOf(self.patterns))
        object.__setattr__(self, "_exclude", _AnyOf(self.exclude))

    def is_excluded(self, repo_name: str) -> bool:
        return bool(self._exclude) and self._exclude.search(repo_name)

    def matches_name(self, repo_name: str) -> bool:
        """A name pattern matches the repo name and no exclusion does."""
        return self.name_match_start(repo_name) is not None

    def name_match_start(self, repo_name: str) -> int | None:
        """Where the earliest pattern match starts in the name, or None (also None when excluded)."""
        if not self._patterns or self.is_excluded(repo_name):
            return None
        return self._patterns.start(repo_name)


class Registry:
    """The loaded families, with the lookups attribution needs precomputed once."""

    def __init__(
        self, families: Iterable[Family], reuploaders: Iterable[str] = (), sources: Iterable[str | Path] = ()
    ) -> None:
        self.families: tuple[Family, ...] = tuple(families)
        self.reuploaders: frozenset[str] = frozenset(r.lower() for r in reuploaders)
        self.sources: tuple[str, ...] = tuple(str(s) for s in sources)
        self._by_id: dict[str, Family] = {}
        self._by_org: dict[str, list[tuple[Family, OrgRule]]] = {}
        for fam in self.families:
            if fam.id in self._by_id:
                raise ValueError(f"duplicate family id {fam.id!r}")
            self._by_id[fam.id] = fam
            for org in fam.orgs:
                self._by_org.setdefault(org.name.lower(), []).append((fam, org))
        self._keywords, self._always = self._index_names()
        self._run_cache: dict[str, tuple[int, ...]] = {}

    def _index_names(self) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
        # Searching ~60 regexes in every name is what makes attribution slow, and most names match none.
        # So each pattern's required words are found once, and a name is only searched with the families
        # whose word occurs in one of its letter runs (cached per run: "instruct", "gguf", "8b" recur
        # endlessly). A pattern without a required word is always searched.
        by_keyword: dict[str, set[int]] = {}
        always: list[int] = []
        for i, fam in enumerate(self.families):
            for pattern in fam.patterns:
                keywords = _required_words(pattern)
                for keyword in keywords:
                    by_keyword.setdefault(keyword, set()).add(i)
                if not keywords and i not in always:
                    always.append(i)
        return {k: tuple(sorted(v)) for k, v in by_keyword.items()}, tuple(always)

    def _families_in_run(self, run: str) -> tuple[int, ...]:
        hit = self._run_cache.get(run)
        if hit is None:
            hit = tuple(sorted({i for kw, idx in self._keywords.items() if kw in run for i in idx}))
            if len(self._run_cache) >= _RUN_CACHE_MAX:
                self._run_cache.clear()
            self._run_cache[run] = hit
        return hit

    # -- the mapping API
    def get(self, family_id: str) -> Family:
        return self._by_id[family_id]

    def __contains__(self, family_id: object) -> bool:
        return family_id in self._by_id

    def __iter__(self) -> Iterator[Family]:
        return iter(self.families)

    def __len__(self) -> int:
        return len(self.families)

    def __repr__(self) -> str:
        return f"Registry({len(self.families)} families from {', '.join(self.sources) or '<memory>'})"

    region_of = staticmethod(region_of)

    def countries(self) -> list[str]:
        return sorted({f.country for f in self.families})

    def org_rules(self, org: str) -> list[tuple[Family, OrgRule]]:
        """Every (family, rule) that claims this Hub namespace, case-insensitively."""
        return list(self._by_org.get(org.lower(), ()))

    def is_reuploader(self, org: str) -> bool:
        return org.lower() in self.reuploaders

    # -- the two rules attribution is built from
    def org_family(self, org: str, repo_name: str) -> Family | None:
        """The family whose org rule accepts this repo (filter passed, name not excluded), if any."""
        for fam, rule in self._by_org.get(org.lower(), ()):
            if rule.matches(repo_name) and not fam.is_excluded(repo_name):
                return fam
        return None

    def name_family(self, repo_name: str) -> Family | None:
        """The family whose name pattern matches earliest in the repo name (not excluded), if any.

        Earliest, because the leading word usually names what a repo is ("DeepSeek-R1-Distill-Qwen" is
        DeepSeek's); at the same position the family listed first wins.
        """
        if repo_name.isascii():  # the prefilter relies on str.lower() agreeing with re.IGNORECASE
            hits = set(self._always)
            for run in set(_LETTER_RUN.findall(repo_name.lower())):
                hits.update(self._families_in_run(run))
            if not hits:
                return None
            candidates: Iterable[int] = sorted(hits)
        else:
            candidates = range(len(self.families))
        best: tuple[int, Family] | None = None
        for i in candidates:
            fam = self.families[i]
            start = fam.name_match_start(repo_name)
            if start is not None and (best is None or start < best[0]):
                best = (start, fam)
        return None if best is None else best[1]


_LETTER_RUN = re.compile(r"[a-z]+")
_RUN_CACHE_MAX = 100_000


def _required_words(pattern: str) -> tuple[str, ...]:
    """Lowercase letter runs one of which every match of `pattern` must contain; () when none is known.

    ``(^|[-_])kimi[-_]`` gives ("kimi",), ``^(ling|ring)-`` gives ("ling", "ring"). Reads the parse tree
    of the standard `re` module; anything unexpected yields () (search always), slower but never wrong.
    """
    try:
        from re import _constants as sre_c  # type: ignore[attr-defined]
        from re import _parser as sre_p  # type: ignore[attr-defined]

        tree = sre_p.parse(pattern, 0)
    except Exception:
        return ()

    def best(options: list[tuple[str, ...]]) -> tuple[str, ...]:
        # the alternative set whose shortest word is longest filters best
        return max(options, key=lambda words: min(len(w) for w in words), default=())

    def walk(items: Any) -> list[tuple[str, ...]]:
        # every returned tuple is required: at least one of its words occurs in any match
        options: list[tuple[str, ...]] = []
        run: list[str] = []
        for op, av in items:
            if op is sre_c.LITERAL and av < 128 and chr(av).isalpha():
                run.append(chr(av).lower())
                continue
            if run:
                options.append(("".join(run),))
                run = []
            if op is sre_c.SUBPATTERN:
                options.extend(walk(av[-1]))
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and av[0] >= 1:
                options.extend(walk(av[2]))
            elif op is sre_c.BRANCH:
                alternatives: list[str] = []
                for branch in av[1]:
                    words = best(walk(branch))
                    if not words:
                        break
                    alternatives.extend(words)
                else:
                    options.append(tuple(dict.fromkeys(alternatives)))
        if run:
            options.append(("".join(run),))
        return options

    try:
        return best(walk(tree))
    except Exception:
        return ()


# ---------------------------------------------------------------------------------------------- loading

_FAMILY_KEYS = ("id", "name", "developer", "country", "patterns", "exclude", "search", "org")
_ORG_KEYS = ("name", "legacy", "include", "remove")
_TOP_KEYS = ("family", "reuploaders")
_REQUIRED_NEW = ("name", "country")
_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
_NAMESPACE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_TOML_POS = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([\w.\-\s\"']+?)\s*\]\]\s*(?:#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([\w.\-\s\"']+?)\s*\]\s*(?:#.*)?$")


def default_user_registry_path() -> Path:
    return Path(platformdirs.user_config_dir("hfwatch")) / "families.toml"


class _Locator:
    """Finds the line of a key or value in the raw text, since tomllib keeps no positions.

    The i-th ``[[family]]`` header is the i-th family of the parsed list (and likewise for
    ``[[family.org]]`` within it), so keys are looked up only inside their own table. Best effort:
    anything not found falls back to the table's header, and always to a real line >= 1.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines() or [""]
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
            orgs = [
                (headers[j][0], bounds[j + 1]) for j in range(k + 1, last) if headers[j][1] == "family.org"
            ]
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
        start, end = self._span(fam, org)
        pat = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*[=.]")
        for i in range(start, end):
            if pat.match(self.lines[i]):
                return i + 1
        return start + 1 if fam is not None else self._anywhere(pat)

    def _anywhere(self, pat: re.Pattern[str]) -> int:
        for i, line in enumerate(self.lines):
            if pat.match(line):
                return i + 1
        return 1

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


@dataclass
class _OrgDraft:
    name: str
    legacy: bool
    include: tuple[str, ...]
    file: str
    line: int
    order: int  # global definition order, to report a conflict at the later of two claims


@dataclass
class _FamilyDraft:
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

    def __init__(self, path: Path, drafts: dict[str, _FamilyDraft], counter: list[int]) -> None:
        self.path = path
        self.file = str(path)
        self.drafts = drafts
        self.counter = counter
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise RegistryError(self.file, 1, f"not UTF-8 text ({exc.reason})") from None
        except OSError as exc:
            raise RegistryError(self.file, 1, f"cannot read the file: {exc.strerror or exc}") from None
        self.loc = _Locator(text)
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            msg = str(exc)
            m = _TOML_POS.search(msg)
            line = len(self.loc.lines) if m is None or m.group(1) is None else int(m.group(1))
            reason = msg[: m.start()] if m else msg
            raise RegistryError(self.file, line, f"TOML syntax error: {reason}") from None

    def fail(self, line: int, reason: str) -> RegistryError:
        return RegistryError(self.file, line, reason)

    # -- typed getters
    def _str(self, table: dict[str, Any], key: str, fam: int, org: int | None = None) -> str | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(self.loc.key(key, fam, org), f"{key!r} must be a string, not {_tname(value)}")
        if not value.strip():
            raise self.fail(self.loc.key(key, fam, org), f"{key!r} must not be empty")
        return value.strip()

    def _strings(
        self, table: dict[str, Any], key: str, fam: int | None, org: int | None = None
    ) -> tuple[str, ...] | None:
        if key not in table:
            return None
        value = table[key]
        line = self.loc.key(key, fam, org)
        if not isinstance(value, list):
            raise self.fail(line, f"{key!r} must be a list of strings, not {_tname(value)}")
        for item in value:
            if not isinstance(item, str):
                raise self.fail(line, f"{key!r} must be a list of strings; found {_tname(item)} {item!r}")
            if not item.strip():
                raise self.fail(line, f"{key!r} contains an empty string")
        return tuple(value)

    def _regexes(
        self, table: dict[str, Any], key: str, fam: int, org: int | None = None, *, match_all_ok: bool = True
    ) -> tuple[str, ...] | None:
        patterns = self._strings(table, key, fam, org)
        for p in patterns or ():
            try:
                compiled = re.compile(p, re.IGNORECASE)
            except re.error as exc:
                raise self.fail(
                    self.loc.value(key, p, fam, org), f"invalid regex {p!r} in {key!r}: {exc}"
                ) from None
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
                raise self.fail(
                    self.loc.value("reuploaders", name), f"reuploader {name!r} is not a Hub namespace"
                )
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
        line = self.loc.key("country", i)
        if len(code) != 2 or not code.isalpha() or not code.isascii():
            raise self.fail(
                line, f"country {raw!r} is not an ISO 3166-1 alpha-2 code (like 'CN', 'US', 'FR')"
            )
        if code not in ISO_3166_ALPHA2:
            raise self.fail(line, f"country {raw!r} is not an officially assigned ISO 3166-1 alpha-2 code")
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
                    self.loc.key(key, i, j), f"{key!r} must be true or false, not {_tname(table[key])}"
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


def _tname(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


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
        _FileReader(path, drafts, counter).apply(reuploaders)
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
