"""A listing page's body to records: the typed pass for a clean page, the tolerant parser for any other."""

from __future__ import annotations

import json

from hfwatch.gcpause import gc_paused
from hfwatch.hub.paced_json import loads_paced
from hfwatch.hub.parse import ParsedPage, parse_page
from hfwatch.hub.typed_page import NotClean, read_typed_page
from hfwatch.pacing import Checkpoint, no_checkpoint

__all__ = ["decode_page"]


def decode_page(body: bytes | str, pace: Checkpoint = no_checkpoint) -> ParsedPage:
    """The records of a listing page's JSON text, with the garbage collector paused (see gcpause).

    A clean page is read by `read_typed_page`; a page it gives up on (hostile records, a malformed
    body) is read again by `parse_page`, which keeps every usable record and counts the rest. Both
    give the same records for a clean page, so which one ran is never visible.
    `pace`: called every PACE_EVERY items while the page is read, not only between pages.

    Raises what `json.loads` raises for text that is not JSON, and PageError as `parse_page` does.
    """
    with gc_paused():
        try:
            return read_typed_page(body, pace)
        except NotClean:
            pass
        if pace is no_checkpoint:
            return parse_page(json.loads(body))
        # Decoded an item at a time: one `json.loads` of a 1,000-model page held a poll's thread from
        # its checkpoints ~30 ms (the typed pass takes ~1.5 ms for the same page).
        return parse_page(loads_paced(body, pace), pace)
