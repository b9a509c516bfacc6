"""The loader registry (file suffix → loader) and what every loader shares: the checks made before a
file is opened, the per-file limits, and the errors a loader raises."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from assistant.core.documents import LoadedDocument
from assistant.core.errors import IngestError
from assistant.core.registry import Registry

Loader = Callable[[Path, str], LoadedDocument]
LOADERS: Registry[Loader] = Registry("file format", "μορφή αρχείου")


def loader(*suffixes: str) -> Callable[[Loader], Loader]:
    """Register a loader for these file suffixes (lower case, with the dot)."""

    def register(fn: Loader) -> Loader:
        for suffix in suffixes:
            LOADERS.register(suffix)(fn)
        return fn

    return register


def supported_suffixes() -> list[str]:
    return sorted(LOADERS)


def fail(en: str, el: str) -> IngestError:
    return IngestError(en, el)


def check_file(path: Path, max_mb: float) -> None:
    """Reject what no loader should even open: unknown types, empty and oversized files."""
    suffix = path.suffix.lower()
    if suffix not in LOADERS:
        raise fail(
            f"unsupported format '{suffix or path.name}' (supported: {', '.join(supported_suffixes())})",
            f"μη υποστηριζόμενη μορφή «{suffix or path.name}» (υποστηρίζονται: {', '.join(supported_suffixes())})",
        )
    size = path.stat().st_size
    if size == 0:
        raise fail("empty file (0 bytes)", "κενό αρχείο (0 bytes)")
    if size > max_mb * 1024 * 1024:
        mb = size / 1024 / 1024
        raise fail(
            f"file too large ({mb:.1f} MB > {max_mb:g} MB limit)",
            f"πολύ μεγάλο αρχείο ({mb:.1f} MB, όριο {max_mb:g} MB)",
        )


@dataclass(frozen=True)
class Limits:
    """What one file may cost (settings `max_document_chars`, `max_pages`, `max_docx_inflated_mb`,
    `max_docx_elements`): beyond them the file is refused in one line and the batch goes on."""

    chars: int = 3_000_000
    pages: int = 3_000
    docx_inflated_mb: float = 200.0
    docx_elements: int = 200_000

    @classmethod
    def of(cls, settings) -> Limits:
        return cls(
            settings.max_document_chars, settings.max_pages, settings.max_docx_inflated_mb, settings.max_docx_elements
        )


# The limits of the file being loaded, so that a loader can stop early (a loader's signature stays
# (path, source)); `load` sets them.
_LIMITS: ContextVar[Limits | None] = ContextVar("kalo_load_limits", default=None)


def current_limits() -> Limits:
    return _LIMITS.get() or Limits()


def too_big(what_en: str, what_el: str, found: int | float, limit: int | float) -> IngestError:
    return fail(
        f"file too large to index: {found:,.0f} {what_en} (limit {limit:,.0f}); split it into smaller files",
        f"πολύ μεγάλο αρχείο για ευρετηρίαση: {found:,.0f} {what_el} (όριο {limit:,.0f})· χωρίστε το σε μικρότερα",
    )


def load(path: Path, source: str, limits: Limits | None = None) -> LoadedDocument:
    limits = limits or Limits()
    token = _LIMITS.set(limits)
    try:
        doc = LOADERS.get(path.suffix.lower())(path, source)
    finally:
        _LIMITS.reset(token)
    if len(doc.pages) > limits.pages:
        raise too_big("pages", "σελίδες", len(doc.pages), limits.pages)
    chars = sum(len(p.text) for p in doc.pages)
    if chars > limits.chars:
        raise too_big("characters", "χαρακτήρες", chars, limits.chars)
    if not any(p.text.strip() for p in doc.pages):
        raise fail("no text found in the file", "δεν βρέθηκε κείμενο στο αρχείο")
    return doc


def title_from_lines(text: str, fallback: str) -> str:
    """The first non-empty line (without Markdown heading marks), for documents with no title of their own."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return fallback
