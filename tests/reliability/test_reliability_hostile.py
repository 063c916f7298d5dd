"""Hostile Hub data: ids, tags, pipeline and library names carrying markup, escape sequences, control,
bidi and zero-width characters, very long strings, spreadsheet formulas. Stored as data, shown as text."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hfwatch.textsafe import csv_safe, terminal_safe
from hfwatch_sim import SimClock
from tests.conftest import SIM_START, run_cli
from tests.helpers.reliability import CONTROL_BYTES, FAST_ENV, RecordingProxy, first_party_record
from tests.helpers.sim import SimHub

pytestmark = pytest.mark.reliability

FORMULAS = [
    '=HYPERLINK("http://evil","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\u200b=1+1",
    "\x1b[31m=1+1",
]
INVISIBLE = (
    "\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    """A history polled while the Hub served hostile records, plus formula-shaped ones added on the wire.

    Shared by the module's tests, which only read it.
    """
    sim = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000)
    sim.start()

    def add_formulas(page: list[Any]) -> list[Any]:
        # Shaped like the page's first first-party record (its counts and lineage): they rank and get attributed.
        template = first_party_record([r for r in page if isinstance(r, dict) and "evil" not in r["id"]])
        if template is None:
            return page
        extra = [
            {
                **template,
                "_id": f"{i:024x}",
                "id": f"{f}/x{i}",
                "author": f,
                "pipeline_tag": f,
                "library_name": f,
                "tags": [f, f"base_model:{template['id']}"],
            }
            for i, f in enumerate(FORMULAS)
        ]
        return extra + page

    proxy = RecordingProxy(sim.url, transform=add_formulas).start()
    try:
        home = tmp_path_factory.mktemp("hostile")
        db = home / "h.sqlite"
        # Module-scoped, so before conftest's per-test environment: isolate this run by hand.
        isolated = {
            "HF_HOME": str(home / "hf_home"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "HF_TOKEN": "",
            "HFWATCH_CONFIG": "",
            "HF_HUB_DISABLE_TELEMETRY": "1",
        }
        sim.faults.set("hostile")
        ran = run_cli("poll", "--lane", "fast", "--db", str(db), env={**isolated, "HF_ENDPOINT": proxy.url, **FAST_ENV})
        assert ran.code == 0, ran.err
        assert ran.err == ""
        conn = sqlite3.connect(db)
        stored = [
            i
            for (i,) in conn.execute(
                "SELECT id FROM models WHERE author LIKE 'evil%' OR id LIKE '%evil%' OR id LIKE '%/x_'"
            )
        ]
        conn.close()
        yield db, stored
    finally:
        proxy.stop()
        sim.stop()


def top(db: Path, fmt: str) -> str:
    ran = run_cli("top", "--db", str(db), "--by", "model", "--limit", "2000", "--format", fmt)
    assert ran.code == 0, ran.err
    return ran.out


def test_hostile_text_is_stored_exactly(hostile_db: tuple[Path, list[str]]) -> None:
    _, stored = hostile_db
    assert "evil-org/[link=http://x]y[/link]" in stored
    assert "evil-org/\x1b]8;;http://e\x07click\x1b]8;;\x07" in stored  # data is kept as sent, never cleaned
    assert "evil-org/ctl\x00\x07\x08\r\n\t\x7fend" in stored
    assert any(len(s) > 5000 for s in stored)
    assert len([s for s in stored if s.endswith(tuple(f"/x{i}" for i in range(len(FORMULAS))))]) == len(FORMULAS)


def test_table_shows_no_escape_or_control_characters(hostile_db: tuple[Path, list[str]]) -> None:
    db, _ = hostile_db
    out = top(db, "table")
    assert not CONTROL_BYTES & set(out)
    assert not set(INVISIBLE) & set(out)
    assert "evil-org/[bold red]x[/]" in out  # markup is not a thing in a plain table: shown literally
    assert "evil-org/redend" not in out and "evil-org/red" in out  # the ANSI colour codes are gone, the text stays
    # Every row is one line: a newline inside an id cannot forge a row.
    lines = out.splitlines()
    assert all(len(line) < 400 for line in lines)
    assert len(lines) == 2 + len(json.loads(top(db, "json")))


def test_json_is_valid_and_round_trips_without_raw_controls(hostile_db: tuple[Path, list[str]]) -> None:
    db, stored = hostile_db
    out = top(db, "json")
    rows = json.loads(out)
    ids = {r["id"] for r in rows}
    assert set(stored) <= ids  # exact strings, control characters and all, once parsed
    # ...while the JSON text itself carries none of them raw (they travel as \\u escapes).
    assert not CONTROL_BYTES & set(out)
    assert not set(INVISIBLE) & set(out)


def test_csv_cells_are_text_not_formulas(hostile_db: tuple[Path, list[str]]) -> None:
    db, _ = hostile_db
    out = top(db, "csv")
    assert not CONTROL_BYTES & set(out.replace("\r\n", "\n"))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(json.loads(top(db, "json")))
    text_cells = [v for r in rows for k, v in r.items() if k in ("id", "pipeline_tag", "family", "base_family")]
    assert not [v for v in text_cells if v[:1] in ("=", "+", "-", "@")]
    ids = {r["id"] for r in rows}
    for i, formula in enumerate(FORMULAS):
        assert any(v.endswith(f"/x{i}") for v in ids), formula


@pytest.mark.parametrize("value", [*FORMULAS, "-", "=", " =1", "\x00=1"])
def test_csv_safe_defuses_every_formula_lead(value: str) -> None:
    cell = csv_safe(value)
    assert isinstance(cell, str)
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert not CONTROL_BYTES & set(cell)


def test_terminal_safe_leaves_nothing_a_terminal_would_act_on() -> None:
    hostile = (
        "a\x1b[2J\x1b]0;title\x07\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\\x9b31m\x90dcs\x9c\x00\x07\x08\r\n"
        "\t\x7f" + INVISIBLE + "z"
    )
    out = terminal_safe(hostile)
    assert not CONTROL_BYTES & set(out) and not set(INVISIBLE) & set(out)
    assert out.startswith("a") and out.endswith("z") and "link" in out
    assert terminal_safe("x" * 10_000, 48) == "x" * 47 + "…"


# -- the monitor ------------------------------------------------------------------------------------


@pytest.mark.ui
async def test_monitor_shows_hostile_hub_text_literally(hostile_db: tuple[Path, list[str]], tmp_path: Path) -> None:
    from hfwatch.config import Config
    from hfwatch.registry import load_registry
    from hfwatch.tui.app import HfWatchApp
    from hfwatch.tui.screens.family import FamilyScreen
    from hfwatch.tui.session import Mode, open_session
    from hfwatch.tui.widgets.feed import Feed
    from hfwatch.tui.widgets.model_table import ModelTable
    from tests.helpers.tui import loaded, until

    db, _ = hostile_db
    # Each hostile record borrows another real record's lineage, so each lands in the family that one has.
    shown = {
        "evil-org/[bold red]x[/]": "evil-org/[bold red]x[/]",  # literal brackets: no markup was applied
        "evil-org/\u202egnp.exe": "gnp.exe",
    }  # the right-to-left override is gone, the name is not
    conn = sqlite3.connect(db)
    families = {
        model_id: conn.execute("SELECT family FROM models WHERE id = ?", (model_id,)).fetchone()[0]
        for model_id in shown
    }
    conn.close()
    assert None not in families.values()
    session = open_session(
        db, demo=False, offline=True, registry=load_registry(), config=Config(), state_path=tmp_path / "state.json"
    )
    assert session.mode is Mode.OFFLINE
    try:
        app = HfWatchApp(session)
        async with app.run_test(size=(200, 60)) as pilot:
            await loaded(pilot)
            feed_text = _table_text(app.screen.query_one(Feed))
            assert not CONTROL_BYTES & set(feed_text) and "\u202e" not in feed_text
            for model_id, literal in shown.items():
                app.selected_family = families[model_id]
                app.open_family(families[model_id])
                await until(
                    pilot,
                    lambda: isinstance(app.screen, FamilyScreen) and app.screen.query_one(ModelTable).row_count,
                    "the family screen did not fill its table",
                )
                assert isinstance(app.screen, FamilyScreen)
                models_text = _table_text(app.screen.query_one(ModelTable))
                assert not CONTROL_BYTES & set(models_text) and "\u202e" not in models_text
                assert literal in models_text
                # The screen still renders as a whole (no crash on 5,000-character ids).
                assert "hfwatch" in app.export_screenshot()
                app.pop_screen()
                await pilot.pause()
    finally:
        session.close()


def _table_text(table: Any) -> str:
    cells = []
    for row in range(table.row_count):
        for value in table.get_row_at(row):
            cells.append(value.plain if hasattr(value, "plain") else str(value))
    return "\n".join(cells)
