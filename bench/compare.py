"""`python -m bench.compare A.json B.json`: the budgeted figures whose verdicts differ between two runs
(a quick and a full run must agree on every one). Exit status 1 when any differs."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def verdicts(path: Path) -> dict[str, bool | None]:
    figures = json.loads(path.read_text())["figures"]
    return {f"{f['section']}: {f['name']}": f["met"] for f in figures if f["budget"]}


def differences(a: dict[str, bool | None], b: dict[str, bool | None]) -> list[str]:
    return [
        f"{name}: {a.get(name)} vs {b.get(name)}" for name in sorted(a.keys() | b.keys()) if a.get(name) != b.get(name)
    ]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    diff = differences(verdicts(Path(argv[0])), verdicts(Path(argv[1])))
    print("\n".join(diff) if diff else "every budgeted figure has the same verdict")
    return 1 if diff else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
