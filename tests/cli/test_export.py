"""`hfwatch export`: stable columns, CSV/JSON, scopes and filters; and the CLI's manners (help, exit codes, plain
tables for pipes and NO_COLOR)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest

from hfwatch.cli.export import LEADERBOARD_COLUMNS, MODEL_COLUMNS, SERIES_COLUMNS
from hfwatch.importing import read_listing, store_listing
from hfwatch.registry import load_registry
from hfwatch.store import Store
from tests.conftest import run_cli

DAY = 86400
ANSI = re.compile(r"\x1b[\[\]]")


def item(model_id: str, downloads: int, dall: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": model_id,
        "author": model_id.split("/")[0],
        "downloads": downloads,
        "downloadsAllTime": dall,
        "likes": 1,
        "createdAt": "2026-09-20T00:00:00.000Z",
        **extra,
    }


def day_listing(n: int) -> list[dict[str, Any]]:
    return [
        item("Qwen/Qwen3-8B", 1000, 50_000 + n * 2_000, pipeline_tag="text-generation"),
        item("unsloth/Qwen3-8B-GGUF", 300, 9_000 + n * 500, tags=["base_model:quantized:Qwen/Qwen3-8B"]),
        item("meta-llama/Llama-3.1-8B", 800, 40_000 + n * 1_000),
        item("deepseek-ai/DeepSeek-V3", 600 + n, 30_000 + n * 3_000, pipeline_tag='=HYPERLINK("http://x")\x1b[31m'),
    ]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three daily archived listings, imported (in-process, with the bundled registry): 2026-10-01, -02, -03.
    `hfwatch import` itself is tested in test_import.py; here it only builds a history to read."""
    folder = tmp_path_factory.mktemp("history")
    db = folder / "h.sqlite"
    with Store(db) as store:
        for n in range(3):
            path = folder / f"day{n}.json"
            path.write_text(json.dumps({"date": f"2026-10-0{n + 1}", "models": day_listing(n)}), encoding="utf-8")
            listing = read_listing(str(path))
            assert listing.at is not None
            store_listing(store, listing, int(listing.at), load_registry())
    return db


def export(db: Path, *args: str) -> str:
    ran = run_cli("export", "--db", str(db), *args)
    assert ran.code == 0, ran.err
    return ran.out


def export_csv(db: Path, *args: str) -> tuple[list[str], list[dict[str, str]]]:
    out = export(db, "--format", "csv", *args)
    reader = csv.DictReader(io.StringIO(out))
    return list(reader.fieldnames or []), list(reader)


def export_json(db: Path, *args: str) -> list[dict[str, Any]]:
    return json.loads(export(db, "--format", "json", *args))


def test_leaderboard_columns_and_values(history: Path) -> None:
    header, rows = export_csv(history)
    assert tuple(header) == LEADERBOARD_COLUMNS
    assert len(rows) == len(load_registry().families)
    qwen = next(r for r in rows if r["family"] == "qwen")
    assert (qwen["rank"], qwen["country"], qwen["scope"], qwen["metric"]) == ("1", "CN", "ecosystem", "downloads_30d")
    assert qwen["downloads_30d"] == "1300" and qwen["models"] == "2"
    assert qwen["as_of"] == "2026-10-03T00:00:00Z"
    assert float(qwen["rate_per_day"]) == pytest.approx(2_500)
    top = {r["family"]: r for r in json.loads(run_cli("top", "--db", str(history), "--format", "json").out)}
    as_json = export_json(history)
    assert [tuple(r) for r in as_json] == [LEADERBOARD_COLUMNS] * len(as_json)
    for r in as_json:
        for key in ("rank", "downloads_30d", "downloads_all_time", "rate_per_day", "share", "models"):
            assert r[key] == top[r["family"]][key], (r["family"], key)
    unknown = next(r for r in as_json if r["models"] == 0)
    assert unknown["rate_per_day"] is None and unknown["newest_release"] is None


def test_leaderboard_filters(history: Path) -> None:
    assert [r["family"] for r in export_json(history, "--family", "llama")] == ["llama"]
    assert [r["rank"] for r in export_json(history, "--limit", "2")] == [1, 2]
    first_party = {r["family"]: r for r in export_json(history, "--scope", "first-party", "--metric", "rate")}
    assert first_party["qwen"]["downloads_30d"] == 1000 and first_party["qwen"]["metric"] == "rate"
    assert first_party["deepseek"]["rank"] == 1  # 3,000/day beats Qwen's first-party 2,000/day


def test_series(history: Path) -> None:
    header, rows = export_csv(history, "--what", "series")
    assert tuple(header) == SERIES_COLUMNS
    qwen = [r for r in rows if r["family"] == "qwen"]
    assert [r["time"] for r in qwen] == ["2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", "2026-10-03T00:00:00Z"]
    # Daily listings: the first is not yet tied to a refresh, the second is the first endpoint, the third
    # gives the first whole refresh interval (2,500/day).
    assert [r["rate_per_day"] for r in qwen] == ["", "", "2500.0"]
    assert [r["downloads_all_time"] for r in qwen] == ["59000", "61500", "64000"]
    times = [(r["time"], r["family"]) for r in rows]
    assert times == sorted(times)
    assert {r["family"] for r in rows} == {"qwen", "llama", "deepseek"}
    since = export_json(history, "--what", "series", "--family", "qwen", "--since", "2026-10-02")
    assert [(r["time"], r["rate_per_day"]) for r in since] == [
        ("2026-10-02T00:00:00Z", None),
        ("2026-10-03T00:00:00Z", 2500.0),
    ]
    relative = export_json(history, "--what", "series", "--family", "qwen", "--since", "1d")
    assert [r["time"] for r in relative] == ["2026-10-02T00:00:00Z", "2026-10-03T00:00:00Z"]
    first_party = export_json(history, "--what", "series", "--scope", "first-party", "--family", "qwen")
    assert [r["rate_per_day"] for r in first_party] == [None, None, 2000.0]
    assert all(r["scope"] == "first-party" and r["models"] == 1 for r in first_party)


def test_models(history: Path) -> None:
    header, rows = export_csv(history, "--what", "models")
    assert tuple(header) == MODEL_COLUMNS
    assert [r["id"] for r in rows] == [
        "Qwen/Qwen3-8B",
        "meta-llama/Llama-3.1-8B",
        "deepseek-ai/DeepSeek-V3",
        "unsloth/Qwen3-8B-GGUF",
    ]
    by_rate = export_json(history, "--what", "models", "--metric", "rate")
    assert [(r["id"], r["rate_per_day"]) for r in by_rate][:2] == [
        ("deepseek-ai/DeepSeek-V3", 3000.0),
        ("Qwen/Qwen3-8B", 2000.0),
    ]
    qwen = export_json(history, "--what", "models", "--family", "qwen")
    assert [(r["id"], r["via"], r["base_family"]) for r in qwen] == [
        ("Qwen/Qwen3-8B", "org", "qwen"),
        ("unsloth/Qwen3-8B-GGUF", "lineage", "qwen"),
    ]
    assert [
        r["id"] for r in export_json(history, "--what", "models", "--family", "qwen", "--scope", "first-party")
    ] == ["Qwen/Qwen3-8B"]
    assert len(export_json(history, "--what", "models", "--limit", "1")) == 1


def test_hub_text_cannot_become_a_formula_or_an_escape(history: Path) -> None:
    _, rows = export_csv(history, "--what", "models", "--family", "deepseek")
    assert rows[0]["pipeline_tag"] == '\'=HYPERLINK("http://x")'
    as_json = export_json(history, "--what", "models", "--family", "deepseek")
    assert as_json[0]["pipeline_tag"].startswith("=HYPERLINK")  # JSON is data: kept, escaped by the encoder
    assert "\x1b" not in export(history, "--what", "models", "--format", "json")


def test_output_file(history: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    ran = run_cli("export", "--db", str(history), "--what", "series", "-o", str(target))
    assert ran.code == 0 and ran.out == ""
    assert target.read_text(encoding="utf-8").startswith(",".join(SERIES_COLUMNS) + "\n")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.csv")] == []


def test_empty_history_still_has_a_header(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    path = tmp_path / "x.json"
    path.write_text(json.dumps([item("nobody/thing", 1, 1)]), encoding="utf-8")
    assert run_cli("import", str(path), "--at", "2026-10-01", "--db", str(db)).code == 0
    assert export(db, "--what", "series") == ",".join(SERIES_COLUMNS) + "\n"
    assert export(db, "--what", "models", "--format", "json").strip() == "[]"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("--since", "2026-10-01"), 2, "--since applies to --what series"),
        (("--what", "series", "--metric", "rate"), 2, "series rows carry every metric"),
        (("--what", "series", "--limit", "3"), 2, "--limit applies"),
        (("--limit", "0"), 2, "at least 1"),
        (("--family", "nosuch"), 1, "unknown family 'nosuch'"),
        (("--what", "series", "--since", "someday"), 1, "--since"),
        (
            (
                "--what",
                "table",
            ),
            2,
            "invalid choice",
        ),
    ],
)
def test_usage_errors(history: Path, args: tuple[str, ...], code: int, words: str) -> None:
    ran = run_cli("export", "--db", str(history), *args)
    assert ran.code == code and words in ran.err
    assert len(ran.err.strip().splitlines()) == 1 or code == 2


def test_missing_history_is_one_line(tmp_path: Path) -> None:
    ran = run_cli("export", "--db", str(tmp_path / "none.sqlite"))
    assert ran.code == 1 and ran.err.count("\n") == 1 and "no database yet" in ran.err


# -- manners ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("poll",),
        ("top",),
        ("families",),
        ("db", "info"),
        ("config",),
        ("config", "show"),
        ("export",),
        ("import",),
        ("serve",),
    ],
)
def test_every_command_has_help_with_examples(command: tuple[str, ...]) -> None:
    ran = run_cli(*command, "--help")
    assert ran.code == 0
    assert "example" in ran.out, command
    if command[0] in ("config", "export", "import", "serve", "poll"):
        assert "exit codes" in ran.out, command


def test_main_help_documents_exit_codes() -> None:
    out = run_cli("--help").out
    assert "exit codes: 0 ok, 1 failed" in out
    for name in ("config", "export", "import", "serve"):
        assert name in out


@pytest.mark.parametrize("no_color", [None, "1"])
def test_tables_are_plain_text_in_pipes(history: Path, no_color: str | None) -> None:
    env = {"NO_COLOR": no_color} if no_color else {}
    for args in (("top",), ("top", "--by", "country"), ("top", "--by", "model"), ("families",), ("db", "info")):
        ran = run_cli(*args, *(("--db", str(history)) if args[0] != "families" else ()), env=env)
        assert ran.code == 0, ran.err
        assert not ANSI.search(ran.out) and "\x1b" not in ran.err, args


def test_tables_are_plain_text_on_a_terminal(history: Path) -> None:
    """Under a pseudo-terminal too: hfwatch's tables never colour, so NO_COLOR has nothing to switch off."""
    pty = pytest.importorskip("pty")
    import subprocess
    import sys

    main, child = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "hfwatch", "top", "--db", str(history)],
            stdout=child,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=60,
            env={**os.environ, "NO_COLOR": "1", "TERM": "xterm-256color"},
        )
        os.close(child)
        child = -1
        chunks = []
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(main)
        if child != -1:
            os.close(child)
    out = b"".join(chunks).decode()
    assert proc.returncode == 0 and "family leaderboard" in out and "\x1b" not in out
