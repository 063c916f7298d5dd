#!/bin/sh
# Install hfwatch as users do - a built wheel in a fresh virtual environment, not editable - and run it
# there, so a data file missing from the package (registry, styles, demo catalogue) fails `make test`.
# Dependencies come through pip as for any user (pip's cache keeps it quick), or, when DEPS_SITE names the
# site-packages of an environment that already has them (`make test` passes the dev venv's), from there: the
# wheel itself is still installed alone, and must be what `import hfwatch` finds.
set -eu
PYTHON=${PYTHON:-python3}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
log="$work/pip.log"
pip() { "$work/venv/bin/python" -m pip --disable-pip-version-check "$@" >>"$log" 2>&1 || { cat "$log" >&2; exit 1; }; }

"$PYTHON" -m venv "$work/venv"
pip wheel --quiet --no-deps -w "$work/dist" "$src"
if [ -n "${DEPS_SITE:-}" ]; then
  # A path in a .pth file joins sys.path after the venv's own site-packages, and the .pth files inside it
  # (the dev venv's editable hfwatch) are not read: only the wheel's hfwatch can be imported.
  "$work/venv/bin/python" -c 'import site; print(site.getsitepackages()[0])' | {
    read -r site_dir; echo "$DEPS_SITE" > "$site_dir/_smoke_deps.pth"; }
  pip install --quiet --no-deps "$work/dist"/hfwatch-*.whl
  pip check
else
  pip install --quiet "$work/dist"/hfwatch-*.whl
fi

# Run from an empty directory with a clean environment: nothing may come from the source tree.
cd "$work"
run() { env -u PYTHONPATH HFWATCH_CONFIG="$work/none.toml" HF_HUB_DISABLE_TELEMETRY=1 "$work/venv/bin/hfwatch" "$@"; }
where=$("$work/venv/bin/python" -c 'import hfwatch, sys; sys.stdout.write(hfwatch.__file__)')
case "$where" in
  "$work/venv/"*) ;;
  *) echo "wheel_smoke: hfwatch imported from $where, not from the installed wheel" >&2; exit 1 ;;
esac
# Every data file of the source package (registry, styles, catalogues) is in the installed one; notes for
# people (*.md) are not read at run time and stay out of the wheel.
"$work/venv/bin/python" - "$src/hfwatch" <<'PY'
import pathlib
import sys

import hfwatch

src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(hfwatch.__file__).parent
missing = [str(p.relative_to(src)) for p in src.rglob("*")
           if p.is_file() and p.suffix not in (".py", ".pyc", ".md") and "__pycache__" not in p.parts
           and not (dst / p.relative_to(src)).exists()]
if missing:
    sys.exit(f"wheel_smoke: the wheel lacks {', '.join(sorted(missing))} (see [tool.setuptools.package-data])")
PY
run --version
run families > "$work/families.txt"
head -1 "$work/families.txt"
run poll --demo --db "$work/h.sqlite"
run top --db "$work/h.sqlite" --limit 3 > /dev/null
echo "wheel_smoke: ok ($(basename "$work"/dist/hfwatch-*.whl))"
