#!/usr/bin/env bash
# The test command: check prerequisites, lint, then the whole suite (offline; servers it needs are
# started by the tests). Arguments go to pytest. pytest's exit code is kept (5 = no tests collected fails).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d .venv ]; then . .venv/bin/activate; fi

missing=()
if ! command -v kalo >/dev/null || ! python -c 'import assistant, ingest' 2>/dev/null; then
  missing+=(".venv (kalo)")
fi
command -v ruff >/dev/null || missing+=(ruff)
python -c 'import xdist' 2>/dev/null || missing+=("pytest-xdist (.venv)")
chromium=${KALO_TEST_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || missing+=("chromium ($chromium)")
command -v pdftoppm >/dev/null || missing+=("pdftoppm (poppler-utils)")
if ! command -v tesseract >/dev/null; then
  missing+=("tesseract (tesseract-ocr)")
elif ! tesseract --list-langs 2>/dev/null | grep -qx ell; then
  missing+=("tesseract ell (tesseract-ocr-ell)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  list=$(printf '%s, ' "${missing[@]}")
  echo "Λείπουν / Missing: ${list%, } — εκτελέστε / run: bash scripts/setup.sh --no-serve" >&2
  exit 2
fi

ruff check .
# Two workers, each taking whole modules (module fixtures start their servers once) in the order of
# tests/conftest.py, which puts the modules that wait for the real-model indexes last.
python -m pytest -q -n "${KALO_TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder "$@"
