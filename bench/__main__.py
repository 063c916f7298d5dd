"""`python -m bench [--quick]`: measure every budget of DESIGN §11, print a table, write JSON.

Each figure is measured in the same run as its baseline. Timings on a shared 2-core machine are noisy:
medians and p95 are reported, with the load average at start and end.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import dashboard, docs, history, ingest, memory, network, scale, ui, yearcache
from bench.report import Figure, table, write_json
from bench.stats import cpu_seconds, machine
from hfwatch.registry import Registry, load_registry

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
T_HISTORY = history.NOW


@dataclass(frozen=True, slots=True)
class Plan:
    """How much of each measurement a run does. Quick and full make the same comparisons at the same
    budgeted sizes (a 50k-model poll ingested, the 50k-model year, a 50k-model poll under the keys): quick
    repeats fewer times and leaves out what has no budget. Not a smaller poll: the ingest ratio is not the same
    at 10k models (0.34x raw, first poll) as at 50k (0.51x), since the baseline's inserts into smaller indexes
    are cheaper per row, so the quick run's verdict would not be the full run's."""

    ingest_models: int
    ingest_reps: int
    sizes: tuple[int, ...]
    dash_iterations: int
    dash_reps: int
    maint_reps: int
    cold_reps: int
    key_polls: int
    keys_per_poll: int
    poll_models: int
    memory_reps: int
    scale: scale.ScalePlan | None  # None: the scale section is left out (SCALE_LEFT_OUT says why)
    ingest_next_hour: bool = True  # the hourly poll's ingest (no budget)


FULL = Plan(50_000, 3, (1_000, 10_000, 50_000), 40, 3, 3, 5, 3, 40, 50_000, 3, scale.ScalePlan(1_000_000, 3, 6, 40, 3))
QUICK = Plan(50_000, 3, (1_000, 50_000), 10, 3, 1, 3, 1, 30, 50_000, 0, None, ingest_next_hour=False)
SCALE_LEFT_OUT = (
    "scale: left out of --quick: its walks of ~950k models take tens of minutes on a loaded 2-core machine, and a "
    "smaller walk would not test what it is for (memory and speed at 1M); run `python -m bench --only scale`"
)


def years(
    sizes: tuple[int, ...], registry: Registry, tmp: Path, fresh: bool, details: dict[str, object]
) -> dict[int, history.History]:
    """Copies of the synthetic years (cached between runs) in this run's scratch directory."""
    out = {}
    for n in sizes:
        t = time.perf_counter()
        print(f"[bench] synthetic year, {n:,} models ...", file=sys.stderr, flush=True)
        out[n], hit = yearcache.year(tmp / f"year-{n}.sqlite", n, registry, fresh=fresh)
        details[f"history:{n}"] = {
            "seconds": round(time.perf_counter() - t, 1),
            "cached": hit,
            "build_s": round(out[n].build_s, 1),
            "observations": out[n].observations,
        }
    return out


def storage(histories: dict[int, history.History]) -> tuple[list[Figure], dict]:
    figs, out = [], {}
    for n, h in histories.items():
        f, d = dashboard.storage(h)
        figs += f
        out[n] = d
    return figs, out


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, the same comparisons (< 90 s)")
    parser.add_argument("--fresh-year", action="store_true", help="rebuild the cached synthetic years")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite bench/RESULTS.md and README.md")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON output (default {RESULTS})")
    parser.add_argument("--only", default="", help="comma-separated sections: ingest,dashboard,network,ui,memory,scale")
    parser.add_argument("--scale-models", type=int, help="models in the scale section's store (default 1,000,000)")
    parser.add_argument("--scale-reps", type=int, help="repeats of the scale section's walks (default 3)")
    return parser


def _scale_plan(p: Plan, args: argparse.Namespace, only: set[str]) -> scale.ScalePlan | None:
    """The scale section's plan: the full run's, resized by --scale-models/--scale-reps; asked for by name
    (--only scale) it runs in --quick too."""
    if only and "scale" not in only:
        return None
    base = p.scale or (FULL.scale if "scale" in only else None)
    if base is None:
        print(f"[bench] {SCALE_LEFT_OUT}", file=sys.stderr, flush=True)
        return None
    return dataclasses.replace(base, models=args.scale_models or base.models, reps=args.scale_reps or base.reps)


def main(argv: list[str] | None = None) -> int:
    args = arguments().parse_args(argv)
    p = QUICK if args.quick else FULL
    only = {s for s in args.only.split(",") if s}
    scale_plan = _scale_plan(p, args, only)
    began = time.perf_counter()
    at_start = machine()
    registry = load_registry()
    figures: list[Figure] = []
    details: dict[str, object] = {}
    failures: list[str] = []

    def section(name: str, fn: Callable[[], tuple[list[Figure], dict]]) -> None:
        if only and name.split(":")[0] not in only:
            return
        t = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            figs, detail = fn()
        except Exception as err:  # a section that cannot run says why; the others still report
            failures.append(f"{name}: {type(err).__name__}: {err}")
            traceback.print_exc()
            figs, detail = [Figure(name.split(":")[0], "not measured", None, note=f"{type(err).__name__}: {err}")], {}
        figures.extend(figs)
        details[name] = {**detail, "seconds": round(time.perf_counter() - t, 1)}

    with tempfile.TemporaryDirectory(prefix="hfwatch-bench-") as tmp_name:
        tmp = Path(tmp_name)
        section("ingest", lambda: ingest.run(p.ingest_models, p.ingest_reps, registry, next_hour=p.ingest_next_hour))
        histories = (
            years(p.sizes, registry, tmp, args.fresh_year, details)
            if not only or only & {"dashboard", "ui", "memory", "scale"}
            else {}
        )
        big = histories.get(max(p.sizes)) if histories else None

        if big is not None:
            section("dashboard", lambda: dashboard.repeated(histories, registry, p.dash_iterations, p.dash_reps, tmp))
            section("dashboard:storage", lambda: storage(histories))
            section("dashboard:maintenance", lambda: dashboard.maintenance(big, tmp, p.maint_reps))
            section("ui:cold start", lambda: ui.cold_start(big.path, p.cold_reps, tmp))
            section(
                "ui:responsiveness",
                lambda: ui.responsiveness(big.path, p.keys_per_poll, p.key_polls, p.poll_models, T_HISTORY, tmp),
            )
            if p.memory_reps:  # no budget: left out of the quick run
                section("memory", lambda: memory.run(big.path, big.models, p.memory_reps, tmp))
            if scale_plan is not None:
                section("scale", lambda: scale.run(big, registry, scale_plan, tmp))
        section("network", lambda: network.run(registry))

    meta = {
        **at_start,
        "finished_at": time.time(),
        "mode": "quick" if args.quick else "full",
        "seconds": round(time.perf_counter() - began, 1),
        "cpu_seconds": round(cpu_seconds(), 1),
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        "failures": failures,
        "plan": asdict(p),
        "scale_plan": asdict(scale_plan) if scale_plan is not None else SCALE_LEFT_OUT,
        "sections": {k: v.get("seconds") for k, v in details.items() if isinstance(v, dict)},
    }
    _report(args, meta, figures, details, rewrite_docs=not args.no_docs and not only)
    return 1 if failures else 0


def _report(args: argparse.Namespace, meta: dict, figures: list[Figure], details: dict, *, rewrite_docs: bool) -> None:
    print(table(figures))
    print(
        f"\n{meta['mode']} run: {meta['seconds']} s ({meta['cpu_seconds']} s CPU, children included) on "
        f"{meta['cpus']} CPUs; load average "
        f"{meta['load_avg_1m_at_start']} at start, {meta['load_avg_1m_at_end']} at end; JSON: {args.out}"
    )
    write_json(args.out, meta, figures, details)
    if rewrite_docs:
        docs.write(meta, figures)


if __name__ == "__main__":
    raise SystemExit(main())
