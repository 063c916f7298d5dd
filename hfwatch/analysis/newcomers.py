"""Newcomers: the orgs no family claims, ranked by what their models do (30-day downloads first, trending
entries next), so the user can see who to start tracking."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hfwatch.registry import Registry
from hfwatch.store.newcomers import OrgActivity


@dataclass(frozen=True, slots=True)
class Newcomer:
    """An untracked org ranked among the newcomers."""

    rank: int
    activity: OrgActivity

    @property
    def org(self) -> str:
        return self.activity.org


def rank_newcomers(orgs: Iterable[OrgActivity], registry: Registry, limit: int = 50) -> list[Newcomer]:
    """Orgs the registry neither claims (for any family, with any filter) nor lists as re-uploaders, most
    downloaded first (unknown downloads last), then by trending entries, then by name."""
    candidates = [a for a in orgs if not registry.org_rules(a.org) and not registry.is_reuploader(a.org)]
    candidates.sort(key=lambda a: (a.d30 is None, -(a.d30 or 0), -a.trending, a.org.lower()))
    return [Newcomer(rank, a) for rank, a in enumerate(candidates[:limit], start=1)]
