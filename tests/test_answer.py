"""Answers through the facade, end to end, on the synthetic guides (a Markdown export, a plain-text guide,
a PDF; fake-hash embeddings): what a user sees — the answer, its numbering, its notes, the follow-ups.
Answer quality on the bundled guides is measured by the evaluation (eval/, the dev and test splits)."""

from __future__ import annotations

import re

import pytest

from assistant.answer import NOT_FOUND
from assistant.cite import CITATION
from assistant.core.types import Answer, Turn
from assistant.service import Assistant
from ingest.pipeline import Ingestor


def cited_numbers(text: str) -> list[int]:
    return [int(x) for m in CITATION.finditer(text) for x in m.group(1).split(",")]


def test_a_procedure_is_answered_step_by_step_with_citations_from_one(synthetic_assistant):
    answer = synthetic_assistant.ask("Ποια είναι τα βήματα σύστασης μιας ενεργειακής κοινότητας;")
    assert answer.found and answer.coverage == "covered"
    for step in ("Απόφαση του δημοτικού συμβουλίου", "Σύνταξη καταστατικού", "Πρώτη γενική συνέλευση"):
        assert step in answer.text
    numbers = cited_numbers(answer.text)
    assert numbers and sorted(set(numbers)) == list(range(1, max(numbers) + 1))  # 1..m, no gaps
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == sorted(first_seen)  # numbered in the order they appear
    assert [s.n for s in answer.sources] == list(range(1, len(answer.sources) + 1))
    assert all(s.cited for s in answer.sources if s.n in numbers)


def test_no_bullet_starts_with_a_section_heading(synthetic_assistant):
    answer = synthetic_assistant.ask("Πώς οργανώνονται οι εθελοντές ενός δικτύου φροντίδας;")
    assert answer.found
    bullets = [line for line in answer.text.splitlines() if re.match(r"^(?:\d+\.|-) ", line)]
    assert not any("**" in b or " — " in b for b in bullets)


def test_the_streamed_pieces_are_the_final_answer(synthetic_assistant):
    events = list(synthetic_assistant.stream("Πώς εκπαιδεύονται οι νέοι εθελοντές;"))
    final = events[-1]
    assert isinstance(final, Answer) and final.found
    assert "".join(e for e in events[:-1]) == final.text
    assert len(events) > 2  # sentence by sentence, not the whole answer at once


def test_a_question_the_guides_do_not_cover_is_refused_with_suggestions(synthetic_assistant):
    answer = synthetic_assistant.ask("Ποιος είναι ο καλύτερος προπονητής ποδοσφαίρου στην Ευρώπη;")
    assert not answer.found and answer.text.startswith(NOT_FOUND) and answer.coverage == "not_covered"
    assert answer.sources == [] and answer.suggestions


def test_a_fact_the_guides_do_not_state_is_refused(synthetic_assistant):
    answer = synthetic_assistant.ask("Ποιο είναι το τηλέφωνο του συντονιστή του εθελοντικού δικτύου;")
    assert not answer.found and "τηλέφωνα ή στοιχεία επικοινωνίας" in answer.not_covered
    # the refusal says why, in every interface: rephrasing cannot bring a figure the guides do not state
    assert answer.text.startswith(NOT_FOUND) and "Οι οδηγοί δεν αναφέρουν τηλέφωνα ή στοιχεία επικοινωνίας" in answer.text
    # …and who gives them: a phone number is the office's own, no law sets it (new-user trial)
    assert "η ίδια η υπηρεσία ή ο φορέας" in answer.text and "νομοθεσία" not in answer.text, answer.text


def test_a_refusal_for_words_the_guides_never_use_names_them(synthetic_assistant):
    answer = synthetic_assistant.ask("Πώς βγάζουμε διαβατήριο για ταξίδι;")
    assert not answer.found
    # joined as a sentence denies two things, not as a keyword list («διαβατήριο», «ταξίδι»)
    assert "Οι οδηγοί δεν αναφέρουν πουθενά «διαβατήριο» ούτε «ταξίδι»." in answer.text, answer.text
    assert "βγάζουμε" not in answer.not_covered  # what the user does is said in their words: not a topic


def test_a_follow_up_in_another_language_is_read_as_that_language(synthetic_assistant):
    """Searched with its English context, «Who should that contact person be?» was read as Greeklish and
    refused with «Οι οδηγοί δεν αναφέρουν πουθενά «Who should that contact person be»» (new-user trial 11)."""
    first = synthetic_assistant.ask("How are the new volunteers of the care network trained before their first visit?")
    history = [Turn(role="user", content=first.question), Turn(role="assistant", content=first.text)]
    answer = synthetic_assistant.ask("And what does that training cover for the volunteers?", history=history)
    assert "«And" not in answer.text and "«what" not in answer.text.lower(), answer.text
    assert answer.found, answer.text


def test_the_covered_part_is_answered_and_the_rest_said_plainly(synthetic_assistant):
    answer = synthetic_assistant.ask(
        "Πώς εκπαιδεύονται οι νέοι εθελοντές του δικτύου φροντίδας και πόσο κοστίζει η εκπαίδευση;"
    )
    assert answer.found and answer.coverage == "partial"
    assert "οκτώ ωρών" in answer.text
    assert "Οι οδηγοί δεν αναφέρουν χρηματικά ποσά" in answer.text


def test_a_figure_the_guide_states_is_answered(synthetic_assistant):
    answer = synthetic_assistant.ask("Πόσα ευρώ είναι η μέγιστη επιχορήγηση του προγράμματος Ηλιαχτίδα;")
    assert answer.found and "12.345 ευρώ" in answer.text


def test_when_the_told_situation_happens_is_not_searched(synthetic_assistant):
    """«…από τον επόμενο μήνα…» tells when, not what about: searched, it finds time phrases of the guide."""
    answer = synthetic_assistant.ask(
        "Ο σύλλογος θέλει από τον επόμενο μήνα να εκπαιδεύσει νέους εθελοντές. Πώς εκπαιδεύονται;"
    )
    assert answer.standalone_question == "Ο σύλλογος θέλει να εκπαιδεύσει νέους εθελοντές. Πώς εκπαιδεύονται;"
    assert answer.found and "οκτώ ωρών" in answer.text, answer.text


def test_a_follow_up_on_an_item_answers_about_that_item(synthetic_assistant):
    first = synthetic_assistant.ask("Ποια είναι τα βήματα σύστασης μιας ενεργειακής κοινότητας;")
    history = [Turn(role="user", content=first.question), Turn(role="assistant", content=first.text)]
    answer = synthetic_assistant.ask("πες μου περισσότερα για το τρίτο", history=history)
    assert answer.found
    assert "Γενικό Εμπορικό Μητρώο" in answer.standalone_question  # item 3 of the previous answer


def test_a_follow_up_with_a_pronoun_keeps_the_topic(synthetic_assistant):
    history = [
        Turn(role="user", content="Πώς εκπαιδεύονται οι νέοι εθελοντές του δικτύου φροντίδας;"),
        Turn(role="assistant", content="Κάθε νέος εθελοντής παρακολουθεί εκπαίδευση οκτώ ωρών. [1]"),
    ]
    answer = synthetic_assistant.ask("Και τι καλύπτει αυτή;", history=history)
    assert answer.found and "πρώτες βοήθειες" in answer.text
    assert "Κάθε νέος εθελοντής παρακολουθεί εκπαίδευση οκτώ ωρών" not in answer.text  # not repeated


def test_a_follow_up_asking_something_new_is_found_by_its_own_words(synthetic_assistant):
    previous = (
        "Πώς εκπαιδεύονται οι νέοι εθελοντές; Πόσες ώρες διαρκεί η εκπαίδευση πριν από την πρώτη επίσκεψη "
        "σε ηλικιωμένο και καλύπτει πρώτες βοήθειες, επικοινωνία και προσωπικά δεδομένα;"
    )
    question = "Κι αν πάθουν ατύχημα στη δράση;"
    retriever = synthetic_assistant.search()
    # Searched together at par, the previous question's many words outweigh the new one's few …
    assert retriever.retrieve(f"{previous} {question}").passages[0].section.endswith("2.2 Εκπαίδευση")
    # … searched by its own words with the previous question alongside, the new question decides.
    assert retriever.retrieve(question, context=previous).passages[0].section.endswith("2.3 Ασφάλιση")
    history = [Turn(role="user", content=previous), Turn(role="assistant", content="Εκπαίδευση οκτώ ωρών. [1]")]
    answer = synthetic_assistant.ask(question, history=history)
    assert answer.found and answer.cited_sources[0].section.endswith("2.3 Ασφάλιση")


def test_and_then_goes_on_to_what_follows_in_the_guide(synthetic_assistant):
    history = [
        Turn(role="user", content="Πώς προσεγγίζουμε νέους εθελοντές;"),
        Turn(
            role="assistant",
            content="Οι εθελοντές προσεγγίζονται μέσα από σχολεία, ενορίες, συλλόγους γονέων και τα μέσα "
            "κοινωνικής δικτύωσης του φορέα. [1]",
        ),
    ]
    answer = synthetic_assistant.ask("και μετά;", history=history)
    assert answer.found
    assert answer.cited_sources[0].section.endswith("2.2 Εκπαίδευση")  # the section after 2.1 Προσέλκυση


def test_audience_prefers_its_own_guide(synthetic_assistant):
    question = "Πώς συνεργάζεται ο φορέας με τις κοινωνικές υπηρεσίες του Δήμου;"
    kalo = synthetic_assistant.ask(question, audience="kalo")
    assert kalo.found and kalo.cited_sources[0].guide_id in {"ethelontika-diktya", "koinonika-pantopoleia"}


def test_an_ask_that_leans_on_the_situation_is_judged_with_it(synthetic_assistant):
    # «Τι πρέπει να προσέξουμε» names nothing by itself: the situation told before it says what about.
    answer = synthetic_assistant.ask(
        "Θα εκπαιδεύσουμε νέους εθελοντές πριν τις επισκέψεις σε ηλικιωμένους. Τι πρέπει να προσέξουμε και πόσο κοστίζει;"
    )
    assert answer.found and answer.coverage == "partial"
    assert "οκτώ ωρών" in answer.text and "Οι οδηγοί δεν αναφέρουν χρηματικά ποσά" in answer.text


VAGUE_THEN_TRAINING = [
    Turn(role="user", content="Τι γίνεται με τους καινούριους που έρχονται;"),
    Turn(role="assistant", content="Κάθε νέος εθελοντής παρακολουθεί εκπαίδευση οκτώ ωρών πριν από την πρώτη επίσκεψη. [1]"),
]


@pytest.mark.parametrize(
    "question",
    [
        "Και σε αυτό τι θέματα περιλαμβάνονται για τους νέους;",  # words of its own, searched with the history
        "Κι αυτή τι καλύπτει;",  # too short to search by: the history supplies the topic
    ],
)
def test_a_follow_up_is_searched_with_what_the_previous_answer_said(synthetic_assistant, question):
    # The previous question is vague; the previous answer says where the conversation is (2.2 Εκπαίδευση).
    answer = synthetic_assistant.ask(question, history=VAGUE_THEN_TRAINING)
    assert answer.found and answer.cited_sources[0].section.endswith("2.2 Εκπαίδευση")
    assert "πρώτες βοήθειες" in answer.text


WEEKLY = """# Οδηγός του κοινωνικού παντοπωλείου του Δήμου Δοκιμής

## 1. Λειτουργία

Το κοινωνικό παντοπωλείο του Δήμου Δοκιμής λειτουργεί κάθε Τρίτη στο ισόγειο του δημαρχείου.
Οι ωφελούμενοι εξυπηρετούνται με τη σειρά προτεραιότητας που τους δίνει η κοινωνική υπηρεσία.

## 2. Εγγραφή

Η εγγραφή των ωφελουμένων γίνεται στην κοινωνική υπηρεσία με τα δικαιολογητικά του οδηγού.
"""


def test_when_is_answered_by_a_day_of_the_week_and_refused_without_any_time(synthetic_corpus):
    """«Πότε…;» asks for a time: «κάθε Τρίτη» states one; a guide that states none is not made to answer."""
    settings = synthetic_corpus
    assistant = _guide_assistant(settings, "pantopoleio-dokimis.md", WEEKLY)
    answer = assistant.ask("Πότε λειτουργεί το κοινωνικό παντοπωλείο του Δήμου Δοκιμής;")
    assert answer.found and "κάθε Τρίτη" in answer.text
    refused = assistant.ask("Πότε λήγει η προθεσμία για την εγγραφή των ωφελουμένων;")
    assert not refused.found


def _guide_assistant(settings, name: str, text: str) -> Assistant:
    """The assistant over the synthetic corpus with one more guide, `name`, written and ingested."""
    (settings.corpus_dir / name).write_text(text, encoding="utf-8")
    Ingestor(settings).run()
    return Assistant(settings)


GARDEN = """# Οδηγός δημοτικού λαχανόκηπου

## 1. Τα βήματα

### 1.1 Επιλογή οικοπέδου

Η τεχνική υπηρεσία προτείνει ένα δημοτικό οικόπεδο με νερό και πρόσβαση για τα οχήματα του Δήμου.

### 1.2 Πρόσκληση συμμετοχής

Ο Δήμος δημοσιεύει πρόσκληση για τα αγροτεμάχια και ενημερώνει όσους μπορεί να ενδιαφέρονται:
- τους συλλόγους γονέων και τα σχολεία της γειτονιάς.
- τις ομάδες εθελοντών που καθαρίζουν τα πάρκα.
- τις κοινωνικές υπηρεσίες του Δήμου και τα Κέντρα Κοινότητας.

### 1.3 Κλήρωση αγροτεμαχίων

Τα αγροτεμάχια κατανέμονται με δημόσια κλήρωση, με προτεραιότητα στις οικογένειες με χαμηλό εισόδημα.

## 2. Οι κοινωνικές υπηρεσίες και τα Κέντρα Κοινότητας

Οι κοινωνικές υπηρεσίες του Δήμου και τα Κέντρα Κοινότητας προτείνουν οικογένειες για τον λαχανόκηπο.
Τα Κέντρα Κοινότητας και οι κοινωνικές υπηρεσίες του Δήμου παρακολουθούν τη συμμετοχή τους.

## 3. Οι εποχικές καλλιέργειες

Το φθινόπωρο φυτεύονται λάχανα, μπρόκολα και κουκιά, την άνοιξη ντομάτες και κολοκυθάκια.
"""


def test_and_then_after_a_step_in_detail_goes_on_to_the_next_step(synthetic_corpus):
    """«και μετά;» after «πες μου για το δεύτερο»: the next step, read from the section the previous
    answer was quoted from, not from whichever section its last sentence's words resemble most."""
    settings = synthetic_corpus
    assistant = _guide_assistant(settings, "lachanokipos.md", GARDEN)
    steps = "Τα βήματα είναι:\n1. Επιλογή οικοπέδου. [1]\n2. Πρόσκληση συμμετοχής. [2]\n3. Κλήρωση αγροτεμαχίων. [3]"
    history = [Turn(role="user", content="Ποια είναι τα βήματα για τον λαχανόκηπο;"), Turn(role="assistant", content=steps)]
    answer = assistant.ask("πες μου περισσότερα για το δεύτερο", history=history)
    history += [Turn(role="user", content="πες μου περισσότερα για το δεύτερο"), Turn(role="assistant", content=answer.text)]
    assert "Κέντρα Κοινότητας" in answer.text  # the step in detail ends with its list's last item
    following = assistant.ask("και μετά;", history=history)
    assert following.found and "δημόσια κλήρωση" in following.text
    assert following.cited_sources[0].section.endswith("1.3 Κλήρωση αγροτεμαχίων")


def test_and_then_after_an_answer_from_a_step_and_another_section_goes_on_to_the_next_step(synthetic_corpus):
    """An answer put together from a step of a «how» chapter and a section that is no step (new-user trial 5:
    a first step, then the fields of cooperation): «και μετά;» is the next step, not what follows the
    section the answer happened to end in."""
    settings = synthetic_corpus
    how = GARDEN.replace("## 1. Τα βήματα", "## 1. Πώς στήνουμε τον λαχανόκηπο")
    assistant = _guide_assistant(settings, "lachanokipos.md", how)
    said = (
        "Η τεχνική υπηρεσία προτείνει ένα δημοτικό οικόπεδο με νερό και πρόσβαση για τα οχήματα του Δήμου. [1] "
        "Οι κοινωνικές υπηρεσίες του Δήμου και τα Κέντρα Κοινότητας προτείνουν οικογένειες για τον λαχανόκηπο. [2]"
    )
    history = [Turn(role="user", content="Θέλουμε λαχανόκηπο για οικογένειες. Από πού ξεκινάμε;"), Turn(role="assistant", content=said)]
    following = assistant.ask("και μετά;", history=history)
    assert following.found and following.cited_sources[0].section.endswith("1.2 Πρόσκληση συμμετοχής"), following.text


def test_the_second_step_is_the_guide_s_step_two_not_item_two_of_another_list(synthetic_corpus):
    """«πες μου περισσότερα για το δεύτερο βήμα» after an answer that quoted the first step and a list that
    is no step (new-user trial 6: item 2 of a list of data sources was read as «step 2»): the procedure's
    second part."""
    settings = synthetic_corpus
    how = GARDEN.replace("## 1. Τα βήματα", "## 1. Πώς στήνουμε τον λαχανόκηπο").replace(
        "την άνοιξη ντομάτες και κολοκυθάκια.",
        "την άνοιξη ντομάτες και κολοκυθάκια.\n\nΚαλλιεργούμε επίσης:\n- αρωματικά φυτά σε γλάστρες όλο τον χρόνο.\n"
        "- φράουλες στις άκρες των αγροτεμαχίων.\n- λουλούδια που φέρνουν μέλισσες.",
    )
    assistant = _guide_assistant(settings, "lachanokipos.md", how)
    said = (
        "Η τεχνική υπηρεσία προτείνει ένα δημοτικό οικόπεδο με νερό και πρόσβαση για τα οχήματα του Δήμου. [1]\n\n"
        "Καλλιεργούμε επίσης: [2]\n- αρωματικά φυτά σε γλάστρες όλο τον χρόνο. [2]\n"
        "- φράουλες στις άκρες των αγροτεμαχίων. [2]\n- λουλούδια που φέρνουν μέλισσες. [2]"
    )
    history = [Turn(role="user", content="Θέλουμε λαχανόκηπο για οικογένειες. Από πού ξεκινάμε;"), Turn(role="assistant", content=said)]
    answer = assistant.ask("πες μου περισσότερα για το δεύτερο βήμα", history=history)
    assert answer.found and answer.cited_sources[0].section.endswith("1.2 Πρόσκληση συμμετοχής"), answer.text
    assert "φράουλες" not in answer.text
    # Without «βήμα», «το δεύτερο» is still the previous answer's second item.
    item = assistant.ask("πες μου περισσότερα για το δεύτερο", history=history)
    assert "1.2 Πρόσκληση συμμετοχής" not in item.cited_sources[0].section, item.text


def test_a_short_follow_up_pointing_back_is_about_what_the_last_answer_quoted(synthetic_corpus):
    """«ποιος το αναλαμβάνει αυτό;» after «και μετά;» (new-user trial 7): «αυτό» is the step the last answer
    gave, not the conversation's first question, whose step has a «who» line of its own."""
    settings = synthetic_corpus
    who = GARDEN.replace(
        "οχήματα του Δήμου.\n", "οχήματα του Δήμου.\n\nΠοιος το κάνει: Η τεχνική υπηρεσία του Δήμου.\n"
    ).replace(
        "χαμηλό εισόδημα.\n",
        "χαμηλό εισόδημα.\n\nΠοιος το κάνει: Η επιτροπή του λαχανόκηπου, με έναν εκπρόσωπο των γονέων.\n",
    )
    assistant = _guide_assistant(settings, "lachanokipos.md", who)
    first = "Η τεχνική υπηρεσία προτείνει ένα δημοτικό οικόπεδο με νερό και πρόσβαση για τα οχήματα του Δήμου. [1]"
    then = "Τα αγροτεμάχια κατανέμονται με δημόσια κλήρωση, με προτεραιότητα στις οικογένειες με χαμηλό εισόδημα. [1]"
    history = [
        Turn(role="user", content="Πώς διαλέγουμε οικόπεδο για τον λαχανόκηπο;"),
        Turn(role="assistant", content=first),
        Turn(role="user", content="και μετά;"),
        Turn(role="assistant", content=then),
    ]
    answer = assistant.ask("ποιος το αναλαμβάνει αυτό;", history=history)
    assert answer.found and "επιτροπή του λαχανόκηπου" in answer.text, answer.text
    assert "Η τεχνική υπηρεσία του Δήμου" not in answer.text


def test_markup_in_a_question_is_not_read_as_its_words(synthetic_assistant):
    """A script or tags pasted with a question («<script>…</script><img …>») are not words the guides lack:
    the question is answered as if typed plainly; markup alone asks nothing."""
    plain = "Ποια είναι τα βήματα σύστασης μιας ενεργειακής κοινότητας;"
    marked = f'<script>alert("xss")</script><img src=x onerror=alert(1)> <b>{plain}</b>'
    a, b = synthetic_assistant.ask(plain), synthetic_assistant.ask(marked)
    assert b.found and b.text == a.text and [s.chunk_id for s in b.sources] == [s.chunk_id for s in a.sources]
    assert not synthetic_assistant.ask('<script>alert("xss")</script>').found


@pytest.mark.parametrize("question", ["🤔🤔🙏", "???", "…!", "<b></b> 👍"])
def test_a_question_with_no_words_is_asked_for_in_words(synthetic_assistant, question):
    """Emoji or punctuation alone ask nothing: no passage is quoted (they were answered with the guide's
    first lines), no nearest sections are offered, and the user is told to write the question in words."""
    answer = synthetic_assistant.ask(question)
    assert not answer.found and not answer.sources and not answer.suggestions
    assert "λέξεις" in answer.text and "Γράψτε" in answer.text



def test_kinds_of_fact_are_named_once_each_as_a_greek_list():
    """Three kinds or more read as a list, commas and a last «ή» (new-user trial 5: «αριθμούς ή ποσοστά ή
    προθεσμίες ή ημερομηνίες» was a clunky chain)."""
    from assistant.respond import facts_text

    assert facts_text(["αριθμούς ή ποσοστά", "ποσοστά"]) == "αριθμούς ή ποσοστά"
    assert facts_text(["χρηματικά ποσά", "προθεσμίες ή ημερομηνίες"]) == "χρηματικά ποσά, προθεσμίες ή ημερομηνίες"
    assert facts_text(["αριθμούς ή ποσοστά", "προθεσμίες ή ημερομηνίες"]) == "αριθμούς, ποσοστά, προθεσμίες ή ημερομηνίες"
