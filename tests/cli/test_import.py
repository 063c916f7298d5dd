"""`hfwatch import`: archived listings become polls, with a poll's validation, attribution and atomicity."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import get_session

from hfwatch.engine import Poller
from hfwatch.hub.client import EXPAND, HubClient
from hfwatch.hub.parse import RecordError, TimeError, parse_record, parse_time, record_from_hub
from hfwatch.hub.plan import plan
from hfwatch.importing import ImportError_, read_listing, store_listing
from hfwatch.records import Lane
from hfwatch.registry import load_registry
from hfwatch.store import Store
from hfwatch_sim import SimHub
from tests.conftest import SIM_START, run_cli

DAY = 86400
T0 = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())


def item(model_id: str, downloads: Any = 100, dall: Any = 1000, **extra: Any) -> dict[str, Any]:
    author = model_id.split("/")[0]
    return {
        "id": model_id,
        "author": author,
        "downloads": downloads,
        "downloadsAllTime": dall,
        "likes": 3,
        "createdAt": "2026-01-02T03:04:05.000Z",
        "tags": extra.pop("tags", []),
        **extra,
    }


def listing(scale: int = 1) -> list[dict[str, Any]]:
    return [
        item("Qwen/Qwen3-8B", 1000 * scale, 50_000 * scale),
        item("meta-llama/Llama-3.1-8B", 800 * scale, 40_000 * scale),
        item("unsloth/Qwen3-8B-GGUF", 300 * scale, 9_000 * scale, tags=["base_model:quantized:Qwen/Qwen3-8B"]),
        item("someone/qwen3-8b-finetune", 20 * scale, 200 * scale, tags=["base_model:finetune:Qwen/Qwen3-8B"]),
        item("nobody/unrelated-model", 5, 50),
    ]


def dump(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def top(db: Path, *args: str) -> list[dict[str, Any]]:
    ran = run_cli("top", "--db", str(db), "--format", "json", *args)
    assert ran.code == 0, ran.err
    return json.loads(ran.out)


# -- parsing ----------------------------------------------------------------------------------------


def test_record_from_hub_matches_the_poll_path() -> None:
    raw = item(
        "Qwen/Qwen3-8B",
        tags=["base_model:Qwen/Qwen3-8B-Base", 5],
        trendingScore=7,
        safetensors={"parameters": {"BF16": 8}, "total": 8},
        gated=False,
        pipeline_tag="text-generation",
    )
    record = record_from_hub(raw)
    assert record == parse_record(dict(raw))
    assert record.downloads_30d == 100 and record.downloads_all_time == 1000 and record.params == 8
    assert record.tags == ("base_model:Qwen/Qwen3-8B-Base",) and record.gated == "false"
    assert record.created_at == int(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp())


@pytest.mark.parametrize("bad", [-1, 1.5, "12", True, None, 2**70])
def test_bad_counters_are_unknown_not_invented(bad: Any) -> None:
    assert record_from_hub(item("a/b", downloads=bad)).downloads_30d is None


@pytest.mark.parametrize(
    "raw",
    [
        {"downloads": 3},
        {"id": ""},
        {"id": 5},
        [1, 2],
        "a/b",
        {"id": "a/b", "createdAt": "yesterday"},
        {"id": "no-namespace"},
    ],
)
def test_records_the_poll_would_refuse(raw: Any) -> None:
    with pytest.raises(RecordError):
        record_from_hub(raw)


def test_times_in_archive_forms() -> None:
    assert parse_time("2026-10-01") == T0
    assert parse_time("2026-10-01T00:00:00Z") == T0
    assert parse_time("2026-10-01T02:00:00+02:00") == T0
    assert parse_time("2026-10-01 00:00:00") == T0
    assert parse_time(T0) == T0 and parse_time(str(T0)) == T0
    assert record_from_hub(item("a/b", createdAt="2026-10-01")).created_at == T0
    for bad in ("soon", T0 * 1000, "", True, [T0]):
        with pytest.raises(TimeError):
            parse_time(bad)


# -- formats ----------------------------------------------------------------------------------------


def test_formats_read_the_same_records(tmp_path: Path) -> None:
    items = listing()
    as_array = dump(tmp_path / "a.json", items)
    as_object = dump(tmp_path / "b.json", {"fetched_at": "2026-10-01T00:00:00Z", "models": items})
    as_lines = tmp_path / "c.jsonl"
    as_lines.write_text("\n".join(json.dumps({**i, "fetched_at": T0}) for i in items) + "\n\n", encoding="utf-8")
    as_gzip = tmp_path / "d.jsonl.gz"
    as_gzip.write_bytes(gzip.compress(as_lines.read_bytes()))
    no_suffix = tmp_path / "e"
    no_suffix.write_text(as_lines.read_text(encoding="utf-8"), encoding="utf-8")
    as_csv = tmp_path / "f.csv"
    rows = ["id,downloads,downloadsAllTime,likes,createdAt,tags,fetched_at"]
    for i in items:
        rows.append(
            f"{i['id']},{i['downloads']},{i['downloadsAllTime']},3,2026-01-02T03:04:05Z,"
            f'"{";".join(i["tags"])}",2026-10-01'
        )
    as_csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    expected = read_listing(str(as_array)).records
    assert len(expected) == 5
    assert read_listing(str(as_array)).at is None
    for path in (as_object, as_lines, as_gzip, no_suffix, as_csv):
        got = read_listing(str(path))
        assert [(r.id, r.downloads_30d, r.downloads_all_time, r.likes, r.created_at, r.tags) for r in got.records] == [
            (r.id, r.downloads_30d, r.downloads_all_time, r.likes, r.created_at, r.tags) for r in expected
        ], path
        assert got.at == T0, path


def test_csv_minimal_and_unknown_values(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "id,downloads\nQwen/Qwen3-8B,12\nmeta-llama/Llama-3.1-8B,n/a\ngoogle/gemma-3-4b-it,\n", encoding="utf-8"
    )
    got = read_listing(str(path))
    assert [r.downloads_30d for r in got.records] == [12, None, None]
    assert got.unknown_values == 1  # "n/a" is bad; an empty cell is merely unknown


@pytest.mark.parametrize(
    ("name", "content", "where", "words"),
    [
        ("a.json", '[{"id": "a/b"},\n {"id": "c/d"},\n {"downloads": 3}\n]', 3, "no model id"),
        ("b.json", '{"fetched_at": "2026-10-01",\n "models": [\n  {"id": "a/b"},\n  {"id": 7}]}', 4, "no model id"),
        ("c.json", '[{"id": "a/b"},\n {"id": "c/d",]', 2, "invalid JSON"),
        ("d.jsonl", '{"id": "a/b"}\n\n{"id": "c/d"\n', 3, "invalid JSON"),
        ("e.jsonl", '{"id": "a/b"}\n["c/d"]\n', 2, "must be a JSON object"),
        ("f.csv", "id,downloads\na/b,1\nc/d,2,3\n", 3, "3 cells, the header has 2"),
        ("g.csv", "id,likes\na/b,1\n", 1, "no 'downloads' column"),
        ("h.csv", "id,downloads,createdAt\na/b,1,2026-01-01\nc/d,2,last tuesday\n", 3, "createdAt"),
        ("i.json", '{"models": {"id": "a/b"}}', 1, "JSON array"),
        ("j.json", '{"fetched_at": "2026-10-01"}', 1, '"models"'),
        ("k.json", "[]", 1, "no model records"),
        ("l.json", '{"fetched_at": "soon", "models": [{"id": "a/b"}]}', 1, "fetched_at"),
    ],
)
def test_bad_files_are_refused_naming_file_and_line(
    tmp_path: Path, name: str, content: str, where: int, words: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        read_listing(str(path))
    message = str(info.value)
    assert message.startswith(f"{path}:{where}: "), message
    assert words in message and "\n" not in message


def test_not_utf8_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b'[{"id": "a/b"},\n{"id": "\xff"}]')
    with pytest.raises(ImportError_, match=rf"^{path}:2: not UTF-8"):
        read_listing(str(path))
    with pytest.raises(ImportError_, match="cannot read"):
        read_listing(str(tmp_path / "missing.json"))


def test_file_times(tmp_path: Path) -> None:
    spread = [{**i, "fetched_at": T0 + n * 60} for n, i in enumerate(listing())]
    got = read_listing(str(dump(tmp_path / "s.json", spread)))
    assert (got.first_at, got.at, got.time_error) == (T0, T0 + 240, None)
    apart = [{**i, "date": T0 + n * DAY} for n, i in enumerate(listing())]
    got = read_listing(str(dump(tmp_path / "t.json", apart)))
    assert got.time_error is not None and "more than a day apart" in got.time_error
    some = [{**listing()[0], "fetched_at": T0}, listing()[1]]
    assert "some records carry" in (read_listing(str(dump(tmp_path / "u.json", some))).time_error or "")


# -- storing ----------------------------------------------------------------------------------------


def test_import_stores_one_poll_with_attribution(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    path = dump(tmp_path / "day0.json", listing())
    ran = run_cli("import", str(path), "--at", "2026-10-01", "--db", str(db))
    assert ran.code == 0, ran.err
    assert "imported 5 models at 2026-10-01T00:00:00Z" in ran.out
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT lane, status, started, finished, models FROM polls").fetchall() == [
        ("import", "ok", T0, T0, 5)
    ]
    fam = dict(conn.execute("SELECT id, family || '/' || coalesce(via, '') FROM models WHERE family IS NOT NULL"))
    assert fam == {
        "Qwen/Qwen3-8B": "qwen/org",
        "meta-llama/Llama-3.1-8B": "llama/org",
        "unsloth/Qwen3-8B-GGUF": "qwen/lineage",
        "someone/qwen3-8b-finetune": "qwen/lineage",
    }
    assert conn.execute("SELECT count(*) FROM observations WHERE t = ?", (T0,)).fetchone()[0] == 5


def test_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    path = dump(tmp_path / "day0.json", {"fetched_at": "2026-10-01T00:00:00Z", "models": listing()})
    assert run_cli("import", str(path), "--db", str(db)).code == 0
    before = Path(db).read_bytes() if not Path(str(db) + "-wal").exists() else None
    counts = (
        sqlite3.connect(db)
        .execute(
            "SELECT (SELECT count(*) FROM polls), (SELECT count(*) FROM observations), (SELECT count(*) FROM rollups)"
        )
        .fetchone()
    )
    again = run_cli("import", str(path), "--db", str(db))
    assert again.code == 0, again.err
    assert "already imported at 2026-10-01T00:00:00Z (poll #1); nothing changed" in again.out
    assert (
        sqlite3.connect(db)
        .execute(
            "SELECT (SELECT count(*) FROM polls), (SELECT count(*) FROM observations), (SELECT count(*) FROM rollups)"
        )
        .fetchone()
        == counts
    )
    if before is not None:
        assert Path(db).read_bytes() == before


def test_time_is_required_and_must_move_forward(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    path = dump(tmp_path / "x.json", listing())
    ran = run_cli("import", str(path), "--db", str(db))
    assert ran.code == 1 and "does not say when it was fetched" in ran.err and "--at" in ran.err
    assert not db.exists()
    assert run_cli("import", str(path), "--at", "2026-10-02", "--db", str(db)).code == 0
    older = dump(tmp_path / "y.json", listing(2))
    ran = run_cli("import", str(older), "--at", "2026-10-01", "--db", str(db))
    assert ran.code == 1 and "not after the history's end (2026-10-02T00:00:00Z)" in ran.err
    assert run_cli("import", str(path), "--at", "not-a-time", "--db", str(db)).code == 1
    # Of several files, one too old refuses them all before any is stored.
    newer = dump(tmp_path / "z.json", {"date": "2026-10-05", "models": listing(3)})
    older = dump(tmp_path / "w.json", {"date": "2026-10-01", "models": listing(2)})
    ran = run_cli("import", str(newer), str(older), "--db", str(db))
    assert ran.code == 1 and "w.json: its time 2026-10-01T00:00:00Z is not after" in ran.err
    assert sqlite3.connect(db).execute("SELECT count(*) FROM polls").fetchone()[0] == 1
    # The same file named twice is one poll.
    ran = run_cli("import", str(newer), str(newer), "--db", str(db))
    assert ran.code == 0 and ran.out.count("imported") == 1, ran.err


def test_a_bad_file_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    good = dump(tmp_path / "a.json", {"date": "2026-10-01", "models": listing()})
    bad = dump(tmp_path / "b.json", {"date": "2026-10-02", "models": [*listing(2), {"downloads": 1}]})
    ran = run_cli("import", str(good), str(bad), "--db", str(db))
    assert ran.code == 1 and ran.err.startswith(f"hfwatch: error: {bad}:1: ")
    assert not db.exists()  # both are checked before the database is opened


def test_several_files_are_stored_oldest_first(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    files = [dump(tmp_path / f"day{n}.json", {"date": f"2026-10-0{n + 1}", "models": listing(n + 1)}) for n in range(3)]
    ran = run_cli("import", str(files[2]), str(files[0]), str(files[1]), "--db", str(db))
    assert ran.code == 0, ran.err
    assert [line.split(":")[0] for line in ran.out.splitlines()] == [str(f) for f in files]
    board = {r["family"]: r for r in top(db, "--metric", "rate")}
    # Qwen's all-time downloads grow by its three attributed models' growth, 59,200 a day.
    assert board["qwen"]["rate_per_day"] == pytest.approx(59_200, rel=1e-3)
    assert board["qwen"]["downloads_30d"] == 3 * (1000 + 300 + 20)
    same_time = dump(tmp_path / "other.json", {"date": "2026-10-03", "models": listing()})
    ran = run_cli("import", str(files[2]), str(same_time), "--db", str(tmp_path / "h2.sqlite"))
    assert ran.code == 1 and "one poll is one file" in ran.err


def test_reuploaders_out_of_the_ecosystem(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("include_reuploaders = false\n", encoding="utf-8")
    db = tmp_path / "h.sqlite"
    path = dump(tmp_path / "a.json", listing())
    assert (
        run_cli("import", str(path), "--at", "2026-10-01", "--db", str(db), env={"HFWATCH_CONFIG": str(config)}).code
        == 0
    )
    row = (
        sqlite3.connect(db)
        .execute("SELECT family, base_family, base_model FROM models WHERE id = 'unsloth/Qwen3-8B-GGUF'")
        .fetchone()
    )
    assert row == (None, "qwen", "Qwen/Qwen3-8B")  # counted for no family, still known to be built on Qwen
    qwen = {r["family"]: r for r in top(db)}["qwen"]
    assert qwen["downloads_30d"] == 1000 + 20 and qwen["models"] == 2


def test_reuploaders_option_on_the_poller(sim: SimHub, tmp_path: Path) -> None:
    registry = load_registry()
    sim.clock.speed = 0
    counts = {}
    for include in (True, False):
        poller = Poller(HubClient(sim.url, token=False), registry, clock=sim.clock.now, include_reuploaders=include)
        sim.ratelimit.reset()
        with Store(tmp_path / f"{include}.sqlite") as store:
            assert poller.poll(store, Lane.SLOW).ok
            counts[include] = store.conn.execute(
                "SELECT count(*) FROM models WHERE family IS NOT NULL AND lower(author) IN "
                f"({','.join(repr(r) for r in registry.reuploaders)})"
            ).fetchone()[0]
            children = store.conn.execute("SELECT count(*) FROM models WHERE via = 'lineage'").fetchone()[0]
    assert counts[True] > 0 and counts[False] == 0 and children > 0


def test_store_listing_directly(tmp_path: Path) -> None:
    got = read_listing(str(dump(tmp_path / "a.json", listing())))
    with Store(tmp_path / "h.sqlite") as store:
        first = store_listing(store, got, T0, load_registry())
        assert first.summary is not None and first.summary.models == 5
        again = store_listing(store, got, T0, load_registry())
        assert again.summary is None and again.previous and again.previous["pid"] == first.summary.pid
        with pytest.raises(ImportError_, match="not after the history's end"):
            store_listing(store, read_listing(str(dump(tmp_path / "b.json", listing(2)))), T0, load_registry())


# -- acceptance: archived listings give the same history as polls -----------------------------------


def _fetch_listing(sim: SimHub, registry: Any) -> list[dict[str, Any]]:
    """The slow lane's listings, as raw /api/models JSON, requested as HfApi.list_models requests them."""
    session = get_session()
    items: list[dict[str, Any]] = []
    sorts = {"trending_score": "trendingScore", "created_at": "createdAt"}
    for query in plan(Lane.SLOW, registry):
        params: dict[str, Any] = {"expand": EXPAND}
        if query.author:
            params["author"] = query.author
        if query.search:
            params["search"] = query.search
        if query.sort:
            params["sort"] = sorts.get(query.sort, query.sort)
        if query.limit:
            params["limit"] = query.limit
        url: str | None = f"{sim.url}/api/models"
        got: list[dict[str, Any]] = []
        next_params: dict[str, Any] | None = params
        while url and (query.limit is None or len(got) < query.limit):
            # The next page's URL carries its whole query: params (even {}) would replace it.
            response = session.get(url, params=next_params)
            response.raise_for_status()
            got.extend(response.json())
            url, next_params = response.links.get("next", {}).get("url"), None
        items.extend(got[: query.limit] if query.limit else got)
    return items


TOP_VIEWS = (
    (),
    ("--metric", "rate"),
    ("--metric", "downloads_all_time", "--scope", "first-party"),
    ("--by", "country", "--metric", "rate"),
    ("--by", "model", "--limit", "40"),
    ("--by", "model", "--family", "qwen", "--metric", "rate"),
    ("--by", "model", "--metric", "rate"),
)


def _poll_and_archive(sim: SimHub, tmp_path: Path, poll: Callable[[Path], None], days: int = 3) -> tuple[Path, Path]:
    """Poll the slow lane into DB A on `days` simulated days, archive the same listings, import them into DB B
    at A's poll times. The clock is frozen on each day, so the poll and the archive see one instant."""
    registry = load_registry()
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    sim.clock.speed = 0
    files = []
    for day in range(days):
        sim.clock.set(SIM_START + day * DAY)
        sim.ratelimit.reset()
        poll(a)
        sim.ratelimit.reset()
        path = tmp_path / f"day{day}.json"
        path.write_text(json.dumps(_fetch_listing(sim, registry)), encoding="utf-8")
        files.append(path)
    times = [
        int(t) for (t,) in sqlite3.connect(a).execute("SELECT finished FROM polls WHERE status = 'ok' ORDER BY pid")
    ]
    assert len(times) == days
    for path, t in zip(files, times, strict=True):
        ran = run_cli("import", str(path), "--at", str(t), "--db", str(b))
        assert ran.code == 0, ran.err
        assert "imported" in ran.out
    for args in TOP_VIEWS:
        assert top(a, *args) == top(b, *args), args
    same = "SELECT count(*), sum(dall), sum(d30) FROM observations"
    assert sqlite3.connect(a).execute(same).fetchone() == sqlite3.connect(b).execute(same).fetchone()
    same = "SELECT scope, h, family, t, models, d30, dall, growth FROM rollups ORDER BY scope, h, family"
    assert sqlite3.connect(a).execute(same).fetchall() == sqlite3.connect(b).execute(same).fetchall()
    return a, b


def _rates(db: Path) -> int:
    return sum(1 for r in top(db, "--metric", "rate") if r["rate_per_day"])


@pytest.mark.slow
def test_imported_days_give_the_same_history_as_hfwatch_poll(sim: SimHub, tmp_path: Path) -> None:
    def poll(db: Path) -> None:
        ran = run_cli("poll", "--lane", "slow", "--db", str(db), env={"HF_ENDPOINT": sim.url})
        assert ran.code == 0, ran.err

    a, b = _poll_and_archive(sim, tmp_path, poll)
    times = [t for (t,) in sqlite3.connect(a).execute("SELECT finished FROM polls ORDER BY pid")]
    if times[-1] - times[0] >= 2 * 3600:  # the poll stores its own clock's times: rates need them an hour apart
        assert _rates(b) >= 10


@pytest.mark.slow
def test_imported_days_give_the_same_rates_as_polled_days(sim: SimHub, tmp_path: Path) -> None:
    """The same, with the poll on the simulated clock (as the demo polls), so the days are days apart."""
    poller = Poller(HubClient(sim.url, token=False), load_registry(), clock=sim.clock.now)

    def poll(db: Path) -> None:
        with Store(db) as store:
            assert poller.poll(store, Lane.SLOW).ok

    _, b = _poll_and_archive(sim, tmp_path, poll)
    assert _rates(b) >= 10
    qwen = {r["family"]: r for r in top(b, "--metric", "rate")}["qwen"]
    assert qwen["rate_per_day"] > 0 and qwen["downloads_30d"] > 0
    assert [t for (t,) in sqlite3.connect(b).execute("SELECT finished FROM polls ORDER BY pid")] == [
        SIM_START,
        SIM_START + DAY,
        SIM_START + 2 * DAY,
    ]
