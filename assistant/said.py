"""What a follow-up's answer must not say again: the sentences the previous answer gave, and the lines of
its other items when the user asked about one of them.
"""

from __future__ import annotations

from assistant.answer import AnswerRequest
from assistant.gate import key_coverage

# A follow-up's item is on a line of the guide when the line has this share of the item's IDF mass.
ITEM_MATCH = 0.7


# A quote of a sentence has at least this many search keys: a one-word reply of an earlier answer («Με
# αξιολόγηση.») is in every sentence that names it, and said none of them (dev-followups: «Και κάθε πότε…;»
# lost the guide's «τουλάχιστον μία φορά τον χρόνο» to it).
QUOTE_MIN_KEYS = 2


def contained(a: set[str], b: set[str]) -> bool:
    """One sentence says (nearly) all the other says: a shorter or longer quote of the same sentence."""
    return min(len(a), len(b)) >= QUOTE_MIN_KEYS and len(a & b) >= 0.8 * min(len(a), len(b))


def covered(a: set[str], b: set[str]) -> bool:
    """Sentence `b` says (nearly) all that sentence `a` says, not only part of it."""
    return min(len(a), len(b)) >= QUOTE_MIN_KEYS and len(a & b) >= 0.8 * len(a)


def asked_item(request: AnswerRequest, keys: set[str]) -> bool:
    """«Δώσε μου ένα παράδειγμα για το 2»: the guide line carrying the item the follow-up points at. The
    previous answer named the item; its line says more («…, για παράδειγμα η απασχόληση ανέργων…»), and is
    said only when it was shown whole."""
    return request.item and key_coverage(request.referent, keys) >= ITEM_MATCH


def another_item(request: AnswerRequest, keys: set[str]) -> bool:
    """«Το δεύτερο;»: a guide line that carries another item of the previous answer, and not the one asked
    about, is that answer's list again: the user asked about one item, not for the list."""
    return (
        bool(request.others)
        and key_coverage(request.referent, keys) < ITEM_MATCH
        and any(key_coverage(other, keys) >= ITEM_MATCH for other in request.others)
    )
