"""The token: it reaches the Hub in the Authorization header, and nothing else ever holds or shows it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from huggingface_hub import constants

from hfwatch.config import Config
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.records import Lane
from hfwatch.registry import load_registry
from hfwatch.store import Store
from hfwatch_sim import SimClock
from tests.conftest import SIM_START, Ran, run_cli
from tests.helpers.reliability import (
    FAST_ENV,
    FAST_POLICY,
    RecordingProxy,
    closed_port,
    one_line_error,
)
from tests.helpers.sim import SimHub

pytestmark = pytest.mark.reliability

SENTINEL = "hf_SENTINELq7ZtR4nd0mT0kenThatMustNeverLeak"


@pytest.fixture
def hub() -> Iterator[tuple[SimHub, RecordingProxy]]:
    sim = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000)
    sim.start()
    proxy = RecordingProxy(sim.url).start()
    yield sim, proxy
    proxy.stop()
    sim.stop()


def files_holding(root: Path, secret: str) -> list[Path]:
    """Every file under `root` whose bytes contain `secret` (databases, their WAL, configs, caches, logs)."""
    needle = secret.encode()
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def with_token(*args: str, url: str) -> Ran:
    return run_cli(*args, env={"HF_ENDPOINT": url, "HF_TOKEN": SENTINEL, **FAST_ENV}, timeout=60)


def test_token_goes_to_the_hub_and_nowhere_else(hub: tuple[SimHub, RecordingProxy], tmp_path: Path) -> None:
    sim, proxy = hub
    db = tmp_path / "h.sqlite"
    outputs: list[Ran] = [with_token("poll", "--db", str(db), url=proxy.url)]
    assert outputs[0].code == 0, outputs[0].err
    assert len(proxy.headers) > 100  # both lanes, every page
    assert all(h.get("authorization") == f"Bearer {SENTINEL}" for h in proxy.headers)

    # Failures, whose one line is the likeliest place for a request's details to end up.
    sim.faults.set("500")
    failed = with_token("poll", "--lane", "fast", "--db", str(db), url=proxy.url)
    sim.faults.set("malformed")
    malformed = with_token("poll", "--lane", "fast", "--db", str(db), url=proxy.url)
    sim.faults.clear()
    refused = with_token(
        "poll", "--lane", "fast", "--db", str(tmp_path / "other.sqlite"), url=f"http://127.0.0.1:{closed_port()}"
    )
    for ran in (failed, malformed, refused):
        assert ran.code == 1
        one_line_error(ran.err)
    outputs += [failed, malformed, refused]

    # Everything a user can print or export.
    for args in (
        ("top", "--format", "json"),
        ("top", "--format", "csv"),
        ("top", "--by", "model"),
        ("db", "info"),
        ("export", "--what", "models", "--format", "json"),
        ("export", "--what", "leaderboard", "--format", "csv"),
    ):
        ran = with_token(*args, "--db", str(db), url=proxy.url)
        assert ran.code == 0, (args, ran.err)
        outputs.append(ran)
    outputs += [with_token("config", "show", url=proxy.url), with_token("families", url=proxy.url)]
    for command in ("", "poll", "top", "families", "db", "config", "export", "import", "serve"):
        outputs.append(with_token(*command.split(), "--help", url=proxy.url))

    for ran in outputs:
        assert SENTINEL not in ran.out + ran.err
        assert "SENTINEL" not in ran.out + ran.err  # not even a prefix or a masked form of it
    # The database, any WAL or lock beside it, HF_HOME's caches, config and data dirs: all under tmp_path.
    assert files_holding(tmp_path, "SENTINEL") == []


def test_token_is_not_in_the_database_or_wal_while_the_writer_is_open(
    hub: tuple[SimHub, RecordingProxy], tmp_path: Path
) -> None:
    _, proxy = hub
    db = tmp_path / "h.sqlite"
    poller = Poller(HubClient(proxy.url, token=SENTINEL, policy=FAST_POLICY), load_registry())
    with Store(db) as store:
        for lane in (Lane.SLOW, Lane.FAST):
            assert poller.poll(store, lane).ok
        # The WAL holds this session's pages until the last connection closes: look before it does.
        assert Path(f"{db}-wal").exists()
        assert files_holding(tmp_path, "SENTINEL") == []
    assert proxy.headers and all(h.get("authorization") == f"Bearer {SENTINEL}" for h in proxy.headers)
    assert files_holding(tmp_path, "SENTINEL") == []


@pytest.mark.ui
async def test_monitor_polling_with_a_token_never_shows_it(
    hub: tuple[SimHub, RecordingProxy], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hfwatch.tui.app import HfWatchApp
    from hfwatch.tui.session import Mode, open_session

    _, proxy = hub
    # The live monitor reaches the endpoint huggingface_hub was configured with, as HF_ENDPOINT would set it.
    monkeypatch.setattr(constants, "ENDPOINT", proxy.url)
    monkeypatch.setenv("HF_TOKEN", SENTINEL)
    db = tmp_path / "h.sqlite"
    session = open_session(
        db, demo=False, offline=False, registry=load_registry(), config=Config(), state_path=tmp_path / "state.json"
    )
    try:
        assert session.mode is Mode.LIVE
        app = HfWatchApp(session)
        async with app.run_test(size=(160, 48)) as pilot:
            for _ in range(300):
                await pilot.pause(0.1)
                if app.board and app.session.reader.last_poll(ok_only=True) is not None:
                    break
            assert app.board, "the monitor polled the Hub"
            screens = [app.export_screenshot()]
            await pilot.press("question_mark")
            await pilot.pause()
            screens.append(app.export_screenshot())
        assert all("SENTINEL" not in svg for svg in screens)
    finally:
        session.close()
    assert proxy.headers and all(h.get("authorization") == f"Bearer {SENTINEL}" for h in proxy.headers)
    assert files_holding(tmp_path, "SENTINEL") == []
