"""A deterministic synthetic catalogue in the Hub's listing shape, attributed by the real registry.

The mix follows what the slow lane tracks: a few first-party repos per family, many derivatives named
by `base_model:` tags (re-uploads, fine-tunes), some matched by name only, and unrelated repos that
attribution must reject. Attribution therefore does its real work, not a shortcut.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from hfwatch.records import ModelRecord
from hfwatch.registry import Family, Registry
from hfwatch_sim import SimClock, SimHub  # the one import of the simulated Hub in bench/

# Share of the tracked ecosystem per family (the rest spread evenly): heavy-tailed like the real Hub.
FAMILY_WEIGHT = {"qwen": 30.0, "llama": 20.0, "mistral": 8.0, "gemma": 8.0, "deepseek": 5.0, "phi": 4.0}
KIND_WEIGHT = (("org", 6), ("lineage", 55), ("name", 14), ("none", 25))
SIZES = ("0.5B", "1.5B", "3B", "7B", "8B", "14B", "32B", "70B", "235B-A22B")
VARIANTS = ("Instruct", "Base", "Chat", "Coder", "Math", "VL", "Thinking", "FP8", "AWQ")
QUANTS = ("GGUF", "GGUF-Q4", "MLX-4bit", "AWQ", "GPTQ-Int4", "i1-GGUF", "EXL2")
__all__ = ["Catalogue", "SimClock", "SimHub", "build", "bump", "record_of"]

PIPELINES = ("text-generation", "image-text-to-text", "feature-extraction", "text-classification")


@dataclass(frozen=True, slots=True)
class Catalogue:
    items: list[dict]  # one listing record each, as `GET /api/models?expand=...` sends it
    first_party: list[str]


def _iso(t: float) -> str:
    dt = datetime.fromtimestamp(t, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _stem(family: Family) -> str:
    return family.search[0] if family.search else family.name.split("/")[0]


def _first_party_name(family: Family, registry: Registry, rng: random.Random) -> tuple[str, str] | None:
    orgs = [o for o in family.orgs if not o.legacy] or list(family.orgs)
    for _ in range(20):
        org = rng.choice(orgs).name
        name = f"{_stem(family).capitalize()}{rng.randint(1, 4)}-{rng.choice(SIZES)}-{rng.choice(VARIANTS)}"
        found = registry.org_family(org, name)
        if found is not None and found.id == family.id:
            return org, name
    return None


def build(n: int, registry: Registry, *, now: float, seed: int = 11) -> Catalogue:
    """`n` listing records; `now` anchors creation and modification times."""
    rng = random.Random(seed)
    families = list(registry.families)
    weights = [FAMILY_WEIGHT.get(f.id, 1.0) for f in families]
    kinds = [k for k, _ in KIND_WEIGHT]
    kind_w = [w for _, w in KIND_WEIGHT]
    items: list[dict] = []
    first_party: dict[str, list[str]] = {}
    seen: set[str] = set()

    def add(model_id: str, author: str, tags: list[str], pipeline: str) -> None:
        if model_id.lower() in seen:
            return
        seen.add(model_id.lower())
        created = now - rng.uniform(7, 1100) * 86400
        rate = 2.0 * rng.paretovariate(1.2)  # downloads/day: tracked repos are the popular ones
        age_days = (now - created) / 86400
        items.append(
            {
                "_id": f"{len(items):024x}",
                "id": model_id,
                "author": author,
                "downloads": int(rate * 30),
                "downloadsAllTime": int(rate * age_days),
                "likes": int(rate**0.5),
                "trendingScore": 0,
                "createdAt": _iso(created),
                "lastModified": _iso(created + 86400),
                "pipeline_tag": pipeline,
                "library_name": "transformers",
                "tags": tags,
                "gated": False,
                "safetensors": {"parameters": {"BF16": 7_000_000_000}, "total": 7_000_000_000},
            }
        )

    # One first-party repo per family first, so that every lineage tag has a parent to name.
    for fam in families:
        made = _first_party_name(fam, registry, rng)
        if made is not None:
            org, name = made
            first_party.setdefault(fam.id, []).append(f"{org}/{name}")
            add(f"{org}/{name}", org, ["transformers", "safetensors", "region:us"], "text-generation")
    reuploaders = sorted(registry.reuploaders)
    attempts = 0
    while len(items) < n and attempts < n * 3:
        attempts += 1
        fam = rng.choices(families, weights)[0]
        kind = rng.choices(kinds, kind_w)[0]
        user = f"user{rng.randint(1, max(10, n // 5))}"
        pipeline = rng.choice(PIPELINES)
        if kind == "org":
            made = _first_party_name(fam, registry, rng)
            if made is None:
                continue
            org, name = made
            first_party.setdefault(fam.id, []).append(f"{org}/{name}")
            add(f"{org}/{name}", org, ["transformers", "safetensors"], pipeline)
        elif kind == "lineage" and fam.id in first_party:
            base = rng.choice(first_party[fam.id])
            base_name = base.split("/", 1)[1]
            if rng.random() < 0.5:
                author, relation = rng.choice(reuploaders), "quantized"
                name = f"{base_name}-{rng.choice(QUANTS)}"
            else:
                author, relation = user, "finetune"
                name = f"{base_name}-sft-{rng.randint(1, 99999)}"
            add(f"{author}/{name}", author, ["gguf", f"base_model:{base}", f"base_model:{relation}:{base}"], pipeline)
        elif kind == "name":
            name = f"my-{_stem(fam)}-{rng.choice(SIZES)}-{rng.randint(1, 99999)}"
            add(f"{user}/{name}", user, ["transformers"], pipeline)
        else:
            add(f"{user}/bert-ft-{rng.randint(1, 10**7)}", user, ["transformers", "bert"], "text-classification")
    return Catalogue(items=items, first_party=[m for ids in first_party.values() for m in ids])


def bump(items: list[dict], fraction: float, *, seed: int = 12) -> list[dict]:
    """The next poll's listing: `fraction` of the repos gained downloads (the Hub refreshes about daily)."""
    rng = random.Random(seed)
    out = []
    for item in items:
        if rng.random() < fraction:
            gain = max(1, item["downloads"] // 30)
            item = {**item, "downloads": item["downloads"] + gain, "downloadsAllTime": item["downloadsAllTime"] + gain}
        out.append(item)
    return out


def record_of(item: dict) -> ModelRecord:
    """A record straight from a catalogue item, for building fixtures (not the timed parse path)."""
    return ModelRecord(
        id=item["id"],
        author=item["author"],
        downloads_30d=item["downloads"],
        downloads_all_time=item["downloadsAllTime"],
        likes=item["likes"],
        trending_score=item["trendingScore"],
        pipeline_tag=item["pipeline_tag"],
        library_name=item["library_name"],
        tags=tuple(item["tags"]),
        gated="false",
        params=item["safetensors"]["total"],
    )
