"""What the family and model screens chart, as the reader (hfwatch.tui.reader) reads it. A module of its own:
only those screens ask for them, and the monitor's start imports the reader."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateSeries:
    """Downloads/day in each interval, at the interval's end."""

    times: list[int]
    per_day: list[float | None]


@dataclass(frozen=True, slots=True)
class ModelHistory:
    """One model's counters over time, for its screen's charts."""

    times: list[int]
    downloads_30d: list[float | None]
    per_day: list[float | None]  # growth of all-time downloads between the model's endpoints, at the later one
