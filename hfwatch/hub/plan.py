"""The poll plan: which listings each lane requests, derived from the family registry."""

from __future__ import annotations

from hfwatch.hub.client import Query
from hfwatch.records import Lane
from hfwatch.registry import Registry

TRENDING_LIMIT = 100
NEWEST_LIMIT = 200
DERIVATIVES_LIMIT = 1000
# The deep lane's page size: the most the Hub is reported to send (it may send fewer; the walk follows its links).
DEEP_PAGE_SIZE = 1000


def fast_lane() -> list[Query]:
    return [
        Query(label="trending", sort="trending_score", limit=TRENDING_LIMIT),
        Query(label="newest", sort="created_at", limit=NEWEST_LIMIT),
    ]


def slow_lane(registry: Registry) -> list[Query]:
    """Per family: every org's models (all pages), then the top third-party derivatives.

    Where an org hosts other things too (google: T5/BERT besides Gemma), the family's search
    terms narrow the listing on the server; attribution applies the exact org filter after.
    """
    queries: list[Query] = []
    seen: set[tuple[str | None, str | None]] = set()

    def add(query: Query) -> None:
        key = (query.author.lower() if query.author else None, query.search.lower() if query.search else None)
        if key not in seen:
            seen.add(key)
            queries.append(query)

    for family in registry.families:
        for org in family.orgs:
            if org.include and family.search:
                for term in family.search:
                    add(Query(label=f"{family.id}: {org.name} ({term})", author=org.name, search=term))
            else:
                add(Query(label=f"{family.id}: {org.name}", author=org.name))
        if family.search:
            add(
                Query(
                    label=f"{family.id}: derivatives",
                    search=family.search[0],
                    sort="downloads",
                    limit=DERIVATIVES_LIMIT,
                )
            )
    return queries


def deep_lane(cursor: str | None = None) -> Query:
    """The whole Hub by 30-day downloads, every page, from the start or after a stopped walk's `cursor`."""
    return Query(label="deep", sort="downloads", page_size=DEEP_PAGE_SIZE, cursor=cursor)


def plan(lane: Lane, registry: Registry) -> list[Query]:
    if lane is Lane.DEEP:
        return [deep_lane()]
    return fast_lane() if lane is Lane.FAST else slow_lane(registry)
