"""ingest.clean: Greek-safe text (NFC, hyphenation, running headers/footers, page numbers, soft hyphens)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from assistant.core.documents import Heading, LoadedDocument, Page
from assistant.core.greek_text import fold, tokens
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


# --- Real documents (issue #9): any dash, look-alike letters, alternating headers, stamps -------------------


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2212", "\u2013"])
def test_a_word_broken_with_any_dash_is_rejoined(dash):
    assert (
        normalize(f"του Συμ{dash}\nβουλίου και της Ευρω{dash}\nπαϊκής Ένωσης")
        == "του Συμβουλίου και της Ευρωπαϊκής Ένωσης"
    )


@pytest.mark.parametrize(
    "text",
    [
        "το κράτος−\nμέλος υποδοχής",  # a final sigma ends a word: a compound, not a break
        "η ομάδα-\nστόχος του προγράμματος",  # one accent per word: two accents, two words
        "κράτος −\nμέλος",  # a spaced dash is punctuation
        "οι εξής:\n– η σύμβαση\n– η απόφαση",  # dashes as list markers start lines
        "συνεργασία ΟΤΑ−\nΚΑΛΟ",  # a capital after the dash starts a word
    ],
)
def test_compounds_spaced_dashes_and_list_markers_keep_their_dash(text):
    assert normalize(text) == text


def test_the_document_itself_decides_what_a_broken_word_is():
    # «ΑΕ−ΠΕΥ» rejoins because the document writes «ΑΕΠΕΥ» whole elsewhere; «διαχεί−ρισής» carries the
    # enclitic second accent, and rejoins because «διαχείρισης» is written elsewhere; a compound the
    # document writes with its dash inside a line keeps it at a line end too.
    pages = [
        "Η ΑΕ−\nΠΕΥ υποβάλλει την αίτηση.\nΗ διαχεί−\nρισής της ανήκει στη διοίκηση.",
        "Κάθε ΑΕΠΕΥ τηρεί μητρώο.\nΟ κανόνας της διαχείρισης του κινδύνου.\nΟ κοινωνικο−\nοικονομικός στόχος.",
        "Ο κοινωνικο−οικονομικός σχεδιασμός είναι κοινός.",
    ]
    cleaned = clean_document(_doc(pages))
    assert cleaned.pages[0].text == "Η ΑΕΠΕΥ υποβάλλει την αίτηση.\nΗ διαχείρισής της ανήκει στη διοίκηση."
    assert "κοινωνικο−\nοικονομικός" in cleaned.pages[1].text
    assert cleaned.notes.hyphenations == 2


def test_a_word_broken_across_a_page_break_is_kept_on_its_first_page():
    pages = ["Η απόφαση του Δημοτικού Συμ−", "βουλίου δημοσιεύεται.\nΤέλος."]
    cleaned = clean_document(_doc(pages))
    assert cleaned.pages[0].text == "Η απόφαση του Δημοτικού Συμβουλίου"
    assert cleaned.pages[1].text == "δημοσιεύεται.\nΤέλος."


def test_lookalike_letters_are_repaired_in_stored_text_where_unambiguous():
    text = "TΗΣ ΕΠΙΤΡΟΠΗΣ, ο \u2206ήμος και τoυ νόμου για την EΠEY.\nMission Drift και Cοmmission, 5 µm."
    cleaned = clean_document(_doc([text]))
    assert cleaned.pages[0].text == (
        "ΤΗΣ ΕΠΙΤΡΟΠΗΣ, ο Δήμος και του νόμου για την ΕΠΕΥ.\nMission Drift και Commission, 5 µm."
    )
    assert cleaned.notes.lookalikes == 5
    words = re.findall(r"\w+", cleaned.pages[0].text)
    assert not [w for w in words if re.search("[A-Za-z]", w) and re.search("[\u0370-\u03ff]", w)]


def test_lookalikes_always_meet_in_search_keys():
    assert fold("TΗΣ") == fold("ΤΗΣ") == "τησ"
    assert fold("\u2206ήμος") == fold("Δήμος")
    assert tokens("Ο \u2206ήμος τoυ Kαλού") == tokens("Ο Δήμος του Καλού")
    assert fold("Mission Drift") == "mission drift"  # Latin words stay Latin


def test_running_header_with_page_numbers_on_alternating_sides_is_removed():
    header = "ΕΦΗΜΕΡΙΣ ΤΗΣ ΚΥΒΕΡΝΗΣΕΩΣ (ΤΕΥΧΟΣ ΠΡΩΤΟ)"
    pages = []
    for i, body in enumerate(BODIES):
        number = f"4180{chr(0x2212)}{i + 1}"
        line = f"{number} {header}" if i % 2 else f"{header} {number}"
        if i == 2:
            line = f"ΦΕΚ 195 {line}"  # the first page of each printed sheet adds the issue
        pages.append(f"{line}\n{body}" if i != 3 else f"{body}\n{line}")  # at the top, or at the foot
    cleaned = clean_document(_doc(pages))
    assert [p.text for p in cleaned.pages] == BODIES
    assert any(header in line for line in cleaned.notes.running_lines)


def test_signature_stamp_and_printers_imprint_are_removed():
    stamp = "Digitally signed by\nTheodoros Moumouris\nDate: 2007.08.24 09:39:28 EEST\nReason: Signed PDF\n"
    imprint = (
        "ΑΠΟ ΤΟ ΕΘΝΙΚΟ ΤΥΠΟΓΡΑΦΕΙΟ\nΚΑΠΟΔΙΣΤΡΙΟΥ 34 * ΑΘΗΝΑ 104 32 * ΤΗΛ. 210 52 79 000\n"
        "ΗΛΕΚΤΡΟΝΙΚΗ ΔΙΕΥΘΥΝΣΗ: http://www.et.gr – e-mail: webmaster.et@et.gr *01001951708070040*"
    )
    pages = [stamp + BODIES[0], BODIES[1], BODIES[2] + "\nΑ. ΠΑΠΑΛΗΓΟΥΡΑΣ\n" + imprint]
    cleaned = clean_document(_doc(pages))
    assert cleaned.pages[0].text == BODIES[0]
    assert cleaned.pages[2].text == BODIES[2] + "\nΑ. ΠΑΠΑΛΗΓΟΥΡΑΣ"  # the signatory stays, the printer goes
    assert cleaned.notes.stamps == 7
    # A guide's own contact line at its end is text, not an imprint.
    guide = clean_document(_doc([BODIES[0], BODIES[1], BODIES[2] + "\nΕπικοινωνία: info@dimos.gr, τηλ. 210 123 4567"]))
    assert guide.pages[2].text.endswith("Επικοινωνία: info@dimos.gr, τηλ. 210 123 4567")


def test_title_comes_from_the_act_not_from_the_gazette_metadata():
    pages = [
        "ΤΗΣ ΕΛΛΗΝΙΚΗΣ ΔΗΜΟΚΡΑΤΙΑΣ\n17 Αυγούστου 2007\nΝΟΜΟΣ ΥΠ’ ΑΡΙΘΜ. 3606\nΑγορές χρηματοπιστωτικών μέσων\n"
        "και άλλες διατάξεις.\nΟ ΠΡΟΕΔΡΟΣ\nΆρθρο 1\nΣκοπός\nΚείμενο."
    ]
    doc = LoadedDocument("3606.pdf", "ΕΦΗΜΕΡΙΔΑ ΤΗΣ ΚΥΒΕΡΝΗΣΕΩΣ", [Page(1, pages[0])], "pdf")
    doc.meta_title = "ΕΦΗΜΕΡΙΔΑ ΤΗΣ ΚΥΒΕΡΝΗΣΕΩΣ"
    cleaned = clean_document(doc)
    assert cleaned.title == "Ν. 3606/2007 — Αγορές χρηματοπιστωτικών μέσων και άλλες διατάξεις"
    assert cleaned.act == "Ν. 3606/2007"


@pytest.mark.parametrize(
    ("meta", "first_line", "title"),
    [
        ("Microsoft Word - odigos.docx", "Οδηγός για τους Δήμους", "Οδηγός για τους Δήμους"),
        ("odigos", "Οδηγός για τους Δήμους", "Οδηγός για τους Δήμους"),  # the file name is no title
        ("Οδηγός συνεργασίας", "Εξώφυλλο", "Οδηγός συνεργασίας"),  # meaningful metadata wins
    ],
)
def test_generic_metadata_titles_give_way_to_the_document(meta, first_line, title):
    doc = LoadedDocument("odigos.pdf", meta, [Page(1, f"{first_line}\nΚείμενο του οδηγού.")], "pdf", meta_title=meta)
    assert clean_document(doc).title == title
