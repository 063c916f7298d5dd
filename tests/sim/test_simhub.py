"""The simulated Hub, over real HTTP on loopback, through huggingface_hub as hfwatch uses it."""

from __future__ import annotations

import itertools
import json
import math
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx2
import huggingface_hub
import pytest
from huggingface_hub import HfApi, get_session
from huggingface_hub.hf_api import ModelInfo
from huggingface_hub.utils import parse_ratelimit_headers

from hfwatch.hub.client import EXPAND
from hfwatch_sim import DEFAULT_START, SimClock, query
from hfwatch_sim import clock as clock_module
from hfwatch_sim.catalogue import build_catalogue
from hfwatch_sim.dynamics import DAY
from hfwatch_sim.refresh import Schedule
from tests.helpers.sim import FAULT_KINDS, Faults, SimHub

# The 34 families of the registry (shared/data/family_orgs.csv), spelled as the simulator labels them.
FAMILIES = (
    "Qwen",
    "Llama",
    "DeepSeek",
    "Kimi",
    "GLM",
    "MiniMax",
    "Mistral",
    "Gemma",
    "Phi",
    "gpt-oss",
    "Nemotron",
    "Granite",
    "OLMo/Tulu/Molmo",
    "SmolLM",
    "Falcon",
    "InternLM/InternVL",
    "Yi",
    "Baichuan",
    "Hunyuan",
    "ERNIE",
    "Seed",
    "Step",
    "Ling/Ring",
    "MiMo",
    "LongCat",
    "MiniCPM",
    "Command/Aya",
    "Jamba",
    "EXAONE",
    "Solar",
    "LFM",
    "Apertus",
    "LLM-jp",
    "Sarvam",
)
# Exactly what hfwatch's client asks for: the simulated Hub must serve all of it.
ALL_EXPAND = list(EXPAND)
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture(autouse=True)
def _no_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    # huggingface_hub reads the variable at import, which happened before this fixture ran.
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_TELEMETRY", True)


@pytest.fixture(scope="module")
def hub() -> Iterator[SimHub]:
    """A hub frozen at the default start, shared by the read-only tests of this module."""
    with SimHub(seed=7, clock=SimClock(start=DEFAULT_START, speed=0.0), quota=100_000) as sim:
        yield sim


@pytest.fixture(scope="module")
def cat(hub: SimHub) -> list[dict[str, Any]]:
    """The whole catalogue (future releases included) with its intended attribution."""
    return hub.catalogue


@pytest.fixture(scope="module")
def seen(hub: SimHub) -> list[dict[str, Any]]:
    """What a listing shows at the default start."""
    return hub.visible_models()


@pytest.fixture
def fresh() -> Iterator[SimHub]:
    """A hub of its own, for tests that move the clock, set faults or count requests."""
    with SimHub(seed=7, clock=SimClock(start=DEFAULT_START, speed=0.0), quota=100_000) as sim:
        yield sim


def api(sim: SimHub) -> HfApi:
    return HfApi(endpoint=sim.url, token=False)


def raw(sim: SimHub, params: Any = None, path: str = "/api/models") -> httpx2.Response:
    return get_session().get(sim.url + path, params=params)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


# -- catalogue ---------------------------------------------------------------------------------------------


def test_catalogue_size_and_family_coverage(cat: list[dict[str, Any]], seen: list[dict[str, Any]]) -> None:
    visible = seen
    assert len(visible) >= 1500
    assert len(cat) > len(visible) + 200, "a schedule of future releases"
    first_party = Counter(m["_sim"]["family"] for m in visible if m["_sim"]["via"] == "org")
    assert {f for f, n in first_party.items() if n >= 3} >= set(FAMILIES)
    kinds = Counter(m["_sim"]["kind"] for m in cat)
    assert 0.3 < kinds["deriv"] / sum(kinds.values()) < 0.5
    ids = {m["id"] for m in cat}
    assert len(ids) == len(cat)
    for legacy in ("THUDM/chatglm3-6b", "CohereForAI/c4ai-command-r-v01", "facebook/opt-125m"):
        assert legacy in ids
    for decoy in (
        "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
        "openlm-research/open_llama_7b",
        "llava-hf/llava-1.5-7b-hf",
        "Phind/Phind-CodeLlama-34B-v2",
        "ggml-org/llama.cpp-vocabs",
    ):
        assert decoy in ids
        assert next(m for m in cat if m["id"] == decoy)["_sim"]["family"] is None


def test_lineage_tags_are_consistent(cat: list[dict[str, Any]]) -> None:
    by_id = {m["id"]: m for m in cat}
    relations: Counter[str] = Counter()
    for m in cat:
        bases = [t.split(":", 1)[1] for t in m["tags"] if t.startswith("base_model:") and t.count(":") == 1]
        typed = [t for t in m["tags"] if re.match(r"^base_model:(finetune|quantized|adapter|merge):", t)]
        assert len(typed) == len(bases), m["id"]
        for base in bases:
            assert base in by_id, f"{m['id']} points at unknown {base}"
            assert by_id[base]["_sim"]["created"] <= m["_sim"]["created"]
        relations.update(t.split(":")[1] for t in typed)
    assert set(relations) == {"finetune", "quantized", "adapter", "merge"}
    assert any(len(m["_sim"]["bases"]) >= 2 and m["_sim"]["relation"] == "merge" for m in cat)
    # A chain: a quantization of a community finetune of a first-party model.
    assert any(
        m["_sim"]["relation"] == "quantized"
        and by_id[m["_sim"]["bases"][0]]["_sim"]["kind"] == "deriv"
        and by_id[m["_sim"]["bases"][0]]["_sim"]["relation"] == "finetune"
        for m in cat
        if m["_sim"]["bases"]
    )
    assert sum(m["_sim"]["via"] == "name" for m in cat) >= 20, "untagged derivatives"
    authors = {m["id"].split("/")[0] for m in cat}
    assert {
        "unsloth",
        "bartowski",
        "lmstudio-community",
        "mlx-community",
        "TheBloke",
        "QuantFactory",
    } <= authors


def test_pitfall_repos(cat: list[dict[str, Any]]) -> None:
    by_id = {m["id"]: m for m in cat}
    distill = by_id["deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"]
    assert "base_model:Qwen/Qwen2.5-Math-7B" in distill["tags"]
    assert distill["_sim"]["family"] == "DeepSeek" and distill["_sim"]["base_family"] == "Qwen"
    dolphin = by_id["cognitivecomputations/dolphin-2.9-llama3-8b"]
    assert dolphin["_sim"]["family"] == "Llama" and "base_model:finetune:meta-llama/Meta-Llama-3-8B" in dolphin["tags"]
    assert by_id["Alibaba-NLP/gte-Qwen2-7B-instruct"]["pipeline_tag"] == "sentence-similarity"
    microsoft_other = [m["id"] for m in cat if m["id"].startswith("microsoft/") and m["_sim"]["family"] is None]
    assert microsoft_other and not any("phi" in i.lower() for i in microsoft_other)
    google_other = [m["id"] for m in cat if m["id"].startswith("google/") and m["_sim"]["family"] is None]
    assert any("t5" in i for i in google_other) and any("siglip" in i for i in google_other)
    assert any(i.startswith("openai/whisper") for i in by_id)


def test_catalogue_is_deterministic_by_seed() -> None:
    def fingerprint(cat: Any) -> list[tuple[Any, ...]]:
        return [(m.id, m.created, m.tags, m.dyn.all_time(DEFAULT_START)) for m in cat.models]

    rebuilt = build_catalogue.__wrapped__  # type: ignore[attr-defined]  # bypass the per-process cache
    assert fingerprint(rebuilt(7, DEFAULT_START)) == fingerprint(build_catalogue(7, DEFAULT_START))
    assert fingerprint(rebuilt(8, DEFAULT_START)) != fingerprint(build_catalogue(7, DEFAULT_START))


# -- listing semantics ---------------------------------------------------------------------------------------


def test_default_record_shape(hub: SimHub) -> None:
    page = raw(hub, {"limit": 200}).json()
    assert len(page) == 200
    optional = {"pipeline_tag", "library_name"}
    required = {"_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "createdAt", "modelId"}
    for rec in page:
        assert required <= set(rec) <= required | optional
        assert None not in (rec.get("pipeline_tag", ""), rec.get("library_name", ""))
        assert ISO_Z.match(rec["createdAt"]) and rec["modelId"] == rec["id"]
        assert re.fullmatch(r"[0-9a-f]{24}", rec["_id"]) and rec["private"] is False
    assert any("library_name" not in r for r in raw(hub, {"limit": 1000, "sort": "createdAt"}).json())


def test_page_renderer_matches_the_records() -> None:
    cat = build_catalogue(7, DEFAULT_START)
    models = cat.visible(DEFAULT_START)[::5]
    schedule = Schedule(7)
    for fields in (query.DEFAULT_FIELDS, query.FULL_FIELDS, ("author", "sha", "lastModified", "safetensors")):
        for t in (DEFAULT_START, DEFAULT_START + 3 * DAY):  # cached fragments must not freeze moving fields
            rendered = json.loads(query.render(models, t, fields, schedule))
            assert rendered == [query.record(m, t, fields, schedule) for m in models]


def test_author_search_filter(hub: SimHub, seen: list[dict[str, Any]]) -> None:
    hf = api(hub)
    qwen = [m.id for m in hf.list_models(author="qwen", limit=None)]
    expected = [m["id"] for m in seen if m["id"].split("/")[0] == "Qwen"]
    assert sorted(qwen) == sorted(expected)
    found = [m.id for m in hf.list_models(search="LLAMA-3.1", limit=None)]
    assert found and all("llama-3.1" in i.lower() for i in found)
    assert len(found) == sum("llama-3.1" in m["id"].lower() for m in seen)
    gguf_of = [m for m in hf.list_models(filter=["gguf", "base_model:Qwen/Qwen3-8B"], limit=None)]
    assert gguf_of and all({"gguf", "base_model:Qwen/Qwen3-8B"} <= set(m.tags or []) for m in gguf_of)
    sentence = list(hf.list_models(filter="sentence-similarity", limit=None))
    assert "Alibaba-NLP/gte-Qwen2-7B-instruct" in {m.id for m in sentence}
    by_library = list(hf.list_models(filter="mlx", limit=None))
    assert by_library and all(m.library_name == "mlx" for m in by_library)
    assert list(hf.list_models(author="no-such-org", limit=None)) == []


@pytest.mark.parametrize(
    ("sort", "field"),
    [
        ("trending_score", "trending_score"),
        ("downloads", "downloads"),
        ("likes", "likes"),
        ("created_at", "created_at"),
        ("last_modified", "last_modified"),
    ],
)
def test_sort_is_descending(hub: SimHub, sort: str, field: str) -> None:
    models = list(api(hub).list_models(sort=sort, limit=300, expand=ALL_EXPAND))  # type: ignore[arg-type]
    values = [getattr(m, field) for m in models]
    assert len(values) == 300 and values == sorted(values, reverse=True)


def test_unknown_sort_and_expand_are_400(hub: SimHub) -> None:
    for params in (
        {"sort": "trending"},
        {"expand": "baseModels"},
        {"expand[]": "childrenModelCount"},
        {"limit": "many"},
        {"cursor": "not-a-cursor"},
    ):
        r = raw(hub, params)
        assert r.status_code == 400 and "error" in r.json(), params


def test_limit(hub: SimHub) -> None:
    assert len(list(api(hub).list_models(limit=7))) == 7
    assert len(raw(hub).json()) == 100, "default page size"
    assert len(raw(hub, {"limit": 5000}).json()) == 1000, "capped"


def test_expand_returns_only_what_was_asked(hub: SimHub) -> None:
    repeated = raw(hub, [("expand", "downloadsAllTime"), ("expand", "author"), ("limit", 50)]).json()
    bracketed = raw(hub, [("expand[]", "downloadsAllTime"), ("expand[]", "author"), ("limit", 50)]).json()
    assert repeated == bracketed
    assert all(set(r) == {"_id", "id", "author", "downloadsAllTime"} for r in repeated)
    models = list(api(hub).list_models(author="Qwen", expand=ALL_EXPAND, limit=None))
    st = [m.safetensors for m in models if m.safetensors]
    assert st and all(s.total == sum(s.parameters.values()) for s in st)
    assert all(m.downloads_all_time >= m.downloads >= 0 for m in models)
    assert all(m.last_modified >= m.created_at for m in models)
    assert {m.gated for m in api(hub).list_models(expand=["gated"], limit=None)} == {False, "auto", "manual"}


def test_full_is_much_fatter_than_expand(fresh: SimHub) -> None:
    list(api(fresh).list_models(author="Qwen", expand=ALL_EXPAND, limit=None))
    lean = fresh.stats.bytes_sent
    fresh.stats.reset()
    full = list(api(fresh).list_models(author="Qwen", full=True, limit=None))
    assert fresh.stats.bytes_sent > 2 * lean
    assert all(m.siblings and m.card_data is not None for m in full)


# -- pagination ----------------------------------------------------------------------------------------------


def test_link_pagination_walks_every_page() -> None:
    with SimHub(seed=7, clock=SimClock(start=DEFAULT_START, speed=0.0), page_size=25) as sim:
        first = raw(sim, {"author": "google"})
        link = first.headers["Link"]
        assert link.startswith(f"<{sim.url}/api/models?") and link.endswith('>; rel="next"')
        assert "sort=trendingScore" in link and "author=google" in link
        walked = [m.id for m in api(sim).list_models(author="google", limit=None)]
        expected = [m["id"] for m in sim.visible_models() if m["id"].startswith("google/")]
        assert len(walked) == len(set(walked)) == len(expected) > 25
        assert sim.stats.by_path["/api/models"] == 1 + math.ceil(len(expected) / 25)


# -- rate limit ----------------------------------------------------------------------------------------------


def test_ratelimit_headers_and_quota_enforced() -> None:
    with SimHub(seed=7, clock=SimClock(start=DEFAULT_START, speed=0.0), quota=5, window_s=300) as sim:
        remaining = []
        for _ in range(5):
            r = raw(sim, {"limit": 1})
            assert r.status_code == 200
            info = parse_ratelimit_headers(r.headers)
            assert info is not None and info.limit == 5 and info.window_seconds == 300
            assert 0 < info.reset_in_seconds <= 300
            remaining.append(info.remaining)
        assert remaining == [4, 3, 2, 1, 0]
        over = raw(sim, {"limit": 1})
        assert over.status_code == 429
        info = parse_ratelimit_headers(over.headers)
        assert info is not None and info.remaining == 0 and info.reset_in_seconds > 0
        assert raw(sim, path="/api/agent-harnesses").status_code == 429, "every request counts"
        assert sim.stats.requests == 7 and sim.stats.max_in_window == 7
        sim.ratelimit.reset()
        assert raw(sim, {"limit": 1}).status_code == 200


def test_other_paths_are_404_and_the_server_is_silent(fresh: SimHub, capfd: pytest.CaptureFixture[str]) -> None:
    for path in ("/api/agent-harnesses", "/api/models/Qwen/Qwen3-8B", "/"):
        r = raw(fresh, path=path)
        assert r.status_code == 404 and "error" in r.json() and "RateLimit" in r.headers
    fresh.faults.set("truncated", count=1)
    with pytest.raises(httpx2.HTTPError):
        raw(fresh)
    assert capfd.readouterr().err == ""


# -- faults --------------------------------------------------------------------------------------------------


def test_fault_statuses(fresh: SimHub) -> None:
    fresh.faults.retry_after = 7
    fresh.faults.set("429", count=1)
    r = raw(fresh)
    info = parse_ratelimit_headers(r.headers)
    assert r.status_code == 429 and info is not None and (info.remaining, info.reset_in_seconds) == (0, 7)
    fresh.faults.set("429-bare", count=1)
    r = raw(fresh)
    assert r.status_code == 429 and "RateLimit" not in r.headers and "Retry-After" not in r.headers
    for code in ("500", "502", "503"):
        fresh.faults.set(code, count=1)
        assert raw(fresh).status_code == int(code)
    assert raw(fresh).status_code == 200, "count=1 applies once"


def test_fault_bodies(fresh: SimHub) -> None:
    fresh.faults.set("malformed", count=1)
    r = raw(fresh)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    fresh.faults.set("empty", count=1)
    r = raw(fresh)
    assert r.json() == [] and "Link" not in r.headers
    fresh.faults.set("truncated", count=1)
    with pytest.raises(httpx2.HTTPError):
        raw(fresh)
    assert raw(fresh).status_code == 200, "the next connection is fine"


def test_fault_cursor_loop(fresh: SimHub) -> None:
    fresh.faults.set("cursor-loop")
    first = raw(fresh, {"author": "Qwen", "limit": 10})
    url = first.links["next"]["url"]
    again = get_session().get(url)
    assert again.links["next"]["url"] == url
    assert [m["id"] for m in again.json()] == [m["id"] for m in first.json()]
    fresh.faults.clear()
    assert get_session().get(url).links["next"]["url"] != url


def test_fault_weird_records_stay_parseable(fresh: SimHub) -> None:
    fresh.faults.set("weird-records", count=2)
    for params in ({"limit": 5}, [("limit", 5), *[("expand", e) for e in ALL_EXPAND]]):
        page = raw(fresh, params).json()
        ids = [r.get("id") for r in page]
        assert "weird/negative-counts" in ids and "weird/strings-for-ints" in ids
        assert any(r.get("downloads") is None for r in page) and any(r.get("downloads") == 10**20 for r in page)
        assert len(ids) > len(set(ids)), "a repo listed twice"
        for rec in page:
            ModelInfo(**{"siblings": None, **rec})


def test_fault_hostile_records(fresh: SimHub) -> None:
    fresh.faults.set("hostile", count=1)
    page = raw(fresh, [("limit", 5), *[("expand", e) for e in ALL_EXPAND]]).json()
    text = "\n".join(strings(page))
    for needle in (
        "[bold red]x[/]",
        "[link=http://x]y[/link]",
        "\x1b[31m",
        "\x1b]8;;http://e\x07",
        "\u202e",
        "\u200b",
        "\x00",
        "A" * 5000,
    ):
        assert needle in text, repr(needle)
    assert any("\x1b" in (r.get("pipeline_tag") or "") for r in page)
    for rec in page:
        ModelInfo(**{"siblings": None, **rec})


def test_fault_slow_and_counts(fresh: SimHub) -> None:
    fresh.faults.delay_s = 0.3
    fresh.faults.set("slow", count=2)
    times = []
    for _ in range(3):
        t0 = time.monotonic()
        assert raw(fresh, {"limit": 1}).status_code == 200
        times.append(time.monotonic() - t0)
    assert times[0] >= 0.3 and times[1] >= 0.3
    assert fresh.faults.active is None, "a counted fault is used up"
    fresh.faults.set("500")
    assert [raw(fresh).status_code for _ in range(3)] == [500, 500, 500]
    assert raw(fresh, path="/api/agent-harnesses").status_code == 404, "other paths never take a fault"
    fresh.faults.clear()
    assert raw(fresh).status_code == 200
    with pytest.raises(ValueError):
        fresh.faults.set("teapot")
    assert {
        "429",
        "429-bare",
        "500",
        "502",
        "503",
        "slow",
        "malformed",
        "truncated",
        "cursor-loop",
        "weird-records",
        "empty",
        "hostile",
    } == FAULT_KINDS
    assert isinstance(fresh.faults, Faults)


# -- clock ---------------------------------------------------------------------------------------------------


def test_counters_over_time() -> None:
    cat = build_catalogue(7, DEFAULT_START)
    times = [DEFAULT_START + d * DAY for d in range(-400, 60, 5)]
    fell = 0
    for m in cat.models[::13]:
        all_time = [m.dyn.all_time(t) for t in times]
        assert all_time == sorted(all_time), m.id
        d30 = [m.dyn.downloads_30d(t) for t in times]
        assert min(d30) >= 0
        fell += any(b < a for a, b in itertools.pairwise(d30))
        likes = [m.dyn.likes(t) for t in times]
        assert likes == sorted(likes)
    assert fell > 10, "30-day downloads fall once a launch burst leaves the window"


def test_new_models_appear_as_the_clock_advances(fresh: SimHub) -> None:
    before = len(fresh.visible_models())
    newest = raw(fresh, {"sort": "createdAt", "limit": 1}).json()[0]
    fresh.clock.advance(DAY)
    after = fresh.visible_models()
    assert len(after) > before + 5
    latest = raw(fresh, {"sort": "createdAt", "limit": 50}).json()
    assert latest[0]["createdAt"] > newest["createdAt"]
    assert {r["id"].split("/")[0] for r in latest} & {
        "unsloth",
        "bartowski",
        "mlx-community",
        "lmstudio-community",
        "mradermacher",
    }
    top = raw(fresh, {"limit": 10}).json()
    created = [r["createdAt"] for r in top]
    assert sum(c > "2026-10" for c in created) >= 5, "trending favours recent releases"


def test_clock_controls(monkeypatch: pytest.MonkeyPatch) -> None:
    real = [100.0]
    monkeypatch.setattr(clock_module.time, "monotonic", lambda: real[0])
    clock = SimClock(start=1000.0, speed=0.0)
    assert clock.now() == 1000.0
    clock.advance(50)
    assert clock.now() == 1050.0
    clock.set(5000.0)
    assert clock.now() == 5000.0
    clock.speed = 3600.0
    real[0] += 0.5  # half a real second: half a simulated hour
    assert clock.now() == 5000.0 + 1800
    clock.speed = 0.0
    real[0] += 10
    assert clock.now() == 5000.0 + 1800, "a speed change never makes the simulated time jump"
    assert SimClock().now() >= DEFAULT_START


def test_a_hub_started_any_day_has_releases_ahead() -> None:
    start = DEFAULT_START + 40 * DAY
    sim = SimHub(seed=7, clock=SimClock(start=start, speed=0.0))
    upcoming = [m.created for m in sim.models.models if m.created > start]
    assert len(upcoming) > 100 and min(upcoming) < start + DAY


def test_stats(fresh: SimHub) -> None:
    fresh.stats.reset()
    raw(fresh, {"limit": 3})
    raw(fresh, path="/nope")
    assert fresh.stats.requests == 2
    assert fresh.stats.by_path == {"/api/models": 1, "/nope": 1}
    assert fresh.stats.bytes_sent > 100
    fresh.stats.reset()
    assert (fresh.stats.requests, fresh.stats.bytes_sent, fresh.stats.by_path) == (0, 0, {})


def test_command_line_prints_the_endpoint() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hfwatch_sim", "--port", "0", "--speed", "600"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert re.fullmatch(r"HF_ENDPOINT=http://127\.0\.0\.1:\d+", line)
        r = get_session().get(line.split("=", 1)[1] + "/api/models", params={"limit": 2})
        assert r.status_code == 200 and len(r.json()) == 2
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            code = None
        assert code == 0, proc.stderr.read() if proc.stderr is not None and code is not None else code
    finally:
        proc.kill()
        proc.wait()
