"""The Hub's daily counter refresh: ``downloads`` and ``downloadsAllTime`` move in steps, not ramps.

Counters are published once a simulated day at :data:`REFRESH_HOUR_S` past UTC midnight (a *refresh
instant*). Each day is, deterministically from the seed:

- ``full``: every model's counters are recomputed from its true cumulative downloads at that instant;
- ``skip``: nothing is recomputed, every counter repeats the day before (the real Hub did this on 2026-08-08);
- ``partial``: only about :data:`PARTIAL_PERCENT` % of the models, chosen by a hash of (model, day), are
  recomputed (2026-08-13 on the real Hub).

At least one skip and one partial day fall within the first ten days after the default start.

A model's published ``downloadsAllTime`` at ``t`` is its true cumulative at the last refresh instant ``<= t``
at which it was refreshed (0 before its first one), minus its *recount*: a few models, once, get their
all-time count lowered permanently by a small offset (the truth of downloads per day is unaffected).
``downloads`` is the rolling 30 days that end at the same instant.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .clock import DEFAULT_START
from .dynamics import DAY

if TYPE_CHECKING:
    from .catalogue import Model

#: Refresh instants: 06:00 UTC every simulated day.
REFRESH_HOUR_S = 6 * 3600.0
#: Share of the models a partial day refreshes, in percent.
PARTIAL_PERCENT = 25
_SKIP_PERCENT = 7
_PARTIAL_DAY_PERCENT = 7
#: One model in this many is recounted once (if it is old enough to have a count worth recounting).
_RECOUNT_ONE_IN = 300
_MASK = (1 << 64) - 1


def mix(a: int, b: int) -> int:
    """A cheap, platform-independent 64-bit hash of two integers (splitmix64 finaliser)."""
    x = (a * 0x9E3779B97F4A7C15 + b * 0xBF58476D1CE4E5B9 + 0x94D049BB133111EB) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def day_of(t: float) -> int:
    """Index of the last refresh instant ``<= t``."""
    return math.floor((t - REFRESH_HOUR_S) / DAY)


def instant(day: int) -> float:
    return day * DAY + REFRESH_HOUR_S


class Schedule:
    """Which models each day refreshes, and the recounts; a pure function of the seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        first = day_of(DEFAULT_START) + 1
        self._kinds: dict[int, str] = {first + 2 + seed % 5: "skip", first + 8 - seed % 2: "partial"}

    def kind(self, day: int) -> str:
        """``full``, ``skip`` or ``partial``."""
        kind = self._kinds.get(day)
        if kind is None:
            kind = self._kinds[day] = _draw(self.seed, day)
        return kind

    def not_full(self, day: int) -> bool:
        """Whether the refresh at ``instant(day)`` left some models as they were (skipped, or partial)."""
        return self.kind(day) != "full"

    def refreshed(self, key: int, day: int) -> bool:
        """Whether the model with hash ``key`` was refreshed at ``instant(day)``."""
        kind = self.kind(day)
        if kind == "full":
            return True
        return kind == "partial" and mix(key, day) % 100 < PARTIAL_PERCENT

    def last_refresh(self, m: Model, t: float) -> float | None:
        """The last refresh instant ``<= t`` that recomputed ``m``; None before its first."""
        day = day_of(t)
        if self.kind(day) == "full" and instant(day) >= m.created:
            return instant(day)
        while instant(day) >= m.created:
            if self.refreshed(m.key, day):
                return instant(day)
            day -= 1
        return None

    def recount(self, m: Model) -> tuple[float, int] | None:
        """(refresh instant, offset) of the model's recount, or None. Offsets exceed a few days' growth, so
        the all-time count visibly drops at the model's first refresh at or after that instant."""
        h = mix(m.key, self.seed + 0x5EED)
        if h % _RECOUNT_ONE_IN:
            return None
        at = instant(day_of(DEFAULT_START) - 10 + (h >> 20) % 40)
        if at - m.created < 30 * DAY:
            return None
        cum = m.dyn.cumulative(at)
        offset = int(cum * (0.002 + (h >> 40) % 20 / 1000) + 5 * (cum - m.dyn.cumulative(at - DAY))) + 1
        return (at, min(offset, int(cum) // 2)) if cum >= 10 else None

    def published(self, m: Model, t: float) -> tuple[int, int]:
        """(downloadsAllTime, downloads) as the Hub shows them at ``t``."""
        day = day_of(t)
        cached = m.published
        if cached is not None and cached[0] == day:
            return cached[1], cached[2]
        r = self.last_refresh(m, t)
        if r is None:
            dall = d30 = 0
        else:
            cum = int(m.dyn.cumulative(r))
            d30 = cum - int(m.dyn.cumulative(r - 30 * DAY))
            rc = m.recount if m.recount is not None else self._remember_recount(m)
            dall = cum - (rc[1] if rc and rc[0] <= r else 0)
        m.published = (day, dall, d30)
        return dall, d30

    def _remember_recount(self, m: Model) -> tuple[float, int] | tuple[()]:
        m.recount = self.recount(m) or ()
        return m.recount

    def counts(self, m: Model, t: float) -> tuple[int, int, int, int]:
        """(downloadsAllTime, downloads, likes, trendingScore) at ``t``: the first two published, the others
        continuous."""
        dall, d30 = self.published(m, t)
        return dall, d30, m.dyn.likes(t), m.dyn.trending(t)


def _draw(seed: int, day: int) -> str:
    h = mix(seed, day) % 100
    if h < _SKIP_PERCENT:
        return "skip"
    return "partial" if h < _SKIP_PERCENT + _PARTIAL_DAY_PERCENT else "full"
