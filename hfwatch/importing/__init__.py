"""Backfill: archived Hub listings stored as one poll's observations at the time they were taken.

Modules: `listing` reads a file (`formats` tells the format and parses CSV cells, `reader` validates
every item into a ModelRecord through `reader.record_of`, the single place a dict becomes a record);
`storing` writes a read listing to the store.

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

from hfwatch.importing.errors import ImportError_
from hfwatch.importing.listing import Listing, read_listing
from hfwatch.importing.reader import MAX_SPREAD_S, TIME_KEYS, record_of
from hfwatch.importing.storing import (
    META_PREFIX,
    Imported,
    check_listing,
    history_end,
    listing_time,
    meta_key,
    store_listing,
)

__all__ = [
    "MAX_SPREAD_S",
    "META_PREFIX",
    "TIME_KEYS",
    "ImportError_",
    "Imported",
    "Listing",
    "check_listing",
    "history_end",
    "listing_time",
    "meta_key",
    "read_listing",
    "record_of",
    "store_listing",
]
