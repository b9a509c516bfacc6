"""Greek public-sector documents as they come: a real Government Gazette issue (ν. 3606/2007: two columns,
U+2212 hyphenation, running header with alternating page numbers, signature stamp) and a generated gazette
whose content stream runs line by line across its columns. Retrieval-free: what the stored chunks say."""

from __future__ import annotations

import re

import pytest
from fixtures.make import FIXTURE, GAZETTE_LOOKALIKES, gazette, gazette_extract, make_gazette

from assistant.core.documents import Chunk, LoadedDocument
from ingest.chunk import FRONT_MATTER, chunk_document
from ingest.clean import clean_document
from ingest.loaders import load
from ingest.structure import detect
from ingest.titles import unique_title

MIXED_SCRIPT = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*[\u0370-\u03ff])\w+\b")
# A word split by a dash: at a line end before a lower-case letter, or a minus sign inside Greek letters.
DASH_SPLIT = re.compile(r"[^\W\d_][-\u2010\u2011\u2212\u2013]\n[^\W\d_A-ZΑ-ΩΆ-Ώ]|[α-ωά-ώ]\u2212[α-ωά-ώ]")
LEGAL_SECTION = re.compile(r"^(?:Άρθρο \d+|ΜΕΡΟΣ|ΚΕΦΑΛΑΙΟ)")


@pytest.fixture(scope="module")
def law() -> tuple[LoadedDocument, list[Chunk]]:
    doc = clean_document(load(FIXTURE, "3606_2007.pdf"))
    return doc, chunk_document(doc, 1100, 150)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[LoadedDocument, list[Chunk]]:
    path = make_gazette(tmp_path_factory.mktemp("gazette") / "fek_4999_2021.pdf")
    doc = clean_document(load(path, path.name))
    return doc, chunk_document(doc, 1100, 150)


def _articles_in_pdf() -> list[int]:
    """The act's articles, counted by reading the PDF: «Άρθρο N» alone on a line, in order."""
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(FIXTURE).pages)
    return [int(n) for n in re.findall(r"^Άρθρο (\d+)\s*$", text, re.M)]


def test_title_is_the_act_not_the_running_header(law):
    doc, chunks = law
    assert doc.title == "Ν. 3606/2007 — Αγορές χρηματοπιστωτικών μέσων και άλλες διατάξεις"
    assert doc.act == "Ν. 3606/2007"
    assert {c.guide_title for c in chunks} == {doc.title}
    assert all(c.act == "Ν. 3606/2007" and c.metadata()["act"] == "Ν. 3606/2007" for c in chunks)


def test_every_article_of_the_act_is_a_section(law):
    doc, chunks = law
    in_pdf = _articles_in_pdf()
    assert in_pdf == list(range(1, 91))
    structure = detect(doc)
    assert structure.kind == "legal"
    found = [int(f.heading.article.split()[1]) for f in structure.headings if f.heading.article]
    assert found == in_pdf
    # Sections are articles and their divisions only: no numbered paragraph or definition among them.
    for c in chunks:
        if c.section != FRONT_MATTER:
            assert all(LEGAL_SECTION.match(part) for part in c.section.split(" > ")), c.section
    titles = {c.section.rsplit(" > ", 1)[-1] for c in chunks}
    assert "Άρθρο 11 — Προϋποθέσεις χορήγησης άδειας λειτουργίας ΑΕΠΕΥ" in titles  # title on two lines
    assert "Άρθρο 87" in titles  # no title: paragraph 1 follows at once
    assert "ΚΕΦΑΛΑΙΟ Β΄ — ΑΔΕΙΑ ΛΕΙΤΟΥΡΓΙΑΣ ΚΑΙ ΟΡΓΑΝΩΤΙΚΕΣ ΥΠΟΧΡΕΩΣΕΙΣ ΑΕΠΕΥ" in " > ".join(
        titles | {c.section for c in chunks}
    )


@pytest.mark.parametrize(
    ("needle", "article", "page"),
    [
        ("Η Επιτροπή Κεφαλαιαγοράς χορηγεί άδεια λειτουργίας σε ΑΕΠΕΥ, εφόσον αυτή έχει την καταστατική", "άρθρο 9", 6),
        ("Η Επιτροπή Κεφαλαιαγοράς χορηγεί άδεια λειτουργίας μόνον εφόσον πληρούνται οι προϋποθέσεις", "άρθρο 11", 7),
        ("Οι ΑΕΠΕΥ που έχουν λάβει άδεια να εκτελούν εντολές για λογαριασμό πελατών εφαρμόζουν", "άρθρο 28", 16),
        ("κάθε πρόσωπο που ασκεί ή έχει ασκήσει δραστηριότητα για λογαριασμό της Επιτροπής", "άρθρο 63", 28),
        ("Η ισχύς του νόμου αυτού αρχίζει την 1.11.2007", "άρθρο 90", 40),
    ],
)
def test_the_chunk_with_an_articles_text_carries_that_article_and_page(law, needle, article, page):
    _, chunks = law
    (chunk,) = [c for c in chunks if needle in c.text.replace("\n", " ")][:1]
    assert chunk.article == article and chunk.metadata()["article"] == article
    assert chunk.page_start <= page <= chunk.page_end
    assert chunk.section.rsplit(" > ", 1)[-1].lower().startswith(article)


def test_chunks_never_cross_an_article(law):
    _, chunks = law
    for c in chunks:
        starts = [m.group(1) for m in re.finditer(r"^Άρθρο (\d+)$", c.text, re.M)]
        assert not starts, (c.section, starts)  # an article line inside a chunk would be a missed heading
        if c.article:
            assert c.section.rsplit(" > ", 1)[-1].startswith(f"Άρθρο {c.article.split()[1]}")


def test_text_is_repaired(law):
    doc, chunks = law
    text = "\n".join(c.text for c in chunks)
    assert not DASH_SPLIT.search(text), DASH_SPLIT.search(text)
    assert "Συμβουλίου" in text and "Ευρωπαϊκού" in text
    assert "κράτος − μέλος" in text  # the law's spaced dashes stay as written
    assert "\u2206" not in text and "\u00b5" not in text
    assert not MIXED_SCRIPT.findall(text)
    assert doc.notes.hyphenations > 900 and doc.notes.lookalikes >= 10
    assert "ΕΠΕΥ" in text


def test_running_header_and_furniture_are_gone(law):
    _, chunks = law
    text = "\n".join(c.text for c in chunks)
    assert "ΕΦΗΜΕΡΙΣ ΤΗΣ ΚΥΒΕΡΝΗΣΕΩΣ" not in text and "(ΤΕΥΧΟΣ ΠΡΩΤΟ)" not in text
    assert not re.search(r"^4180\u2212\d+", text, re.M) and not re.search(r"^41[78]\d$", text, re.M)
    assert "webmaster" not in text and "ΚΑΠΟΔΙΣΤΡΙΟΥ" not in text  # the printer's imprint
    assert "Εφημερίδα της Κυβερνήσεως" in text  # the words themselves, in the body, stay


# --- A generated gazette, columns interleaved in the content stream ----------------------------------------


def test_generated_gazette_reads_column_by_column(generated):
    doc, chunks = generated
    assert doc.notes.reordered_pages == [p.number for p in doc.pages]
    text = " ".join(c.text.replace("\n", " ") for c in chunks)
    first = gazette().articles[0].paragraphs[0].replace("τoυ", "του")
    assert first in text  # a whole paragraph, in order, with no right-column line inside it
    assert doc.title == "Ν. 4999/2021 — Ρυθμίσεις για την κοινωνική και αλληλέγγυα οικονομία και άλλες διατάξεις"


def test_generated_gazette_sections_are_its_articles(generated):
    doc, chunks = generated
    expected = [a.number for a in gazette().articles]
    found = [int(f.heading.article.split()[1]) for f in detect(doc).headings if f.heading.article]
    assert found == expected
    by_article = {c.article: c for c in chunks if c.article}
    assert by_article["άρθρο 6"].section.endswith(
        "Άρθρο 6 — Υποχρεώσεις των φορέων κατά την εκτέλεση των προγραμματικών συμβάσεων"
    )
    assert by_article["άρθρο 8"].section.endswith("Άρθρο 8")
    # The article an amendment quotes is text of the article quoting it.
    assert "«Άρθρο 100" in by_article["άρθρο 3"].text


def test_generated_gazette_is_repaired(generated):
    _, chunks = generated
    text = "\n".join(c.text for c in chunks)
    assert not DASH_SPLIT.search(text)
    for wrong, right in GAZETTE_LOOKALIKES.items():
        assert wrong not in text and right in text
    assert not MIXED_SCRIPT.findall(text) and "\u2206" not in text
    assert "ΕΦΗΜΕΡΙΣ ΤΗΣ ΚΥΒΕΡΝΗΣΕΩΣ" not in text
    assert "Digitally signed" not in text and "Test Signer" not in text and "webmaster" not in text


def test_interleaved_and_column_ordered_streams_give_the_same_chunks(generated, tmp_path):
    _, chunks = generated
    plain = make_gazette(tmp_path / "fek_4999_2021.pdf", interleaved=False)
    again = chunk_document(clean_document(load(plain, "fek_4999_2021.pdf")), 1100, 150)

    def body(chunks: list[Chunk]) -> list[tuple]:
        # The masthead may read «act, date» or «date, act»: only the articles must be the same.
        return [(c.section, c.text, c.page_start, c.page_end) for c in chunks if c.section != FRONT_MATTER]

    assert body(again) == body(chunks)


def test_titles_are_distinct_and_disambiguated(law, generated, tmp_path):
    assert law[0].title != generated[0].title
    taken = {law[0].title}
    assert unique_title(law[0].title, "copies/3606_2007.pdf", taken) == f"{law[0].title} (3606_2007.pdf)"
    assert unique_title(generated[0].title, "fek.pdf", taken) == generated[0].title


def test_the_same_gazette_as_a_file_of_another_name_keeps_its_title(tmp_path):
    copy = gazette_extract(tmp_path / "scan-of-law.pdf")  # the title is on the first page
    assert clean_document(load(copy, copy.name)).title.startswith("Ν. 3606/2007 — ")


def test_a_line_wrapped_after_an_abbreviation_goes_on_in_the_next(law):
    """«…του ν.⏎3283/2004…»: a line ending in a one-letter abbreviation before an act number or a lower-case
    word is a wrapped sentence, not its end; the next line joins it (it was a fragment «3283/2004, …»)."""
    _doc, chunks = law
    assert not [c.text for c in chunks if re.search(r"(?:^|\s)ν\.\n\d+/\d{4}", c.text)]
    assert any(re.search(r"\bν\. \d+/\d{4}", c.text) for c in chunks)
    # a real sentence end before a numbered paragraph is left alone
    assert any(re.search(r"\.\n\d{1,2}\. ", c.text) for c in chunks)
