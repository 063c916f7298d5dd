"""Peak RSS of the monitor and of a poll storing N models, each in its own child process."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.report import Figure, summary
from bench.ui import child_env, run_child


def run(db: Path, models: int, reps: int, tmp: Path) -> tuple[list[Figure], dict]:
    env = child_env(tmp)
    monitor, poll = [], []
    for _ in range(reps):
        monitor.append(run_child(["rss-monitor", str(db)], env)[0])
        copy = tmp / "rss.sqlite"
        shutil.copyfile(db, copy)
        try:
            poll.append(run_child(["rss-poll", str(copy), str(models)], env)[0])
        finally:
            for f in tmp.glob("rss.sqlite*"):
                f.unlink()
    return [
        summary(
            "memory",
            f"monitor on the {models // 1000}k-model year, --offline",
            [m["peak_rss_mib"] for m in monitor],
            "MiB",
            note="dashboard painted, then the biggest family's screen opened",
        ),
        summary(
            "memory",
            f"one slow poll of {poll[0]['models']:,} models, parsed, attributed and stored",
            [p["peak_rss_mib"] for p in poll],
            "MiB",
            note=f"{poll[0]['before_poll_mib']:.0f} MiB with the listing held as JSON text, before parsing; "
            "the monitor's poll worker does the same in its own thread",
        ),
    ], {"monitor": monitor, "poll": poll}
