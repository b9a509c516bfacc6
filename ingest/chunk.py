"""Structure-aware chunking: headings → sections → paragraph-packed chunks with provenance.

No chunk straddles two sections; overlap is carried only inside a section.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from assistant.core.documents import Chunk, Heading, LoadedDocument
from assistant.core.greek_text import split_sentences

FRONT_MATTER = "Αρχή του οδηγού"  # section name for text before the first heading (cover, preface)

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
# "4.2 Χαρτογράφηση αναγκών": numbered, short, starts with a capital, no sentence punctuation at the end.
_NUMBERED_HEADING = re.compile(r"^((?:\d{1,2}\.)*\d{1,2})\.?\s+([A-ZΑ-ΩΆ-Ώ«\"].{0,100})$")
_LIST_START = re.compile(r"^(?:[-•·▪●◦*☐☑✓–]\s|\d{1,2}[).]\s|[α-ω][).]\s|\S.* \| )")
_SENTENCE_END = re.compile(r"[.!?;;·:]$")


@dataclass
class _Para:
    text: str
    page_start: int
    page_end: int


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def sha(text: str, n: int = 16) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def guide_id_for(source: str) -> str:
    return PurePosixPath(source).with_suffix("").as_posix()


class _HeadingFinder:
    """Decides whether a line (maybe joined with the next one) is a heading, and at what level."""

    def __init__(self, doc: LoadedDocument) -> None:
        self.outline = {_key(h.title): h.level for h in doc.outline if _key(h.title)}
        self.title_key = _key(doc.title)
        self.markdown = doc.kind in {"md", "html", "docx"}

    def match(self, line: str, next_line: str | None) -> tuple[Heading, bool] | None:
        """Return (heading, consumed_next_line) or None."""
        if self.markdown:
            m = _MD_HEADING.match(line)
            return (Heading(len(m.group(1)), m.group(2).strip()), False) if m else None
        if self.outline:
            key = _key(line)
            if key in self.outline:
                return Heading(self.outline[key], line), False
            if next_line is not None:  # long headings wrap onto a second line in PDFs
                joined = f"{line} {next_line}"
                if _key(joined) in self.outline:
                    return Heading(self.outline[_key(joined)], joined), True
            return None
        m = _NUMBERED_HEADING.match(line)
        if m and not _SENTENCE_END.search(line) and len(line) <= 100:
            return Heading(m.group(1).count(".") + 1, line), False
        return None


def _sections(doc: LoadedDocument) -> list[tuple[str, list[_Para]]]:
    finder = _HeadingFinder(doc)
    stream = [(p.number, line) for p in doc.pages for line in p.text.split("\n")]
    sections: list[tuple[str, list[_Para]]] = [(FRONT_MATTER, [])]
    stack: list[Heading] = []
    paras: list[_Para] = sections[0][1]
    glue = False  # whether the next line continues the current paragraph
    i = 0
    while i < len(stream):
        page, line = stream[i]
        nxt = stream[i + 1][1] if i + 1 < len(stream) else None
        found = finder.match(line, nxt) if line else None
        if found:
            heading, consumed = found
            i += 2 if consumed else 1
            if _key(heading.title) == finder.title_key and not stack:
                continue  # the document's own title is not a section
            stack = [h for h in stack if h.level < heading.level] + [heading]
            sections.append((" > ".join(h.title for h in stack), []))
            paras, glue = sections[-1][1], False
            continue
        i += 1
        if not line:
            glue = False
            continue
        if glue and paras and not _LIST_START.match(line):
            last = paras[-1]
            last.text = f"{last.text} {line}"
            last.page_end = page
        else:
            paras.append(_Para(line, page, page))
        # Only PDF-like text wraps paragraphs over lines; Markdown keeps one paragraph per line.
        glue = not finder.markdown and not _SENTENCE_END.search(line)
    return [(name, p) for name, p in sections if p]


def _pieces(paras: list[_Para], size: int) -> list[_Para]:
    """Paragraphs no longer than `size`: long ones are cut at sentence ends."""
    out: list[_Para] = []
    for para in paras:
        if len(para.text) <= size:
            out.append(para)
            continue
        current = ""
        for sentence in split_sentences(para.text):
            while len(sentence) > size:  # a single run-on "sentence": hard cut at a space
                cut = sentence.rfind(" ", 0, size)
                cut = cut if cut > size // 2 else size
                out.append(_Para(sentence[:cut], para.page_start, para.page_end))
                sentence = sentence[cut:].strip()
            if current and len(current) + 1 + len(sentence) > size:
                out.append(_Para(current, para.page_start, para.page_end))
                current = ""
            current = f"{current} {sentence}".strip()
        if current:
            out.append(_Para(current, para.page_start, para.page_end))
    return out


def _overlap_tail(text: str, overlap: int) -> str:
    if overlap <= 0:
        return ""
    tail = ""
    for sentence in reversed(split_sentences(text)):
        if len(tail) + len(sentence) > overlap:
            break
        tail = f"{sentence} {tail}".strip()
    return tail


def chunk_document(doc: LoadedDocument, size: int, overlap: int) -> list[Chunk]:
    guide_id = guide_id_for(doc.source)
    chunks: list[Chunk] = []
    for section, paras in _sections(doc):
        groups: list[tuple[str, int, int]] = []
        text, start, end, carried = "", 0, 0, ""
        # Long paragraphs are cut to leave room for the overlap carried into the next chunk.
        for piece in _pieces(paras, max(size - overlap, size // 2)):
            if text and text != carried and len(text) + 1 + len(piece.text) > size:
                groups.append((text, start, end))
                # The overlap is carried only where it fits: a chunk never grows past `size`.
                carried = _overlap_tail(text, min(overlap, size - 1 - len(piece.text)))
                text, start = carried, end if carried else piece.page_start
            if not text:
                start = piece.page_start
            text = f"{text}\n{piece.text}" if text else piece.text
            end = piece.page_end
        if text and text != carried:
            groups.append((text, start, end))
        for n, (body, page_start, page_end) in enumerate(groups):
            content_hash = sha(body)
            chunks.append(
                Chunk(
                    id=f"{sha(doc.source, 8)}-{sha(f'{section}|{n}|{content_hash}')}",
                    text=body,
                    guide_id=guide_id,
                    guide_title=doc.title,
                    source=doc.source,
                    section=section,
                    page_start=page_start,
                    page_end=page_end,
                    index=len(chunks),
                    content_hash=content_hash,
                )
            )
    return chunks
