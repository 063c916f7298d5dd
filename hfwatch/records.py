"""Typed records shared by every layer: what the Hub told us, and what we made of it.

This module imports nothing from hfwatch, so every layer may depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Scope(StrEnum):
    """Which repos a family total covers."""

    FIRST_PARTY = "first-party"
    ECOSYSTEM = "ecosystem"


class Metric(StrEnum):
    DOWNLOADS_30D = "downloads_30d"
    DOWNLOADS_ALL_TIME = "downloads_all_time"
    RATE = "rate"


class Via(StrEnum):
    """How a model was attributed to its family."""

    ORG = "org"
    LINEAGE = "lineage"
    NAME = "name"


class Lane(StrEnum):
    FAST = "fast"
    SLOW = "slow"
    DEEP = "deep"  # the whole Hub by downloads, page by page (hfwatch.deep)
    IMPORT = "import"  # archived listings stored by `hfwatch import`, one file = one poll


# Not frozen, though nothing changes a record once made: a frozen dataclass sets each of its 13 fields
# through object.__setattr__, ~3 µs a record against ~0.3, and a poll makes one per model listed.
@dataclass(slots=True)
class ModelRecord:
    """One model as one Hub listing reported it. Treated as immutable (make a new one with `replace`).

    Every count is None when the Hub did not send it (or sent something that is not a
    non-negative integer): an unknown value is never replaced by an invented one.
    Times are Unix seconds (UTC).
    """

    id: str
    author: str | None = None
    downloads_30d: int | None = None
    downloads_all_time: int | None = None
    likes: int | None = None
    trending_score: int | None = None
    created_at: int | None = None
    last_modified: int | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    tags: tuple[str, ...] = ()
    gated: str | None = None
    params: int | None = None

    @property
    def namespace(self) -> str:
        """The org or user part of the id (the author when the Hub did not send one)."""
        return self.author or (self.id.split("/", 1)[0] if "/" in self.id else "")

    @property
    def name(self) -> str:
        return self.id.split("/", 1)[1] if "/" in self.id else self.id


@dataclass(frozen=True, slots=True)
class Attribution:
    """What a model counts for.

    `family` is the family the model's downloads count towards in every total: the
    publisher's family when first-party (via org), else the family reached by lineage or
    name. `base_family` is the family at the root of its base-model chain ("built on").
    `publisher_family` is the family of the org that published it, if any.
    """

    family: str | None
    via: Via | None
    country: str | None
    base_family: str | None = None
    publisher_family: str | None = None
    base_model: str | None = None  # the direct parent named by a base_model tag, if any


@dataclass(slots=True)
class PollStats:
    """What one poll cost on the wire."""

    requests: int = 0
    responses: int = 0  # requests the Hub answered (any status)
    bytes: int = 0
    retries: int = 0
    waited_s: float = 0.0
    rate_remaining: int | None = None
    rate_limit: int | None = None
    rate_reset_at: float | None = None  # Unix seconds
    skipped: int = 0  # records dropped whole: no usable model id
    bad_fields: int = 0  # fields sent with a value hfwatch cannot use, stored as unknown
    elapsed_s: float = 0.0  # on the local clock, from the poll's start to its last answer
    # The Hub's clock (its responses' `Date` headers, Unix seconds) at the poll's first and last answer.
    hub_first: float | None = None
    hub_last: float | None = None

    def note_hub_time(self, seconds: float | None) -> None:
        if seconds is None:
            return
        if self.hub_first is None:
            self.hub_first = seconds
        self.hub_last = seconds


@dataclass(slots=True)
class PollResult:
    """The outcome of one lane's poll: every record seen, or the reason it failed."""

    lane: Lane
    started: float
    finished: float
    records: list[ModelRecord] = field(default_factory=list)
    # Ids of the trending listing in rank order (fast lane only), to tell entries into the top N.
    trending: list[str] = field(default_factory=list)
    stats: PollStats = field(default_factory=PollStats)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
