"""The simulated Hub as the tests use it: with switchable faults installed through its response hook."""

from __future__ import annotations

import functools
from typing import Any

import hfwatch_sim

from .faults import FAULT_KINDS, Faults

__all__ = ["FAULT_KINDS", "Faults", "SimHub"]


class SimHub(hfwatch_sim.SimHub):
    """``hfwatch_sim.SimHub`` plus ``faults`` (see :class:`Faults`), applied to every listing request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.faults = Faults()
        self.response_hook = functools.partial(self.faults.respond, self)
