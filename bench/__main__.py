"""`python -m bench [--quick]`: measure every budget of DESIGN §11, print a table, write JSON.

Each figure is measured in the same run as its baseline. Timings on a shared 2-core machine are noisy:
medians and p95 are reported, with the load average at start and end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import dashboard, history, ingest, memory, network, ui
from bench.report import Figure, table, write_json
from bench.stats import machine
from hfwatch.registry import load_registry

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"

# (ingest models, ingest reps, history sizes, query iterations, cold-start runs, keypresses)
FULL = (50_000, 3, (1_000, 10_000, 50_000), 60, 5, 60)
QUICK = (10_000, 1, (1_000, 10_000), 25, 2, 20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repetitions (< 60 s)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON output (default {RESULTS})")
    parser.add_argument("--only", default="", help="comma-separated sections: ingest,dashboard,network,ui,memory")
    args = parser.parse_args(argv)
    n_ingest, reps, sizes, iterations, cold_runs, presses = QUICK if args.quick else FULL
    only = {s for s in args.only.split(",") if s}
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
        section("ingest", lambda: ingest.run(n_ingest, reps, registry))
        histories: dict[int, history.History] = {}
        if not only or only & {"dashboard", "ui", "memory"}:
            for n in sizes:
                t = time.perf_counter()
                print(f"[bench] synthetic year, {n:,} models ...", file=sys.stderr, flush=True)
                histories[n] = history.generate(tmp / f"year-{n}.sqlite", n, registry)
                details[f"history:{n}"] = {"build_s": round(time.perf_counter() - t, 1),
                                           "observations": histories[n].observations}
        big = histories.get(max(sizes)) if histories else None

        def queries() -> tuple[list[Figure], dict]:
            results = {n: dashboard.measure(h, registry, iterations) for n, h in histories.items()}
            return dashboard.figures(results), {"ms": results}

        def storage() -> tuple[list[Figure], dict]:
            figs, out = [], {}
            for n, h in histories.items():
                f, d = dashboard.storage(h)
                figs += f
                out[n] = d
            return figs, out

        if big is not None:
            section("dashboard", queries)
            section("dashboard:storage", storage)
            section("dashboard:maintenance", lambda: dashboard.maintenance(big, tmp))
            section("ui:cold start", lambda: ui.cold_start(big.path, cold_runs, tmp))
            section("ui:responsiveness", lambda: ui.responsiveness(big.path, presses, tmp))
            section("memory", lambda: memory.run(big.path, big.models, tmp))
        section("network", lambda: network.run(registry))

    meta = {**at_start, "mode": "quick" if args.quick else "full", "seconds": round(time.perf_counter() - began, 1),
            "load_avg_1m_at_end": round(os.getloadavg()[0], 2), "failures": failures}
    print(table(figures))
    print(f"\n{meta['mode']} run: {meta['seconds']} s on {meta['cpus']} CPUs; load average "
          f"{meta['load_avg_1m_at_start']} at start, {meta['load_avg_1m_at_end']} at end; JSON: {args.out}")
    write_json(args.out, meta, figures, details)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
