"""How well each sentence of the answer units answers the question (assistant/compose.py chooses by it).

The score is lexical (IDF-weighted Greek stems of the question in the sentence and its section's title),
with retrieval's rank of the section as a prior, and what the question's form and the conversation add:
a label of the asked form, a figure of the asked kind, the item or the step a follow-up points at. The
named constants below are the tuning; each says what it was chosen on.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answer import AnswerRequest
from assistant.core.documents import (
    SELF_REFERENCE,
    asks_about_document,
    is_example_section,
    points_elsewhere,
    speaks_of_itself,
)
from assistant.core.greek_text import fold, tokens
from assistant.facts import FIGURES, asked_facts, states_fact
from assistant.gate import matches
from assistant.headings import compared
from assistant.labels import glossary_units, label_forms
from assistant.query import asks_what, quoted_terms
from assistant.question import Form, need
from assistant.said import ITEM_MATCH
from assistant.units import Line, Units

_NUMBER = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3})*(?![\d/])")
# A list's caption or a run-in label asks the question its content answers («Συνηθισμένα λάθη.» what «τι
# κάνουμε λάθος;» asks): read with the same question forms, a label of the asked form lifts what it labels.
FORM_LABEL_BONUS = 0.1
# A section on the guide itself («Ο Οδηγός απευθύνεται σε: …» shares words with many questions) loses as much
# as a sentence with every word of the question: it answers if nothing else does or the guide is asked about.
ABOUT_ITSELF = 1.0
# «Σε πόσα δίκτυα…;»: a sentence that states the kind of fact asked for («λίγα δίκτυα», «τουλάχιστον ένα»).
FACT_BONUS = 0.3
# Retrieval's rank of a sentence's section (dense and lexical together) as a prior: the composer's own score
# is lexical, and the rank carries what the words alone miss. Chosen on dev (0.15 → 0.3: dev key-fact
# recall 45.5 → 47.2 %, follow-ups 51.5 → 57.6 %; flat to 0.5, worse below 0.15).
RANK_PRIOR = 0.3
# «πες μου για το 2»: the section placed first (the item's) gains as much as a title match…
LEAD_BONUS = 0.6
# …and «Υπογράψαμε. Και μετά;» the section that follows as much as a sentence with all the question's words:
# those name the step already done, which must not open the answer again.
AFTER_BONUS = 1.0
# A follow-up's item is on a line of the guide at ITEM_MATCH (assistant/said.py); the line's other sentences
# (the answer after a question in a list) then gain as much as a section title.
ITEM_LINE_BONUS = 0.6
# «Τι είναι το «κάθετο δίκτυο»;»: a sentence that opens on the asked term («Τα κάθετα δίκτυα συνδέουν…»,
# «Κοινωνική ρήτρα: …») defines it; it and what else its section says of the term gain as much as a
# follow-up's section.
DEFINES_BONUS = 0.6
_ARTICLES = {"ο", "η", "το", "οι", "τα", "ενασ", "μια", "ενα"}  # folded: what may come before the term
# Questions in another language: a sentence's closeness by meaning (0–1 over the candidates of the first
# MEANING_UNITS sections) adds up to MEANING_WEIGHT, as much as every word of the question would.
MEANING_WEIGHT = 1.0
MEANING_UNITS = 4


def scorer(request: AnswerRequest, units: Units, said: Callable[[Line], bool]) -> Callable[[Line], float | None]:
    """How well each sentence of the answer units answers the question: the share of the question's IDF
    weight it carries, with its section's title and rank, the labels and kinds of fact the question asks for,
    and what the conversation points at. None: never part of an answer."""
    weights, referent = request.weights, request.referent
    total, ref_total = sum(weights.values()), sum(referent.values())
    asks_example = Form.EXAMPLE in request.forms
    told = {ln.unit for ln in units.lines if is_example_section(units.passage(ln).leaf)}
    only_told = bool(told) and not any(matches(k, ln.keys) for k in weights for ln in units.lines if ln.unit not in told)
    mentions_guide = asks_about_document(request.question)
    on_itself = {n for n, p in enumerate(units.passages, start=1) if speaks_of_itself(p.leaf, p.text)}
    about_itself = {ln.unit for ln in units.lines if ln.n in on_itself}  # once per passage, not per line
    facts = [k for k in asked_facts(request.question) if k in FIGURES]  # «το άρθρο 11» names, not asks
    ask = {k for k in tokens(need(request.question)) if k in weights}
    sides = compared(ask, [key[1] for key in units.keys], MEANING_UNITS) if Form.DIFFERENCE in request.forms[:1] else set()
    title_keys = {key: set(tokens(key[1])) for key in units.keys}
    terms = [set(tokens(t)) for t in (quoted_terms(request.question) or [asks_what(request.question)]) if tokens(t)]

    def defines(text: str) -> bool:
        """The sentence opens on an asked term, as its subject: «Τα κάθετα δίκτυα συνδέουν…», «Κοινωνική
        ρήτρα: …» (not «Στους φορείς ΚΑΛΟ περιλαμβάνονται…», which speaks of something else)."""
        words = text.partition(":")[0].split()
        words = words[1:] if words and fold(words[0]) in _ARTICLES else words
        return any(all(matches(k, set(tokens(" ".join(words[: len(term) + 1])))) for k in term) for term in terms)

    defining = {ln.unit for ln in units.lines if terms and defines(ln.text)}

    def of_term(line: Line) -> bool:
        """In the section that defines an asked term, the line defines it or names it."""
        named = any(all(matches(k, line.keys) for k in term) for term in terms)
        return line.unit in defining and named

    # «Τι προβλέπει το άρθρο 11;», «τι λέει η ενότητα 5.3;»: a number the question names picks its section.
    # Not when the number points at an item of the previous answer («πες μου για το 1»).
    named = set() if request.item else set(_NUMBER.findall(request.question))
    named_units = {key for key in units.keys if named & set(_NUMBER.findall(key[1].rsplit(" > ", 1)[-1]))}
    asked = request.forms[0]
    list_labels = (
        {i: label_forms(intro.text) for i in units.lists if (intro := units.intro_of(i)) is not None}
        if asked != Form.GENERAL
        else {}
    )

    def coverage(w: dict[str, float], tot: float, keys: set[str]) -> float:
        return sum(v for k, v in w.items() if matches(k, keys)) / tot if tot else 0.0

    # «Το δεύτερο τι σημαίνει;» where the previous answer's items are items of a list in the guide:
    # the guide's line that carries the item (every sentence of it, the answer after a question too).
    # An item that is a section's title names that section instead (the title bonus below).
    titled = any(coverage(referent, ref_total, keys) >= ITEM_MATCH for keys in title_keys.values())
    item_lines = (
        {(ln.n, *ln.order[:2]) for ln in units.lines if coverage(referent, ref_total, ln.keys) >= ITEM_MATCH}
        if request.item and ref_total and not titled
        else set()
    )

    # A question in another language: closeness by meaning stands in for the shared words it lacks,
    # rescaled over the candidates (e5 cosines are compressed into a narrow band).
    meaning: dict[int, float] = {}
    if request.meaning is not None:
        lines = [ln for ln in units.lines if len(ln.keys) >= 3 and ln.unit < MEANING_UNITS]
        sims = request.meaning([ln.text for ln in lines]) if lines else []
        low, high = min(sims, default=0.0), max(sims, default=0.0)
        meaning = {id(ln): (s - low) / (high - low) if high > low else 0.0 for ln, s in zip(lines, sims, strict=True)}

    # A line that asks a question and answers it («Υπάρχει δαπάνη; Αν όχι, ένα μνημόνιο αρκεί.»): the
    # answer depends on its question, which is never quoted, so it is used only when that line is asked.
    asks_first = {(ln.n, *ln.order[:2]) for ln in units.lines if ln.order[2] == 0 and ln.text.endswith((";", ";"))}

    glossaries = glossary_units(units)

    def label_of(line: Line) -> set[Form]:
        """The forms of the line's run-in label, or of the caption of the list it is an item of."""
        if asked == Form.GENERAL:  # a question of no particular form: no label to match, no regexes run
            return set()
        return list_labels.get(line.item, set()) if line.item >= 0 else label_forms(line.text)

    def labelled(line: Line) -> bool:
        """The line, or the list it is an item of, is labelled with the form the question asks."""
        return asked in label_of(line)

    # A section written to a pattern of labels («Τι κάνουμε:», «Ποιος το κάνει:», «Συνηθισμένα λάθη.»)
    # that has a label of the asked form: its lines under labels of forms not asked answer other questions.
    patterned = {ln.unit for ln in units.lines if labelled(ln)}

    def score(line: Line) -> float | None:
        """None: never part of an answer (fragment, table row, rhetorical question, already said)."""
        p = units.passage(line)
        # Fragments, table rows (flattened or not) and rhetorical questions are not answers.
        if len(line.keys) < 3 or line.words > 60 or " | " in line.text or line.text.endswith((";", ";")):
            return None
        if points_elsewhere(line.text):
            return None
        # A continuation fragment, or what the previous answer already said, is never part of an answer. The
        # line of the item a follow-up points at may open in lower case («- όροι εκτέλεσης …·»): it is that
        # item, shown under its list's introduction.
        where = (line.n, *line.order[:2])
        if (line.text[0].islower() and not (line.head and where in item_lines)) or said(line):
            return None
        if line.order[2] > 0 and where in asks_first and where not in item_lines:
            return None
        value = coverage(weights, total, line.keys)
        # An entry of a section that is only a list of terms (a glossary: «Διαύγεια: το πρόγραμμα…») speaks
        # of its term alone: the section's title and rank carry over to it only when the question names it.
        term = line.text.partition(":")[0] if line.unit in glossaries and line.head else None
        unrelated = term is not None and not any(matches(k, set(tokens(term))) for k in weights)
        if not unrelated:
            value += 0.35 * coverage(weights, total, title_keys[(p.guide_id, p.section)])
        value += 0.3 * coverage(referent, ref_total, line.keys)
        if request.item:  # «πες μου για το δεύτερο»: the section that item names is the answer
            value += 0.6 * coverage(referent, ref_total, title_keys[(p.guide_id, p.section)] | line.keys)
            if where in item_lines:
                value += ITEM_LINE_BONUS
        value += 0.0 if unrelated else RANK_PRIOR / (1 + (0 if p.section in sides else line.unit))
        if request.lead and line.unit == 0:
            value += AFTER_BONUS if request.after else LEAD_BONUS
        value += MEANING_WEIGHT * meaning.get(id(line), 0.0)
        if facts and any(states_fact(kind, line.text, request.question) for kind in facts):
            value += FACT_BONUS
        if defining and of_term(line):
            value += DEFINES_BONUS
        if labelled(line):
            value += FORM_LABEL_BONUS
        elif line.unit in patterned and (label := label_of(line)) and not label & set(request.forms):
            return None
        if (p.guide_id, p.section) in named_units:
            value += 1.0  # as much as a sentence with every word of the question: it is the answer
        if line.order[1:] == (0, 0) and line.head:
            value += 0.05  # a section's or chunk's opening sentence states its topic
        # A hypothetical story is no answer unless an example is asked for, or unless only a story speaks
        # of what the question names («κι αν δεν εγκριθεί;», trial 7): it is all the guide says of it.
        if (example := is_example_section(p.leaf)) and not (asks_example or only_told):
            return None
        value += 0.3 if example and asks_example else 0.0
        if not mentions_guide:  # the guide speaking of itself: «Ο Οδηγός…», «Η ενότητα 6…», its own sections
            value -= (0.3 if SELF_REFERENCE.search(fold(line.text)) else 0.0) + ABOUT_ITSELF * (line.unit in about_itself)
        return value

    return score
