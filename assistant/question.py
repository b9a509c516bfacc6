"""What a question asks, read from its form (interrogatives, modal verbs; the kind of fact requested is
assistant/facts.py), and what a follow-up refers to in the conversation so far.

Nothing here knows the guides: the patterns are Greek (and English) question grammar — «πώς», «ποιοι»,
«μπορούμε…;», «πόσο», «το δεύτερο», «και μετά;» — never words taken from a corpus' headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from assistant.core.greek_text import fold, split_sentences, tokens
from assistant.core.types import Turn


class Form(StrEnum):
    PROCEDURE = "procedure"  # how to do something, where to start, in what order
    LIST = "list"  # which kinds / options / ways exist
    DEFINITION = "definition"  # what something is or means
    PERMISSION = "permission"  # can we / is it allowed / is it required / is it a problem
    WHY = "why"  # reasons, benefits
    RISKS = "risks"  # risks, obstacles, mistakes and how to handle them
    WHO = "who"  # who is responsible
    PREPARE = "prepare"  # what to prepare or have ready
    DIFFERENCE = "difference"  # how two things differ
    EXAMPLE = "example"  # asks for an example
    GENERAL = "general"


# Folded text (lower case, no accents, σ for ς). Order is priority: the first form that matches leads.
_FORMS: tuple[tuple[Form, re.Pattern[str]], ...] = (
    (Form.EXAMPLE, re.compile(r"\bπαραδειγμ\w*|\bexamples?\b")),
    (Form.DIFFERENCE, re.compile(r"\bδιαφορ\w*|\bδιαφερ\w*|\bξεχωριζ\w*|\bdiffer\w*|\bcompare\b|\bversus\b|\bvs\b")),
    (
        Form.PREPARE,
        re.compile(
            r"\bτι (?:πρεπει να |να )?(?:ετοιμασ|προετοιμασ|εχουμε ετοιμ|φερ)\w*|\bπροετοιμ\w*|\bδικαιολογητικ\w*"
            r"|\bτι χρειαζ\w* (?:να εχ|για να)|\bprepare\b|\bneed to have\b"
        ),
    ),
    (
        Form.PROCEDURE,
        re.compile(
            r"\bπωσ\b|\bαπο που\b|\bμε ποια σειρα\b|\bποια (?:ειναι )?(?:τα )?βηματα\b|\bτι (?:κανουμε|κανω|πρεπει να κανουμε|πρεπει να κανω)\b(?! λαθ)"
            r"|\bhow\b|\bwhere do (?:we|i) start\b|\bwhat steps?\b"
        ),
    ),
    (
        Form.RISKS,
        re.compile(
            r"\bκινδυν\w*|\bεμποδι\w*|\bδυσκολι\w*|\bπαγιδ\w*|\bλαθ(?:η|οσ|ων)\b|\bστραβα\b|\bπροσεχ\w*|\bπροσεξ\w*"
            r"|\brisks?\b|\bpitfalls?\b|\bobstacles?\b|\bgo wrong\b|\bmistakes?\b"
        ),
    ),
    (
        Form.WHO,
        re.compile(
            r"^(?:και )?ποιοσ\b|\bποιοσ (?:ειναι|κανει|αναλαμβαν\w*|εχει|υπογραφ\w*|αποφασιζ\w*|ευθυν\w*)"
            r"|\bποια υπηρεσια\b|\bαρμοδι\w*|\bυπευθυν\w*|\bwho\b|\bresponsible\b"
        ),
    ),
    (
        Form.LIST,
        re.compile(
            # «ποιοι τύποι», «ποιες μορφές»: the classifier noun is part of the form, as after «τι»
            r"^(?:και )?(?:ποιοι|ποιεσ|ποια)\b(?:\s+(?:ειδη|τυπ\w*|μορφ\w*|κατηγορι\w*)\b)?"
            r"|\bτι (?:ειδη|ειδουσ|τυπ\w*|μορφ\w*|κατηγορι\w*|επιλογ\w*|δυνατοτητ\w*)"
            r"|\bποιουσ\b|\bποιεσ\b|\bποιοι\b|\bwhich\b|\bwhat (?:kinds?|types?|options|forms)\b"
        ),
    ),
    (
        Form.WHY,
        re.compile(
            r"\bγιατι\b|\bγια ποιο λογο\b|\bοφελ\w*|\bκερδ(?:ιζ|ισ)\w*|\bπλεονεκτ\w*|\bαξιζει\b|\bwhy\b|\bbenefits?\b|\bworth\b"
        ),
    ),
    (
        Form.DEFINITION,
        re.compile(r"\bτι (?:ειναι|σημαιν(?:ει|ουν)|εννοουμε|εννο(?:ει|ουν)|λεμε)\b|\bορισμ\w*|\bwhat (?:is|are|does)\b|\bmeaning\b"),
    ),
    (
        Form.PERMISSION,
        re.compile(
            r"^(?:και )?(?:μπορ\w*|επιτρεπ\w*|χρειαζ\w*|πρεπει|ειναι|υπαρχει|ισχυει|οφειλ\w*|γινεται|can|may|is|are|do|does|should)\b"
            r"|\bμπορ(?:ει|ουμε|ω|ουν)\b|\bεπιτρεπεται\b|\bυποχρεωτικ\w*|\bειναι (?:προβλημα|νομιμ\w*|απαραιτητ\w*)"
        ),
    ),
)


def forms(question: str) -> list[Form]:
    """Every form the question has, the leading one first (GENERAL when none matches). The asking sentence
    gives it when it has one: a story told first («…γιατί απασχολεί ανθρώπους με δυσκολίες. Γίνεται;») has
    words of other forms that are not asked."""
    for text in dict.fromkeys([need(question), question]):
        folded = fold(text)
        if found := [form for form, pattern in _FORMS if pattern.search(folded)]:
            return found
    return [Form.GENERAL]


def form_keys(question: str) -> set[str]:
    """The search keys of the words that give the question its form («προσέξουμε», «πώς», «μπορούμε»):
    they say what kind of answer is wanted, not what it is about."""
    folded = fold(question)
    return {k for _form, pattern in _FORMS for m in pattern.finditer(folded) for k in tokens(m.group(0))}


def asks_whole(form: Form) -> bool:
    """Forms whose answer is naturally a whole list or sequence (every step, kind, risk, reason)."""
    return form in {Form.PROCEDURE, Form.LIST, Form.RISKS, Form.WHY, Form.PREPARE}


def clauses(question: str) -> list[str]:
    """The separate asks of a question: «Πώς γίνεται η εγγραφή και πόσο κοστίζει;» → two."""
    parts = re.split(r"[;;?]\s*|,\s*(?:και|κι|αλλα|ενω)\s+|\s+(?:και|κι)\s+(?=(?:πωσ|ποι|τι|ποσ|ποτε|αν|γιατι|μπορ|μεχρι|σε τι)\w*)", fold(question))
    return [p.strip() for p in parts if re.search(r"\w", p)]


# A follow-up with fewer words of its own than this («κι αυτό;», «πες μου για το 5») cannot say what it asks:
# what it refers to does.
OWN_WORDS_MIN = 3
# An earlier answer's sentence counts as said when it has this many search keys (assistant/said.py).
SAID_MIN_KEYS = 6


def need(question: str) -> str:
    """The asking part of a question that first describes a situation: «Πουλάμε ψωμί σε δύο ταβέρνες.
    Μετράει αυτό ως δικτύωση;» → the last sentence. The situation's words need not be in the guides;
    the need's words must."""
    sentences = [s.strip() for s in split_sentences(question.strip()) if s.strip()]
    asking = [s for s in sentences if s.rstrip().endswith((";", ";", "?"))]
    if asking and len(asking) < len(sentences):
        return " ".join(asking)
    # Typed without capitals: «…το κοινωνικο παντοπωλειο; θα ηταν πιο ευκολο απο…» is one «sentence», and
    # what follows its last question mark is a comment unless it has a question's form.
    marks = list(_MARK.finditer(question))
    head, tail = (question[: marks[-1].end()], question[marks[-1].end() :]) if marks else ("", "")
    if re.search(r"\w", tail) and forms(tail) == [Form.GENERAL] and not opens_as_question(tail):
        return head.strip()
    return question


_MARK = re.compile(r"[;;?]")
# How an ask typed without its question mark begins: an interrogative, or «και» before one.
_ASKS = re.compile(r"(?:και |κι )?(?:τι|ποι\w*|πωσ|που|ποτε|ποσ\w*|γιατι|αν|μηπωσ|μπορ\w*)\b")


def opens_as_question(text: str) -> bool:
    """The text begins as a question does, on an interrogative («τι…», «ποιος…», «και πόσο…»)."""
    return bool(_ASKS.match(fold(text).strip()))


def situation(question: str) -> str:
    """What a question tells before it asks («Θέλουμε να κάνουμε κοινοπραξία. Τι προσέχουμε;» → the first
    sentence); empty when it only asks."""
    if need(question) == question:
        return ""
    told = [s.strip() for s in split_sentences(question.strip()) if s.strip()]
    return " ".join(s for s in told if not s.endswith((";", ";", "?")))


# Greek verb grammar: the word after «να», «θα», «ας», «δεν», «μην» (past the weak pronouns between) is
# a verb, and so is a word in the first person plural («ετοιμάζουμε», «δεχτούμε», «σιγουρευόμαστε»).
_VERB_LEAD = {"να", "θα", "ασ", "δεν", "μην"}
_CLITICS = {"μου", "σου", "του", "τησ", "μασ", "σασ", "τουσ", "τον", "την", "τη", "το", "τα", "τισ", "τι"}
_PLURAL_FIRST = re.compile(r"(?:ουμε|ουμαστε|ομαστε|ησαμε|αμε)$")
# …and a word in «-ως» is an adverb of manner («όντως», «ακριβώς», «απλώς»), unless an article makes it
# one of the few nouns so ending («το καθεστώς»): how something is done, not what it is about.
_ADVERB = re.compile(r"^\w{2,}ωσ$")
_ARTICLES = {"ο", "η", "το", "του", "τον", "στο", "στον", "ενα", "ενοσ"}
# A request opens on an imperative and «μου»/«μας» («Πες μου…», «Εξήγησέ μας…»), often with how much is
# asked for («…περισσότερα για το 3»): the asking, not the topic.
_IMPERATIVE = re.compile(r"^(?:\w+ε|\w{0,2}εσ)$")  # «πες», «δες», «βρες», «εξήγησε», «πείτε» (not «οι συνεργάτες μας»)
_REQUEST_AMOUNT = {"περισσοτερα", "περισσοτερο", "λεπτομερειεσ", "αναλυτικα", "κατι"}


def verb_keys(text: str) -> set[str]:
    """The search keys of the verbs (and adverbs) in a text. What a user does or wants done («να μας
    γράψει», «δεχτούμε», «όντως») is said in their own words; what it is about is said by nouns the
    guides must use."""
    words = re.findall(r"\w+", fold(text))
    out: set[str] = set()
    for i, word in enumerate(words):
        j = i - 1
        while j >= 0 and words[j] in _CLITICS:
            j -= 1
        if (j >= 0 and words[j] in _VERB_LEAD and j < i) or (len(word) > 5 and _PLURAL_FIRST.search(word)):
            out.update(tokens(word))
        elif _ADVERB.match(word) and (i == 0 or words[i - 1] not in _ARTICLES):
            out.update(tokens(word))
        elif words[i + 1 : i + 2] in (["μου"], ["μασ"]) and _IMPERATIVE.search(word):
            out.update(tokens(word))
            if words[i + 2 : i + 3] and words[i + 2] in _REQUEST_AMOUNT:
                out.update(tokens(words[i + 2]))
    return out


# --- follow-ups -----------------------------------------------------------------------------------------

_ORDINALS = {
    "πρωτ": 1, "δευτερ": 2, "τριτ": 3, "τεταρτ": 4, "πεμπτ": 5, "εκτ": 6, "εβδομ": 7, "ογδο": 8, "ενατ": 9,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
}  # fmt: skip
_ORDINAL = re.compile(r"\b(πρωτ|δευτερ|τριτ|τεταρτ|πεμπτ|εκτ|εβδομ|ογδο|ενατ|first|second|third|fourth|fifth)\w*\b")
_LAST = re.compile(r"\b(?:τελευται\w*|last)\b")
# «το δεύτερο βήμα», «στο 3ο στάδιο»: the follow-up names a step of a procedure, not an item of any list.
_STEP = re.compile(r"\b(?:βημα|βηματοσ|σταδιο|σταδιου|φαση|φασησ|steps?|stages?)\b")
_NUMBERED = re.compile(
    r"\b(?:βημα|σημειο|σημειου|αριθμο|νουμερο|item|step|point|no\.?)\s*(\d{1,2})\b"
    r"|\b(?:στο|στη|στην|το|τη|την)\s+(\d{1,2})(?:ο|η)?\b(?!\s*(?:%|ευρω|μερ|ημερ|μην|ετ|χρον))"
    r"|(?:^|\s)#?(\d{1,2})(?:ο|η)?\s*;?$"
)
# «μετά» on its own asks what comes next; «μετά τους 18 μήνες», «μετά την υπογραφή» names a moment and
# asks about it (a preposition with its object).
_AFTER = r"μετα\b(?!\s+(?:τ(?:ο|ου|ον|ην|η|α|ισ|ουσ|ων)\b|απ[οό]?\s+(?!αυτ|εκειν)))"
_NEXT = re.compile(
    rf"^(?:και )?(?:{_AFTER}|επειτα|επομεν\w*|κατοπιν)\b|\bτι (?:ακολουθει|γινεται {_AFTER}|κανουμε {_AFTER})"
    rf"|\bκαι {_AFTER}|\bτο επομενο\b|\bwhat next\b|\bthen what\b|\bafter that\b|\bwhat comes next\b"
)
_LEANS = re.compile(
    r"^(?:και|κι|ενω|ομωσ|τοτε|αρα|δηλαδη|and|but|so)\b|\b(?:αυτ(?:ο|α|η|ην|ου|ουσ|εσ|ων|οσ|οι)|εκει|εκεινο\w*|το ιδιο|"
    r"τουσ|τισ|ισχυει|it|this|that|these|those|there|they|them)\b"
)
_LIST_LINE = re.compile(r"^\s*(?:\d{1,2}[.)]|[-•*–])\s+(.*)$")
_CITES = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_CITED_END = re.compile(r"(?<=\])\s+")  # an answer's statement ends on its citation mark


@dataclass
class Resolved:
    """A question read against the conversation so far.

    `question` is the user's own words and decides what is selected; `referent` is what the history
    supplies for «αυτό», «το δεύτερο», «εκεί»; `search` is what retrieval looks for; `shown` are the
    sentences the previous answer already gave (not repeated); `after` is set when the question asks what
    comes next, and holds the previous answer for the caller to place it in the guide."""

    question: str
    search: str
    referent: str = ""
    shown: list[str] = field(default_factory=list)
    after: str = ""
    follow_up: bool = False
    item: bool = False  # the referent is one item of the previous answer («το δεύτερο»)
    step: int = 0  # «το δεύτερο βήμα»: the procedure's step the follow-up names (its number)
    items: list[str] = field(default_factory=list)  # every item of that answer (where the referent sits)
    own: str = ""  # the question without the words that point («για το 3», «τι ακολουθεί»)
    context: str = ""  # searched alongside `search` (at context_weight): the previous question and answer

    @property
    def topic(self) -> str:
        """Everything searched: what the conversation is about, as the gate judges it."""
        return f"{self.context} {self.search}".strip()


_INLINE_NUMBER = re.compile(r"(?:^|(?<=\s))(\d{1,2})[.)]\s+")


def answer_items(text: str) -> list[str]:
    """The numbered or bulleted items of an answer, in order, without citation marks: one per line, or
    written inline («1. Απώλεια αυτονομίας 2. Εξάρτηση …») when the numbers run 1, 2, 3 …"""
    lines = [_CITES.sub("", m.group(1)).strip() for line in text.splitlines() if (m := _LIST_LINE.match(line))]
    if lines:
        return lines
    marks = list(_INLINE_NUMBER.finditer(text))
    run = [m for i, m in enumerate(marks) if int(m.group(1)) == i + 1]
    if len(run) < 2 or len(run) != len(marks):
        return _inline_items(text)
    ends = [m.start() for m in run[1:]] + [len(text)]
    return [_CITES.sub("", text[m.end() : end]).strip().rstrip(".") for m, end in zip(run, ends, strict=True)]


def _inline_items(text: str) -> list[str]:
    """A list written in one sentence after a colon, its items apart by «·» or «;» (Greek typography):
    «…εμπόδια: θεσμικά, όπως …· οργανωσιακά, …· και σχεσιακά, …» → three items (three at least)."""
    for sentence in split_sentences(_CITES.sub("", text).replace("\n", " ")):
        _, colon, rest = sentence.partition(":")
        parts = [p.strip() for p in re.split(r"\s*[·;]\s*", rest.strip().rstrip(".")) if p.strip()] if colon else []
        if len(parts) >= 3:
            return [re.sub(r"^(?:και|ή)\s+", "", p) for p in parts]
    return []


def answer_statements(text: str) -> list[str]:
    """Every sentence an answer stated, without citation marks (so a follow-up does not repeat them)."""
    out = []
    for line in text.splitlines():
        body = _LIST_LINE.match(line)
        line = body.group(1) if body else line
        # Each statement ends on its citation mark («…του Δήμου. [1] Οι κοινωνικές…»), which the sentence
        # splitter, looking for a capital right after the full stop, does not see past.
        for cited in _CITED_END.split(line):
            out += [_CITES.sub("", s).strip() for s in split_sentences(_CITES.sub("", cited))]
    return [s for s in out if s]


def _item_reference(folded: str, count: int) -> tuple[int, str] | None:
    """The item a follow-up points at, and the words that point («το 2», «δεύτερο»). The earliest
    reference wins: in «Στο 2, τι κάνουμε μετά την πρώτη συνάντηση;» the user points at item 2 and
    «πρώτη» describes a meeting."""
    found = []
    if m := _ORDINAL.search(folded):
        found.append((m.start(), _ORDINALS[m.group(1)], m.group(0)))
    if count and (m := _LAST.search(folded)):
        found.append((m.start(), count, m.group(0)))
    if m := _NUMBERED.search(folded):
        found.append((m.start(), int(next(g for g in m.groups() if g)), m.group(0)))
    return min(found)[1:] if found else None


def _without(question: str, pointer: str) -> str:
    """The question without the words that point at an item: «δεύτερο» or «2» is not what it is about
    (and «τρίτο» would find «τρίτους»)."""
    words, drop = question.split(), fold(pointer).split()
    folded = [re.sub(r"^\W+|\W+$", "", fold(w)) for w in words]
    for i in range(len(words) - len(drop) + 1):
        if folded[i : i + len(drop)] == drop:
            before, after = words[:i], words[i + len(drop) :]
            end = re.search(r"[.;;!?]+$", words[i + len(drop) - 1])  # «για το 2. Πού…»: keep the full stop
            if end and before:
                before[-1] += end.group(0)
            return " ".join(before + after)
    return question


def _quoted(answer: str) -> str:
    """What an answer quoted from the guides, without citation marks: its cited statements, not its own
    words («Δείτε επίσης…», a note, a refusal), which are no topic. An answer with no citation marks at all
    (written by a person or a model) is taken whole."""
    if not _CITES.search(answer):
        return answer.strip()
    cited = [piece for line in answer.splitlines() for piece in _CITED_END.split(line) if _CITES.search(piece)]
    return _CITES.sub("", " ".join(cited)).strip()


def _last_items(history: list[Turn]) -> list[str]:
    """The items «το δεύτερο» can point at: the previous answer's, or, when it has none (a «και μετά;»
    answered by running text), those of the last answer that had a list."""
    for turn in reversed(history):
        if turn.role == "assistant" and (items := answer_items(turn.content)):
            return items
    return []


def resolve(question: str, history: list[Turn]) -> Resolved:
    asked = [i for i, t in enumerate(history) if t.role == "user"]
    # The previous question as it was read: «και μετά;» after «πες μου για το δεύτερο» is about that item,
    # not about the words «πες μου για το δεύτερο» (the history before a turn resolves it, as it did then).
    previous_q = resolve(history[asked[-1]].content, history[: asked[-1]]).search if asked else ""
    previous_a = next((t.content for t in reversed(history) if t.role == "assistant"), "")
    if not previous_q and not previous_a:
        return Resolved(question, question)
    folded = fold(question)
    # Nothing an earlier answer of the conversation said is said again, not only the last one's (trial 9);
    # a short line of an earlier answer (a step's name) is a heading the talk may come back to for more.
    earlier = [t.content for t in history if t.role == "assistant"][:-1]
    shown = [x for a in earlier for x in answer_statements(a) if len(tokens(x)) >= SAID_MIN_KEYS]
    shown += answer_statements(previous_a)
    items = _last_items(history)
    reference = _item_reference(folded, len(items))
    step = reference[0] if reference is not None and _STEP.search(folded) else 0
    if reference is not None and (1 <= reference[0] <= len(items) or step):
        # The previous answer's item; for a step, the caller may find the guide's step instead (respond.py).
        referent = items[reference[0] - 1] if reference[0] <= len(items) else ""
        own = _without(question, reference[1])
        search = f"{referent} {own}".strip()
        return Resolved(
            question, search, referent, shown, follow_up=True, item=bool(referent), items=items, own=own, step=step
        )
    if m := _NEXT.search(folded):
        # Searched with the previous question too (the topic); what follows it in the guide is placed first.
        # «τι ακολουθεί» says where to look, not what about: it is not weighed.
        search, own = f"{previous_q} {question}".strip(), _without(question, m.group(0))
        return Resolved(question, search, previous_q, shown, after=previous_a or previous_q, follow_up=True, own=own)
    own = tokens(question)
    if len(own) < OWN_WORDS_MIN:
        # «κι αυτό;»: too few words of its own to search by; the previous question supplies the topic.
        # The previous answer is searched alongside: it says where the conversation is (v1: follow-ups
        # correct 69.2 → 76.9 %; dev unchanged).
        context = _quoted(previous_a)
        return Resolved(question, f"{previous_q} {question}", previous_q, shown, follow_up=True, context=context)
    if _LEANS.search(folded):
        # «κι αν ο Δήμος μας πιέζει για προσλήψεις;»: the question's own words decide what is found; the
        # previous question, searched alongside (context_weight), says what «αυτό», «εκεί» are about.
        # The previous answer is searched alongside too: what it said came from the section the
        # conversation is in (dev: follow-ups correct 60.6 → 63.6 %, key-fact recall 48.6 → 49.7 %).
        context = f"{previous_q} {_quoted(previous_a)}".strip()
        return Resolved(question, question, previous_q, shown, follow_up=True, context=context)
    return Resolved(question, question, shown=shown)
