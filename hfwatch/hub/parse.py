"""Reading what the Hub wrote: `/api/models` items, listing pages, timestamps, the `Date` header.

hfwatch's own parser, tolerant per field: a field of the wrong type or with an impossible value is
unknown (None), never guessed; an item without a usable model id is skipped and counted; the rest of
the page is kept. One bad record never costs a poll. Polls (`hfwatch.hub.client`) and archived
listings (`record_from_hub`, for `hfwatch import`) go through the same `parse_record`.

Text stays data: ids, tags and names are kept exactly as sent (markup, escapes, bidi characters,
spreadsheet formulas included); `hfwatch.textsafe` makes them safe where they are shown. The one
exception is text that cannot be stored at all (a lone UTF-16 surrogate, which JSON can carry and
SQLite's UTF-8 cannot): such a field is unknown, such an id skips its record.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from hfwatch.gcpause import gc_paused
from hfwatch.pacing import PACE_EVERY, Checkpoint, no_checkpoint
from hfwatch.records import ModelRecord

__all__ = [
    "COUNT_KEYS",
    "MAX_COUNT",
    "TIME_KEYS",
    "PageError",
    "ParsedPage",
    "RecordError",
    "TimeError",
    "hub_time",
    "parse_http_date",
    "parse_page",
    "parse_record",
    "parse_time",
    "record_from_hub",
    "unknown_counts",
    "usable_id",
]

# Hub key -> ModelRecord field, for the counters a bad value of which is reported as "unknown".
COUNT_KEYS = {
    "downloads": "downloads_30d",
    "downloadsAllTime": "downloads_all_time",
    "likes": "likes",
    "trendingScore": "trending_score",
}
TIME_KEYS = {"createdAt": "created_at", "lastModified": "last_modified"}
_TEXT_KEYS = {"author": "author", "pipeline_tag": "pipeline_tag", "library_name": "library_name"}

# SQLite INTEGER is 64-bit signed; a count this large is not a real count.
MAX_COUNT = 2**62
# Times before the Hub existed or after 2200 are typos, or milliseconds taken for seconds.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
_LATEST = datetime(2200, 1, 1, tzinfo=UTC).timestamp()


class RecordError(ValueError):
    """A raw item that is not a model record; the message is a short reason."""


class TimeError(ValueError):
    """A timestamp that cannot be read; the message is a short reason."""


class PageError(ValueError):
    """A listing page that is not a list of records at all; the message is a short reason."""


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """The records of one listing page, and what could not be used."""

    records: list[ModelRecord]
    items: int = 0  # items the page held, usable or not
    skipped: int = 0  # items dropped whole: not an object, or no usable model id
    bad_fields: int = 0  # fields sent with a value that is stored as unknown


# -- single values ----------------------------------------------------------------------------------


def _count(value: Any) -> int | None:
    """A clean non-negative int, else unknown.

    `type() is int` turns away bools, floats (1.5e3, 7.0) and numeric strings ("1234"): the API
    sends counts as JSON integers, and a count in another form is a producer bug whose meaning
    (rounded? thousands separator?) hfwatch would only be guessing.
    """
    return value if type(value) is int and 0 <= value < MAX_COUNT else None


def _storable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(value: Any) -> str | None:
    return value if type(value) is str and _storable(value) else None


def hub_time(value: Any) -> int | None:
    """Unix seconds of an ISO 8601 time as the Hub writes it (`2026-04-22T06:04:45.000Z`), else unknown."""
    if type(value) is not str:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    return int(seconds) if _EARLIEST <= seconds < _LATEST else None


def _tags(value: Any) -> tuple[str, ...]:
    if type(value) is not list:
        return ()
    try:
        # The common case in one C call: every tag a string, all of them ASCII.
        if "".join(value).isascii():
            return tuple(value)
    except TypeError:
        pass
    return tuple(t for t in value if type(t) is str and _storable(t))


def _gated(value: Any) -> str | None:
    if value is False:
        return "false"
    return value if value == "auto" or value == "manual" else None


def _params(value: Any) -> int | None:
    return _count(value.get("total")) if type(value) is dict else None


def _model_id(item: dict[str, Any]) -> str | None:
    """The id when it is a usable string, else None (the record is unusable)."""
    value = item.get("id")
    if value is None:
        value = item.get("modelId")
    if type(value) is not str or not usable_id(value) or not _storable(value):
        return None
    return value


def usable_id(value: str) -> bool:
    """Whether a model id has the form namespace/name, neither part blank.

    Only the first '/' splits: a name may hold more (`evil-org/[link=http://x]y[/link]` is a valid
    string, kept literally).
    """
    namespace, slash, name = value.partition("/")
    return bool(slash) and bool(namespace.strip()) and bool(name.strip())


# -- records and pages ------------------------------------------------------------------------------


def _read_item(item: dict[str, Any]) -> tuple[ModelRecord, int] | None:
    """The record of one item and how many fields it sent (not null) that the record holds as unknown, or
    only in part (tags); None when the item has no usable id."""
    model_id = _model_id(item)
    if model_id is None:
        return None
    get = item.get
    bad = 0
    # Inline, not a helper per counter: a call costs as much as the check, four times a model.
    raw_d30, raw_dall, raw_likes, raw_trend = (
        get("downloads"),
        get("downloadsAllTime"),
        get("likes"),
        get("trendingScore"),
    )
    d30 = raw_d30 if type(raw_d30) is int and 0 <= raw_d30 < MAX_COUNT else None
    dall = raw_dall if type(raw_dall) is int and 0 <= raw_dall < MAX_COUNT else None
    likes = raw_likes if type(raw_likes) is int and 0 <= raw_likes < MAX_COUNT else None
    trend = raw_trend if type(raw_trend) is int and 0 <= raw_trend < MAX_COUNT else None
    bad += (d30 is None and raw_d30 is not None) + (dall is None and raw_dall is not None)
    bad += (likes is None and raw_likes is not None) + (trend is None and raw_trend is not None)
    raw_created, raw_modified = get("createdAt"), get("lastModified")
    created, modified = hub_time(raw_created), hub_time(raw_modified)
    bad += (created is None and raw_created is not None) + (modified is None and raw_modified is not None)
    raw_author, raw_pipeline, raw_library = get("author"), get("pipeline_tag"), get("library_name")
    author, pipeline, library = _text(raw_author), _text(raw_pipeline), _text(raw_library)
    bad += (author is None and raw_author is not None) + (pipeline is None and raw_pipeline is not None)
    bad += library is None and raw_library is not None
    raw_tags = get("tags")
    tags = _tags(raw_tags)
    if raw_tags is not None:
        bad += type(raw_tags) is not list or len(raw_tags) != len(tags)
    raw_gated = get("gated")
    gated = "false" if raw_gated is False else _gated(raw_gated)
    bad += gated is None and raw_gated is not None
    raw_params = get("safetensors")
    params = _params(raw_params)
    bad += params is None and raw_params is not None
    record = ModelRecord(
        model_id, author, d30, dall, likes, trend, created, modified, pipeline, library, tags, gated, params
    )
    return record, bad


def parse_record(item: Any) -> ModelRecord | None:
    """The ModelRecord of one `/api/models` item, or None when it has no usable id."""
    if type(item) is not dict:
        return None
    read = _read_item(item)
    return None if read is None else read[0]


def parse_page(items: Any, pace: Checkpoint = no_checkpoint) -> ParsedPage:
    """Every usable record of one listing page (a JSON array), in order; counts what was not usable.
    `pace()` every PACE_EVERY items (a poll in the monitor gives way to its UI there: hfwatch.pacing).

    Raises PageError when the page is not an array (an error object, a bare string): there is
    nothing to keep, and the caller says so in one line.
    """
    if type(items) is not list:
        raise PageError(f"the page is {_kind(items)}, not a list of models")
    records: list[ModelRecord] = []
    append = records.append
    skipped = bad = 0
    with gc_paused():
        for i, item in enumerate(items):
            if not i % PACE_EVERY:
                pace()
            read = _read_item(item) if type(item) is dict else None
            if read is None:
                skipped += 1
                continue
            append(read[0])
            bad += read[1]
    return ParsedPage(records=records, items=len(items), skipped=skipped, bad_fields=bad)


def _kind(value: object) -> str:
    return {dict: "a JSON object", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


# -- times ------------------------------------------------------------------------------------------


def parse_http_date(value: str | None) -> float | None:
    """Unix seconds of an HTTP `Date` header (RFC 9110 IMF-fixdate, or the obsolete forms), else None.

    A date outside 2000..2200 is treated as unparsable: a server with a broken clock must not date
    a poll decades away.
    """
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # "-0000": UTC by RFC 5322
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    return seconds if _EARLIEST <= seconds < _LATEST else None


def parse_time(value: Any) -> float:
    """Unix seconds from a timestamp as archives write them.

    Accepted: Unix seconds (a number or a string of digits), an ISO 8601 date (midnight UTC) or
    date-time (`Z`, an offset, or none for UTC; a space may stand for the `T`).
    """
    if isinstance(value, bool):
        raise TimeError(f"{value!r} is not a timestamp")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            seconds = _iso(text)
    else:
        raise TimeError(f"{type(value).__name__} is not a timestamp")
    if math.isnan(seconds) or not _EARLIEST <= seconds < _LATEST:
        hint = " (milliseconds? hfwatch wants seconds)" if seconds > _LATEST else ""
        raise TimeError(f"{value!r} is not a time between 2000 and 2200{hint}")
    return seconds


def _iso(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TimeError(f"{text[:40]!r} is not Unix seconds or an ISO 8601 date or time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


# -- archives ---------------------------------------------------------------------------------------


def record_from_hub(raw: Mapping[str, Any]) -> ModelRecord:
    """The ModelRecord a poll would make of this `/api/models` item (Hub key names), for `hfwatch import`.

    Stricter than a poll where an archive can be fixed by its owner: raises RecordError for an item
    a poll would skip (no usable id) and for a createdAt/lastModified that `parse_time` cannot read.
    Times in any form `parse_time` reads are accepted, since archives written by other tools rarely
    keep the Hub's exact format.
    """
    if not isinstance(raw, Mapping):
        raise RecordError(f"a model record must be a JSON object, not {type(raw).__name__}")
    record = parse_record(raw if type(raw) is dict else dict(raw))
    if record is None:
        raise RecordError('the record has no model id (an "id" string of the form namespace/name)')
    created, modified = (_archive_time(raw, key) for key in TIME_KEYS)
    return replace(record, created_at=created, last_modified=modified)


def _archive_time(raw: Mapping[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    try:
        return int(parse_time(value))
    except TimeError as err:
        raise RecordError(f"{key}: {err}") from None


def unknown_counts(raw: Mapping[str, Any], record: ModelRecord) -> int:
    """How many counters the item sent that were not non-negative integers (so stored as unknown)."""
    return sum(
        1 for key, name in COUNT_KEYS.items() if raw.get(key) not in (None, "") and getattr(record, name) is None
    )
