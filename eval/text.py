"""Answer text as the metrics read it: citation marks, sentences, plain text, lexical overlap.

The harness keeps its own copy of these rules (built on assistant.core.greek_text only), so a measure does
not move when the answering code does; they mirror what assistant.cite does when the answer was written.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.core.greek_text import ends_with_abbreviation, split_sentences, tokens

CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# Sentence ends in an answer: after final punctuation (unless citations follow it, or what follows is a
# number or a lower-case word: «ο ν. 4430/2016», «π.χ. η»), after a run of citations, or at a line break.
_ANSWER_SPLIT = re.compile(r"(?<=[^\d\s][.!?;;])\s+(?!\[\d|\d|[^\W\d_A-ZΑ-ΩΆ-Ώ])|(?<=\])\s+(?![\[.,;;])|\n+")
_MARKUP = re.compile(r"\*\*|__|`|^#+\s*", re.MULTILINE)
_WORD = re.compile(r"[^\W_]+(?:[./-][^\W_]+)*")  # «4430/2016», «2.2», «Κοιν.Σ.Επ» are one word each


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
    """Share of a's search keys found in b (0..1)."""
    ka = set(tokens(a))
    return len(ka & set(tokens(b))) / len(ka) if ka else 0.0


def best_excerpt(claim: str, passage: str) -> str:
    """The sentence of a passage that shares most search keys with a claim."""
    return max(passage_sentences(passage), key=lambda s: overlap(claim, s), default="")


def citation_numbers(text: str) -> list[int]:
    """Every [n] (and [n, m]) in the text, in order, repeats kept."""
    return [int(x) for m in CITATION.finditer(text) for x in m.group(1).split(",")]


def plain(text: str) -> str:
    """Answer text without citation marks and Markdown emphasis: what a reader compares."""
    text = CITATION.sub("", text)
    text = _MARKUP.sub("", text)
    text = re.sub(r"[ \t]+([.,;;:!?·])", r"\1", text)  # «Μητρώο [1].» → «Μητρώο .» → «Μητρώο.»
    return re.sub(r"[ \t]+", " ", unicodedata.normalize("NFC", text)).strip()


def words(text: str) -> list[str]:
    """Words of the plain text: runs of letters and digits, joined across «.», «/», «-» inside a word;
    punctuation, Markdown and citation marks do not count."""
    return _WORD.findall(plain(text))
