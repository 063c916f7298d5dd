"""Shared fixtures: the simulated Hub over loopback, and an environment that never reaches out."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hfwatch_sim import SimClock
from tests.helpers.sim import SimHub

# 2026-11-01T00:00:00Z: a fixed simulated "now" so tests are deterministic.
SIM_START = 1_793_491_200.0


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No saved token, config or data from the developer's machine; no telemetry."""
    # huggingface_hub reads HF_HUB_DISABLE_TELEMETRY at import (during collection): set the constant too, or
    # an in-process poll would also ask the configured endpoint for its agent registry.
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg_data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg_config"))
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "HFWATCH_DB", "HFWATCH_CONFIG", "HF_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def sim() -> Iterator[SimHub]:
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0))
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture(scope="module")
def shared_sim() -> Iterator[SimHub]:
    """One simulated Hub per test module (and xdist worker): building the catalogue is the slow part.
    Its quota is out of reach, so only tests that set their own limit meet one."""
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture(scope="module")
def tail_sim() -> Iterator[SimHub]:
    """A simulated Hub with the long tail the deep lane walks (a million repos, generated as they are listed)."""
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000, tail=1_000_000)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


@dataclass
class Ran:
    code: int
    out: str
    err: str


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Ran:
    """Run `python -m hfwatch ARGS` as a user would, in a separate process."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "hfwatch", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Ran(proc.returncode, proc.stdout, proc.stderr)
