"""Typed messages: the only way poll workers (threads), widgets and screens talk to the app (events up;
data comes down as attributes and the `MonitorView`).

Each is a Message with its own `__init__`, not a dataclass: Python 3.11 compiles every method a dataclass
generates with an `exec` of its own (~0.7 ms a class), and these nineteen are imported before the first frame.
"""

from __future__ import annotations

from textual.message import Message

from hfwatch.records import Lane
from hfwatch.store.wholehub import Untracked
from hfwatch.tui.deep_state import DeepProgressFacts


class PollStarted(Message):
    def __init__(self, lane: Lane) -> None:
        self.lane = lane
        super().__init__()


class PollProgress(Message):
    """What a running poll is doing now ("slow poll 12/80: qwen derivatives")."""

    def __init__(self, lane: Lane, text: str) -> None:
        self.lane = lane
        self.text = text
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        # Only the latest progress line of a lane matters: a flood of them collapses into one.
        return isinstance(message, PollProgress) and message.lane == self.lane


class PollFinished(Message):
    """A poll ended (stored, failed, or cancelled); the numbers are those of the wire and the store."""

    def __init__(
        self,
        lane: Lane,
        ok: bool,
        error: str | None,
        duration_s: float,
        pid: int | None = None,
        models: int = 0,
        new_models: int = 0,
        events: int = 0,
        requests: int = 0,
        rate_remaining: int | None = None,
        rate_limit: int | None = None,
        warmup: bool = False,
    ) -> None:
        self.lane = lane
        self.ok = ok
        self.error = error
        self.duration_s = duration_s
        self.pid = pid
        self.models = models
        self.new_models = new_models
        self.events = events
        self.requests = requests
        self.rate_remaining = rate_remaining
        self.rate_limit = rate_limit
        self.warmup = warmup
        super().__init__()


class WarmupProgress(Message):
    """The demo's back-fill of a week of history on an empty file: step of total."""

    def __init__(self, step: int, total: int, done: bool = False) -> None:
        self.step = step
        self.total = total
        self.done = done
        super().__init__()


class FamilyHighlighted(Message):
    """The leaderboard cursor is on this family now."""

    def __init__(self, family: str) -> None:
        self.family = family
        super().__init__()


class OpenFamily(Message):
    def __init__(self, family: str) -> None:
        self.family = family
        super().__init__()


class OpenModel(Message):
    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        super().__init__()


class OpenCountry(Message):
    def __init__(self, country: str) -> None:
        self.country = country
        super().__init__()


class FilterChanged(Message):
    """The filter text of the current screen changed (live, as it is typed)."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__()


class FilterClosed(Message):
    """The filter bar was closed (enter keeps the filter, esc clears it)."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__()


class OpenReleases(Message):
    """Show the releases screen with this filter (`family:qwen`, `cc:CN`, or none)."""

    def __init__(self, filter_text: str = "") -> None:
        self.filter_text = filter_text
        super().__init__()


class ToggleWatch(Message):
    def __init__(self, family: str) -> None:
        self.family = family
        super().__init__()


class OpenOnHub(Message):
    """Open the family's org page, or the model's page, on the Hub in the browser."""

    def __init__(self, family: str | None = None, model_id: str | None = None) -> None:
        self.family = family
        self.model_id = model_id
        super().__init__()


class AddOrg(Message):
    """Add this Hub org (no family claims it yet) to the user's families.toml: the app asks how."""

    def __init__(self, org: str) -> None:
        self.org = org
        super().__init__()


class DeepStarted(Message):
    """The deep lane's worker began a walk (or resumed the stored one)."""

    def __init__(self, resumed_pages: int = 0) -> None:
        self.resumed_pages = resumed_pages
        super().__init__()


class DeepProgress(Message):
    """A page of the deep walk was stored."""

    def __init__(self, facts: DeepProgressFacts) -> None:
        self.facts = facts
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DeepProgress)


class DeepFinished(Message):
    """A run of the deep walk ended: done (reached the floor), paused (to resume), cancelled or failed."""

    def __init__(
        self,
        status: str,
        reason: str | None = None,
        pages: int = 0,
        walked: int = 0,
        requests: int = 0,
        rate_remaining: int | None = None,
        rate_limit: int | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.pages = pages  # this run's
        self.walked = walked  # this run's
        self.requests = requests
        self.rate_remaining = rate_remaining
        self.rate_limit = rate_limit
        super().__init__()


class WholeHubShown(Message):
    """The leaderboard shows (or no longer shows) the untracked row: its figures are wanted."""

    def __init__(self, shown: bool) -> None:
        self.shown = shown
        super().__init__()


class UntrackedCounted(Message):
    """The stored models no family claims were counted (off the UI thread: a scan of the tail); None: unknown."""

    def __init__(self, figures: Untracked | None) -> None:
        self.figures = figures
        super().__init__()


class PanelsDrawn(Message):
    """A screen's panels mounted after its first frame have been drawn: the rows read ahead can now be
    made in their styles (the country table's included), which were unknown when the first read was asked."""
