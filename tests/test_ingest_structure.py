"""ingest.structure: sections from the document's own structure, each rule on at least two shapes of
document (plain text, a generated PDF, a DOCX), never on the wording of one document."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.make import WORD_GUIDE_TITLE, make_law_docx, make_word_guide

from assistant.core.documents import LineStyle, LoadedDocument, Page, style_key
from ingest.chunk import FRONT_MATTER, chunk_document
from ingest.clean import clean_document
from ingest.loaders import load
from ingest.structure import act_of, article_label, detect

BODY = "Η αρμόδια υπηρεσία εξετάζει την αίτηση μέσα σε τριάντα ημέρες από την υποβολή της."


def _txt(text: str, kind: str = "txt", styles: dict[str, LineStyle] | None = None) -> LoadedDocument:
    pages = [Page(i + 1, part, styles or {}) for i, part in enumerate(text.split("\f"))]
    return LoadedDocument("doc." + kind, "Έγγραφο δοκιμής", pages, kind)


def _titles(doc: LoadedDocument) -> list[str]:
    return [f.heading.title for f in detect(doc).headings]


LAW = f"""ΜΕΡΟΣ ΠΡΩΤΟ
ΓΕΝΙΚΕΣ ΔΙΑΤΑΞΕΙΣ
Άρθρο 1
Σκοπός
{BODY}
Άρθρο 2
Ορισμοί
Για τους σκοπούς του νόμου αυτού, νοούνται ως:
1. «Φορέας»: κάθε κοινωνική επιχείρηση.
2. Οι αρμοδιότητες της επιτροπής αποδοχών και της
επιτροπής ελέγχου ασκούνται από το συμβούλιο.
ΚΕΦΑΛΑΙΟ Β΄
ΕΡΓΑΛΕΙΑ
Άρθρο 3
1. Το άρθρο 7 του ν. 1234/2000 αντικαθίσταται ως εξής:
«Άρθρο 7
Παραχώρηση
Ο Δήμος παραχωρεί τη χρήση.»
2. {BODY}
Άρθρο 4 — Έναρξη ισχύος
{BODY}
"""


def test_legal_divisions_and_articles_are_the_sections():
    doc = _txt(LAW)
    structure = detect(doc)
    assert structure.kind == "legal"
    assert _titles(doc) == [
        "ΜΕΡΟΣ ΠΡΩΤΟ — ΓΕΝΙΚΕΣ ΔΙΑΤΑΞΕΙΣ",
        "Άρθρο 1 — Σκοπός",
        "Άρθρο 2 — Ορισμοί",
        "ΚΕΦΑΛΑΙΟ Β΄ — ΕΡΓΑΛΕΙΑ",
        "Άρθρο 3",  # no title: its first numbered paragraph follows at once
        "Άρθρο 4 — Έναρξη ισχύος",  # the title on the same line
    ]
    assert [f.heading.article for f in structure.headings if f.heading.article] == [
        "άρθρο 1",
        "άρθρο 2",
        "άρθρο 3",
        "άρθρο 4",
    ]
    chunks = chunk_document(doc, 1100, 150)
    sections = [c.section for c in chunks]
    assert "ΜΕΡΟΣ ΠΡΩΤΟ — ΓΕΝΙΚΕΣ ΔΙΑΤΑΞΕΙΣ > ΚΕΦΑΛΑΙΟ Β΄ — ΕΡΓΑΛΕΙΑ > Άρθρο 3" in sections
    # The article an amendment quotes («Άρθρο 7») stays inside the article that quotes it.
    (art3,) = [c for c in chunks if c.article == "άρθρο 3"]
    assert "«Άρθρο 7\nΠαραχώρηση\nΟ Δήμος παραχωρεί τη χρήση.»" in art3.text or "«Άρθρο 7" in art3.text
    # Numbered paragraphs and definitions are body text, never sections.
    assert not any("Οι αρμοδιότητες" in s or "«Φορέας»" in s for s in sections)


def test_articles_cited_out_of_order_are_not_headings():
    # The longest run of increasing numbers is the act's own: a stray «Άρθρο 12» line between 2 and 3 is not.
    text = "\n".join(f"Άρθρο {n}\n{BODY}" for n in (1, 2, 12, 3, 4, 5))
    assert [f.heading.article for f in detect(_txt(text)).headings] == [f"άρθρο {n}" for n in (1, 2, 3, 4, 5)]


def test_a_sentence_starting_with_article_is_not_a_heading():
    text = f"Άρθρο 1\n{BODY}\nΆρθρο 5 του ν. 1234/2000 εφαρμόζεται αναλόγως.\nΆρθρο 2\n{BODY}"
    assert _titles(_txt(text)) == ["Άρθρο 1", "Άρθρο 2"]


def test_article_numbers_in_words_and_with_letters():
    text = f"Άρθρο πρώτο\n{BODY}\nΆρθρο δεύτερο\n{BODY}\nΆρθρο 2Α\n{BODY}"
    assert [f.heading.article for f in detect(_txt(text)).headings] == ["άρθρο πρώτο", "άρθρο δεύτερο", "άρθρο 2Α"]
    assert article_label("Άρθρο 11 — Προϋποθέσεις") == "άρθρο 11" and article_label("1. Εισαγωγή") == ""


def test_law_as_docx_without_heading_styles_is_read_as_a_law(tmp_path):
    path = make_law_docx(tmp_path / "law.docx")
    doc = clean_document(load(path, "law.docx"))
    assert doc.title.startswith("Ν. 4999/2021 — Ρυθμίσεις") and doc.act == "Ν. 4999/2021"
    titles = _titles(doc)
    assert titles[:3] == ["ΜΕΡΟΣ ΠΡΩΤΟ — ΣΥΝΕΡΓΑΣΙΑ ΔΗΜΩΝ ΚΑΙ ΦΟΡΕΩΝ", "Άρθρο 1 — Σκοπός", "Άρθρο 2 — Ορισμοί"]
    assert "Άρθρο 8" in titles  # the article without a title
    assert not any(t.startswith(("«Άρθρο", "Άρθρο 100")) for t in titles)  # the quoted article


def test_act_of_reads_kind_number_year_and_subject():
    lines = [
        "ΤΗΣ ΕΛΛΗΝΙΚΗΣ ΔΗΜΟΚΡΑΤΙΑΣ",
        "2 Ιουνίου 2020",
        "ΠΡΟΕΔΡΙΚΟ ΔΙΑΤΑΓΜΑ ΥΠ’ ΑΡΙΘΜ. 40",
        "Οργανισμός",
        "του Υπουργείου.",
    ]
    assert act_of(lines) == ("Π.Δ. 40/2020", "Π.Δ. 40/2020 — Οργανισμός του Υπουργείου")
    assert act_of(["ΝΟΜΟΣ ΥΠ' ΑΡΙΘΜ. 4412/2016", "Δημόσιες Συμβάσεις."]) == (
        "Ν. 4412/2016",
        "Ν. 4412/2016 — Δημόσιες Συμβάσεις",
    )
    assert act_of(["Οδηγός για τους Δήμους", "Άρθρο 1"]) is None


# --- Numbered headings ---------------------------------------------------------------------------------


NUMBERED = f"""1. Εισαγωγή
{BODY}
1.1 Σκοπός
Τα βήματα είναι:
1. Χαρτογράφηση αναγκών
2. Επιλογή εταίρων
3. Πιλοτική εφαρμογή
1.2 Πεδίο
2. Οι αρμοδιότητες της επιτροπής αποδοχών και της
επιτροπής ελέγχου ασκούνται από το συμβούλιο.
2. Εργαλεία
{BODY}
"""


@pytest.mark.parametrize("kind", ["txt", "pdf"])
def test_numbered_headings_follow_their_numbering_and_skip_list_items(kind):
    doc = _txt(NUMBERED, kind)
    assert detect(doc).kind == "numbered"
    # «1. Χαρτογράφηση…» etc. break the numbering 1 → 1.1 → 1.2 → 2; the wrapped numbered paragraph
    # goes on in lower case on the next line.
    assert _titles(doc) == ["1. Εισαγωγή", "1.1 Σκοπός", "1.2 Πεδίο", "2. Εργαλεία"]


def test_typography_decides_when_the_document_sets_headings_apart():
    heading, body = LineStyle(12.0, True), LineStyle(10.0)
    lines = ["1. Εισαγωγή", BODY, "2. Επιλογή εταίρων", BODY + " Πρώτο.", "2. Εργαλεία", BODY + " Δεύτερο."]
    styles = {style_key(line): body for line in lines} | {style_key("1. Εισαγωγή"): heading}
    styles[style_key("2. Εργαλεία")] = heading
    assert _titles(_txt("\n".join(lines), "pdf", styles)) == ["1. Εισαγωγή", "2. Εργαλεία"]


# --- Headings by type size and weight ------------------------------------------------------------------


def test_word_exported_pdf_headings_by_font_size_only(tmp_path):
    path = make_word_guide(tmp_path / "odigos.pdf")
    doc = clean_document(load(path, "odigos.pdf"))
    assert doc.title == WORD_GUIDE_TITLE  # not «Microsoft Word - …», the metadata title
    assert detect(doc).kind == "font"
    chunks = chunk_document(doc, 1100, 150)
    assert list(dict.fromkeys(c.section for c in chunks)) == [
        "Εισαγωγή στην κοινωνική καινοτομία",
        "Εισαγωγή στην κοινωνική καινοτομία > Ο ρόλος της κοινωνικής υπηρεσίας",
        "Εισαγωγή στην κοινωνική καινοτομία > Ο ρόλος των φορέων",
        "Αξιολόγηση των αποτελεσμάτων",
    ]
    intro = chunks[0].text
    assert "1. Χαρτογράφηση αναγκών" in intro  # a list item in body type is no heading
    assert not any(c.text.startswith("Σελίδα") for c in chunks)


def test_docx_bold_and_larger_paragraphs_are_headings(tmp_path):
    import docx
    from docx.shared import Pt

    document = docx.Document()
    for text, size, bold in [
        ("Οδηγός για τα κοινωνικά παντοπωλεία", 20, True),  # the cover title: the file's title, no section
        ("Κοινωνικά παντοπωλεία", 16, True),
        (BODY, 11, False),
        ("Οργάνωση της διανομής", 13, True),
        (BODY + " Δεύτερη παράγραφος.", 11, False),
        ("Εθελοντές", 13, True),
        ("Οι εθελοντές εκπαιδεύονται πριν αναλάβουν επαφή με ωφελουμένους.", 11, False),
    ]:
        run = document.add_paragraph().add_run(text)
        run.font.size, run.bold = Pt(size), bold
    document.save(str(tmp_path / "odigos.docx"))
    doc = clean_document(load(tmp_path / "odigos.docx", "odigos.docx"))
    assert detect(doc).kind == "font"
    assert list(dict.fromkeys(c.section for c in chunk_document(doc, 1100, 150))) == [
        "Κοινωνικά παντοπωλεία",
        "Κοινωνικά παντοπωλεία > Οργάνωση της διανομής",
        "Κοινωνικά παντοπωλεία > Εθελοντές",
    ]


def test_docx_custom_heading_style_with_an_outline_level(tmp_path):
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    document = docx.Document()
    document.add_paragraph("Οδηγός με δικά του στυλ", style="Title")
    style = document.styles.add_style("Επικεφαλίδα Ενότητας", WD_STYLE_TYPE.PARAGRAPH)
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    style.element.get_or_add_pPr().append(level)
    document.add_paragraph("Σκοπός του οδηγού", style="Επικεφαλίδα Ενότητας")
    document.add_paragraph(BODY)
    document.save(str(tmp_path / "custom.docx"))
    chunks = chunk_document(clean_document(load(tmp_path / "custom.docx", "custom.docx")), 1100, 150)
    assert [c.section for c in chunks] == ["Σκοπός του οδηγού"]


# --- Tables of contents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "toc",
    [
        "Άρθρο 1 Σκοπός ........ 3\nΆρθρο 2 Ορισμοί ........ 3\nΆρθρο 3 Έναρξη ισχύος ........ 4",
        "Σκοπός 3\nΟρισμοί 3\nΈναρξη ισχύος 4",  # no leaders: the entries repeat headings of the text
    ],
)
def test_table_of_contents_is_skipped(toc):
    text = f"ΠΕΡΙΕΧΟΜΕΝΑ\n{toc}\n\fΆρθρο 1\nΣκοπός\n{BODY}\nΆρθρο 2\nΟρισμοί\n{BODY}\nΆρθρο 3\nΈναρξη ισχύος\n{BODY}"
    doc = _txt(text)
    structure = detect(doc)
    assert structure.toc_pages == [1]
    assert _titles(doc) == ["Άρθρο 1 — Σκοπός", "Άρθρο 2 — Ορισμοί", "Άρθρο 3 — Έναρξη ισχύος"]
    chunks = chunk_document(doc, 1100, 150)
    assert not any(" 3\n" in c.text or "...." in c.text or c.text.endswith(" 4") for c in chunks)
    assert all(c.page_start == 2 for c in chunks if c.section != FRONT_MATTER)


def test_markdown_kinds_keep_their_marks(tmp_path):
    path = Path(tmp_path / "law.md")
    path.write_text(
        f"# Νόμος\n\n## Άρθρο 1\n\n## Σκοπός\n\n{BODY}\n\n## Άρθρο 2 — Ορισμοί\n\n{BODY}\n", encoding="utf-8"
    )
    chunks = chunk_document(clean_document(load(path, "law.md")), 1100, 150)
    # «## Άρθρο 1» straight followed by «## Σκοπός» is one heading («# Νόμος» is the file's title).
    assert [(c.section, c.article) for c in chunks] == [
        ("Άρθρο 1 — Σκοπός", "άρθρο 1"),
        ("Άρθρο 2 — Ορισμοί", "άρθρο 2"),
    ]


@pytest.mark.parametrize("kind", ["txt", "md"])
def test_the_overlap_carried_into_the_next_chunk_keeps_its_line_breaks(kind):
    """A chunk opens with the end of the one before; that end keeps the document's lines, so a caption
    carried over («Συνηθισμένα λάθη.») is still the line that introduces the list below it, not the last
    words of the paragraph above."""
    para = " ".join([BODY] * 7)  # the list is what no longer fits in the first chunk
    text = (
        f"1 Ενότητα\n{para}\n"
        "Παραδοτέο. Εγκεκριμένη απόφαση.\nΣυνηθισμένα λάθη.\n"
        + "\n".join(f"• Λάθος αριθμός {i} με αρκετές λέξεις για να γεμίσει τη γραμμή του καταλόγου." for i in range(1, 9))
        + "\n"
    )
    chunks = chunk_document(_txt(text, kind), 700, 150)
    assert len(chunks) >= 2
    later = [c.text for c in chunks[1:] if "Συνηθισμένα λάθη." in c.text]
    assert later, [c.text[:80] for c in chunks]
    assert all("Εγκεκριμένη απόφαση.\nΣυνηθισμένα λάθη.\n•" in t for t in later)


def test_a_pdf_line_wrapped_after_an_abbreviation_goes_on_in_the_next():
    """«…με τις αξίες μας (βλ.⏎ενότητα 10.4).»: a wrapped line after «βλ.», «παρ.» (abbreviations a sentence
    never ends on) is the same sentence; it was cut into «…(βλ.» and the fragment «ενότητα 10.4).»
    (new-user trial 4). A line after a real sentence end stays a paragraph of its own."""
    text = (
        "Ελέγχουμε πάντοτε τη συμβατότητα του χορηγού με τις αξίες μας (βλ.\n"
        "ενότητα 10.4). Η σχέση καταγράφεται.\n"
        "Η αίτηση κατατίθεται κατά την παρ.\n"
        "2 του άρθρου 5.\n"
        "Ο φορέας ενημερώνει το δίκτυο.\n"
        "Η ενημέρωση γίνεται γραπτά.\n"
    )
    texts = [c.text for c in chunk_document(_txt(text, kind="pdf"), size=1000, overlap=0)]
    joined = "\n".join(texts)
    assert "(βλ. ενότητα 10.4)" in joined and "κατά την παρ. 2 του άρθρου 5." in joined, texts
    assert "δίκτυο.\nΗ ενημέρωση" in joined, texts
