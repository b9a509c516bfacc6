#!/usr/bin/env bash
# Install kalo-assistant into .venv (offline-capable defaults), ingest the bundled guides, show the index.
# Then, unless --no-serve is given, start the web app on the bundled corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -d .venv ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
# torch first and pinned: this CPU build is on the machines; an unpinned torch pulls a multi-GB CUDA build.
python -m pip install -q torch==2.13.0
python -m pip install -q -e '.[dev]'
kalo ingest
kalo status
if [ "${1:-}" != "--no-serve" ]; then
  exec kalo serve
fi
