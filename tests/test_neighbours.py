"""What a retrieved chunk takes from the chunks around it: the caption of a list it opens inside."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.core.documents import list_caption
from assistant.core.settings import Settings
from assistant.core.types import Passage
from assistant.neighbours import captioned, with_context

SECTION = "4 Επισκέψεις"
FIRST = "Κρατάμε σταθερό ωράριο επισκέψεων.\nΣυνηθισμένα λάθη.\n- Αλλάζουμε συχνά τον εθελοντή."
SECOND = "- Οργανώνουμε γιορτές χωρίς να ρωτήσουμε.\n- Ξεχνάμε τους χορηγούς."


@dataclass
class FakeIndex:
    settings: Settings = field(default_factory=Settings)
    texts: dict[str, str] = field(default_factory=lambda: {"c0": FIRST, "c1": SECOND})
    sections: dict = field(default_factory=lambda: {("g", SECTION): ["c0", "c1"]})

    def get(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        meta = {"guide_id": "g", "section": SECTION}
        return {cid: (self.texts[cid], meta | {"chunk_index": int(cid[1])}) for cid in ids if cid in self.texts}


def chunk(cid: str, index: FakeIndex | None = None) -> Passage:
    text, meta = (index or FakeIndex()).get([cid])[cid]
    return Passage.from_record(cid, text, meta)


def test_the_caption_of_the_list_a_chunk_ends_in():
    assert list_caption(FIRST) == "Συνηθισμένα λάθη."
    assert list_caption("Η επιλογή γίνεται με τρία κριτήρια που εξηγούνται αναλυτικά εδώ.\n- Κόστος.") == ""
    assert list_caption("Τα κριτήρια της επιλογής του δικτύου είναι τα εξής:\n- Κόστος.").endswith("τα εξής:")
    assert list_caption("Κρατάμε σταθερό ωράριο.") == ""  # no list at its end


def test_a_chunk_opening_inside_a_list_gets_the_caption_from_the_chunk_before():
    index = FakeIndex()
    assert captioned(index, chunk("c1")).caption == "Συνηθισμένα λάθη."
    assert captioned(index, chunk("c0")).caption == ""  # the first chunk has its caption in its own text
    index.texts["c1"] = "Οι εθελοντές ενημερώνονται.\n" + SECOND
    assert captioned(index, chunk("c1", index)).caption == ""  # it does not open inside a list
    # The rest of the best section joins it, and also gets its caption.
    got = with_context(FakeIndex(), [chunk("c0")])
    assert [p.chunk_id for p in got] == ["c0", "c1"] and got[1].caption == "Συνηθισμένα λάθη."
