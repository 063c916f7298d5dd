"""Whether the Hub has counted a model's downloads yet.

The Hub computes its download counters once a day (shared/reference/hub-api.md): a model created after
the latest refresh is listed with 0 (or nothing) until the next one. That 0 is not a count, so every
place that shows or exports a model's downloads asks this rule first and says "not yet" (or null).
"""

from __future__ import annotations

__all__ = ["counted", "not_counted_yet"]


def not_counted_yet(value: int | None, created_at: int | None, counted_until: int | None) -> bool:
    """A download counter the Hub has not computed: 0 or nothing, for a model created after `counted_until`,
    the Hub's latest refresh the polls saw. A model created before it and still at 0 was counted: its 0 stands.
    """
    return not value and created_at is not None and counted_until is not None and created_at > counted_until


def counted(value: int | None, created_at: int | None, counted_until: int | None) -> int | None:
    """The counter as a count: None (unknown) where the Hub has not counted it yet."""
    return None if not_counted_yet(value, created_at, counted_until) else value
