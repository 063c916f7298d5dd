"""File formats of an archived listing: which one a file is, CSV cells as Hub items, and where a JSON item
starts (for error lines). Pure text handling: no records, no database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from hfwatch.importing.errors import ImportError_

__all__ = ["CSV_ALIASES", "CSV_REQUIRED", "csv_item", "detect_format", "item_lines", "key_line", "tname"]

CSV_ALIASES = {
    "downloads_30d": "downloads",
    "downloads_all_time": "downloadsAllTime",
    "trending_score": "trendingScore",
    "created_at": "createdAt",
    "last_modified": "lastModified",
    "model_id": "id",
    "modelId": "id",
    "pipeline": "pipeline_tag",
    "library": "library_name",
}
_CSV_INTS = ("downloads", "downloadsAllTime", "likes", "trendingScore")
CSV_REQUIRED = ("id", "downloads")
_DIGITS = re.compile(r"\s*\d+\s*\Z")


def detect_format(suffix: str, text: str) -> str:
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


def csv_item(row: dict[str, str], fail: Callable[[int, str], ImportError_], line: int) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for key, cell in row.items():
        value = cell.strip()
        if not key or value == "":
            continue  # an empty cell is unknown, like a key the Hub did not send
        if key in _CSV_INTS:
            item[key] = int(value) if _DIGITS.match(value) else value  # not a count: to_record drops it
        elif key == "tags":
            item[key] = csv_tags(value, fail, line)
        else:
            item[key] = value
    return item


def csv_tags(value: str, fail: Callable[[int, str], ImportError_], line: int) -> list[str]:
    if value.startswith("["):
        try:
            tags = json.loads(value)
        except json.JSONDecodeError:
            raise fail(line, "tags: not a JSON array") from None
        if not isinstance(tags, list):
            raise fail(line, "tags: not a JSON array")
        return [t for t in tags if isinstance(t, str)]
    return [t.strip() for t in re.split(r"[;,]", value) if t.strip()]


def tname(value: object) -> str:
    return {dict: "an object", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def key_line(text: str, key: str) -> int:
    match = re.search(rf"\"{re.escape(key)}\"\s*:", text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


_WS = re.compile(r"[ \t\n\r]*")


def item_lines(text: str) -> list[int]:
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
            if text[pos : pos + 1] == ",":
                pos = ws(pos + 1)

    try:
        pos = ws(0)
        if text[pos : pos + 1] == "{":
            pos = ws(pos + 1)
            while text[pos : pos + 1] == '"':
                key, pos = decoder.raw_decode(text, pos)
                pos = ws(ws(pos) + 1)  # past the colon
                if key == "models" and text[pos : pos + 1] == "[":
                    break
                _, pos = decoder.raw_decode(text, pos)
                pos = ws(pos)
                if text[pos : pos + 1] == ",":
                    pos = ws(pos + 1)
        return [text.count("\n", 0, start) + 1 for start in array(pos)]
    except (json.JSONDecodeError, IndexError):
        return []
