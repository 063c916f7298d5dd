"""bench/RESULTS.md and the README's Performance table, rendered from a run's figures: nothing in either
is typed by hand. The prose around the tables is bench/RESULTS.in.md."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from bench.report import Figure, fmt, rows, spread, verdict

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "RESULTS.in.md"
RESULTS_MD = HERE / "RESULTS.md"
README = HERE.parent / "README.md"
SCALING = HERE.parent / "docs" / "scaling.md"
BEGIN, END = "<!-- bench:performance:begin -->", "<!-- bench:performance:end -->"
# The README's deep-lane section: what a walk costs and what the store does at 1M models (every figure of
# these sections, budgeted or not).
DEEP_BEGIN, DEEP_END = "<!-- bench:deep-lane:begin -->", "<!-- bench:deep-lane:end -->"
DEEP_SECTIONS = ("deep lane cost", "scale")


def _md(cells: tuple[str, ...] | list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def command(meta: dict) -> str:
    """The command of the run, as far as its JSON tells: a run of some sections names them."""
    words = ["python -m bench"] + (["--quick"] if meta["mode"] == "quick" else [])
    ran = sorted({name.split(":")[0] for name in meta.get("sections", {}) if not name.startswith("history")})
    if ran and "ingest" not in ran:  # every whole run has the ingest section
        words.append("--only " + ",".join(ran))
    scale, plan = meta.get("scale_plan"), (meta.get("plan") or {}).get("scale")
    if scale and "scale" in ran and plan and scale["reps"] != plan["reps"]:
        words.append(f"--scale-reps {scale['reps']}")
    return " ".join(words)


def run_line(meta: dict) -> str:
    when = datetime.fromtimestamp(meta.get("finished_at", 0), UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"`{command(meta)}` ({meta['mode']} run), {when}: "
        f"{meta['seconds']} s ({meta.get('cpu_seconds', '–')} s CPU) on {meta['cpus']} CPUs, "
        f"Python {meta['python']}, SQLite {meta['sqlite']}; "
        f"load average {meta['load_avg_1m_at_start']} at start, {meta['load_avg_1m_at_end']} at end"
        + ("" if not meta.get("failures") else f"; sections that failed: {'; '.join(meta['failures'])}")
    )


def budget_table(figures: list[Figure]) -> str:
    lines = [_md(("figure", "median", "min–max", "n", "unit", "budget", "met")), "|---|--:|--:|--:|---|---|---|"]
    for f in figures:
        if f.budget:
            lines.append(
                _md(
                    (
                        f"{f.section}: {f.name}",
                        fmt(f.value),
                        spread(f),
                        str(f.n) if f.n else "",
                        f.unit,
                        f.budget,
                        "**NO**" if f.met is False else verdict(f),
                    )
                )
            )
    return "\n".join(lines)


def full_table(figures: list[Figure], notes: bool = True) -> str:
    lines = [
        _md(("section", "figure", "median", "min–max", "n", "unit", "budget", "met")),
        "|---|---|--:|--:|--:|---|---|---|",
    ]
    lines += [_md(r) for r in rows(figures)]
    said = [f"- **{f.section} / {f.name}**: {f.note}" for f in figures if f.note and notes]
    return "\n".join(lines + (["", "Notes:", "", *said] if said else []))


def results_md(meta: dict, figures: list[Figure]) -> str:
    text = TEMPLATE.read_text()
    return (
        text.replace("{{run}}", run_line(meta))
        .replace("{{budgets}}", budget_table(figures))
        .replace("{{table}}", full_table(figures))
    )


def readme_block(meta: dict, figures: list[Figure]) -> str:
    return "\n".join(
        [
            BEGIN,
            "<!-- written by `python -m bench`: edits here are overwritten -->",
            "",
            f"Latest run: {run_line(meta)}. Medians of repeats with their min–max; how each is "
            "measured, and every figure with its notes: [bench/RESULTS.md](bench/RESULTS.md).",
            "",
            budget_table(figures),
            "",
            END,
        ]
    )


def deep_block(meta: dict, figures: list[Figure], results_link: str = "bench/RESULTS.md") -> str:
    """The deep lane's figures; a run without them (--quick) leaves the block as it was."""
    mine = [f for f in figures if f.section in DEEP_SECTIONS]
    return "\n".join(
        [
            DEEP_BEGIN,
            "<!-- written by `python -m bench`: edits here are overwritten -->",
            "",
            f"From {run_line(meta)}; the notes say how each is measured: [bench/RESULTS.md]({results_link}).",
            "",
            full_table(mine, notes=False),
            "",
            DEEP_END,
        ]
    )


def _replace(text: str, begin: str, end: str, block: str) -> str:
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    return pattern.sub(lambda _: block, text, count=1)


def write(
    meta: dict, figures: list[Figure], readme: Path = README, results: Path = RESULTS_MD, scaling: Path = SCALING
) -> None:
    """RESULTS.md whole; in the README and docs/scaling.md only the marked blocks (a file without the markers
    is left alone; the deep-lane blocks only when the run measured the deep lane)."""
    results.write_text(results_md(meta, figures))
    text = _replace(readme.read_text(), BEGIN, END, readme_block(meta, figures))
    deep = any(f.section in DEEP_SECTIONS for f in figures)
    if deep:
        text = _replace(text, DEEP_BEGIN, DEEP_END, deep_block(meta, figures))
    readme.write_text(text)
    if deep and scaling.exists():
        block = deep_block(meta, figures, results_link="../bench/RESULTS.md")
        scaling.write_text(_replace(scaling.read_text(), DEEP_BEGIN, DEEP_END, block))


def main(argv: list[str]) -> int:
    """`python -m bench.docs [RESULTS.json]`: render RESULTS.md and the README block from a saved run."""
    import json
    import sys

    path = Path(argv[0]) if argv else HERE / "results" / "latest.json"
    data = json.loads(path.read_text())
    write(data["meta"], [Figure(**f) for f in data["figures"]])
    print(f"wrote {RESULTS_MD} and the README's Performance block from {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
