"""Ground truth for tests, from the generator's own lineage and rates (never from hfwatch's registry).

``SimHub.truth`` answers what hfwatch's figures should converge to:

- :meth:`Truth.model`: a model's true attribution: ``family`` (None for the untracked), ``via`` (``org``:
  a repo of the family's own orgs; ``lineage``: reached through ``base_model`` tags; ``name``: an untagged
  derivative whose name names the family), ``kind``, ``base_family``, ``relation``, ``bases``, ``created``.
- :meth:`Truth.downloads`: true downloads of a model in ``[t0, t1]``: ``floor(cum(t1)) - floor(cum(t0))`` of
  the continuous cumulative, independent of the published staircase (so sums over adjacent intervals add up
  exactly).
- :meth:`Truth.family_downloads`: the same summed over a family in a scope: ``first-party`` (via ``org``) or
  ``ecosystem`` (every model whose true family it is: first-party and derivatives).
- :meth:`Truth.refreshes`, :meth:`Truth.skip_days`, :meth:`Truth.partial_days`: the refresh instants and what
  each did; :meth:`Truth.refreshed_at` and :meth:`Truth.published`: a model's counters as the Hub shows them.
- :meth:`Truth.recounts`: the downward recounts, (model id, instant, offset).
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import Catalogue, Model
from .refresh import Schedule, day_of, instant
from .tail import Tail

SCOPES = ("first-party", "ecosystem")


@dataclass(frozen=True, slots=True)
class TrueModel:
    id: str
    author: str
    kind: str  # first | nonllm | decoy | deriv | indie
    family: str | None
    via: str | None  # org | lineage | name
    base_family: str | None
    relation: str | None
    bases: tuple[str, ...]
    created: float


@dataclass(frozen=True, slots=True)
class Recount:
    model_id: str
    at: float  # applies from the model's first refresh at or after this instant
    offset: int


@dataclass(frozen=True, slots=True)
class DeepWalk:
    """What a walk of the listing sorted by downloads down to ``floor`` should find at one instant."""

    floor: int
    models: int  # repos whose published 30-day downloads are >= floor
    downloads: int  # their 30-day downloads
    tracked: int  # of which in a tracked family (by the generator's lineage)
    tail_models: int  # how many of them are long-tail repos

    @property
    def coverage(self) -> float | None:
        return self.tracked / self.downloads if self.downloads else None


class Truth:
    def __init__(self, catalogue: Catalogue, schedule: Schedule, tail: Tail | None = None) -> None:
        self._catalogue = catalogue
        self._schedule = schedule
        self._tail = tail

    def _m(self, model_id: str) -> Model:
        try:
            return self._catalogue.by_id[model_id]
        except KeyError:
            raise KeyError(f"no simulated model {model_id!r}") from None

    def model(self, model_id: str) -> TrueModel:
        rank = self._tail.rank_of(model_id) if self._tail is not None else None
        if rank is not None and self._tail is not None:
            tm = self._tail.model(rank, self._tail.anchor)
            bases = (tm.base,) if tm.base else ()
            return TrueModel(
                tm.id,
                tm.id.split("/", 1)[0],
                "tail",
                tm.family,
                "lineage" if tm.family else None,
                tm.family,
                "finetune" if tm.base else None,
                bases,
                tm.created,
            )
        m = self._m(model_id)
        return TrueModel(m.id, m.author, m.kind, m.family, m.via, m.base_family, m.relation, m.bases, m.created)

    def models(self, t: float | None = None) -> list[TrueModel]:
        """Every model (future releases included), or those visible at ``t``."""
        chosen = self._catalogue.models if t is None else self._catalogue.visible(t)
        return [self.model(m.id) for m in chosen]

    def downloads(self, model_id: str, t0: float, t1: float) -> int:
        """True downloads of the model in ``[t0, t1]``."""
        rank = self._tail.rank_of(model_id) if self._tail is not None else None
        if rank is not None and self._tail is not None:
            return int(self._tail.cumulative(rank, t1)) - int(self._tail.cumulative(rank, t0))
        m = self._m(model_id)
        return int(m.dyn.cumulative(t1)) - int(m.dyn.cumulative(t0))

    def in_scope(self, family: str, scope: str) -> list[TrueModel]:
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}")
        return [
            self.model(m.id)
            for m in self._catalogue.models
            if m.family == family and (scope == "ecosystem" or m.via == "org")
        ]

    def family_downloads(self, family: str, scope: str, t0: float, t1: float) -> int:
        """True downloads in ``[t0, t1]`` of every model of ``family`` in ``scope``."""
        return sum(self.downloads(m.id, t0, t1) for m in self.in_scope(family, scope) if m.created < t1)

    def deep_walk(self, floor: int, t: float) -> DeepWalk:
        """The repos at or above ``floor`` 30-day downloads at ``t`` (catalogue and tail), and the share of
        their downloads in a tracked family: what the deep lane's walk and coverage should report."""
        models = downloads = tracked = tail_models = 0
        for m in self._catalogue.visible(t):
            d30 = self._schedule.published(m, t)[1]
            if d30 >= floor:
                models, downloads = models + 1, downloads + d30
                tracked += d30 if m.family is not None else 0
        tail = self._tail
        rank = 0
        while tail is not None and rank < tail.size and tail.downloads(rank, t) >= floor:
            tm = tail.model(rank, t)
            models, downloads, tail_models = models + 1, downloads + tm.downloads, tail_models + 1
            tracked += tm.downloads if tm.family is not None else 0
            rank += 1
        return DeepWalk(floor, models, downloads, tracked, tail_models)

    def refreshes(self, t0: float, t1: float) -> list[tuple[float, str]]:
        """(instant, kind) of every refresh in ``[t0, t1]``; kind is full, skip or partial."""
        return [(instant(d), self._schedule.kind(d)) for d in range(day_of(t0 - 1e-6) + 1, day_of(t1) + 1)]

    def skip_days(self, t0: float, t1: float) -> list[float]:
        return [at for at, kind in self.refreshes(t0, t1) if kind == "skip"]

    def partial_days(self, t0: float, t1: float) -> list[float]:
        return [at for at, kind in self.refreshes(t0, t1) if kind == "partial"]

    def refreshed_at(self, model_id: str, t: float) -> float | None:
        """The last refresh instant ``<= t`` that recomputed the model's counters (None before its first)."""
        return self._schedule.last_refresh(self._m(model_id), t)

    def published(self, model_id: str, t: float) -> tuple[int, int]:
        """(downloadsAllTime, downloads) as the Hub shows them at ``t``."""
        return self._schedule.published(self._m(model_id), t)

    def recounts(self) -> list[Recount]:
        out = []
        for m in self._catalogue.models:
            rc = self._schedule.recount(m)
            if rc is not None:
                out.append(Recount(m.id, rc[0], rc[1]))
        return sorted(out, key=lambda r: (r.at, r.model_id))
