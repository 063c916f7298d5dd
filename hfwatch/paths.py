"""Where hfwatch keeps its files (platformdirs), and the environment overrides."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "hfwatch"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def default_db(*, demo: bool = False) -> Path:
    """The history file: `HFWATCH_DB`, else the user data dir. The demo keeps a file of its
    own so simulated numbers never mix with real ones."""
    if not demo and os.environ.get("HFWATCH_DB"):
        return Path(os.environ["HFWATCH_DB"]).expanduser()
    return data_dir() / ("demo.sqlite" if demo else "hfwatch.sqlite")


def config_file() -> Path:
    env = os.environ.get("HFWATCH_CONFIG")
    return Path(env).expanduser() if env else config_dir() / "config.toml"
