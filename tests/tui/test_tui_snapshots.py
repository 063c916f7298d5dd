"""SVG snapshots of every screen at a fixed size, on the fixed history with the clocks stopped.

The baselines are the README's pictures in screenshots/: one copy, so what the README shows is what the tests
check. After a deliberate change, `make screenshots` (or `python -m hfwatch.tui.screenshots screenshots`, which
makes the same pictures) rewrites them; look at the new SVGs before committing them.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from hfwatch.registry import Registry
from hfwatch.tui.screenshots import SHOTS, Shot, frozen_app, shot_history, take
from tests.helpers.tui import fixed_history, registry

pytestmark = pytest.mark.ui
__all__ = ["fixed_history", "registry"]  # fixtures used below

BASELINES = Path(__file__).resolve().parents[2] / "screenshots"
UPDATE = os.environ.get("HFWATCH_UPDATE_SNAPSHOTS") == "1"


def compare(name: str, svg: str, scratch: Path) -> None:
    baseline = BASELINES / f"{name}.svg"
    if UPDATE or not baseline.exists():
        baseline.parent.mkdir(parents=True, exist_ok=True)
        baseline.write_text(svg, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"no baseline for {name}: wrote {baseline}; check it and run again")
        return
    expected = baseline.read_text(encoding="utf-8")
    if svg != expected:
        actual = scratch / f"{name}.actual.svg"
        actual.write_text(svg, encoding="utf-8")
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), svg.splitlines(True), n=1))[:40])
        pytest.fail(f"{name} differs from its baseline (see {actual}; HFWATCH_UPDATE_SNAPSHOTS=1 rewrites it):\n{diff}")


@pytest.mark.parametrize("shot", SHOTS, ids=[s.name for s in SHOTS])
async def test_screen_snapshot(shot: Shot, fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    # What the screenshots show.
    app = frozen_app(shot_history(shot, fixed_history, registry), registry, tmp_path / "state.json")
    try:
        compare(shot.name, await take(app, shot), tmp_path)
    finally:
        app.session.close()
