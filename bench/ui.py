"""Cold start and keypress latency of the monitor, each in a fresh child process (bench.ui_child)."""

from __future__ import annotations

import compileall
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.catalogue import SimClock, SimHub
from bench.report import Figure, summary
from bench.stats import median, percentile

COLD_BUDGET = "<= 1.5"
KEY_BUDGET = "<= 50"
ROOT = Path(__file__).resolve().parent.parent


def child_env(tmp: Path, **extra: str) -> dict[str, str]:
    """No user config, state or token; nothing leaves the machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HFWATCH_", "XDG_"))}
    env.update(
        {
            "HF_HOME": str(tmp / "hf"),
            "XDG_CONFIG_HOME": str(tmp / "cfg"),
            "XDG_DATA_HOME": str(tmp / "data"),
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def run_child(args: list[str], env: dict[str, str], timeout: float = 300) -> tuple[dict, float]:
    """The child's JSON and the seconds from spawn to its exit; a child that reports `painted_at` (its
    CLOCK_MONOTONIC when the first frame with data was drawn) also gets `spawn_to_paint_s`."""
    spawned = time.monotonic()
    began = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.ui_child", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    took = time.perf_counter() - began
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-3:]
        raise RuntimeError(f"bench.ui_child {args[0]} exited with {proc.returncode}: {' | '.join(said)}")
    detail = json.loads(proc.stdout.strip().splitlines()[-1])
    if "painted_at" in detail:
        detail["spawn_to_paint_s"] = detail["painted_at"] - spawned
    return detail, took


def drop_page_cache() -> bool:
    """Empty the kernel's page cache (root only), so the next start reads Python, the libraries and the
    database from disk. False when this sandbox does not allow it."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("1\n")
    except OSError:
        return False
    return True


def _start(args: list[str], env: dict[str, str], cold: bool, db: Path | None, tmp: Path) -> tuple[dict, float]:
    if cold and not drop_page_cache() and db is not None:
        fresh = tmp / "fresh-copy.sqlite"  # only the database is cold this way: see the note
        shutil.copyfile(db, fresh)
        args = [*args[:-1], str(fresh)]
    return run_child(args, env)


def cold_start(db: Path, runs: int, tmp: Path) -> tuple[list[Figure], dict]:
    """Process start to first painted dashboard, against a bare Textual app painting one widget; the two
    alternate so both see the same machine load (a ratio pairs the two runs of one repeat). Warm: the page
    cache holds Python, the libraries and the database (a second start); cold: the page cache dropped
    before each start (a first start after boot)."""
    env = child_env(tmp)
    # The children import hfwatch from this tree. Bytecode first, as an install has it (pip compiles what
    # it installs; Textual's is compiled in site-packages): where PYTHONDONTWRITEBYTECODE is set, as on
    # the machine the bench was written on, every start would otherwise compile our modules from source.
    compileall.compile_dir(ROOT / "hfwatch", quiet=1)
    can_drop = drop_page_cache()
    out: dict[str, list] = {f"{k}_{c}": [] for k in ("hfwatch", "bare") for c in ("warm", "cold")}
    out.update({f"{k}_detail": [] for k in ("hfwatch", "bare")})
    for _ in range(runs):
        # Cold bare first, cold monitor next: the latter leaves everything both warm runs read in the cache.
        for cache, kind in (("cold", "bare"), ("cold", "hfwatch"), ("warm", "hfwatch"), ("warm", "bare")):
            args = ["cold-bare"] if kind == "bare" else ["cold-hfwatch", str(db)]
            detail, took = _start(args, env, cache == "cold", db if kind == "hfwatch" else None, tmp)
            # First paint, not exit: how an app tears down (its store closed, workers cancelled) is not
            # part of how soon it shows its data.
            out[f"{kind}_{cache}"].append(detail["spawn_to_paint_s"])
            detail["exited_s"] = took
            if cache == "warm":
                out[f"{kind}_detail"].append(detail)
    d = out["hfwatch_detail"]
    split = (
        f"in the child (warm): imports {median([x['imported_s'] for x in d]):.2f} s, registry + session "
        f"{median([x['session_s'] - x['imported_s'] for x in d]):.2f} s, app start to painted "
        f"{median([x['painted_s'] - x['session_s'] for x in d]):.2f} s"
    )
    b = out["bare_detail"]
    bare_split = (
        f"in the child: imports {median([x['imported_s'] for x in b]):.2f} s, app start to painted "
        f"{median([x['painted_s'] - x['imported_s'] for x in b]):.2f} s; exit at "
        f"{median([x['exited_s'] for x in b]):.2f} s (monitor: {median([x['exited_s'] for x in d]):.2f} s)"
    )
    how = (
        "page cache dropped (echo 1 > /proc/sys/vm/drop_caches) before each cold start"
        if can_drop
        else "drop_caches refused: 'cold' = a fresh copy of the database only; Python and libraries stay cached"
    )
    figs = []
    for cache in ("warm", "cold"):
        hf, bare = out[f"hfwatch_{cache}"], out[f"bare_{cache}"]
        figs += [
            summary(
                "cold start",
                f"{cache} page cache: monitor, --offline, to first painted dashboard",
                hf,
                "s",
                note=f"spawn of a child process to its first frame with data drawn, hfwatch compiled to bytecode "
                f"first as an install has it; {split}"
                if cache == "warm"
                else how,
            ),
            summary(
                "cold start",
                f"{cache} page cache: bare Textual app, one widget",
                bare,
                "s",
                note="spawn to first frame drawn" if cache == "cold" else f"spawn to first frame drawn; {bare_split}",
            ),
            summary(
                "cold start",
                f"{cache} page cache: ratio",
                [h / b for h, b in zip(hf, bare, strict=True)],
                "x bare",
                COLD_BUDGET,
                note="each repeat's monitor start over the bare start run next to it",
            ),
        ]
    return figs, {**out, "page_cache_dropped": can_drop}


def responsiveness(db: Path, presses: int, polls: int, models: int, t0: int, tmp: Path) -> tuple[list[Figure], dict]:
    """Keys pressed while the monitor's slow lane stores a real-size poll in its worker thread, writing to
    the same file (bench.ui_child._synthetic_slow_lane). Per poll, the p95 of its presses; the figure is
    the median over the polls."""
    copy = tmp / "keys.sqlite"
    shutil.copyfile(db, copy)
    # The session's endpoint, for the fast lane: its clock starts where the year's history ends, as a monitor
    # left running on that file would poll next (a clock in the file's past rewrote its older hours).
    hub = SimHub(seed=7, clock=SimClock(start=t0, speed=60.0), quota=100_000)
    hub.start()
    try:
        detail, _ = run_child(
            ["keys", str(copy), str(presses), str(models), str(polls), str(t0)],
            child_env(tmp, HF_ENDPOINT=hub.url),
            timeout=600,
        )
    finally:
        hub.stop()
        for f in tmp.glob("keys.sqlite*"):
            f.unlink()
    rows = detail["rows"]
    by_poll: dict[int, list[tuple[str, float, float]]] = {}
    for poll, key, data, took in rows:
        by_poll.setdefault(poll, []).append((key, data, took))
    polls_used = [v for v in by_poll.values() if len(v) >= 3]
    unit = "one poll's p95"
    if len(polls_used) == 1:  # a quick run's single poll: its presses in three consecutive thirds
        only = polls_used[0]
        polls_used = [only[i * len(only) // 3 : (i + 1) * len(only) // 3] for i in range(3)]
        unit = "the p95 of one third of the poll's presses, in order"
    if not polls_used:
        return [
            Figure("responsiveness", "keypress during a poll", None, note="fewer than 3 presses landed inside one poll")
        ], detail
    per_key = {
        k: percentile([t for _, key, _, t in rows if key == k], 95) * 1e3
        for k in ("right", "left", "m", "d", "s")
        if any(r[1] == k for r in rows)
    }
    poll_s = ", ".join(f"{s:.1f}" for s in detail["poll_s"])
    figs = [
        summary(
            "responsiveness",
            "keypress to repainted screen during a slow poll, p50",
            [median([t for _, _, t in v]) * 1e3 for v in polls_used],
            "ms",
        ),
        summary(
            "responsiveness",
            "keypress to repainted screen during a slow poll, p95",
            [percentile([t for _, _, t in v], 95) * 1e3 for v in polls_used],
            "ms",
            KEY_BUDGET,
            note=f"{len(rows)} presses during {len(by_poll)} slow poll(s) of {models:,} models, the first press once "
            "the monitor's start had settled (one repeat = "
            f"{unit}; polls took {poll_s} s); p95 ms by key, all presses: "
            + ", ".join(f"{k} {v:.0f}" for k, v in per_key.items())
            + " (m/d re-rank every family, s re-sorts the board)",
        ),
        summary(
            "responsiveness",
            "keypress to updated widgets (before repaint), p95",
            [percentile([d for _, d, _ in v], 95) * 1e3 for v in polls_used],
            "ms",
            note="the key handled and the new data in the widgets; the rest of the figure above is Textual repainting",
        ),
    ]
    return figs, detail
