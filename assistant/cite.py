"""Citations are verified, not trusted: numbers must name retrieved passages, sentences should cite,
and each cited source gets the excerpt that supports what cites it."""

from __future__ import annotations

import re

from langchain_core.documents import Document

from assistant.core.greek_text import ends_with_abbreviation, split_sentences, tokens
from assistant.core.types import Source

CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# Sentence ends in an answer: after final punctuation (unless citations follow it, which belong to
# the sentence, or what follows is a number or a lower-case word: «ο ν. 4430/2016», «π.χ. η»), after a
# run of citations, or at a line break.
_ANSWER_SPLIT = re.compile(r"(?<=[^\d\s][.!?;;])\s+(?!\[\d|\d|[^\W\d_A-ZΑ-ΩΆ-Ώ])|(?<=\])\s+(?![\[.,;;])|\n+")


def sources_from(docs: list[Document]) -> list[Source]:
    """Number the passages 1..n in the order the answerer sees them (the same numbers as in the prompt)."""
    out = []
    for n, d in enumerate(docs, start=1):
        m = d.metadata
        out.append(
            Source(
                n=n,
                chunk_id=str(m.get("chunk_id", d.id or "")),
                guide_id=str(m.get("guide_id", "")),
                guide_title=str(m.get("guide_title", "")),
                source=str(m.get("source", "")),
                section=str(m.get("section", "")),
                page_start=int(m.get("page_start", 0)),
                page_end=int(m.get("page_end", 0)),
                text=d.page_content,
                score=float(m.get("rrf", 0.0)),
            )
        )
    return out


def passage_sentences(text: str) -> list[str]:
    """Sentences of a stored passage; list items and table rows count as sentences of their own."""
    return [s.strip() for line in text.split("\n") for s in split_sentences(line) if s.strip()]


def overlap(a: str, b: str) -> float:
    """Share of a's search keys found in b (0..1): the lexical side of citation support."""
    ka = set(tokens(a))
    return len(ka & set(tokens(b))) / len(ka) if ka else 0.0


def best_excerpt(claim: str, passage: str) -> str:
    sentences = passage_sentences(passage)
    return max(sentences, key=lambda s: overlap(claim, s), default="")


def answer_sentences(text: str) -> list[str]:
    """Sentences of an answer; a line break always ends one, an abbreviation («Κοιν.Σ.Επ.») never does."""
    sentences: list[str] = []
    for line in text.split("\n"):
        in_line: list[str] = []
        for piece in (p.strip() for p in _ANSWER_SPLIT.split(line)):
            if piece and in_line and ends_with_abbreviation(in_line[-1]):
                in_line[-1] = f"{in_line[-1]} {piece}"
            elif piece:
                in_line.append(piece)
        sentences += in_line
    return sentences


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
