"""How an answer's text is read, by the citation checker and by the evaluation metrics alike:
citation marks, answer sentences, passage sentences, lexical overlap and the best supporting excerpt."""

from __future__ import annotations

import re

from assistant.core.greek_text import ends_with_abbreviation, split_sentences, tokens

CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# Sentence ends in an answer: after final punctuation (unless citations follow it, which belong to
# the sentence, or what follows is a number or a lower-case word: «ο ν. 4430/2016», «π.χ. η»), after a
# run of citations, or at a line break.
_ANSWER_SPLIT = re.compile(r"(?<=[^\d\s][.!?;;])\s+(?!\[\d|\d|[^\W\d_A-ZΑ-ΩΆ-Ώ])|(?<=\])\s+(?![\[.,;;])|\n+")


def citation_numbers(text: str) -> list[int]:
    """Every [n] (and [n, m]) in the text, in order, repeats kept."""
    return [int(x) for m in CITATION.finditer(text) for x in m.group(1).split(",")]


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


def passage_sentences(text: str) -> list[str]:
    """Sentences of a stored passage; list items and table rows count as sentences of their own."""
    return [s.strip() for line in text.split("\n") for s in split_sentences(line) if s.strip()]


def overlap(a: str, b: str) -> float:
    """Share of a's search keys found in b (0..1): the lexical side of citation support."""
    ka = set(tokens(a))
    return len(ka & set(tokens(b))) / len(ka) if ka else 0.0


def best_excerpt(claim: str, passage: str) -> str:
    """The sentence of a passage that shares most search keys with a claim."""
    return max(passage_sentences(passage), key=lambda s: overlap(claim, s), default="")
