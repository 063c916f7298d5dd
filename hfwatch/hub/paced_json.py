"""A listing page's JSON array decoded item by item, with a checkpoint between small runs of items.

Why: `json.loads` of a 1,000-model page is one C call that holds the GIL for 10-20 ms, and a poll's thread
can only give way to the monitor's UI (hfwatch.pacing) between such calls. Decoded an item at a time (the
same decoder, so the same values), the thread reaches a checkpoint every `PACE_EVERY` items, well under a
millisecond apart, for the same total cost.

Anything but a plain array of values, including every malformed page, is handed to `json.loads` whole, so
the values and the errors are exactly `json.loads`'s.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hfwatch.pacing import PACE_EVERY, Checkpoint

_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's own whitespace, as the json module skips it
_DECODER = json.JSONDecoder()  # json.loads's defaults


def text_of(body: bytes | str) -> str:
    """The page as text, decoded as `json.loads` decodes bytes (UTF-8, -16 or -32, found from the first bytes)."""
    if isinstance(body, str):
        return body
    return body.decode(json.detect_encoding(body), "surrogatepass")


def loads_paced(body: bytes | str, pace: Checkpoint) -> Any:
    """`json.loads(body)`, with `pace()` called every PACE_EVERY items of a top-level array."""
    items = _array_items(text_of(body), pace)
    return json.loads(body) if items is None else items


def _skip(text: str, at: int) -> int:
    """Past the whitespace at `at`."""
    found = _WHITESPACE.match(text, at)
    return found.end() if found is not None else at


def _array_items(text: str, pace: Checkpoint) -> list[Any] | None:
    """The items of `text` when it is exactly one JSON array; None for anything else (json.loads says what)."""
    at = _skip(text, 0)
    if text[at : at + 1] != "[":
        return None
    at = _skip(text, at + 1)
    items: list[Any] = []
    if text[at : at + 1] != "]":
        try:
            while True:
                if not len(items) % PACE_EVERY:
                    pace()
                item, at = _DECODER.raw_decode(text, at)
                items.append(item)
                at = _skip(text, at)
                sep = text[at : at + 1]
                if sep == "]":
                    break
                if sep != ",":
                    return None
                at = _skip(text, at + 1)
        except json.JSONDecodeError:
            return None
    return items if _skip(text, at + 1) == len(text) else None
