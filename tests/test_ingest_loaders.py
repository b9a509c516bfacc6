"""Loaders, one per format, each fed a file built inside the test; then cleaning and chunking on top."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from conftest import GREEK_SENTENCES, REPO

from assistant.core.documents import Heading
from ingest.chunk import FRONT_MATTER, chunk_document
from ingest.clean import clean_document, normalize
from ingest.loaders import load, supported_suffixes

FONT = REPO / "corpus" / "fonts" / "DejaVuSans.ttf"
PDF_TITLE = "Οδηγός PDF δοκιμής"
LONG_HEADING = "3. Μια μεγάλη επικεφαλίδα που αναδιπλώνεται σε δύο γραμμές"


def _chunks(path: Path, size: int = 1100):
    return chunk_document(clean_document(load(path, path.name)), size, 150)


def _sections(chunks) -> list[str]:
    return list(dict.fromkeys(c.section for c in chunks))


# --- PDF ---------------------------------------------------------------------------------------------


def make_pdf(path: Path, sections: list[tuple[int, str, list[str]]], title: str = PDF_TITLE) -> Path:
    """An A4 PDF like a published guide: running header (title) and footer («Σελίδα N»), bookmarks for
    every heading, each top-level section on a new page."""
    from fpdf import FPDF

    class Guide(FPDF):
        def header(self):
            self.set_font("DejaVu", size=8)
            self.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

        def footer(self):
            self.set_y(-15)
            self.set_font("DejaVu", size=8)
            self.cell(0, 6, f"Σελίδα {self.page_no()}", align="C")

    pdf = Guide()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_title(title)
    pdf.set_auto_page_break(True, margin=20)
    for level, heading, paragraphs in sections:
        if level == 1:
            pdf.add_page()
        pdf.start_section(heading, level=level - 1)
        pdf.set_font("DejaVu", size=13 if level == 1 else 11)
        # Narrow heading cells so that the long heading wraps onto a second line, as in real guides.
        pdf.multi_cell(90, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=10)
        for para in paragraphs:
            pdf.multi_cell(0, 5, para, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.output(str(path))
    return path


PDF_SECTIONS = [
    (1, "1. Εισαγωγή", [GREEK_SENTENCES[0] + " " + GREEK_SENTENCES[1]]),
    (2, "1.1 Σκοπός του οδηγού", [GREEK_SENTENCES[2], GREEK_SENTENCES[3]]),
    (1, "2. Νομικά εργαλεία", [GREEK_SENTENCES[4]]),
    (2, "2.1 Προγραμματική σύμβαση", [GREEK_SENTENCES[5] + " " + GREEK_SENTENCES[6]]),
    (2, "2.2 Παραχώρηση χρήσης", [GREEK_SENTENCES[9]]),
    # Long enough to run over onto the next page.
    (1, LONG_HEADING, [" ".join(GREEK_SENTENCES[(i + k) % 16] for k in range(4)) for i in range(16)]),
]


@pytest.fixture
def guide_pdf(tmp_path) -> Path:
    return make_pdf(tmp_path / "odigos.pdf", PDF_SECTIONS)


def test_pdf_loader_reads_pages_outline_and_title(guide_pdf):
    doc = load(guide_pdf, "odigos.pdf")
    assert doc.kind == "pdf" and doc.source == "odigos.pdf"
    assert doc.title == PDF_TITLE  # from the document metadata
    assert len(doc.pages) == 4 and [p.number for p in doc.pages] == [1, 2, 3, 4]
    assert doc.outline == [Heading(level, title) for level, title, _ in PDF_SECTIONS]
    assert "Σκοπός του οδηγού" in doc.pages[0].text
    assert "3. Μια μεγάλη επικεφαλίδα που\nαναδιπλώνεται σε δύο γραμμές" in normalize(doc.pages[2].text)


def test_pdf_chunks_follow_the_outline_and_drop_headers_and_footers(guide_pdf):
    chunks = _chunks(guide_pdf)
    assert _sections(chunks) == [
        "1. Εισαγωγή",
        "1. Εισαγωγή > 1.1 Σκοπός του οδηγού",
        "2. Νομικά εργαλεία",
        "2. Νομικά εργαλεία > 2.1 Προγραμματική σύμβαση",
        "2. Νομικά εργαλεία > 2.2 Παραχώρηση χρήσης",
        LONG_HEADING,  # wrapped over two lines in the PDF, found all the same
    ]
    for chunk in chunks:
        lines = chunk.text.split("\n")
        assert PDF_TITLE not in chunk.text, chunk.text
        assert not any(line.startswith("Σελίδα") for line in lines), chunk.text
        assert not any(title in lines for _, title, _ in PDF_SECTIONS), chunk.text
        assert unicodedata.is_normalized("NFC", chunk.text)


def test_pdf_chunk_pages(guide_pdf):
    chunks = _chunks(guide_pdf)
    pages = {c.section: (c.page_start, c.page_end) for c in chunks}
    assert pages["1. Εισαγωγή > 1.1 Σκοπός του οδηγού"] == (1, 1)
    assert pages["2. Νομικά εργαλεία > 2.2 Παραχώρηση χρήσης"] == (2, 2)
    last = [c for c in chunks if c.section == LONG_HEADING]
    assert last[0].page_start == 3 and last[-1].page_end == 4
    assert all(c.page_start <= c.page_end for c in chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_pdf_paragraphs_wrapped_over_lines_are_rejoined(guide_pdf):
    text = "\n".join(c.text for c in _chunks(guide_pdf))
    assert GREEK_SENTENCES[5] + " " + GREEK_SENTENCES[6] in text


def test_pdf_without_outline_uses_numbered_headings(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=10)
    pdf.set_title("Οδηγός χωρίς σελιδοδείκτες")
    pdf.add_page()
    for line in [
        "Οδηγός χωρίς σελιδοδείκτες",
        "1. Εισαγωγή",
        GREEK_SENTENCES[0],
        "1.1 Ορισμοί",
        GREEK_SENTENCES[1],
        "2. Εργαλεία",
        GREEK_SENTENCES[2],
    ]:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "plain.pdf"))
    chunks = _chunks(tmp_path / "plain.pdf")
    assert _sections(chunks) == [FRONT_MATTER, "1. Εισαγωγή", "1. Εισαγωγή > 1.1 Ορισμοί", "2. Εργαλεία"]
    assert chunks[1].text == GREEK_SENTENCES[0]


# --- DOCX --------------------------------------------------------------------------------------------


def test_docx_headings_become_sections(tmp_path):
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.add_paragraph("Οδηγός DOCX δοκιμής", style="Title")
    document.add_paragraph("Εισαγωγικό σημείωμα για τους αναγνώστες.")
    document.add_heading("1. Εισαγωγή", level=1)
    document.add_paragraph(GREEK_SENTENCES[0])
    document.add_heading("1.1 Σκοπός", level=2)
    document.add_paragraph(GREEK_SENTENCES[1])
    document.add_paragraph("Χαρτογράφηση αναγκών", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): "Εργαλείο", (0, 1): "Χρήση", (1, 0): "Σύμβαση", (1, 1): "Υπηρεσίες"}.items():
        table.cell(r, c).text = value
    document.add_paragraph(GREEK_SENTENCES[2]).add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("2. Εργαλεία", level=1)
    document.add_paragraph(GREEK_SENTENCES[3])
    document.save(str(tmp_path / "odigos.docx"))

    doc = load(tmp_path / "odigos.docx", "odigos.docx")
    assert doc.kind == "docx" and doc.title == "Οδηγός DOCX δοκιμής"
    assert doc.outline == [Heading(1, "1. Εισαγωγή"), Heading(2, "1.1 Σκοπός"), Heading(1, "2. Εργαλεία")]
    assert len(doc.pages) == 2  # the explicit page break

    chunks = _chunks(tmp_path / "odigos.docx")
    by_section = {c.section: c for c in chunks}
    assert list(by_section) == [FRONT_MATTER, "1. Εισαγωγή", "1. Εισαγωγή > 1.1 Σκοπός", "2. Εργαλεία"]
    sub = by_section["1. Εισαγωγή > 1.1 Σκοπός"].text
    assert GREEK_SENTENCES[1] in sub and "- Χαρτογράφηση αναγκών" in sub and "Σύμβαση | Υπηρεσίες" in sub
    assert by_section["2. Εργαλεία"].page_start == 2
    assert all("Οδηγός DOCX δοκιμής" not in c.text for c in chunks)  # the title is not body text


def test_corrupt_docx_is_a_clear_ingest_error(tmp_path):
    from assistant.core.errors import IngestError

    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(IngestError, match="corrupt or unreadable DOCX") as info:
        load(path, "broken.docx")
    assert "DOCX" in info.value.el


# --- HTML --------------------------------------------------------------------------------------------

SAVED_PAGE = """<!doctype html>
<html lang="el"><head><meta charset="utf-8"><title>Οδηγός HTML δοκιμής</title>
<script>var tracking = "κρυφό σενάριο παρακολούθησης";</script>
<style>body { font-family: sans-serif; }</style></head>
<body>
<nav><a href="/">Αρχική σελίδα</a> <a href="/menu">Μενού πλοήγησης</a></nav>
<header><p>Κεφαλίδα του ιστότοπου</p></header>
<main>
  <h1>Οδηγός HTML δοκιμής</h1>
  <h2>1. Εισαγωγή</h2>
  <p>S0</p>
  <h3>1.1 Βήματα</h3>
  <ul><li>Χαρτογράφηση αναγκών</li><li>Επιλογή <b>εταίρων</b></li></ul>
  <h2>2. Εργαλεία</h2>
  <p>S1</p>
  <table><tr><th>Εργαλείο</th><th>Χρήση</th></tr><tr><td>Σύμβαση</td><td>Υπηρεσίες</td></tr></table>
</main>
<footer>Υποσέλιδο © 2026</footer>
<script>console.log("άλλο σενάριο");</script>
</body></html>
"""


def test_html_saved_page_keeps_guide_text_only(tmp_path):
    path = tmp_path / "odigos.html"
    path.write_text(SAVED_PAGE.replace("S0", GREEK_SENTENCES[0]).replace("S1", GREEK_SENTENCES[1]), encoding="utf-8")
    doc = load(path, "odigos.html")
    assert doc.kind == "html" and doc.title == "Οδηγός HTML δοκιμής"
    text = doc.pages[0].text
    for chrome in ("σενάριο", "Μενού πλοήγησης", "Κεφαλίδα του ιστότοπου", "Υποσέλιδο", "font-family"):
        assert chrome not in text

    chunks = _chunks(path)
    assert _sections(chunks) == ["1. Εισαγωγή", "1. Εισαγωγή > 1.1 Βήματα", "2. Εργαλεία"]
    by_section = {c.section: c.text for c in chunks}
    assert by_section["1. Εισαγωγή"] == GREEK_SENTENCES[0]
    assert by_section["1. Εισαγωγή > 1.1 Βήματα"] == "- Χαρτογράφηση αναγκών\n- Επιλογή εταίρων"
    assert "Σύμβαση | Υπηρεσίες" in by_section["2. Εργαλεία"]


# --- Markdown and plain text -------------------------------------------------------------------------


def test_markdown_headings_nest_into_section_paths(tmp_path):
    path = tmp_path / "odigos.md"
    path.write_text(
        "# Οδηγός Markdown\n\n*Για στελέχη Δήμων*\n\n## 1. Εισαγωγή\n\n"
        f"{GREEK_SENTENCES[0]}\n\n### 1.1 Σκοπός\n\n{GREEK_SENTENCES[1]}\n\n#### 1.1.1 Λεπτομέρειες\n\n"
        f"{GREEK_SENTENCES[2]}\n\n## 2. Εργαλεία\n\n- {GREEK_SENTENCES[3]}\n- {GREEK_SENTENCES[4]}\n",
        encoding="utf-8",
    )
    doc = load(path, "odigos.md")
    assert doc.kind == "md" and doc.title == "Οδηγός Markdown"
    chunks = _chunks(path)
    assert _sections(chunks) == [
        FRONT_MATTER,
        "1. Εισαγωγή",
        "1. Εισαγωγή > 1.1 Σκοπός",
        "1. Εισαγωγή > 1.1 Σκοπός > 1.1.1 Λεπτομέρειες",
        "2. Εργαλεία",
    ]
    assert chunks[-1].text == f"- {GREEK_SENTENCES[3]}\n- {GREEK_SENTENCES[4]}"
    assert all(not c.text.startswith("#") for c in chunks)


TXT = f"""Οδηγός σε απλό κείμενο

1. Εισαγωγή
{GREEK_SENTENCES[0]}
{GREEK_SENTENCES[1]}

1.1 Ορισμοί
Η Κοινωνική και Αλληλέγγυα Οικονομία
περιλαμβάνει συνεταιρισμούς και ενώσεις προσώπων.
\f2. Εργαλεία
Ειδικοί χαρακτήρες: άέήίόύώ ΐΰ ϊϋ ς — «εισαγωγικά».
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1253"])
def test_txt_in_greek_encodings(tmp_path, encoding):
    path = tmp_path / "odigos.txt"
    path.write_bytes(TXT.encode(encoding))
    doc = load(path, "odigos.txt")
    assert doc.kind == "txt" and doc.title == "Οδηγός σε απλό κείμενο"
    assert len(doc.pages) == 2  # the form feed is a page break
    chunks = _chunks(path)
    assert _sections(chunks) == [FRONT_MATTER, "1. Εισαγωγή", "1. Εισαγωγή > 1.1 Ορισμοί", "2. Εργαλεία"]
    by_section = {c.section: c for c in chunks}
    # Lines of one paragraph are glued back together; Greek is decoded exactly.
    assert by_section["1. Εισαγωγή > 1.1 Ορισμοί"].text == (
        "Η Κοινωνική και Αλληλέγγυα Οικονομία περιλαμβάνει συνεταιρισμούς και ενώσεις προσώπων."
    )
    assert by_section["2. Εργαλεία"].text == "Ειδικοί χαρακτήρες: άέήίόύώ ΐΰ ϊϋ ς — «εισαγωγικά»."
    assert by_section["2. Εργαλεία"].page_start == 2


def test_long_paragraphs_are_split_at_sentence_ends_within_size(tmp_path):
    path = tmp_path / "long.md"
    body = " ".join(GREEK_SENTENCES * 3)
    path.write_text(f"# Μακρύς οδηγός\n\n## 1. Ενότητα\n\n{body}\n", encoding="utf-8")
    chunks = _chunks(path, size=400)
    assert len(chunks) > 5
    # A chunk never exceeds `size`, overlap included; most still carry some overlap.
    assert all(len(c.text) <= 400 for c in chunks)
    assert sum(c.text.split(".")[0] in chunks[i - 1].text for i, c in enumerate(chunks) if i) >= len(chunks) // 2
    assert all(c.text.rstrip().endswith(".") for c in chunks)  # cut at sentence ends, not mid-word
    assert {c.section for c in chunks} == {"1. Ενότητα"}
    assert len({c.id for c in chunks}) == len(chunks)


def test_supported_suffixes():
    assert {".pdf", ".docx", ".md", ".markdown", ".txt", ".html", ".htm"} <= set(supported_suffixes())
