"""The family model: a family, its Hub orgs with their include filters, and the registry of all of them.

Only the standard library is used here: the registry sits below every other layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from hfwatch.registry.countries import region_of
from hfwatch.registry.prefilter import LETTER_RUN, AnyOf, required_words

__all__ = ["Family", "OrgRule", "Registry"]

_RUN_CACHE_MAX = 100_000


@dataclass(frozen=True)
class OrgRule:
    """One Hub namespace of a family; `include` (regexes on the repo name) limits which repos count."""

    name: str
    legacy: bool = False
    include: tuple[str, ...] = ()
    _include: AnyOf = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "include", tuple(self.include))
        object.__setattr__(self, "_include", AnyOf(self.include))

    def matches(self, repo_name: str) -> bool:
        """True when a repo of this org with this name (the part after "/") passes the include filter."""
        return not self.include or self._include.search(repo_name)


@dataclass(frozen=True)
class Family:
    """A model family as the registry defines it: who makes it and which repos belong to it."""

    id: str
    name: str
    developer: str
    country: str
    region: str = ""  # derived from country when left empty
    orgs: tuple[OrgRule, ...] = ()
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    _patterns: AnyOf = field(init=False, repr=False, compare=False)
    _exclude: AnyOf = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("orgs", "patterns", "exclude", "search"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.region:
            object.__setattr__(self, "region", region_of(self.country))
        object.__setattr__(self, "_patterns", AnyOf(self.patterns))
        object.__setattr__(self, "_exclude", AnyOf(self.exclude))

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
        self._run_cache: dict[str, tuple[int, ...]] = {}

    @cached_property
    def _name_index(self) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
        # Searching ~60 regexes in every name is what makes attribution slow, and most names match none.
        # So each pattern's required words are found once, and a name is only searched with the families
        # whose word occurs in one of its letter runs (cached per run: "instruct", "gguf", "8b" recur
        # endlessly). A pattern without a required word is always searched. Found at the first search,
        # not at load: only attribution searches, and the monitor loads the registry before its first frame.
        by_keyword: dict[str, set[int]] = {}
        always: list[int] = []
        for i, fam in enumerate(self.families):
            for pattern in fam.patterns:
                keywords = required_words(pattern)
                for keyword in keywords:
                    by_keyword.setdefault(keyword, set()).add(i)
                if not keywords and i not in always:
                    always.append(i)
        return {k: tuple(sorted(v)) for k, v in by_keyword.items()}, tuple(always)

    def _families_in_run(self, run: str) -> tuple[int, ...]:
        hit = self._run_cache.get(run)
        if hit is None:
            keywords = self._name_index[0]
            hit = tuple(sorted({i for kw, idx in keywords.items() if kw in run for i in idx}))
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
            hits = set(self._name_index[1])
            for run in set(LETTER_RUN.findall(repo_name.lower())):
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
