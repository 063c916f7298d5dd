"""Textual's "Save screenshot" command, made to work on a machine without a Downloads folder."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_downloads_path
from textual.app import App


def screenshot_directory() -> Path:
    """The user's Downloads folder, made if missing; the working directory if it cannot be made.

    Textual saves there and fails with a bare "Failed to save screenshot" when it does not exist: on the
    servers and containers a monitor is left running in, it usually does not."""
    downloads = user_downloads_path()
    try:
        downloads.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path.cwd()
    return downloads


class ScreenshotApp(App[int]):
    # The command palette's "Save screenshot" calls this directly, and the screenshot action through it.
    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        return super().deliver_screenshot(
            filename, path if path is not None else str(screenshot_directory()), time_format
        )
