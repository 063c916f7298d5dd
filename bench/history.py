"""A synthetic year of history written straight into the real schema, as ingest would have left it.

Polls: one slow poll a day (23:00 UTC) for a year, then one an hour for the last 7 days, plus the fast
lane's poll rows every 5 minutes in that week. The Hub refreshes counters about once a day, at an hour
of its own per model (reference/hub-api.md): each refresh adds the model's daily downloads R. So a
model gets one observation per day, the hottest 1% (trending score moving) one per hourly poll:
change-only storage as ingest writes it.

Observations are computed by SQLite from a table of per-model parameters crossed with the poll times;
the rollups are the same counters summed in closed form (difference arrays over the polls), so the two
agree exactly (checked at the end) and a 50k-model year builds in well under a minute. Observations go
in model by model: a poll-by-poll insertion order gives the same file size (SQLite keeps leaf pages as
full either way; measured), it only builds slower.

Consistency with ingest: models hold the last observed counters; rollups and totals are the sums of the
latest counters per family x scope, `growth` the running sum of downloadsAllTime increases of models
already known; new-release events are written when a tracked model is first seen within 7 days of its
creation.
"""

from __future__ import annotations

import bisect
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.catalogue import build, record_of
from hfwatch.analysis.attribution import attribute_all
from hfwatch.records import Attribution, Via
from hfwatch.registry import Registry
from hfwatch.store import Store
from hfwatch.store.ingest import NEW_RELEASE_WINDOW_S
from hfwatch.store.maintenance import DEFAULT_POLICY, day_start, week_start
from hfwatch.store.schema import ROLLUP_BUCKET_S

DAY = 86400
HOUR = 3600
NOW = 1_793_574_000  # 2026-11-01T23:00:00Z: the last poll of the synthetic year
HOURLY_DAYS = 7
YEAR_DAYS = 365
HOT_SHARE = 0.01
NEW_SHARE = 0.10  # of the tracked models, released during the year
TRENDING_EVENTS_PER_DAY = 3
D30_DAYS = 30

# n = refreshes since creation; the counters are R*min(30, n) and R*n. Rows exist on first sight, at
# every daily poll (a day always holds one refresh), and at an hourly poll after a refresh or, for a
# hot model, always (its trending score moves).
_OBSERVATIONS = """
INSERT INTO observations (mid, t, d30, dall, likes, trend)
SELECT mid, t, r * min(30, n), r * n, r * n / 1000, CASE WHEN hot THEN r / 10 + (t / 3600) % 7 ELSE 0 END
FROM (SELECT p.mid, p.r, p.hot, p.phase, p.first_seen, g.t, g.hourly,
             max(0, (g.t - p.phase) / 86400 - (p.created - p.phase) / 86400) AS n
      FROM p CROSS JOIN g WHERE g.t >= p.first_seen)
WHERE t = first_seen OR NOT hourly OR hot OR (t - phase) % 86400 < 3600
"""


@dataclass(frozen=True, slots=True)
class History:
    path: Path
    models: int
    days: int
    observations: int
    now: int
    build_s: float
    biggest_family: str


@dataclass(slots=True)
class _Model:
    mid: int
    item: dict
    attr: Attribution
    created: int
    r: int  # downloads per day
    phase: int  # seconds after midnight UTC at which the Hub refreshes this model's counters
    hot: bool
    first_seen: int = 0  # index into the poll times

    @property
    def family(self) -> str | None:
        return self.attr.family

    @property
    def org(self) -> bool:
        return self.attr.via is Via.ORG


@dataclass(slots=True)
class _Sums:
    """One family x scope over the polls, as difference arrays (slope and intercept in the poll index)."""

    n: int
    models: list[int] = field(init=False)
    first_dall: list[int] = field(init=False)
    slope: list[int] = field(init=False)
    icpt: list[int] = field(init=False)
    slope30: list[int] = field(init=False)
    icpt30: list[int] = field(init=False)
    hourly_dall: list[int] = field(init=False)
    hourly_d30: list[int] = field(init=False)

    def __post_init__(self) -> None:
        for name in ("models", "first_dall", "slope", "icpt", "slope30", "icpt30", "hourly_dall", "hourly_d30"):
            setattr(self, name, [0] * (self.n + 1))


def poll_times(now: int = NOW) -> list[int]:
    hourly_from = now - HOURLY_DAYS * DAY
    daily = [now - d * DAY for d in range(YEAR_DAYS, HOURLY_DAYS - 1, -1)]
    return daily + list(range(hourly_from + HOUR, now + 1, HOUR))


def _refreshes(m: _Model, t: int) -> int:
    return max(0, (t - m.phase) // DAY - (m.created - m.phase) // DAY)


def _models(n: int, registry: Registry, rng: random.Random, times: list[int], now: int) -> list[_Model]:
    catalogue = build(n, registry, now=now, seed=rng.randrange(1 << 30))
    attrs = attribute_all([record_of(i) for i in catalogue.items], registry)
    drafts = []
    for item in catalogue.items:
        a = attrs[item["id"]]
        created = (
            rng.randint(times[0], now - HOUR) if rng.random() < NEW_SHARE else times[0] - rng.randint(1, 800) * DAY
        )
        drafts.append((item, a, created))
    # Discovery order: models older than the year grouped by family (as the slow lane lists them),
    # then the year's releases as they appeared.
    old = sorted((d for d in drafts if d[2] < times[0]), key=lambda d: (d[1].family or "~", d[1].via is not Via.ORG))
    new = sorted((d for d in drafts if d[2] >= times[0]), key=lambda d: d[2])
    rates = sorted((max(2, d[0]["downloads"] // 30) for d in drafts), reverse=True)
    hot_cut = rates[max(0, int(len(rates) * HOT_SHARE) - 1)]
    out = []
    for mid, (item, a, created) in enumerate(old + new, start=1):
        r = max(2, item["downloads"] // 30)
        m = _Model(mid, item, a, created, r, rng.randrange(DAY), r >= hot_cut)
        m.first_seen = bisect.bisect_left(times, created)
        out.append(m)
    return out


def _keys(m: _Model) -> Iterator[tuple[str, str]]:
    if m.family is not None:
        yield (m.family, "ecosystem")
        if m.org:
            yield (m.family, "first-party")


def _rollups(models: list[_Model], times: list[int]) -> list[tuple]:
    """Per poll and family x scope: the sums of every known model's latest counters, in closed form."""
    k_daily = times.index(NOW - HOURLY_DAYS * DAY) + 1 if NOW - HOURLY_DAYS * DAY in times else len(times)
    hourly_from = times[k_daily - 1]
    sums: dict[tuple[str, str], _Sums] = {}
    for m in models:
        keys = list(_keys(m))
        if not keys:
            continue
        # Daily polls k: n(k) = max(0, k + b), b the refreshes by the first poll (negative before creation).
        b = (
            _refreshes(m, times[0])
            if m.created <= times[0]
            else (times[0] - m.phase) // DAY - (m.created - m.phase) // DAY
        )
        start = max(0, -b)
        cap = max(start, D30_DAYS - b)  # from here on d30 stays at 30 days' worth
        first = m.r * _refreshes(m, times[m.first_seen])
        events = []
        r_time = hourly_from + (m.phase - hourly_from) % DAY
        if r_time == hourly_from:
            r_time += DAY
        n = _refreshes(m, hourly_from)
        while r_time <= times[-1]:
            if r_time > m.created:
                events.append((k_daily - 1 + -(-(r_time - hourly_from) // HOUR), n < D30_DAYS))
                n += 1
            r_time += DAY
        for key in keys:
            s = sums.get(key)
            if s is None:
                s = sums[key] = _Sums(len(times))
            s.models[m.first_seen] += 1
            s.first_dall[m.first_seen] += first
            if start < k_daily:
                s.slope[start] += m.r
                s.icpt[start] += m.r * b
                if cap > start:
                    s.slope30[start] += m.r
                    s.icpt30[start] += m.r * b
                    if cap < k_daily:
                        s.slope30[cap] -= m.r
                        s.icpt30[cap] += m.r * (D30_DAYS - b)
                else:
                    s.icpt30[start] += m.r * D30_DAYS
            for index, grows_d30 in events:
                s.hourly_dall[index] += m.r
                if grows_d30:
                    s.hourly_d30[index] += m.r
    rows = []
    for (family, scope), s in sums.items():
        known = first = slope = icpt = slope30 = icpt30 = 0
        dall = d30 = 0
        for k, t in enumerate(times):
            known += s.models[k]
            first += s.first_dall[k]
            if k < k_daily:
                slope += s.slope[k]
                icpt += s.icpt[k]
                slope30 += s.slope30[k]
                icpt30 += s.icpt30[k]
                dall, d30 = slope * k + icpt, slope30 * k + icpt30
            else:
                dall += s.hourly_dall[k]
                d30 += s.hourly_d30[k]
            rows.append((scope, t - t % ROLLUP_BUCKET_S, family, t, known, d30, dall, dall - first))
    return rows


def generate(path: Path, n: int, registry: Registry, *, seed: int = 5, now: int = NOW) -> History:
    began = time.perf_counter()
    rng = random.Random(seed)
    times = poll_times(now)
    hourly_from = now - HOURLY_DAYS * DAY
    models = _models(n, registry, rng, times, now)

    Store(path).close()  # the real schema, pragmas, application id and version
    conn = sqlite3.connect(path)
    conn.isolation_level = None
    # Build speed only: the file goes back to WAL and is checkpointed before anything is measured.
    conn.execute("PRAGMA journal_mode = OFF").fetchall()
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -500000")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("BEGIN")
    conn.execute(
        "CREATE TEMP TABLE p (mid INTEGER PRIMARY KEY, r INTEGER, created INTEGER, phase INTEGER,"
        " hot INTEGER, first_seen INTEGER)"
    )
    conn.execute("CREATE TEMP TABLE g (t INTEGER PRIMARY KEY, hourly INTEGER)")
    conn.executemany("INSERT INTO g VALUES (?, ?)", [(t, t > hourly_from) for t in times])
    conn.executemany(
        "INSERT INTO p VALUES (?,?,?,?,?,?)",
        [(m.mid, m.r, m.created, m.phase, m.hot, times[m.first_seen]) for m in models],
    )
    observations = conn.execute(_OBSERVATIONS).rowcount

    rollups = _rollups(models, times)
    # Every synthetic poll lists every model, so each one credits growth: tg = t, and (tg0, g0) = (t, growth).
    conn.executemany(
        "INSERT INTO rollups (scope, h, family, t, models, d30, dall, growth, tg, tg0, g0)"
        " VALUES (?,?,?,?,?,?,?,?,?4,?4,?8)",
        rollups,
    )
    conn.execute(
        "INSERT INTO totals (scope, family, models, d30, dall, growth, tg)"
        " SELECT scope, family, models, d30, dall, growth, tg FROM rollups WHERE t = ?",
        (now,),
    )
    conn.executemany(
        "INSERT INTO models (mid, id, author, family, base_family, publisher_family, via, country, base_model,"
        " created_at, pipeline, library, params, gated, first_seen, last_seen)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                m.mid,
                m.item["id"],
                m.item["author"],
                *_attribution(m),
                m.created,
                m.item["pipeline_tag"],
                m.item["library_name"],
                m.item["safetensors"]["total"],
                "false",
                times[m.first_seen],
                now,
            )
            for m in models
        ],
    )
    conn.execute(
        "UPDATE models SET (t, d30, dall, likes, trend) = (SELECT t, d30, dall, likes, trend"
        " FROM observations o WHERE o.mid = models.mid ORDER BY t DESC LIMIT 1)"
    )
    _polls(conn, models, times, hourly_from)
    _events(conn, models, times, rng, now)
    _check(conn)
    _maintained(conn, now)
    biggest = conn.execute(
        "SELECT family FROM models WHERE family IS NOT NULL GROUP BY family ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    conn.execute("DROP TABLE p")
    conn.execute("DROP TABLE g")
    conn.execute("COMMIT")
    conn.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL").fetchall()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    conn.close()
    return History(
        path=path,
        models=len(models),
        days=YEAR_DAYS,
        observations=observations,
        now=now,
        build_s=time.perf_counter() - began,
        biggest_family=biggest[0] if biggest else "",
    )


def _attribution(m: _Model) -> tuple:
    a = m.attr
    return (a.family, a.base_family, a.publisher_family, a.via.value if a.via else None, a.country, a.base_model)


def _polls(conn: sqlite3.Connection, models: list[_Model], times: list[int], hourly_from: int) -> None:
    seen = [0] * len(times)
    for m in models:
        seen[m.first_seen] += 1
    known = 0
    polls = []
    for k, t in enumerate(times):
        known += seen[k]
        polls.append(("slow", t - 240, t, 150, 40_000_000, known, seen[k]))
    polls.extend(("fast", t - 3, t, 2, 150_000, 300, 0) for t in range(hourly_from, times[-1], 300))
    polls.sort(key=lambda p: p[2])
    conn.executemany(
        "INSERT INTO polls (lane, started, finished, status, requests, bytes, models, new_models)"
        " VALUES (?, ?, ?, 'ok', ?, ?, ?, ?)",
        polls,
    )


def _events(conn: sqlite3.Connection, models: list[_Model], times: list[int], rng: random.Random, now: int) -> None:
    events: list[tuple[int, str, int, int | None]] = [
        (times[m.first_seen], "new", m.mid, None)
        for m in models
        if m.family is not None and m.created >= times[m.first_seen] - NEW_RELEASE_WINDOW_S
    ]
    hot = [m.mid for m in models if m.hot and m.family is not None]
    for day in range(YEAR_DAYS if hot else 0):
        for _ in range(TRENDING_EVENTS_PER_DAY):
            events.append((now - day * DAY - rng.randrange(DAY), "trending", rng.choice(hot), rng.randint(1, 20)))
    conn.executemany("INSERT INTO events (t, kind, mid, rank) VALUES (?,?,?,?)", sorted(events))
    conn.executemany("INSERT INTO trending (mid, rank) VALUES (?, ?)", [(mid, r) for r, mid in enumerate(hot[:100], 1)])


def _maintained(conn: sqlite3.Connection, now: int) -> None:
    """Mark the file as maintained up to `now`, as a monitor running all year would have left it (the
    history is written at the resolutions the default policy keeps)."""
    p = DEFAULT_POLICY
    marks = {
        "maintenance.last_day": now // DAY,
        "maintenance.pending": 0,
        "maintenance.observations_daily_until": day_start(now - p.raw_days * DAY),
        "maintenance.observations_weekly_until": week_start(now - p.daily_days * DAY),
        "maintenance.rollups_daily_until": day_start(now - p.rollup_hourly_days * DAY),
    }
    conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [(k, str(v)) for k, v in marks.items()])


def _check(conn: sqlite3.Connection) -> None:
    """The closed-form totals must equal the sums of the models' last observed counters."""
    want = {
        (f, s): (n, d30, dall)
        for s, f, n, d30, dall in conn.execute(
            "SELECT 'ecosystem', family, count(*), sum(d30), sum(dall) FROM models WHERE family IS NOT NULL"
            " GROUP BY family UNION ALL SELECT 'first-party', family, count(*), sum(d30), sum(dall) FROM models"
            " WHERE via = 'org' GROUP BY family"
        )
    }
    got = {
        (f, s): (n, d30, dall)
        for s, f, n, d30, dall in conn.execute("SELECT scope, family, models, d30, dall FROM totals")
    }
    if want != got:
        bad = sorted(k for k in want.keys() | got.keys() if want.get(k) != got.get(k))[:3]
        detail = [(k, want.get(k), got.get(k)) for k in bad]
        raise AssertionError(f"synthetic rollups disagree with the models: {detail}")
