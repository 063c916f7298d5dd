"""Peak RSS of the monitor and of a poll storing N models, each in its own child process."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.report import Figure
from bench.ui import child_env, run_child


def run(db: Path, models: int, tmp: Path) -> tuple[list[Figure], dict]:
    env = child_env(tmp)
    monitor, _ = run_child(["rss-monitor", str(db)], env)
    copy = tmp / "rss.sqlite"
    shutil.copyfile(db, copy)
    try:
        poll, _ = run_child(["rss-poll", str(copy), str(models)], env)
    finally:
        copy.unlink(missing_ok=True)
    bare, _ = run_child(["cold-bare"], env)
    return [
        Figure("memory", f"monitor on the {models // 1000}k-model year, --offline", monitor["peak_rss_mib"], "MiB",
               note="dashboard painted, then the biggest family's screen opened"),
        Figure("memory", f"one slow poll of {poll['models']:,} models, parsed, attributed and stored",
               poll["peak_rss_mib"], "MiB",
               note=f"{poll['before_poll_mib']:.0f} MiB with the listing held as JSON text, before parsing; "
                    "the monitor's poll worker does the same in its own thread"),
    ], {"monitor": monitor, "poll": poll, "bare_textual": bare}
