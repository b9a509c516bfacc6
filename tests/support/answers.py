"""Hand-made `Source` and `Answer` objects for tests of what is shown or stored (no retrieval involved)."""

from __future__ import annotations

from assistant.core.types import Answer, Source


def source(n: int = 1, cited: bool = True, **overrides) -> Source:
    """Passage [n] of a networks guide, page 7; the excerpt (when cited) is its first sentence."""
    text = overrides.pop("text", "Τα δίκτυα διαφέρουν. Άλλο κείμενο.")
    values = {"chunk_id": f"c{n}", "guide_id": "diktyosi-foreon-kalo", "source": "diktyosi-foreon-kalo.pdf"}
    values |= {"guide_title": "Δικτύωση φορέων ΚΑΛΟ", "section": "5. Τύποι δικτύων", "page_start": 7, "page_end": 7}
    values |= {"excerpt": text.split(". ")[0] + "." if cited else ""}
    return Source(**(values | {"n": n, "text": text, "cited": cited} | overrides))


def answer(**overrides) -> Answer:
    """An extractive answer citing [1] and [3] of three passages (the second one retrieved but not cited)."""
    values = {
        "question": "Τι δίκτυα υπάρχουν;",
        "text": "Τα δίκτυα διαφέρουν [1]. Δείτε και [3].",
        "sources": [source(1), source(2, cited=False), source(3, page_start=9, page_end=10)],
        "answerer": "extractive",
    }
    return Answer(**(values | overrides))
