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
# A following lane sets the mark in every row it rewrites anyway (new counters, a new endpoint). A row it
# does not rewrite gets a write of its own once a day at most, the models' turns spread over the day by row
# number: an hourly slow poll then writes ~1/24 of those marks, not all of them in one poll a day (that poll
# cost +80% on 50k models).
MARK_RESOLUTION_S = DAY_S
MARK_TURNS = 24


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


def mark_due(followed: int | None, t: int, mid: int) -> bool:
    """Whether a following lane's listing at `t` writes the mark of model `mid`, whose row it does not
    rewrite: at the first start of one of the model's own days (they begin at its turn) that lies half a day
    or more after its mark. A listed model's mark is then written daily at its turn, never more than ~1.5
    days old, well inside the window; and not at all in the half day after a poll that marked it."""
    if followed is None:
        return True
    turn = (mid % MARK_TURNS) * (MARK_RESOLUTION_S // MARK_TURNS)
    return (followed + MARK_RESOLUTION_S // 2 + turn) // MARK_RESOLUTION_S < (t + turn) // MARK_RESOLUTION_S
