"""Dating each poll's growth by the Hub's refreshes: endpoints, refreshes and spans (DESIGN §2).

A model's downloadsAllTime is an endpoint when it is known which refresh it is the value of: it changed in
this poll, or it is the model's first observation after a refresh is known. Growth is credited only between
a model's consecutive endpoints and spread over the interval between their refresh instants, so a jump that
follows a skipped day carries two days and the growth of a gap (the model was out of the listings) is
spread over the whole gap. This poll's credited intervals are summed per family x scope into `spans`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from hfwatch.records import Scope, Via
from hfwatch.store.refresh import is_refresh, refresh_instant

_ECO, _FP = Scope.ECOSYSTEM.value, Scope.FIRST_PARTY.value
_ORG = Via.ORG.value
_LAST_T = "ingest.last_t"
_PHASE_SAMPLES = 8  # precise refreshes read to learn the daily phase


@dataclass(frozen=True, slots=True)
class _Candidate:
    mid: int
    family: str | None
    via: str | None
    ea: int | None  # the model's latest endpoint before this poll
    ev: int | None
    value: int
    changed: bool
    created: int | None = None  # a newly discovered model's creation time


class Endpoints:
    """What one poll learns about refreshes and endpoints; `finish` writes it."""

    def __init__(self, conn: sqlite3.Connection, t: int) -> None:
        self.t = t
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (_LAST_T,)).fetchone()
        if row is None:  # a file from before v2: the previous poll is the last one stored
            row = conn.execute("SELECT max(finished) FROM polls WHERE status = 'ok'").fetchone()
        self.t_lo = int(float(row[0])) if row and row[0] is not None else None
        self.precise = [
            r[0]
            for r in conn.execute(
                "SELECT instant FROM refreshes WHERE precise AND instant <= ? ORDER BY instant DESC LIMIT ?",
                (t, _PHASE_SAMPLES),
            )
        ][::-1]
        latest = conn.execute("SELECT max(instant) FROM refreshes WHERE instant <= ?", (t,)).fetchone()
        self.latest: int | None = latest[0] if latest else None
        self.relisted = 0
        self.changed = 0
        # Models first listed again since the latest refresh: they tell how much of the Hub it moved.
        self.late_relisted = 0
        self.late_changed = 0
        self.unmoved: list[int] = []  # counted in this poll, their counter the same
        self.candidates: list[_Candidate] = []

    def see(
        self,
        mid: int,
        family: str | None,
        via: str | None,
        ea: int | None,
        ev: int | None,
        old: int | None,
        new: int | None,
        last_seen: int | None = None,
    ) -> None:
        """A model listed again: `old` was its stored downloadsAllTime, `new` what this poll read.

        Only a model seen since the latest known refresh tells of a new one: one last seen before it (another
        lane's listing, a model back after a gap) changed by that refresh, whatever the time since this lane's
        previous poll."""
        if old is not None and new is not None:
            tells = self.latest is None or last_seen is None or last_seen >= self.latest
            self.relisted += tells
            self.late_relisted += not tells
            if tells and new == old:
                self.unmoved.append(mid)
            if new != old:
                self.changed += tells
                self.late_changed += not tells
                self.candidates.append(_Candidate(mid, family, via, ea, ev, new, True))
                return
        value = new if new is not None else old
        if ea is None and value is not None:
            self.candidates.append(_Candidate(mid, family, via, ea, ev, value, False))

    def discover(
        self, mid: int, family: str | None, via: str | None, value: int | None, created: int | None = None
    ) -> None:
        if value is not None:
            self.candidates.append(_Candidate(mid, family, via, None, None, value, False, created))

    def finish(self, conn: sqlite3.Connection) -> dict[int, int]:
        """Record a refresh this poll saw, credit the spans; returns the asof of each new endpoint."""
        t = self.t
        if self.t_lo is not None and is_refresh(self.changed, self.relisted):
            precise, instant = refresh_instant(t, self.t_lo, self.precise)
            conn.execute(
                "INSERT OR REPLACE INTO refreshes (t, t_lo, changed, relisted, precise, instant) VALUES (?,?,?,?,?,?)",
                (t, self.t_lo, self.changed, self.relisted, int(precise), instant),
            )
            if instant is not None and (self.latest is None or instant > self.latest):
                self.latest = instant
            # Counted for this refresh, so not again by the next poll as first seen since it.
            conn.executemany("UPDATE models SET last_seen = ? WHERE mid = ?", [(t, mid) for mid in self.unmoved])
        elif self.latest is not None and self.late_relisted:
            # A lane that lists other models than the one that saw the refresh first (the slow lane after
            # the fast one) adds what it finds to that refresh: whether it was full is judged over both.
            conn.execute(
                "UPDATE refreshes SET changed = changed + ?, relisted = relisted + ? WHERE instant = ?",
                (self.late_changed, self.late_relisted, self.latest),
            )
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_LAST_T, str(t)),
        )
        if self.latest is None:
            return {}
        asof: dict[int, int] = {}
        spans: dict[tuple[str, str, int, int], int] = {}
        for c in self.candidates:
            if c.ea is not None and self.latest <= c.ea:
                continue  # a second change since the same refresh: it joins the model's next interval
            # A model created after the latest refresh had no downloads before it existed: its first value
            # holds from its creation, so its first growth is not spread over time before it.
            b = self.latest if c.ea is not None or c.created is None else max(self.latest, c.created)
            if c.family is not None and (c.ea is None or (c.ev is not None and c.value > c.ev)):
                # A model's first endpoint is an empty span: the family's coverage starts there, so a
                # family whose models never grow reads 0, not unknown.
                a = b if c.ea is None else c.ea
                for scope in (_ECO, _FP) if c.via == _ORG else (_ECO,):
                    key = (scope, c.family, a, b)
                    spans[key] = spans.get(key, 0) + (0 if c.ev is None or c.ea is None else c.value - c.ev)
            asof[c.mid] = b
        conn.executemany(
            "UPDATE models SET ea = ?, ev = ? WHERE mid = ?",
            [(asof[c.mid], c.value, c.mid) for c in self.candidates if c.mid in asof],
        )
        conn.executemany(
            "INSERT INTO spans (scope, family, a, b, credited_t, growth) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT DO UPDATE SET growth = growth + excluded.growth",
            [(scope, family, a, b, t, g) for (scope, family, a, b), g in spans.items()],
        )
        return asof
