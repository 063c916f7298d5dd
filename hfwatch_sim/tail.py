"""The Hub's long tail: up to a million small repos, generated lazily from their rank, never stored.

Rank ``r`` (0 = most downloaded) determines everything about a tail repo: its id, its tags, and its 30-day
downloads as a quantile function of the rank, ``D0 * f(day) * (1 + r / R0) ** -ALPHA`` (heavy-tailed: a few
thousand repos above 10k a month, most of the million below 10). ``f(day)`` scales the whole tail by the
refresh day, so the order of the tail never changes and the listing sorted by downloads is the tail in rank
order, merged with the catalogue (see :mod:`hfwatch_sim.listing`): a page costs ``limit`` repos built, and
finding where a cursor falls is a binary search over ranks.

Ties sort by ``_id`` (descending, as the Hub does): a tail ``_id`` starts with its creation time, and the
tail's repos were created one every :data:`SPACING_S` seconds going back from the most downloaded, so equal
counts keep rank order too.

A share of the tail (:data:`LINEAGE_PERCENT`) are fine-tunes tagged ``base_model:`` a real first-party repo
of the catalogue, so their true family is that repo's; the rest belong to no tracked family. The tail only
shows in listings sorted by downloads with no author, search or filter: its names never carry a family word
and its authors are none of the families' orgs, so those listings would not have shown it anyway, and it is
never new or trending. The tail refreshes all at once or not at all: on a day the Hub skips or refreshes only
in part (``skip``), the whole tail keeps the counters of its last refresh, as the catalogue's unrefreshed
models do; a partial refresh that moved only some tail repos would break the order the listing relies on.
So a deep walk on such a day finds the tail as the day before left it, and two walks on one day find the
same values: the counters only ever move at a refresh instant, never between two requests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .clock import iso_z
from .dynamics import DAY
from .refresh import day_of, instant, mix

if TYPE_CHECKING:
    from .catalogue import Model

D0 = 40_000.0  # 30-day downloads of the tail's head on the anchor day
R0 = 2_740.0
ALPHA = 1.5
SPACING_S = 50.0
LINEAGE_PERCENT = 30
#: The tail grows by this share of its size per refresh day after the anchor (shrinks before it).
DAILY_GROWTH = 0.003
_OLDEST_GAP_S = 45 * DAY  # the tail's head was created this long before the anchor
_WORDS = (
    "lumen",
    "quill",
    "tarn",
    "brook",
    "fjord",
    "cedar",
    "pebble",
    "marrow",
    "thistle",
    "ember",
    "harbor",
    "willow",
    "basalt",
    "heron",
    "kestrel",
    "sorrel",
    "ochre",
    "dune",
    "cobalt",
    "larch",
)
_USERS = (
    "ana",
    "bo",
    "cyr",
    "dee",
    "eli",
    "fen",
    "gus",
    "hal",
    "ivo",
    "jun",
    "kit",
    "lev",
    "mo",
    "ned",
    "oz",
    "pip",
    "ras",
    "sol",
    "tam",
    "uli",
)
_PIPELINES = (
    "text-generation",
    "text-generation",
    "text-generation",
    "feature-extraction",
    "text-classification",
    "image-text-to-text",
)
_SEP = "-t"  # the rank is written after it, so an id names its rank


@dataclass(frozen=True, slots=True)
class TailModel:
    rank: int
    id: str
    oid: str
    created: float
    base: str | None  # the base_model tag, a first-party repo of the catalogue
    family: str | None  # its true family (the base's)
    pipeline_tag: str
    downloads: int
    downloads_all_time: int

    def json(self, fields: Sequence[str]) -> str:
        """The listing record with ``fields`` (those the tail has; others are left out, as the Hub does)."""
        out: dict[str, object] = {"_id": self.oid, "id": self.id}
        for name in fields:
            value = self._field(name)
            if value is not None:
                out[name] = value
        return json.dumps(out, separators=(",", ":"))

    def _field(self, name: str) -> object:
        if name == "downloads":
            return self.downloads
        if name == "downloadsAllTime":
            return self.downloads_all_time
        if name in ("likes", "trendingScore"):
            return 0
        if name in ("createdAt", "lastModified"):
            return iso_z(self.created)
        if name == "author":
            return self.id.split("/", 1)[0]
        if name == "pipeline_tag":
            return self.pipeline_tag
        if name == "library_name":
            return "transformers"
        if name == "tags":
            lineage = [f"base_model:{self.base}", f"base_model:finetune:{self.base}"] if self.base else []
            return ["transformers", "safetensors", self.pipeline_tag, *lineage, "license:apache-2.0", "region:us"]
        if name in ("gated", "private"):
            return False
        return None


class Tail:
    """``size`` tail repos for ``seed``, laid out around ``anchor``; ``roots`` are (repo id, family) pairs."""

    def __init__(
        self,
        seed: int,
        size: int,
        anchor: float,
        roots: Sequence[tuple[str, str]],
        skip: Callable[[int], bool] | None = None,
    ) -> None:
        self.seed = seed
        self.size = max(0, int(size))
        self.anchor = anchor
        self.day0 = day_of(anchor)
        self.roots = tuple(roots)
        self._skip = skip

    def published_day(self, t: float) -> int:
        """The refresh day whose counters the Hub shows at ``t``: the last one not skipped."""
        day = day_of(t)
        while self._skip is not None and self._skip(day):
            day -= 1
        return day

    def __len__(self) -> int:
        return self.size

    def _scale(self, day: int) -> float:
        return max(0.5, 1.0 + DAILY_GROWTH * (day - self.day0))

    def _d30(self, rank: int, day: int) -> int:
        return int(D0 * self._scale(day) * (1.0 + rank / R0) ** -ALPHA)

    def downloads(self, rank: int, t: float) -> int:
        """Published 30-day downloads of the repo of ``rank`` at ``t``."""
        return self._d30(rank, self.published_day(t))

    def cumulative(self, rank: int, t: float) -> float:
        """True all-time downloads of the repo of ``rank`` by ``t`` (the Hub publishes it at each refresh)."""
        age_days = max(30.0, (t - self.created(rank)) / DAY)
        d30 = self._d30(rank, day_of(t))
        return d30 * age_days / 30.0 * 1.4 + d30

    def created(self, rank: int) -> float:
        return float(int(self.anchor - _OLDEST_GAP_S - rank * SPACING_S))

    def key(self, rank: int, t: float) -> tuple[float, str]:
        return self.downloads(rank, t), self._oid(rank)

    def _oid(self, rank: int) -> str:
        return f"{int(self.created(rank)):08x}{rank:016x}"

    def first_after(self, after: tuple[float, str] | None, t: float) -> int:
        """The first rank whose key sorts after the cursor key ``after`` (descending); ``size`` if none."""
        if after is None:
            return 0
        lo, hi = 0, self.size
        while lo < hi:  # keys fall with the rank: find the first one below `after`
            mid = (lo + hi) // 2
            if self.key(mid, t) < after:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def model(self, rank: int, t: float) -> TailModel:
        h = mix(self.seed + 0x7A11, rank)
        user = f"{_USERS[h % len(_USERS)]}{(h >> 8) % 5000}"
        name = f"{_WORDS[(h >> 24) % len(_WORDS)]}-{_WORDS[(h >> 32) % len(_WORDS)]}{_SEP}{rank}"
        base = family = None
        if self.roots and (h >> 40) % 100 < LINEAGE_PERCENT:
            base, family = self.roots[(h >> 48) % len(self.roots)]
        day = self.published_day(t)
        return TailModel(
            rank,
            f"{user}/{name}",
            self._oid(rank),
            self.created(rank),
            base,
            family,
            _PIPELINES[(h >> 56) % len(_PIPELINES)],
            self._d30(rank, day),
            int(self.cumulative(rank, instant(day))),
        )

    def rank_of(self, model_id: str) -> int | None:
        """The rank a tail id names, or None if it is not one of this tail's ids."""
        _, sep, rank = model_id.rpartition(_SEP)
        if not sep or not rank.isdigit() or int(rank) >= self.size:
            return None
        r = int(rank)
        return r if self.model(r, self.anchor).id == model_id else None


def tail_roots(models: Iterable[Model], before: float) -> list[tuple[str, str]]:
    """(id, family) of the first-party text-generation repos created before ``before``: what the tail's
    fine-tunes are tagged with."""
    return [
        (m.id, m.family)
        for m in models
        if m.kind == "first"
        and m.via == "org"
        and m.family
        and m.pipeline_tag == "text-generation"
        and m.created < before
    ]
