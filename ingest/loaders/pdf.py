"""PDF guides: the text layer page by page in reading order (ingest.pdftext), the outline as headings,
and OCR for pages that have images but no text."""

from __future__ import annotations

from pathlib import Path

from assistant.core.documents import Heading, IngestNotes, LoadedDocument, Page
from assistant.core.errors import IngestError
from ingest.loaders.base import current_limits, fail, loader, title_from_lines, too_big


def pdf_outline(reader) -> list[Heading]:
    headings: list[Heading] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            elif getattr(item, "title", None):
                headings.append(Heading(level, str(item.title).strip()))

    try:
        walk(reader.outline, 1)
    except Exception:  # a broken outline must not cost us the text
        return []
    return headings


# A page with fewer visible characters than this has no usable text layer (a scan, maybe with a stamp).
MIN_PAGE_CHARS = 20


def _has_images(page) -> bool:
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else {}
        return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)
    except Exception:
        return False


def _ocr_missing_text(path: Path, reader, pages: list[Page], notes: IngestNotes) -> list[Page]:
    from ingest import ocr

    empty = [p.number for p in pages if len(p.text.strip()) < MIN_PAGE_CHARS]
    scanned = [n for n in empty if _has_images(reader.pages[n - 1])]
    if not scanned:
        return pages
    notes.no_text_pages = scanned
    reason = ocr.unavailable()
    if reason:
        notes.warnings.append(f"{len(scanned)} page(s) without a text layer were not read: {reason}")
        return pages
    texts = ocr.ocr_pages(path, reader, scanned)
    notes.ocr_pages = [n for n in scanned if texts.get(n, "").strip()]
    if notes.ocr_pages:
        notes.warnings.append(f"OCR used on {len(notes.ocr_pages)} page(s): check the text with `kalo inspect`")
    return [Page(p.number, texts[p.number], p.styles) if texts.get(p.number, "").strip() else p for p in pages]


@loader(".pdf")
def load_pdf(path: Path, source: str) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from ingest.pdftext import read_page

    notes = IngestNotes()
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")  # many "protected" PDFs only restrict printing
            except Exception:
                unlocked = 0
            if not unlocked:
                raise fail(
                    "encrypted PDF (password protected): save an unprotected copy and ingest that",
                    "κρυπτογραφημένο PDF (με κωδικό): αποθηκεύστε αντίγραφο χωρίς κωδικό και εισαγάγετε εκείνο",
                )
        limit = current_limits()
        if len(reader.pages) > limit.pages:
            raise too_big("pages", "σελίδες", len(reader.pages), limit.pages)
        pages = []
        chars = 0
        for i, page in enumerate(reader.pages):
            read = read_page(page)
            chars += len(read.text)
            if chars > limit.chars:
                raise too_big("characters", "χαρακτήρες", chars, limit.chars)
            pages.append(Page(i + 1, read.text, read.styles))
            if read.reordered:
                notes.reordered_pages.append(i + 1)
        meta_title = str((reader.metadata.title if reader.metadata else None) or "")
        outline = pdf_outline(reader)
        if pages:
            pages = _ocr_missing_text(path, reader, pages, notes)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise fail(
            f"corrupt or unreadable PDF ({type(exc).__name__}: {str(exc)[:120]})",
            "κατεστραμμένο ή μη αναγνώσιμο PDF",
        ) from exc
    if not pages:
        raise fail("PDF has no pages", "το PDF δεν έχει σελίδες")
    chars = sum(len(p.text.strip()) for p in pages)
    if chars < MIN_PAGE_CHARS * len(pages) and chars < 200:
        from ingest import ocr

        reason = ocr.unavailable()
        if reason:
            raise fail(
                f"PDF has no text layer (scanned images?) and OCR is not available: {reason}",
                f"το PDF δεν έχει επίπεδο κειμένου (σαρωμένες εικόνες;) και δεν υπάρχει OCR: {ocr.INSTALL_HINT_EL}",
            )
        if not notes.no_text_pages:
            raise fail(
                "PDF has no text layer and no page images for OCR to read",
                "το PDF δεν έχει επίπεδο κειμένου ούτε εικόνες σελίδων για OCR",
            )
        raise fail(
            "PDF has no text layer (scanned images?) and OCR found no text in it",
            "το PDF δεν έχει επίπεδο κειμένου (σαρωμένες εικόνες;) και το OCR δεν βρήκε κείμενο",
        )
    title = meta_title.strip() or title_from_lines(pages[0].text, path.stem)
    return LoadedDocument(
        source=source, title=title, pages=pages, kind="pdf", outline=outline, meta_title=meta_title.strip(), notes=notes
    )
