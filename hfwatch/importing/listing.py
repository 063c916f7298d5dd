"""One archived listing file, read whole and validated before anything is stored.

Formats are told apart by the name's suffix, else by the content (`formats`); a `.gz` file is decompressed
first. The package docstring (hfwatch.importing) lists the formats and the validation rules.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from hfwatch.importing.errors import ImportError_
from hfwatch.importing.formats import detect_format
from hfwatch.importing.reader import ListingReader
from hfwatch.records import ModelRecord

__all__ = ["Listing", "read_listing"]


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
    fmt = detect_format(suffix, text)
    reader = ListingReader(name)
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
    return Listing(
        name=name,
        sha256=sha,
        size=len(raw),
        fmt=fmt,
        records=reader.records,
        at=at,
        first_at=first,
        unknown_values=reader.unknown,
        time_error=time_error,
    )
