"""Backfill: archived Hub listings stored as one poll's observations at the time they were taken.

A file is read and validated whole before the database is touched; then it is attributed and
stored by `hfwatch.engine.store_records`, the very code a poll is stored by, in one transaction.

Formats (found by the name's suffix, else by the content; `.gz` is decompressed first):
- JSON: an array of `/api/models` items, or an object `{"fetched_at": ..., "models": [...]}`;
- JSON Lines: one item per line;
- CSV: a header with `id` and `downloads`, optional `downloadsAllTime`, `likes`, `trendingScore`,
  `createdAt`, `lastModified`, `author`, `pipeline_tag`, `library_name`, `tags`, `gated`, and
  `fetched_at` or `date` (snake_case spellings of the Hub names are accepted too).

Validation: anything that is not a model record (broken JSON, a row without an id, a malformed
date) refuses the whole file with one line naming file and line, because a half-read archive
would put a silent hole in the history. A counter that is not a non-negative integer is stored
as unknown, as a poll stores it, and counted in the summary.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hfwatch.hub.parse import RecordError, TimeError, parse_time, record_from_hub, unknown_counts
from hfwatch.records import Lane, ModelRecord, PollResult, PollStats
from hfwatch.registry import Registry
from hfwatch.store import IngestSummary, Store
from hfwatch.store.db import sqlite_failure
from hfwatch.store.maintenance import maintain_if_due

TIME_KEYS = ("fetched_at", "date")
# A listing is one poll; records further apart than this are several snapshots in one file.
MAX_SPREAD_S = 86400
_CSV_ALIASES = {"downloads_30d": "downloads", "downloads_all_time": "downloadsAllTime",
                "trending_score": "trendingScore", "created_at": "createdAt", "last_modified": "lastModified",
                "model_id": "id", "modelId": "id", "pipeline": "pipeline_tag", "library": "library_name"}
_CSV_INTS = ("downloads", "downloadsAllTime", "likes", "trendingScore")
_CSV_REQUIRED = ("id", "downloads")
_DIGITS = re.compile(r"\s*\d+\s*\Z")


class ImportError_(Exception):  # the name the CLI reports as a plain error (hfwatch.cli.main)
    """An archive that cannot be imported; one line, `<file>:<line>: <reason>` where a line is known."""


@dataclass(slots=True)
class Listing:
    """One archived listing, read and validated."""

    name: str
    sha256: str
    size: int
    fmt: str
    records: list[ModelRecord]
    at: float | None  # the time the file says it was fetched (latest record time), if any
    first_at: float | None  # the earliest record time, if records carry their own
    unknown_values: int  # counters present but not non-negative integers, stored as unknown
    time_error: str | None = None  # why the file's own time cannot be used (matters without --at)


def read_listing(path: str) -> Listing:
    """Read and validate a file (`-` for standard input)."""
    name = "<stdin>" if path == "-" else path
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except IsADirectoryError:
        raise ImportError_(f"{name}: is a directory, not a listing file") from None
    except OSError as err:
        raise ImportError_(f"{name}: cannot read the file ({err.strerror or err})") from None
    sha = hashlib.sha256(raw).hexdigest()
    data = raw
    suffix = path.lower()
    if raw[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise ImportError_(f"{name}: a damaged gzip file ({err})") from None
        suffix = suffix.removesuffix(".gz")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise ImportError_(f"{name}:{line}: not UTF-8 text") from None
    if not text.strip():
        raise ImportError_(f"{name}:1: the file is empty")
    fmt = _format(suffix, text)
    reader = _Reader(name)
    if fmt == "csv":
        reader.csv(text)
    elif fmt == "jsonl":
        reader.jsonl(text)
    else:
        reader.json(text)
    if not reader.records:
        raise ImportError_(f"{name}:1: no model records in the file")
    at = first = None
    time_error = None
    try:
        at, first = reader.time()
    except ImportError_ as err:
        time_error = str(err)
    return Listing(name=name, sha256=sha, size=len(raw), fmt=fmt, records=reader.records, at=at, first_at=first,
                   unknown_values=reader.unknown, time_error=time_error)


def _format(suffix: str, text: str) -> str:
    if suffix.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if suffix.endswith(".csv"):
        return "csv"
    head = text.lstrip()[:1]
    if head == "[":
        return "json"
    if head == "{":
        # One object holding the whole listing, or one object per line.
        try:
            whole = json.loads(text)
        except json.JSONDecodeError as err:
            return "jsonl" if err.msg == "Extra data" else "json"
        # A lone object with an id is a one-line JSON Lines file; any other object must hold "models".
        return "jsonl" if isinstance(whole, dict) and "id" in whole and "models" not in whole else "json"
    if suffix.endswith(".json"):
        return "json"
    return "csv"


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.records: list[ModelRecord] = []
        # (time, position) of records that carry one; a position is a line, or for a JSON document
        # the record's index, turned into a line only when there is something to report.
        self.times: list[tuple[float, int]] = []
        self.top_time: float | None = None
        self.unknown = 0
        self.line_of: Callable[[int], int] = lambda position: position

    def fail(self, line: int, reason: str) -> ImportError_:
        return ImportError_(f"{self.name}:{line}: {' '.join(reason.split())}")

    def _add(self, item: Any, position: int) -> None:
        try:
            record = record_from_hub(item)
        except RecordError as err:
            raise self.fail(self.line_of(position), str(err)) from None
        for key in TIME_KEYS:
            value = item.get(key)
            if value not in (None, ""):
                try:
                    self.times.append((parse_time(value), position))
                except TimeError as err:
                    raise self.fail(self.line_of(position), f"{key}: {err}") from None
                break
        self.unknown += unknown_counts(item, record)
        self.records.append(record)

    # -- JSON
    def json(self, text: str) -> None:
        try:
            whole = json.loads(text)
        except json.JSONDecodeError as err:
            raise self.fail(err.lineno, f"invalid JSON ({err.msg})") from None
        if isinstance(whole, dict):
            if "models" not in whole:
                raise self.fail(1, "a JSON object must hold the listing as \"models\": [...] "
                                   "(or write a JSON array, or JSON Lines)")
            items = whole["models"]
            for key in TIME_KEYS:
                if whole.get(key) not in (None, ""):
                    try:
                        self.top_time = parse_time(whole[key])
                    except TimeError as err:
                        raise self.fail(_key_line(text, key), f"{key}: {err}") from None
                    break
        else:
            items = whole
        if not isinstance(items, list):
            raise self.fail(1, f"the listing must be a JSON array of model records, not {_tname(items)}")
        lines: list[int] = []

        def line_of(index: int) -> int:
            if not lines:
                lines.extend(_item_lines(text) or [1])
            return lines[index] if index < len(lines) else 1

        self.line_of = line_of
        for i, item in enumerate(items):
            self._add(item, i)

    def jsonl(self, text: str) -> None:
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as err:
                raise self.fail(n, f"invalid JSON ({err.msg}, column {err.colno})") from None
            self._add(item, n)

    # -- CSV
    def csv(self, text: str) -> None:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as err:
            raise self.fail(1, f"not a CSV header ({err})") from None
        columns = [_CSV_ALIASES.get(c.strip(), c.strip()) for c in header]
        missing = [c for c in _CSV_REQUIRED if c not in columns]
        if missing:
            raise self.fail(1, f"the CSV header has no {missing[0]!r} column (it needs id and downloads)")
        dupes = {c for c in columns if columns.count(c) > 1 and c}
        if dupes:
            raise self.fail(1, f"the CSV header names {sorted(dupes)[0]!r} twice")
        line = 1
        try:
            for row in reader:
                start, line = line + 1, reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(columns):
                    raise self.fail(start, f"{len(row)} cells, the header has {len(columns)}")
                self._add(_csv_item(dict(zip(columns, row, strict=True)), self.fail, start), start)
        except csv.Error as err:
            raise self.fail(line + 1, f"malformed CSV ({err})") from None

    # -- the listing's time
    def time(self) -> tuple[float | None, float | None]:
        if self.top_time is not None:
            return self.top_time, None
        if not self.times:
            return None, None
        if len(self.times) != len(self.records):
            raise self.fail(self.line_of(self.times[0][1]),
                            "some records carry a fetched_at/date and others do not; pass --at, or give every "
                            "record its time")
        earliest, latest = min(self.times), max(self.times)
        if latest[0] - earliest[0] > MAX_SPREAD_S:
            raise self.fail(self.line_of(latest[1]), "records were fetched more than a day apart: several "
                                                     "snapshots in one file; split it (one file per poll) or pass --at")
        return latest[0], earliest[0]


def _csv_item(row: dict[str, str], fail: Callable[[int, str], ImportError_], line: int) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for key, cell in row.items():
        value = cell.strip()
        if not key or value == "":
            continue  # an empty cell is unknown, like a key the Hub did not send
        if key in _CSV_INTS:
            item[key] = int(value) if _DIGITS.match(value) else value  # not a count: to_record drops it
        elif key == "tags":
            item[key] = _csv_tags(value, fail, line)
        else:
            item[key] = value
    return item


def _csv_tags(value: str, fail: Callable[[int, str], ImportError_], line: int) -> list[str]:
    if value.startswith("["):
        try:
            tags = json.loads(value)
        except json.JSONDecodeError:
            raise fail(line, "tags: not a JSON array") from None
        if not isinstance(tags, list):
            raise fail(line, "tags: not a JSON array")
        return [t for t in tags if isinstance(t, str)]
    return [t.strip() for t in re.split(r"[;,]", value) if t.strip()]


def _tname(value: object) -> str:
    return {dict: "an object", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__)


def _key_line(text: str, key: str) -> int:
    match = re.search(rf"\"{re.escape(key)}\"\s*:", text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


_WS = re.compile(r"[ \t\n\r]*")


def _item_lines(text: str) -> list[int]:
    """The line each record of a JSON listing starts on (array or {"models": [...]}), best effort."""
    decoder = json.JSONDecoder()

    def ws(pos: int) -> int:
        match = _WS.match(text, pos)
        return match.end() if match else pos

    def array(pos: int) -> Iterator[int]:
        pos = ws(pos + 1)
        while pos < len(text) and text[pos] != "]":
            yield pos
            _, pos = decoder.raw_decode(text, pos)
            pos = ws(pos)
            if text[pos:pos + 1] == ",":
                pos = ws(pos + 1)

    try:
        pos = ws(0)
        if text[pos:pos + 1] == "{":
            pos = ws(pos + 1)
            while text[pos:pos + 1] == '"':
                key, pos = decoder.raw_decode(text, pos)
                pos = ws(ws(pos) + 1)  # past the colon
                if key == "models" and text[pos:pos + 1] == "[":
                    break
                _, pos = decoder.raw_decode(text, pos)
                pos = ws(pos)
                if text[pos:pos + 1] == ",":
                    pos = ws(pos + 1)
        return [text.count("\n", 0, start) + 1 for start in array(pos)]
    except (json.JSONDecodeError, IndexError):
        return []


# -- storing ----------------------------------------------------------------------------------------

META_PREFIX = "import:"


def listing_time(listing: Listing, at: float | None) -> float:
    """The time the listing is stored at: `--at` when given, else the file's own."""
    if at is not None:
        return at
    if listing.time_error is not None:
        raise ImportError_(listing.time_error)
    if listing.at is None:
        raise ImportError_(f"{listing.name}: the file does not say when it was fetched (no fetched_at or date); "
                           "pass --at TIMESTAMP")
    return listing.at


@dataclass(frozen=True, slots=True)
class Imported:
    listing: Listing
    t: int
    summary: IngestSummary | None  # None: this file at this time was imported before, nothing changed
    previous: dict[str, Any] | None = None  # what the earlier import recorded


def meta_key(listing: Listing, t: int) -> str:
    return f"{META_PREFIX}{listing.sha256}:{t}"


def history_end(conn: sqlite3.Connection) -> int | None:
    """The latest time the history holds (a poll, an observation or a rollup)."""
    row = conn.execute(
        "SELECT max(coalesce((SELECT max(t) FROM observations), 0), coalesce((SELECT max(t) FROM rollups), 0),"
        " coalesce((SELECT cast(max(finished) AS INTEGER) FROM polls WHERE status = 'ok'), 0))").fetchone()
    return int(row[0]) if row and row[0] else None


def check_listing(store: Store, listing: Listing, t: int, end: int | None = None) -> dict[str, Any] | None:
    """What the earlier import of this file at `t` recorded (then it is skipped), else None when it can be
    stored; refuses a listing not later than the history's end (`end`, read from the store if not given)."""
    row = store.conn.execute("SELECT value FROM meta WHERE key = ?", (meta_key(listing, t),)).fetchone()
    if row is not None:
        try:
            previous = json.loads(row[0])
        except (TypeError, json.JSONDecodeError):
            previous = {}
        return previous if isinstance(previous, dict) else {}
    end = history_end(store.conn) if end is None else end
    if end is not None and t <= end:
        # Stores (rollups, latest counters) move forward in time; a listing older than the history
        # would overwrite newer counters with older ones.
        raise ImportError_(f"{listing.name}: its time {_iso(t)} is not after the history's end ({_iso(end)}) in "
                           f"{store.path}; import archives oldest first, before polling, or into a new --db")
    return None


def store_listing(store: Store, listing: Listing, t: int, registry: Registry, *,
                  include_reuploaders: bool = True) -> Imported:
    """Store one listing as a poll at `t` (Unix seconds); a file already imported at `t` is skipped."""
    from hfwatch.engine import merge_records, store_records

    previous = check_listing(store, listing, t)
    if previous is not None:
        return Imported(listing, t, None, previous)
    result = PollResult(lane=Lane.IMPORT, started=float(min(listing.first_at or t, t)), finished=float(t),
                        records=merge_records([listing.records]), stats=PollStats())
    try:
        summary = store_records(store, result, registry, include_reuploaders=include_reuploaders)
    except sqlite3.Error as err:
        # The ingest transaction rolled back: one line naming the file, nothing half-stored.
        raise sqlite_failure(store.path, err, doing=f"storing {listing.name}",
                             outcome="the listing was not imported") from None
    # Written right after the poll's own transaction: were it lost in a crash, a second import of
    # the file is still refused by the ordering rule above, so nothing is ever stored twice.
    value = json.dumps({"file": listing.name, "sha256": listing.sha256, "t": t, "pid": summary.pid,
                        "models": summary.models})
    store.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (meta_key(listing, t), value))
    # As after a slow poll (a listing is a full one): retention and downsampling, at most once per day
    # of the data's clock, so a year of archives ends up as small as a year of polls.
    maintain_if_due(store.conn, t)
    return Imported(listing, t, summary)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
