"""An answer for the asker: the composer's candidates narrowed to the guides written for them, where those
guides answer. Audience is a preference in retrieval too (`audience_boost`); here it decides which of the
retrieved guides may speak.
"""

from __future__ import annotations

from assistant.answer import AnswerRequest
from assistant.units import Block, Line, Units


def for_asker(
    request: AnswerRequest, units: Units, scored: list[tuple[float, Line]], blocks: dict[int, Block]
) -> tuple[list[tuple[float, Line]], dict[int, Block]]:
    """A co-op's staff asking about their own case read another audience's guide (a municipality's steps)
    as advice to them (new-user trial 7: 5 of 26 answers). A sentence or list of a guide not written for
    the asker stays only where it answers better than everything in the asker's guides; the rest of that
    guide is left to «Δείτε επίσης»."""
    if not request.preferred:
        return scored, blocks
    own = [v for v, ln in scored if units.passage(ln).guide_id in request.preferred]
    own += [b.value for b in blocks.values() if units.passage(b.whole).guide_id in request.preferred]
    if not own:
        return scored, blocks
    bar = max(own)
    scored = [(v, ln) for v, ln in scored if units.passage(ln).guide_id in request.preferred or v > bar]
    blocks = {k: b for k, b in blocks.items() if units.passage(b.whole).guide_id in request.preferred or b.value > bar}
    return scored, blocks
