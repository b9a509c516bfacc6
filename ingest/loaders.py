"""Read guide files (PDF, DOCX, Markdown, text, saved HTML) into pages, one loader per format."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from assistant.core.documents import Heading, IngestNotes, LineStyle, LoadedDocument, Page, style_key
from assistant.core.errors import IngestError

Loader = Callable[[Path, str], LoadedDocument]
LOADERS: dict[str, Loader] = {}


def loader(*suffixes: str) -> Callable[[Loader], Loader]:
    def register(fn: Loader) -> Loader:
        for suffix in suffixes:
            LOADERS[suffix] = fn
        return fn

    return register


def supported_suffixes() -> list[str]:
    return sorted(LOADERS)


def _fail(en: str, el: str) -> IngestError:
    return IngestError(en, el)


def check_file(path: Path, max_mb: float) -> None:
    """Reject what no loader should even open: unknown types, empty and oversized files."""
    suffix = path.suffix.lower()
    if suffix not in LOADERS:
        raise _fail(
            f"unsupported format '{suffix or path.name}' (supported: {', '.join(supported_suffixes())})",
            f"μη υποστηριζόμενη μορφή «{suffix or path.name}» (υποστηρίζονται: {', '.join(supported_suffixes())})",
        )
    size = path.stat().st_size
    if size == 0:
        raise _fail("empty file (0 bytes)", "κενό αρχείο (0 bytes)")
    if size > max_mb * 1024 * 1024:
        mb = size / 1024 / 1024
        raise _fail(
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


_LIMITS: ContextVar[Limits | None] = ContextVar("kalo_load_limits", default=None)


def _too_big(what_en: str, what_el: str, found: int | float, limit: int | float) -> IngestError:
    return _fail(
        f"file too large to index: {found:,.0f} {what_en} (limit {limit:,.0f}); split it into smaller files",
        f"πολύ μεγάλο αρχείο για ευρετηρίαση: {found:,.0f} {what_el} (όριο {limit:,.0f})· χωρίστε το σε μικρότερα",
    )


def load(path: Path, source: str, limits: Limits | None = None) -> LoadedDocument:
    token = _LIMITS.set(limits or Limits())
    try:
        doc = LOADERS[path.suffix.lower()](path, source)
    finally:
        _LIMITS.reset(token)
    limits = limits or Limits()
    if len(doc.pages) > limits.pages:
        raise _too_big("pages", "σελίδες", len(doc.pages), limits.pages)
    chars = sum(len(p.text) for p in doc.pages)
    if chars > limits.chars:
        raise _too_big("characters", "χαρακτήρες", chars, limits.chars)
    if not any(p.text.strip() for p in doc.pages):
        raise _fail("no text found in the file", "δεν βρέθηκε κείμενο στο αρχείο")
    return doc


def _title_from_lines(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return fallback


# --- PDF -------------------------------------------------------------------------------------------


def _pdf_outline(reader) -> list[Heading]:
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
                raise _fail(
                    "encrypted PDF (password protected): save an unprotected copy and ingest that",
                    "κρυπτογραφημένο PDF (με κωδικό): αποθηκεύστε αντίγραφο χωρίς κωδικό και εισαγάγετε εκείνο",
                )
        limit = _LIMITS.get() or Limits()
        if len(reader.pages) > limit.pages:
            raise _too_big("pages", "σελίδες", len(reader.pages), limit.pages)
        pages = []
        chars = 0
        for i, page in enumerate(reader.pages):
            read = read_page(page)
            chars += len(read.text)
            if chars > limit.chars:
                raise _too_big("characters", "χαρακτήρες", chars, limit.chars)
            pages.append(Page(i + 1, read.text, read.styles))
            if read.reordered:
                notes.reordered_pages.append(i + 1)
        meta_title = str((reader.metadata.title if reader.metadata else None) or "")
        outline = _pdf_outline(reader)
        if pages:
            pages = _ocr_missing_text(path, reader, pages, notes)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise _fail(
            f"corrupt or unreadable PDF ({type(exc).__name__}: {str(exc)[:120]})",
            "κατεστραμμένο ή μη αναγνώσιμο PDF",
        ) from exc
    if not pages:
        raise _fail("PDF has no pages", "το PDF δεν έχει σελίδες")
    chars = sum(len(p.text.strip()) for p in pages)
    if chars < MIN_PAGE_CHARS * len(pages) and chars < 200:
        from ingest import ocr

        reason = ocr.unavailable()
        if reason:
            raise _fail(
                f"PDF has no text layer (scanned images?) and OCR is not available: {reason}",
                f"το PDF δεν έχει επίπεδο κειμένου (σαρωμένες εικόνες;) και δεν υπάρχει OCR: {ocr.INSTALL_HINT_EL}",
            )
        if not notes.no_text_pages:
            raise _fail(
                "PDF has no text layer and no page images for OCR to read",
                "το PDF δεν έχει επίπεδο κειμένου ούτε εικόνες σελίδων για OCR",
            )
        raise _fail(
            "PDF has no text layer (scanned images?) and OCR found no text in it",
            "το PDF δεν έχει επίπεδο κειμένου (σαρωμένες εικόνες;) και το OCR δεν βρήκε κείμενο",
        )
    title = meta_title.strip() or _title_from_lines(pages[0].text, path.stem)
    return LoadedDocument(
        source=source, title=title, pages=pages, kind="pdf", outline=outline, meta_title=meta_title.strip(), notes=notes
    )


# --- Text-like formats -------------------------------------------------------------------------------


_BOMS = (  # longest first: the UTF-32-LE BOM begins with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GREEK_LETTER = rb"[\xc1-\xfe]"  # α–ω, Α–Ω and accented letters in both Greek 8-bit encodings
# «Ά» is 0xA2 in cp1253 and 0xB6 in ISO-8859-7 (where 0xA2 is «’» and 0xB6 in cp1253 is «¶»); 0x80–0x9F
# are quotes and dashes in cp1253 and control codes in ISO-8859-7. Each such byte before a letter votes.
_CP1253_VOTES = re.compile(rb"[\x80-\x9f]|\xa2" + _GREEK_LETTER)
_ISO_VOTES = re.compile(rb"\xb6" + _GREEK_LETTER)  # (Έ Ή Ί Ό Ύ Ώ are the same bytes in both)


def _utf16_32_without_bom(raw: bytes) -> str | None:
    """UTF-16/32 text written without a BOM, from where its NUL bytes fall (UTF-8 and the 8-bit Greek
    encodings never contain NUL): ASCII letters, digits and spaces leave a zero in the high byte."""
    sample = raw[:65536]
    if b"\0" not in sample or len(sample) < 4:
        return None
    n = len(sample) - len(sample) % 4
    quads = [sample[i:n:4].count(0) / (n / 4) for i in range(4)]
    if quads[2] > 0.95 and quads[3] > 0.95:
        return "utf-32-le"
    if quads[0] > 0.95 and quads[1] > 0.95:
        return "utf-32-be"
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.05 and even < 0.01:
        return "utf-16-le"
    if even > 0.05 and odd < 0.01:
        return "utf-16-be"
    return None


def text_encoding(raw: bytes) -> str:
    """The encoding of a text guide: a BOM, then UTF-16/32 by its NULs, UTF-8, else the Greek 8-bit
    encoding the bytes where cp1253 and ISO-8859-7 differ point to."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding + ("-sig" if encoding == "utf-8" else "")
    wide = _utf16_32_without_bom(raw)
    if wide:
        return wide
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    cp, iso = len(_CP1253_VOTES.findall(raw)), len(_ISO_VOTES.findall(raw))
    return "iso-8859-7" if iso > cp else "cp1253"


def read_text(path: Path) -> str:
    """A text guide as the loaders read it (see `text_encoding`); the web app serves text guides with it."""
    raw = path.read_bytes()
    encoding = text_encoding(raw)
    for candidate in dict.fromkeys([encoding, "cp1253", "iso-8859-7"]):
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError:
            continue
        if candidate.startswith("utf-32") or candidate.startswith("utf-16"):
            text = text.removeprefix("\ufeff")
        return text
    raise _fail("text is not UTF-8 or a Greek encoding", "το κείμενο δεν είναι σε UTF-8 ή ελληνική κωδικοποίηση")


_FORM_FEED = re.compile(r"\f")


def _pages_from_text(text: str) -> list[Page]:
    # A form feed is the one page mark plain text has.
    return [Page(i + 1, part) for i, part in enumerate(_FORM_FEED.split(text))]


@loader(".md", ".markdown")
def load_markdown(path: Path, source: str) -> LoadedDocument:
    text = read_text(path)
    return LoadedDocument(source, _title_from_lines(text, path.stem), _pages_from_text(text), "md")


@loader(".txt")
def load_text(path: Path, source: str) -> LoadedDocument:
    text = read_text(path)
    return LoadedDocument(source, _title_from_lines(text, path.stem), _pages_from_text(text), "txt")


@loader(".html", ".htm")
def load_html(path: Path, source: str) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(read_text(path), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form", "template"]):
        tag.decompose()  # page chrome and code are not guide text
    root = soup.find("main") or soup.find("article") or soup.body or soup
    lines: list[str] = []
    for el in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre", "blockquote"]):
        if el.find_parent(["li", "tr", "p"]) is not None:
            continue  # nested content is taken with its parent
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name[0] == "h" and el.name[1:].isdigit():
            lines += ["", "#" * int(el.name[1]) + " " + text, ""]
        elif el.name == "li":
            lines.append("- " + text)
        elif el.name == "tr":
            lines.append(" | ".join(c.get_text(" ", strip=True) for c in el.find_all(["td", "th"])))
        else:
            lines += [text, ""]
    text = "\n".join(lines)
    title = (soup.title.get_text(strip=True) if soup.title else "") or _title_from_lines(text, path.stem)
    return LoadedDocument(source, title, [Page(1, text)], "html")


def _docx_heading_level(para) -> int:
    """A heading's level from its style («Heading 2») or, in localised or custom styles, from the outline
    level Word stores with the paragraph or its style (0 = level 1). 0 when the paragraph is body text."""
    style = para.style
    name = (style.name if style is not None else "") or ""
    if name.startswith("Heading") and name[7:].strip().isdigit():
        return int(name[7:].strip())
    elements = [para._p] + ([style.element] if style is not None else [])
    for element in elements:
        values = element.xpath("./w:pPr/w:outlineLvl/@w:val")
        if values and values[0].isdigit() and int(values[0]) < 9:
            return int(values[0]) + 1
    return 0


def _docx_style(para) -> LineStyle:
    """Font size and weight of a paragraph: what most of its runs say, falling back on its style."""
    style_font = para.style.font if para.style is not None else None
    runs = [r for r in para.runs if r.text.strip()]
    bold = bool(runs) and all(
        r.bold if r.bold is not None else bool(style_font is not None and style_font.bold) for r in runs
    )
    sizes = [r.font.size.pt for r in runs if r.font.size is not None]
    if not sizes and style_font is not None and style_font.size is not None:
        sizes = [style_font.size.pt]
    return LineStyle(max(sizes, default=0.0), bold)


@loader(".docx")
def load_docx(path: Path, source: str) -> LoadedDocument:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    limit = _LIMITS.get() or Limits()
    try:
        # A zip bomb is found by what its members would inflate to, before any of them is inflated.
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > limit.docx_inflated_mb * 1024 * 1024:
            raise _too_big(
                "MB once decompressed", "MB μετά την αποσυμπίεση", inflated / 1024 / 1024, limit.docx_inflated_mb
            )
        document = docx.Document(str(path))
        body = document.element.body
    except IngestError:
        raise
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, AttributeError, OSError) as exc:
        raise _fail(f"corrupt or unreadable DOCX ({type(exc).__name__})", "κατεστραμμένο ή μη αναγνώσιμο DOCX") from exc
    if len(body) > limit.docx_elements:
        raise _too_big("paragraphs and tables", "παράγραφοι και πίνακες", len(body), limit.docx_elements)
    pages: list[list[str]] = [[]]
    styles: list[dict[str, LineStyle]] = [{}]
    outline: list[Heading] = []
    meta_title = (document.core_properties.title or "").strip()
    title = meta_title
    for block in body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = docx.text.paragraph.Paragraph(block, document)
            text = para.text.strip()
            style = (para.style.name if para.style is not None else "") or ""
            level = _docx_heading_level(para) if text else 0
            if text and style == "Title" and not title:
                title = text
            elif level:
                outline.append(Heading(level, text))
                pages[-1] += ["", "#" * (level + 1) + " " + text, ""]
            elif text:
                bullet = "- " if "List" in style else ""
                pages[-1] += [bullet + text, ""]
                styles[-1].setdefault(style_key(text), _docx_style(para))
            if block.xpath('.//w:br[@w:type="page"]'):
                pages.append([])
                styles.append({})
        elif tag == "tbl":
            table = docx.table.Table(block, document)
            for row in table.rows:
                pages[-1].append(" | ".join(cell.text.strip() for cell in row.cells))
            pages[-1].append("")
    page_objs = [Page(i + 1, "\n".join(lines), st) for i, (lines, st) in enumerate(zip(pages, styles, strict=True))]
    title = title or _title_from_lines(page_objs[0].text, path.stem)
    return LoadedDocument(source, title, page_objs, "docx", outline, meta_title=meta_title)
