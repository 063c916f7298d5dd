"""The command-line contract (DESIGN §7), end to end against the simulated Hub over loopback."""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import time
from pathlib import Path

import pytest

from hfwatch.store.schema import SCHEMA_VERSION
from hfwatch_sim import SimHub
from tests.conftest import run_cli

HOUR = 3600
DAY = 24 * HOUR
POLL_DAYS = 3


def daily_polls(sim: SimHub, db: Path, days: int = POLL_DAYS) -> None:
    """Polls on consecutive simulated days: the Hub's counters move once a day (at its refresh hour), so
    polls an hour apart would see no growth at all."""
    env = {"HF_ENDPOINT": sim.url}
    for day in range(days):
        if day:
            sim.clock.advance(DAY)
        ran = run_cli("poll", "--db", str(db), env=env)
        assert ran.code == 0, ran.err
        assert "fast poll ok" in ran.out and "slow poll ok" in ran.out


@pytest.fixture
def polled_db(sim: SimHub, tmp_path: Path) -> Path:
    db = tmp_path / "h.sqlite"
    daily_polls(sim, db)
    return db


def top_json(db: Path, *args: str) -> list[dict]:
    ran = run_cli("top", "--db", str(db), "--format", "json", *args)
    assert ran.code == 0, ran.err
    return json.loads(ran.out)


def test_family_leaderboard_after_daily_polls(polled_db: Path) -> None:
    rows = top_json(polled_db, "--by", "family")
    by_id = {r["family"]: r for r in rows}
    for fam in ("qwen", "llama", "deepseek", "kimi", "mistral", "gemma"):
        assert fam in by_id, fam
        assert by_id[fam]["downloads_30d"] > 0
        assert by_id[fam]["rate_per_day"] is not None
    assert by_id["qwen"]["country"] == "CN" and by_id["llama"]["country"] == "US"
    assert by_id["mistral"]["country"] == "FR"
    assert len([r for r in rows if r["models"] > 0]) >= 25
    assert sum(r["share"] for r in rows) == pytest.approx(1, abs=0.001)
    assert all(r["scope"] == "ecosystem" and r["metric"] == "downloads_30d" for r in rows)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize("metric", ["downloads_all_time", "rate"])
@pytest.mark.parametrize("scope", ["first-party", "ecosystem"])
def test_shares_sum_to_one_in_each_scope_and_metric(polled_db: Path, scope: str, metric: str) -> None:
    rows = top_json(polled_db, "--by", "family", "--scope", scope, "--metric", metric)
    assert sum(r["share"] for r in rows) == pytest.approx(1, abs=0.001)
    values = [r["rate_per_day"] if metric == "rate" else r[metric] for r in rows]
    assert values == sorted(values, key=lambda v: -(v or 0))


def test_first_party_is_part_of_ecosystem(polled_db: Path) -> None:
    eco = {r["family"]: r for r in top_json(polled_db, "--scope", "ecosystem")}
    fp = {r["family"]: r for r in top_json(polled_db, "--scope", "first-party")}
    for fam, row in fp.items():
        assert row["downloads_30d"] <= eco[fam]["downloads_30d"]
        assert row["models"] <= eco[fam]["models"]
    assert sum(eco[f]["models"] for f in eco) > sum(fp[f]["models"] for f in fp)


def test_country_leaderboard(polled_db: Path) -> None:
    rows = top_json(polled_db, "--by", "country")
    countries = {r["country"] for r in rows}
    assert {"CN", "US", "FR"} <= countries
    assert sum(r["share"] for r in rows) == pytest.approx(1, abs=0.001)
    assert all(r["rate_per_day"] is not None for r in rows if r["country"] in ("CN", "US"))


def test_model_rows_carry_the_contract_fields(polled_db: Path) -> None:
    rows = top_json(polled_db, "--by", "model", "--limit", "30")
    assert len(rows) == 30
    keys = {
        "id",
        "family",
        "base_family",
        "via",
        "country",
        "downloads_30d",
        "downloads_all_time",
        "likes",
        "trending_score",
        "created_at",
    }
    assert keys <= set(rows[0])
    assert all(r["via"] in ("org", "lineage", "name") for r in rows)
    qwen = top_json(polled_db, "--by", "model", "--family", "qwen", "--limit", "500")
    assert qwen and all(r["family"] == "qwen" for r in qwen)
    assert {"org", "lineage"} <= {r["via"] for r in qwen}
    fp = top_json(polled_db, "--by", "model", "--family", "qwen", "--scope", "first-party")
    assert fp and all(r["via"] == "org" for r in fp)


def test_table_and_csv_formats(polled_db: Path) -> None:
    table = run_cli("top", "--db", str(polled_db), "--limit", "5")
    assert table.code == 0
    assert "scope ecosystem" in table.out and "metric downloads_30d" in table.out
    assert len(table.out.strip().splitlines()) == 2 + 5
    csv_out = run_cli("top", "--db", str(polled_db), "--format", "csv", "--by", "country")
    header = csv_out.out.splitlines()[0].split(",")
    assert {"country", "downloads_30d", "rate_per_day", "share", "scope"} <= set(header)


def test_db_info(polled_db: Path) -> None:
    ran = run_cli("db", "info", "--db", str(polled_db))
    assert ran.code == 0
    assert f"schema        {SCHEMA_VERSION}" in ran.out
    polls = next(line for line in ran.out.splitlines() if line.startswith("polls"))
    assert polls.split()[1] == str(2 * POLL_DAYS)  # a fast and a slow lane each day


def test_families_lists_the_registry() -> None:
    ran = run_cli("families", "--format", "json")
    assert ran.code == 0
    fams = json.loads(ran.out)
    assert len(fams) >= 34
    assert {"family": "glm", "country": "CN"}.items() <= next(f for f in fams if f["family"] == "glm").items()


def test_version() -> None:
    ran = run_cli("--version")
    assert ran.code == 0 and ran.out.startswith("hfwatch ")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_hub_fails_fast_with_one_line_and_leaves_db_untouched(polled_db: Path) -> None:
    before = hashlib.sha256(polled_db.read_bytes()).hexdigest()
    started = time.monotonic()
    ran = run_cli("poll", "--db", str(polled_db), env={"HF_ENDPOINT": f"http://127.0.0.1:{_closed_port()}"})
    assert time.monotonic() - started < 30
    assert ran.code == 1
    assert len(ran.err.strip().splitlines()) == 1 and "Traceback" not in ran.err
    assert "--demo" in ran.err
    assert hashlib.sha256(polled_db.read_bytes()).hexdigest() == before


def test_unreachable_hub_creates_no_db(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    ran = run_cli("poll", "--db", str(db), env={"HF_ENDPOINT": f"http://127.0.0.1:{_closed_port()}"})
    assert ran.code == 1 and not db.exists()


def test_offline_mode_refuses_to_poll(tmp_path: Path) -> None:
    ran = run_cli("poll", "--db", str(tmp_path / "x.sqlite"), env={"HF_HUB_OFFLINE": "1"})
    assert ran.code == 1 and "HF_HUB_OFFLINE" in ran.err


def test_demo_polls_give_rates_once_two_refreshes_are_seen(tmp_path: Path) -> None:
    # Each `poll --demo` plays the next simulated day. One poll has seen no refresh and two polls one: the rate
    # is unknown (null, never 0) until a whole refresh interval has been seen, after the third.
    db = tmp_path / "demo.sqlite"
    for n in range(3):
        ran = run_cli("poll", "--demo", "--db", str(db))
        assert ran.code == 0, ran.err
        rates = {r["family"]: r["rate_per_day"] for r in top_json(db, "--by", "family", "--metric", "rate")}
        if n < 2:
            assert rates["qwen"] is None and rates["llama"] is None, n
    assert rates["qwen"] > 0 and rates["llama"] > 0


def test_a_file_killed_before_its_schema_is_created_by_the_next_poll(tmp_path: Path) -> None:
    # What a poll killed while creating the file leaves: SQLite's header in WAL mode, no table yet. The next
    # poll's reads before it writes (the history's time, the release gaps known) must not fail on it forever.
    db = tmp_path / "killed.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    for args in (["top"], ["db", "info"]):
        ran = run_cli(*args, "--db", str(db))
        assert ran.code == 1 and "no database yet" in ran.err, ran.err
    ran = run_cli("poll", "--demo", "--db", str(db))
    assert ran.code == 0, ran.err
    assert top_json(db, "--by", "family"), "the poll stored its models"


@pytest.mark.parametrize("args", [["top"], ["db", "info"]])
def test_bad_files_are_one_line_errors(tmp_path: Path, args: list[str]) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"\x00garbage" * 100)
    ran = run_cli(*args, "--db", str(bad))
    assert ran.code == 1 and len(ran.err.strip().splitlines()) == 1
    assert str(bad) in ran.err and "Traceback" not in ran.err
    missing = run_cli(*args, "--db", str(tmp_path / "none.sqlite"))
    assert missing.code == 1 and "no database yet" in missing.err


def test_unknown_family_is_an_error(polled_db: Path) -> None:
    ran = run_cli("top", "--db", str(polled_db), "--family", "nope")
    assert ran.code == 1 and "unknown family" in ran.err
