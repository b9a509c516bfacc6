"""OCR for PDF pages without a text layer: render the page (pdftoppm, else the page's own image) and read
it with Tesseract in Greek and English. Used only when the programs and the Greek data are installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

LANGUAGES = "ell+eng"
DPI = 300  # Tesseract's own recommendation for body text; 200 already loses Greek accents
PAGE_TIMEOUT = 180  # seconds per page, render and recognition each
INSTALL_HINT = "install the Debian packages tesseract-ocr and tesseract-ocr-ell (scripts/setup.sh does)"
INSTALL_HINT_EL = "εγκαταστήστε τα πακέτα tesseract-ocr και tesseract-ocr-ell (το κάνει το scripts/setup.sh)"


@cache
def unavailable() -> str:
    """Why OCR cannot run here ("" when it can)."""
    if not shutil.which("tesseract"):
        return f"Tesseract is not installed: {INSTALL_HINT}"
    try:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Tesseract does not run ({exc}): {INSTALL_HINT}"
    languages = set((listed.stdout + listed.stderr).split())
    missing = [lang for lang in LANGUAGES.split("+") if lang not in languages]
    if missing:
        return f"Tesseract lacks the language data {', '.join(missing)}: {INSTALL_HINT}"
    return ""


def _environment() -> dict[str, str]:
    # One thread per page: the machine is shared, and Tesseract's OpenMP threads gain little on one page.
    return os.environ | {"OMP_THREAD_LIMIT": "1"}


def _render(pdf: Path, number: int, out: Path) -> Path | None:
    """The page as a grey-scale PNG, by poppler's pdftoppm (annotations such as stamps included)."""
    if not shutil.which("pdftoppm"):
        return None
    prefix = out / f"page-{number}"
    cmd = ["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", "-f", str(number), "-l", str(number)]
    subprocess.run([*cmd, str(pdf), str(prefix)], check=True, capture_output=True, timeout=PAGE_TIMEOUT)
    image = prefix.with_suffix(".png")
    return image if image.exists() else None


def _page_image(page, out: Path, number: int) -> Path | None:
    """Without poppler: the largest image embedded in the page (a scan is one image per page)."""
    try:
        images = list(page.images)
    except Exception:
        return None
    if not images:
        return None
    largest = max(images, key=lambda im: len(im.data))
    path = out / f"page-{number}.png"
    largest.image.save(path)
    return path


def _recognise(image: Path) -> str:
    done = subprocess.run(
        ["tesseract", str(image), "stdout", "-l", LANGUAGES, "--psm", "3"],
        capture_output=True,
        text=True,
        timeout=PAGE_TIMEOUT,
        env=_environment(),
    )
    return done.stdout if done.returncode == 0 else ""


def ocr_pages(pdf: Path, reader, numbers: list[int]) -> dict[int, str]:
    """Text of the given pages (1-based) by OCR; a page that cannot be rendered or read maps to ""."""
    texts: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="kalo-ocr-") as tmp:
        out = Path(tmp)
        for number in numbers:
            try:
                image = _render(pdf, number, out) or _page_image(reader.pages[number - 1], out, number)
                texts[number] = _recognise(image) if image else ""
            except (OSError, subprocess.SubprocessError):
                texts[number] = ""
    return texts
