#!/usr/bin/env bash
# System (Debian/Ubuntu) packages that kalo-assistant and its tests need. This is the only list of them:
# scripts/setup.sh runs this script, and .ci/run runs scripts/setup.sh.
#   chromium, chromium-driver   headless browser for tests/test_web_browser.py (/usr/bin/chromium)
#   poppler-utils               pdftoppm, for the PDF page checks
#   tesseract-ocr, -ell         OCR of scanned guides, with the Greek language data
# Already installed packages (as dpkg-query reports them) are skipped. Missing ones are installed with
# `apt-get update` once and `apt-get install -y` when running as root or with passwordless sudo;
# otherwise the script stops and prints the exact command to run.
#   bash scripts/system-packages.sh            install what is missing
#   bash scripts/system-packages.sh --check    only report; exit 1 if something is missing
#   bash scripts/system-packages.sh --list     print the package list
# KALO_SKIP_SYSTEM_PACKAGES=1 skips all of this (non-Debian systems with the equivalents installed).
set -euo pipefail

PACKAGES=(chromium chromium-driver poppler-utils tesseract-ocr tesseract-ocr-ell)

mode=${1:-install}
case "$mode" in
  install|--check|--list) ;;
  *) echo "usage: $0 [--check|--list]" >&2; exit 2 ;;
esac

# `python3 -m venv` needs Debian's python3-venv when the interpreter is the system one without ensurepip.
if ! "${PYTHON:-python3}" -c 'import ensurepip' >/dev/null 2>&1; then
  PACKAGES+=(python3-venv)
fi

if [ "$mode" = --list ]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

if [ "${KALO_SKIP_SYSTEM_PACKAGES:-}" = 1 ]; then
  echo "system packages: skipped (KALO_SKIP_SYSTEM_PACKAGES=1)"
  exit 0
fi

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
  echo "Χρειάζεται Debian/Ubuntu (apt-get) / Needs Debian/Ubuntu (apt-get): install the equivalents of" \
       "${PACKAGES[*]}, then re-run with KALO_SKIP_SYSTEM_PACKAGES=1" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${PACKAGES[*]})"
  exit 0
fi

if [ "$mode" = --check ]; then
  echo "system packages missing: ${missing[*]}"
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo)
else
  echo "Λείπουν πακέτα συστήματος και χρειάζεται root / Missing system packages, root needed; run:" \
       "sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "system packages: installing ${missing[*]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run_apt() {
  # Waits for another apt/dpkg run to release its lock instead of failing at once.
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@" >>"$log" 2>&1 || {
    tail -n 20 "$log" >&2
    echo "apt-get $* failed (output above) / απέτυχε" >&2
    exit 1
  }
}
run_apt update -q
run_apt install -y -q "${missing[@]}"
echo "system packages: installed ${missing[*]}"
