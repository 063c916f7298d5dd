"""Rendering rows for the terminal, JSON and CSV."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from hfwatch.textsafe import csv_safe, json_safe, terminal_safe

Row = dict[str, Any]


def write_json(rows: Sequence[Row], out: TextIO = sys.stdout) -> None:
    # Hub text keeps every character once parsed, but none that a terminal would act on travels raw.
    out.write(json_safe(json.dumps(list(rows), ensure_ascii=False, indent=1)))
    out.write("\n")


def write_csv(rows: Sequence[Row], out: TextIO = sys.stdout, columns: Sequence[str] | None = None) -> None:
    cols = list(columns or (rows[0].keys() if rows else []))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([csv_safe("" if row.get(c) is None else row.get(c)) for c in cols])


def write_table(
    headers: Sequence[str],
    cells: Sequence[Sequence[str]],
    out: TextIO = sys.stdout,
    right: Sequence[bool] | None = None,
    max_width: int = 48,
) -> None:
    """A plain aligned table: no colour, no markup, safe for pipes and NO_COLOR."""
    safe = [[terminal_safe(c, max_width) for c in row] for row in cells]
    widths = [max([len(h)] + [len(r[i]) for r in safe]) for i, h in enumerate(headers)]
    align = right or [False] * len(headers)

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if a else v.ljust(w) for v, w, a in zip(values, widths, align, strict=True)]
        return "  ".join(parts).rstrip()

    out.write(line(headers) + "\n")
    for row in safe:
        out.write(line(row) + "\n")
