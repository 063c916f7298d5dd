"""What the deep lane costs, from the scale section's walks: a year of daily walks on disk, and the requests,
bytes and minutes of one walk under the Hub's rate budgets."""

from __future__ import annotations

import itertools
import math

from bench.report import Figure, check
from hfwatch.deep import DEEP_FLOOR, RESERVE_SHARE, reserve
from hfwatch.hub.guard import RequestPolicy
from hfwatch.hub.plan import DEEP_PAGE_SIZE
from hfwatch.store.maintenance import DEFAULT_POLICY, week_start
from hfwatch.timeunits import DAY_S
from hfwatch_sim.clock import SimClock
from hfwatch_sim.server import SimHub
from hfwatch_sim.tail import LINEAGE_PERCENT

YEAR_BUDGET = "<= 2"
MILLION = 1_000_000
GB = 1e9
WINDOW_S = 300
BUDGETS = {"anonymous": 500, "logged in": 1000}


def _grown(sizes: list[dict[str, int]], a: int, b: int) -> int:
    """Bytes the file grew by from walk a to walk b, freed pages not counted (the file keeps them)."""
    return (sizes[b]["file"] - sizes[b]["free"]) - (sizes[a]["file"] - sizes[a]["free"])


def year_on_disk(
    sizes: list[dict[str, int]], tail: int, models: int, changed: list[float], times: list[int]
) -> tuple[list[Figure], dict]:
    """A year of daily deep walks of `models` models, from the first two walks' bytes and the daily ones after.

    sizes[0] is the file before the walks (the tracked models' year), sizes[k] after walk k, at times[k - 1].
    The first walk adds the tail's model rows and first observations, the second gives every row its rate
    endpoint columns once: both are counted as they are. Each later day adds change-only rows: every change
    of a model the fast or slow lane follows, and of any other (untracked, or tracked and seen only by the deep
    lane: the whole walked tail here) only the first change of a calendar week (hfwatch.store.followed). So a
    day that starts a week writes far more than one inside it: the measured days are averaged apart and weighed
    by how many of each the other 363 days of the year hold. The default retention keeps daily rows for
    `daily_days` (365), so a year of daily walks is kept whole."""
    first = _grown(sizes, 0, 2)
    days = [_grown(sizes, k, k + 1) for k in range(2, len(sizes) - 1)]
    starts = [week_start(times[k]) > week_start(times[k - 1]) for k in range(2, len(days) + 2)]
    week_days = [d for d, s in zip(days, starts, strict=True) if s]
    other_days = [d for d, s in zip(days, starts, strict=True) if not s]
    # Without a measured week start (or mid-week day) the kind measured stands for both: the note says so.
    week_day = sum(week_days) / len(week_days) if week_days else sum(other_days) / len(other_days)
    other_day = sum(other_days) / len(other_days) if other_days else week_day
    year_days = [times[0] + d * DAY_S for d in range(1, 365)]
    n_starts = sum(week_start(b) > week_start(a) for a, b in itertools.pairwise(year_days))
    n_other = len(year_days) - 1 - n_starts
    scale = models / tail
    year = (first + n_starts * week_day + n_other * other_day) * scale
    per_model_day = year / (models * 365)
    share = sum(changed) / len(changed)
    measured = (
        f"{len(week_days)} week start(s) and {len(other_days)} other day(s) measured"
        if week_days and other_days
        else "NO week start measured: the tail's weekly rows are missing (an under-estimate)"
        if other_days
        else "no mid-week day measured"
    )
    arithmetic = (
        f"({first / 2**20:,.0f} MiB first two walks + {n_starts} x {week_day / 2**20:,.1f} MiB a day that starts a"
        f" week + {n_other} x {other_day / 2**20:,.1f} MiB a day inside one) x {models:,}/{tail:,} models"
        f" = {year / GB:.2f} GB;"
        f" {measured} ({', '.join(f'{d / 2**20:,.1f}' for d in days)} MiB a day); {share:.0%} of the tail's"
        f" models changed a day (the simulated Hub: 30-day counts fall with rank and all-time counts accrue"
        f" 1.4 x 30-day/30 a day, so every repo above ~20 downloads a month moves daily, the rest now and then);"
        f" a model the fast or slow lane lists writes each change, one only the deep lane lists (the tail: untracked,"
        f" {1 - LINEAGE_PERCENT / 100:.0%}, or a tracked family's fine-tune) the first change of each calendar week;"
        f" retention keeps daily rows"
        f" {DEFAULT_POLICY.daily_days} days, then one a week: a year of daily walks is kept whole"
    )
    # The budget is DESIGN's, for 1M models: a smaller run states its own year unbudgeted and projects to 1M.
    at_million = models >= MILLION
    figures = [
        Figure(
            "scale",
            f"a year of daily deep walks of {models / 1e6:g}M models, on disk",
            year / GB,
            "GB",
            YEAR_BUDGET if at_million else "",
            check(year / GB, YEAR_BUDGET) if at_million else None,
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
            note="models whose counters changed / models walked, days 2.. of the walks (each rewrites its row in"
            " `models`; one the fast or slow lane lists also writes an observation, the deep-only tail only on the"
            " week's first change)",
        ),
    ]
    if not at_million:
        projected = year * MILLION / models
        figures.insert(
            1,
            Figure(
                "scale",
                "a year of daily deep walks of 1M models, on disk, projected",
                projected / GB,
                "GB",
                YEAR_BUDGET,
                check(projected / GB, YEAR_BUDGET),
                note=f"the year above x 1M/{models:,} (= {MILLION:,}/{tail:,} on the tail's measured bytes): an upper"
                " bound, since the walked repos are the top of the tail and all of them move daily, where fewer of a"
                " million's do",
            ),
        )
    return figures, {
        "first_bytes": first,
        "daily_bytes": days,
        "week_start_bytes": week_day,
        "other_day_bytes": other_day,
        "year_bytes": year,
        "changed_share": share,
    }


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
