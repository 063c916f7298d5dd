"""Sorted listings and their keyset pages, cached while nothing they sort by can have changed.

Published downloads only move at refresh instants and ``createdAt`` only when a model appears, so a
listing sorted by either is reused until the next refresh or release. Likes, trending and ``lastModified``
move continuously: those listings are reused only for the same instant (a stopped clock, or one walk's pages
asked in the same simulated instant).
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from operator import itemgetter

from .catalogue import Catalogue, Model
from .query import Query, select, sort_value
from .refresh import Schedule, day_of
from .tail import Tail, TailModel

_Key = tuple[float, str]
_CACHED = 16


class Listings:
    def __init__(self, catalogue: Catalogue, schedule: Schedule, tail: Tail | None = None) -> None:
        self.catalogue = catalogue
        self.schedule = schedule
        self.tail = tail
        self._cache: OrderedDict[tuple[object, ...], tuple[list[_Key], list[Model]]] = OrderedDict()
        self._lock = threading.Lock()

    def page(self, q: Query, t: float) -> tuple[list[Model | TailModel], _Key | None]:
        """The page ``q`` asks for at ``t`` (descending, starting after the cursor's key), and the key of
        its last record when more follow."""
        if (
            self.tail is not None
            and self.tail.size
            and q.sort == "downloads"
            and not (q.author or q.search or q.filters or q.pipeline_tag)
        ):
            return self._with_tail(q, t, self.tail)
        keys, models = self.sorted(q, t)
        n = len(keys)
        # Keys are ascending; the listing is read from the end. Records at or above the cursor are done.
        start = 0 if q.after is None else n - bisect.bisect_left(keys, q.after)
        end = min(n, start + q.limit)
        page: list[Model | TailModel] = [models[n - 1 - i] for i in range(start, end)]
        return page, (keys[n - end] if end < n and page else None)

    def _with_tail(self, q: Query, t: float, tail: Tail) -> tuple[list[Model | TailModel], _Key | None]:
        """The catalogue's listing and the tail's, merged by key: both are read in descending order."""
        keys, models = self.sorted(q, t)
        i = (len(keys) if q.after is None else bisect.bisect_left(keys, q.after)) - 1
        r = tail.first_after(q.after, t)
        page: list[Model | TailModel] = []
        last: _Key | None = None
        while len(page) < q.limit and (i >= 0 or r < tail.size):
            if r < tail.size and (i < 0 or tail.key(r, t) > keys[i]):
                last = tail.key(r, t)
                page.append(tail.model(r, t))
                r += 1
            else:
                last = keys[i]
                page.append(models[i])
                i -= 1
        return page, (last if (i >= 0 or r < tail.size) else None)

    def ordered(self, q: Query, t: float) -> list[Model]:
        """Every model ``q`` matches at ``t``, in listing order."""
        return self.sorted(q, t)[1][::-1]

    def sorted(self, q: Query, t: float) -> tuple[list[_Key], list[Model]]:
        """(ascending (value, _id) keys, models in the same order) for ``q`` at ``t``."""
        key = (
            q.author and q.author.lower(),
            q.search and q.search.lower(),
            q.filters,
            q.pipeline_tag,
            q.sort,
            *self._epoch(q.sort, t),
        )
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        value = sort_value(q.sort, self.schedule, t)
        pairs = sorted((((value(m), m.oid), m) for m in select(self.catalogue, q, t)), key=itemgetter(0))
        result = ([k for k, _ in pairs], [m for _, m in pairs])
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > _CACHED:
                self._cache.popitem(last=False)
        return result

    def _epoch(self, sort: str, t: float) -> tuple[float, ...]:
        """What the listing's order depends on besides the query."""
        shown = self.catalogue.count_visible(t)
        if sort == "createdAt":
            return (shown,)
        if sort == "downloads":
            return (day_of(t), shown)
        return (t,)
