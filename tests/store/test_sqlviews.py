"""The SQL views of docs/sql.md: every example there runs against a polled history, and the views agree with
the raw tables they summarise."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from hfwatch.store import Store
from hfwatch.store.sqlviews import VIEWS
from tests.conftest import run_cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "sql.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def blocks(kind: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(DOC.read_text(encoding="utf-8")) if lang == kind]


@pytest.fixture(scope="module")
def polled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history from two polls of the simulated Hub, as `hfwatch poll --demo` writes it."""
    db = tmp_path_factory.mktemp("sql") / "hfwatch.sqlite"
    for _ in range(2):
        ran = run_cli("poll", "--demo", "--db", str(db))
        assert ran.code == 0, ran.err
    return db


def ro(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)


def test_every_sql_example_in_the_doc_runs_and_returns_rows(polled: Path) -> None:
    sql = blocks("sql")
    # The shells' examples carry their SQL in double quotes; DuckDB's names the attached file `hf`.
    quoted = [q.replace("hf.", "") for body in blocks("sh") for q in re.findall(r'"([^"]*SELECT[^"]*)"', body)]
    quoted = [q[q.index("SELECT") :] for q in quoted]
    assert len(sql) >= 5 and len(quoted) >= 3
    with ro(polled) as conn:
        for query in sql + quoted:
            assert conn.execute(query).fetchall(), query


def test_the_python_example_runs(
    polled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (example,) = blocks("python")
    shutil.copy(polled, tmp_path / "hfwatch.sqlite")
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "docs/sql.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    with ro(polled) as conn:
        families = conn.execute("SELECT count(DISTINCT family) FROM rollups WHERE scope = 'ecosystem'").fetchone()[0]
    assert len(lines) == families > 0


def test_views_agree_with_the_tables_they_summarise(polled: Path) -> None:
    with ro(polled) as conn:
        latest = dict(
            conn.execute(
                "SELECT family, downloads_30d FROM family_daily WHERE scope = 'ecosystem'"
                " AND day = (SELECT max(day) FROM family_daily)"
            )
        )
        raw = dict(conn.execute("SELECT family, sum(d30) FROM models WHERE family IS NOT NULL GROUP BY family"))
        assert latest == raw
        by_country = dict(
            conn.execute(
                "SELECT country, downloads_30d FROM country_daily WHERE scope = 'ecosystem'"
                " AND day = (SELECT max(day) FROM country_daily)"
            )
        )
        raw_country = dict(
            conn.execute("SELECT country, sum(d30) FROM models WHERE family IS NOT NULL GROUP BY country")
        )
        assert by_country == raw_country
        last_seen = dict(
            conn.execute(
                "SELECT id, downloads_all_time FROM model_daily m WHERE day = (SELECT max(day) FROM model_daily n"
                " WHERE n.id = m.id)"
            )
        )
        assert last_seen == dict(conn.execute("SELECT id, dall FROM models WHERE family IS NOT NULL"))
        released = conn.execute("SELECT count(*) FROM releases").fetchone()[0]
        assert (
            released
            == conn.execute(
                "SELECT count(*) FROM models WHERE family IS NOT NULL AND created_at IS NOT NULL"
            ).fetchone()[0]
        )


def test_views_are_made_once_and_remade_when_their_version_changes(tmp_path: Path) -> None:
    db = tmp_path / "v.sqlite"
    Store(db).close()
    with sqlite3.connect(db) as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")} == set(VIEWS)
        conn.execute("DROP VIEW releases")
    Store(db).close()  # the version key says current: nothing is re-created
    with sqlite3.connect(db) as conn:
        assert "releases" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'sqlviews.version'")
    Store(db).close()
    with sqlite3.connect(db) as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")} == set(VIEWS)
