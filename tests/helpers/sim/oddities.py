"""Records the "weird-records" and "hostile" faults slip into a listing page.

Weird records stay parseable by ``huggingface_hub``'s ``ModelInfo`` (it needs ``id``, and a ``createdAt``
it can parse when present), so the oddities reach hfwatch's own validation rather than crashing the client.
"""

from __future__ import annotations

from collections.abc import Sequence


def weird_records(page: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    """Nonsense counts, missing and unexpected fields, wrong types; plus a duplicate of a real record."""
    weird: list[dict[str, object]] = [
        {"_id": "000000000000000000000001", "id": "weird/only-an-id"},
        {
            "_id": "000000000000000000000002",
            "id": "weird/null-counts",
            "downloads": None,
            "likes": None,
            "trendingScore": None,
            "downloadsAllTime": None,
            "tags": None,
            "createdAt": None,
        },
        {
            "_id": "000000000000000000000003",
            "id": "weird/negative-counts",
            "downloads": -5,
            "likes": -1,
            "downloadsAllTime": -100,
            "trendingScore": -3,
            "tags": ["base_model:weird/negative-counts"],
        },
        {
            "_id": "000000000000000000000004",
            "id": "weird/huge-counts",
            "downloads": 10**20,
            "downloadsAllTime": 2**70,
            "likes": 10**15,
            "trendingScore": 10**12,
        },
        {
            "_id": "000000000000000000000005",
            "id": "weird/strings-for-ints",
            "downloads": "1234",
            "likes": "many",
            "downloadsAllTime": "12,345",
            "trendingScore": 3.7,
            "private": "no",
            "gated": "sometimes",
        },
        {
            "_id": "000000000000000000000006",
            "id": "weird/wrong-types",
            "pipeline_tag": 42,
            "library_name": ["x"],
            "tags": [1, None, "ok", {"a": 1}],
            "author": {"name": "nested"},
            "safetensors": {"parameters": {}, "total": "big"},
            "surprise": {"nested": [1, 2, 3]},
            "lastModified": "",
            "downloads": 1.5e3,
        },
        {
            "_id": "000000000000000000000007",
            "id": "no-namespace",
            "downloads": 10,
            "likes": 0,
            "createdAt": "2026-01-01T00:00:00.000Z",
            "author": "someone-else",
        },
        # A date the parser accepts but that is nonsense in context: before the Hub existed.
        {
            "_id": "000000000000000000000008",
            "id": "weird/tags-string",
            "tags": "text-generation",
            "downloads": 0,
            "createdAt": "1999-12-31T23:59:59.000Z",
        },
    ]
    if page:
        # The same repo twice in one page, with different counts.
        dup = dict(page[0])
        for key in ("downloads", "downloadsAllTime"):
            value = dup.get(key)
            if isinstance(value, int):
                dup[key] = value // 2
        weird.append(dup)
    return weird


_MARKUP = "[bold red]x[/]"
_LINK = "[link=http://x]y[/link]"
_ANSI = "\x1b[31mred\x1b[0m"
_OSC8 = "\x1b]8;;http://e\x07click\x1b]8;;\x07"
_CONTROL = "ctl\x00\x07\x08\r\n\t\x7fend"
_RTL = "\u202egnp.exe"
_ZW = "zero\u200bwidth\u200d"
_LONG = "A" * 5000


def hostile_records(templates: Sequence[dict[str, object]], fields: Sequence[str]) -> list[dict[str, object]]:
    """Records whose every string is an attack on a terminal UI, shaped like the page's other records.

    They borrow real records' counts and lineage tags (``templates``), so they rank and get attributed like
    real repos and end up on screen.
    """
    evil_ids = [
        f"evil-org/{_MARKUP}",
        f"evil-org/{_LINK}",
        f"evil-org/{_ANSI}",
        f"evil-org/{_OSC8}",
        f"evil-org/{_CONTROL}",
        f"evil-org/{_RTL}",
        f"evil-org/{_ZW}",
        f"evil-org/{_LONG}",
        f"[red]evil[/red]/\x1b[2Jqwen-{_MARKUP}",
    ]
    out: list[dict[str, object]] = []
    for i, evil_id in enumerate(evil_ids):
        template = templates[i % len(templates)] if templates else None
        rec: dict[str, object] = dict(template) if template is not None else {"_id": "", "id": ""}
        rec["_id"] = f"{0xE0000000 + i:08x}" + "0" * 16
        rec["id"] = evil_id
        if "modelId" in rec:
            rec["modelId"] = evil_id
        if "author" in rec:
            rec["author"] = evil_id.split("/", 1)[0]
        if "tags" in rec:
            base = str(template["id"]) if template is not None else "Qwen/Qwen3-8B"
            rec["tags"] = [
                _MARKUP,
                _ANSI,
                _OSC8,
                _RTL,
                _ZW,
                _LONG,
                f"base_model:{base}",
                f"base_model:finetune:{base}",
                f"base_model:{base}{_ANSI}",
                f"license:{_LINK}",
            ]
        if "pipeline_tag" in rec or "pipeline_tag" in fields:
            rec["pipeline_tag"] = f"[blink]text-generation[/blink]{_ANSI}"
        if "library_name" in rec or "library_name" in fields:
            rec["library_name"] = f"\x1b[2J{_LINK}"
        out.append(rec)
    return out
