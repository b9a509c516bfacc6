"""The offline (extractive) answer path end to end on the bundled guides: the `kalo ask` done-when cases,
page-true citations checked against the PDFs, the not-found answer, and follow-up questions."""

from __future__ import annotations

import re

import pytest
from support.shared import pages_text, shared_assistant, squash

from assistant.answer import NOT_FOUND, ExtractiveAnswerer, heuristic_condense, is_follow_up
from assistant.cite import CITATION, answer_sentences
from assistant.core.types import Answer, Turn
from assistant.guard import missing_fact, relevance

START = "Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;"
MUNICIPAL = "synergasia-ota-kalo"
KALO = "diktyosi-foreon-kalo"

IN_SCOPE = [
    START,
    "pws ksekinaw synergasia me forea kalo",
    "Τι τύποι δικτύων υπάρχουν;",
    "Ποιοι είναι οι κίνδυνοι της δικτύωσης για έναν φορέα;",
    "Τι είναι η Κοινωνική Συνεταιριστική Επιχείρηση;",
    "Τι είναι το Γενικό Μητρώο Φορέων ΚΑΛΟ;",
    "Τι είναι ένα μνημόνιο συνεργασίας;",
    "Ποια είναι τα βήματα για την ανάπτυξη συνεργασιών και δικτύων;",
    "Τι σημαίνει mission drift;",
]
OUT_OF_SCOPE = [
    "Τι καιρό θα κάνει αύριο;",
    "Ποια ομάδα κέρδισε το πρωτάθλημα ποδοσφαίρου;",
    "Ποιος θα πάρει το champions league φέτος;",
]


@pytest.fixture(scope="module")
def assistant(bundled_settings):
    return shared_assistant(bundled_settings)


@pytest.fixture(scope="module")
def ask(assistant):
    """`assistant.ask(question)` without history, each question answered once per module."""
    memo: dict[tuple, Answer] = {}

    def run(question: str, audience: str | None = None) -> Answer:
        if (question, audience) not in memo:
            memo[(question, audience)] = assistant.ask(question, audience)
        return memo[(question, audience)]

    return run


def cited_numbers(text: str) -> list[int]:
    return [int(x) for m in CITATION.finditer(text) for x in m.group(1).split(",")]


def greek_share(text: str) -> float:
    letters = [c for c in CITATION.sub("", text) if c.isalpha()]
    return sum("\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff" for c in letters) / len(letters)


# --- the done-when case ----------------------------------------------------------------------------------


def test_start_a_collaboration_walks_through_the_seven_steps(ask):
    answer = ask(START)
    assert answer.found
    assert answer.answerer == "extractive"
    assert answer.standalone_question == START
    lines = answer.text.splitlines()
    assert lines[0] == "Σύμφωνα με τον οδηγό «Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ»:"
    steps = [line for line in lines if re.match(r"^\d+\. ", line)]
    assert len(steps) == 7
    for i, line in enumerate(steps, start=1):
        assert line.startswith(f"{i}. **6.{i} "), line  # numbered in the guide's own order, 6.1 → 6.7
        assert line.endswith(f"[{i}]"), line
    titles = [re.match(r"^\d+\. \*\*(.+?)\*\*", line).group(1) for line in steps]
    assert titles == [
        "6.1 Χαρτογράφηση αναγκών",
        "6.2 Εντοπισμός φορέων",
        "6.3 Διαβούλευση και πρώτη επαφή",
        "6.4 Σχεδιασμός της συνεργασίας",
        "6.5 Τυποποίηση",
        "6.6 Υλοποίηση",
        "6.7 Παρακολούθηση και αξιολόγηση",
    ]
    cited = answer.cited_sources
    assert [s.n for s in cited] == list(range(1, 8))
    assert {s.guide_id for s in cited} == {MUNICIPAL}
    assert [s.section.split(" > ")[-1] for s in cited] == titles
    assert all(s.section.startswith("6. Βήμα προς βήμα") for s in cited)
    assert [s.page_start for s in cited] == sorted(s.page_start for s in cited)


@pytest.mark.parametrize(
    ("question", "chapter", "at_least"),
    [
        ("Τι τύποι δικτύων υπάρχουν;", "5. Τύποι δικτύων", 7),
        ("Ποια εργαλεία συνεργασίας υπάρχουν;", "5. Μορφές και νομικά εργαλεία", 7),
    ],
)
def test_a_what_kinds_question_lists_the_kinds_in_the_guides_order(ask, question, chapter, at_least):
    answer = ask(question)
    points = [line for line in answer.text.splitlines() if re.match(r"^\d+\. \*\*", line)]
    numbers = [re.match(r"^\d+\. \*\*(\d+\.\d+) ", line).group(1) for line in points]
    assert len(points) >= at_least
    assert numbers == sorted(numbers, key=lambda n: tuple(map(int, n.split("."))))  # the guide's order
    assert all(s.section.startswith(chapter) for s in answer.cited_sources)


@pytest.mark.parametrize(
    ("question", "step"),
    [
        ("Πώς βρίσκω φορείς ΚΑΛΟ στην περιοχή μου;", None),
        ("Πώς αξιολογούμε μια συνεργασία με φορέα ΚΑΛΟ;", "6.7 Παρακολούθηση και αξιολόγηση"),
    ],
)
def test_a_how_question_about_one_step_is_not_answered_with_every_step(ask, question, step):
    answer = ask(question)
    assert answer.found
    assert sum(1 for s in answer.cited_sources if s.section.startswith("6. Βήμα προς βήμα")) < 7
    if step:
        assert answer.sources[0].section.endswith(step)
    assert answer.removed_citations == [] and answer.uncited_sentences == []


@pytest.mark.parametrize("question", IN_SCOPE)
def test_cited_pages_contain_the_cited_text(ask, bundled_settings, question):
    """Each cited source's pages, as printed in the PDF, hold its excerpt (and the whole passage)."""
    answer = ask(question)
    assert answer.found and answer.cited_sources
    for source in answer.cited_sources:
        pdf = bundled_settings.corpus_dir / source.source
        assert pdf.suffix == ".pdf" and pdf.is_file()
        pages = pages_text(pdf, source.page_start, source.page_end)
        assert source.excerpt
        for part in source.excerpt.split(" … "):
            assert squash(part) in pages, (source.n, source.pages, part)
        assert squash(source.text) in pages, (source.n, source.pages)
        # …and not already on the page before: page_start is the first page the passage is on.
        if source.page_start > 1 and source.page_start == source.page_end:
            assert squash(source.text) not in pages_text(pdf, source.page_start - 1, source.page_start - 1)


@pytest.mark.parametrize("question", IN_SCOPE)
def test_extractive_answer_is_greek_and_every_sentence_cites(ask, question):
    answer = ask(question)
    assert answer.found and answer.text != NOT_FOUND
    assert greek_share(answer.text) > 0.9
    assert answer.uncited_sentences == [] and answer.removed_citations == []
    for sentence in answer_sentences(answer.text):
        if sentence.endswith(":"):  # the «Σύμφωνα με τον οδηγό …:» introduction
            continue
        assert cited_numbers(sentence), sentence
    numbers = cited_numbers(answer.text)
    assert numbers and all(1 <= n <= len(answer.sources) for n in numbers)
    assert {s.n for s in answer.cited_sources} == set(numbers)
    assert [s.n for s in answer.sources] == list(range(1, len(answer.sources) + 1))
    assert answer.suggestions == []


@pytest.mark.parametrize("question", IN_SCOPE)
def test_excerpts_are_taken_from_the_cited_passages(ask, question):
    answer = ask(question)
    for source in answer.sources:
        if not source.cited:
            assert source.excerpt == ""
            continue
        for part in source.excerpt.split(" … "):
            assert part and part in source.text, (source.n, part)
    # Each quoted sentence is the passage's own wording (list marks and a closing colon aside).
    for line in answer.text.splitlines()[2:]:
        n = cited_numbers(line)[-1]
        body = CITATION.sub("", line).strip()
        body = re.sub(r"^(?:\d+\.|-) (?:\*\*.+?\*\* — )?", "", body).rstrip(".:;,")
        assert body[:60] in answer.sources[n - 1].text, (n, body)


def test_the_answer_streams_line_by_line(assistant):
    events = list(assistant.stream("Τι τύποι δικτύων υπάρχουν;"))
    pieces, final = events[:-1], events[-1]
    assert isinstance(final, Answer)
    assert len(pieces) > 3 and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces).strip() == final.text
    assert final.latency_ms > 0


def test_audience_is_passed_to_retrieval(ask):
    municipal = ask("Τι είναι ένα μνημόνιο συνεργασίας;", "municipal")
    kalo = ask("Τι είναι ένα μνημόνιο συνεργασίας;", "kalo")
    assert municipal.found and kalo.found
    assert municipal.sources[0].guide_id == MUNICIPAL
    assert kalo.sources[0].guide_id == KALO


# --- not found -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_questions_get_the_fixed_not_found_answer(ask, question):
    answer = ask(question)
    assert not answer.found
    assert answer.text == NOT_FOUND == "Δεν βρήκα απάντηση στους οδηγούς."
    assert answer.sources == [] and answer.cited_sources == []
    assert answer.removed_citations == [] and answer.uncited_sentences == []
    assert 1 <= len(answer.suggestions) <= 3
    assert all(s.section and s.guide_id in {MUNICIPAL, KALO} and s.page_start >= 1 for s in answer.suggestions)


def test_relevance_guard_separates_in_and_out_of_scope(assistant):
    inside = [relevance(assistant.retriever().invoke(q), assistant.settings) for q in IN_SCOPE[:4]]
    outside = [relevance(assistant.retriever().invoke(q), assistant.settings) for q in OUT_OF_SCOPE]
    assert min(inside) >= assistant.settings.min_relevance > max(outside)


@pytest.mark.parametrize(
    "question",
    [
        "Πόσο είναι το ελάχιστο κεφάλαιο για να ιδρύσω Κοιν.Σ.Επ.;",
        "Ποιο άρθρο ρυθμίζει τις προγραμματικές συμβάσεις με φορείς ΚΑΛΟ;",
        "Ποιο είναι το τηλέφωνο του Γενικού Μητρώου Φορέων ΚΑΛΟ;",
    ],
)
def test_questions_asking_for_a_fact_the_guides_lack_are_not_answered(assistant, question):
    docs = assistant.retriever().invoke(question)
    assert relevance(docs, assistant.settings) >= assistant.settings.min_relevance  # on topic…
    assert missing_fact(question, docs)  # …but no passage holds a figure, an article number or a phone
    assert not assistant.ask(question).found


def test_frequency_questions_are_not_mistaken_for_figure_questions(assistant):
    question = "Κάθε πόσο πρέπει να αξιολογούμε τα δίκτυα στα οποία συμμετέχουμε;"
    assert not missing_fact(question, assistant.retriever().invoke(question))
    assert assistant.ask(question).found


def test_extractive_answerer_with_no_passages_says_not_found(bundled_settings):
    answerer = ExtractiveAnswerer(bundled_settings)
    assert answerer.compose("Οτιδήποτε;", []) == NOT_FOUND
    assert "".join(answerer.stream("Οτιδήποτε;", [], [])) == NOT_FOUND


# --- follow-up questions ---------------------------------------------------------------------------------

HISTORY = [
    Turn(role="user", content=START),
    Turn(role="assistant", content="Σύμφωνα με τον οδηγό «Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ»: 1. Χαρτογράφηση αναγκών [1]"),
]
FOLLOW_UPS = [
    "και ποιο είναι το επόμενο βήμα μετά τη χαρτογράφηση;",
    "και μετά;",
    "Και μετά;",
    "Ποιο είναι το επόμενο;",
]


@pytest.mark.parametrize("question", FOLLOW_UPS)
def test_follow_ups_are_recognised(question):
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    ["Τι τύποι δικτύων υπάρχουν;", "Τι είναι η Κοινωνική Συνεταιριστική Επιχείρηση;", START],
)
def test_self_contained_questions_are_not_follow_ups(question):
    assert not is_follow_up(question)
    assert heuristic_condense(question, HISTORY) == question


def test_heuristic_condense_prefixes_the_previous_question():
    assert heuristic_condense("και μετά;", HISTORY) == f"{START} και μετά;"
    assert heuristic_condense("και μετά;", []) == "και μετά;"  # nothing to lean on
    only_assistant = [Turn(role="assistant", content="Καλώς ήρθατε.")]
    assert heuristic_condense("και μετά;", only_assistant) == "και μετά;"
    later = [*HISTORY, Turn(role="user", content="Τι τύποι δικτύων υπάρχουν;"), Turn(role="assistant", content="…")]
    assert heuristic_condense("και μετά;", later) == "Τι τύποι δικτύων υπάρχουν; και μετά;"  # the latest one


@pytest.mark.parametrize("question", FOLLOW_UPS[:2])
def test_a_follow_up_stays_on_the_same_topic(assistant, question):
    answer = assistant.ask(question, history=HISTORY)
    assert answer.question == question
    assert answer.standalone_question.startswith(START) and answer.standalone_question.endswith(question)
    assert answer.found
    assert answer.sources[0].guide_id == MUNICIPAL
    assert answer.sources[0].section.startswith("6. Βήμα προς βήμα")
    assert {s.guide_id for s in answer.cited_sources} == {MUNICIPAL}
    assert any(s.section.endswith("6.2 Εντοπισμός φορέων") for s in answer.cited_sources)


def test_a_new_question_in_a_conversation_is_not_rewritten(assistant):
    question = "Τι τύποι δικτύων υπάρχουν;"
    answer = assistant.ask(question, history=HISTORY)
    assert answer.standalone_question == question
    assert answer.found
    assert answer.sources[0].guide_id == KALO
    assert answer.sources[0].section.startswith("5. Τύποι δικτύων")
