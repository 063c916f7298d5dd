"""The typed pass over a clean page (hfwatch.hub.typed_page) is a shortcut, not a second set of rules: for
every page, clean or hostile, `decode_page` gives exactly what the tolerant parser gives, and the typed
pass gives up on every page that holds something the tolerant parser would forgive."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from hfwatch.hub.decode import decode_page
from hfwatch.hub.parse import ParsedPage, parse_page
from hfwatch.hub.typed_page import NotClean, read_typed_page
from tests.unit.test_parse import CREATED, HOSTILE_IDS, good

COUNT_KEYS = ("downloads", "downloadsAllTime", "likes", "trendingScore")
# Per field: values the tolerant parser keeps as sent (clean), and values it forgives (stored as unknown,
# dropped in part, or the record skipped). Null is clean: it is how the Hub says "not sent".
CLEAN: dict[str, list[Any]] = {
    **{key: [0, 1, 78864, 2**62 - 1, None] for key in COUNT_KEYS},
    "createdAt": [CREATED, "2026-04-22T06:04:45Z", "2026-04-22T08:04:45+02:00", "2026-04-22T06:04:45", None],
    "lastModified": ["2022-03-02T23:29:04.000Z", None],
    "author": ["deepseek-ai", "", "مؤسسة", "[bold]x[/]", None],
    "pipeline_tag": ["text-generation", "\x1b[2J", None],
    "library_name": ["transformers", None],
    "tags": [[], ["a", "b:c"], ["café", "模型", "\u200b"], None],
    "gated": [False, "auto", "manual", None],
    "safetensors": [{"total": 8}, {"parameters": {"BF16": 8}, "total": 8}, None],
    "id": HOSTILE_IDS,
}
FORGIVEN: dict[str, list[Any]] = {
    **{key: [-1, 2**62, 2**70, "1234", 1.5e3, 7.0, True, False, [1], {"n": 1}] for key in COUNT_KEYS},
    "createdAt": ["not-a-date", "", "2026-13-45T00:00:00Z", "1999-12-31T23:59:59.000Z", 1_776_000_000, True],
    "lastModified": ["yesterday", ["2026"]],
    "author": [42, ["x"], {"name": "nested"}, True, "bad\ud800surrogate"],
    "pipeline_tag": [42, "bad\ud800surrogate"],
    "library_name": [{"name": "nested"}],
    "tags": ["text-generation", {"a": "b"}, 5, ["ok", 1, None], ["ok", "bad\ud800"]],
    "gated": [True, "sometimes", "AUTO", 0, ["auto"]],
    "safetensors": [{"parameters": {"BF16": 8}}, {"total": "big"}, {"total": -8}, {"total": 8.5}, "8B", 8, [8]],
    "id": [None, 5, "", "no-namespace", "/name", "namespace/", " /x", "a/ ", "a/b\ud800"],
}


def outcome(read: Any, body: bytes) -> ParsedPage | tuple[str, str]:
    try:
        return read(body)
    except ValueError as err:
        return type(err).__name__, str(err)


def tolerant(body: bytes) -> ParsedPage:
    return parse_page(json.loads(body))


def page_of(*items: Any) -> bytes:
    return json.dumps([good(id="a/first"), *items, good(id="a/last")]).encode()


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, values in CLEAN.items() for v in values])
def test_a_clean_value_is_read_by_the_typed_pass_as_the_tolerant_parser_reads_it(key: str, value: Any) -> None:
    body = page_of(good(**{key: value}))
    assert read_typed_page(body) == tolerant(body)
    assert decode_page(body) == tolerant(body)


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, values in FORGIVEN.items() for v in values])
def test_a_value_to_forgive_sends_the_page_to_the_tolerant_parser(key: str, value: Any) -> None:
    body = page_of(good(**{key: value}))
    with pytest.raises(NotClean):
        read_typed_page(body)
    page = decode_page(body)
    assert page == tolerant(body)
    assert page.bad_fields + page.skipped >= 1  # what was forgiven is counted, as a poll reports it
    assert [r.id for r in page.records][0 :: len(page.records) - 1] == ["a/first", "a/last"]


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'[{"modelId": "Qwen/Qwen3-8B", "downloads": 5}]',  # the old listing shape: the tolerant parser reads it
        b'["a/b", 7, null]',
        b'[{"id": "a/b", "id": "c/d"}]',  # a repeated key: the last one stands, in both
        b'[{"id": "a/b", "downloads": NaN}]',
        b'[{"id": "a/b", "extra": {"deep": [1, [2, {"x": null}]]}}]',
        '\ufeff[{"id": "a/b"}]'.encode("utf-8"),
        '[{"id": "a/b", "author": "é"}]'.encode("utf-16"),
        '[{"id": "a/b"}]'.encode("utf-32-le"),
        b'{"error": "Invalid"}',
        b'[{"id": "a/b"',
        b"[1]x",
        b"",
    ],
)
def test_odd_pages_read_as_the_tolerant_parser_reads_them_errors_included(body: bytes) -> None:
    assert outcome(decode_page, body) == outcome(tolerant, body)


def test_random_pages_of_clean_and_forgiven_fields_read_alike() -> None:
    rng = random.Random(20261201)
    fields = list(CLEAN)
    typed = 0
    for _ in range(400):
        items = []
        for n in range(rng.randint(1, 6)):
            item = good(id=f"org/m{n}")
            for key in rng.sample(fields, rng.randint(0, 4)):
                pool = FORGIVEN[key] if rng.random() < 0.15 else CLEAN[key]
                item[key] = rng.choice(pool)
            if rng.random() < 0.1:
                del item[rng.choice(fields)]
            items.append(item)
        body = json.dumps(items).encode()
        assert outcome(decode_page, body) == outcome(tolerant, body), items
        typed += not isinstance(outcome(read_typed_page, body), tuple)
    assert 50 < typed < 400  # both paths were taken, many times each
