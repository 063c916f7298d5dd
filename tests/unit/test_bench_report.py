"""The benchmark's output format and its ingest baseline (no timings are asserted: the figures are the
bench's, these check that it reports and compares them as documented)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bench import docs
from bench.catalogue import build, bump
from bench.ingest import T0, _decode, _raw, _snapshot, _update_rows, insert_rows
from bench.report import Figure, summary, write_json
from hfwatch.analysis.attribution import attribute_all
from hfwatch.records import Lane, PollResult
from hfwatch.registry import load_registry
from hfwatch.store import Store

META = {
    "mode": "quick",
    "finished_at": 0,
    "seconds": 1.0,
    "cpus": 2,
    "python": "3",
    "sqlite": "3",
    "load_avg_1m_at_start": 1.0,
    "load_avg_1m_at_end": 2.0,
}


def test_summary_is_the_median_with_its_range_and_verdict() -> None:
    f = summary("s", "x", [30.0, 10.0, 25.0], "ms", "<= 20")
    assert (f.value, f.lo, f.hi, f.n, f.met) == (25.0, 10.0, 30.0, 3, False)
    assert summary("s", "x", [1.0, 0.4, 0.6], "x", ">= 0.5").met is True


def test_nothing_measured_is_unknown_not_zero() -> None:
    f = summary("s", "x", [], "ms", "<= 20")
    assert f.value is None and f.met is None
    assert "| – |" in docs.budget_table([f])


def test_json_carries_budget_and_verdict_of_every_budgeted_figure(tmp_path: Path) -> None:
    figures = [summary("s", "a", [1.0, 2.0, 3.0], "ms", "<= 2"), Figure("s", "b", 5, "")]
    write_json(tmp_path / "r.json", META, figures, {})
    out = json.loads((tmp_path / "r.json").read_text())["figures"]
    assert out[0]["budget"] == "<= 2" and out[0]["met"] is True and (out[0]["lo"], out[0]["hi"]) == (1.0, 3.0)
    assert out[1]["budget"] == "" and out[1]["met"] is None


def test_docs_rewrite_only_the_marked_readme_block(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{docs.BEGIN}\nold table\n{docs.END}\noutro\n")
    figures = [summary("dashboard", "50k p95", [12.0, 15.0, 30.0], "ms", "<= 20")]
    docs.write(META, figures, readme=readme, results=tmp_path / "RESULTS.md")
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("outro\n") and "old table" not in text
    assert "| dashboard: 50k p95 | 15.0 | 12.0–30.0 | 3 | ms | <= 20 | yes |" in text
    assert "{{" not in (tmp_path / "RESULTS.md").read_text()
    untouched = tmp_path / "OTHER.md"
    untouched.write_text("no markers\n")
    docs.write(META, figures, readme=untouched, results=tmp_path / "RESULTS.md")
    assert untouched.read_text() == "no markers\n"


def test_next_day_baseline_makes_the_stores_writes_on_a_copy_of_its_file(tmp_path: Path) -> None:
    registry = load_registry()
    items = build(400, registry, now=T0).items
    with Store(tmp_path / "store.sqlite") as store:
        first, _ = _decode(json.dumps(items).encode())
        store.ingest(
            PollResult(lane=Lane.SLOW, started=T0 - 60, finished=T0, records=first),
            attribute_all(first, registry, known=store.attribution_of),
            t=T0,
        )
        _snapshot(store, tmp_path / "raw.sqlite")
        day, _ = _decode(json.dumps(bump(items, 1.0)).encode())  # the next day: every counter moved
        t = T0 + 86400
        summary_ = store.ingest(
            PollResult(lane=Lane.SLOW, started=t - 60, finished=t, records=day),
            attribute_all(day, registry, known=store.attribution_of),
            t=t,
        )
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    writes = _update_rows(tmp_path / "raw.sqlite", first, day, t)
    assert len(writes[0][1]) == summary_.changed > 0
    _raw(tmp_path / "raw.sqlite", writes)
    select = "SELECT mid, t, d30, dall, likes, trend FROM models ORDER BY mid"
    obs = "SELECT mid, t, d30, dall, likes, trend FROM observations ORDER BY mid, t"
    a, b = sqlite3.connect(tmp_path / "store.sqlite"), sqlite3.connect(tmp_path / "raw.sqlite")
    assert a.execute(select).fetchall() == b.execute(select).fetchall()
    assert a.execute(obs).fetchall() == b.execute(obs).fetchall()


def test_first_poll_baseline_inserts_what_the_store_inserts(tmp_path: Path) -> None:
    registry = load_registry()
    records, _ = _decode(json.dumps(build(300, registry, now=T0).items).encode())
    with Store(tmp_path / "store.sqlite") as store:
        attrs = attribute_all(records, registry, known=store.attribution_of)
        store.ingest(PollResult(lane=Lane.SLOW, started=T0 - 60, finished=T0, records=records), attrs, t=T0)
    Store(tmp_path / "raw.sqlite").close()
    _raw(tmp_path / "raw.sqlite", insert_rows(records, attrs, T0))
    select = "SELECT id, family, via, country, d30, dall FROM models ORDER BY mid"
    a, b = sqlite3.connect(tmp_path / "store.sqlite"), sqlite3.connect(tmp_path / "raw.sqlite")
    assert a.execute(select).fetchall() == b.execute(select).fetchall()
    assert a.execute("SELECT count(*) FROM observations").fetchone() == (len(records),)
    assert b.execute("SELECT count(*) FROM observations").fetchone() == (len(records),)


def test_compare_names_the_figures_whose_verdicts_differ(tmp_path: Path) -> None:
    from bench.compare import differences, verdicts

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_json(a, META, [summary("s", "x", [1.0, 2.0, 3.0], "ms", "<= 2"), summary("s", "y", [5.0], "ms")], {})
    write_json(b, META, [summary("s", "x", [3.0, 4.0, 5.0], "ms", "<= 2")], {})
    assert differences(verdicts(a), verdicts(b)) == ["s: x: True vs False"]
    assert differences(verdicts(a), verdicts(a)) == []
