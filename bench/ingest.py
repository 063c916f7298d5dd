"""Ingest: a poll of N models parsed from the Hub's JSON, attributed and stored, against raw
`executemany` of the same rows into the same tables of a fresh file."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.catalogue import build, bump
from bench.report import Figure, check
from bench.stats import median, timed
from hfwatch.analysis.attribution import attribute_all
from hfwatch.hub.parse import parse_page
from hfwatch.records import Attribution, Lane, ModelRecord, PollResult
from hfwatch.registry import Registry
from hfwatch.store import Store

T0 = 1_793_574_000
BUDGET = ">= 0.5"
# The next hour's poll: the Hub refreshes counters about daily, so ~1/24 of the models moved.
STEADY_SHARE = 1 / 24

_MODEL_SQL = ("INSERT INTO models (mid, id, author, family, base_family, publisher_family, via, country, base_model,"
              " created_at, pipeline, library, params, gated, first_seen, last_seen, t, d30, dall, likes, trend)"
              " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
_OBS_SQL = "INSERT INTO observations (mid, t, d30, dall, likes, trend) VALUES (?,?,?,?,?,?)"


def _rows(records: list[ModelRecord], attrs: dict[str, Attribution], t: int) -> tuple[list[tuple], list[tuple]]:
    """The rows a poll of these models writes: what the raw baseline inserts."""
    models, observations = [], []
    for mid, r in enumerate(records, start=1):
        a = attrs.get(r.id) or Attribution(family=None, via=None, country=None)
        counters = (r.downloads_30d, r.downloads_all_time, r.likes, r.trending_score)
        models.append((mid, r.id, r.namespace, a.family, a.base_family, a.publisher_family,
                       a.via.value if a.via else None, a.country, a.base_model, r.created_at, r.pipeline_tag,
                       r.library_name, r.params, r.gated, t, t, t, *counters))
        observations.append((mid, t, *counters))
    return models, observations


def _raw(path: Path, models: list[tuple], observations: list[tuple]) -> float:
    Store(path).close()  # the same schema, indexes and pragmas as the real file
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL").fetchall()
    conn.execute("PRAGMA synchronous = NORMAL")

    def insert() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_MODEL_SQL, models)
        conn.executemany(_OBS_SQL, observations)
        conn.execute("COMMIT")

    took = timed(insert)
    conn.close()
    return took


def _poll(store: Store, body: bytes, registry: Registry,
          t: int) -> tuple[dict[str, float], tuple[list[tuple], list[tuple]]]:
    """One poll's stages, each timed; and the rows it wrote, for the raw baseline."""
    began = time.perf_counter()
    items = json.loads(body)
    parsed = time.perf_counter()
    records = parse_page(items).records
    recorded = time.perf_counter()
    attrs = attribute_all(records, registry, known=store.attribution_of)
    attributed = time.perf_counter()
    store.ingest(PollResult(lane=Lane.SLOW, started=t - 60, finished=t, records=records), attrs, t=t)
    stored = time.perf_counter()
    out = {"json_s": parsed - began, "parse_s": recorded - parsed, "attribute_s": attributed - recorded,
           "store_s": stored - attributed, "pipeline_s": stored - began, "models": len(records)}
    return out, _rows(records, attrs, t)


def run(n: int, reps: int, registry: Registry) -> tuple[list[Figure], dict]:
    catalogue = build(n, registry, now=T0)
    bodies = {
        "first": json.dumps(catalogue.items).encode(),
        "next_day": json.dumps(bump(catalogue.items, 1.0)).encode(),
        "next_hour": json.dumps(bump(bump(catalogue.items, 1.0), STEADY_SHARE, seed=13)).encode(),
    }
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in bodies}
    raw: dict[str, list[float]] = {k: [] for k in bodies}
    with tempfile.TemporaryDirectory(prefix="hfwatch-bench-ingest-") as tmp:
        for rep in range(reps):
            with Store(Path(tmp) / f"poll{rep}.sqlite") as store:
                for i, (phase, body) in enumerate(bodies.items()):
                    t = T0 + i * 86400 if phase != "next_hour" else T0 + 86400 + 3600
                    timing, (model_rows, obs_rows) = _poll(store, body, registry, t)
                    runs[phase].append(timing)
                    raw[phase].append(_raw(Path(tmp) / f"raw{rep}-{phase}.sqlite", model_rows, obs_rows))
    figures: list[Figure] = []
    details: dict[str, object] = {"models": n, "reps": reps}
    for phase in ("first", "next_day"):
        store_s = median([r["store_s"] for r in runs[phase]])
        pipe_s = median([r["pipeline_s"] for r in runs[phase]])
        raw_s = median(raw[phase])
        models = runs[phase][0]["models"]
        label = "first poll (all new)" if phase == "first" else "next day (all changed)"
        figures += [
            Figure("ingest", f"{label}: pipeline", models / pipe_s, "models/s",
                   note="" if phase != "first" else "json.loads + parse_page + attribute_all + "
                                                    "Store.ingest; medians over reps"),
            Figure("ingest", f"{label}: Store.ingest", models / store_s, "models/s"),
            Figure("ingest", f"{label}: raw executemany", models / raw_s, "models/s"),
            Figure("ingest", f"{label}: store ratio", raw_s / store_s, "x raw", BUDGET,
                   check(raw_s / store_s, BUDGET)),
            Figure("ingest", f"{label}: pipeline ratio", raw_s / pipe_s, "x raw", BUDGET,
                   check(raw_s / pipe_s, BUDGET)),
        ]
        shares = {k: median([r[k] for r in runs[phase]]) / pipe_s for k in ("json_s", "parse_s", "attribute_s",
                                                                           "store_s")}
        details[phase] = {"runs": runs[phase], "raw_s": raw[phase], "pipeline_share": shares}
    hour = runs["next_hour"]
    figures.append(Figure("ingest", "next hour (1/24 changed): Store.ingest",
                          median([r["store_s"] for r in hour]) * 1e3, "ms",
                          note=f"{n:,} models listed, ~{n * STEADY_SHARE:,.0f} changed: the steady hourly poll"))
    details["next_hour"] = {"runs": hour, "raw_s": raw["next_hour"]}
    first = details["first"]["pipeline_share"]  # type: ignore[index]
    figures.append(Figure("ingest", "first poll: time share parse/attribute/store", " / ".join(
        f"{first[k]:.0%}" for k in ("parse_s", "attribute_s", "store_s")), "",
        note="parse = hfwatch.hub.parse.parse_page; json.loads is the rest"))
    return figures, details
