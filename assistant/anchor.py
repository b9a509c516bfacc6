"""Where a follow-up points in the guide, placed first among the passages: the section that follows the
one the previous answer ended in («και μετά;»), or the section an item of the previous answer names
(«πες μου για το 5»): its title, or the line of a list that carries it. Structure decides (titles,
siblings, list lines), not the guides' wording.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.greek_text import tokens
from assistant.core.types import Passage, Retrieval
from assistant.gate import matches
from assistant.headings import leaf_title
from assistant.question import Form, answer_items, answer_statements, forms
from assistant.retrieve import HybridSearch

# An item of the previous answer is a line of the guide when one line has this share of its IDF mass; the
# best ITEM_CANDIDATES chunks by BM25 on the item's words are looked through.
ITEM_LINE_MATCH = 0.8
ITEM_CANDIDATES = 5
# «και μετά;» looks for the previous answer's end among its last few statements.
ENDING_STATEMENTS = 3
# …and for what «αυτό» points at, at its first few statements.
QUOTED_STATEMENTS = 6


def after(previous: str, retriever: HybridSearch, retrieval: Retrieval) -> Retrieval:
    """«και μετά;»: the section that follows, in the guide's order, the one the previous answer ended in."""
    said = answer_items(previous) or answer_statements(previous)
    key = last_step(answer_statements(previous), retriever) or ended_in(said, retriever)
    if key is None:  # not quoted from the guide (a generative answer): the section closest to its end
        anchor = retriever.retrieve(said[-1] if said else previous, k=1).passages
        if not anchor:
            return retrieval
        key = (anchor[0].guide_id, anchor[0].section)
    nxt = retriever.index.next_section(*key)
    return lead_with(key[0], nxt or "", retriever, retrieval)


def last_step(said: list[str], retriever: HybridSearch) -> tuple[str, str] | None:
    """The furthest step the previous answer quoted: a part of a chapter whose title asks «how» («Βήμα προς
    βήμα: πώς ξεκινά…»). An answer put together from a step and from sections that are no steps (fields,
    examples) goes on with the step after it, not with whatever follows the section it happened to end in."""
    steps = []
    for statement in said:
        key = item_line_section(statement, retriever, said)
        if key and " > " in key[1] and Form.PROCEDURE in forms(leaf_title(key[1].rsplit(" > ", 1)[0])):
            steps.append(key)
    if not steps:
        return None
    # The furthest step of that chapter the answer reached: it may have quoted a later step first.
    guide, chapter = steps[-1][0], steps[-1][1].rsplit(" > ", 1)[0]
    order = retriever.index.reading.get(guide, [])
    same = [k for k in steps if k[0] == guide and k[1].rsplit(" > ", 1)[0] == chapter and k[1] in order]
    return max(same, key=lambda k: order.index(k[1]), default=steps[-1])


def step_section(n: int, previous: str, retriever: HybridSearch) -> tuple[str, str] | None:
    """«πες μου για το δεύτερο βήμα»: the n-th part of the procedure the previous answer quoted a step of
    (`last_step`), whatever list that answer showed; None when it quoted no step."""
    key = last_step(answer_statements(previous), retriever)
    if key is None:
        return None
    parts = retriever.index.children.get((key[0], key[1].rsplit(" > ", 1)[0]), [])
    return (key[0], parts[n - 1][0]) if 1 <= n <= len(parts) else None


def quoted_from(previous: str, retriever: HybridSearch) -> tuple[str, str] | None:
    """The section the previous answer quoted most of its statements from (the earliest on a tie): what
    «ποιος το αναλαμβάνει αυτό;» points at, when the answer before was «και μετά;» and its topic is not the
    conversation's first question."""
    said = answer_statements(previous)[:QUOTED_STATEMENTS]
    found = [key for statement in said if (key := item_line_section(statement, retriever, said))]
    return max(found, key=found.count) if found else None


def ended_in(said: list[str], retriever: HybridSearch) -> tuple[str, str] | None:
    """The section whose line the answer's last statements quote (the last of them the guide carries: an
    answer may end with a pointer to other sections). A line is found by its words, so a sentence that
    merely resembles another section («…και τα Κέντρα Κοινότητας» under a step) does not move the answer
    there; the answer's other statements break a tie, as for an item."""
    for last in reversed(said[-ENDING_STATEMENTS:]):
        if key := item_line_section(last, retriever, said):
            return key
    return None


def _title_keys(section: str) -> set[str]:
    return {k for k in tokens(section.rsplit(" > ", 1)[-1]) if not k.isdigit()}


def _same_words(a: set[str], b: set[str]) -> bool:
    """Two short labels say the same thing: every word of each is in the other (a stem may be a prefix)."""
    return bool(a and b) and all(matches(k, b) for k in a) and all(matches(k, a) for k in b)


def item_section(referent: str, items: list[str], retriever: HybridSearch) -> tuple[str, str] | None:
    """The section an item of the previous answer names, when the item is a section's title: a list of
    steps or kinds is usually the titles of one parent's subsections. Among sections with that title,
    the one whose siblings carry the answer's other items wins; a tie is left to retrieval."""
    wanted = _title_keys(referent)
    found = [key for key in retriever.index.sections if _same_words(wanted, _title_keys(key[1]))]
    if len(found) <= 1:
        return found[0] if found else None
    others = [_title_keys(i) for i in items if i != referent]

    def siblings(key: tuple[str, str]) -> int:
        parent = key[1].rsplit(" > ", 1)[0]
        kids = [_title_keys(s) for s, _c in retriever.index.children.get((key[0], parent), [])]
        return sum(any(_same_words(o, k) for k in kids) for o in others)

    ranked = sorted(found, key=siblings, reverse=True)
    return ranked[0] if siblings(ranked[0]) > siblings(ranked[1]) else None


def item_line_section(referent: str, retriever: HybridSearch, items: list[str] | None = None) -> tuple[str, str] | None:
    """The section with a line that carries an item of the previous answer (most of its rare words), when
    the item is a line of a list in the guide rather than a title: that line is what is asked about.
    When several chunks have such a line («θεσμικά σημεία επαφής» in a table row and as an item of a list),
    the one whose other lines carry the answer's other items too is that list; a tie keeps BM25's order."""
    index = retriever.index
    carries = _line_matcher(referent, retriever)
    if carries is None:
        return None  # a one-word label would be found on too many lines
    hits = [cid for cid, _s in index.lexical.search(list(carries.keys), ITEM_CANDIDATES)]
    records = index.get(hits) if hits else {}
    others = [m for i in items or [] if i != referent and (m := _line_matcher(i, retriever)) is not None]
    best, best_siblings = None, -1
    for text, meta in (records[cid] for cid in hits if cid in records):  # best first
        lines = [set(tokens(line)) for line in text.splitlines()]
        if not any(carries(found) for found in lines):
            continue
        siblings = sum(any(other(found) for found in lines) for other in others)
        if siblings > best_siblings:
            best, best_siblings = (str(meta.get("guide_id")), str(meta.get("section"))), siblings
    return best


@dataclass
class _LineMatch:
    """Whether a line carries an item: ITEM_LINE_MATCH of the item's IDF mass is among the line's keys."""

    weights: dict[str, float]

    @property
    def keys(self) -> list[str]:
        return list(self.weights)

    def __call__(self, found: set[str]) -> bool:
        total = sum(self.weights.values())
        return sum(w for k, w in self.weights.items() if matches(k, found)) >= ITEM_LINE_MATCH * total


def _line_matcher(item: str, retriever: HybridSearch) -> _LineMatch | None:
    keys = [k for k in dict.fromkeys(tokens(item)) if not k.isdigit()]
    return _LineMatch({k: retriever.index.idf(k) for k in keys}) if len(keys) >= 2 else None


def lead_with(guide: str, section: str, retriever: HybridSearch, retrieval: Retrieval) -> Retrieval:
    """The retrieval with one section's passages placed first (the rest keep their order)."""
    index = retriever.index
    ids = index.sections.get((guide, section), [])[: index.settings.max_section_chunks]
    if not ids:
        return retrieval
    records = index.get(ids)
    scores = index.cosine(retrieval.vector, ids)
    head = [Passage.from_record(c, *records[c], dense=scores.get(c, 0.0)) for c in ids if c in records]
    rest = [p for p in retrieval.passages if p.chunk_id not in set(ids)]
    retrieval.passages = head + rest
    retrieval.top_dense = max(retrieval.top_dense, *(p.dense for p in head))
    return retrieval
