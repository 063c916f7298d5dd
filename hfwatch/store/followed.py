"""Which models write every change of their counters and which write one a week (docs/scaling.md).

A tracked model that the fast or slow lane lists (a family's own orgs, its top name-matched derivatives, the
trending and newest models) or an import holds is what the dashboard follows closely: it writes every change,
each a rate endpoint of its own rates and sparkline. Every other model (untracked, or tracked and seen only by
the deep lane's walks of the whole Hub) writes the first change of each calendar week, never a rate endpoint:
a daily-moving tail repo writes a seventh of the rows. Its latest counters and endpoint (`ea`, `ev`) stay
exact in `models`, and family growth is credited from those at ingest, so family and country figures are the
same either way; only such a model's own rate is unknown ("–").

`models.followed` is when a fast or slow lane (or an import) last listed the model. A deep page that writes a
model listed within FOLLOW_WINDOW_S keeps it daily, so a model both lanes list is never downgraded by the one
that happened to see its change first; a model the slow lane starts listing writes every change from then on.
"""

from __future__ import annotations

from hfwatch.records import Lane
from hfwatch.store.maintenance import week_start
from hfwatch.timeunits import DAY_S

# A week, not one slow poll: a slow lane stopped for a few days (a Hub outage, the laptop asleep) does not
# make its models' history flap between daily and weekly.
FOLLOW_WINDOW_S = 7 * DAY_S
# The mark is rewritten at most once a day per model: a slow poll every hour must not rewrite every row it lists.
MARK_RESOLUTION_S = DAY_S


def lane_follows(lane: Lane) -> bool:
    """Whether a poll of `lane` marks the models it lists as followed closely."""
    return lane is not Lane.DEEP


def every_change(family: str | None, followed: int | None, t: int, *, by_follower: bool) -> bool:
    """Whether a model writes every change at `t` (else the first of each week, no endpoint)."""
    if family is None:
        return False
    return by_follower or (followed is not None and followed >= t - FOLLOW_WINDOW_S)


def first_of_week(stored_t: int | None, t: int) -> bool:
    """Whether a change at `t` is the first of its calendar week (Monday to Sunday UTC, maintenance's weekly
    buckets): its previous change (`models.t`) lies in an earlier week. Weekly thinning after a year then has
    none of these rows to delete."""
    return stored_t is None or week_start(stored_t) < week_start(t)


def mark_due(followed: int | None, t: int) -> bool:
    """Whether a following lane's listing at `t` rewrites the model's mark."""
    return followed is None or followed < t - MARK_RESOLUTION_S
