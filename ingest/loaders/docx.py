"""Word documents: paragraphs with their heading levels and font styles, tables as rows, page breaks
as pages; refused before inflating when the archive would be too large."""

from __future__ import annotations

from pathlib import Path

from assistant.core.documents import Heading, LineStyle, LoadedDocument, Page, style_key
from assistant.core.errors import IngestError
from ingest.loaders.base import current_limits, fail, loader, title_from_lines, too_big


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

    limit = current_limits()
    try:
        # A zip bomb is found by what its members would inflate to, before any of them is inflated.
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > limit.docx_inflated_mb * 1024 * 1024:
            raise too_big(
                "MB once decompressed", "MB μετά την αποσυμπίεση", inflated / 1024 / 1024, limit.docx_inflated_mb
            )
        document = docx.Document(str(path))
        body = document.element.body
    except IngestError:
        raise
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, AttributeError, OSError) as exc:
        raise fail(f"corrupt or unreadable DOCX ({type(exc).__name__})", "κατεστραμμένο ή μη αναγνώσιμο DOCX") from exc
    if len(body) > limit.docx_elements:
        raise too_big("paragraphs and tables", "παράγραφοι και πίνακες", len(body), limit.docx_elements)
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
    title = title or title_from_lines(page_objs[0].text, path.stem)
    return LoadedDocument(source, title, page_objs, "docx", outline, meta_title=meta_title)
