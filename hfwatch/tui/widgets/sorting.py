"""A named sort order of a table's items, for `s` to cycle through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class SortOrder(Generic[Item]):
    """One order `s` cycles through: its name, its label and the sort key."""

    key: str
    label: str
    value: Callable[[Item], tuple]


def desc(x: float | None) -> tuple[bool, float]:
    """Largest first, unknowns last (unknown is not 0)."""
    return (x is None, -(x or 0))
