"""Bad files: a damaged, truncated, foreign or newer database, an unwritable data dir, a bad config or
registry. Each is one line naming the file and the problem, and nothing of the user's is overwritten."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from hfwatch.config import ConfigError, load_config
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.records import Lane
from hfwatch.registry import RegistryError, default_user_registry_path, load_registry
from hfwatch.store import Store
from hfwatch_sim import SimHub
from tests.conftest import Ran, run_cli
from tests.helpers.reliability import FAST_ENV, FAST_POLICY, digest, one_line_error

pytestmark = pytest.mark.reliability


@pytest.fixture(scope="module")
def real_db(shared_sim: SimHub, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A genuine hfwatch history (both lanes), checkpointed into one file."""
    db = tmp_path_factory.mktemp("real") / "h.sqlite"
    poller = Poller(HubClient(shared_sim.url, token=False, policy=FAST_POLICY), load_registry())
    with Store(db) as store:
        for lane in (Lane.SLOW, Lane.FAST):
            assert poller.poll(store, lane).ok
    assert not Path(f"{db}-wal").exists()  # the last connection to close checkpointed it
    return db


def cli(*args: str, url: str, env: dict[str, str] | None = None) -> Ran:
    return run_cli(*args, env={"HF_ENDPOINT": url, **FAST_ENV, **(env or {})}, timeout=60)


# -- damaged and foreign database files ------------------------------------------------------------


def corrupt_table_pages(db: Path) -> None:
    """Random bytes over the pages of the `models` table, as a bad disk sector would leave them."""
    conn = sqlite3.connect(db)
    try:
        pages = [p for (p,) in conn.execute("SELECT pageno FROM dbstat WHERE name = 'models'")]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find a table's pages")
    finally:
        conn.close()
    rng = random.Random(5)
    data = bytearray(db.read_bytes())
    for page in pages[len(pages) // 4 :]:
        start = (page - 1) * size
        data[start : start + size] = rng.randbytes(size)
    db.write_bytes(bytes(data))


def truncate(db: Path) -> None:
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])


def newer_schema(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()


def foreign(db: Path) -> None:
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()


def garbage(db: Path) -> None:
    db.write_bytes(random.Random(3).randbytes(8192))


BAD_DBS: dict[str, tuple[Callable[[Path], None], str]] = {
    "corrupt-pages": (corrupt_table_pages, "damaged"),
    "truncated": (truncate, "malformed"),
    "newer-schema": (newer_schema, "newer hfwatch (schema 99"),
    "foreign-sqlite": (foreign, "not hfwatch's"),
    "not-sqlite": (garbage, "not a SQLite database"),
}
COMMANDS = {
    "poll": ("poll", "--lane", "all"),
    "top": ("top", "--by", "model"),
    "db-info": ("db", "info"),
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", list(BAD_DBS))
def test_bad_database_is_one_line_and_left_untouched(
    shared_sim: SimHub, real_db: Path, tmp_path: Path, case: str, command: str
) -> None:
    damage, says = BAD_DBS[case]
    db = tmp_path / "h.sqlite"
    shutil.copy(real_db, db)
    damage(db)
    before = digest(db)
    requests = shared_sim.stats.requests
    ran = cli(*COMMANDS[command], "--db", str(db), url=shared_sim.url)
    assert digest(db) == before, "hfwatch changed a file it could not use"
    if case == "corrupt-pages" and command == "db-info" and ran.code == 0:
        return  # its counts can be answered from intact index pages: nothing wrong was read
    assert ran.code == 1 and ran.out == ""
    line = one_line_error(ran.err)
    assert str(db) in line and says in line
    if case != "corrupt-pages":
        # Refused on opening, before a single request is spent on a poll that could not be stored.
        assert shared_sim.stats.requests == requests


def test_database_path_that_is_a_directory(shared_sim: SimHub, tmp_path: Path) -> None:
    for command in COMMANDS.values():
        ran = cli(*command, "--db", str(tmp_path), url=shared_sim.url)
        assert ran.code == 1
        assert f"{tmp_path}: is a directory" in one_line_error(ran.err)


# -- where the data directory cannot be ------------------------------------------------------------


def test_data_dir_blocked_by_a_file(shared_sim: SimHub, tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a directory\n")
    ran = cli("poll", "--db", str(blocker / "h.sqlite"), url=shared_sim.url)
    assert ran.code == 1
    assert f"{blocker}: cannot create the data directory" in one_line_error(ran.err)
    assert blocker.read_text() == "not a directory\n"


def test_data_dir_in_a_read_only_filesystem(shared_sim: SimHub) -> None:
    # /proc refuses new entries even to root, where chmod would not stop a write.
    target = Path("/proc/hfwatch-test/h.sqlite")
    ran = cli("poll", url=shared_sim.url, env={"HFWATCH_DB": str(target)})
    assert ran.code == 1
    assert str(target.parent) in one_line_error(ran.err)
    assert not target.parent.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod 0555; the /proc test covers it")
def test_data_dir_without_write_permission(shared_sim: SimHub, real_db: Path, tmp_path: Path) -> None:
    data = tmp_path / "ro"
    data.mkdir()
    db = data / "h.sqlite"
    shutil.copy(real_db, db)
    before = digest(db)
    data.chmod(0o555)
    try:
        ran = cli("poll", "--db", str(db), url=shared_sim.url)
        assert ran.code == 1 and str(data) in one_line_error(ran.err)
        top = cli("top", "--db", str(db), url=shared_sim.url)
    finally:
        data.chmod(0o755)
    assert digest(db) == before
    assert top.code in (0, 1) and (top.code == 0 or str(db) in one_line_error(top.err))


# -- config and registry ----------------------------------------------------------------------------

# (file text, its line at fault, a word the reason must name)
BAD_CONFIGS = {
    "invalid-toml": ('fast_interval_s = 300\nwatched = ["qwen"\n', 2, "TOML"),
    "unknown-key": ("fast_interval_s = 300\nslow_intervall_s = 60\n", 2, "slow_intervall_s"),
    "wrong-type": ('scope = "ecosystem"\nfast_interval_s = "often"\n', 2, "fast_interval_s"),
    "out-of-range": ("fast_interval_s = 1\n", 1, "fast_interval_s"),
    "not-utf8": ('theme = "\xff"\n', 1, "UTF-8"),
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_bad_config_is_one_line_naming_file_and_line(
    shared_sim: SimHub, real_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    text, line, says = BAD_CONFIGS[case]
    path = tmp_path / "config.toml"
    path.write_bytes(text.encode("latin-1"))
    before = digest(path)
    monkeypatch.setenv("HFWATCH_CONFIG", str(path))
    with pytest.raises(ConfigError) as err:
        load_config()
    assert str(err.value).startswith(f"{path}:{line}: ") and says in str(err.value) and "\n" not in str(err.value)
    # Every command reads the config the same way: each case through two, the first through all of them.
    commands: list[tuple[str, ...]] = [("config", "check"), ("poll", "--db", str(tmp_path / "h.sqlite"))]
    if case == "invalid-toml":
        commands += [("families",), ("top", "--db", str(real_db))]
    for command in commands:
        ran = cli(*command, url=shared_sim.url, env={"HFWATCH_CONFIG": str(path)})
        assert ran.code == 1, command
        assert f"{path}:{line}: " in one_line_error(ran.err) and says in ran.err
    assert digest(path) == before
    assert not (tmp_path / "h.sqlite").exists()


BAD_REGISTRIES = {
    "invalid-toml": ('[[family]\nid = "x"\n', "families.toml:1:"),
    "bad-country": ('[[family]]\nid = "newfam"\nname = "New"\ncountry = "XX"\n', "families.toml:4:"),
    "bad-regex": ('[[family]]\nid = "qwen"\npatterns = ["(unclosed"]\n', "families.toml:3:"),
    "unknown-key": ('[[family]]\nid = "qwen"\ncolour = "red"\n', "families.toml:3:"),
}


@pytest.mark.parametrize("case", list(BAD_REGISTRIES))
def test_bad_user_registry_is_one_line_naming_file_and_line(
    shared_sim: SimHub, real_db: Path, tmp_path: Path, case: str
) -> None:
    text, says = BAD_REGISTRIES[case]
    path = default_user_registry_path()  # in this test's XDG_CONFIG_HOME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    before = digest(path)
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert str(err.value).startswith(f"{path}:") and says in str(err.value)
    db = tmp_path / "h.sqlite"
    commands: list[tuple[str, ...]] = [("poll", "--db", str(db))]
    if case == "invalid-toml":
        commands += [("families",), ("top", "--db", str(real_db))]
    for command in commands:
        ran = cli(*command, url=shared_sim.url)
        assert ran.code == 1, command
        assert f"{path}:" in one_line_error(ran.err)
    assert digest(path) == before
    assert not db.exists()


# -- a disk that fills up mid-poll -------------------------------------------------------------------


def disk_full_poll(sim: SimHub, real_db: Path, tmp_path: Path) -> tuple[Path, str, int, int]:
    """A slow poll into a copy of `real_db` whose disk fills up mid-write: (db, error, polls before, after)."""
    db = tmp_path / "h.sqlite"
    shutil.copy(real_db, db)
    poller = Poller(HubClient(sim.url, token=False, policy=FAST_POLICY), load_registry())
    sim.clock.advance(86_400)  # a later Hub, past a counter refresh: the poll has changes to write
    with Store(db) as store:
        polls_before = store.conn.execute("SELECT count(*) FROM polls").fetchone()[0]
        # SQLite's own cap on the file's size stands in for a full disk: the same SQLITE_FULL, mid-transaction.
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        outcome = poller.poll(store, Lane.SLOW)
        assert not outcome.ok and outcome.summary is None
        polls_after = store.conn.execute("SELECT count(*) FROM polls").fetchone()[0]
        # Room again: the next poll goes through on the same connection.
        store.conn.execute(f"PRAGMA max_page_count = {pages * 100}")
        assert poller.poll(store, Lane.SLOW).ok
    return db, outcome.result.error or "", polls_before, polls_after


def test_disk_full_mid_write_stores_nothing_and_says_so(shared_sim: SimHub, real_db: Path, tmp_path: Path) -> None:
    db, error, before, after = disk_full_poll(shared_sim, real_db, tmp_path)
    assert after == before
    assert error.startswith(f"{db}: the disk is full while storing the poll")
    assert error.endswith("the poll was not stored") and "\n" not in error
