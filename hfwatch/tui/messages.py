"""Typed messages: the only way poll workers (threads), widgets and screens talk to the app (events up;
data comes down as attributes and the `MonitorView`)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from hfwatch.records import Lane
from hfwatch.store.wholehub import Untracked
from hfwatch.tui.deep_state import DeepProgressFacts


@dataclass
class PollStarted(Message):
    lane: Lane


@dataclass
class PollProgress(Message):
    """What a running poll is doing now ("slow poll 12/80: qwen derivatives")."""

    lane: Lane
    text: str

    def can_replace(self, message: Message) -> bool:
        # Only the latest progress line of a lane matters: a flood of them collapses into one.
        return isinstance(message, PollProgress) and message.lane == self.lane


@dataclass
class PollFinished(Message):
    """A poll ended (stored, failed, or cancelled); the numbers are those of the wire and the store."""

    lane: Lane
    ok: bool
    error: str | None
    duration_s: float
    pid: int | None = None
    models: int = 0
    new_models: int = 0
    events: int = 0
    requests: int = 0
    rate_remaining: int | None = None
    rate_limit: int | None = None
    warmup: bool = False


@dataclass
class WarmupProgress(Message):
    """The demo's back-fill of a week of history on an empty file: step of total."""

    step: int
    total: int
    done: bool = False


@dataclass
class FamilyHighlighted(Message):
    """The leaderboard cursor is on this family now."""

    family: str


@dataclass
class OpenFamily(Message):
    family: str


@dataclass
class OpenModel(Message):
    model_id: str


@dataclass
class OpenCountry(Message):
    country: str


@dataclass
class FilterChanged(Message):
    """The filter text of the current screen changed (live, as it is typed)."""

    value: str


@dataclass
class FilterClosed(Message):
    """The filter bar was closed (enter keeps the filter, esc clears it)."""

    value: str


@dataclass
class OpenReleases(Message):
    """Show the releases screen with this filter (`family:qwen`, `cc:CN`, or none)."""

    filter_text: str = ""


@dataclass
class ToggleWatch(Message):
    family: str


@dataclass
class OpenOnHub(Message):
    """Open the family's org page, or the model's page, on the Hub in the browser."""

    family: str | None = None
    model_id: str | None = None


@dataclass
class AddOrg(Message):
    """Add this Hub org (no family claims it yet) to the user's families.toml: the app asks how."""

    org: str


@dataclass
class DeepStarted(Message):
    """The deep lane's worker began a walk (or resumed the stored one)."""

    resumed_pages: int = 0


@dataclass
class DeepProgress(Message):
    """A page of the deep walk was stored."""

    facts: DeepProgressFacts

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DeepProgress)


@dataclass
class DeepFinished(Message):
    """A run of the deep walk ended: done (reached the floor), paused (to resume), cancelled or failed."""

    status: str
    reason: str | None = None
    pages: int = 0  # this run's
    walked: int = 0  # this run's
    requests: int = 0
    rate_remaining: int | None = None
    rate_limit: int | None = None


@dataclass
class WholeHubShown(Message):
    """The leaderboard shows (or no longer shows) the untracked row: its figures are wanted."""

    shown: bool


@dataclass
class UntrackedCounted(Message):
    """The stored models no family claims were counted (off the UI thread: a scan of the tail); None: unknown."""

    figures: Untracked | None
