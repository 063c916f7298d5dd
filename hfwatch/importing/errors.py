"""The one error an import reports."""

from __future__ import annotations

__all__ = ["ImportError_"]


class ImportError_(Exception):  # the name the CLI reports as a plain error (hfwatch.cli.main)
    """An archive that cannot be imported; one line, `<file>:<line>: <reason>` where a line is known."""
