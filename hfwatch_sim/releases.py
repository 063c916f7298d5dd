"""The release schedule around the start: the weeks just before it (so the trending list and the new-releases
feed are lively from the first poll) and after it (so they keep moving while the clock runs)."""

from __future__ import annotations

import math
import random
import re
from datetime import UTC, datetime

from . import traits
from .derivatives import DerivativeMaker, derivatives_of_release
from .firstparty import gated_for
from .repospec import Spec, format_from_name, library_from_name, pipeline_from_name, size_from_name
from .sources import ReleaseStyle

#: Mean gap between two first-party releases after the start: the feed moves every couple of simulated hours.
MEAN_GAP_S = 2 * 3600.0
#: Releases in the weeks before the start are sparser: enough to fill a trending list.
PAST_WINDOW_S = 20 * 86400.0
PAST_MEAN_GAP_S = 8 * 3600.0


def _name(style: ReleaseStyle, rng: random.Random, t: float, progress: float) -> str:
    pattern = rng.choice(style.patterns)
    # Later stems are later versions: favour them as the schedule advances.
    weights = [math.exp(3.0 * progress * i) for i in range(len(style.stems))]
    stem = rng.choices(style.stems, weights)[0]
    when = datetime.fromtimestamp(t, UTC)
    name = pattern.format(
        stem=stem,
        size=rng.choice(style.sizes),
        sfx=rng.choice(style.suffixes),
        yymm=when.strftime("%y%m"),
        mmdd=when.strftime("%m%d"),
    )
    return re.sub(r"-{2,}", "-", name).strip("-")


def scheduled_specs(
    rng: random.Random, styles: list[ReleaseStyle], maker: DerivativeMaker, start: float, horizon: float
) -> list[Spec]:
    out: list[Spec] = []
    weights = [s.weight for s in styles]
    begin = start - PAST_WINDOW_S

    def gap(t: float) -> float:
        # Roughly regular (no day-long droughts), so a demo's feed never stalls.
        return rng.uniform(0.25, 1.75) * (MEAN_GAP_S if t >= start else PAST_MEAN_GAP_S)

    t = begin + gap(begin)
    while t < horizon:
        style = rng.choices(styles, weights)[0]
        name = ""
        for attempt in range(30):
            name = _name(style, rng, t, (t - begin) / (horizon - begin))
            if attempt >= 20:
                name = f"{name}-v{attempt - 18}"
            if f"{style.org}/{name}" not in maker.taken:
                break
        repo_id = f"{style.org}/{name}"
        maker.taken.add(repo_id)
        fmt = format_from_name(name)
        pipeline = pipeline_from_name(name)
        rate = traits.NEW_RELEASE_RATE.get(style.family, 300.0) * math.exp(rng.gauss(0.0, 1.0))
        if fmt is not None or re.search(r"(?i)(^|-)(base|pt)($|-)", name):
            rate *= 0.3
        spec = Spec(
            id=repo_id,
            created=t,
            kind="first",
            pipeline=pipeline,
            library=library_from_name(name, pipeline, fmt),
            fmt=fmt,
            family=style.family,
            rate=rate,
            hype=rate * rng.uniform(2.0, 8.0),
            hype_tau=rng.uniform(5.0, 14.0),
            momentum=traits.MOMENTUM.get(style.family, 0.0) + rng.gauss(0.0, 0.15),
            params=size_from_name(name),
            gated=gated_for(repo_id, rng),
        )
        out.append(spec)
        if fmt is None:
            out.extend(derivatives_of_release(maker, spec))
        following = t + gap(t)
        # The first release after the start comes on the future's cadence, not the past's.
        t = start + gap(start) if t < start <= following else following
    return out
