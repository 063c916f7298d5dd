"""What the monitor remembers across runs (the watched families): a small JSON file in the data dir.

A missing or unreadable file is an empty state, never an error: losing the watch list must not
stop the monitor from starting.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hfwatch.paths import data_dir

STATE_FILE = "tui-state.json"


def default_state_path() -> Path:
    return data_dir() / STATE_FILE


@dataclass
class UiState:
    """What the monitor keeps between runs (the families watched with w)."""

    watched: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path) -> UiState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        watched = data.get("watched") if isinstance(data, dict) else None
        if not isinstance(watched, list):
            return cls()
        return cls(watched={w for w in watched if isinstance(w, str)})

    def save(self, path: Path) -> bool:
        """Write atomically (temp file + rename); False when the data dir is not writable."""
        payload = json.dumps({"watched": sorted(self.watched)}, indent=1) + "\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tui-state.", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)
            return False
        return True
