"""Recognising the Hub's daily refresh in a poll, and dating it (DESIGN §2).

The Hub refreshes every model's counters at about the same time once a day; a poll that finds a real
share of the counters it lists again changed has seen one. Ingest needs this to date growth, so it lives
in the store; `hfwatch.analysis.rates` re-exports it beside the rates it feeds.
"""

from __future__ import annotations

from collections.abc import Sequence

DAY_S = 86400
# A refresh seen by a poll this soon after the previous poll is dated by that poll; a wider bracket (the
# monitor was off) is dated by the daily phase of the precise ones.
PRECISE_BRACKET_S = 3 * 3600
# A poll observed a Hub refresh when this share (and count) of the models it listed again changed.
REFRESH_MIN_SHARE = 0.05
REFRESH_MIN_MODELS = 3
# A refresh that moved fewer than this share of the counters it relisted was partial (the Hub recomputed
# only some models, as on 2026-08-13): the others' growth up to it is not known yet, so it does not advance
# the observed horizon of any rate (a full refresh moves ~90% of them: the rest had no downloads that day).
FULL_MIN_SHARE = 0.5


def is_refresh(changed: int, relisted: int) -> bool:
    """Whether a poll that saw `changed` of `relisted` counters move has seen a Hub refresh."""
    return changed >= REFRESH_MIN_MODELS and changed >= REFRESH_MIN_SHARE * relisted


def is_full_refresh(changed: int, relisted: int) -> bool:
    """Whether a refresh that moved `changed` of `relisted` counters recomputed (about) every model."""
    return changed >= FULL_MIN_SHARE * relisted


def refresh_instant(
    t: int, t_lo: int | None, precise_instants: Sequence[int], latest: int | None = None
) -> tuple[bool, int | None]:
    """(precise, instant) of a refresh seen at `t` whose previous poll was at `t_lo`, the latest refresh
    dated before it being at `latest`.

    A narrow bracket is dated by the poll itself; a wide one by the latest time in (t_lo, t] at the time of
    day of the latest precise refresh; with no precise refresh known yet, or none of that phase in the
    bracket after `latest`, by the poll (imprecise).
    """
    if t_lo is not None and t - t_lo <= PRECISE_BRACKET_S:
        return True, t
    if precise_instants:
        phase = precise_instants[-1] % DAY_S
        candidate = t - (t - phase) % DAY_S
        # A refresh this poll saw is a new one: dated at or before the latest already dated, a day's growth
        # would be credited to the seconds between them. Polls stored in the order they finish never allow it
        # (latest <= t_lo); polls stored out of order did (the demo's back-fill set its clock back: a poll at
        # 06:33, after the Hub's 06:00 refresh, was dated to the 07:00 before, already dated: a ~19x spike).
        if (t_lo is None or candidate > t_lo) and (latest is None or candidate > latest):
            return False, candidate
    # No phase to go by (daily archives imported, a first run after a long stop): the poll's own time. The
    # values are known to hold at t, so growth keeps its size and is dated at most one bracket late.
    return False, t
