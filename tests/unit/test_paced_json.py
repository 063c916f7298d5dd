"""A listing page decoded in small pieces (hfwatch.hub.paced_json): the values and errors of `json.loads`,
with a checkpoint every few items, so a poll's thread can give way to the monitor's UI while it decodes."""

from __future__ import annotations

import json

import pytest

from hfwatch.hub.decode import decode_page
from hfwatch.hub.paced_json import loads_paced
from hfwatch.hub.parse import PageError, parse_page
from hfwatch.pacing import PACE_EVERY
from tests.unit.test_parse import good

BODIES = [
    "[]",
    " [ ]\n",
    "[1,2 , 3]\r\n",
    '[{"a": [1, {"b": null}]}, "x\\ud800", NaN, -1.5e3]',
    "[1,]",
    "[1 2]",
    "[1]x",
    "[1]]",
    "[",
    "[1",
    "",
    '{"error": "Invalid"}',
    '"oops"',
    "\ufeff[1]",
    "\ufeff\ufeff[1]",
]


def outcome(load: object, body: bytes | str) -> tuple[str, object]:
    try:
        return "value", load(body)  # type: ignore[operator]
    except ValueError as err:
        return type(err).__name__, str(err)


@pytest.mark.parametrize("text", BODIES)
@pytest.mark.parametrize("encoding", [None, "utf-8", "utf-8-sig", "utf-16", "utf-32-le"])
def test_a_page_decoded_in_pieces_is_what_json_loads_makes_of_it(text: str, encoding: str | None) -> None:
    body = text if encoding is None else text.encode(encoding)
    assert outcome(lambda b: loads_paced(b, lambda: None), body) == outcome(json.loads, body)


def test_decoding_and_parsing_a_page_pass_a_checkpoint_every_few_items() -> None:
    items = [good(id=f"org/model-{i}") for i in range(1000)]
    calls = [0]

    def count() -> None:
        calls[0] += 1

    assert loads_paced(json.dumps(items).encode(), count) == items
    assert calls[0] >= len(items) // PACE_EVERY  # not once per page: once per PACE_EVERY items
    # A clean page: one typed C pass (~1.5 ms for 1,000 items), then checkpoints while its records are built.
    calls[0] = 0
    page = decode_page(json.dumps(items).encode(), count)
    assert page == parse_page(items)  # the same records as the page decoded in one go
    assert calls[0] >= len(items) // PACE_EVERY
    # A page with a record to forgive is read by the tolerant parser: checkpoints while decoding, then parsing.
    items[500] = good(id="org/model-500", likes="many")
    calls[0] = 0
    page = decode_page(json.dumps(items).encode(), count)
    assert page == parse_page(items) and page.bad_fields == 1
    assert calls[0] >= 2 * (len(items) // PACE_EVERY)


def test_a_paced_page_that_is_not_a_list_is_refused_as_before() -> None:
    with pytest.raises(PageError, match="not a list of models"):
        decode_page(b'{"error": "Invalid"}', lambda: None)
    with pytest.raises(json.JSONDecodeError):
        decode_page(b'[{"id": "a/b"', lambda: None)
