"""The indexed reads of the family screen and the leaderboard return what a plain scan of the tables does."""

from __future__ import annotations

import random
from pathlib import Path

from hfwatch.engine import store_records
from hfwatch.records import Lane, ModelRecord, PollResult
from hfwatch.registry import load_registry
from hfwatch.store import Store, growth, queries

DAY = 86400
HOUR = 3600
T0 = 20_000 * DAY
REGISTRY = load_registry()
MODELS = [f"Qwen/Qwen3-{n}B" for n in range(12)] + [f"meta-llama/Llama-{n}" for n in range(6)]


def _history(path: Path) -> Store:
    """Hourly polls over 20 days; counters step at a daily refresh, some models missing for days, creation
    times with ties and unknowns."""
    rng = random.Random(3)
    created = {m: rng.choice((None, T0 - DAY, T0 - rng.randrange(1, 5) * DAY)) for m in MODELS}
    per_day = {m: rng.randrange(0, 5000) for m in MODELS}
    store = Store(path)
    for t in range(T0, T0 + 20 * DAY, HOUR):
        k = (t - T0 - 6 * HOUR) // DAY
        records = [
            ModelRecord(
                id=m,
                downloads_30d=per_day[m],
                downloads_all_time=10_000 + per_day[m] * max(0, k),
                created_at=created[m],
            )
            for i, m in enumerate(MODELS)
            if (i + t // (4 * DAY)) % 5
        ]
        store_records(store, PollResult(lane=Lane.SLOW, started=t, finished=t, records=records), REGISTRY)
    return store


def test_spans_equal_a_scan_of_the_spans_table(tmp_path: Path) -> None:
    with _history(tmp_path / "h.sqlite") as store:
        conn = store.conn
        for scope in ("ecosystem", "first-party"):
            for until, since in ((T0 + 20 * DAY, T0 + 12 * DAY), (T0 + 9 * DAY + 5, T0 + 2 * DAY), (T0, 0)):
                expected: dict[str, tuple[int, list[tuple[int, int, int, int]]]] = {}
                for fam, a in conn.execute(
                    "SELECT family, min(a) FROM spans WHERE scope = ? AND credited_t <= ? GROUP BY family",
                    (scope, until),
                ):
                    expected[fam] = (
                        a,
                        [
                            (r[0], r[1], r[2], r[3])
                            for r in conn.execute(
                                "SELECT a, b, growth, credited_t FROM spans WHERE scope = ? AND family = ?"
                                " AND credited_t <= ? AND b > ? ORDER BY b, a, credited_t",
                                (scope, fam, until, since),
                            )
                        ],
                    )
                assert growth.spans(conn, scope, until, since=since) == expected
                assert growth.spans(conn, scope, until, family="qwen", since=since) == {
                    f: v for f, v in expected.items() if f == "qwen"
                }
        assert any(spans for _, spans in growth.spans(conn, "ecosystem", T0 + 20 * DAY).values())


def test_family_newest_is_the_family_sorted_by_creation(tmp_path: Path) -> None:
    with _history(tmp_path / "h.sqlite") as store:
        rows = queries.family_models(store.conn, "qwen")
        newest = queries.family_newest(store.conn, "qwen", 5)
        assert [r.created_at for r in newest] == sorted((r.created_at for r in rows), key=lambda c: -(c or 0))[:5]
        assert {r.family for r in newest} == {"qwen"}
