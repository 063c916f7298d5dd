"""Opening the SQLite file: checks that it is ours, migrations, pragmas, the single-writer lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from pathlib import Path
from typing import IO

from hfwatch.store.schema import APPLICATION_ID, MIGRATIONS, NEW_FILE_PRAGMAS, SCHEMA_V1, SCHEMA_VERSION
from hfwatch.store.sqlviews import ensure_views

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The database cannot be used; the message is one line naming the file and the problem."""


class StoreLocked(StoreError):
    """Another hfwatch process is the writer of this database."""


class NoDatabaseYet(StoreError):
    """Nothing to read at the path yet: no file, or one created and stopped before its schema was written
    (a process killed while creating it). The next writer creates the schema in it."""


NO_DATABASE_YET = "no database yet; run `hfwatch poll` (or `hfwatch poll --demo`) first"


def sqlite_failure(path: Path, err: sqlite3.Error, *, doing: str, outcome: str) -> StoreError:
    """One line for an error SQLite raised mid-use: the file, what went wrong in words, SQLite's own text."""
    name = getattr(err, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        what = "the database is damaged"
    elif name.startswith("SQLITE_FULL"):
        what = "the disk is full"
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        what = "the database stayed locked by another process"
    elif name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
        what = "the database cannot be written"
    elif name.startswith("SQLITE_IOERR"):
        what = "the disk failed to read or write it"
    else:
        what = "database error"
    return StoreError(f"{path}: {what} while {doing} ({err}); {outcome}")


def _check_file(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except IsADirectoryError:
        raise StoreError(f"{path}: is a directory, not a database file") from None
    except PermissionError:
        raise StoreError(f"{path}: permission denied") from None
    if header and header != SQLITE_HEADER:
        raise StoreError(f"{path}: not a SQLite database (or it is corrupt); hfwatch left it untouched")


def _validate(conn: sqlite3.Connection, path: Path) -> int:
    """Return the schema version of an existing hfwatch database (0 for an empty file)."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise StoreError(f"{path}: unreadable database ({err}); hfwatch left it untouched") from None
    if tables == 0 and app_id == 0:
        return 0
    if app_id != APPLICATION_ID:
        raise StoreError(
            f"{path}: a SQLite database that is not hfwatch's; hfwatch left it untouched "
            "(choose another file with --db)"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer hfwatch (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade hfwatch to use it"
        )
    return int(version)


def make_data_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        # mkdir(exist_ok=True) says "File exists" when a file stands where the directory should.
        raise StoreError(f"{directory}: cannot create the data directory (a file of that name is in the way)") from None
    except OSError as err:
        raise StoreError(f"{directory}: cannot create the data directory ({err.strerror})") from None


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """Open, check and (when writable) create or migrate the database at `path`."""
    path = Path(path)
    exists = path.exists()
    if exists:
        _check_file(path)
    elif readonly:
        raise NoDatabaseYet(f"{path}: {NO_DATABASE_YET}")
    else:
        make_data_dir(path.parent)
        if not os.access(path.parent, os.W_OK):
            raise StoreError(f"{path.parent}: the data directory is not writable")
    try:
        if readonly:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
        else:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except sqlite3.OperationalError as err:
        raise StoreError(f"{path}: cannot open the database ({err})") from None
    conn.isolation_level = None  # explicit BEGIN/COMMIT: a poll is one transaction we control
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = _validate(conn, path)
        if readonly and version == 0:
            raise NoDatabaseYet(f"{path}: {NO_DATABASE_YET}")
        if not readonly:
            _prepare_writer(conn, path, version)
            ensure_views(conn)
    except StoreError:
        conn.close()
        raise
    except sqlite3.DatabaseError as err:
        conn.close()
        raise StoreError(f"{path}: unusable database ({err}); hfwatch left it untouched") from None
    return conn


def _prepare_writer(conn: sqlite3.Connection, path: Path, version: int) -> None:
    if version == 0:
        for pragma in NEW_FILE_PRAGMAS:
            conn.execute(pragma)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as err:
        raise StoreError(f"{path}: cannot write the database ({err})") from None
    # NORMAL is crash-safe in WAL mode: a power cut may lose the last poll, never corrupt.
    conn.execute("PRAGMA synchronous = NORMAL")
    if version == 0:
        conn.execute("BEGIN IMMEDIATE")
        for statement in _statements(SCHEMA_V1):
            conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.execute("COMMIT")
        version = 1  # a new file is a v1 file brought forward by the same migrations as an old one
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        for statement in _statements(MIGRATIONS[version]):
            conn.execute(statement)
        version += 1
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """Split a DDL script into statements (the DDL here has no semicolons inside strings)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    out: list[str] = []
    for piece in (s.strip() for s in "\n".join(lines).split(";")):
        if not piece:
            continue
        # A trigger's body is statements ending in ';' up to its END: one statement with them.
        if out and out[-1].upper().startswith("CREATE TRIGGER") and not out[-1].upper().endswith("END"):
            out[-1] += ";\n" + piece
        else:
            out.append(piece)
    return out


class WriterLock:
    """An advisory lock beside the database: one hfwatch process writes, others follow read-only.

    The OS releases it when the process dies, so a crash never leaves a stale lock.
    """

    def __init__(self, db_path: Path) -> None:
        self.path = Path(str(db_path) + ".lock")
        self._fh: IO[str] | None = None

    def acquire(self) -> bool:
        make_data_dir(self.path.parent)
        try:
            fh = self.path.open("a+")
        except OSError as err:
            raise StoreError(f"{self.path}: cannot create the lock file ({err.strerror})") from None
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None
