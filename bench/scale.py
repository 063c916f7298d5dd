"""The deep lane at 1M models (DESIGN §11): ingest against raw executemany, peak RSS, the dashboard with
1M models in the store, a year of daily walks on disk, and what a walk costs in requests and minutes.

Each repeat is a child process (bench.scale_child) that walks the simulated Hub's long tail on top of a copy
of the 50k-model year, so the store holds 1M models: the tracked year plus ~950k tail repos. The first
repeat's file, after its walks, is the 1M-model store the dashboard is measured on (the walks are the
measurement, so the store costs nothing more to build).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import scalecost
from bench.dashboard import date_growth, measure
from bench.history import History
from bench.report import Figure, summary
from bench.stats import median
from bench.ui import ROOT, child_env
from hfwatch.registry import Registry
from hfwatch.store.maintenance import DAY_S

RATIO_BUDGET = ">= 0.5"
RSS_BUDGET = "<= 600"
P95_BUDGET = "<= 20"
WALK_TIMEOUT_S = 3 * 3600
WALKS = {0: "first walk (all new)", 1: "next day (change-only)"}


@dataclass(frozen=True, slots=True)
class ScalePlan:
    models: int  # in the store after the walks: the year's models + the tail's
    reps: int
    # Daily walks after the two timed ones, for the storage figure (first repeat only): 6 make the measured days
    # a whole week, its first day (the untracked tail's weekly rows) included.
    extra_days: int
    dash_iterations: int
    dash_reps: int


def _child(work: Path, base: Path, tail: int, t: int, extra: int, env: dict[str, str]) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "bench.scale_child", str(work), str(base), str(tail), str(t), str(extra)]
    proc = subprocess.run(
        args, capture_output=True, text=True, env=env, timeout=WALK_TIMEOUT_S, cwd=ROOT, stdin=subprocess.DEVNULL
    )
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-3:]
        raise RuntimeError(f"bench.scale_child exited with {proc.returncode}: {' | '.join(said)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def walks(year: History, plan: ScalePlan, tmp: Path) -> tuple[list[dict], Path]:
    """Every repeat's walks; the first repeat's store is kept for the dashboard, the other files deleted."""
    tail, t = plan.models - year.models, year.now + 3600
    env = child_env(tmp)
    runs = []
    for rep in range(plan.reps):
        print(f"[bench] scale: walks of {tail:,} tail repos, repeat {rep + 1}/{plan.reps} ...", file=sys.stderr)
        work = tmp / f"scale-{rep}"
        runs.append(_child(work, year.path, tail, t, plan.extra_days if rep == 0 else 0, env))
        for f in work.glob("raw-*"):
            f.unlink()
        if rep:
            shutil.rmtree(work)
    return runs, tmp / "scale-0" / "walk.sqlite"


def _one_walk(runs: list[dict], k: int, label: str, models: int) -> list[Figure]:
    """Throughput, ratios against raw executemany and peak RSS of walk k (0: first, 1: next day)."""
    tail = runs[0]["models"]
    ws, raw = [r["walks"][k] for r in runs], [r["raw_s"][k] for r in runs]
    return [
        summary(
            "scale",
            f"{label}: pipeline",
            [w["models"] / w["pipeline_s"] for w in ws],
            "models/s",
            note=f"a deep walk of {tail:,} tail repos on the {models - tail:,}-model year, 1000 a page: "
            "decode_page (as the client reads a page) + attribute_all + deepwalk.apply_page"
            if k == 0
            else "",
        ),
        summary(
            "scale",
            f"{label}: raw executemany",
            [w["models"] / s for w, s in zip(ws, raw, strict=True)],
            "models/s",
            note="the same model and observation inserts, a transaction a page, on a copy of the same year"
            if k == 0
            else "the same counter UPDATEs and observation inserts, a transaction a"
            " page, on a copy of the file the store then updates",
        ),
        summary(
            "scale",
            f"{label}: pipeline ratio",
            [s / w["pipeline_s"] for w, s in zip(ws, raw, strict=True)],
            "x raw",
            RATIO_BUDGET,
            note="DESIGN §11: parse and attribution included",
        ),
        summary(
            "scale",
            f"{label}: store ratio",
            [s / w["store_s"] for w, s in zip(ws, raw, strict=True)],
            "x raw",
            note="deepwalk.apply_page alone (ingest, walk progress, coverage count)",
        ),
        summary(
            "scale",
            f"{label}: peak RSS",
            [r["rss_first_mib" if k == 0 else "rss_next_mib"] for r in runs],
            "MiB",
            RSS_BUDGET,
            note="VmHWM of the child, reset before the walk (the raw baseline runs after it)"
            if runs[0].get("peak_reset")
            else "VmHWM of the child since its start: the reset was refused",
        ),
    ]


def walk_figures(runs: list[dict], models: int) -> list[Figure]:
    label = f"{models / 1e6:g}M models"
    figs = [f for k, name in WALKS.items() for f in _one_walk(runs, k, f"{label}, {name}", models)]
    first = runs[0]["walks"][0]
    shares = {
        k: median([r["walks"][0][k] / r["walks"][0]["pipeline_s"] for r in runs])
        for k in ("decode_s", "attribute_s", "store_s")
    }
    figs.append(
        Figure(
            "scale",
            f"{label}, first walk: time share decode/attribute/store",
            " / ".join(f"{v:.0%}" for v in shares.values()),
            n=len(runs),
            note=f"{first['pages']} pages, {first['bytes'] / 2**20:,.0f} MiB of listing JSON",
        )
    )
    return figs


def dashboard(path: Path, year: History, now: int, registry: Registry, plan: ScalePlan, tmp: Path) -> tuple:
    """The dashboard's refresh on the 1M-model store and on the 50k year, interleaved, a commit before each."""
    small = tmp / "scale-dash-50k.sqlite"
    shutil.copyfile(year.path, small)
    # Both files get the same dating of the year (its daily refreshes, spans and endpoints); the tail's
    # walks dated their own as they were stored.
    date_growth(small, year.now)
    date_growth(path, year.now)
    big = History(path, 0, 0, 0, now, 0.0, year.biggest_family)
    results: dict[str, list] = {"1M": [], "50k": []}
    try:
        for _ in range(plan.dash_reps):
            results["1M"].append(measure(path, big, registry, plan.dash_iterations))
            results["50k"].append(measure(small, year, registry, plan.dash_iterations))
    finally:
        for f in tmp.glob("scale-dash-50k.sqlite*"):
            f.unlink()
    label = f"{plan.models / 1e6:g}M models"
    figs = []
    for q, name in (
        ("dashboard screen", "dashboard screen"),
        ("family screen", "family screen"),
        ("leaderboard", "leaderboard"),
        ("refresh", "refresh"),
    ):
        p50 = median([r[q]["p50_ms"] for r in results["1M"]])
        figs += [
            summary(
                "scale",
                f"{label}: {name} p95",
                [r[q]["p95_ms"] for r in results["1M"]],
                "ms",
                P95_BUDGET if q in ("dashboard screen", "family screen") else "",
                note=f"p50 {p50:.1f} ms; {plan.dash_iterations} refreshes per repeat, a commit before each "
                "(as bench.dashboard); family screen: the biggest family's list, rates, chart and newest",
            ),
            summary(
                "scale",
                f"{name} p95 {plan.models / 1e6:g}M/50k",
                [b[q]["p95_ms"] / s[q]["p95_ms"] for b, s in zip(results["1M"], results["50k"], strict=True)],
                "x",
                note="each repeat's 1M refreshes paired with the 50k year's right after",
            ),
        ]
    return figs, results


def run(year: History, registry: Registry, plan: ScalePlan, tmp: Path) -> tuple[list[Figure], dict]:
    runs, store = walks(year, plan, tmp)
    now = year.now + 3600 + (1 + plan.extra_days) * DAY_S  # the last walk's time
    figs = walk_figures(runs, plan.models)
    sizes, tail = runs[0]["sizes"], runs[0]["models"]
    changed = [w["changed"] / w["models"] for w in runs[0]["walks"][1:]]
    f, storage = scalecost.year_on_disk(sizes, tail, plan.models, changed, runs[0]["times"])
    figs += f
    try:
        f, dash = dashboard(store, year, now, registry, plan, tmp)
        figs += f
    finally:
        shutil.rmtree(store.parent)
    w = runs[0]["walks"][1]  # the daily walk's work a page: the steady state
    page_s = median([r["walks"][1]["pipeline_s"] / r["walks"][1]["pages"] for r in runs])
    f, cost = scalecost.walk_cost(tail, now, w["bytes"] / w["pages"], page_s)
    figs += f
    return figs, {"runs": runs, "storage": storage, "dashboard_ms": dash, "cost": cost}
