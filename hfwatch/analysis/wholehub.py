"""The leaderboard read against the whole Hub walked: an "untracked" row for everything no family claims,
and the families' shares of the families plus it (DESIGN §5: what the deep lane's coverage means per row).

Only the ecosystem scope adds up to the whole: there every model counts for its family or for none. In the
first-party scope (derivatives count for no row) and for downloads/day (untracked growth is not tracked) the
families keep their shares and the untracked row's share is unknown.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from hfwatch.analysis.views import FamilyRow
from hfwatch.records import Metric, Scope
from hfwatch.store.wholehub import Untracked

UNTRACKED_KEY = "__untracked__"  # the row's key: no family id can be this (ids start with [a-z0-9])


@dataclass(frozen=True, slots=True)
class UntrackedRow:
    """The leaderboard's line for the models no family claims (h), against the whole Hub walked."""

    scope: str
    metric: str
    models: int | None = None  # None: unknown (no deep walk yet), never 0
    downloads_30d: int | None = None
    downloads_all_time: int | None = None
    share: float | None = None

    family = UNTRACKED_KEY

    @property
    def value(self) -> int | None:
        if self.metric == Metric.DOWNLOADS_30D:
            return self.downloads_30d
        if self.metric == Metric.DOWNLOADS_ALL_TIME:
            return self.downloads_all_time
        return None


def whole_hub(
    board: list[FamilyRow], untracked: Untracked | None, *, scope: str, metric: str
) -> tuple[dict[str, float | None], UntrackedRow]:
    """The families' shares of the whole (by family id) and the untracked row. `untracked` None: unknown."""
    shares = {r.family: r.share for r in board}
    if untracked is None:
        return shares, UntrackedRow(scope, metric)
    row = UntrackedRow(scope, metric, untracked.models, untracked.downloads_30d, untracked.downloads_all_time)
    if scope != Scope.ECOSYSTEM or row.value is None:
        return shares, row
    total = row.value + sum(r.value for r in board if r.value is not None)
    if total <= 0:
        return shares, row
    whole = {r.family: None if r.value is None else r.value / total for r in board}
    return whole, dataclasses.replace(row, share=row.value / total)


def with_shares(rows: list[FamilyRow], shares: dict[str, float | None]) -> list[FamilyRow]:
    return [dataclasses.replace(r, share=shares.get(r.family, r.share)) for r in rows]
