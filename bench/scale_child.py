"""One repeat of the deep-lane scale measurement, in a child process so its peak RSS is its own.

    python -m bench.scale_child DIR BASE MODELS T EXTRA_DAYS

In DIR, on copies of BASE (the synthetic year of the tracked models; "-" for an empty store): a first walk
of MODELS tail repos at T (all new to the file), the same inserts as raw executemany into another copy of
BASE; then the next day's walk (the repos whose counters the
simulated Hub moved are written) against the same UPDATEs and observation inserts on a copy of the file the
store then updates. EXTRA_DAYS more daily walks (untimed) give the storage figure more days. Prints one JSON
object: seconds per stage, raw seconds, peak RSS of each walk (VmHWM, reset between them) and file sizes.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

from bench.ingest import _OBS_SQL, _UPDATE_SQL, counters, insert_rows
from bench.scalewalk import DAY_S, Raw, WalkTiming, raw_walk, sim_tail, walk
from bench.ui_child import _peak_rss_mib
from hfwatch.analysis.attribution import attribute_all
from hfwatch.records import ModelRecord
from hfwatch.registry import Registry, load_registry
from hfwatch.store import Store, queries


def _reset_peak() -> bool:
    """Start VmHWM afresh (Linux >= 4.0), so the next walk's peak is not an earlier one's."""
    try:
        Path("/proc/self/clear_refs").write_text("5\n")
    except OSError:
        return False
    return True


def _inserts(registry: Registry) -> object:
    def rows(raw: Raw, records: list[ModelRecord], t: int) -> list[tuple[str, list]]:
        attrs = attribute_all(records, registry, known=lambda i: queries.attribution_of(raw.conn, i))
        writes = insert_rows(records, attrs, t, first_mid=raw.next_mid)
        raw.next_mid += len(records)
        return writes

    return rows


def _updates(raw: Raw, records: list[ModelRecord], t: int) -> list[tuple[str, list]]:
    """The changed repos' counter UPDATEs and observations, against what the file holds (read untimed)."""
    marks = ",".join("?" * len(records))
    old = {
        row[0]: (row[1], row[2:])
        for row in raw.conn.execute(
            f"SELECT id, mid, d30, dall, likes, trend FROM models WHERE id IN ({marks})", [r.id for r in records]
        )
    }
    updates, observations = [], []
    for r in records:
        mid, before = old[r.id]
        if counters(r) != before:
            updates.append((t, t, *counters(r), mid))
            observations.append((mid, t, *counters(r)))
    return [(_UPDATE_SQL, updates), (_OBS_SQL, observations)]


def _size(store: Store) -> dict[str, int]:
    """The file's bytes after a checkpoint (the WAL folded in), and each table's and index's."""
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    tables = dict(store.conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    free = (
        store.conn.execute("PRAGMA freelist_count").fetchone()[0] * store.conn.execute("PRAGMA page_size").fetchone()[0]
    )
    return {"file": store.path.stat().st_size, "free": free, **tables}


def _copy(base: Path | None, to: Path) -> None:
    if base is None:
        Store(to).close()  # the same schema, indexes and pragmas, empty
    else:
        shutil.copyfile(base, to)


def run(work: Path, base: Path | None, n: int, t: int, extra_days: int) -> dict[str, object]:
    registry = load_registry()
    tail = sim_tail(n, t)
    out: dict[str, object] = {"models": n, "t": t}
    walks: list[WalkTiming] = []
    sizes: list[dict[str, int]] = []
    raw_s: list[float] = []
    _copy(base, work / "walk.sqlite")
    _copy(base, work / "raw-first.sqlite")
    with Store(work / "walk.sqlite") as store:
        sizes.append(_size(store))
        out["peak_reset"] = _reset_peak()
        walks.append(walk(store, tail, registry, t))
        out["rss_first_mib"] = _peak_rss_mib()
        sizes.append(_size(store))
        raw = Raw.open(str(work / "raw-first.sqlite"))
        raw_walk(raw, tail, t, _inserts(registry))  # type: ignore[arg-type]
        raw_s.append(raw.seconds)
        raw.close()
        shutil.copyfile(store.path, work / "raw-next.sqlite")  # checkpointed by _size: the file is whole
        _reset_peak()
        walks.append(walk(store, tail, registry, t + DAY_S))
        out["rss_next_mib"] = _peak_rss_mib()
        sizes.append(_size(store))
        raw = Raw.open(str(work / "raw-next.sqlite"))
        raw_walk(raw, tail, t + DAY_S, _updates)
        raw_s.append(raw.seconds)
        raw.close()
        for day in range(2, 2 + extra_days):
            walks.append(walk(store, tail, registry, t + day * DAY_S))
            sizes.append(_size(store))
    times = [t + day * DAY_S for day in range(len(walks))]
    out.update(
        {
            "walks": [{**asdict(w), "pipeline_s": w.pipeline_s} for w in walks],
            "raw_s": raw_s,
            "sizes": sizes,
            "times": times,
        }
    )
    return out


def main(argv: list[str]) -> None:
    work, base, n, t, extra = Path(argv[0]), argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    print(json.dumps(run(work, None if base == "-" else Path(base), n, t, extra)))


if __name__ == "__main__":
    main(sys.argv[1:])
