"""Answer text as the metrics read it: citation marks, sentences, plain text, lexical overlap.

Citation marks, sentences, overlap and excerpts are read by the same rules as the citation checker's
(assistant.core.answer_text, re-exported here); plain text and words are the harness's own.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.core.answer_text import (
    CITATION,
    answer_sentences,
    best_excerpt,
    citation_numbers,
    overlap,
    passage_sentences,
)

__all__ = [
    "CITATION",
    "answer_sentences",
    "best_excerpt",
    "citation_numbers",
    "overlap",
    "passage_sentences",
    "plain",
    "words",
]

_MARKUP = re.compile(r"\*\*|__|`|^#+\s*", re.MULTILINE)
_WORD = re.compile(r"[^\W_]+(?:[./-][^\W_]+)*")  # «4430/2016», «2.2», «Κοιν.Σ.Επ» are one word each


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
