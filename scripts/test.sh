#!/usr/bin/env bash
# The test command: lint, then the whole suite (offline; servers it needs are started by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .venv ] && . .venv/bin/activate
ruff check .
python -m pytest -q "$@"
