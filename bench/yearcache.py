"""The synthetic years, built once and kept between runs: building the 50k-model year is a third of a
quick run. The key is a digest of everything the file is made from (the generator's sources, the
store's schema, the family registry, size and seed), so a change to any of them builds a new one."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from pathlib import Path

from bench import history
from hfwatch.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "bench/history.py",
    "bench/catalogue.py",
    "hfwatch/store/schema.py",
    "hfwatch/store/ingest.py",
    "hfwatch/data/families.toml",
)
# Years of one size kept at once: checkouts of different code (their keys differ) each keep theirs.
KEEP = 3


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hfwatch-bench"


def _key(n: int, seed: int) -> str:
    digest = hashlib.sha256(f"{n}:{seed}:{history.NOW}".encode())
    for name in SOURCES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def year(dest: Path, n: int, registry: Registry, *, fresh: bool = False, seed: int = 5) -> tuple[history.History, bool]:
    """A copy at `dest` of the year of n models (the cached one, or a new build); True if it was cached.
    Runs write to their copy, never to the cache."""
    cached = cache_dir() / f"year-{n}-{_key(n, seed)}.sqlite"
    meta = cached.with_suffix(".json")
    hit = not fresh and cached.exists() and meta.exists()
    if not hit:
        cached.parent.mkdir(parents=True, exist_ok=True)
        _forget_old(cached.parent, n)
        # A build of its own per process: runs of two checkouts at once (their keys differ) must not
        # write one file.
        built = history.generate(cached.with_suffix(f".{os.getpid()}.tmp"), n, registry, seed=seed)
        os.replace(built.path, cached)
        meta.write_text(json.dumps({**dataclasses.asdict(built), "path": str(cached)}))
    shutil.copyfile(cached, dest)
    fields = json.loads(meta.read_text())
    return history.History(**{**fields, "path": dest}), hit


def _forget_old(folder: Path, n: int) -> None:
    """Keep the KEEP latest years of this size (another checkout's key may be in use), delete the rest."""
    years = sorted(folder.glob(f"year-{n}-*.sqlite"), key=_mtime, reverse=True)
    for old in years[KEEP - 1 :]:
        old.unlink(missing_ok=True)
        old.with_suffix(".json").unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    """When the year was written; 0 for one another checkout's run has just deleted."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
