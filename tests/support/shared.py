"""One `Assistant` over the session's ingested bundled corpus, and the guides' PDF text for page checks."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

from assistant.core.settings import Settings
from assistant.service import Assistant

_ASSISTANTS: dict[str, Assistant] = {}


def shared_assistant(settings: Settings) -> Assistant:
    """The same extractive `Assistant` for every test module that asks (the index is opened once)."""
    key = str(settings.data_dir.resolve())
    if key not in _ASSISTANTS:
        _ASSISTANTS[key] = Assistant(settings)
    return _ASSISTANTS[key]


def with_settings(base: Assistant, **overrides) -> Assistant:
    """An `Assistant` with some settings changed, over the same embeddings and store (nothing reloaded)."""
    return Assistant(base.settings.model_copy(update=overrides), embeddings=base.embeddings, store=base.store)


def squash(text: str) -> str:
    """NFC, and every run of whitespace as one space: PDF line breaks are not part of the text."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@cache
def pdf_pages(path: Path) -> tuple[str, ...]:
    """The text layer of each page of a PDF (page 1 at index 0), whitespace-squashed, without the running
    header and footer (lines that, digits aside, repeat on most pages), so that a sentence running
    over a page break reads on."""
    from pypdf import PdfReader

    pages = [(page.extract_text() or "").split("\n") for page in PdfReader(path).pages]
    shape = lambda line: re.sub(r"\d+", "#", line.strip())  # noqa: E731
    counts = Counter(key for lines in pages for key in {shape(line) for line in lines})
    running = {key for key, n in counts.items() if key and n > len(pages) / 2}
    return tuple(squash(" ".join(line for line in lines if shape(line) not in running)) for lines in pages)


def pages_text(path: Path, first: int, last: int) -> str:
    return " ".join(pdf_pages(path)[first - 1 : last])
