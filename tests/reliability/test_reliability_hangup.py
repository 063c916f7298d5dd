"""The monitor ends when its terminal is gone, even when no SIGHUP reaches it (started through `make demo`,
a script or a wrapper), instead of spinning on end-of-file with the writer lock held and polls running."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from hfwatch.store import Store, WriterLock
from hfwatch.tui.hangup import HANGUP_EXIT

pytestmark = pytest.mark.reliability


def _drain(master: int, seen: bytearray, stop: threading.Event) -> None:
    """Read what the monitor draws, so that it never blocks on a full terminal buffer."""
    while not stop.is_set():
        try:
            chunk = os.read(master, 65536)
        except OSError:
            return
        if not chunk:
            return
        seen.extend(chunk)


def test_the_monitor_quits_when_its_terminal_hangs_up_without_a_sighup(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    # A session of its own in which the pty is not the controlling terminal: closing the terminal sends
    # it no SIGHUP, as with a monitor started by `make demo` when its tmux server is killed.
    proc = subprocess.Popen(
        [sys.executable, "-m", "hfwatch", "--demo", "--db", str(db)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    os.close(slave)
    seen, stop = bytearray(), threading.Event()
    reader = threading.Thread(target=_drain, args=(master, seen, stop), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        # Up and polling: the first frame is drawn and the demo's first poll is in the file.
        while time.monotonic() < deadline and not (b"Families" in seen and _polls(db)):
            assert proc.poll() is None, bytes(seen[-2000:]).decode(errors="replace")
            time.sleep(0.2)
        assert b"Families" in seen and _polls(db), "the monitor never came up"
        stop.set()
        os.close(master)  # the terminal is gone
        code = proc.wait(timeout=60)  # within seconds; the margin is for a loaded machine
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    assert code == HANGUP_EXIT
    # It let go of the file cleanly: the lock is free and every poll it stored is there.
    lock = WriterLock(db)
    assert lock.acquire()
    lock.release()
    with Store(db, readonly=True) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _polls(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with Store(db, readonly=True) as store:
            return int(store.conn.execute("SELECT count(*) FROM polls WHERE status = 'ok'").fetchone()[0])
    except Exception:  # the file is still being created
        return 0
