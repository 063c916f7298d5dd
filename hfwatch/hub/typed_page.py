"""A clean listing page read in one typed C pass (msgspec), for the page that has nothing to forgive.

Why: a poll's hottest work is reading its pages. `json.loads` builds a dict per item and `parse_page`
then checks every field of it in Python: ~9 µs a model, a fifth of a first poll's whole pipeline.
msgspec decodes straight into typed structs, checking types and bounds as it goes: ~1.5 µs, and
~4 µs with the records built.

This path is only ever a shortcut, never a second set of rules. Its types admit exactly the values the
tolerant parser (`hfwatch.hub.parse`) would keep as they are; anything else in a page (a wrong type, a
count out of range, a bad date, an unusable id, a lone surrogate, text that is not UTF-8, a page that is
not an array of objects) makes it give up with `NotClean`, and the page is read again by the tolerant
parser, which keeps what it can and counts the rest. So a clean page gives the very records the
tolerant parser gives, and tests/unit/test_typed_page.py checks that on clean and hostile pages alike.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from hfwatch.hub.parse import MAX_COUNT, ParsedPage, hub_time, usable_id
from hfwatch.pacing import PACE_EVERY, Checkpoint, no_checkpoint
from hfwatch.records import ModelRecord

__all__ = ["NotClean", "read_typed_page"]

# msgspec checks the bound in C: a count outside it is not clean (the tolerant parser keeps it as unknown).
_Count = Annotated[int, msgspec.Meta(ge=0, lt=MAX_COUNT)]


class NotClean(ValueError):
    """The page holds something the tolerant parser would forgive: read it with that one."""


class _Safetensors(msgspec.Struct):
    total: _Count | None = None


class _Item(msgspec.Struct):
    """The fields of an `/api/models` item that a record holds; msgspec skips the rest unread."""

    id: str | None = None
    author: str | None = None
    downloads: _Count | None = None
    downloadsAllTime: _Count | None = None
    likes: _Count | None = None
    trendingScore: _Count | None = None
    createdAt: str | None = None
    lastModified: str | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    tags: list[str] | None = None
    # `true` is not a value the Hub uses for gating: the tolerant parser counts it as a bad field.
    gated: bool | Literal["auto", "manual"] | None = None
    safetensors: _Safetensors | None = None


_DECODER = msgspec.json.Decoder(list[_Item])


def _time(text: str | None) -> int | None:
    if text is None:
        return None
    seconds = hub_time(text)
    if seconds is None:
        raise NotClean("a time the tolerant parser reads as unknown")
    return seconds


def read_typed_page(body: bytes | str, pace: Checkpoint = no_checkpoint) -> ParsedPage:
    """The records of a clean page, exactly as `parse_page(json.loads(body))` gives them.

    Raises NotClean for any page that is not clean, well-formed JSON included: the caller reads it
    with the tolerant parser, which keeps what can be kept and raises what `json.loads` raises.
    """
    try:
        items = _DECODER.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as err:
        raise NotClean(str(err)) from None
    records: list[ModelRecord] = []
    append = records.append
    for i, item in enumerate(items):
        if not i % PACE_EVERY:
            pace()
        model_id = item.id
        # No id (a `modelId`-only item) or one the tolerant parser skips: let it decide and count.
        if model_id is None or not usable_id(model_id):
            raise NotClean("an item without a usable id")
        gated = item.gated
        if gated is True:
            raise NotClean("gated: true")
        weights = item.safetensors
        if weights is not None and weights.total is None:
            raise NotClean("safetensors without a total")
        tags = item.tags
        append(
            ModelRecord(
                model_id,
                item.author,
                item.downloads,
                item.downloadsAllTime,
                item.likes,
                item.trendingScore,
                _time(item.createdAt),
                _time(item.lastModified),
                item.pipeline_tag,
                item.library_name,
                () if tags is None else tuple(tags),
                "false" if gated is False else gated,
                None if weights is None else weights.total,
            )
        )
    return ParsedPage(records=records, items=len(items))
