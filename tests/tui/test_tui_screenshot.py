"""The command palette's "Save screenshot" on a machine without a Downloads folder (a server, a container)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets import OptionList

from hfwatch.registry import Registry
from tests.helpers.tui import SIZE, fixed_history, loaded, make_app, registry, until

pytestmark = pytest.mark.ui


def found(screen: Screen[object]) -> bool:
    """The palette has searched (it does so in a worker) and highlights a command."""
    if not isinstance(screen, CommandPalette):
        return False
    options = screen.query_one(OptionList)
    return options.option_count > 0 and options.highlighted is not None


__all__ = ["fixed_history", "registry"]  # fixtures used below


async def test_save_screenshot_makes_the_downloads_folder_and_saves_there(
    fixed_history: Path, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)  # where user-dirs.dirs would name another folder
    downloads = home / "Downloads"
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"screenshot")
        await until(pilot, lambda: found(app.screen), "the palette found no screenshot command")
        await pilot.press("enter")
        await until(pilot, lambda: list(downloads.glob("*.svg")), "no screenshot saved")
    (saved,) = downloads.glob("*.svg")
    assert "hfwatch" in saved.read_text(encoding="utf-8")
