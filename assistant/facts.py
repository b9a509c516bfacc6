"""Kinds of fact a question can ask for (amounts, counts, shares, deadlines, contacts, article and law
numbers) and whether a passage states one: the gate refuses, or answers in part, a question asking for a
figure that no passage gives. Question grammar and the ways documents write figures, never a corpus' words.
"""

from __future__ import annotations

import re

from assistant.core.greek_text import fold, tokens
from assistant.question import clauses

# A quantity written out in words («οκτώ ωρών», «τρία μέλη») states a figure as much as digits do.
_WORDS_NUMBER = (
    r"\b(?:δυο|τρια|τρεισ|τεσσερ\w*|πεντε|εξι|επτα|εφτα|οκτω|οχτω|εννεα|εννια|δεκα\w*|εικοσι|τριαντα"
    r"|σαραντα|πενηντα|εκατο\w*|διακοσι\w*|χιλι\w*)\s+(?:ωρ|ημερ|μην|ετ|εβδομαδ|μελ|ατομ|ευρω|χρον|φορ)\w*"
)
# The search keys of cardinal numbers written out: a quantity («για δέκα άτομα») is part of what is asked,
# not what it is about, so the gate does not count it as topic covered by a passage that counts too.
NUMERAL_KEYS = frozenset(
    tokens(
        "δύο τρία τρεις τέσσερα τέσσερις πέντε έξι επτά εφτά οκτώ οχτώ εννέα εννιά δέκα έντεκα δώδεκα "
        "είκοσι τριάντα σαράντα πενήντα εξήντα εβδομήντα ογδόντα ενενήντα εκατό διακόσια χίλια χιλιάδες"
    )
)
# «Πότε ταιριάζει / χρειάζεται / προτιμάμε …;» asks in which circumstances, not for a date.
_CONDITIONS = (
    r"(?:\s+\w+){0,3}?\s+(?:ταιριαζ|ενδεικνυ|καταλληλ|προτιμ|προτειν|χρησιμοποι|επιλεγ|αρκει|αρκουν|αξιζει|αξια|συμφερ"
    r"|εφαρμοζ|χρειαζ|εξεταζ|ενδιαφερ|βοηθ|is (?:it )?(?:best|better|suitable|appropriate)|should)\w*"
)
COUNTS = "αριθμούς ή ποσοστά"
CONTACTS = "τηλέφωνα ή στοιχεία επικοινωνίας"  # the one kind no law sets: the office itself gives it
FREQUENCY = "συχνότητες"
# The kinds a sentence answers by stating a figure; an article or a law a question names is no figure asked.
FIGURES = frozenset({"χρηματικά ποσά", COUNTS, "ποσοστά", "προθεσμίες ή ημερομηνίες", FREQUENCY})
# Kinds of fact a question can ask for, and what a passage must contain to state one.
_FACT_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # Money is only stated by money: an hours figure does not answer «πόσο κοστίζει».
    "χρηματικά ποσά": (
        re.compile(
            r"\bκοστ(?:οσ|ιζ\w*|η)\b|\bευρω\b|\bαμοιβ\w*|\bπροστιμ\w*|\bεπιτοκ\w*|\bποσα (?:χρηματα|λεφτα)"
            # «σε τι τιμή;», «ποια είναι η τιμή;» ask a price; «στην καλύτερη τιμή» names a concept
            r"|\b(?:ποια|ποιεσ|τι|ποση)\s+(?:(?:ειναι|θα ειναι|ηταν)\s+)?(?:(?:η|οι)\s+)?(?:[^\W\d_]+\s+)?τιμ(?:η|εσ)\b"
            r"|\bποσο\b(?= (?:πληρων|χρεων|δινουμε|δικαιουμ|επιτρεπ|μπορει να φτασ)\w*)|\bποιο ποσο\b|\bτι ποσο\b"
            # «ποιο είναι το μέγιστο ποσό…;», «το ανώτατο ποσό»: a bound on an amount asks that amount
            r"|\bποιο (?:ειναι |ηταν |θα ειναι )?(?:το )?(?:[^\W\d_]+ )?ποσο\b|\b(?:μεγιστ|ανωτατ|ελαχιστ|κατωτατ|συνολικ)\w* ποσ(?:ο|ου|α)\b"
            # «πόσο είναι το τέλος;» (an amount, not «πόσο είναι σημαντικό»); a price per square metre
            r"|\bποσο (?:ειναι|κανει|βγαινει) (?:το|η|ο|τα|οι)\b|\bανα τετραγωνικ\w*"
            r"|\bσυντελεστ\w* (?:φορου|φπα)|\bφορολογικ\w* συντελεστ\w*|\b(?:αρχικ|μετοχικ|ελαχιστ)\w* κεφαλαι\w*"
            r"|\bcost\b|\bfine\b|\bhow much\b|\bfee\b|\btax rate\b"
        ),
        # Legal drafting writes the figure in words and digits: «πεντακόσιες χιλιάδες (500.000) ευρώ».
        re.compile(r"\d[\d.,]*\)?\s*(?:€|ευρω)|€\s*\d|" + _WORDS_NUMBER.split(r")\s+(?:")[0] + r")\s+(?:\([\d.,]+\)\s*)?ευρω"),
    ),
    COUNTS: (
        re.compile(
            r"(?<!καθε )\bποσ(?:α|εσ|οι|ων)\b(?! (?:ειδη|τυπ\w*|κατηγορι\w*|μορφ\w*|βηματα|ειδων|τροπ\w*))"
            r"|\bελαχιστ\w* (?:αριθμ|μελ)\w*|\bκατωτατ\w*|\bποσα (?:χρονια|ετη|μελη)|\bhow many\b"
            # «πόσο να το βάλουμε;», «πόσο θα είναι;»: how much, as a quantity to set
            r"|\bποσο\s+(?:να|θα)\b"
        ),
        re.compile(rf"(?<![\d/.])\d+(?:[.,]\d+)?\s*(?:%|ατομ|εργαζομεν|ετ|μην|ημερ|χιλ|εκατ|φορ|μελ|ωρ)|{_WORDS_NUMBER}"),
    ),
    # A share is only stated by a share: «πέντε μέλη» does not answer «με ποιο ποσοστό;».
    "ποσοστά": (
        # «με πόσο ΦΠΑ;», «με πόσο μειώνεται;»: by how much is a rate
        re.compile(r"\bποσοστ\w*|\bμε ποσο\b|\bpercentage\b|\brate\b"),
        re.compile(r"\d\s*%|\bτοισ εκατο\b|\bστα \w+ (?:εκατο|χιλια)\b"),
    ),
    "προθεσμίες ή ημερομηνίες": (
        re.compile(
            rf"(?<!καθε )\bποτε\b(?!{_CONDITIONS})|\bμεχρι ποτε\b|\bπροθεσμι\w*|\bημερομηνι\w*|\bσε ποσ\w* (?:μερ|ημερ|μην)\w*|\bποσο (?:καιρο|διαρκ)\w*"
            r"|\bwhen\b|\bdeadline\b|\bhow long\b"
            # «ποιο πρόγραμμα είναι ανοιχτό αυτή τη στιγμή;», «ποιος είναι σήμερα…»: what holds now is dated, a guide is not
            r"|\bαυτη τη στιγμη\b|\bαυτο τον καιρο\b|\bσημερα\b|\bcurrently\b|\bright now\b|\btoday\b"
        ),
        # A date, a duration, a day of the week («κάθε Τρίτη»), a month, a clock time or a year («το 2019»);
        # not an ordinal («η τρίτη ενότητα»), a section number (5.10) or a law's year (ν. 4430/2016).
        re.compile(
            r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d+\)?\s*(?:ημερ|εργασιμ|μην|εβδομαδ|ετ)\w*"
            # «εντός ενός (1) μηνός», «εντός μηνός»: a period, in a law's words
            r"|\b(?:εντοσ|μεσα σε|μεσα σ)\s+(?:(?:ενοσ|μιασ|ενα|εναν|μια)\s+)?(?:\(\d+\)\s+)?(?:ημερ|εργασιμ|μην|εβδομαδ|ετ|τριμην|εξαμην)\w*"
            r"|\b(?:καθε|την|τη|τισ|απο|εωσ|μεχρι|ωσ) (?:δευτερα|τριτη|τεταρτη|πεμπτη|παρασκευη|σαββατο|κυριακη)\w*"
            r"|\b(?:ιανουαρι|φεβρουαρι|μαρτι|απριλι|μαι(?:οσ|ου|ο)\b|ιουνι|ιουλι|αυγουστ|σεπτεμβρι|οκτωβρι|νοεμβρι|δεκεμβρι)"
            r"|\b\d{1,2}:\d{2}\b|\b(?:το|τον|στο|απο το|εωσ το|μεχρι το) (?:19|20)\d{2}\b"
        ),
    ),
    CONTACTS: (
        # «contact person» is a role («σημείο επαφής»), not the details to reach someone; «με email», «μέσω
        # e-mail», «τηλεφωνικά» name the means the user would use, not details they ask for.
        re.compile(
            r"(?<!\bμε )(?<!\bμεσω )(?<!\bby )(?<!\bvia )(?:\bτηλεφων(?!ικα)\w*|\bemail\b|\be-mail\b)"
            r"|\bιστοσελιδ\w*|\bphone\b|\bcontact\b(?! (?:person|point)\b)"
        ),
        re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b|@|https?://|www\."),
    ),
    # «Κάθε πότε…;», «πόσο συχνά…;» is answered by how often: «μία φορά τον χρόνο», «κάθε τρεις μήνες», «ετήσια».
    FREQUENCY: (
        re.compile(r"\bκαθε ποτε\b|\bποσο συχνα\b|\bανα ποσο\b|\bσυχνοτητ\w*|\bhow often\b|\bhow frequently\b"),
        re.compile(
            r"\b(?:μια|δυο|τρεισ|τεσσερισ|πεντε|\d+)\s+φορ(?:α|εσ)\b|\bκαθε\s+(?:[^\W\d_]+\s+)?(?:χρονο|ετοσ|μηνα|μηνεσ"
            r"|εβδομαδα|εβδομαδεσ|τριμηνο|εξαμηνο|μερα|ημερα|ημερεσ)\b|\b(?:ετησι|μηνιαι|εβδομαδιαι|τριμηνιαι|εξαμηνιαι|καθημεριν)\w*"
        ),
    ),
    "αριθμούς άρθρων": (
        re.compile(r"\bαρθρ\w*|\bparagraph\b|\barticle\b"),
        re.compile(r"\bαρθρ\w*\s+\d+"),
    ),
    "αριθμούς νόμων ή αποφάσεων": (
        re.compile(r"\bποιοσ νομοσ\b|\bποιο φεκ\b|\bαριθμο (?:νομου|αποφασ\w*|φεκ)|\bwhich law\b"),
        re.compile(r"\bν\.\s*\d+/\d{4}|\bφεκ\b"),
    ),
}


# «ποιος πληρώνει την αμοιβή;» asks for someone: the money word in it asks for no amount.
_ASKS_WHO = re.compile(r"(?:^|\s)ποι(?:οσ|α|οι)\s+(?:θα\s+|να\s+)?(?!ειναι\b|ηταν\b)[^\W\d_]+(?:ει|ουν|εται|ονται)\b")


# «Αρκεί να μετρήσουμε πόσα μαθήματα έγιναν;»: «πόσα» after a verb of counting or recording is what is
# counted (an indirect question), not a figure asked of the guide.
_MEASURES = re.compile(r"\b(?:μετρ|καταμετρ|καταγρα[φψ]|count|measur|record)\w*\b[^.;;?]*\b(?:ποσ|how many|how much)")


def asked_facts(question: str) -> list[str]:
    """Kinds of fact (amounts, deadlines, contacts, article numbers) the question asks for, ask by ask."""
    found = set()
    # The sentence, not the clause: «…να μετρήσουμε πόσα μαθήματα έγιναν και πόσοι ήρθαν;» is one count.
    measured = [sentence for sentence in re.split(r"(?<=[.;;?])\s+", fold(question)) if _MEASURES.search(sentence)]
    for ask in clauses(question) or [fold(question)]:
        for kind, (asks, _has) in _FACT_KINDS.items():
            if asks.search(ask) and not (kind == "χρηματικά ποσά" and _ASKS_WHO.search(ask)):
                if kind == COUNTS and any(ask in sentence for sentence in measured):
                    continue
                found.add(kind)
    return [kind for kind in _FACT_KINDS if kind in found]


# «Σε πόσα δίκτυα…;» is answered by a count of networks: «τουλάχιστον ένα δίκτυο», «λίγα δίκτυα», «δύο ή τρία
# μέλη». «ένα»/«μία» alone is the indefinite article, so it counts only with a word that bounds it.
_COUNTED = re.compile(r"\bποσ(?:α|εσ|οι|ων)\s+([^\W\d_]{3,})")
_QUANTITY = (
    r"(?:(?:τουλαχιστον|μονο|μολισ|το πολυ|εωσ|μεχρι|περισσοτερ\w* απο|λιγοτερ\w* απο)\s+(?:ενα|ενασ|εναν|μια|μιασ)"
    r"|δυο|τρια|τρεισ|τεσσερ\w*|πεντε|εξι|επτα|εφτα|οκτω|δεκα|λιγ\w*|\d+)\s+(?:[^\W\d_]+\s+)?"
)


_TIME_UNITS = ("ωρ", "ημερ", "μην", "εβδομαδ", "ετ", "χρον")  # stems of what a span of time is counted in


def states_fact(kind: str, text: str, question: str = "") -> bool:
    """Whether `text` states a fact of that kind; a count, also by counting the thing the question counts."""
    folded = fold(text)
    counted = [stem[0] for m in _COUNTED.finditer(fold(question)) if (stem := tokens(m.group(1))[:1])] if kind == COUNTS else []
    if any(re.search(rf"\b{_QUANTITY}{re.escape(stem)}", folded) for stem in counted):
        return True
    # «Πόσα ιδρυτικά μέλη…;» is answered by counting members, not by «μετά από έξι μήνες»; a count of time
    # («πόσες ώρες;») by any span of time.
    if counted and not any(stem.startswith(_TIME_UNITS) for stem in counted):
        return False
    return bool(_FACT_KINDS[kind][1].search(folded))
