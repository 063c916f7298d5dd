"""Cold start and keypress latency of the monitor, each in a fresh child process (bench.ui_child)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.report import Figure, check
from bench.stats import median, percentile
from hfwatch_sim import SimClock, SimHub

COLD_BUDGET = "<= 1.5"
KEY_BUDGET = "<= 50"
ROOT = Path(__file__).resolve().parent.parent


def child_env(tmp: Path, **extra: str) -> dict[str, str]:
    """No user config, state or token; nothing leaves the machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HFWATCH_", "XDG_"))}
    env.update({"HF_HOME": str(tmp / "hf"), "XDG_CONFIG_HOME": str(tmp / "cfg"), "XDG_DATA_HOME": str(tmp / "data"),
                "HF_HUB_DISABLE_TELEMETRY": "1", "PYTHONPATH": str(ROOT), **extra})
    return env


def run_child(args: list[str], env: dict[str, str], timeout: float = 300) -> tuple[dict, float]:
    began = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bench.ui_child", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - began
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-3:]
        raise RuntimeError(f"bench.ui_child {args[0]} exited with {proc.returncode}: {' | '.join(said)}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), took


def cold_start(db: Path, runs: int, tmp: Path) -> tuple[list[Figure], dict]:
    """Process start to first painted dashboard, against a bare Textual app painting one widget; the two
    alternate so both see the same machine load."""
    env = child_env(tmp)
    out: dict[str, list] = {"hfwatch_s": [], "bare_s": [], "hfwatch": [], "bare": []}
    run_child(["cold-bare"], env)  # warm the OS file cache for both (imports, the database)
    run_child(["cold-hfwatch", str(db)], env)
    for _ in range(runs):
        detail, took = run_child(["cold-hfwatch", str(db)], env)
        out["hfwatch_s"].append(took)
        out["hfwatch"].append(detail)
        detail, took = run_child(["cold-bare"], env)
        out["bare_s"].append(took)
        out["bare"].append(detail)
    hf, bare = median(out["hfwatch_s"]), median(out["bare_s"])
    imported = median([d["imported_s"] for d in out["hfwatch"]])
    session = median([d["session_s"] - d["imported_s"] for d in out["hfwatch"]])
    painted = median([d["painted_s"] - d["session_s"] for d in out["hfwatch"]])
    return [
        Figure("cold start", "monitor, --offline, to first painted dashboard", hf, "s",
               note=f"median of {runs} child processes (spawn to exit); in the child: imports {imported:.2f} s, "
                    f"registry + session {session:.2f} s, app start to painted {painted:.2f} s"),
        Figure("cold start", "bare Textual app, one widget", bare, "s",
               note=f"imports {median([d['imported_s'] for d in out['bare']]):.2f} s"),
        Figure("cold start", "ratio", hf / bare, "x bare", COLD_BUDGET, check(hf / bare, COLD_BUDGET)),
    ], out


def responsiveness(db: Path, presses: int, tmp: Path) -> tuple[list[Figure], dict]:
    """Keys pressed while slow polls of the simulated Hub (in this process, as a remote Hub would be)
    run in the monitor's worker thread and write to the same file."""
    copy = tmp / "keys.sqlite"
    shutil.copyfile(db, copy)
    hub = SimHub(seed=7, clock=SimClock(speed=60.0), quota=100_000)
    hub.start()
    try:
        detail, _ = run_child(["keys", str(copy), str(presses)], child_env(tmp, HF_ENDPOINT=hub.url), timeout=400)
        requests = hub.stats.requests
    finally:
        hub.stop()
        copy.unlink(missing_ok=True)
    samples, updated = detail["samples"], detail["updated"]
    every = [s for xs in samples.values() for s in xs]
    data = [s for xs in updated.values() for s in xs]
    figs = []
    if every:
        p95 = percentile(every, 95) * 1e3
        per_key = ", ".join(f"{k} {percentile(v, 95) * 1e3:.0f}" for k, v in samples.items() if v)
        figs += [
            Figure("responsiveness", "keypress to repainted screen during a slow poll, p50",
                   median(every) * 1e3, "ms"),
            Figure("responsiveness", "keypress to repainted screen during a slow poll, p95", p95, "ms",
                   KEY_BUDGET, check(p95, KEY_BUDGET),
                   note=f"{len(every)} presses over {detail['polls_started']} slow polls ({requests} requests);"
                        f" p95 ms by key: {per_key} (m/d re-rank every family from the file)"),
            Figure("responsiveness", "keypress to updated widgets (before repaint), p95",
                   percentile(data, 95) * 1e3, "ms",
                   note="the key handled and the new data in the widgets: the reads and the views; the rest of "
                        "the figure above is Textual repainting the tables"),
        ]
    else:
        figs.append(Figure("responsiveness", "keypress during a poll", None, note="no press landed during a poll"))
    return figs, {**detail, "hub_requests": requests}
