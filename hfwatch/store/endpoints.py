"""Dating each poll's growth by the Hub's refreshes: endpoints, refreshes and spans (DESIGN §2).

A model's downloadsAllTime is an endpoint when it is known which refresh it is the value of: it changed in
this poll, or it is the model's first observation after a refresh is known. Growth is credited only between
a model's consecutive endpoints and spread over the interval between their refresh instants, so a jump that
follows a skipped day carries two days and the growth of a gap (the model was out of the listings) is
spread over the whole gap. This poll's credited intervals are summed per family x scope into `spans`.
"""

from __future__ import annotations

import sqlite3

from hfwatch.records import Scope, Via
from hfwatch.store.refresh import is_refresh, refresh_instant

_ECO, _FP = Scope.ECOSYSTEM.value, Scope.FIRST_PARTY.value
_ORG = Via.ORG.value
_LAST_T = "ingest.last_t"
_PHASE_SAMPLES = 8  # precise refreshes read to learn the daily phase


# A candidate endpoint: (mid, family, via, ea, ev, value, created). `ea`/`ev` are the model's latest endpoint
# before this poll, `value` the downloadsAllTime it has now, `created` a newly discovered model's creation time.
_Candidate = tuple[int, str | None, str | None, int | None, int | None, int, int | None]


class Endpoints:
    """What one poll learns about refreshes and endpoints; `settle` writes it."""

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
    ) -> bool:
        """A model listed again: `old` was its stored downloadsAllTime, `new` what this poll read.

        Only a model seen since the latest known refresh tells of a new one: one last seen before it (another
        lane's listing, a model back after a gap) changed by that refresh, whatever the time since this lane's
        previous poll. True when the model is a candidate endpoint (`settle` may date its value)."""
        if old is not None and new is not None:
            latest = self.latest
            tells = latest is None or last_seen is None or last_seen >= latest
            if tells:
                self.relisted += 1
                if new == old:
                    self.unmoved.append(mid)
            else:
                self.late_relisted += 1
            if new != old:
                if tells:
                    self.changed += 1
                else:
                    self.late_changed += 1
                self.candidates.append((mid, family, via, ea, ev, new, None))
                return True
        if ea is None:
            value = new if new is not None else old
            if value is not None:
                self.candidates.append((mid, family, via, ea, ev, value, None))
                return True
        return False

    def discover(
        self, mid: int, family: str | None, via: str | None, value: int | None, created: int | None = None
    ) -> None:
        if value is not None:
            self.candidates.append((mid, family, via, None, None, value, created))

    def settle(self, conn: sqlite3.Connection) -> dict[int, tuple[int, int]]:
        """Record a refresh this poll saw and credit the spans; returns (asof, value) of each new endpoint.

        The caller writes each endpoint into its model's row (`ea`, `ev`) with the rest of the row's update,
        so a model's row is rewritten once per poll, not twice."""
        self._record_refresh(conn)
        if self.latest is None:
            return {}
        latest = self.latest
        asof: dict[int, tuple[int, int]] = {}
        spans: dict[tuple[str, str, int, int], int] = {}
        for mid, family, via, ea, ev, value, created in self.candidates:
            if ea is not None and latest <= ea:
                continue  # a second change since the same refresh: it joins the model's next interval
            # A model created after the latest refresh had no downloads before it existed: its first value
            # holds from its creation, so its first growth is not spread over time before it.
            b = latest if ea is not None or created is None else max(latest, created)
            if family is not None and (ea is None or (ev is not None and value > ev)):
                # A model's first endpoint is an empty span: the family's coverage starts there, so a
                # family whose models never grow reads 0, not unknown.
                a = b if ea is None else ea
                grown = 0 if ev is None or ea is None else value - ev
                for scope in (_ECO, _FP) if via == _ORG else (_ECO,):
                    key = (scope, family, a, b)
                    spans[key] = spans.get(key, 0) + grown
            asof[mid] = (b, value)
        conn.executemany(
            "INSERT INTO spans (scope, family, a, b, credited_t, growth) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT DO UPDATE SET growth = growth + excluded.growth",
            [(scope, family, a, b, self.t, g) for (scope, family, a, b), g in spans.items()],
        )
        return asof

    def _record_refresh(self, conn: sqlite3.Connection) -> None:
        t = self.t
        if self.t_lo is not None and is_refresh(self.changed, self.relisted):
            precise, instant = refresh_instant(t, self.t_lo, self.precise, self.latest)
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
