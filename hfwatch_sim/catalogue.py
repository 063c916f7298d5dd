"""The simulated Hub's model catalogue: built once per seed, immutable, with counters in closed form.

Each :class:`Model` also carries the attribution it was *meant* to have (``family``, ``via``,
``base_family``, ``kind``): the truth that hfwatch's attribution is tested against. ``family`` is the
publisher's family for first-party repos (orgs that also host other things count only names carrying a
family word), else the family reached through ``base_model`` tags, else (untagged derivatives) the family
their name names; decoys have none.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

from . import sources, traits
from .clock import DEFAULT_START, iso_z
from .derivatives import DerivativeMaker, derivative_specs
from .dynamics import DAY, Dynamics
from .firstparty import first_party_specs
from .indie import qwen_swarm_specs, untracked_specs
from .releases import scheduled_specs
from .repospec import Spec, is_conversational, matches_family

#: Releases are scheduled up to this long after the start.
HORIZON_S = 21 * DAY


@dataclass(slots=True, eq=False)
class Model:
    """One repo. Treated as immutable once built (the catalogue is shared between servers)."""

    id: str
    oid: str  # Mongo-style ``_id``: creation time in its first 8 hex digits, like the Hub's
    created: float
    pipeline_tag: str | None
    library_name: str | None
    tags: tuple[str, ...]
    gated: bool | str
    params: int | None  # for ``safetensors``; None when the repo has no safetensors weights
    fp8: bool
    fmt: str | None
    license: str
    arch: str
    dyn: Dynamics
    updates: tuple[float, ...]  # seconds after creation of each commit; the first is 0
    kind: str  # first | nonllm | decoy | deriv | indie
    family: str | None
    via: str | None  # org | lineage | name
    base_family: str | None
    relation: str | None
    bases: tuple[str, ...]  # as tagged (empty for untagged derivatives)
    author: str = ""
    # Derived on first use: most models are never searched or filtered on, and building them all up front
    # would eat a good part of the catalogue's time budget.
    _id_lower: str | None = None
    _filter_keys: frozenset[str] | None = None
    _created_iso: str | None = None
    _json: dict[str, str] | None = None
    key: int = 0  # a stable hash of the id: which partial refreshes include the model
    # Filled in by refresh.Schedule: (refresh day, downloadsAllTime, downloads) as last published, and the
    # model's recount (() when it has none).
    published: tuple[int, int, int] | None = None
    recount: tuple[float, int] | tuple[()] | None = None

    def __post_init__(self) -> None:
        self.author = self.id.split("/", 1)[0]
        self.key = zlib.crc32(self.id.encode())

    @property
    def json_fragments(self) -> dict[str, str]:
        """Encoded fields that never change, filled in by the page renderer as it needs them."""
        if self._json is None:
            self._json = {}
        return self._json

    @property
    def id_lower(self) -> str:
        if self._id_lower is None:
            self._id_lower = self.id.lower()
        return self._id_lower

    @property
    def filter_keys(self) -> frozenset[str]:
        """What ``filter=`` matches: the tags, the pipeline tag and the library name."""
        if self._filter_keys is None:
            extra = tuple(k for k in (self.pipeline_tag, self.library_name) if k)
            self._filter_keys = frozenset(self.tags + extra)
        return self._filter_keys

    @property
    def created_iso(self) -> str:
        if self._created_iso is None:
            self._created_iso = iso_z(int(self.created))
        return self._created_iso

    def commit_index(self, t: float) -> int:
        return max(0, bisect.bisect_right(self.updates, t - self.created) - 1)

    def last_modified(self, t: float) -> float:
        return self.created + self.updates[self.commit_index(t)]

    def sha(self, t: float) -> str:
        return hashlib.sha1(f"{self.id}@{self.commit_index(t)}".encode()).hexdigest()

    def safetensors(self) -> dict[str, object] | None:
        if self.params is None:
            return None
        if self.fp8:
            # FP8 checkpoints keep norms and embeddings in BF16.
            bf16 = self.params // 40
            return {"parameters": {"BF16": bf16, "F8_E4M3": self.params - bf16}, "total": self.params}
        return {"parameters": {"BF16": self.params}, "total": self.params}


class Catalogue:
    """All models (future releases included), sorted by creation time, with lookups for the server."""

    def __init__(self, models: list[Model]) -> None:
        models.sort(key=lambda m: (m.created, m.id))
        self.models: tuple[Model, ...] = tuple(models)
        self.by_id = {m.id: m for m in self.models}
        self.by_author: dict[str, list[Model]] = {}
        for m in self.models:
            self.by_author.setdefault(m.author.lower(), []).append(m)
        self._created = [m.created for m in self.models]

    def __len__(self) -> int:
        return len(self.models)

    def count_visible(self, t: float) -> int:
        return bisect.bisect_right(self._created, t)

    def visible(self, t: float) -> tuple[Model, ...]:
        return self.models[: bisect.bisect_right(self._created, t)]

    def visible_by_author(self, author: str, t: float) -> list[Model]:
        return [m for m in self.by_author.get(author.lower(), ()) if m.created <= t]


def anchor_for(start: float) -> float:
    """The day (UTC midnight) a catalogue's release schedule is laid out around."""
    return math.floor(start / DAY) * DAY


@lru_cache(maxsize=8)
def build_catalogue(seed: int = 7, anchor: float = DEFAULT_START) -> Catalogue:
    """Deterministic for (seed, anchor): same ids, dates, tags and rates on every run and platform.

    The hand-listed repos and their derivatives sit at their real dates. The release schedule (the weeks
    before ``anchor`` and ``HORIZON_S`` after it) is laid out around ``anchor``, so a hub started at any
    date has fresh releases just behind it and more to come.
    """
    rng = random.Random(seed)
    fams = sources.families()
    words = [p for f in fams for p in f.patterns] + [p for ps in traits.EXTRA_PATTERNS.values() for p in ps]
    horizon = anchor + HORIZON_S
    hand = first_party_specs(rng, fams)
    derived = derivative_specs(rng, hand, max(anchor, DEFAULT_START) + HORIZON_S, words)
    maker = DerivativeMaker(rng, horizon, [s.id for s in hand + derived], words)
    scheduled = scheduled_specs(rng, sources.release_styles(), maker, anchor, horizon)
    specs = hand + derived + [s for s in scheduled if s.created <= horizon]
    # Drawn from a generator of their own, after everything else, so adding them left the rest unchanged.
    more_rng = random.Random(seed * 1_000_003 + 17)
    more = DerivativeMaker(more_rng, horizon, [s.id for s in specs], words)
    qwen = [s for s in hand if s.family == "Qwen" and s.kind == "first"]
    specs += untracked_specs(more_rng, more, anchor, horizon)
    specs += qwen_swarm_specs(more_rng, more, qwen, anchor, horizon)
    return Catalogue(_finalize(specs, rng))


@lru_cache(maxsize=1)
def _family_words() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((f.name, f.patterns + traits.EXTRA_PATTERNS.get(f.name, ())) for f in sources.families())


def _named_family(name: str) -> str | None:
    return next((fam for fam, words in _family_words() if matches_family(name, words)), None)


def _finalize(specs: list[Spec], rng: random.Random) -> list[Model]:
    by_id = {s.id: s for s in specs}
    resolved: dict[str, tuple[str | None, str | None]] = {}

    def resolve(spec: Spec, depth: int = 0) -> tuple[str | None, str | None]:
        """(family, via) of a repo; cycle-safe through the depth bound."""
        if spec.id in resolved:
            return resolved[spec.id]
        if spec.kind == "first" and spec.family is None and not spec.bases:
            # A lab's own untagged model in an org that hosts several things: the family its name names.
            named = _named_family(spec.name)
            result = (named, "name" if named else None)
        elif spec.kind != "deriv":
            result = (spec.family, "org" if spec.family else None)
        else:
            result = (None, None)
            for base_id in spec.bases:
                base = by_id.get(base_id)
                if base is not None and depth < 16 and resolve(base, depth + 1)[0]:
                    result = (resolve(base, depth + 1)[0], "lineage")
                    break
            if result[0] is None and spec.family:
                result = (spec.family, "name")
        resolved[spec.id] = result
        return result

    def root_family(spec: Spec) -> str | None:
        seen = set()
        while spec.bases and spec.bases[0] in by_id and spec.id not in seen:
            seen.add(spec.id)
            spec = by_id[spec.bases[0]]
        return resolve(spec)[0]

    models = []
    for spec in specs:
        family, via = resolve(spec)
        base_family = root_family(spec) if spec.bases else family
        models.append(_model(spec, family, via, base_family, rng))
    return models


def _model(spec: Spec, family: str | None, via: str | None, base_family: str | None, rng: random.Random) -> Model:
    name = spec.name
    lic = traits.license_for(base_family, name)
    arch = traits.ARCH.get(base_family or "", "") or _arch_from_name(name)
    fp8 = spec.fmt == "fp8"
    has_safetensors = spec.library in ("transformers", "sentence-transformers", "peft") and spec.fmt not in (
        "gguf",
        "awq",
        "gptq",
        "bnb",
    )
    params = (
        spec.params if has_safetensors and spec.kind in ("first", "deriv", "indie") and spec.fmt != "peft" else None
    )
    kd = spec.momentum / 365.25
    rate = max(spec.rate, 0.0)
    # Likes follow attention (launch bursts) more than steady downloads; non-LLM workhorses get few.
    likes_max = (
        (30.0 * rate + 10.0 * spec.hype) ** 0.5
        * math.exp(rng.gauss(0.0, 0.5))
        * {"first": 2.0, "deriv": 0.5, "decoy": 0.5, "indie": 1.5}.get(spec.kind, 0.4)
    )
    dyn = Dynamics(
        created=spec.created,
        e0=rate * math.exp(kd * (spec.created - DEFAULT_START) / DAY),
        k=kd,
        ramp=1.0 if spec.kind == "deriv" else 2.0,
        hype=max(spec.hype, 0.0),
        hype_tau=spec.hype_tau,
        likes_max=likes_max,
        likes_tau=rng.uniform(10.0, 30.0),
        likes_drift=likes_max * 0.0003,
    )
    # Commits after the first: an early fix or two, then the odd README update.
    later = sorted(rng.expovariate(1 / (60 * DAY)) + 1800.0 for _ in range(rng.randint(0, 5)))
    created = spec.created
    oid = f"{max(0, int(created)):08x}" + hashlib.md5(spec.id.encode()).hexdigest()[:16]
    return Model(
        id=spec.id,
        oid=oid,
        created=created,
        pipeline_tag=spec.pipeline,
        library_name=spec.library,
        tags=_tags(spec, family, base_family, lic, arch, rng),
        gated=spec.gated,
        params=params,
        fp8=fp8,
        fmt=spec.fmt,
        license=lic,
        arch=arch,
        dyn=dyn,
        updates=(0.0, *later),
        kind=spec.kind,
        family=family,
        via=via,
        base_family=base_family,
        relation=spec.relation if spec.bases else None,
        bases=spec.bases,
    )


def _arch_from_name(name: str) -> str:
    m = re.match(r"[A-Za-z]+", name)
    return m.group(0).lower() if m else "custom"


_CN = frozenset(
    {
        "Qwen",
        "DeepSeek",
        "Kimi",
        "GLM",
        "MiniMax",
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
    }
)


def _tags(
    spec: Spec, family: str | None, base_family: str | None, lic: str, arch: str, rng: random.Random
) -> tuple[str, ...]:
    """Tags in the order the Hub lists them: library, format, arch, task, traits, lineage, licence, region."""
    tags: list[str] = []
    lib, fmt, pipeline = spec.library, spec.fmt, spec.pipeline
    if fmt == "gguf":
        tags.append("gguf")
    if lib:
        tags.append(lib)
    if lib in ("transformers", "sentence-transformers", "peft", "mlx", "diffusers"):
        tags.append("safetensors")
    if (
        spec.kind in ("first", "deriv", "indie")
        and fmt != "peft"
        and pipeline in ("text-generation", "image-text-to-text")
    ):
        tags.append(arch)
    if pipeline:
        tags.append(pipeline)
    if spec.relation == "merge":
        tags += ["mergekit", "merge"]
    if fmt == "peft":
        tags.append("lora")
    if is_conversational(spec.name, pipeline):
        tags.append("conversational")
    if family in traits.CUSTOM_CODE and spec.kind == "first":
        tags.append("custom_code")
    if spec.kind == "first" and rng.random() < 0.3:
        year, month = _year_month(spec.created)
        tags.append(f"arxiv:{year % 100:02d}{month:02d}.{rng.randint(1000, 29999):05d}")
    if rng.random() < 0.25:
        tags += ["en", "zh"] if (base_family in _CN) else ["en"]
    for base in spec.bases:
        tags.append(f"base_model:{base}")
    for base in spec.bases:
        tags.append(f"base_model:{spec.relation or 'finetune'}:{base}")
    tags.append(f"license:{lic}")
    if spec.kind == "first" and rng.random() < 0.3:
        tags.append("eval-results")
    if lib == "transformers" and pipeline == "text-generation" and rng.random() < 0.4:
        tags.append("text-generation-inference")
    if lib == "transformers" or fmt == "gguf":
        tags.append("endpoints_compatible")
    if fmt == "fp8":
        tags += ["8-bit", "fp8"]
    elif fmt in ("bnb", "awq", "gptq", "int4", "nvfp4") or (fmt == "mlx" and "4bit" in spec.name):
        tags.append("4-bit")
        if fmt in ("bnb", "awq", "gptq"):
            tags.append({"bnb": "bitsandbytes", "awq": "awq", "gptq": "gptq"}[fmt])
        if fmt in ("int4", "nvfp4"):
            tags.append("compressed-tensors")
    tags.append("region:us")
    if fmt == "gguf" and spec.author in ("bartowski", "mradermacher", "unsloth"):
        tags.append("imatrix")
    # A tag appears once even when a base is named twice.
    return tuple(dict.fromkeys(tags))


def _year_month(t: float) -> tuple[int, int]:
    iso = iso_z(t)
    return int(iso[:4]), int(iso[5:7])
