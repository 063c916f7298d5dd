"""Time-dependent counters of a simulated repo, in closed form so any instant costs a few exp() calls.

Daily download rate of a repo created at ``c`` (u = days since c):

    rate(u) = e0 * exp(k * u) * (1 - exp(-u / ramp))  +  hype * exp(-u / hype_tau)

a family-momentum trend (k > 0 growing, k < 0 declining) that ramps up over a couple of days, plus a launch
burst that fades. ``downloadsAllTime(t)`` is the exact integral of that rate from ``c`` to ``t``, floored:
monotone and integer by construction. ``downloads`` is the rolling 30-day difference of it, so it falls once
a launch burst leaves the window, as the real Hub's does.

Sorting a listing evaluates these for every visible repo, so the hot paths avoid attribute lookups and
divisions they can precompute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import exp, expm1, sqrt

DAY = 86_400.0
_PER_DAY = 1.0 / DAY
_WEEK = 7 * DAY


@dataclass(slots=True, eq=False)
class Dynamics:
    """Constants of one repo's counters (never mutated after the catalogue is built)."""

    created: float  # Unix seconds
    e0: float  # steady downloads/day at creation, before the ramp
    k: float  # momentum, per day
    ramp: float  # days for the steady rate to build up
    hype: float  # launch-burst downloads/day at creation
    hype_tau: float  # days for the burst to fade by 1/e
    likes_max: float  # likes approached after the launch
    likes_tau: float  # days to collect them
    likes_drift: float  # slow likes/day afterwards
    _a: float = field(init=False, default=0.0)
    _burst: float = field(init=False, default=0.0)
    _inv_hype_tau: float = field(init=False, default=0.0)
    _inv_likes_tau: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self._a = 1.0 / self.ramp - self.k  # > 0: the ramp is always faster than the trend
        self._burst = self.hype * self.hype_tau
        self._inv_hype_tau = 1.0 / self.hype_tau
        self._inv_likes_tau = 1.0 / self.likes_tau

    def cumulative(self, t: float) -> float:
        """Downloads from creation to ``t`` (float; floor it for the API)."""
        u = (t - self.created) * _PER_DAY
        if u <= 0.0:
            return 0.0
        k, a = self.k, self._a
        grow = u if k == 0.0 else expm1(k * u) / k
        return self.e0 * (grow + expm1(-a * u) / a) - self._burst * expm1(-u * self._inv_hype_tau)

    def rate(self, t: float) -> float:
        """Instantaneous downloads/day at ``t``."""
        u = (t - self.created) * _PER_DAY
        if u <= 0.0:
            return 0.0
        return self.e0 * exp(self.k * u) * -expm1(-u / self.ramp) + self.hype * exp(-u * self._inv_hype_tau)

    def all_time(self, t: float) -> int:
        return int(self.cumulative(t))

    def downloads_30d(self, t: float) -> int:
        return int(self.cumulative(t)) - int(self.cumulative(t - 30 * DAY))

    def likes(self, t: float) -> int:
        u = (t - self.created) * _PER_DAY
        if u <= 0.0:
            return 0
        return int(self.likes_drift * u - self.likes_max * expm1(-u * self._inv_likes_tau))

    def trending(self, t: float) -> int:
        """Opaque on the real Hub. Here: likes of the last 7 days, plus bonuses for download growth and
        volume, so fresh releases that take off lead the list."""
        if t <= self.created:
            return 0
        cum = self.cumulative
        c0, c7 = cum(t), cum(t - _WEEK)
        return _trending(self.likes(t) - self.likes(t - _WEEK), c0 - c7, c7 - cum(t - 2 * _WEEK))

    def snapshot(self, t: float) -> tuple[int, int, int, int]:
        """(downloadsAllTime, downloads, likes, trendingScore) at ``t``, sharing the exp() work."""
        cum = self.cumulative
        c0, c7, c14 = cum(t), cum(t - _WEEK), cum(t - 2 * _WEEK)
        all_time = int(c0)
        likes = self.likes(t)
        trend = _trending(likes - self.likes(t - _WEEK), c0 - c7, c7 - c14)
        return all_time, all_time - int(cum(t - 30 * DAY)), likes, trend


def _trending(likes_week: int, week: float, prev_week: float) -> int:
    return max(0, likes_week + int(sqrt(max(0.0, week - prev_week)) + sqrt(max(0.0, week)) * 0.05))
