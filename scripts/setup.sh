#!/usr/bin/env bash
# Install kalo-assistant: system packages (scripts/system-packages.sh), then .venv with the project
# (offline-capable defaults), ingest the bundled guides, show the index.
# Then, unless --no-serve is given, start the web app on the bundled corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Χρειάζεται Python ≥ 3.11 / Python ≥ 3.11 needed: $PYTHON is $("$PYTHON" --version 2>&1 || echo missing);" \
       "set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
PYTHON="$PYTHON" bash scripts/system-packages.sh
[ -d .venv ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
# torch first and pinned: this CPU build is on the machines; an unpinned torch pulls a multi-GB CUDA build.
python -m pip install -q torch==2.13.0
python -m pip install -q -e '.[dev]'
# pip compiles what it installs, but not an editable project's own sources: compile them once, so every
# `kalo` start reads bytecode even where PYTHONDONTWRITEBYTECODE keeps Python from caching it (#13).
python -m compileall -q assistant ingest eval prompts
kalo ingest
kalo status
if [ "${1:-}" != "--no-serve" ]; then
  exec kalo serve
fi
