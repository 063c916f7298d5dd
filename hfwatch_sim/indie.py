"""The untracked majority, and the swarm around the most derived-from family.

Most of what appears on the Hub belongs to no tracked family: small labs and individual users release models
all the time, almost all of them ignored, a few taking off (and then re-uploaded and quantized like any hit).
They make most of the newest listing and about half of the trending one. Their names never carry a tracked
family word, so their true family is None.

Qwen's derivatives (community finetunes and quantizations named after their base) are numerous enough that
``search=qwen`` passes the listing's 1,000 limit, so a top-1,000 walk loses and regains models as their
downloads shift.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

from .derivatives import DerivativeMaker
from .dynamics import DAY
from .repospec import Spec

#: Mean gap between two untracked releases after the start, and in the weeks before it.
MEAN_GAP_S = 600.0
PAST_MEAN_GAP_S = 1800.0
PAST_WINDOW_S = 30 * DAY
#: Share of untracked releases that take off.
BREAKOUT_SHARE = 0.04

_LAB_STEMS = (
    "Zentri",
    "Orvel",
    "Kavra",
    "Miraq",
    "Tessel",
    "Quorra",
    "Vantor",
    "Lyrix",
    "Sorin",
    "Bexa",
    "Corvid",
    "Dunmore",
    "Ferro",
    "Izar",
    "Jolt",
    "Kelvo",
    "Maple",
    "Nexo",
    "Pallas",
    "Ruvo",
)
_LAB_SUFFIXES = ("-AI", "Labs", "-Research", "AI", "-ML", "Tech")
_MODEL_WORDS = (
    "Nova",
    "Spark",
    "Vega",
    "Lark",
    "Aria",
    "Echo",
    "Flint",
    "Juno",
    "Kite",
    "Lumo",
    "Mosaic",
    "Nimbus",
    "Opal",
    "Pulse",
    "Ripple",
    "Sage",
    "Tide",
    "Vireo",
    "Wisp",
    "Zephyr",
)
_SIZES = ("0.5B", "1B", "1.8B", "3B", "4B", "7B", "8B", "12B", "14B", "24B", "32B", "70B")
_SUFFIXES = ("", "-Instruct", "-Chat", "-Base", "-Reasoning", "-Coder", "-v2", "-Preview", "-Math", "-RP")
_PIPELINES = (
    ("text-generation", 0.75),
    ("image-text-to-text", 0.1),
    ("feature-extraction", 0.08),
    ("text-to-image", 0.07),
)
_QWEN_SUFFIXES = (
    "GGUF",
    "AWQ",
    "FP8",
    "4bit",
    "abliterated",
    "SFT",
    "DPO",
    "GRPO",
    "Med",
    "Coder-SFT",
    "ko",
    "ja",
    "vi",
    "tr",
    "reasoning",
    "distill",
    "tool-use",
    "RP",
    "Math",
    "v2",
)


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def untracked_specs(rng: random.Random, maker: DerivativeMaker, start: float, horizon: float) -> list[Spec]:
    """Releases by labs and users of no tracked family, from ``PAST_WINDOW_S`` before ``start`` to
    ``horizon``, with the re-uploads that follow the ones that take off."""
    authors = _authors(rng, maker)
    out: list[Spec] = []
    t = start - PAST_WINDOW_S
    while True:
        t += rng.uniform(0.25, 1.75) * (MEAN_GAP_S if t >= start else PAST_MEAN_GAP_S)
        if t >= horizon:
            return out
        spec = _release(rng, maker, rng.choice(authors), t)
        if spec is None:
            continue
        out.append(spec)
        if spec.rate > 500:
            out.extend(maker.reuploads(spec, 0.6))


def _authors(rng: random.Random, maker: DerivativeMaker) -> list[str]:
    labs = [f"{stem}{rng.choice(_LAB_SUFFIXES)}" for stem in _LAB_STEMS]
    return labs + list(maker.handles)


def _release(rng: random.Random, maker: DerivativeMaker, author: str, t: float) -> Spec | None:
    size = rng.choice(_SIZES)
    repo_id = f"{author}/{rng.choice(_MODEL_WORDS)}-{size}{rng.choice(_SUFFIXES)}"
    if repo_id in maker.taken or not maker.neutral(repo_id):
        return None
    maker.taken.add(repo_id)
    pipeline = rng.choices([p for p, _ in _PIPELINES], [w for _, w in _PIPELINES])[0]
    breakout = rng.random() < BREAKOUT_SHARE
    rate = _lognormal(rng, 2500.0, 0.8) if breakout else _lognormal(rng, 3.0, 1.5)
    library = {"feature-extraction": "sentence-transformers", "text-to-image": "diffusers"}.get(
        pipeline, "transformers"
    )
    return Spec(
        id=repo_id,
        created=t,
        kind="indie",
        pipeline=pipeline,
        library=library,
        rate=rate,
        hype=rate * rng.uniform(4.0, 12.0 if breakout else 3.0),
        hype_tau=rng.uniform(4.0, 12.0),
        momentum=rng.gauss(0.0, 0.5),
        params=int(float(size[:-1]) * 1e9),
    )


def qwen_swarm_specs(
    rng: random.Random, maker: DerivativeMaker, bases: Iterable[Spec], start: float, horizon: float
) -> list[Spec]:
    """Community derivatives of Qwen's models, named after their base and tagged with it: ~700 in the 150
    days before ``start``, then about one an hour."""
    pool = [b for b in bases if b.created < start and b.fmt is None and b.pipeline == "text-generation"]
    if not pool:
        return []
    weights = [math.sqrt(max(b.rate, 1.0)) for b in pool]
    out: list[Spec] = []
    t = start - 150 * DAY
    while True:
        t += rng.uniform(0.25, 1.75) * (3600.0 if t >= start else 150 * DAY / 700)
        if t >= horizon:
            return out
        base = rng.choices(pool, weights)[0]
        suffix = rng.choice(_QWEN_SUFFIXES)
        quant = suffix in ("GGUF", "AWQ", "FP8", "4bit")
        spec = maker.make(
            base,
            f"{rng.choice(maker.handles)}/{base.name}-{suffix}",
            max(t, base.created + DAY),
            "quantized" if quant else "finetune",
            {"GGUF": "gguf", "AWQ": "awq", "FP8": "fp8", "4bit": "bnb"}.get(suffix),
            None if suffix == "GGUF" else "transformers",
            0.0005,
            sigma=2.0,
        )
        if spec is not None:
            out.append(spec)
