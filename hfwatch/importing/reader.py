"""Reading a listing's records: every item validated and turned into a ModelRecord, with its time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from hfwatch.hub.parse import RecordError, TimeError, parse_time, record_from_hub, unknown_counts
from hfwatch.importing.errors import ImportError_
from hfwatch.importing.formats import CSV_ALIASES, CSV_REQUIRED, csv_item, item_lines, key_line, tname
from hfwatch.records import ModelRecord

__all__ = ["MAX_SPREAD_S", "TIME_KEYS", "ListingReader", "record_of"]

TIME_KEYS = ("fetched_at", "date")
# A listing is one poll; records further apart than this are several snapshots in one file.
MAX_SPREAD_S = 86400


def record_of(item: Any) -> ModelRecord:
    """The one place an import turns a Hub item (a dict) into a ModelRecord; raises RecordError."""
    return record_from_hub(item)


class ListingReader:
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
            record = record_of(item)
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
                raise self.fail(
                    1, 'a JSON object must hold the listing as "models": [...] (or write a JSON array, or JSON Lines)'
                )
            items = whole["models"]
            for key in TIME_KEYS:
                if whole.get(key) not in (None, ""):
                    try:
                        self.top_time = parse_time(whole[key])
                    except TimeError as err:
                        raise self.fail(key_line(text, key), f"{key}: {err}") from None
                    break
        else:
            items = whole
        if not isinstance(items, list):
            raise self.fail(1, f"the listing must be a JSON array of model records, not {tname(items)}")
        lines: list[int] = []

        def line_of(index: int) -> int:
            if not lines:
                lines.extend(item_lines(text) or [1])
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
        columns = [CSV_ALIASES.get(c.strip(), c.strip()) for c in header]
        missing = [c for c in CSV_REQUIRED if c not in columns]
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
                self._add(csv_item(dict(zip(columns, row, strict=True)), self.fail, start), start)
        except csv.Error as err:
            raise self.fail(line + 1, f"malformed CSV ({err})") from None

    # -- the listing's time
    def time(self) -> tuple[float | None, float | None]:
        if self.top_time is not None:
            return self.top_time, None
        if not self.times:
            return None, None
        if len(self.times) != len(self.records):
            raise self.fail(
                self.line_of(self.times[0][1]),
                "some records carry a fetched_at/date and others do not; pass --at, or give every record its time",
            )
        earliest, latest = min(self.times), max(self.times)
        if latest[0] - earliest[0] > MAX_SPREAD_S:
            raise self.fail(
                self.line_of(latest[1]),
                "records were fetched more than a day apart: several "
                "snapshots in one file; split it (one file per poll) or pass --at",
            )
        return latest[0], earliest[0]
