"""`python -m bench.parse`: the cost per record of reading one listing page, hfwatch's parser against
huggingface_hub's `ModelInfo(**item)` (what the poll used to build for every item before its own parser).

Two realistic pages of 1,000 records: the bench catalogue's shape (every expanded field, a few tags) and
the repository's real Hub records (tests/fixtures/hub_records.json, ~14 tags each) repeated with distinct
ids. Medians of repeated runs, in microseconds per record; json.loads is not included (it is the same for
both). A second line times a page from its bytes, the JSON decode included: `json.loads` + `parse_page` (the
tolerant parser alone) against `decode_page` (the typed pass that reads a clean page, as polls do).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.catalogue import build
from bench.stats import machine, median
from hfwatch.hub.decode import decode_page
from hfwatch.hub.parse import parse_page
from hfwatch.registry import load_registry

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "hub_records.json"
T0 = 1_793_574_000


def pages(n: int) -> dict[str, list[dict[str, Any]]]:
    real = [{k: v for k, v in r.items() if not k.startswith("_")} for r in json.loads(FIXTURE.read_text())["real"]]
    repeated = [{**real[i % len(real)], "id": f"{real[i % len(real)]['id']}-{i}"} for i in range(n)]
    # Through JSON and back, so both parsers read what json.loads hands them on a poll.
    return {
        "catalogue": json.loads(json.dumps(build(n, load_registry(), now=T0).items[:n])),
        "real-shaped": json.loads(json.dumps(repeated)),
    }


def per_record_us(
    fns: dict[str, Callable[[Any], object]], items: Any, reps: int, records: int | None = None
) -> dict[str, tuple[float, float]]:
    """Median wall and CPU microseconds per record of each function, run in turns so that the load of a
    shared machine weighs on all of them alike."""
    wall: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            w, c = time.perf_counter(), time.thread_time()
            fn(items)
            cpu[name].append(time.thread_time() - c)
            wall[name].append(time.perf_counter() - w)
    n = len(items) if records is None else records
    return {name: (median(wall[name]) / n * 1e6, median(cpu[name]) / n * 1e6) for name in fns}


def model_info(items: list[dict[str, Any]]) -> object:
    from huggingface_hub import ModelInfo

    return [ModelInfo(**item) for item in items]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.parse", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=21)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    for name, items in pages(args.records).items():
        got = per_record_us({"ModelInfo": model_info, "parse_page": parse_page}, items, args.reps)
        (theirs, theirs_cpu), (ours, ours_cpu) = got["ModelInfo"], got["parse_page"]
        print(
            f"{name:12} {len(items):,} records, medians of {args.reps} (wall / CPU):"
            f" ModelInfo(**item) {theirs:.1f} / {theirs_cpu:.1f} µs/record"
            f" · hfwatch parse_page, ModelRecord built {ours:.1f} / {ours_cpu:.1f} µs/record"
            f" · {theirs_cpu / ours_cpu:.1f}x less CPU"
        )
        body = json.dumps(items).encode()
        got = per_record_us(
            {"tolerant": lambda b: parse_page(json.loads(b)), "decode_page": decode_page},
            body,
            args.reps,
            records=len(items),
        )
        (slow, slow_cpu), (fast, fast_cpu) = got["tolerant"], got["decode_page"]
        print(
            f"{'':12} from the bytes, JSON decode included (wall / CPU): json.loads + parse_page"
            f" {slow:.1f} / {slow_cpu:.1f} µs/record · decode_page {fast:.1f} / {fast_cpu:.1f} µs/record"
            f" · {slow_cpu / fast_cpu:.1f}x less CPU"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
