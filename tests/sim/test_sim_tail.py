"""The simulated Hub's long tail: a keyset listing sorted by downloads over a lazily generated million."""

from __future__ import annotations

import json
import urllib.request

from hfwatch_sim import SimHub
from hfwatch_sim.tail import Tail
from tests.conftest import SIM_START

TAIL = 1_000_000


def _get(url: str) -> tuple[list[dict], str | None]:
    with urllib.request.urlopen(url) as r:
        link = r.headers.get("Link")
        return json.loads(r.read()), (link[1 : link.index(">")] if link else None)


def test_listing_by_downloads_walks_the_tail_in_order_once(tail_sim: SimHub) -> None:
    url: str | None = f"{tail_sim.url}/api/models?sort=downloads&limit=1000&expand=downloads&expand=tags"
    seen: set[str] = set()
    prev = None
    tail_ids = 0
    for _ in range(12):
        assert url is not None
        page, url = _get(url)
        assert len(page) == 1000
        for rec in page:
            key = (rec["downloads"], rec["_id"])
            assert prev is None or key < prev  # strictly descending (downloads, _id): a keyset
            prev = key
            assert rec["id"] not in seen
            seen.add(rec["id"])
            tail_ids += tail_sim.tail is not None and tail_sim.tail.rank_of(rec["id"]) is not None
    assert tail_ids > 0 and tail_ids < len(seen)  # the tail and the catalogue interleave


def test_tail_truth_is_what_the_tail_lists(tail_sim: SimHub) -> None:
    page, _ = _get(f"{tail_sim.url}/api/models?sort=downloads&limit=1000&expand=downloads&expand=tags")
    lineage = 0
    for rec in page:
        if tail_sim.tail is None or tail_sim.tail.rank_of(rec["id"]) is None:
            continue
        truth = tail_sim.truth.model(rec["id"])
        bases = [t.split(":", 1)[1] for t in rec["tags"] if t.startswith("base_model:") and t.count(":") == 1]
        assert list(truth.bases) == bases
        if truth.family is not None:
            lineage += 1
            assert tail_sim.truth.model(bases[0]).family == truth.family
    assert lineage > 0


def test_tail_is_heavy_tailed_and_mostly_below_a_hundred() -> None:
    tail = Tail(7, TAIL, SIM_START, [("Qwen/Qwen3-8B", "Qwen")])
    counts = [tail.downloads(r, SIM_START) for r in (0, 1_000, 100_000, TAIL - 1)]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > 100 * counts[2] and counts[-1] < 100
    # The cursor of any rank finds the next rank.
    for r in (0, 5, 99_999, TAIL - 2):
        assert tail.first_after(tail.key(r, SIM_START), SIM_START) == r + 1


def test_tail_is_off_unless_asked(shared_sim: SimHub) -> None:
    page, _ = _get(f"{shared_sim.url}/api/models?sort=downloads&limit=1000&expand=downloads")
    assert shared_sim.tail is None
    assert all("-t" not in rec["id"].split("/", 1)[1] or rec["id"] in shared_sim.models.by_id for rec in page)


def test_filtered_listings_never_show_the_tail(tail_sim: SimHub) -> None:
    page, _ = _get(f"{tail_sim.url}/api/models?sort=downloads&search=qwen&limit=1000&expand=downloads")
    assert all(rec["id"] in tail_sim.models.by_id for rec in page)
