"""Citations are verified, not trusted: numbers must name retrieved passages, sentences should cite,
and each cited source gets the excerpt that supports what cites it."""

from __future__ import annotations

import re

import prompts
from assistant.core.answer_text import CITATION, answer_sentences, best_excerpt, citation_numbers
from assistant.core.documents import is_example_section, speaks_of_itself
from assistant.core.greek_text import tokens
from assistant.core.types import Passage, Source
from assistant.headings import leaf_title


def sources_from(passages: list[Passage]) -> list[Source]:
    """Number the passages 1..n in the order the answerer sees them (the same numbers as in the prompt)."""
    return [
        Source(
            n=n,
            chunk_id=p.chunk_id,
            guide_id=p.guide_id,
            guide_title=p.guide_title,
            source=p.source,
            section=p.section,
            page_start=p.page_start,
            page_end=p.page_end,
            text=p.text,
            score=p.fused,
            article=p.article,
            act=p.act,
        )
        for n, p in enumerate(passages, start=1)
    ]


def verify(text: str, sources: list[Source]) -> tuple[str, list[int], list[str]]:
    """Drop citations to passages that do not exist; mark cited sources with their supporting excerpt.

    Returns (cleaned text, removed citation numbers, sentences with no citation)."""
    valid = {s.n for s in sources}
    removed: list[int] = []

    def keep_valid(match: re.Match) -> str:
        nums = [int(x) for x in match.group(1).split(",")]
        good = [n for n in nums if n in valid]
        removed.extend(n for n in nums if n not in valid)
        return "".join(f"[{n}]" for n in good)

    cleaned = CITATION.sub(keep_valid, text)
    cleaned = re.sub(r"[ \t]+([.,;;])", r"\1", cleaned)
    by_n = {s.n: s for s in sources}
    claims: dict[int, list[str]] = {}
    uncited: list[str] = []
    for sentence in answer_sentences(cleaned):
        nums = [int(x) for m in CITATION.finditer(sentence) for x in m.group(1).split(",")]
        bare = CITATION.sub("", sentence).strip(" -–•*")
        if not nums:
            # Headings, list intros and the not-found phrase are framing, not claims.
            if len(tokens(bare)) >= 4 and not bare.endswith(":"):
                uncited.append(bare)
            continue
        for n in nums:
            claims.setdefault(n, []).append(bare)
    for n, texts in claims.items():
        source = by_n[n]
        source.cited = True
        source.excerpt = " … ".join(dict.fromkeys(best_excerpt(t, source.text) for t in texts))
    return cleaned, sorted(set(removed)), uncited


def related(text: str, sources: list[Source], k: int) -> list[Source]:
    """The closest sections the answer did not cite (one passage each), in retrieval's order:
    what «Δείτε επίσης» points to instead of padding the answer with them."""
    cited = {(s.guide_id, s.section) for s in sources if s.n in citation_numbers(text)}
    out: list[Source] = []
    for s in sources:
        if len(out) == k:
            break
        leaf = leaf_title(s.section)
        if (s.guide_id, s.section) in cited or any(leaf == leaf_title(r.section) for r in out):
            continue
        # Neither an example nor what the document says of itself («Σε ποιους απευθύνεται»): no help
        # with a situation.
        if not is_example_section(leaf) and not speaks_of_itself(leaf, s.text):
            out.append(s)
    return out


def see_also(text: str, sources: list[Source], k: int, chosen: list[Source] | None = None) -> str:
    """«Δείτε επίσης: «…» (σελ. …)· …» for the `related` sections (or those already `chosen` by it), or
    nothing."""
    phrases = prompts.phrases("extractive")["text"]
    guides = {s.guide_id for s in sources if s.n in citation_numbers(text)}
    pointers = [
        # The guide is named only when the answer does not already cite it: its sources list names it.
        prompts.render(
            phrases["see_also_item_same_guide" if s.guide_id in guides else "see_also_item"],
            section=leaf_title(s.section),
            guide=s.guide_title,
            pages=s.pages,
        )
        for s in (related(text, sources, k) if chosen is None else chosen)
    ]
    return f"{phrases['see_also']} " + "· ".join(pointers) + "." if pointers else ""


class Renumberer:
    """Renumbers citations as an answer streams in: the first source cited becomes [1], the next new one
    [2], and so on. A piece ending inside «[12» is held back until the mark is complete."""

    def __init__(self, valid: set[int]) -> None:
        self.valid = valid
        self.mapping: dict[int, int] = {}
        self.removed: list[int] = []  # numbers that named no passage (an invented citation)
        self._held = ""

    def _swap(self, match: re.Match) -> str:
        out = []
        for x in match.group(1).split(","):
            old = int(x)
            if old not in self.valid:
                self.removed.append(old)
                continue
            out.append(str(self.mapping.setdefault(old, len(self.mapping) + 1)))
        return "".join(f"[{n}]" for n in dict.fromkeys(out))

    def feed(self, piece: str) -> str:
        text = self._held + piece
        cut = text.rfind("[")
        if cut >= 0 and "]" not in text[cut:]:
            text, self._held = text[:cut], text[cut:]
        else:
            self._held = ""
        return CITATION.sub(self._swap, text)

    def close(self) -> str:
        held, self._held = self._held, ""
        return CITATION.sub(self._swap, held)

    def sources(self, sources: list[Source]) -> list[Source]:
        """The sources renumbered the same way: cited ones first, in citation order, then the rest."""
        rest = [s.n for s in sources if s.n not in self.mapping]
        mapping = self.mapping | {old: new for new, old in enumerate(rest, start=len(self.mapping) + 1)}
        return sorted((s.model_copy(update={"n": mapping[s.n]}) for s in sources), key=lambda s: s.n)
