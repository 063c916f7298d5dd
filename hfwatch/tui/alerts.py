"""Toasts for watched families, rate-limited: a burst of events becomes one toast, not twenty.

Pure logic (no Textual) so the batching can be tested without an app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hfwatch.store.queries import EventRow
from hfwatch.textsafe import terminal_safe

if TYPE_CHECKING:
    from hfwatch.analysis.overtakes import Overtake  # only typed: the race is read after the first frame

MIN_GAP_S = 15.0  # at most one toast per this many (real) seconds
SHOWN_PER_TOAST = 3


@dataclass
class Alert:
    """One toast's worth of news about the watched families."""

    title: str
    lines: list[str]

    @property
    def body(self) -> str:
        return "\n".join(self.lines)


@dataclass(eq=False, repr=False)
class AlertBatcher:
    """Collects feed events of watched families; `due()` hands out at most one Alert per gap."""

    clock: Callable[[], float]
    min_gap_s: float = MIN_GAP_S
    _pending: list[EventRow] = field(default_factory=list)
    _seen: set[tuple[int, str, str]] = field(default_factory=set)
    _last_shown: float | None = None

    def add(self, events: Iterable[EventRow], watched: set[str]) -> int:
        """Queue the events of watched families not queued before; returns how many were queued."""
        added = 0
        for ev in events:
            key = (ev.t, ev.kind, ev.model.id)
            if ev.model.family not in watched or key in self._seen:
                continue
            self._seen.add(key)
            self._pending.append(ev)
            added += 1
        return added

    def wait_s(self) -> float:
        """Seconds until a pending alert may be shown (0: now)."""
        if self._last_shown is None:
            return 0.0
        return max(0.0, self._last_shown + self.min_gap_s - self.clock())

    def due(self, name: Callable[[str], str] = str) -> Alert | None:
        """The pending events as one alert, if the gap since the last one has passed."""
        if not self._pending or self.wait_s() > 0:
            return None
        events, self._pending = self._pending, []
        self._last_shown = self.clock()
        return summarize(events, name)

    @property
    def pending(self) -> int:
        return len(self._pending)


def summarize(events: list[EventRow], name: Callable[[str], str] = str) -> Alert:
    new = [e for e in events if e.kind == "new"]
    trending = [e for e in events if e.kind == "trending"]
    families = sorted({name(e.model.family or "?") for e in events})
    parts = []
    if new:
        parts.append(f"{len(new)} new release{'s' if len(new) != 1 else ''}")
    if trending:
        parts.append(f"{len(trending)} into trending")
    title = f"{', '.join(families)}: {' · '.join(parts)}"
    lines = []
    for e in events[:SHOWN_PER_TOAST]:
        what = "new" if e.kind == "new" else f"trending #{e.rank}" if e.rank else "trending"
        lines.append(f"{what}  {terminal_safe(e.model.id, 60)}")
    if len(events) > SHOWN_PER_TOAST:
        lines.append(f"… and {len(events) - SHOWN_PER_TOAST} more (releases screen)")
    return Alert(title=terminal_safe(title, 80), lines=lines)


@dataclass(eq=False, repr=False)
class PassAlerts:
    """Passes that involve a watched family, each handed out once. The passes already in the history when a
    scope and metric are first looked at are the baseline, not news."""

    _seen: dict[tuple[str, str], set[tuple[int, str, str]]] = field(default_factory=dict)

    def new(self, scope: str, metric: str, passes: Iterable[Overtake], watched: set[str]) -> list[Overtake]:
        keys = {(o.at, o.family, o.passed): o for o in passes}
        seen = self._seen.get((scope, metric))
        if seen is None:
            self._seen[(scope, metric)] = set(keys)
            return []
        fresh = [o for key, o in keys.items() if key not in seen and (o.family in watched or o.passed in watched)]
        seen.update(keys)
        return sorted(fresh, key=lambda o: (o.at, o.rank))


def pass_alert(passes: list[Overtake], what: str, name: Callable[[str], str] = str) -> Alert:
    """One toast for new passes: `Qwen passed Llama · #3` a line, the scope and metric in the title."""
    lines = [
        terminal_safe(f"{name(o.family)} passed {name(o.passed)} · #{o.rank}", 80) for o in passes[:SHOWN_PER_TOAST]
    ]
    if len(passes) > SHOWN_PER_TOAST:
        lines.append(f"… and {len(passes) - SHOWN_PER_TOAST} more (race screen, g)")
    title = f"The race · {what}: {len(passes)} pass{'es' if len(passes) != 1 else ''}"
    return Alert(title=terminal_safe(title, 80), lines=lines)
