"""Hand-listed repos: the interconnects first-party list plus ``extra_repos.csv``, dated and given rates."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from statistics import NormalDist

from . import sources, traits
from .clock import DEFAULT_START
from .dynamics import DAY
from .repospec import (
    Spec,
    format_from_name,
    library_from_name,
    matches_family,
    pipeline_from_name,
    size_from_name,
)

# THUDM moved to zai-org in 2025; the list carries both. The oldest repos stay under the legacy name (as on
# the Hub, where old links keep their history), the rest only under zai-org: no checkpoint is listed twice.
_THUDM_LEGACY = re.compile(
    r"^(chatglm|codegeex2|visualglm|CogVLM$|cogvlm-|glm-10b|glm-2b|glm-large|glm-roberta|agentlm|apar|BPO$|"
    r"MathGLM$|WebGLM|MSAGPT)"
)
# Listed again under CohereForAI in extra_repos.csv, where the simulator keeps them.
_MOVED_TO_LEGACY = frozenset({"CohereLabs/c4ai-command-r-v01", "CohereLabs/c4ai-command-r-v01-4bit"})

# The repos the real download charts put on top, with their 30-day downloads at the reference start
# (order of magnitude after the public trackers; the rest of the list is ranked and drawn below them).
_HITS: dict[str, int] = {
    "Qwen/Qwen2.5-7B-Instruct": 21_000_000,
    "meta-llama/Llama-3.1-8B-Instruct": 9_000_000,
    "Qwen/Qwen3-0.6B": 12_500_000,
    "Qwen/Qwen2.5-1.5B-Instruct": 9_800_000,
    "meta-llama/Llama-3.2-1B-Instruct": 5_100_000,
    "openai/gpt-oss-20b": 8_700_000,
    "Qwen/Qwen3-8B": 8_200_000,
    "Qwen/Qwen2.5-0.5B-Instruct": 7_400_000,
    "meta-llama/Llama-3.2-1B": 3_500_000,
    "Qwen/Qwen3.5-9B": 6_300_000,
    "Qwen/Qwen3-4B": 6_000_000,
    "Qwen/Qwen2.5-VL-7B-Instruct": 5_200_000,
    "Qwen/Qwen3-4B-Instruct-2507": 5_000_000,
    "meta-llama/Llama-3.2-3B-Instruct": 3_000_000,
    "Qwen/Qwen2.5-3B-Instruct": 4_100_000,
    "openai/gpt-oss-120b": 4_000_000,
    "meta-llama/Meta-Llama-3-8B-Instruct": 2_000_000,
    "google/gemma-3-1b-it": 3_100_000,
    "meta-llama/Llama-3.1-8B": 2_000_000,
    "mistralai/Mistral-7B-Instruct-v0.2": 2_900_000,
    "Qwen/Qwen3.6-27B": 2_600_000,
    "google/gemma-3-4b-it": 2_500_000,
    "mistralai/Mistral-7B-Instruct-v0.3": 2_400_000,
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B": 2_100_000,
    "TinyLlama/TinyLlama-1.1B-Chat-v1.0": 2_000_000,
    "google/gemma-3-12b-it": 1_600_000,
    "microsoft/Phi-3-mini-4k-instruct": 1_500_000,
    "deepseek-ai/DeepSeek-R1": 1_400_000,
    "google/gemma-2-2b-it": 1_200_000,
    "HuggingFaceTB/SmolLM2-135M-Instruct": 1_200_000,
    "microsoft/phi-2": 800_000,
    "deepseek-ai/DeepSeek-V3": 600_000,
}

_QUANT_SUFFIX = re.compile(r"(?i)-(FP8|fp8|AWQ|GPTQ-Int[48]|Int[48]|4bit|int4|NVFP4|W4A16|W4A4|FP8-Block|MXFP8)$")
_TUNED_SUFFIX = re.compile(r"(?i)-(Instruct|it|Chat|chat)$")
_YYMM = re.compile(r"(?<![\d.])(2[3-6])(0[1-9]|1[0-2])(?![\d.])")
_MM_YYYY = re.compile(r"(?<!\d)(0[1-9]|1[0-2])-(202[3-6])(?!\d)")
_YYYYMMDD = re.compile(r"(?<!\d)(202[3-6])(0[1-9]|1[0-2])([0-3]\d)(?!\d)")

_RANK_MEDIAN = 15.0  # downloads/day of the median ranked first-party repo
_RANK_SIGMA = 2.3  # spread (log scale): the top ranked repo lands near 1.3M downloads per 30 days


def _day(year: int, month: int, day: int = 1) -> float:
    return datetime(year, month, day, tzinfo=UTC).timestamp()


class _Dater:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.eras = sources.release_eras()
        self.corrections = sources.date_corrections()

    def created(self, repo_id: str) -> float:
        org, name = repo_id.split("/", 1)
        day: float | None = None
        if repo_id in self.corrections:
            day = sources.parse_date(self.corrections[repo_id])
        else:
            for pattern, date in self.eras.get(org, ()):
                if pattern.search(name):
                    if date == "legacy":
                        return sources.LEGACY_CREATED
                    day = sources.parse_date(date)
                    break
        if day is None:
            day = self._from_name(name)
        if day is None:
            day = self.rng.uniform(_day(2023, 6, 1), _day(2026, 9, 15))
        # Variants of one launch land hours to days apart, at any time of day.
        return min(day + self.rng.uniform(0.0, 2.5 * DAY), DEFAULT_START - DAY)

    def _from_name(self, name: str) -> float | None:
        m = _YYYYMMDD.search(name)
        if m:
            return _day(int(m.group(1)), int(m.group(2)), max(1, min(28, int(m.group(3)))))
        m = _MM_YYYY.search(name)
        if m:
            return _day(int(m.group(2)), int(m.group(1)), self.rng.randint(1, 28))
        m = _YYMM.search(name)
        if m:
            return _day(2000 + int(m.group(1)), int(m.group(2)), self.rng.randint(1, 28))
        return None


def _org_families(fams: list[sources.Family]) -> dict[str, sources.Family]:
    out: dict[str, sources.Family] = {}
    for fam in fams:
        for org in fam.orgs + fam.related:
            out.setdefault(org, fam)
    return out


def family_of_org(repo_id: str, org_family: dict[str, sources.Family]) -> str | None:
    """The publisher family, with the name filter of orgs that also host other things."""
    org, name = repo_id.split("/", 1)
    fam = org_family.get(org)
    if fam is None:
        return None
    if org in traits.SHARED_ORGS:
        patterns = fam.patterns + traits.EXTRA_PATTERNS.get(fam.name, ())
        if not matches_family(name, patterns):
            return None
    return fam.name


def gated_for(repo_id: str, rng: random.Random) -> bool | str:
    org, name = repo_id.split("/", 1)
    if org == "meta-llama" and not name.startswith("CodeLlama"):
        return "manual"
    if org == "google" and "gemma" in name.lower():
        return "manual"
    if org == "CohereLabs" and name.startswith(("c4ai", "command")):
        return "manual"
    if org == "mistralai" and re.search(r"Large|Codestral|Medium", name):
        return "auto"
    return "auto" if rng.random() < 0.02 else False


_INSTRUCT = re.compile(r"(?i)instruct|chat|(^|-)it($|-)")
_BASE = re.compile(r"(?i)(^|-)(base|pt)($|-)")
_PREVIEW = re.compile(r"(?i)preview")
_REWARD = re.compile(r"(?i)(^|-)(RM|PRM|GenRM)(-|$)|reward")
_STAGE = re.compile(r"(?i)(^|-)(SFT|DPO|RLVR\d?|RL-Zero|Intermediate|Pre-Anneal|broken|random|history|dev)($|-)")
_SNAPSHOT = re.compile(r"(?i)steps|checkpoint|ckpt|unsharded|Ladder")


def _score(spec: Spec, rng: random.Random) -> float:
    """How downloaded a first-party repo should be, relative to the others (natural-log scale)."""
    name = spec.name
    score = traits.POPULARITY.get(spec.family or "", -0.3) + rng.gauss(0.0, 1.0)
    p = (spec.params or 0) / 1e9
    if p:
        score += 0.8 if p <= 1 else 1.0 if p <= 9 else 0.3 if p <= 35 else -0.2 if p <= 80 else -0.8
    if _INSTRUCT.search(name):
        score += 0.6
    if _BASE.search(name):
        score -= 0.2
    if spec.fmt is not None:
        score -= 1.2
    if spec.library is None:
        score -= 2.0
    if _PREVIEW.search(name):
        score -= 0.4
    if _REWARD.search(name):
        score -= 1.0
    if _STAGE.search(name):
        score -= 1.5
    if _SNAPSHOT.search(name):
        score -= 2.5
    return score


def _extra_specs(
    extras: Iterable[sources.ExtraRepo], org_family: dict[str, sources.Family], rng: random.Random
) -> list[Spec]:
    """The repos of extra_repos.csv: non-LLMs of shared orgs, decoys, well-known derivatives, missing families."""
    specs: list[Spec] = []
    for extra in extras:
        fmt = format_from_name(extra.id.split("/", 1)[1])
        created = sources.parse_date(extra.created)
        if extra.created != "legacy" and "T" not in extra.created:
            created += rng.uniform(0.0, DAY)
        spec = Spec(
            id=extra.id,
            created=created,
            kind=extra.kind,
            pipeline=extra.pipeline_tag,
            library=extra.library_name,
            fmt=fmt,
            relation=extra.relation,
            bases=extra.bases,
            family=None if extra.kind in ("decoy", "deriv") else family_of_org(extra.id, org_family),
            gated=(extra.gated or False),
            monthly=extra.monthly,
        )
        specs.append(spec)
    return specs


def first_party_specs(rng: random.Random, fams: list[sources.Family]) -> list[Spec]:
    """Every hand-listed repo (tracked list + extras), dated, attributed and given a download rate."""
    org_family = _org_families(fams)
    dater = _Dater(rng)
    params_b = sources.parameter_counts()
    fp_bases = sources.first_party_bases()
    extras = {e.id: e for e in sources.extra_repos()}

    specs: list[Spec] = []
    for repo_id in sources.tracked_ids():
        org, name = repo_id.split("/", 1)
        if repo_id in extras or repo_id in _MOVED_TO_LEGACY:
            continue
        if org == "THUDM" and not _THUDM_LEGACY.search(name):
            continue
        if org == "zai-org" and _THUDM_LEGACY.search(name):
            continue
        fmt = format_from_name(name)
        pipeline = pipeline_from_name(name)
        spec = Spec(
            id=repo_id,
            created=dater.created(repo_id),
            kind="first" if pipeline in ("text-generation", "image-text-to-text", "audio-text-to-text") else "nonllm",
            pipeline=pipeline,
            library=library_from_name(name, pipeline, fmt),
            fmt=fmt,
            family=family_of_org(repo_id, org_family),
            gated=gated_for(repo_id, rng),
        )
        if org == "TinyLlama" or org == "llava-hf":
            spec.kind = "decoy"
        specs.append(spec)

    specs += _extra_specs(extras.values(), org_family, rng)

    by_id = {s.id: s for s in specs}
    for spec in specs:
        name = spec.name
        if spec.id in params_b:
            spec.params = int(params_b[spec.id] * 1e9)
        else:
            spec.params = size_from_name(name)
        if spec.id in fp_bases:
            spec.relation, spec.bases = fp_bases[spec.id]
        elif not spec.bases and spec.kind == "first" and rng.random() < 0.6:
            # Official quantizations and instruct tunes usually name their own base in the card.
            org = spec.author
            quant = _QUANT_SUFFIX.search(name)
            tuned = _TUNED_SUFFIX.search(name)
            if quant and f"{org}/{name[: quant.start()]}" in by_id:
                spec.relation, spec.bases = "quantized", (f"{org}/{name[: quant.start()]}",)
            elif tuned and f"{org}/{name[: tuned.start()]}" in by_id:
                spec.relation, spec.bases = "finetune", (f"{org}/{name[: tuned.start()]}",)
    _after_bases(specs, by_id, rng)
    _assign_rates(specs, rng)
    return specs


def _after_bases(specs: list[Spec], by_id: dict[str, Spec], rng: random.Random) -> None:
    """No repo predates its base: approximate dates (and launch-day jitter) can put an instruct tune or an
    FP8 copy before its base, so move those to a little after it. A few passes settle chains."""
    for _ in range(4):
        moved = False
        for spec in specs:
            known = [by_id[b].created for b in spec.bases if b in by_id]
            if known and spec.created <= max(known):
                spec.created = min(max(known) + rng.uniform(0.05, 2.0) * DAY, DEFAULT_START - 3600.0)
                moved = True
        if not moved:
            return


def _assign_rates(specs: list[Spec], rng: random.Random) -> None:
    for spec in specs:
        if spec.id in _HITS:
            spec.monthly = _HITS[spec.id]
    ranked = [s for s in specs if s.monthly is None]
    scores = {s.id: _score(s, rng) for s in ranked}
    ranked.sort(key=lambda s: scores[s.id], reverse=True)
    n = len(ranked)
    normal = NormalDist(0.0, 1.0)
    median = _RANK_MEDIAN
    for i, spec in enumerate(ranked):
        z = normal.inv_cdf(1.0 - (i + 0.5) / n)
        spec.rate = median * math.exp(_RANK_SIGMA * z)
    for spec in specs:
        if spec.monthly is not None:
            spec.rate = spec.monthly / 30.0
        base = traits.MOMENTUM.get(spec.family or "", 0.0) if spec.kind != "nonllm" else 0.0
        spec.momentum = base + rng.gauss(0.0, 0.15)
        # Launch bursts are an LLM thing; the old workhorses (BERT, CLIP, Whisper) never had one this size.
        spec.hype = spec.rate * (rng.uniform(0.5, 4.0) if spec.kind == "first" else rng.uniform(0.1, 0.5))
        spec.hype_tau = rng.uniform(6.0, 20.0)
