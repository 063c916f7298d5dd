"""`hfwatch serve`: the monitor in a browser, through textual-serve, seen by Debian's headless Chromium.

Chromium's one-shot `--screenshot` cannot wait for the app: virtual time does not wait for a
websocket, so it photographs textual-serve's splash before the app's first frame. The test drives
the same headless Chromium over the DevTools protocol instead: it records what the page's websocket
receives (the app's terminal output), waits until the dashboard's panels and a family are in it,
and then takes the screenshot.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1600,1000",
]
# What the dashboard shows once it has data: its panel titles and families of the simulated catalogue.
DASHBOARD_WORDS = ("Families", "Countries", "Qwen", "Llama")
SETTLED = "demo ×"

# Runs in the page before textual-serve's script: keeps what the websocket receives, as text.
TAP_WEBSOCKET = r"""
(() => {
  const Native = window.WebSocket;
  window.__received = [];
  const decoder = new TextDecoder();
  function Tapped(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener("message", (event) => {
      const data = event.data;
      if (typeof data === "string") window.__received.push(data);
      else if (data instanceof ArrayBuffer) window.__received.push(decoder.decode(data));
      else if (data instanceof Blob) data.arrayBuffer().then((b) => window.__received.push(decoder.decode(b)));
    });
    return ws;
  }
  Tapped.prototype = Native.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Tapped[k] = Native[k];
  window.WebSocket = Tapped;
})();
"""
# The terminal stream without escape sequences, so words drawn in one style are contiguous.
READ_TEXT = (
    r"""window.__received.join("")"""
    r""".replace(/\x1b\[[0-9;:?<>=]*[ -\/]*[@-~]/g, "").replace(/\x1b\][^\x07]*\x07/g, "")"""
)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@contextlib.contextmanager
def _process(argv: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
        try:
            yield proc
        finally:
            # Its own process group: the server's per-tab app processes and Chromium's helpers go too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


class _Page:
    """A minimal DevTools-protocol client for one page."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        mine = self.next_id
        await self.ws.send_json({"id": mine, "method": method, "params": params})
        while True:
            message = await self.ws.receive_json()
            if message.get("id") == mine:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


async def _render(devtools_port: int, url: str, screenshot: Path, timeout: float) -> str:
    import aiohttp  # textual-serve's own dependency

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{devtools_port}/json/list") as response:
            targets = await response.json()
        target = next(t for t in targets if t.get("type") == "page")
        async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            page = _Page(ws)
            await page.call("Page.enable")
            await page.call(
                "Emulation.setDeviceMetricsOverride", width=1600, height=1000, deviceScaleFactor=1, mobile=False
            )
            await page.call("Page.addScriptToEvaluateOnNewDocument", source=TAP_WEBSOCKET)
            await page.call("Page.navigate", url=url)
            deadline = time.monotonic() + timeout
            text = ""
            while time.monotonic() < deadline:
                text = await page.evaluate(f"window.__received ? {READ_TEXT} : ''") or ""
                if all(word in text for word in DASHBOARD_WORDS):
                    break
                await asyncio.sleep(0.5)
            # Best effort, for a screenshot with rates: the demo's back-fill ends in its "demo ×600" state.
            settle = min(deadline, time.monotonic() + 45)
            while SETTLED not in text[-20000:] and time.monotonic() < settle:
                await asyncio.sleep(0.5)
                text = await page.evaluate(f"window.__received ? {READ_TEXT} : ''") or ""
            await asyncio.sleep(1.5)  # let xterm.js paint the last frames
            shot = await page.call("Page.captureScreenshot", format="png")
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            first_byte = await page.evaluate("document.body.classList.contains('-first-byte')")
            return text if first_byte else ""


def test_serve_help_and_refusals(tmp_path: Path) -> None:
    ran = run_cli("serve", "--help")
    assert ran.code == 0 and "127.0.0.1" in ran.out and "web extra" in ran.out
    assert run_cli("serve", "--port", "0").code == 1
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        ran = run_cli("serve", "--port", str(port), "--db", str(tmp_path / "h.sqlite"))
    if "textual-serve" in ran.err:
        pytest.skip("textual-serve is not installed (pip install 'hfwatch[web]')")
    assert ran.code == 1 and f"127.0.0.1:{port}: cannot listen there" in ran.err
    assert ran.err.count("\n") == 1


def test_serve_runs_this_hfwatch_on_this_file(tmp_path: Path) -> None:
    import argparse

    from hfwatch.cli.serve import app_command

    args = argparse.Namespace(db=str(tmp_path / "my db.sqlite"), demo=True, offline=False)
    command = app_command(args)
    assert command.startswith(sys.executable) and "-m hfwatch" in command
    assert f"'{tmp_path / 'my db.sqlite'}'" in command and command.endswith("--demo")


@pytest.mark.slow
def test_dashboard_renders_in_headless_chromium(tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install -y chromium)")
    pytest.importorskip("textual_serve", reason="textual-serve is not installed (pip install 'hfwatch[web]')")
    pytest.importorskip("hfwatch.tui.launch", reason="the monitor (hfwatch.tui.launch) is not there yet")

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    serve = [
        sys.executable,
        "-m",
        "hfwatch",
        "serve",
        "--demo",
        "--port",
        str(port),
        "--db",
        str(tmp_path / "demo.sqlite"),
    ]
    profile = tmp_path / "chromium-profile"
    browser = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "--remote-allow-origins=*",
        "about:blank",
    ]
    screenshot = tmp_path / "web.png"
    with _process(serve, tmp_path / "serve.log"):
        try:
            _wait_http(url, timeout=30)
        except OSError:
            pytest.fail(f"hfwatch serve did not answer: {(tmp_path / 'serve.log').read_text(errors='replace')}")
        with _process(browser, tmp_path / "chromium.log"):
            active = profile / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not (active.exists() and active.read_text().strip()):
                assert time.monotonic() < deadline, (tmp_path / "chromium.log").read_text(errors="replace")
                time.sleep(0.2)
            devtools_port = int(active.read_text().split()[0])
            text = asyncio.run(_render(devtools_port, url, screenshot, timeout=90))
    if os.environ.get("HFWATCH_WEB_SCREENSHOT"):
        shutil.copyfile(screenshot, os.environ["HFWATCH_WEB_SCREENSHOT"])
    missing = [word for word in DASHBOARD_WORDS if word not in text]
    assert not missing, (
        f"the page never showed {missing}; server log: " + (tmp_path / "serve.log").read_text(errors="replace")[-2000:]
    )
    assert re.search(r"hfwatch", text)
    assert screenshot.stat().st_size > 20_000  # a dashboard full of text, not the splash (~18 kB)
    assert json.dumps(text)  # the stream is text, for the record
