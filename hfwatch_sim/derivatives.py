"""Third-party repos built on the catalogue's models: re-uploads, quantizations, finetunes, adapters, merges.

Shaped after what the Hub shows for popular bases: the GGUF/MLX re-uploaders follow a release within hours,
community finetunes within weeks, quantizations of those finetunes (chains) after them, merges of two or
three finetunes of one base; and some repos carry a family word in their name but no ``base_model`` tag.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .clock import DEFAULT_START
from .dynamics import DAY
from .repospec import Spec

HOUR = DAY / 24


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_TUNERS = _words(
    "NousResearch mlabonne huihui-ai DavidAU TheDrummer Sao10K allura-org nbeerbower "
    "cognitivecomputations Gryphe jondurbin maywell beomi elyza tokyotech-llm vilm VAGOsolutions "
    "Locutusque abacusai Weyaxi OpenBuddy shenzhi-wang FreedomIntelligence prithivMLmods Menlo "
    "Goekdeniz-Guelmez QuixiAI open-r1 agentica-org bespokelabs simplescaling PrimeIntellect"
)
_SYLLABLES = _words(
    "neo lumi astr kai zen nov ori ter vex quil mir pix byt ech flux hal jun kil tor val wen xan yor "
    "zul bram cor dax fen"
)
_BRANDS = _words(
    "Athena Nova Aurora Orion Sparrow Kestrel Cobalt Saffron Tundra Velvet Obsidian Meridian Halcyon "
    "Zenith Lumen Quasar Nimbus Pioneer Ember Glacier Vortex Atlas Helix Cipher Nebula Onyx Prism "
    "Rune Tempest Umbra"
)
_TUNE_SUFFIXES = _words(
    "abliterated uncensored SFT DPO ORPO GRPO Med Legal SQL Coder RP Storywriter ko ja vi tr de ar hi "
    "pt-br reasoning distill function-calling tool-use v2 v0.3 Instruct-SFT Math"
)
_TASKS = _words(
    "finetuned-alpaca sql medical-qa lora-merged chat-ko legal customer-support ja-instruct roleplay "
    "math-sft tr-chat finance summarizer vi-chat de-instruct"
)
_MERGE_METHODS = _words("slerp ties dare-ties della model-stock passthrough")

# Family words as people write them in repo names, for the derivatives that never declare their base.
_UNTAGGED_WORDS: dict[str, tuple[str, ...]] = {
    "Qwen": _words("qwen2.5-7b qwen3-8b qwen2-1.5b qwen3-4b qwen2.5-coder-7b qwen3-14b Qwen3.5-4B"),
    "Llama": _words("llama3-8b llama-3.1-8b llama2-7b llama-3.2-1b Llama3.2-3B"),
    "Mistral": _words("mistral-7b mistral-nemo-12b mixtral-8x7b"),
    "Gemma": _words("gemma-2-2b gemma3-4b gemma-7b gemma-3-12b"),
    "Phi": _words("phi-3-mini phi-2 phi-4 phi-3.5-mini"),
    "DeepSeek": _words("deepseek-coder-6.7b deepseek-r1-distill-7b deepseek-llm-7b"),
    "GLM": _words("glm4-9b chatglm3-6b"),
    "InternLM/InternVL": _words("internlm2-7b internvl2-8b"),
    "Falcon": _words("falcon-7b falcon3-3b"),
    "SmolLM": _words("smollm2-360m smollm2-1.7b"),
    "Granite": _words("granite-3.1-8b"),
    "OLMo/Tulu/Molmo": _words("olmo-2-7b"),
    "MiniCPM": _words("minicpm-2b"),
    "Baichuan": _words("baichuan2-7b"),
}


@dataclass(frozen=True, slots=True)
class _Uploader:
    """A re-uploader's habits: how it names repos, what it makes, how soon and how often."""

    template: str  # formatted with the base's author and name
    relation: str
    fmt: str | None
    library: str | None
    prob: float
    ratio: float  # median share of the base's downloads
    delay: tuple[float, float]  # hours after the base
    since: float  # created-at window of the uploader's activity
    until: float

    def name(self, base: Spec) -> str:
        template = self.template
        if template.startswith("bartowski/") and base.created > _ts(2025, 1):
            template = "bartowski/{author}_{name}-GGUF"  # the org prefix came with 2025
        return template.format(author=base.author, name=base.name)


def _ts(year: int, month: int) -> float:
    return datetime(year, month, 1, tzinfo=UTC).timestamp()


def _uploader(
    template: str,
    fmt: str | None,
    prob: float,
    ratio: float,
    delay: tuple[float, float],
    since: tuple[int, int] | None = None,
    until: tuple[int, int] | None = None,
) -> _Uploader:
    # A plain re-upload is a finetune in the Hub's eyes; every other format is a quantization.
    relation = "finetune" if fmt is None else "quantized"
    library = {"gguf": None, "mlx": "mlx"}.get(fmt or "", "transformers")
    start, end = (_ts(*since) if since else 0.0), (_ts(*until) if until else math.inf)
    return _Uploader(template, relation, fmt, library, prob, ratio, delay, start, end)


# fmt: off
_UPLOADERS: tuple[_Uploader, ...] = (
    # template, format, probability, share of the base's downloads, delay (hours), active from, until
    _uploader("unsloth/{name}-GGUF", "gguf", 0.7, 0.08, (2, 48), (2024, 6)),
    _uploader("unsloth/{name}-bnb-4bit", "bnb", 0.35, 0.03, (2, 72), (2024, 1)),
    _uploader("unsloth/{name}", None, 0.3, 0.05, (2, 72), (2024, 3)),
    _uploader("bartowski/{name}-GGUF", "gguf", 0.7, 0.05, (4, 72), (2024, 3)),
    _uploader("lmstudio-community/{name}-GGUF", "gguf", 0.4, 0.03, (6, 96), (2024, 4)),
    _uploader("lmstudio-community/{name}-MLX-4bit", "mlx", 0.15, 0.01, (6, 96), (2025, 2)),
    _uploader("mlx-community/{name}-4bit", "mlx", 0.5, 0.01, (1, 120), (2023, 12)),
    _uploader("mlx-community/{name}-8bit", "mlx", 0.2, 0.004, (1, 120), (2023, 12)),
    _uploader("TheBloke/{name}-GGUF", "gguf", 0.85, 0.1, (3, 120), (2023, 5), (2024, 2)),
    _uploader("TheBloke/{name}-AWQ", "awq", 0.4, 0.02, (3, 120), (2023, 9), (2024, 2)),
    _uploader("TheBloke/{name}-GPTQ", "gptq", 0.5, 0.03, (3, 120), (2023, 5), (2024, 2)),
    _uploader("QuantFactory/{name}-GGUF", "gguf", 0.3, 0.005, (24, 400), (2024, 4), (2025, 3)),
    _uploader("mradermacher/{name}-GGUF", "gguf", 0.5, 0.005, (12, 240)),
    _uploader("mradermacher/{name}-i1-GGUF", "gguf", 0.3, 0.004, (24, 480)),
    _uploader("RedHatAI/{name}-FP8-dynamic", "fp8", 0.2, 0.02, (24, 720), (2024, 6)),
    _uploader("neuralmagic/{name}-FP8", "fp8", 0.3, 0.02, (24, 720), (2024, 5), (2024, 12)),
)
# fmt: on
# Who quantizes community finetunes and merges (the second link of a chain).
_CHAIN_UPLOADERS = (_UPLOADERS[3], _UPLOADERS[12], _UPLOADERS[13], _UPLOADERS[6])


class DerivativeMaker:
    def __init__(self, rng: random.Random, horizon: float, taken: Iterable[str], family_words: Iterable[str]):
        self.rng = rng
        self.horizon = horizon
        self.taken = set(taken)
        self._forbidden = tuple(w.lower() for w in family_words)
        self.handles = self._handles(140)
        self.brands = tuple(b for b in _BRANDS if self.neutral(b))

    def neutral(self, word: str) -> bool:
        """Whether ``word`` names no tracked family."""
        lowered = word.lower()
        return not any(p in lowered for p in self._forbidden)

    def _handles(self, n: int) -> list[str]:
        out = list(_TUNERS)
        while len(out) < n:
            a, b = self.rng.sample(_SYLLABLES, 2)
            handle = f"{a}{b}" + self.rng.choice(("", "-ai", "-lab", "ml", str(self.rng.randint(1, 99))))
            if handle not in out and self.neutral(handle):
                out.append(handle)
        return out

    def _lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(self.rng.gauss(0.0, sigma))

    def make(
        self,
        base: Spec,
        repo_id: str,
        created: float,
        relation: str | None,
        fmt: str | None,
        library: str | None,
        ratio: float,
        sigma: float = 1.0,
        bases: tuple[str, ...] | None = None,
        pipeline: str | None = "keep",
    ) -> Spec | None:
        if repo_id in self.taken or created > self.horizon:
            return None
        self.taken.add(repo_id)
        rate = 0.0 if self.rng.random() < 0.03 else base.rate * self._lognormal(ratio, sigma)
        if pipeline == "keep":
            # Quantizers often leave pipeline_tag unset.
            pipeline = base.pipeline if fmt not in ("gguf", "mlx") or self.rng.random() < 0.5 else None
        spec = Spec(
            id=repo_id,
            created=created,
            kind="deriv",
            pipeline=pipeline,
            library=library,
            fmt=fmt,
            relation=relation,
            bases=(base.id,) if bases is None else bases,
            rate=rate,
            hype=rate * self.rng.uniform(0.2, 2.0),
            hype_tau=self.rng.uniform(3.0, 10.0),
            momentum=base.momentum + self.rng.gauss(0.0, 0.2),
            params=base.params,
        )
        return spec

    def reuploads(self, base: Spec, boost: float = 1.0) -> list[Spec]:
        out = []
        for up in _UPLOADERS:
            if not (up.since <= base.created <= up.until) or self.rng.random() > up.prob * boost:
                continue
            created = base.created + self.rng.uniform(*up.delay) * HOUR
            if created > up.until + 30 * DAY:
                continue
            spec = self.make(base, up.name(base), created, up.relation, up.fmt, up.library, up.ratio)
            if spec:
                out.append(spec)
        return out

    def finetune(self, base: Spec, delay_days: float | None = None) -> Spec | None:
        rng = self.rng
        user = rng.choice(self.handles)
        size = _size_label(base)
        if rng.random() < 0.55:
            name = f"{base.name}-{rng.choice(_TUNE_SUFFIXES)}"
        else:
            name = f"{rng.choice(self.brands)}-{size}-v{rng.randint(1, 4)}" if size else f"{rng.choice(self.brands)}-v1"
        delay = delay_days if delay_days is not None else rng.expovariate(1 / 45.0) + 2.0
        adapter = rng.random() < 0.15
        if adapter:
            name = f"{name}-lora"
        return self.make(
            base,
            f"{user}/{name}",
            base.created + delay * DAY,
            "adapter" if adapter else "finetune",
            "peft" if adapter else None,
            "peft" if adapter else "transformers",
            0.002,
            sigma=2.0,
            pipeline=base.pipeline if not adapter or rng.random() < 0.5 else None,
        )

    def merge(self, parents: list[Spec]) -> Spec | None:
        rng = self.rng
        first = parents[0]
        size = _size_label(first)
        name = f"{rng.choice(self.brands)}-{size or 'X'}-{rng.choice(_MERGE_METHODS)}"
        created = max(p.created for p in parents) + (rng.expovariate(1 / 20.0) + 1.0) * DAY
        return self.make(
            first,
            f"{rng.choice(self.handles)}/{name}",
            created,
            "merge",
            None,
            "transformers",
            0.0005,
            sigma=1.5,
            bases=tuple(p.id for p in parents),
        )

    def chain(self, parent: Spec) -> Spec | None:
        up = self.rng.choice(_CHAIN_UPLOADERS)
        created = parent.created + self.rng.uniform(*up.delay) * HOUR
        return self.make(parent, up.name(parent), created, up.relation, up.fmt, up.library, 0.15)

    def untagged(self, family: str, around: float) -> Spec | None:
        rng = self.rng
        word = rng.choice(_UNTAGGED_WORDS[family])
        name = f"{word}-{rng.choice(_TASKS)}" + (f"-v{rng.randint(2, 5)}" if rng.random() < 0.3 else "")
        repo_id = f"{rng.choice(self.handles)}/{name}"
        if repo_id in self.taken:
            return None
        self.taken.add(repo_id)
        rate = 0.0 if rng.random() < 0.1 else self._lognormal(2.0, 1.5)
        return Spec(
            id=repo_id,
            created=around,
            kind="deriv",
            pipeline="text-generation" if rng.random() < 0.8 else None,
            library="transformers" if "lora" not in name else "peft",
            family=family,
            rate=rate,
            hype=rate * rng.uniform(0.2, 1.0),
            hype_tau=rng.uniform(3.0, 10.0),
            momentum=rng.gauss(0.0, 0.3),
        )


def _size_label(spec: Spec) -> str:
    if not spec.params:
        return ""
    b = spec.params / 1e9
    return f"{b:.0f}B" if b >= 1 else f"{spec.params / 1e6:.0f}M"


def derivative_specs(rng: random.Random, hand: list[Spec], horizon: float, family_words: Iterable[str]) -> list[Spec]:
    """Third-party repos around the hand-listed ones (future-dated ones past ``horizon`` are dropped)."""
    maker = DerivativeMaker(rng, horizon, (s.id for s in hand), family_words)
    candidates = [
        s
        for s in hand
        if s.kind == "first"
        and s.pipeline in ("text-generation", "image-text-to-text")
        and s.fmt is None
        and s.library == "transformers"
    ]
    candidates.sort(key=lambda s: s.rate, reverse=True)
    out: list[Spec] = []
    finetunes_of: dict[str, list[Spec]] = {}

    popular, others = candidates[:170], candidates[170:]
    for rank, base in enumerate(popular):
        boost = 1.0 if rank < 60 else 0.6
        out.extend(maker.reuploads(base, boost))
        for _ in range(_poisson(rng, 2.2 if rank < 60 else 0.9)):
            ft = maker.finetune(base)
            if ft:
                out.append(ft)
                finetunes_of.setdefault(base.id, []).append(ft)
    for base in others:
        if rng.random() < 0.12:
            out.extend(maker.reuploads(base, 0.3))
        if rng.random() < 0.1:
            ft = maker.finetune(base)
            if ft:
                out.append(ft)

    merges = []
    for fts in finetunes_of.values():
        full = [f for f in fts if f.relation == "finetune"]
        if len(full) >= 2 and rng.random() < 0.45:
            parents = rng.sample(full, 3 if len(full) >= 3 and rng.random() < 0.25 else 2)
            merged = maker.merge(parents)
            if merged:
                merges.append(merged)
    out.extend(merges)

    for parent in [s for s in out if s.relation in ("finetune", "merge") and s.fmt is None and s.author != "unsloth"]:
        if rng.random() < 0.35:
            q = maker.chain(parent)
            if q:
                out.append(q)

    for family in _UNTAGGED_WORDS:
        for _ in range(5 if family in ("Qwen", "Llama", "Mistral", "Gemma", "Phi") else 2):
            around = rng.uniform(_ts(2023, 9), DEFAULT_START - 2 * DAY)
            spec = maker.untagged(family, around)
            if spec:
                out.append(spec)
    return out


def derivatives_of_release(maker: DerivativeMaker, release: Spec) -> list[Spec]:
    """The swarm that follows a new release: re-uploads within hours, finetunes within days."""
    out = maker.reuploads(release, 0.45)
    for _ in range(_poisson(maker.rng, 0.4)):
        ft = maker.finetune(release, delay_days=maker.rng.uniform(2.0, 14.0))
        if ft:
            out.append(ft)
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: fine for the small means used here.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
