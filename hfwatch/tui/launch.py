"""`hfwatch [--demo] [--offline]`: open the session, run the monitor, close everything after."""

from __future__ import annotations

from pathlib import Path

from hfwatch.config import load_config
from hfwatch.registry import Registry


def launch(*, db: Path, demo: bool, offline: bool, registry: Registry, deep: bool | None = None) -> int:
    """Run the monitor until the user quits; 0 on a clean quit. Errors before the UI starts
    (config, database, lock) propagate as one-line exceptions for the CLI to print."""
    from hfwatch.gcpause import end_start_pause, start_paused

    start_paused()  # until the first frame is drawn (HfWatchApp ends it), or the start fails
    try:
        from hfwatch.tui.app import HfWatchApp
        from hfwatch.tui.session import open_session

        config = load_config()
        session = open_session(db, demo=demo, offline=offline, registry=registry, config=config, deep=deep)
        app = HfWatchApp(session)
        try:
            app.run()
        finally:
            session.close()
    finally:
        end_start_pause()  # a no-op once the first frame has ended it
    # Textual sets 1 when the app died of an error (and printed it once the terminal was restored).
    return app.return_code or 0
