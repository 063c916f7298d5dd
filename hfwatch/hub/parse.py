"""Reading what the Hub wrote, outside of a live listing: raw `/api/models` items and timestamps.

A raw item goes through exactly the path a poll's items take: huggingface_hub's `ModelInfo`
(what `HfApi.list_models` builds from each item) and then `hfwatch.hub.client.to_record`. So an
archived listing is read with the poll's strictness by construction (counts are non-negative
integers or None, never invented), and a change to either is a change to both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from huggingface_hub.hf_api import ModelInfo

from hfwatch.hub.client import to_record
from hfwatch.records import ModelRecord

__all__ = ["COUNT_KEYS", "RecordError", "TimeError", "parse_time", "record_from_hub"]

# Hub key -> ModelRecord field, for the counters a bad value of which is reported as "unknown".
COUNT_KEYS = {"downloads": "downloads_30d", "downloadsAllTime": "downloads_all_time", "likes": "likes",
              "trendingScore": "trending_score"}
_TIME_KEYS = ("createdAt", "lastModified")
_HUB_TIME = "%Y-%m-%dT%H:%M:%S.000Z"

# Times before the Hub existed or after 2200 are typos, or milliseconds taken for seconds.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
_LATEST = datetime(2200, 1, 1, tzinfo=UTC).timestamp()


class RecordError(ValueError):
    """A raw item that is not a model record the poll would accept; the message is a short reason."""


class TimeError(ValueError):
    """A timestamp that cannot be read; the message is a short reason."""


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


def record_from_hub(raw: Mapping[str, Any]) -> ModelRecord:
    """The ModelRecord a poll would make of this `/api/models` item (Hub key names).

    Raises RecordError when the poll would refuse the item (no id, a malformed date or nested
    field). createdAt/lastModified in any form `parse_time` reads are first written the Hub's way,
    since archives written by other tools rarely keep the Hub's exact format.
    """
    if not isinstance(raw, Mapping):
        raise RecordError(f"a model record must be a JSON object, not {type(raw).__name__}")
    model_id = raw.get("id", raw.get("modelId"))
    if not isinstance(model_id, str) or not model_id.strip():
        raise RecordError("the record has no model id (an \"id\" string)")
    item = {k: v for k, v in raw.items() if isinstance(k, str) and k != "self"}
    item["id"] = model_id
    for key in _TIME_KEYS:
        value = item.get(key)
        if value in (None, ""):
            item.pop(key, None)
            continue
        try:
            item[key] = datetime.fromtimestamp(parse_time(value), UTC).strftime(_HUB_TIME)
        except TimeError as err:
            raise RecordError(f"{key}: {err}") from None
    try:
        record = to_record(ModelInfo(**item))
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        # The same exceptions make the poll refuse a page (hfwatch.hub.client.HubClient.list).
        raise RecordError(f"a field huggingface_hub cannot read ({type(err).__name__}: {err})") from None
    if record is None:
        raise RecordError("the record has no model id (an \"id\" string)")
    return record


def unknown_counts(raw: Mapping[str, Any], record: ModelRecord) -> int:
    """How many counters the item sent that were not non-negative integers (so stored as unknown)."""
    return sum(1 for key, name in COUNT_KEYS.items()
               if raw.get(key) not in (None, "") and getattr(record, name) is None)
