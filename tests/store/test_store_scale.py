"""What keeps a poll O(changed models): family totals carried by deltas, no write for unchanged models,
and the reads the dashboard makes staying on their indexes."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from hfwatch.records import Attribution, Lane, ModelRecord, PollResult, Via
from hfwatch.store import Store, queries, rollups
from hfwatch.store.ingest import LAST_SEEN_RESOLUTION_S, rebuild_totals

FAMILIES = ("qwen", "llama", "gemma")


def _attr(rng: random.Random) -> Attribution:
    family = rng.choice((*FAMILIES, None))
    if family is None:
        return Attribution(family=None, via=None, country=None)
    via = rng.choice((Via.ORG, Via.LINEAGE, Via.NAME))
    return Attribution(family=family, via=via, country="CN", base_family=family)


def _count(rng: random.Random, old: int | None) -> int | None:
    if rng.random() < 0.05:
        return None  # the Hub left it out
    base = old if old is not None else rng.randint(0, 1000)
    return max(0, base + rng.randint(-20, 100))


def _sums(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[int, int, int]]:
    out = {}
    for scope, where in (("ecosystem", "family IS NOT NULL"), ("first-party", "via = 'org'")):
        for family, n, d30, dall in conn.execute(
            f"SELECT family, count(*), coalesce(sum(d30), 0), coalesce(sum(dall), 0) FROM models WHERE {where}"
            " GROUP BY family"
        ):
            out[(scope, family)] = (n, d30, dall)
    return out


def test_totals_carried_by_deltas_equal_a_full_recount(tmp_path: Path) -> None:
    rng = random.Random(3)
    ids = [f"org{i % 7}/m{i}" for i in range(60)]
    state: dict[str, tuple[int | None, int | None]] = {}
    attrs: dict[str, Attribution] = {}
    with Store(tmp_path / "h.sqlite") as store:
        for poll in range(40):
            t = 1_790_000_000 + poll * 3600
            listed = rng.sample(ids, rng.randint(5, 50))
            records = []
            for model_id in listed:
                d30, dall = state.get(model_id, (None, None))
                state[model_id] = (_count(rng, d30), _count(rng, dall))
                if model_id not in attrs or rng.random() < 0.1:  # a registry change re-attributes it
                    attrs[model_id] = _attr(rng)
                records.append(
                    ModelRecord(
                        id=model_id,
                        author=model_id.split("/")[0],
                        downloads_30d=state[model_id][0],
                        downloads_all_time=state[model_id][1],
                    )
                )
            records.append(records[0])  # listed twice in one poll: counted once
            store.ingest(PollResult(lane=Lane.SLOW, started=t, finished=t, records=records), attrs, t=t)
            totals = {
                (s, f): (n, d30, dall)
                for s, f, n, d30, dall in store.conn.execute("SELECT scope, family, models, d30, dall FROM totals")
            }
            recount = _sums(store.conn)
            assert {k: v for k, v in totals.items() if v != (0, 0, 0)} == recount
            latest = {
                (p.t, f): (p.models, p.d30, p.dall)
                for f, pts in rollups.rollup_series(store.conn, "ecosystem", t).items()
                for p in pts[-1:]
            }
            assert all(latest[(t, f)] == totals[("ecosystem", f)] for (_, f) in latest)
        growth = dict(store.conn.execute("SELECT scope || '/' || family, growth FROM totals").fetchall())
        store.conn.execute("BEGIN")
        rebuild_totals(store.conn)
        rebuilt = dict(store.conn.execute("SELECT scope || '/' || family, growth FROM totals").fetchall())
        store.conn.execute("ROLLBACK")
        assert rebuilt == growth


def test_unchanged_models_are_not_rewritten(tmp_path: Path) -> None:
    qwen = Attribution(family="qwen", via=Via.ORG, country="CN", base_family="qwen", publisher_family="qwen")
    records = [
        ModelRecord(id=f"Qwen/m{i}", author="Qwen", downloads_30d=i, downloads_all_time=10 * i) for i in range(50)
    ]
    attrs = {r.id: qwen for r in records}
    t0 = 1_790_000_000
    with Store(tmp_path / "h.sqlite") as store:
        store.ingest(PollResult(lane=Lane.SLOW, started=t0, finished=t0, records=records), attrs, t=t0)
        before = store.conn.total_changes
        summary = store.ingest(
            PollResult(lane=Lane.SLOW, started=t0 + 3600, finished=t0 + 3600, records=records), attrs, t=t0 + 3600
        )
        assert summary.changed == 0
        # The poll row, and per scope one rollup row and the totals' credit time: nothing per model.
        assert store.conn.total_changes - before <= 1 + 2 * 2
        row = queries.model_by_id(store.conn, "Qwen/m1")
        assert row is not None and row.last_seen == t0
        later = t0 + LAST_SEEN_RESOLUTION_S + 1
        store.ingest(PollResult(lane=Lane.SLOW, started=later, finished=later, records=records), attrs, t=later)
        row = queries.model_by_id(store.conn, "Qwen/m1")
        assert row is not None and row.last_seen == later


def _plan(conn: sqlite3.Connection, sql: str, args: tuple = ()) -> str:
    return " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))


def test_dashboard_reads_stay_on_their_indexes(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite") as store:
        conn = store.conn
        newest = _plan(conn, "SELECT (SELECT max(created_at) FROM models WHERE via = 'org' AND family = 'qwen')")
        assert "models_newest" in newest
        releases = _plan(
            conn,
            "SELECT family, country, count(*) FROM models INDEXED BY models_created"
            " WHERE created_at >= ? AND family IS NOT NULL GROUP BY family, country",
            (0,),
        )
        assert "COVERING INDEX models_created" in releases
        family = _plan(conn, "SELECT mid FROM models WHERE family = ? AND via = 'org' ORDER BY d30 DESC", ("q",))
        assert "models_family" in family and "TEMP B-TREE" not in family
        # Every poll's gap check: the newest creation time of any model, untracked ones included, is one seek.
        newest_any = _plan(conn, "SELECT max(created_at) FROM models")
        assert "models_created" in newest_any and "SCAN" not in newest_any


def test_dashboard_queries_answer_the_same_as_a_plain_scan(tmp_path: Path) -> None:
    rng = random.Random(5)
    with Store(tmp_path / "h.sqlite") as store:
        records, attrs = [], {}
        for i in range(300):
            model_id = f"org{i % 9}/m{i}"
            records.append(
                ModelRecord(
                    id=model_id,
                    author=f"org{i % 9}",
                    downloads_30d=rng.randint(0, 99),
                    downloads_all_time=rng.randint(0, 999),
                    created_at=rng.choice((None, rng.randint(0, 10**6))),
                )
            )
            attrs[model_id] = _attr(rng)
        for poll, t in enumerate((10**6, 10**6 + 86400)):
            batch = (
                records
                if poll == 0
                else [
                    ModelRecord(
                        id=r.id,
                        author=r.author,
                        downloads_30d=r.downloads_30d,
                        downloads_all_time=(r.downloads_all_time or 0) + rng.randint(-5, 50),
                        created_at=r.created_at,
                    )
                    for r in records
                ]
            )
            store.ingest(PollResult(lane=Lane.SLOW, started=t, finished=t, records=batch), attrs, t=t)
        conn = store.conn
        plain_newest = dict(
            conn.execute(
                "SELECT family, max(created_at) FROM models NOT INDEXED"
                " WHERE family IS NOT NULL AND via = 'org' GROUP BY family"
            ).fetchall()
        )
        assert queries.newest_release(conn) == plain_newest
        plain_counts = sorted(
            conn.execute(
                "SELECT family, country, count(*) FROM models NOT INDEXED WHERE created_at >= ? AND family IS NOT NULL"
                " GROUP BY family, country",
                (500_000,),
            ).fetchall()
        )
        assert sorted(queries.release_counts(conn, 500_000)) == plain_counts


def test_leaderboard_from_the_points_it_reads_equals_the_whole_series(tmp_path: Path, monkeypatch) -> None:
    from hfwatch.analysis import views
    from hfwatch.records import Metric, Scope
    from hfwatch.registry import Family, OrgRule, Registry

    registry = Registry(
        [Family(id=f, name=f, developer=f, country="CN", orgs=(OrgRule(f"org-{f}"),)) for f in FAMILIES]
    )
    rng = random.Random(11)
    attrs = {}
    t = 1_790_000_000
    with Store(tmp_path / "h.sqlite") as store:
        dall: dict[str, int] = {}
        for _ in range(120):
            t += rng.choice((300, 1800, 3600, 3600, 7200, 86400, 3 * 86400))  # bursts, hours, gaps
            records = []
            for i in range(rng.randint(1, 12)):
                family = FAMILIES[i % (1 + min(2, t // 86400 % 3))]  # families join at different times
                model_id = f"org-{family}/m{i}"
                dall[model_id] = dall.get(model_id, 0) + rng.randint(-3, 60)
                attrs[model_id] = Attribution(family=family, via=rng.choice((Via.ORG, Via.LINEAGE)), country="CN")
                records.append(
                    ModelRecord(
                        id=model_id,
                        author=f"org-{family}",
                        downloads_30d=rng.randint(0, 99),
                        downloads_all_time=max(0, dall[model_id]),
                    )
                )
            store.ingest(PollResult(lane=Lane.SLOW, started=t, finished=t, records=records), attrs, t=t)
        conn = store.conn

        def board(now: int, **kw: object) -> list[tuple]:
            return [
                (
                    r.family,
                    r.rank,
                    r.rank_change,
                    r.rate_per_day,
                    r.downloads_30d,
                    r.downloads_all_time,
                    r.models,
                    r.spark,
                    r.share,
                )
                for r in views.leaderboard(conn, registry, now=now, **kw)
            ]

        cases = [
            (now, scope, metric, window, points)
            for now in (t, t - 1, t - 5000, t - 2 * 86400 + 17)
            for scope in (Scope.ECOSYSTEM, Scope.FIRST_PARTY)
            for metric in (Metric.RATE, Metric.DOWNLOADS_30D, Metric.DOWNLOADS_ALL_TIME)
            for window, points in ((86400, 24), (7 * 86400, 7), (30 * 86400, 40))
        ]
        thin = [board(now, scope=s, metric=m, rate_window_s=w, spark_points=p) for now, s, m, w, p in cases]
        monkeypatch.setattr(
            rollups, "rollup_series_at", lambda conn, scope, since, times: rollups.rollup_series(conn, scope, since)
        )
        whole = [board(now, scope=s, metric=m, rate_window_s=w, spark_points=p) for now, s, m, w, p in cases]
        assert thin == whole
        assert any(row[3] is not None for rows in thin for row in rows)
