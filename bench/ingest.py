"""Ingest: a poll of N models parsed from the Hub's JSON, attributed and stored, against raw
`executemany` of the same writes on the same kind of file.

First poll: the store inserts N new models into an empty file; the baseline inserts the same model and
observation rows into another empty file with the same schema. Next day: the store updates the file the
first poll left; the baseline runs the same counter UPDATEs and observation inserts on a copy of that
very file (taken before the store's update), so both touch the same 50k-row table and indexes.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.catalogue import build, bump
from bench.report import Figure, summary
from bench.stats import median, timed
from hfwatch.analysis.attribution import attribute_all
from hfwatch.hub.decode import decode_page
from hfwatch.records import Attribution, Lane, ModelRecord, PollResult
from hfwatch.registry import Registry
from hfwatch.store import Store

T0 = 1_793_574_000
BUDGET = ">= 0.5"
# The next hour's poll: the Hub refreshes counters about daily, so ~1/24 of the models moved.
STEADY_SHARE = 1 / 24
PHASES = {
    "first": "first poll (all new)",
    "next_day": "next day (all changed)",
    "next_hour": "next hour (1/24 changed)",
}

_MODEL_SQL = (
    "INSERT INTO models (mid, id, author, family, base_family, publisher_family, via, country, base_model,"
    " created_at, pipeline, library, params, gated, first_seen, last_seen, t, d30, dall, likes, trend)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
# The statements hfwatch.store.ingest runs for a model whose counters changed (its refresh bookkeeping, the
# endpoint columns and spans, is work the store does on top, counted against it).
_UPDATE_SQL = "UPDATE models SET last_seen=?, t=?, d30=?, dall=?, likes=?, trend=? WHERE mid=?"
_OBS_SQL = "INSERT OR REPLACE INTO observations (mid, t, d30, dall, likes, trend) VALUES (?,?,?,?,?,?)"


def counters(r: ModelRecord) -> tuple:
    return r.downloads_30d, r.downloads_all_time, r.likes, r.trending_score


def insert_rows(
    records: list[ModelRecord], attrs: dict[str, Attribution], t: int, first_mid: int = 1
) -> list[tuple[str, list]]:
    """A first poll's writes: every model (row numbers from `first_mid`) and its first observation."""
    models, observations = [], []
    for mid, r in enumerate(records, start=first_mid):
        a = attrs.get(r.id) or Attribution(family=None, via=None, country=None)
        models.append(
            (
                mid,
                r.id,
                r.namespace,
                a.family,
                a.base_family,
                a.publisher_family,
                a.via.value if a.via else None,
                a.country,
                a.base_model,
                r.created_at,
                r.pipeline_tag,
                r.library_name,
                r.params,
                r.gated,
                t,
                t,
                t,
                *counters(r),
            )
        )
        observations.append((mid, t, *counters(r)))
    return [(_MODEL_SQL, models), (_OBS_SQL, observations)]


def _update_rows(path: Path, before: list[ModelRecord], records: list[ModelRecord], t: int) -> list[tuple[str, list]]:
    """A later poll's writes for the models whose counters changed, with the mids of the file."""
    conn = sqlite3.connect(path)
    mids = dict(conn.execute("SELECT id, mid FROM models"))
    conn.close()
    old = {r.id: counters(r) for r in before}
    updates, observations = [], []
    for r in records:
        if counters(r) != old.get(r.id):
            mid = mids[r.id]
            updates.append((t, t, *counters(r), mid))
            observations.append((mid, t, *counters(r)))
    return [(_UPDATE_SQL, updates), (_OBS_SQL, observations)]


def _raw(path: Path, writes: list[tuple[str, list]]) -> float:
    """The same writes as bare executemany in one transaction, WAL and synchronous=NORMAL as the store."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL").fetchall()
    conn.execute("PRAGMA synchronous = NORMAL")

    def write() -> None:
        conn.execute("BEGIN IMMEDIATE")
        for sql, rows in writes:
            conn.executemany(sql, rows)
        conn.execute("COMMIT")

    took = timed(write)
    conn.close()
    return took


def _decode(body: bytes) -> tuple[list[ModelRecord], float]:
    """The page as the client reads it: `decode_page` (its typed pass, the collector paused)."""
    began = time.perf_counter()
    records = decode_page(body).records
    return records, time.perf_counter() - began


def _poll(
    store: Store, body: bytes, registry: Registry, t: int
) -> tuple[dict[str, float], list[ModelRecord], dict[str, Attribution]]:
    """One poll's stages, each timed."""
    records, decode_s = _decode(body)
    began = time.perf_counter()
    attrs = attribute_all(records, registry, known=store.attribution_of)
    attributed = time.perf_counter()
    store.ingest(PollResult(lane=Lane.SLOW, started=t - 60, finished=t, records=records), attrs, t=t)
    stored = time.perf_counter()
    out = {
        "decode_s": decode_s,
        "attribute_s": attributed - began,
        "store_s": stored - attributed,
        "models": len(records),
    }
    out["pipeline_s"] = decode_s + out["attribute_s"] + out["store_s"]
    return out, records, attrs


def _snapshot(store: Store, to: Path) -> None:
    """A copy of the store's file as it is now (the WAL folded in first)."""
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    shutil.copyfile(store.path, to)


def _rep(tmp: Path, rep: int, bodies: dict[str, bytes], registry: Registry) -> tuple[dict, dict]:
    runs, raw = {}, {}
    with Store(tmp / f"poll{rep}.sqlite") as store:
        timing, records, attrs = _poll(store, bodies["first"], registry, T0)
        runs["first"] = timing
        Store(tmp / f"raw{rep}-first.sqlite").close()  # the same schema, indexes and pragmas, empty
        raw["first"] = _raw(tmp / f"raw{rep}-first.sqlite", insert_rows(records, attrs, T0))
        later = (("next_day", T0 + 86400), ("next_hour", T0 + 86400 + 3600))
        for phase, t in later if "next_hour" in bodies else later[:1]:
            copy = tmp / f"raw{rep}-{phase}.sqlite"
            _snapshot(store, copy)
            timing, after, _ = _poll(store, bodies[phase], registry, t)
            runs[phase] = timing
            raw[phase] = _raw(copy, _update_rows(copy, records, after, t))
            records = after
    for f in tmp.glob(f"*{rep}*.sqlite*"):
        f.unlink()
    return runs, raw


def run(n: int, reps: int, registry: Registry, *, next_hour: bool = True) -> tuple[list[Figure], dict]:
    """`next_hour`: the hourly poll's phase too (no budget: the quick run leaves it out)."""
    catalogue = build(n, registry, now=T0)
    day = bump(catalogue.items, 1.0)
    bodies = {"first": json.dumps(catalogue.items).encode(), "next_day": json.dumps(day).encode()}
    if next_hour:
        bodies["next_hour"] = json.dumps(bump(day, STEADY_SHARE, seed=13)).encode()
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in bodies}
    raw: dict[str, list[float]] = {k: [] for k in bodies}
    with tempfile.TemporaryDirectory(prefix="hfwatch-bench-ingest-") as tmp:
        for rep in range(reps):
            got, baseline = _rep(Path(tmp), rep, bodies, registry)
            for phase in bodies:
                runs[phase].append(got[phase])
                raw[phase].append(baseline[phase])
    figures: list[Figure] = []
    details: dict[str, object] = {"models": n, "reps": reps}
    for phase in ("first", "next_day"):
        label, rs = PHASES[phase], runs[phase]
        models = rs[0]["models"]
        figures += [
            summary(
                "ingest",
                f"{label}: pipeline",
                [models / r["pipeline_s"] for r in rs],
                "models/s",
                note="decode_page (as a poll reads a page) + attribute_all + Store.ingest" if phase == "first" else "",
            ),
            summary("ingest", f"{label}: Store.ingest", [models / r["store_s"] for r in rs], "models/s"),
            summary(
                "ingest",
                f"{label}: raw executemany",
                [models / s for s in raw[phase]],
                "models/s",
                note="the same inserts into an empty file of the same schema"
                if phase == "first"
                else "the same UPDATEs and observation inserts on a copy of the same 1-day-old file",
            ),
            # Paired: each repeat's store against the baseline run right after it.
            summary(
                "ingest",
                f"{label}: store ratio",
                [b / r["store_s"] for r, b in zip(rs, raw[phase], strict=True)],
                "x raw",
                BUDGET,
            ),
            summary(
                "ingest",
                f"{label}: pipeline ratio",
                [b / r["pipeline_s"] for r, b in zip(rs, raw[phase], strict=True)],
                "x raw",
                BUDGET,
                note="DESIGN §11: parse and attribution included" if phase == "first" else "",
            ),
        ]
        shares = {k: median([r[k] / r["pipeline_s"] for r in rs]) for k in ("decode_s", "attribute_s", "store_s")}
        details[phase] = {"runs": rs, "raw_s": raw[phase], "pipeline_share": shares}
    if not next_hour:
        return [*figures, _shares(details, reps)], details
    hour = runs["next_hour"]
    figures += [
        summary(
            "ingest",
            f"{PHASES['next_hour']}: Store.ingest",
            [r["store_s"] * 1e3 for r in hour],
            "ms",
            note=f"{n:,} models listed, ~{n * STEADY_SHARE:,.0f} changed: the steady hourly poll",
        ),
        summary("ingest", f"{PHASES['next_hour']}: raw executemany", [s * 1e3 for s in raw["next_hour"]], "ms"),
    ]
    details["next_hour"] = {"runs": hour, "raw_s": raw["next_hour"]}
    return [*figures, _shares(details, reps)], details


def _shares(details: dict, reps: int) -> Figure:
    first = details["first"]["pipeline_share"]
    return Figure(
        "ingest",
        "first poll: time share decode/attribute/store",
        " / ".join(f"{first[k]:.0%}" for k in ("decode_s", "attribute_s", "store_s")),
        "",
        n=reps,
        note="medians; decode = hfwatch.hub.decode.decode_page, as the client reads a page",
    )
