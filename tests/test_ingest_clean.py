"""ingest.clean: Greek-safe text (NFC, hyphenation, running headers/footers, page numbers, soft hyphens)."""

from __future__ import annotations

import unicodedata

import pytest

from assistant.core.documents import Heading, LoadedDocument, Page
from ingest.clean import clean_document, normalize

BODIES = [
    "Η χαρτογράφηση των αναγκών γίνεται από την κοινωνική υπηρεσία.\nΣυμμετέχουν και οι φορείς.",
    "Η προγραμματική σύμβαση υπογράφεται μετά την απόφαση.\nΟρίζει τις υποχρεώσεις.",
    "Οι εθελοντές εκπαιδεύονται πριν από τη δράση.\nΗ εκπαίδευση διαρκεί δύο ημέρες.",
    "Η αξιολόγηση γίνεται με δείκτες.\nΟι δείκτες συμφωνούνται από την αρχή.",
    "Τα αποτελέσματα δημοσιεύονται στον ιστότοπο του Δήμου.\nΈτσι ενισχύεται η διαφάνεια.",
]


def _doc(pages: list[str], title: str = "Οδηγός δοκιμής") -> LoadedDocument:
    return LoadedDocument("guide.pdf", title, [Page(i + 1, t) for i, t in enumerate(pages)], "pdf")


def test_hyphenated_word_is_rejoined():
    assert normalize("Η συνεργα-\nσία των φορέων") == "Η συνεργασία των φορέων"
    assert normalize("τη δια-\nδικασία, οι ερ-\nγαζόμενοι") == "τη διαδικασία, οι εργαζόμενοι"


def test_hyphen_with_trailing_space_is_rejoined():
    # PDF extractors often leave a space after the hyphen at the end of the line.
    assert normalize("η αλληλεγ- \nγύη") == "η αλληλεγγύη"


@pytest.mark.parametrize(
    "text",
    ["συνεργασία ΟΤΑ-\nΚΑΛΟ στην πράξη", "η περίοδος 2021-\n2027", "το ΕΣΠΑ-\nΠρόγραμμα"],
)
def test_uppercase_and_numeric_compounds_keep_their_hyphen(text):
    assert normalize(text) == text


def test_nfd_input_becomes_nfc_with_tonos_and_final_sigma():
    written = "Κοινωνική Οικονομία: ΐ, ΰ, ό, ς και Ά"
    decomposed = unicodedata.normalize("NFD", written)
    assert decomposed != written
    out = normalize(decomposed)
    assert out == written
    assert unicodedata.is_normalized("NFC", out)
    assert "\u0301" not in out and "\u0308" not in out  # no combining accents left


def test_text_is_kept_as_written_not_folded():
    text = "Οι ΦΟΡΕΙΣ της Κοινωνικής Οικονομίας"
    assert normalize(text) == text  # no lower-casing, no accent stripping, final ς intact


def test_soft_hyphens_and_zero_width_characters_are_removed():
    assert normalize("συν\u00adεργα\u00adσία\u200b των\ufeff φορέων") == "συνεργασία των φορέων"


def test_soft_hyphen_at_a_line_break_rejoins_the_word():
    # A soft hyphen only ever marks a break inside a word, whatever case follows.
    assert normalize("η συνεργα\u00ad\nσία και η ΚΑΛΟ\u00ad\nΟΡΓΑΝΩΣΗ") == "η συνεργασία και η ΚΑΛΟΟΡΓΑΝΩΣΗ"


def test_spaces_and_line_endings_are_normalised():
    assert normalize("α\u00a0\u00a0β\t γ  \r\nδ\r\n\n\n\nε") == "α β γ\nδ\n\nε"


def test_repeated_header_and_footer_lines_removed_across_pages():
    pages = [f"Οδηγός δοκιμής\nΈκδοση 2026\n{body}\nΣελίδα {i + 1} από 5" for i, body in enumerate(BODIES)]
    cleaned = clean_document(_doc(pages))
    for page, body in zip(cleaned.pages, BODIES, strict=True):
        assert page.text == body


def test_running_header_with_changing_number_is_removed():
    # Digits are masked when comparing, so «Κεφάλαιο 2 — Οδηγός δοκιμής» and «… 3 …» count as one header.
    pages = [f"Οδηγός δοκιμής — τεύχος {i + 1}\n{body}" for i, body in enumerate(BODIES)]
    cleaned = clean_document(_doc(pages))
    assert [p.text for p in cleaned.pages] == BODIES


@pytest.mark.parametrize("footer", ["{n}", "- {n} -", "Σελίδα {n}", "σελ. {n}", "Page {n} of 2", "{n} / 2"])
def test_page_number_lines_removed_even_on_short_documents(footer):
    # Two pages are too few to detect repetition; a bare page number is still recognised.
    pages = [f"{body}\n{footer.format(n=i + 1)}" for i, body in enumerate(BODIES[:2])]
    cleaned = clean_document(_doc(pages))
    assert [p.text for p in cleaned.pages] == BODIES[:2]


def test_numbers_inside_the_text_are_kept():
    # A number alone on a line in the body is text (a wrapped year); only page edges hold page numbers.
    page = "Εισαγωγή στη δράση.\nΤο πρόγραμμα.\nΗ δράση ξεκίνησε το\n2024\nκαι συνεχίζεται.\nΑπό τα 12 μέλη, τα 5 είναι εθελοντές.\nΤέλος."
    assert clean_document(_doc([page])).pages[0].text == page


def test_a_line_repeated_in_the_middle_of_pages_is_kept():
    # Only the first/last lines of a page can be running headers; body text that repeats stays.
    pages = [f"Αρχή {i}α\n{b}\nΣημείωση: ισχύει το νομικό πλαίσιο.\n{b}\nΤέλος {i}ω" for i, b in enumerate(BODIES)]
    cleaned = clean_document(_doc(pages))
    assert all("Σημείωση: ισχύει το νομικό πλαίσιο." in p.text for p in cleaned.pages)


def test_clean_document_keeps_structure_and_normalises_title():
    doc = LoadedDocument(
        "sub/guide.pdf",
        unicodedata.normalize("NFD", "Οδηγός  συνεργασίας"),
        [Page(3, "Κείμενο.")],
        "pdf",
        [Heading(1, "1. Εισαγωγή")],
    )
    cleaned = clean_document(doc)
    assert cleaned.title == "Οδηγός συνεργασίας"
    assert cleaned.source == "sub/guide.pdf" and cleaned.kind == "pdf"
    assert cleaned.outline == [Heading(1, "1. Εισαγωγή")]
    assert [p.number for p in cleaned.pages] == [3]
