"""A follow-up that points at an item of the previous answer («πες μου για το 3», «στο 2 τι κάνουμε;»):
the item is found in the guide by the document's structure — a listed step or kind is usually the title
of one subsection — and the gate judges the item together with what is asked about it."""

from __future__ import annotations

from types import SimpleNamespace

from assistant.anchor import item_section
from assistant.core.types import Turn

STAGES = [
    Turn(role="user", content="Πώς οργανώνουμε τους εθελοντές μας;"),
    # Written as another assistant (or a colleague) would: inline numbers, the guide's own labels.
    Turn(role="assistant", content="Σε τρία στάδια: 1. Προσέλκυση 2. Εκπαίδευση 3. Ασφάλιση."),
]


def test_an_item_that_is_a_section_title_leads_to_that_section(synthetic_assistant):
    answer = synthetic_assistant.ask("πες μου για το 3", history=STAGES)
    assert answer.found and answer.cited_sources[0].section.endswith("2.3 Ασφάλιση")
    # The answer is that section, not padded with others («Ο φορέας υπογράφει μνημόνιο…» of section 3).
    assert {s.section for s in answer.cited_sources} == {"2 Οργάνωση των εθελοντών > 2.3 Ασφάλιση"}


def test_the_item_and_the_asking_sentence_decide_not_the_words_the_guide_lacks(synthetic_assistant):
    # «ψάχνουμε» is a word this corpus never uses; the question is about item 1 (Προσέλκυση) all the same.
    answer = synthetic_assistant.ask("Πες μου περισσότερα για το 1. Πού τους ψάχνουμε;", history=STAGES)
    assert answer.found and answer.cited_sources[0].section.endswith("2.1 Προσέλκυση")
    assert "σχολεία, ενορίες" in answer.text


def test_an_item_of_an_earlier_answer_is_found_after_an_answer_without_items(synthetic_assistant):
    """«και μετά;» answered by running text, then «πες μου περισσότερα για το τρίτο»: the item is the
    earlier list's (new-user trial 5: it was refused for «πες» and «τρίτο», words no guide uses)."""
    after = [*STAGES, Turn(role="user", content="και μετά;"), Turn(role="assistant", content="Ο φορέας υπογράφει μνημόνιο. [1]")]
    answer = synthetic_assistant.ask("πες μου περισσότερα για το τρίτο", history=after)
    assert answer.found and answer.cited_sources[0].section.endswith("2.3 Ασφάλιση"), answer.text


def _index(sections: list[str]):
    keys = [("g", s) for s in sections]
    children: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for g, s in keys:
        if " > " in s:
            children.setdefault((g, s.rsplit(" > ", 1)[0]), []).append((s, f"{s}-0"))
    return SimpleNamespace(index=SimpleNamespace(sections={key: [] for key in keys}, children=children))


def test_among_sections_with_the_same_title_the_one_whose_siblings_are_the_other_items_wins():
    retriever = _index(
        [
            "3. Έναρξη",
            "3. Έναρξη > 3.1 Χαρτογράφηση αναγκών",
            "3. Έναρξη > 3.2 Ενημέρωση",
            "7. Δίκτυα",
            "7. Δίκτυα > 7.1 Χαρτογράφηση εταίρων",
            "7. Δίκτυα > 7.2 Ενημέρωση",
            "7. Δίκτυα > 7.3 Συμφωνία",
        ]
    )
    items = ["Χαρτογράφηση εταίρων", "Ενημέρωση", "Συμφωνία"]
    assert item_section("Ενημέρωση", items, retriever) == ("g", "7. Δίκτυα > 7.2 Ενημέρωση")
    # No sibling tells them apart: retrieval decides, not a guess.
    assert item_section("Ενημέρωση", ["Ενημέρωση", "Κάτι άλλο"], retriever) is None
    # An item that is not a title (a sentence of a list) names no section.
    assert item_section("Μελετούμε τον εταίρο πριν τη συνάντηση", items, retriever) is None


def test_an_item_that_is_a_line_of_a_list_leads_to_the_section_that_has_the_line():
    from assistant.anchor import item_line_section

    chunks = {
        "a": ("Ο φορέας ενημερώνει τους εθελοντές κάθε μήνα.", {"guide_id": "g", "section": "1 Γενικά"}),
        "b": (
            "Πριν την επίσκεψη:\n- δήλωση εμπιστευτικότητας από κάθε εθελοντή\n- εκπαίδευση οκτώ ωρών",
            {"guide_id": "g", "section": "4 Προετοιμασία"},
        ),
    }
    index = SimpleNamespace(
        idf=lambda k: 2.0,
        lexical=SimpleNamespace(search=lambda keys, k: [("a", 2.0), ("b", 1.0)]),
        get=lambda ids: {c: chunks[c] for c in ids},
    )
    retriever = SimpleNamespace(index=index)
    assert item_line_section("Δήλωση εμπιστευτικότητας εθελοντή", retriever) == ("g", "4 Προετοιμασία")
    assert item_line_section("Ασφάλιση οχημάτων των εθελοντών", retriever) is None  # on no line of the guide
    assert item_line_section("Εθελοντές", retriever) is None  # one word is on too many lines to say


def test_among_chunks_with_the_item_on_a_line_the_one_that_lists_the_other_items_too_wins():
    from assistant.anchor import item_line_section

    # The item is a row of a table of problems and also a line of the list the previous answer gave;
    # BM25 ranks the table first, but only the list has the answer's other items beside it.
    chunks = {
        "table": (
            "| Εμπόδιο | Τι κάνουμε |\n| Αλλάζουν συνεχώς οι υπεύθυνοι | Υπεύθυνος συντονισμού εθελοντών |",
            {"guide_id": "g", "section": "8 Εμπόδια"},
        ),
        "list": (
            "Τι κρατά ένα δίκτυο ζωντανό:\n- Σταθερή χρηματοδότηση για τρία χρόνια\n"
            "- Υπεύθυνος συντονισμού εθελοντών με εντολή\n- Τακτική εκπαίδευση δύο φορές τον χρόνο",
            {"guide_id": "g", "section": "5 Βιωσιμότητα"},
        ),
    }
    index = SimpleNamespace(
        idf=lambda k: 2.0,
        lexical=SimpleNamespace(search=lambda keys, k: [("table", 3.0), ("list", 1.0)]),
        get=lambda ids: {c: chunks[c] for c in ids},
    )
    retriever = SimpleNamespace(index=index)
    items = ["Σταθερή χρηματοδότηση", "Υπεύθυνος συντονισμού εθελοντών", "Τακτική εκπαίδευση"]
    assert item_line_section(items[1], retriever, items) == ("g", "5 Βιωσιμότητα")
    # Without the other items nothing tells them apart, and BM25's order stands.
    assert item_line_section(items[1], retriever) == ("g", "8 Εμπόδια")
