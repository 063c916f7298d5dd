"""`python -m bench.table [--repeats N] [--impl FILE]`: what a poll costs a keyed table on screen.

One redraw = one cell changes (`show` with one row's value changed, as every poll does), then every
visible line of the table is rendered again through Widget.render_lines (what the compositor asks for).
Measured on a 34-row leaderboard-shaped table and on a 500-row family model table, in a headless app at
160x48. `--impl FILE` loads another keyed_table.py (e.g. an older one, `git show REV:path > FILE`) with
the same subclass interface (show / column_specs / row_for), to measure before against after in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region

import hfwatch.tui
from hfwatch.tui import format as fmt

SIZE = (160, 48)
WARMUP = 3


def load(impl: str | None) -> ModuleType:
    if impl is None:
        from hfwatch.tui.widgets import keyed_table

        return keyed_table
    spec = importlib.util.spec_from_file_location("bench_keyed_table", impl)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def leaderboard_row(i: int, value: float, rng: random.Random) -> list[Text | str]:
    return [
        fmt.right(str(i + 1)),
        Text("–", style="dim"),
        Text(f"  family-{i}"),
        Text("CN"),
        fmt.right(fmt.human(value), style="bold"),
        fmt.right(fmt.human(value / 30)),
        fmt.right(fmt.percent(value / 1e9)),
        fmt.spark([rng.random() for _ in range(16)], 16),
        fmt.right(f"{rng.randrange(1000):,}"),
        fmt.right("2d", style="dim"),
    ]


def model_row(i: int, value: float, rng: random.Random) -> list[Text | str]:
    return [
        fmt.safe(f"org-{i % 7}/model-{i}-instruct-gguf", 60),
        Text("org", style="bold green"),
        fmt.right(fmt.human(value), style="bold"),
        fmt.right(fmt.human(value * 12)),
        fmt.right(fmt.human(value / 30)),
        fmt.spark([rng.random() for _ in range(12)], 12),
        fmt.right(fmt.human(rng.randrange(10_000))),
        fmt.right("3w", style="dim"),
        fmt.safe("text-generation", 16),
    ]


SHAPES = {
    "leaderboard, 34 rows": (
        34,
        [
            ("rank", 3),
            ("delta", 3),
            ("family", 14),
            ("cc", 2),
            ("value", 8),
            ("rate", 7),
            ("share", 6),
            ("trend", 16),
            ("models", 6),
            ("newest", 6),
        ],
        leaderboard_row,
    ),
    "model table, 500 rows": (
        500,
        [
            ("model", 60),
            ("via", 7),
            ("d30", 8),
            ("dall", 8),
            ("rate", 7),
            ("trend", 12),
            ("likes", 6),
            ("age", 4),
            ("pipeline", 16),
        ],
        model_row,
    ),
}


def table_class(module: ModuleType, columns: list[tuple[str, int]]) -> type:
    class Table(module.KeyedTable):  # type: ignore[name-defined]
        def column_specs(self) -> list[Any]:
            return [module.Col(key, key, width) for key, width in columns]

        def row_for(self, item: tuple[str, list[Text | str]]) -> tuple[str, list[Text | str]]:
            return item

    return Table


async def redraws(module: ModuleType, shape: str, repeats: int) -> list[float]:
    n, columns, make = SHAPES[shape]
    rng = random.Random(7)
    values = [1e8 / (i + 1) for i in range(n)]
    rows = [(f"k{i}", make(i, values[i], rng)) for i in range(n)]
    table_type = table_class(module, columns)

    class Bench(App[None]):
        CSS_PATH = Path(hfwatch.tui.__file__).parent / "app.tcss"

        def compose(self) -> ComposeResult:
            yield table_type(classes="bench")

    app = Bench()
    took: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        table: Any = app.query_one(table_type)
        table.styles.height = "1fr"
        table.show(rows)
        await pilot.pause()
        crop = Region(0, 0, table.size.width, table.size.height)
        table.render_lines(crop)
        for rep in range(WARMUP + repeats):
            i = rng.randrange(min(n, table.size.height - 1))  # a row on screen, as the poll that matters
            values[i] *= 1.01
            rows[i] = (rows[i][0], make(i, values[i], rng))
            began = time.perf_counter()
            table.show(rows)
            table.render_lines(crop)
            if rep >= WARMUP:
                took.append((time.perf_counter() - began) * 1000)
            await pilot.pause()
    return took


def describe(ms: list[float]) -> str:
    ordered = sorted(ms)
    return f"median {ordered[len(ordered) // 2]:.1f} ms (min {ordered[0]:.1f} – max {ordered[-1]:.1f}, n={len(ms)})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--impl", help="another keyed_table.py to measure instead of hfwatch's")
    args = parser.parse_args(argv)
    module = load(args.impl)
    print(f"keyed table: {args.impl or module.__file__}")
    for shape in SHAPES:
        print(f"  redraw after one cell update, {shape}: {describe(asyncio.run(redraws(module, shape, args.repeats)))}")


if __name__ == "__main__":
    main()
