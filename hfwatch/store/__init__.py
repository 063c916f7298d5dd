"""The SQLite history: one file, WAL, one writer, any number of readers."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hfwatch.records import Attribution, PollResult
from hfwatch.store import queries
from hfwatch.store.db import StoreError, StoreLocked, WriterLock, connect

if TYPE_CHECKING:
    from hfwatch.store.ingest import IngestSummary

__all__ = ["Store", "StoreError", "StoreLocked", "WriterLock", "queries"]


class Store:
    """A connection to the history file.

    A Store is used by one thread at a time; the monitor gives its poll worker a Store of its
    own (SQLite in WAL mode lets that writer and the UI's reader work side by side).
    """

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.conn: sqlite3.Connection = connect(self.path, readonly=readonly)
        self._attr_cache: dict[str, Attribution | None] = {}

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _require_writer(self) -> None:
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only")

    # The write path (ingest, its totals and maintenance) is imported by the first write, not with the store:
    # a reader (the monitor offline, its first frame) never loads it.

    def ingest(self, result: PollResult, attributions: Mapping[str, Attribution], *, t: int) -> IngestSummary:
        from hfwatch.store.ingest import ingest_poll

        self._require_writer()
        self._attr_cache.clear()
        return ingest_poll(self.conn, result, attributions, t=t)

    def record_failed(self, result: PollResult) -> int:
        from hfwatch.store.ingest import record_failed_poll

        self._require_writer()
        return record_failed_poll(self.conn, result)

    def attribution_of(self, model_id: str) -> Attribution | None:
        if model_id not in self._attr_cache:
            self._attr_cache[model_id] = queries.attribution_of(self.conn, model_id)
        return self._attr_cache[model_id]

    def file_size(self) -> int:
        size = 0
        for suffix in ("", "-wal"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                size += p.stat().st_size
        return size
