"""Run-in labels and captions read as questions: «Τι κάνουμε:», «Ποιος το κάνει:», «Συνηθισμένα λάθη.»
label what follows them, and the question form a label has says which question its content answers.
Structure, not wording: a label is recognised by its shape (a few words before «:», a short line above a
list), and its form by the same question grammar as the user's question (assistant/question.py).
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.core.documents import is_example_section
from assistant.core.greek_text import fold, tokens
from assistant.gate import matches
from assistant.question import Form, forms, opens_as_question, verb_keys
from assistant.units import CAPTION_MAX_WORDS, RUN_IN_MAX_WORDS, Line, Units

# Parts (steps, kinds) are written to one pattern when this share of them have the same run-in label.
PARALLEL_SHARE = 2 / 3


def label_forms(text: str) -> set[Form]:
    """The question forms of a label: a short caption, or the run-in heading before «:»."""
    head = text.split(":", 1)[0] if ":" in text else text
    limit = RUN_IN_MAX_WORDS if ":" in text else CAPTION_MAX_WORDS
    if len(head.split()) > limit:
        return set()
    return set(forms(head)) - {Form.GENERAL}


def run_in(text: str) -> str | None:
    """A line's run-in label («Ποιος το κάνει: Η κοινωνική υπηρεσία…» → «ποιοσ το κανει»), folded."""
    head, colon, rest = text.partition(":")
    if not colon or not rest.strip() or len(head.split()) > RUN_IN_MAX_WORDS:
        return None
    return fold(head).strip()


def parallel_label(units: Units, parts: list[int], form: Form) -> str | None:
    """The run-in label that most of the parts share (`PARALLEL_SHARE`, three parts at least) and whose
    own question form is the one asked, if there is one: the parts are written to one pattern and that
    label says where each part answers the question."""
    seen: dict[str, int] = {}
    for n in parts:
        for label in {lab for ln in units.lines if ln.n == n if (lab := run_in(ln.text))}:
            seen[label] = seen.get(label, 0) + 1
    need = max(3, PARALLEL_SHARE * len(parts))
    shared = [lab for lab, count in seen.items() if count >= need and form in forms(lab)]
    return max(shared, key=lambda lab: seen[lab]) if shared else None


# A term's abbreviation spelled out («ΚΑΛΟ (Κοινωνική και Αλληλέγγυα Οικονομία):») is still a short term.
_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def glossary_units(units: Units) -> set[int]:
    """Sections made of nothing but a list whose items are mostly (`PARALLEL_SHARE`) labelled entries
    («Όρος: ορισμός», three at least): each entry is a term of its own, not part of one answer."""
    heads: dict[int, list[Line]] = {}
    for ln in units.lines:
        if ln.head:
            heads.setdefault(ln.unit, []).append(ln)
    return {
        unit for unit, lines in heads.items()
        if all(ln.item >= 0 for ln in lines)
        and sum(run_in(_PARENTHESES.sub("", ln.text)) is not None for ln in lines) >= max(3, PARALLEL_SHARE * len(lines))
    }  # fmt: skip


def labels_other_ask(line: Line, units: Units, asked: list[Form]) -> bool:
    """The line is under a run-in label, is a list's caption, or is an item of a captioned list, and the
    label names neither the question's form nor its words («Παραδοτέο: …», «Ποιος το κάνει: …» for «πώς
    το ελέγχουμε;»): the guide files it as the answer to another question, so it does not open this answer
    (new-user trial 12: 14 of 45 answers did). Not so:
    - a label that only says «this is what we do» («Τι κάνουμε:»): it says nothing of its own;
    - a mistake («Συνηθισμένα λάθη:») for «μπορούμε να…;»: the guide's «don't» is the answer;
    - a label asked as a question of no particular form («Τι αναμένουν:»), which may ask what the user
      asks in other words («τι περιμένουν;»);
    - the labelled parts of a hypothetical story («Το πλαίσιο:», «Η διαδρομή:»): they are the story."""
    caption = units.intro_of(line.item) if line.item >= 0 else None
    label = line if run_in(line.text) is not None or (line.intro and _is_caption(line)) else caption
    if label is None or (label is caption and not _is_caption(label)) or is_example_section(units.passage(line).leaf):
        return False
    head = label.text.partition(":")[0]
    named = label_forms(label.text)
    if Form.PROCEDURE in named or (Form.RISKS in named and Form.PERMISSION in asked):
        return False
    if not named and opens_as_question(head):
        return False
    return not (named & set(asked)) and not any(matches(k, set(tokens(head))) for k in units.weights)


def _is_caption(line: Line) -> bool:
    """A list's head as short as a run-in label, with no verb: «Συνηθισμένα λάθη.», «Πηγές:», not
    «Πριν υπογράψετε, απαντήστε σε τρία ερωτήματα:» or «Είναι χρήσιμο να γνωρίζουμε ότι:»."""
    return line.words <= RUN_IN_MAX_WORDS and not verb_keys(line.text)


def without_label(text: str) -> str:
    rest = text.partition(":")[2].strip()
    return rest[:1].upper() + rest[1:]


def unlabelled(line: Line) -> Line:
    """A sentence under a run-in label that only says «this is what we do» («Τι κάνουμε: Καταγράφουμε…»,
    «Πώς προσεγγίζουμε: μελετούμε…») is shown without it: the sentence says it, and the label read as a
    stray heading (new-user trial 5). Labels that say something of their own («Ποιος το κάνει:»,
    «Παραδοτέο:», «Συνηθισμένα λάθη:») stay."""
    if line.intro or run_in(line.text) is None or Form.PROCEDURE not in label_forms(line.text):
        return line
    return replace(line, text=without_label(line.text))
