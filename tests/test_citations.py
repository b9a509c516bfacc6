"""Citation verification with hand-made answers: invented numbers, grouped forms, uncited sentences,
excerpts, and the numbering shared by the prompt context and the sources."""

from __future__ import annotations

import re

import pytest
from support.shared import shared_assistant

from assistant.answer import NOT_FOUND
from assistant.cite import Renumberer, see_also, sources_from, verify
from assistant.core.answer_text import answer_sentences, best_excerpt, passage_sentences
from assistant.core.types import Passage, Source
from assistant.generative import format_context

PASSAGES = [
    (
        "6. Βήμα προς βήμα > 6.1 Χαρτογράφηση αναγκών",
        11,
        11,
        "Τι κάνουμε. Καταγράφουμε ποια ανάγκη θέλουμε να καλύψουμε, ποιους αφορά και πόσο σοβαρή είναι. "
        "Ποιος το κάνει. Η κοινωνική υπηρεσία του Δήμου.",
    ),
    (
        "6. Βήμα προς βήμα > 6.2 Εντοπισμός φορέων",
        11,
        12,
        "Εντοπίζουμε ποιοι φορείς ΚΑΛΟ δραστηριοποιούνται στην περιοχή. "
        "Για κάθε δυνητικό εταίρο καταγράφουμε τη νομική μορφή και την εγγραφή στο Μητρώο.",
    ),
    (
        "5. Μορφές και νομικά εργαλεία > 5.6 Μνημόνια συνεργασίας",
        9,
        10,
        "Με το μνημόνιο συνεργασίας ο Δήμος και οι φορείς διατυπώνουν την πρόθεση συνεργασίας.\n"
        "- Είναι χρήσιμο ως πρώτο βήμα εμπιστοσύνης.\n"
        "- Δεν πρέπει να χρησιμοποιείται για ανάθεση υπηρεσιών.",
    ),
]


def make_docs() -> list[Passage]:
    return [
        Passage(
            chunk_id=f"guide-{i}",
            text=text,
            guide_id="synergasia-ota-kalo",
            guide_title="Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ",
            source="synergasia-ota-kalo.pdf",
            section=section,
            page_start=first,
            page_end=last,
            fused=0.03 - i / 1000,
        )
        for i, (section, first, last, text) in enumerate(PASSAGES)
    ]


@pytest.fixture
def sources() -> list[Source]:
    return sources_from(make_docs())


def test_sources_are_numbered_from_one_in_retrieval_order(sources):
    assert [s.n for s in sources] == [1, 2, 3]
    assert [s.chunk_id for s in sources] == ["guide-0", "guide-1", "guide-2"]
    assert sources[1].pages == "11–12" and sources[0].pages == "11"
    assert sources[1].label() == "Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ, 6. Βήμα προς βήμα > 6.2 Εντοπισμός φορέων, σελ. 11–12"
    assert not any(s.cited or s.excerpt for s in sources)


def test_valid_citations_mark_their_sources_with_an_excerpt(sources):
    text = (
        "Πρώτα καταγράφουμε ποια ανάγκη θέλουμε να καλύψουμε [1]. Έπειτα εντοπίζουμε τους φορείς ΚΑΛΟ της περιοχής [2]."
    )
    cleaned, removed, uncited = verify(text, sources)
    assert cleaned == text
    assert removed == [] and uncited == []
    assert [s.n for s in sources if s.cited] == [1, 2]
    assert sources[0].excerpt == "Καταγράφουμε ποια ανάγκη θέλουμε να καλύψουμε, ποιους αφορά και πόσο σοβαρή είναι."
    assert sources[1].excerpt == "Εντοπίζουμε ποιοι φορείς ΚΑΛΟ δραστηριοποιούνται στην περιοχή."
    assert not sources[2].cited and sources[2].excerpt == ""


def test_invented_citations_are_removed_and_reported(sources):
    text = "Καταγράφουμε την ανάγκη που θέλουμε να καλύψουμε [1]. Ο νόμος ορίζει προθεσμία τριάντα ημερών [7]."
    cleaned, removed, uncited = verify(text, sources)
    assert removed == [7]
    assert "[7]" not in cleaned and "[1]" in cleaned
    assert cleaned.endswith("προθεσμία τριάντα ημερών.")  # no stray space before the full stop
    # The sentence that only cited an invented passage now cites nothing, and says so.
    assert uncited == ["Ο νόμος ορίζει προθεσμία τριάντα ημερών."]
    assert [s.n for s in sources if s.cited] == [1]


@pytest.mark.parametrize("bad", [0, 4, 12, 99])
def test_out_of_range_numbers_never_survive(sources, bad):
    cleaned, removed, _ = verify(f"Το μνημόνιο είναι πρώτο βήμα εμπιστοσύνης [{bad}][3].", sources)
    assert removed == [bad]
    assert cleaned == "Το μνημόνιο είναι πρώτο βήμα εμπιστοσύνης [3]."


def test_grouped_citation_form(sources):
    cleaned, removed, uncited = verify("Ο Δήμος καταγράφει ανάγκες και εντοπίζει φορείς ΚΑΛΟ [1, 2].", sources)
    assert cleaned == "Ο Δήμος καταγράφει ανάγκες και εντοπίζει φορείς ΚΑΛΟ [1][2]."
    assert removed == [] and uncited == []
    assert [s.n for s in sources if s.cited] == [1, 2]


def test_grouped_form_with_an_invented_number(sources):
    cleaned, removed, _ = verify("Ο Δήμος καταγράφει ανάγκες και εντοπίζει φορείς [1, 9, 2].", sources)
    assert cleaned == "Ο Δήμος καταγράφει ανάγκες και εντοπίζει φορείς [1][2]."
    assert removed == [9]


def test_adjacent_citation_form(sources):
    cleaned, removed, uncited = verify("Το μνημόνιο είναι χρήσιμο ως πρώτο βήμα εμπιστοσύνης [1][3].", sources)
    assert cleaned == "Το μνημόνιο είναι χρήσιμο ως πρώτο βήμα εμπιστοσύνης [1][3]."
    assert removed == [] and uncited == []
    assert [s.n for s in sources if s.cited] == [1, 3]
    assert sources[2].excerpt == "- Είναι χρήσιμο ως πρώτο βήμα εμπιστοσύνης."


def test_citation_after_the_full_stop_belongs_to_its_sentence(sources):
    text = "Καταγράφουμε την ανάγκη και την ομάδα-στόχο. [1] Εντοπίζουμε τους φορείς της περιοχής. [2]"
    assert answer_sentences(text) == [
        "Καταγράφουμε την ανάγκη και την ομάδα-στόχο. [1]",
        "Εντοπίζουμε τους φορείς της περιοχής. [2]",
    ]
    _, removed, uncited = verify(text, sources)
    assert removed == [] and uncited == []
    assert [s.n for s in sources if s.cited] == [1, 2]


def test_uncited_sentences_are_flagged_but_framing_is_not(sources):
    text = (
        "Σύμφωνα με τον οδηγό «Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ»:\n\n"
        "1. Καταγράφουμε ποια ανάγκη θέλουμε να καλύψουμε [1].\n"
        "2. Ο Δήμος υπογράφει αμέσως σύμβαση με τον πρώτο φορέα που θα βρει.\n"
        "Καλή επιτυχία!"
    )
    cleaned, removed, uncited = verify(text, sources)
    assert cleaned == text and removed == []
    assert uncited == ["2. Ο Δήμος υπογράφει αμέσως σύμβαση με τον πρώτο φορέα που θα βρει."]


def test_the_not_found_phrase_is_not_an_uncited_claim(sources):
    cleaned, removed, uncited = verify(NOT_FOUND, sources)
    assert (cleaned, removed, uncited) == (NOT_FOUND, [], [])
    assert not any(s.cited for s in sources)


def test_one_source_cited_twice_joins_its_excerpts(sources):
    text = "Καταγράφουμε ποια ανάγκη θέλουμε να καλύψουμε [1]. Το κάνει η κοινωνική υπηρεσία του Δήμου [1]."
    verify(text, sources)
    parts = sources[0].excerpt.split(" … ")
    assert parts == [
        "Καταγράφουμε ποια ανάγκη θέλουμε να καλύψουμε, ποιους αφορά και πόσο σοβαρή είναι.",
        "Η κοινωνική υπηρεσία του Δήμου.",
    ]
    assert all(p in sources[0].text for p in parts)


def test_best_excerpt_is_a_sentence_of_the_passage():
    passage = PASSAGES[2][3]
    assert passage_sentences(passage)[1:] == [
        "- Είναι χρήσιμο ως πρώτο βήμα εμπιστοσύνης.",
        "- Δεν πρέπει να χρησιμοποιείται για ανάθεση υπηρεσιών.",
    ]
    excerpt = best_excerpt("Το μνημόνιο δεν κάνει ανάθεση υπηρεσιών", passage)
    assert excerpt == "- Δεν πρέπει να χρησιμοποιείται για ανάθεση υπηρεσιών."
    assert best_excerpt("οτιδήποτε", "") == ""


# --- numbering: prompt context = sources -----------------------------------------------------------------

_HEADER = re.compile(r"^\[(\d+)\] «(.+?)» — (.+) \(σελ\. ([\d–]+)\)$", re.M)


def context_headers(context: str) -> list[tuple[int, str, str, str]]:
    return [(int(n), title, section, pages) for n, title, section, pages in _HEADER.findall(context)]


def assert_same_numbering(docs: list[Passage]) -> None:
    context = format_context(docs)
    sources = sources_from(docs)
    headers = context_headers(context)
    assert [h[0] for h in headers] == [s.n for s in sources] == list(range(1, len(docs) + 1))
    for (n, title, section, pages), source in zip(headers, sources, strict=True):
        assert (title, section, pages) == (source.guide_title, source.section, source.pages), n
        # The passage printed under [n] is the text of Source n, not its neighbour's.
        block = context.split(f"[{n}] «", 1)[1]
        assert block.split("\n", 1)[1].startswith(f"<<<\n{source.text}\n>>>")  # fenced: data, not instructions


def test_context_numbering_equals_source_numbers_hand_made():
    assert_same_numbering(make_docs())
    assert context_headers(format_context(make_docs()))[0] == (
        1,
        "Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ",
        "6. Βήμα προς βήμα > 6.1 Χαρτογράφηση αναγκών",
        "11",
    )


@pytest.mark.parametrize(
    "question",
    ["Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;", "Τι τύποι δικτύων υπάρχουν;"],
)
def test_context_numbering_equals_source_numbers_retrieved(bundled_settings, question):
    docs = shared_assistant(bundled_settings).retriever().retrieve(question).passages
    assert len(docs) >= 6
    assert_same_numbering(docs)


def test_verify_against_retrieved_passages(bundled_settings):
    """A citation to passage n marks exactly Source n, whose excerpt comes from its own text."""
    docs = shared_assistant(bundled_settings).retriever().retrieve("Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;")
    sources = sources_from(docs.passages)
    third = sources[2]
    claim = passage_sentences(third.text)[1]
    _, removed, uncited = verify(f"{claim} [3]", sources)
    assert removed == [] and uncited == []
    assert [s.n for s in sources if s.cited] == [3]
    assert third.excerpt == claim


# --- numbering as the reader sees it ---------------------------------------------------------------------


def test_citations_are_renumbered_in_order_of_first_appearance(sources):
    renumber = Renumberer({s.n for s in sources})
    text = renumber.feed("Πρώτα το μνημόνιο [3]. Μετά τα φορέα") + renumber.feed("ς [2][3]. Τέλος [1].") + renumber.close()
    assert text == "Πρώτα το μνημόνιο [1]. Μετά τα φορέας [2][1]. Τέλος [3]."
    renumbered = renumber.sources(sources)
    assert [s.n for s in renumbered] == [1, 2, 3]
    assert renumbered[0].section == sources[2].section and renumbered[2].section == sources[0].section


def test_a_citation_split_across_streamed_pieces_is_held_until_complete(sources):
    renumber = Renumberer({s.n for s in sources})
    assert renumber.feed("Η ανάγκη καταγράφεται [") == "Η ανάγκη καταγράφεται "
    assert renumber.feed("2] πρώτα.") == "[1] πρώτα."


def test_an_invented_number_is_dropped_while_renumbering(sources):
    renumber = Renumberer({s.n for s in sources})
    assert renumber.feed("Κάτι [9] και κάτι άλλο [2].") == "Κάτι  και κάτι άλλο [1]."
    assert renumber.removed == [9]


def test_see_also_points_to_sections_the_answer_did_not_cite(sources):
    pointers = see_also("Καταγράφουμε την ανάγκη. [1]", sources, k=2)
    assert pointers.startswith("Δείτε επίσης:")
    assert "6.2 Εντοπισμός φορέων" in pointers and "6.1 Χαρτογράφηση" not in pointers
    # The answer cites that guide already (its sources list names it): the pointer gives section and pages.
    assert "«6.2 Εντοπισμός φορέων» (σελ. 11–12)" in pointers and sources[1].guide_title not in pointers
    assert see_also("x [1]", sources, k=0) == ""
    # An uncited guide is named.
    other = sources_from(make_docs())
    other[1].guide_id, other[1].guide_title = "allos-odigos", "Άλλος οδηγός"
    assert "«6.2 Εντοπισμός φορέων» (Άλλος οδηγός, σελ. 11–12)" in see_also("Καταγράφουμε. [1]", other, k=2)


def test_see_also_does_not_point_to_what_the_document_says_of_itself(sources):
    """«Σε ποιους απευθύνεται», «Σκοπός του Οδηγού»: sections where the document speaks of itself (its title
    names it, or its text opens on «Ο Οδηγός…») were the most frequent «Δείτε επίσης» on every split, and
    help no one with a situation. The next section is pointed to instead."""
    about = sources[1].model_copy(update={"section": "1 Εισαγωγή > 1.2 Σε ποιους απευθύνεται", "text": "Ο Οδηγός απευθύνεται σε στελέχη. • μέλη διοικητικών συμβουλίων·"})
    purpose = sources[1].model_copy(update={"n": 4, "section": "1 Εισαγωγή > 1.1 Σκοπός του Οδηγού", "text": "• Με ποια εργαλεία;"})
    later = sources[1].model_copy(update={"n": 5})
    pointers = see_also("Καταγράφουμε την ανάγκη. [1]", [sources[0], about, purpose, later], k=2)
    assert "6.2 Εντοπισμός φορέων" in pointers and "απευθύνεται" not in pointers and "Σκοπός" not in pointers, pointers


def test_a_legal_source_reads_as_act_article_and_page_everywhere():
    from assistant.web.api import SourceOut

    law = Source(
        n=1, chunk_id="c", guide_id="3606_2007", guide_title="Ν. 3606/2007 — Αγορές χρηματοπιστωτικών μέσων",
        source="3606_2007.pdf", section="ΜΕΡΟΣ Β > Άρθρο 11 Προϋποθέσεις", page_start=7, page_end=7, text="…",
        article="άρθρο 11", act="Ν. 3606/2007",
    )  # fmt: skip
    assert law.label() == "Ν. 3606/2007, άρθρο 11 — σελ. 7"
    out = SourceOut.of(law)
    assert (out.article, out.act, out.label) == ("άρθρο 11", "Ν. 3606/2007", "Ν. 3606/2007, άρθρο 11 — σελ. 7")
    guide = law.model_copy(update={"article": "", "act": "", "section": "6. Βήματα > 6.1 Χαρτογράφηση"})
    assert guide.label() == "Ν. 3606/2007 — Αγορές χρηματοπιστωτικών μέσων, 6. Βήματα > 6.1 Χαρτογράφηση, σελ. 7"


def test_see_also_reaches_past_a_long_list_of_cited_parts(sources):
    # Eight parts listed and cited, then the section the question landed on: it is still pointed to.
    parts = [sources[0].model_copy(update={"n": n, "section": f"5 Μορφές > 5.{n} Μορφή {n}"}) for n in range(1, 9)]
    landed = sources[1].model_copy(update={"n": 9, "section": "5 Μορφές > 5.9 Ποια μορφή μας ταιριάζει;"})
    text = " ".join(f"Μορφή {n}. [{n}]" for n in range(1, 9))
    assert "5.9 Ποια μορφή μας ταιριάζει;" in see_also(text, [*parts, landed], k=2)
