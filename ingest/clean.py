"""Make extracted text Greek-safe: NFC, no running headers/footers, re-joined hyphenation, sane spaces.

Text is stored as written (tonos and final sigma kept); folding for search happens at retrieval.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from assistant.core.documents import LoadedDocument, Page

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# A soft hyphen only ever marks a break inside a word: at a line end it joins whatever follows.
_SOFT_BREAK = re.compile(r"\u00ad[ \t]*\r?\n[ \t]*")
# A word broken at the end of a line: "συνεργα-\nσία". Only joined when the next line goes on in
# lower case, so that "ΟΤΑ-\nΚΑΛΟ" style compounds keep their hyphen.
_HYPHENATED = re.compile(r"(\w)[-\u2010\u2011]\n(?=[^\W\d_A-ZΑ-ΩΆ-Ώ])")
_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:σελ(?:ίδα|\.)?|page)?\s*\d+(?:\s*(?:/|από|of)\s*\d+)?[-–—\s]*$", re.I)
_DIGITS = re.compile(r"\d+")
_EDGE = 2  # running headers/footers live in the first or last two lines of a page


def normalize(text: str) -> str:
    text = _SOFT_BREAK.sub("", unicodedata.normalize("NFC", text)).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _HYPHENATED.sub(r"\1", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _edge_lines(lines: list[str]) -> list[str]:
    non_empty = [line for line in lines if line.strip()]
    return non_empty[:_EDGE] + non_empty[-_EDGE:]


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines (digits masked) that recur at the top or bottom of at least half the pages."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_DIGITS.sub("#", line) for line in _edge_lines(lines)})
    threshold = max(2, len(pages) // 2)
    return {line for line, n in counts.items() if n >= threshold and line.strip()}


def clean_document(doc: LoadedDocument) -> LoadedDocument:
    page_lines = [normalize(p.text).split("\n") for p in doc.pages]
    running = _running_lines(page_lines)
    pages: list[Page] = []
    for page, lines in zip(doc.pages, page_lines, strict=True):
        edges = set(_edge_lines(lines))
        kept = [
            line
            for line in lines
            if not (line in edges and (_DIGITS.sub("#", line) in running or _PAGE_NUMBER.match(line)))
        ]
        pages.append(Page(page.number, "\n".join(kept).strip()))
    return LoadedDocument(doc.source, normalize(doc.title), pages, doc.kind, doc.outline)
