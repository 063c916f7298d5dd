"""When the fast and slow lanes write a model's `followed` mark into a row they do not rewrite anyway: once
a day per model, at its own turn of the day, so that no hourly poll writes every row it lists."""

from __future__ import annotations

from collections import Counter

from hfwatch.store.followed import FOLLOW_WINDOW_S, mark_due
from hfwatch.timeunits import DAY_S, HOUR_S

T0 = 1_764_000_000 + 1_234  # a first poll at no particular hour


def test_hourly_polls_write_each_mark_once_a_day_and_a_24th_of_them_each_time() -> None:
    mids = range(1, 2_401)
    followed = dict.fromkeys(mids, T0)  # the first poll marked every model it listed
    writes: Counter[int] = Counter()
    per_poll = []
    for hour in range(1, 3 * 24 + 1):
        t = T0 + hour * HOUR_S
        due = [mid for mid in mids if mark_due(followed[mid], t, mid)]
        for mid in due:
            followed[mid] = t
            writes[mid] += 1
        per_poll.append(len(due))
        assert t - min(followed.values()) < 2 * DAY_S < FOLLOW_WINDOW_S, "a listed model stays inside the window"
    assert per_poll[:11] == [0] * 11, "nothing written in the half day after the poll that marked them"
    assert max(per_poll) == len(mids) // 24, per_poll
    assert set(writes.values()) <= {2, 3} and min(writes.values()) == 2, "about once a day each"


def test_a_model_never_marked_is_marked_at_once() -> None:
    assert mark_due(None, T0, 7)
    assert not mark_due(T0, T0 + HOUR_S, 7)
