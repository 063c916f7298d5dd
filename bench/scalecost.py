"""What the deep lane costs, from the scale section's walks: a year of daily walks on disk, and the requests,
bytes and minutes of one walk under the Hub's rate budgets."""

from __future__ import annotations

import math

from bench.report import Figure, check
from hfwatch.deep import DEEP_FLOOR, RESERVE_SHARE, reserve
from hfwatch.hub.guard import RequestPolicy
from hfwatch.hub.plan import DEEP_PAGE_SIZE
from hfwatch.store.maintenance import DEFAULT_POLICY
from hfwatch_sim.clock import SimClock
from hfwatch_sim.server import SimHub

YEAR_BUDGET = "<= 2"
GB = 1e9
WINDOW_S = 300
BUDGETS = {"anonymous": 500, "logged in": 1000}


def _grown(sizes: list[dict[str, int]], a: int, b: int) -> int:
    """Bytes the file grew by from walk a to walk b, freed pages not counted (the file keeps them)."""
    return (sizes[b]["file"] - sizes[b]["free"]) - (sizes[a]["file"] - sizes[a]["free"])


def year_on_disk(
    sizes: list[dict[str, int]], tail: int, models: int, changed: list[float]
) -> tuple[list[Figure], dict]:
    """A year of daily deep walks of `models` models, from the first walk's bytes and the daily ones after.

    sizes[0] is the file before the walks (the tracked models' year), sizes[k] after walk k. The first
    walk adds the tail's model rows and first observations; each later day adds change-only rows. The
    default retention keeps daily rows for `daily_days` (365), so a year of daily walks is kept whole:
    nothing of it is thinned until it is a year old."""
    first = _grown(sizes, 0, 1)
    days = [_grown(sizes, k, k + 1) for k in range(1, len(sizes) - 1)]
    daily = sum(days) / len(days)
    scale = models / tail
    year = (first + 364 * daily) * scale
    per_model_day = year / (models * 365)
    share = sum(changed) / len(changed)
    arithmetic = (
        f"({first / 2**20:,.0f} MiB first walk + 364 x {daily / 2**20:,.1f} MiB a day) x {models:,}/{tail:,} models"
        f" = {year / GB:.2f} GB; daily growth measured over {len(days)} simulated day(s)"
        f" ({', '.join(f'{d / 2**20:,.1f}' for d in days)} MiB), {share:.0%} of the tail's models changed a day"
        f" (the simulated Hub: 30-day counts fall with rank and all-time counts accrue 1.4 x 30-day/30 a day, so"
        f" every repo above ~20 downloads a month moves daily, the rest now and then); retention keeps daily rows"
        f" {DEFAULT_POLICY.daily_days} days, then one a week: a year of daily walks is kept whole"
    )
    figures = [
        Figure(
            "scale",
            "a year of daily deep walks of 1M models, on disk",
            year / GB,
            "GB",
            YEAR_BUDGET,
            check(year / GB, YEAR_BUDGET),
            note=arithmetic,
        ),
        Figure(
            "scale",
            "deep walk: bytes per model-day",
            per_model_day,
            "B",
            note="the year above / (models x 365); the tracked models' own history is the storage section's",
        ),
        Figure(
            "scale",
            "deep walk: share of the tail changed a day",
            share,
            "",
            note="observations written / models walked, days 2.. of the walks",
        ),
    ]
    return figures, {"first_bytes": first, "daily_bytes": days, "year_bytes": year, "changed_share": share}


def _minutes(pages: int, limit: int, page_s: float) -> tuple[float, int]:
    """Minutes one walk of `pages` takes when the deep lane may spend all but its reserve of each window
    (the fast and slow lanes use the reserve), and each page costs `page_s` of hfwatch's own time."""
    per_window = limit - reserve(limit, RequestPolicy().budget_reserve, RESERVE_SHARE)
    windows = math.ceil(pages / per_window)
    last = pages - (windows - 1) * per_window
    busy = per_window * page_s
    # A full window lasts WINDOW_S unless hfwatch's work on its pages takes longer.
    return ((windows - 1) * max(WINDOW_S, busy) + last * page_s) / 60, per_window


def walk_cost(tail_size: int, t: int, bytes_per_page: float, page_s: float) -> tuple[list[Figure], dict]:
    """Requests, bytes and minutes of one walk of the simulated Hub (its catalogue and a tail of
    `tail_size`) down to the default floor and down to the whole listing."""
    hub = SimHub(clock=SimClock(start=t, speed=0), tail=tail_size)
    figures, out = [], {}
    for label, floor in ((f"floor {DEEP_FLOOR}", DEEP_FLOOR), ("whole listing", 1)):
        truth = hub.truth.deep_walk(floor, t)
        pages = math.ceil(truth.models / DEEP_PAGE_SIZE)
        out[label] = {"models": truth.models, "pages": pages, "coverage": truth.tracked / truth.downloads}
        figures += [
            Figure(
                "deep lane cost",
                f"{label}: models walked",
                truth.models,
                note=f"the simulated Hub ({len(hub.models.models):,} catalogue + {tail_size:,} tail repos); "
                f"coverage (tracked share of their 30-day downloads, ground truth) "
                f"{truth.tracked / truth.downloads:.1%}",
            ),
            Figure("deep lane cost", f"{label}: requests (pages of {DEEP_PAGE_SIZE})", pages),
            Figure(
                "deep lane cost",
                f"{label}: bytes",
                pages * bytes_per_page / 2**20,
                "MiB",
                note=f"{bytes_per_page / 1024:,.0f} KiB a page: the tail's records with the deep lane's expand "
                "fields, as the simulated Hub serves them (uncompressed)",
            ),
        ]
        for who, limit in BUDGETS.items():
            minutes, per_window = _minutes(pages, limit, page_s)
            figures.append(
                Figure(
                    "deep lane cost",
                    f"{label}: minutes per walk, {who} ({limit} req/5 min)",
                    minutes,
                    "min",
                    note=f"{per_window} pages a 5-min window (the rest kept for the fast and slow lanes), "
                    f"{page_s * 1e3:.0f} ms of hfwatch's work a page (measured above)",
                )
            )
    return figures, out
