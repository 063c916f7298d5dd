"""Malformed Hub records never cost a poll: with hostile and malformed records on every page (markup and
escapes in ids, a formula cell, RTL text, huge, negative, string and null counts, a bad date, tags that are
not a list, records with no usable id), `hfwatch poll` succeeds, stores the good records with their bad
fields unknown, and counts what it skipped. Also: the poll is dated by the Hub's clock, and pagination
follows only the Hub's own host.

The records are added on the wire by a loopback relay in front of the simulated Hub, so the client's
real HTTP path reads them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient, Query
from hfwatch.hub.guard import HubError
from hfwatch.records import Lane
from hfwatch.registry import load_registry
from hfwatch_sim import SimClock, SimHub
from tests.conftest import SIM_START, run_cli
from tests.helpers.reliability import FAST_ENV, FAST_POLICY, RecordingProxy, first_party_record

pytestmark = pytest.mark.reliability

RTL = "\u0645\u0624\u0633\u0633\u0629/\u202eqwen-\u0646\u0645\u0648\u0630\u062c"
KEPT_LITERALLY = [
    "evil-org/[bold red]qwen[/]",
    "evil-org/\x1b[31mqwen\x1b[0m\x00",
    '=HYPERLINK("http://evil","x")/qwen',
    RTL,
]
# Hub id -> (the fields that replace the template's, how many of them hfwatch cannot use)
ODD: dict[str, tuple[dict[str, Any], int]] = {
    "odd/huge-counts": ({"downloads": 10**30, "likes": 2**63}, 2),
    "odd/negative-counts": ({"downloads": -1, "likes": -7}, 2),
    "odd/string-counts": ({"downloads": "1234", "likes": "12"}, 2),
    "odd/float-count": ({"downloads": 1.5e3}, 1),
    "odd/null-counts": ({"downloads": None, "likes": None}, 0),  # null is unknown, not bad
    "odd/bad-date": ({"createdAt": "not-a-date"}, 1),
    "odd/qwen-tags-not-a-list": ({"tags": "text-generation"}, 1),  # no lineage left: found by name
}
UNUSABLE: list[Any] = [
    {"downloads": 5, "likes": 1},
    {"id": 12345},
    {"id": "no-namespace"},
    "a string",
    {"id": None, "modelId": None},
]


class Injector:
    """Puts the records above at the head of every page it relays, shaped like the page's first first-party
    model."""

    def __init__(self) -> None:
        self.pages = 0
        self.template: dict[str, Any] = {}  # the first page's first model, as the Hub sent it

    def __call__(self, page: list[Any]) -> list[Any]:
        self.pages += 1
        template = first_party_record(page) or page[0]
        self.template = self.template or dict(template)
        base = {**template, "tags": [f"base_model:finetune:{template['id']}"]}
        kept = [{**base, "id": model_id, "author": model_id.split("/")[0]} for model_id in KEPT_LITERALLY]
        odd = [{**base, "id": model_id, "author": "odd", **fields} for model_id, (fields, _) in ODD.items()]
        return kept + odd + UNUSABLE + page

    @property
    def bad_fields(self) -> int:
        return self.pages * sum(n for _, n in ODD.values())


@pytest.fixture(scope="module")
def sim() -> Iterator[SimHub]:
    # Small pages, so that an org's listing takes several.
    with SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), page_size=20, quota=1_000_000) as hub:
        yield hub


@pytest.fixture(scope="module")
def polled(sim: SimHub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Injector, dict]]:
    """One fast poll through the injecting relay: the file, the poll's summary line, the injector and its
    template record."""
    injector = Injector()
    proxy = RecordingProxy(sim.url, transform=injector).start()
    home = tmp_path_factory.mktemp("malformed")
    db = home / "h.sqlite"
    try:
        ran = run_cli(
            "poll",
            "--lane",
            "fast",
            "--db",
            str(db),
            env={
                "HF_ENDPOINT": proxy.url,
                "HF_HOME": str(home / "hf"),
                "XDG_CONFIG_HOME": str(home / "c"),
                "XDG_DATA_HOME": str(home / "d"),
                "HF_TOKEN": "",
                "HF_HUB_DISABLE_TELEMETRY": "1",
                **FAST_ENV,
            },
        )
        assert ran.code == 0, ran.err
        assert ran.err == ""
        yield db, ran.out, injector, injector.template
    finally:
        proxy.stop()


def models(db: Path) -> dict[str, tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return {r[0]: r[1:] for r in conn.execute("SELECT id, d30, dall, likes, created_at, family FROM models")}
    finally:
        conn.close()


def test_the_poll_is_ok_and_counts_what_it_could_not_use(polled: tuple[Path, str, Injector, dict]) -> None:
    _, out, injector, _ = polled
    assert injector.pages == 2  # trending and newest: one page each
    skipped = injector.pages * len(UNUSABLE)
    assert out.startswith("fast poll ok: ")
    assert f" · {skipped} bad records skipped · {injector.bad_fields} bad fields stored as unknown" in out, out


def test_good_records_are_stored_with_bad_fields_unknown(polled: tuple[Path, str, Injector, dict]) -> None:
    db, _, _, template = polled
    rows = models(db)
    d30, dall, likes = template["downloads"], template["downloadsAllTime"], template["likes"]
    created = int(datetime.fromisoformat(template["createdAt"]).timestamp())
    assert rows["odd/huge-counts"][:4] == (None, dall, None, created)
    assert rows["odd/negative-counts"][:4] == (None, dall, None, created)
    assert rows["odd/string-counts"][:4] == (None, dall, None, created)
    assert rows["odd/float-count"][:4] == (None, dall, likes, created)
    assert rows["odd/null-counts"][:4] == (None, dall, None, created)
    assert rows["odd/bad-date"][:4] == (d30, dall, likes, None)
    assert rows["odd/qwen-tags-not-a-list"][:4] == (d30, dall, likes, created)
    for model_id in ODD:
        assert rows[model_id][4] is not None, model_id  # attributed: they count, and `top` lists them
    for model_id in KEPT_LITERALLY:
        assert rows[model_id][:3] == (d30, dall, likes), repr(model_id)  # the id exactly as sent
    assert "no-namespace" not in rows and not [i for i in rows if not isinstance(i, str) or "/" not in i]


def test_top_json_shows_unknown_as_null(polled: tuple[Path, str, Injector, dict]) -> None:
    db, _, _, template = polled
    ran = run_cli("top", "--db", str(db), "--by", "model", "--limit", "2000", "--format", "json")
    assert ran.code == 0, ran.err
    rows = {r["id"]: r for r in json.loads(ran.out)}
    assert set(KEPT_LITERALLY) | set(ODD) <= set(rows)
    for model_id in ("odd/huge-counts", "odd/negative-counts", "odd/string-counts", "odd/null-counts"):
        assert rows[model_id]["downloads_30d"] is None and rows[model_id]["likes"] is None, model_id
        assert rows[model_id]["downloads_all_time"] == template["downloadsAllTime"]
    assert rows["odd/bad-date"]["created_at"] is None
    assert rows["odd/bad-date"]["downloads_30d"] == template["downloads"]


# -- the Hub's clock and its next links, on the engine the monitor uses ----------------------------------


def fetch_through(sim: SimHub, rewrite: Any) -> tuple[Any, RecordingProxy]:
    proxy = RecordingProxy(sim.url, rewrite_headers=rewrite).start()
    try:
        return Poller(HubClient(proxy.url, token=False, policy=FAST_POLICY), load_registry()).fetch(Lane.FAST), proxy
    finally:
        proxy.stop()


def with_date(value: str | None) -> Any:
    def rewrite(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        kept = [(k, v) for k, v in headers if k.lower() != "date"]
        return kept if value is None else [*kept, ("Date", value)]

    return rewrite


def test_a_poll_is_dated_by_the_hubs_clock(sim: SimHub) -> None:
    hub_now = datetime(2026, 12, 24, 18, 30, 5, tzinfo=UTC).timestamp()  # a Hub clock far from ours
    result, _ = fetch_through(sim, with_date("Thu, 24 Dec 2026 18:30:05 GMT"))
    assert result.ok, result.error
    assert (result.started, result.finished) == (hub_now, hub_now)


@pytest.mark.parametrize("date", [None, "soon", "Thu, 01 Jan 1970 00:00:00 GMT"])
def test_without_a_readable_hub_date_the_local_clock_dates_the_poll(sim: SimHub, date: str | None) -> None:
    before = time.time()
    result, _ = fetch_through(sim, with_date(date))
    after = time.time()
    assert result.ok, result.error
    assert before <= result.started <= result.finished <= after


def test_relative_next_links_are_followed_on_the_hubs_host(sim: SimHub) -> None:
    def relative(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [
            (k, v.replace(v[v.index("<") + 1 : v.index("/api/")], "") if k.lower() == "link" else v) for k, v in headers
        ]

    proxy = RecordingProxy(sim.url, rewrite_headers=relative).start()
    try:
        client = HubClient(proxy.url, token=False, policy=FAST_POLICY)
        guard = client.guard(deadline=time.monotonic() + 60)
        got = [r.id for r in client.list(Query(label="qwen", author="Qwen"), guard)]
    finally:
        proxy.stop()
    expected = [m.id for m in sim.models.visible_by_author("Qwen", sim.clock.now())]
    assert guard.stats.requests > 1  # more than one page of the org's models
    assert sorted(got) == sorted(expected)


def test_a_next_link_to_another_host_is_not_followed(sim: SimHub) -> None:
    def elsewhere(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [
            (k, '<http://hub.invalid/api/models?cursor=x>; rel="next"' if k.lower() == "link" else v)
            for k, v in headers
        ]

    proxy = RecordingProxy(sim.url, rewrite_headers=elsewhere).start()
    try:
        client = HubClient(proxy.url, token="hf_not_for_other_hosts", policy=FAST_POLICY)
        guard = client.guard(deadline=time.monotonic() + 60)
        with pytest.raises(HubError, match="next-page link points to another host") as info:
            client.list(Query(label="qwen", author="Qwen"), guard)
    finally:
        proxy.stop()
    assert "\n" not in str(info.value)
    assert len(proxy.headers) == 1 and guard.stats.requests == 1


def test_a_page_that_is_not_a_list_fails_the_poll_in_one_line(sim: SimHub) -> None:
    proxy = RecordingProxy(sim.url, transform=lambda page: {"error": "Internal", "models": page}).start()  # type: ignore[arg-type,return-value]
    try:
        result = Poller(HubClient(proxy.url, token=False, policy=FAST_POLICY), load_registry()).fetch(Lane.FAST)
    finally:
        proxy.stop()
    assert result.error == (
        "trending: the Hub sent a page hfwatch cannot read (the page is a JSON object, not a list of models)"
    )
    assert result.records == []
