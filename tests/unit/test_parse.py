"""hfwatch's listing parser, field by field: a bad field is unknown, a record without a usable id is
skipped and counted, and text is kept exactly as the Hub sent it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hfwatch.hub.decode import decode_page
from hfwatch.hub.parse import PageError, parse_http_date, parse_page, parse_record
from hfwatch.records import ModelRecord

CREATED = "2026-04-22T06:04:45.000Z"
CREATED_S = int(datetime(2026, 4, 22, 6, 4, 45, tzinfo=UTC).timestamp())


def good(**fields: Any) -> dict[str, Any]:
    """A record shaped like the Hub's expanded listing (real values from tests/fixtures/hub_records.json)."""
    return {
        "_id": "69e864fd6b68f7e6cfc63ca3",
        "id": "deepseek-ai/DeepSeek-V4-Pro",
        "author": "deepseek-ai",
        "downloads": 78864,
        "downloadsAllTime": 91234,
        "likes": 2656,
        "trendingScore": 2552,
        "createdAt": CREATED,
        "lastModified": "2026-04-23T10:00:00.000Z",
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "tags": ["transformers", "safetensors", "license:mit"],
        "gated": False,
        "safetensors": {"parameters": {"BF16": 1_600_000_000, "F8_E4M3": 60}, "total": 1_600_000_060},
        "private": False,
        **fields,
    }


def test_a_clean_record_keeps_every_value() -> None:
    record = parse_record(good())
    assert record == ModelRecord(
        id="deepseek-ai/DeepSeek-V4-Pro",
        author="deepseek-ai",
        downloads_30d=78864,
        downloads_all_time=91234,
        likes=2656,
        trending_score=2552,
        created_at=CREATED_S,
        last_modified=int(datetime(2026, 4, 23, 10, tzinfo=UTC).timestamp()),
        pipeline_tag="text-generation",
        library_name="transformers",
        tags=("transformers", "safetensors", "license:mit"),
        gated="false",
        params=1_600_000_060,
    )


def test_the_default_listing_shape_reads_without_the_expanded_fields() -> None:
    raw = {
        "_id": "x",
        "id": "moonshotai/Kimi-K2.6",
        "likes": 1014,
        "trendingScore": 978,
        "private": False,
        "downloads": 291840,
        "tags": ["transformers"],
        "createdAt": CREATED,
        "modelId": "moonshotai/Kimi-K2.6",
    }
    record = parse_record(raw)
    assert record is not None
    assert (
        record.author,
        record.downloads_all_time,
        record.last_modified,
        record.gated,
        record.params,
        record.pipeline_tag,
    ) == (None, None, None, None, None, None)
    assert record.namespace == "moonshotai"  # the author, unknown here, comes from the id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (1_234_567, 1_234_567),
        (2**62 - 1, 2**62 - 1),
        (-1, None),
        (2**62, None),
        (10**20, None),
        (2**70, None),
        ("1234", None),  # numeric strings are unknown: the API sends JSON integers, anything else is guessed at
        ("12,345", None),
        ("many", None),
        (1.5e3, None),
        (7.0, None),
        (3.7, None),
        (float("nan"), None),
        (True, None),
        (False, None),
        (None, None),
        ([1], None),
        ({"n": 1}, None),
    ],
)
def test_counts_are_clean_non_negative_ints_or_unknown(value: Any, expected: int | None) -> None:
    for key, name in (
        ("downloads", "downloads_30d"),
        ("downloadsAllTime", "downloads_all_time"),
        ("likes", "likes"),
        ("trendingScore", "trending_score"),
    ):
        record = parse_record(good(**{key: value}))
        assert record is not None and getattr(record, name) == expected, (key, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (CREATED, CREATED_S),
        ("2026-04-22T06:04:45Z", CREATED_S),
        ("2026-04-22T08:04:45+02:00", CREATED_S),
        ("2026-04-22T06:04:45", CREATED_S),  # no offset: UTC, as the Hub writes all its times
        ("2022-03-02T23:29:04.000Z", int(datetime(2022, 3, 2, 23, 29, 4, tzinfo=UTC).timestamp())),
        ("not-a-date", None),
        ("", None),
        ("2026-13-45T00:00:00Z", None),
        ("yesterday", None),
        ("1999-12-31T23:59:59.000Z", None),
        ("2300-01-01T00:00:00Z", None),  # before the Hub, or a typo
        (CREATED_S, None),
        (None, None),
        (["2026"], None),
        (True, None),
    ],
)
def test_dates_are_iso_times_or_unknown(value: Any, expected: int | None) -> None:
    for key, name in (("createdAt", "created_at"), ("lastModified", "last_modified")):
        record = parse_record(good(**{key: value}))
        assert record is not None and getattr(record, name) == expected, (key, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["a", "b:c"], ("a", "b:c")),
        ([], ()),
        (["ok", 1, None, {"a": 1}, ["x"], "fine"], ("ok", "fine")),  # what is not text is dropped
        (["café", "模型"], ("café", "模型")),
        ("text-generation", ()),
        ({"a": "b"}, ()),
        (None, ()),
        (5, ()),
    ],
)
def test_tags_not_a_list_are_empty(value: Any, expected: tuple[str, ...]) -> None:
    record = parse_record(good(tags=value))
    assert record is not None and record.tags == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (False, "false"),
        ("auto", "auto"),
        ("manual", "manual"),
        (True, None),
        ("sometimes", None),
        ("AUTO", None),
        (0, None),
        (None, None),
        (["auto"], None),
    ],
)
def test_gated_is_false_auto_or_manual(value: Any, expected: str | None) -> None:
    record = parse_record(good(gated=value))
    assert record is not None and record.gated == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"parameters": {"BF16": 8}, "total": 8}, 8),
        ({"total": 8}, 8),
        ({"parameters": {"BF16": 8}}, None),
        ({"total": "big"}, None),
        ({"total": -8}, None),
        ({"total": 8.5}, None),
        ({"total": 2**64}, None),
        ("8B", None),
        (8, None),
        (None, None),
        ([8], None),
    ],
)
def test_safetensors_total_is_the_parameter_count(value: Any, expected: int | None) -> None:
    record = parse_record(good(safetensors=value))
    assert record is not None and record.params == expected


@pytest.mark.parametrize("key", ["author", "pipeline_tag", "library_name"])
@pytest.mark.parametrize("value", [42, ["x"], {"name": "nested"}, True, "bad\ud800surrogate"])
def test_text_fields_of_another_type_are_unknown(key: str, value: Any) -> None:
    record = parse_record(good(**{key: value}))
    assert record is not None and getattr(record, key) is None


HOSTILE_IDS = [
    "evil-org/[bold red]x[/]",
    "evil-org/[link=http://x]y[/link]",  # a second '/' belongs to the name
    "evil-org/\x1b[31mred\x1b[0m",
    "evil-org/\x1b]8;;http://e\x07click\x1b]8;;\x07",
    "evil-org/ctl\x00\x07\x08\r\n\t\x7fend",
    "evil-org/\u202egnp.exe",
    "مؤسسة/نموذج-عربي",  # right-to-left text
    '=HYPERLINK("http://evil","x")/x1',  # a spreadsheet formula: kept, and made inert only in CSV
    "@SUM(A1:A9)/x",
    "[red]evil[/red]/\x1b[2Jqwen",
    "evil-org/" + "A" * 5000,
]


@pytest.mark.parametrize("model_id", HOSTILE_IDS)
def test_hostile_ids_and_text_are_kept_literally(model_id: str) -> None:
    record = parse_record(
        good(
            id=model_id,
            author=model_id.split("/")[0],
            pipeline_tag=f"{model_id}\x1b[2J",
            tags=[model_id, "\u200b", "\x9b31m"],
        )
    )
    assert record is not None
    assert record.id == model_id and record.author == model_id.split("/")[0]
    assert record.pipeline_tag == f"{model_id}\x1b[2J" and record.tags == (model_id, "\u200b", "\x9b31m")


@pytest.mark.parametrize(
    "item",
    [
        {"downloads": 3},  # no id
        {"id": None},
        {"id": 5},
        {"id": ["a/b"]},
        {"id": {"ns": "a"}},
        {"id": True},
        {"id": ""},
        {"id": "no-namespace"},
        {"id": "/name"},
        {"id": "namespace/"},
        {"id": " /x"},
        {"id": "a/ "},
        {"id": "a/b\ud800"},  # a lone surrogate: JSON can carry it, SQLite's UTF-8 cannot store it
        "a/b",
        ["a/b"],
        7,
        None,
    ],
)
def test_records_without_a_usable_id_are_none(item: Any) -> None:
    assert parse_record(item) is None


def test_model_id_stands_in_for_a_missing_id() -> None:
    record = parse_record({"modelId": "Qwen/Qwen3-8B", "downloads": 5})
    assert record is not None and (record.id, record.downloads_30d) == ("Qwen/Qwen3-8B", 5)


def test_a_page_keeps_its_good_records_and_counts_the_rest() -> None:
    # Read through JSON, as a poll reads it: escapes in the wire text become the characters above.
    page = json.loads(
        json.dumps(
            [
                good(id="a/one"),
                {"downloads": 10},  # skipped: no id
                good(id="a/two", downloads=-5, likes="many", createdAt="not-a-date", tags="x"),  # 4 bad fields
                "not an object",  # skipped
                good(id="a/three", downloads=None, gated=None, tags=None),  # null is unknown, not bad
                good(id="no-namespace"),  # skipped
                good(id="a/four", safetensors={"total": "big"}, tags=["ok", 3], author=["x"]),  # 3 bad fields
            ]
        )
    )
    parsed = parse_page(page)
    assert [r.id for r in parsed.records] == ["a/one", "a/two", "a/three", "a/four"]
    assert (parsed.items, parsed.skipped, parsed.bad_fields) == (7, 3, 7)
    two = parsed.records[1]
    assert (two.downloads_30d, two.likes, two.created_at, two.tags) == (None, None, None, ())
    assert two.downloads_all_time == 91234 and two.trending_score == 2552  # the rest of the record is kept
    assert parsed.records[3].tags == ("ok",)


def test_a_page_read_from_its_json_text_is_the_page_parsed() -> None:
    items = [good(id="a/one"), {"downloads": 10}, good(id="a/two", likes="many", gated="sometimes")]
    body = json.dumps(items).encode()
    decoded = decode_page(body)
    assert decoded == parse_page(json.loads(body))
    assert (decoded.items, decoded.skipped, decoded.bad_fields) == (3, 1, 2)
    with pytest.raises(json.JSONDecodeError):
        decode_page(b'[{"id": "a/b"')
    with pytest.raises(PageError):
        decode_page(b'{"error": "Invalid"}')


def test_an_empty_page_is_fine_and_a_page_that_is_not_a_list_is_refused() -> None:
    assert (parse_page([]).records, parse_page([]).skipped) == ([], 0)
    for body in ({"error": "Invalid"}, "oops", 3, None):
        with pytest.raises(PageError, match="not a list of models"):
            parse_page(body)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Mon, 30 Nov 2026 04:21:36 GMT", datetime(2026, 11, 30, 4, 21, 36, tzinfo=UTC).timestamp()),
        ("Monday, 30-Nov-26 04:21:36 GMT", datetime(2026, 11, 30, 4, 21, 36, tzinfo=UTC).timestamp()),  # RFC 850
        ("Mon Nov 30 04:21:36 2026", datetime(2026, 11, 30, 4, 21, 36, tzinfo=UTC).timestamp()),  # asctime
        ("Mon, 30 Nov 2026 05:21:36 +0100", datetime(2026, 11, 30, 4, 21, 36, tzinfo=UTC).timestamp()),
        ("", None),
        (None, None),
        ("yesterday", None),
        ("Mon, 99 Nov 2026 04:21:36 GMT", None),
        ("Thu, 01 Jan 1970 00:00:00 GMT", None),  # a server with a broken clock does not date a poll
    ],
)
def test_http_date(header: str | None, expected: float | None) -> None:
    assert parse_http_date(header) == expected
