"""What a retrieved chunk needs from the chunks around it in its section: the rest of the best section, so
that a list or procedure cut across chunks reaches the composer whole, and the caption of a list a chunk
opens inside («Συνηθισμένα λάθη.» ends the chunk before), without which an item reads as advice."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from assistant.core.documents import LIST_ITEM, list_caption
from assistant.core.settings import Settings
from assistant.core.types import Passage


class SearchIndex(Protocol):  # what of `retrieve.SearchIndex` is read here
    settings: Settings
    sections: dict[tuple[str, str], list[str]]

    def get(self, ids: list[str]) -> dict[str, tuple[str, dict]]: ...


def with_context(index: SearchIndex, passages: list[Passage]) -> list[Passage]:
    return [captioned(index, p) for p in with_section(index, passages)]


def with_section(index: SearchIndex, passages: list[Passage]) -> list[Passage]:
    """The rest of the best section's chunks (a section longer than `max_section_chunks` keeps only what
    was retrieved)."""
    if not passages:
        return passages
    best = passages[0]
    ids = index.sections.get((best.guide_id, best.section), [])
    have = {p.chunk_id for p in passages}
    extra = [cid for cid in ids if cid not in have]
    if not extra or len(ids) > index.settings.max_section_chunks:
        return passages
    by_id = index.get(extra)
    return passages + [Passage.from_record(cid, *by_id[cid], dense=best.dense) for cid in extra if cid in by_id]


def captioned(index: SearchIndex, p: Passage) -> Passage:
    """A chunk that opens inside a list gets the list's caption from the chunk before it."""
    ids = index.sections.get((p.guide_id, p.section), [])
    if not LIST_ITEM.match(p.text) or p.chunk_id not in ids or (at := ids.index(p.chunk_id)) == 0:
        return p
    before = index.get([ids[at - 1]]).get(ids[at - 1])
    return replace(p, caption=caption) if before and (caption := list_caption(before[0])) else p
