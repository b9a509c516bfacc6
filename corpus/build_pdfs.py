"""Render the Markdown guides in ``corpus/sources/`` to published-looking A4 PDFs.

The assistant ingests *PDF* guides, the way it would meet real public-sector
documents, so the corpus is authored as Markdown (easy to edit and review) and
turned into PDFs by this script: a cover page, a running header and footer,
top-level sections set apart by extra space (never stranded at a page
bottom), bookmarks and document metadata.

Usage::

    python corpus/build_pdfs.py                      # every corpus/sources/*.md
    python corpus/build_pdfs.py corpus/sources/x.md  # only the given files
    python corpus/build_pdfs.py --out-dir /tmp a.md  # write somewhere else

Each ``<stem>.md`` becomes ``<out-dir>/<stem>.pdf`` (default ``corpus/guides``).
Output is deterministic: an unchanged source rebuilds to a byte-identical PDF.

Supported Markdown (a strict subset that the guides follow):
``# Title`` then an italic ``*subtitle*`` line; numbered headings ``## 1. ...``,
``### 1.1 ...``, ``#### 1.1.1 ...``; one-line paragraphs with ``**bold**``;
``- bullets`` and ``1. ordered`` items (checklist items start with "☐ ");
GitHub pipe tables.

What the ingestion pipeline can rely on in the extracted text: the running
header (guide title) and the footer ("Σελίδα N") are exactly one line each,
headings sit on their own line, ordered items read "1) ..." (never "1. ...",
which is reserved for headings) and bullets read "• ...".
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import PageMode, XPos, YPos
from fpdf.fonts import FontFace

CORPUS_DIR = Path(__file__).resolve().parent
SOURCES_DIR = CORPUS_DIR / "sources"
GUIDES_DIR = CORPUS_DIR / "guides"
FONTS_DIR = CORPUS_DIR / "fonts"

# DejaVu Sans ships in the repo (not read from /usr/share/fonts) because fresh
# machines may lack it, and the standard PDF fonts have no Greek glyphs.
FONT = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

AUTHOR = "kalo-assistant (ενδεικτικό σώμα οδηγών)"
EDITION = "Έκδοση 2026"
# A fixed date keeps rebuilds byte-identical (fpdf2 defaults to "now").
CREATION_DATE = datetime(2026, 1, 1, tzinfo=UTC)

# Layout, in millimetres / points.
MARGIN_X = 17.0
MARGIN_TOP = 20.5
MARGIN_BOTTOM = 18.0
HEADER_Y = 11.0
HEADER_RULE_Y = 16.5
FOOTER_Y = -14.0
BODY_SIZE = 9.5
BODY_LINE = 4.4
LIST_INDENT = 4.0
MARKER_WIDTH = 7.0
TABLE_SIZE = 8.5
TABLE_LINE = 3.8
TABLE_PAD_X = 1.8
TABLE_PAD_Y = 0.8
# Cells up to this many characters (amounts, durations) are kept unwrapped.
SHORT_CELL_CHARS = 16
# A heading with less room than this below it moves to the next page, so it is
# never stranded at the bottom without its text.
KEEP_WITH_NEXT = 25.0

TEXT_COLOR = (33, 33, 33)
MUTED_COLOR = (110, 110, 110)
ACCENT_COLOR = (20, 70, 120)
RULE_COLOR = (170, 170, 170)
TABLE_HEAD_FILL = (225, 232, 240)
TABLE_ROW_FILL = (246, 247, 249)


@dataclass(frozen=True)
class HeadingStyle:
    """Typography of one heading level."""

    size: float
    min_size: float  # long headings shrink down to this before wrapping
    line: float
    space_before: float
    space_after: float


# Index = outline level: 0 for "##", 1 for "###", 2 for "####".
HEADING_STYLES = (
    HeadingStyle(size=14.5, min_size=12.0, line=6.8, space_before=7.0, space_after=3.0),
    HeadingStyle(size=12.0, min_size=10.0, line=5.4, space_before=3.5, space_after=1.4),
    HeadingStyle(size=10.5, min_size=10.0, line=5.0, space_before=2.5, space_after=1.0),
)
PARAGRAPH_GAP = 1.2
LIST_ITEM_GAP = 0.3


# --------------------------------------------------------------------------
# Document model and parsing
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """A numbered section heading."""

    level: int  # outline level: 0 = "##", 1 = "###", 2 = "####"
    text: str


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of body text (may contain ``**bold**``)."""

    text: str


@dataclass(frozen=True)
class ListItem:
    """A bullet, checklist or ordered item, with the marker it is drawn with."""

    marker: str  # "•", "☐" or "3)"
    text: str


@dataclass(frozen=True)
class Table:
    """A pipe table."""

    rows: tuple[tuple[str, ...], ...]  # rows[0] is the header row


Block = Heading | Paragraph | ListItem | Table


@dataclass(frozen=True)
class Guide:
    """A parsed guide: cover texts plus body blocks."""

    title: str
    subtitle: str
    blocks: tuple[Block, ...]


HEADING_RE = re.compile(r"^(#{2,4})\s+(.+?)\s*$")
BULLET_RE = re.compile(r"^[-*+]\s+(.+?)\s*$")
ORDERED_RE = re.compile(r"^(\d+)[.)]\s+(.+?)\s*$")
SUBTITLE_RE = re.compile(r"^\*(?!\*)(.+?)\*$")
TABLE_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
CHECKBOX = "☐"


def split_table_row(line: str) -> tuple[str, ...]:
    """Split ``| a | b |`` into ``("a", "b")``."""
    inner = line.strip().removeprefix("|").removesuffix("|")
    return tuple(cell.strip() for cell in inner.split("|"))


def is_table_start(lines: list[str], index: int) -> bool:
    """Tell whether a table (pipe row, then ``|---|`` separator) starts at ``index``."""
    return (
        lines[index].startswith("|")
        and index + 1 < len(lines)
        and TABLE_SEPARATOR_RE.match(lines[index + 1].strip()) is not None
    )


def parse_table(lines: list[str], index: int) -> tuple[Table, int]:
    """Parse the table starting at ``index``; return it and the next index."""
    header = split_table_row(lines[index])
    rows = [header]
    index += 2  # header row + separator row
    while index < len(lines) and lines[index].startswith("|"):
        cells = split_table_row(lines[index])
        # Pad or cut ragged rows so every row has the header's column count.
        rows.append((cells + ("",) * len(header))[: len(header)])
        index += 1
    return Table(tuple(rows)), index


def list_item(marker: str, text: str) -> ListItem:
    """Build a list item; a leading "☐" replaces the bullet as the marker."""
    if text.startswith(CHECKBOX):
        return ListItem(CHECKBOX, text.removeprefix(CHECKBOX).strip())
    return ListItem(marker, text)


def parse_line(line: str) -> Block | None:
    """Parse a one-line block; ``None`` means plain paragraph text."""
    if match := HEADING_RE.match(line):
        return Heading(len(match[1]) - 2, strip_bold(match[2]))
    if match := BULLET_RE.match(line):
        return list_item("•", match[1])
    if match := ORDERED_RE.match(line):
        # "1)" rather than "1.": in extracted text "1." marks headings.
        return ListItem(f"{match[1]})", match[2])
    if line.startswith(CHECKBOX):
        return list_item(CHECKBOX, line)
    return None


def parse_body(lines: list[str]) -> tuple[Block, ...]:
    """Parse everything after the title block into rendering blocks."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        # Tolerate hard-wrapped paragraphs by joining consecutive text lines.
        if paragraph:
            blocks.append(Paragraph(" ".join(paragraph)))
            paragraph.clear()

    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if is_table_start(lines, index):
            flush_paragraph()
            table, index = parse_table(lines, index)
            blocks.append(table)
            continue
        index += 1
        block = parse_line(line) if line else None
        if block is None and line:
            paragraph.append(line)
            continue
        flush_paragraph()
        if block is not None:
            blocks.append(block)
    flush_paragraph()
    return tuple(blocks)


def parse_guide(markdown: str) -> Guide:
    """Parse a whole guide: ``# Title``, optional ``*subtitle*``, then body."""
    lines = [line.rstrip() for line in markdown.splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines or not lines[0].startswith("# "):
        message = "the first line must be '# Title'"
        raise ValueError(message)
    title = strip_bold(lines[0][2:].strip())
    rest = lines[1:]
    while rest and not rest[0].strip():
        rest.pop(0)
    subtitle = ""
    if rest and (match := SUBTITLE_RE.match(rest[0].strip())):
        subtitle = match[1].strip()
        rest = rest[1:]
    return Guide(title, subtitle, parse_body(rest))


# --------------------------------------------------------------------------
# Inline text
# --------------------------------------------------------------------------

# fpdf2's markdown mode also treats "__", "~~" and "--" as style markers; the
# guides only use "**", so the others are backslash-escaped to stay literal.
OTHER_MARKERS_RE = re.compile(r"(__|~~|--)")


def inline(text: str) -> str:
    """Prepare text for fpdf2 markdown: keep ``**bold**``, nothing else."""
    return OTHER_MARKERS_RE.sub(r"\\\1", text)


def strip_bold(text: str) -> str:
    """Drop ``**`` markers where styling is not possible (outline, header)."""
    return text.replace("**", "")


# --------------------------------------------------------------------------
# PDF rendering
# --------------------------------------------------------------------------


class GuidePDF(FPDF):
    """A4 document with a bare cover page and running header/footer after it."""

    def __init__(self, guide_title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.guide_title = guide_title
        self.last_outline_level = -1
        for style, filename in FONT_FILES.items():
            self.add_font(FONT, style=style, fname=FONTS_DIR / filename)
        self.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
        self.set_auto_page_break(auto=True, margin=MARGIN_BOTTOM)

    def header(self) -> None:
        """Draw the running header (guide title and a rule); fpdf2 calls it."""
        if self.page_no() == 1:  # the cover page stays clean
            return
        self.set_font(FONT, size=fit_font_size(self, self.guide_title, 8.0))
        self.set_text_color(*MUTED_COLOR)
        self.set_xy(self.l_margin, HEADER_Y)
        # A single cell, never wrapped: ingestion strips it as exactly one line.
        self.cell(self.epw, 4, self.guide_title, align="L")
        self.set_draw_color(*RULE_COLOR)
        self.set_line_width(0.2)
        self.line(self.l_margin, HEADER_RULE_Y, self.w - self.r_margin, HEADER_RULE_Y)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        """Draw the centred page number; fpdf2 calls it."""
        if self.page_no() == 1:
            return
        self.set_y(FOOTER_Y)
        self.set_font(FONT, size=8.5)
        self.set_text_color(*MUTED_COLOR)
        self.cell(0, 5, f"Σελίδα {self.page_no()}", align="C")

    def at_page_top(self) -> bool:
        """Tell whether nothing has been written on the current body page yet."""
        return self.page_no() > 1 and math.isclose(self.get_y(), self.t_margin)

    def ensure_space(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit above the bottom margin."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def vertical_gap(self, height: float) -> None:
        """Add vertical space, except at the top of a page where it looks odd."""
        if not self.at_page_top():
            self.set_y(self.get_y() + height)

    def body_font(self, size: float = BODY_SIZE, *, bold: bool = False) -> None:
        """Select the body typeface and text colour."""
        self.set_font(FONT, style="B" if bold else "", size=size)
        self.set_text_color(*TEXT_COLOR)


def fit_font_size(pdf: FPDF, text: str, size: float, *, minimum: float = 6.0, style: str = "") -> float:
    """Return the largest size that lets ``text`` fit the text width on one line.

    Sizes are tried from ``size`` down to ``minimum`` in 0.5 pt steps; if none
    fits, ``minimum`` is returned (and the caller's text will wrap).
    """
    while size > minimum:
        pdf.set_font(FONT, style=style, size=size)
        # Cells keep a small inner margin on both sides.
        if pdf.get_string_width(text) <= pdf.epw - 2 * pdf.c_margin:
            return size
        size -= 0.5
    return minimum


def render_cover(pdf: GuidePDF, guide: Guide) -> None:
    """Page 1: accent band, title, subtitle and edition line."""
    pdf.add_page()
    pdf.set_fill_color(*ACCENT_COLOR)
    pdf.rect(0, 0, 9, pdf.h, style="F")
    pdf.set_y(78)
    pdf.set_font(FONT, style="B", size=26)
    pdf.set_text_color(*ACCENT_COLOR)
    pdf.multi_cell(0, 11.5, guide.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*ACCENT_COLOR)
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, pdf.get_y() + 5, pdf.l_margin + 40, pdf.get_y() + 5)
    pdf.set_y(pdf.get_y() + 11)
    if guide.subtitle:
        pdf.set_font(FONT, size=13)
        pdf.set_text_color(*MUTED_COLOR)
        pdf.multi_cell(0, 6.5, guide.subtitle, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(238)
    pdf.body_font(size=11, bold=True)
    pdf.cell(0, 6, EDITION, align="L")


def render_heading(pdf: GuidePDF, heading: Heading) -> None:
    """Bold heading with a bookmark, moved to the next page if it would be stranded."""
    style = HEADING_STYLES[heading.level]
    pdf.ensure_space(KEEP_WITH_NEXT)
    # Outline levels may not skip (fpdf2 raises), so clamp a stray "####".
    level = min(heading.level, pdf.last_outline_level + 1)
    pdf.last_outline_level = level
    pdf.start_section(heading.text, level=level)
    # Shrink an over-long heading (within limits) rather than wrap it: in the
    # extracted text a heading should stay a single line.
    size = fit_font_size(pdf, heading.text, style.size, minimum=style.min_size, style="B")
    pdf.set_font(FONT, style="B", size=size)
    pdf.set_text_color(*(ACCENT_COLOR if heading.level < 2 else TEXT_COLOR))
    pdf.multi_cell(0, style.line, heading.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if heading.level == 0:
        pdf.set_draw_color(*ACCENT_COLOR)
        pdf.set_line_width(0.4)
        pdf.line(pdf.l_margin, pdf.get_y() + 1.5, pdf.w - pdf.r_margin, pdf.get_y() + 1.5)
    pdf.set_y(pdf.get_y() + style.space_after)


def render_paragraph(pdf: GuidePDF, paragraph: Paragraph) -> None:
    """Body paragraph with inline bold."""
    pdf.body_font()
    pdf.multi_cell(
        0,
        BODY_LINE,
        inline(paragraph.text),
        # Left-aligned, not justified: justification stretches word gaps and
        # text extractors then emit double spaces between words.
        align="L",
        markdown=True,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )


def render_list_item(pdf: GuidePDF, item: ListItem) -> None:
    """Marker in its own cell, text in a block to its right: a hanging indent."""
    pdf.body_font()
    pdf.set_x(pdf.l_margin + LIST_INDENT)
    pdf.cell(MARKER_WIDTH, BODY_LINE, item.marker)
    pdf.multi_cell(
        pdf.epw - LIST_INDENT - MARKER_WIDTH,
        BODY_LINE,
        inline(item.text),
        align="L",
        markdown=True,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )


def text_width(pdf: FPDF, text: str, *, bold: bool) -> float:
    """Width in mm of ``text`` in the table font."""
    pdf.set_font(FONT, style="B" if bold else "", size=TABLE_SIZE)
    return pdf.get_string_width(strip_bold(text))


def cell_min_width(pdf: FPDF, text: str, *, bold: bool) -> float:
    """Narrowest width at which ``text`` still wraps acceptably.

    Short cells such as "84,40 €" or "10 έτη" stay on one line; longer ones
    may break between words but never inside one.
    """
    if len(text) <= SHORT_CELL_CHARS:
        return text_width(pdf, text, bold=bold)
    return max(text_width(pdf, word, bold=bold) for word in text.split())


def column_widths(pdf: GuidePDF, rows: tuple[tuple[str, ...], ...]) -> tuple[float, ...]:
    """Column widths in mm, in the manner of browsers' automatic table layout.

    Every column gets its minimum width and the remaining space goes to the
    columns in proportion to how much more they would need to avoid wrapping.
    """
    pad = 2 * TABLE_PAD_X + 0.5
    minimum: list[float] = []
    natural: list[float] = []
    for column in zip(*rows, strict=True):
        cells = [(cell, index == 0) for index, cell in enumerate(column) if cell]
        minimum.append(pad + max((cell_min_width(pdf, c, bold=b) for c, b in cells), default=0))
        natural.append(pad + max((text_width(pdf, c, bold=b) for c, b in cells), default=0))
    if sum(natural) <= pdf.epw:
        return tuple(width * pdf.epw / sum(natural) for width in natural)
    if sum(minimum) >= pdf.epw:  # even the minimums overflow: scale them down
        return tuple(width * pdf.epw / sum(minimum) for width in minimum)
    spare = pdf.epw - sum(minimum)
    extra = [nat - low for nat, low in zip(natural, minimum, strict=True)]
    return tuple(low + spare * more / sum(extra) for low, more in zip(minimum, extra, strict=True))


def render_table(pdf: GuidePDF, table: Table) -> None:
    """Full-width grid table, bold shaded header row repeated on page breaks."""
    widths = column_widths(pdf, table.rows)  # measuring changes the font
    pdf.body_font(size=TABLE_SIZE)
    pdf.set_draw_color(*RULE_COLOR)
    pdf.set_line_width(0.2)
    # fpdf2 paints unshaded cells with the current fill colour (the cover's
    # accent colour would leak in), so make that white.
    pdf.set_fill_color(255)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        text_align="LEFT",
        v_align="TOP",
        markdown=True,
        line_height=TABLE_LINE,
        padding=(TABLE_PAD_Y, TABLE_PAD_X),
        headings_style=FontFace(emphasis="BOLD", color=TEXT_COLOR, fill_color=TABLE_HEAD_FILL),
        cell_fill_color=TABLE_ROW_FILL,
        cell_fill_mode="ROWS",
    ) as pdf_table:
        for cells in table.rows:
            row = pdf_table.row()
            for cell in cells:
                row.cell(inline(cell))
    pdf.set_x(pdf.l_margin)


def gap_before(previous: Block | None, block: Block) -> float:
    """Vertical space between two consecutive blocks."""
    if previous is None or isinstance(previous, Heading):
        return 0.0  # headings add their own space below
    if isinstance(block, Heading):
        return HEADING_STYLES[block.level].space_before
    if isinstance(previous, ListItem) and isinstance(block, ListItem):
        return LIST_ITEM_GAP
    return PARAGRAPH_GAP


def render_block(pdf: GuidePDF, block: Block) -> None:
    """Dispatch one block to its renderer."""
    match block:
        case Heading():
            render_heading(pdf, block)
        case Paragraph():
            render_paragraph(pdf, block)
        case ListItem():
            render_list_item(pdf, block)
        case Table():
            render_table(pdf, block)


def set_metadata(pdf: GuidePDF, guide: Guide) -> None:
    """Document info, language and a fixed date (for reproducible output)."""
    pdf.set_title(guide.title)
    pdf.set_author(AUTHOR)
    pdf.set_subject(guide.subtitle or guide.title)
    pdf.set_creator("corpus/build_pdfs.py")
    pdf.set_lang("el")
    pdf.set_creation_date(CREATION_DATE)
    # Open with the bookmarks panel visible, as published reports usually do.
    pdf.page_mode = PageMode.USE_OUTLINES


def build_pdf(guide: Guide) -> GuidePDF:
    """Lay out a parsed guide: cover page, then the body blocks in order."""
    pdf = GuidePDF(guide.title)
    set_metadata(pdf, guide)
    render_cover(pdf, guide)
    previous: Block | None = None
    for block in guide.blocks:
        if pdf.page_no() == 1:  # body text never goes on the cover
            pdf.add_page()
        pdf.vertical_gap(gap_before(previous, block))
        render_block(pdf, block)
        previous = block
    return pdf


def render_file(source: Path, out_dir: Path) -> tuple[Path, int, bool]:
    """Render one guide; return (pdf path, page count, whether it changed)."""
    pdf = build_pdf(parse_guide(source.read_text(encoding="utf-8")))
    data = bytes(pdf.output())
    target = out_dir / f"{source.stem}.pdf"
    # Leave an identical file untouched so its mtime stays meaningful.
    changed = not target.exists() or target.read_bytes() != data
    if changed:
        target.write_bytes(data)
    return target, pdf.pages_count, changed


def main(argv: list[str] | None = None) -> int:
    """Render the given (or all) guides; return the process exit code."""
    parser = argparse.ArgumentParser(description="Render Markdown guides to published-looking A4 PDFs.")
    parser.add_argument("sources", nargs="*", type=Path, help="Markdown guides (default: corpus/sources/*.md)")
    parser.add_argument("--out-dir", type=Path, default=GUIDES_DIR, help="output directory (default: corpus/guides)")
    args = parser.parse_args(argv)
    sources: list[Path] = args.sources or sorted(SOURCES_DIR.glob("*.md"))
    if not sources:
        print(f"no Markdown sources found in {SOURCES_DIR}", file=sys.stderr)
        return 1
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for source in sources:
        target, pages, changed = render_file(source, args.out_dir)
        status = "written" if changed else "unchanged"
        print(f"{source} -> {target} ({pages} pages, {status})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
