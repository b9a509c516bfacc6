"""What a line of a document is, for the structure rules: heading-like or not, how its sentence goes on,
its typography (font size and weight, where the format records them)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from assistant.core.documents import Heading, LineStyle, LoadedDocument, style_key

MAX_HEADING_CHARS = 120  # longer lines are paragraphs; the longest outline titles of the guides are ~90
MAX_TITLE_LINES = 3  # a heading's title wraps over at most this many lines
SIZE_STEP = 1.1  # a line set this much larger than the body text stands out as a heading

SENTENCE_END = re.compile(r"[.!?;;·:,]$")
FULL_STOP = re.compile(r"[.!?;;·:]$")  # a comma may end a line of a heading that wraps
PARAGRAPH_NUMBER = re.compile(r"^(?:\(?\d{1,3}[.)]|\(?[α-ωά-ώ]{1,3}[.)΄'’]|\([ivx]+\)|[-•·▪●◦*–−])\s")
LOWER_START = re.compile(r"^[a-zα-ωά-ώ]")
TOC_LEADERS = re.compile(r"^(?P<text>\S.*?)\s*(?:[.…·_]\s?){3,}\s*(?P<page>\d{1,4})$")

Lines = list[tuple[int, str]]  # the document as (page number, line)


@dataclass(frozen=True)
class Found:
    line: int  # index in the document's line stream (see `lines_of`)
    span: int  # lines the heading takes (a title on the next line counts)
    heading: Heading


class Styles:
    """Line styles of the document and what its body text looks like."""

    def __init__(self, doc: LoadedDocument) -> None:
        self.pages = {p.number: p.styles for p in doc.pages}
        # The body is the style most of the text is set in (counted in characters, not lines).
        counts: Counter[LineStyle] = Counter()
        for p in doc.pages:
            for key, s in p.styles.items():
                if s.size or s.bold:
                    counts[s] += len(key)
        self.body = counts.most_common(1)[0][0] if counts else None

    def of(self, page: int, line: str) -> LineStyle | None:
        return self.pages.get(page, {}).get(style_key(line))

    def stands_out(self, page: int, line: str) -> bool:
        style = self.of(page, line)
        if style is None or self.body is None:
            return False
        larger = bool(style.size and self.body.size and style.size >= self.body.size * SIZE_STEP)
        return larger or (style.bold and not self.body.bold)

    @property
    def known(self) -> bool:
        return self.body is not None


def heading_like(line: str) -> bool:
    """Short, capitalised, no final sentence punctuation, not a list item or numbered paragraph."""
    return (
        0 < len(line) <= MAX_HEADING_CHARS
        and not SENTENCE_END.search(line)
        and not LOWER_START.match(line)
        and not line.startswith(("«", '"', "(", "[", "|"))
        and " | " not in line
    )


def next_text(lines: list[tuple[int, str]], i: int) -> int | None:
    j = i + 1
    while j < len(lines) and not lines[j][1]:
        j += 1
    return j if j < len(lines) else None


def continues(lines: list[tuple[int, str]], i: int) -> bool:
    """The line's sentence goes on on the next line (a wrapped paragraph, not a heading)."""
    j = i + 1
    return j < len(lines) and bool(LOWER_START.match(lines[j][1]))
