"""Structure-aware chunking: headings (ingest/structure) → sections → paragraph-packed chunks with
provenance (section path, article, pages).

No chunk straddles two sections, so none straddles two articles; overlap is carried only inside a section.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from assistant.core.documents import FRONT_MATTER, Chunk, Heading, LoadedDocument
from assistant.core.greek_text import ends_with_abbreviation, split_sentences
from ingest.structure import MARKDOWN_KINDS, Structure, detect, lines_of, outline_key

__all__ = ["FRONT_MATTER", "chunk_document", "sha"]

_LIST_START = re.compile(r"^(?:[-•·▪●◦*☐☑✓–]\s|\d{1,2}[).]\s|[α-ω][).]\s|\S.* \| )")
_SENTENCE_END = re.compile(r"[.!?;;·:]$")
# «…του ν.⏎3283/2004», «π.δ.⏎…»: a line ending in a one-letter abbreviation does not end its sentence when
# an act number or a lower-case word follows (a one-letter word does not end a Greek sentence).
_ABBREVIATION_END = re.compile(r"(?:^|\s)(?:[^\W\d_]\.){1,3}$")
_GOES_ON = re.compile(r"^(?:\d+/\d|[a-zα-ωά-ώ])")
# «…(βλ.⏎ενότητα 10.4)», «κατά την παρ.⏎2 του άρθρου 5»: after an abbreviation that never ends a sentence
# (greek_text), a lower-case word or any number goes on (a list item «2. …» is a list start, not this).
_GOES_ON_CITED = re.compile(r"^(?:\d|[a-zα-ωά-ώ])")


@dataclass
class _Para:
    text: str
    page_start: int
    page_end: int


@dataclass
class _Section:
    name: str
    article: str
    paras: list[_Para] = field(default_factory=list)


def sha(text: str, n: int = 16) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def guide_id_for(source: str) -> str:
    return PurePosixPath(source).with_suffix("").as_posix()


def _sections(doc: LoadedDocument, structure: Structure | None = None) -> list[_Section]:
    """Body text between the headings the structure found; a table of contents is left out."""
    structure = structure or detect(doc)
    stream = lines_of(doc)
    at = {f.line: f for f in structure.headings}
    markdown = doc.kind in MARKDOWN_KINDS
    title_key = outline_key(doc.title)
    sections = [_Section(FRONT_MATTER, "")]
    stack: list[Heading] = []
    paras = sections[0].paras
    glue = False  # whether the next line continues the current paragraph
    abbreviated = False  # …or may, when it starts as a sentence goes on (_GOES_ON)
    cited = False  # …or ends on an abbreviation no sentence ends on («βλ.», «παρ.»): a number goes on too
    i = 0
    while i < len(stream):
        page, line = stream[i]
        found = at.get(i) if line else None
        if found:
            heading = found.heading
            i += found.span
            if outline_key(heading.title) == title_key and not stack:
                continue  # the document's own title is not a section
            stack = [h for h in stack if h.level < heading.level] + [heading]
            article = next((h.article for h in reversed(stack) if h.article), "")
            sections.append(_Section(" > ".join(h.title for h in stack), article))
            paras, glue, abbreviated, cited = sections[-1].paras, False, False, False
            continue
        i += 1
        if i - 1 in structure.toc:
            continue
        if not line:
            glue = abbreviated = cited = False
            continue
        wrapped = (abbreviated and bool(_GOES_ON.match(line))) or (cited and bool(_GOES_ON_CITED.match(line)))
        if (glue or wrapped) and paras and not _LIST_START.match(line):
            last = paras[-1]
            last.text = f"{last.text} {line}"
            last.page_end = page
        else:
            paras.append(_Para(line, page, page))
        # Only PDF-like text wraps paragraphs over lines; Markdown keeps one paragraph per line.
        glue = not markdown and not _SENTENCE_END.search(line)
        abbreviated = not markdown and bool(_ABBREVIATION_END.search(line))
        cited = not markdown and ends_with_abbreviation(line)
    return [s for s in sections if s.paras]


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
    """The last whole sentences of `text`, at most `overlap` characters, as they stand in it: its line
    breaks kept (a caption carried over still introduces the list that follows it)."""
    if overlap <= 0:
        return ""
    start = len(text)
    for sentence in reversed(split_sentences(text)):
        at = text.rfind(sentence, 0, start)
        if at < 0 or len(text) - at > overlap:
            break
        start = at
    return text[start:].strip()


def chunk_document(doc: LoadedDocument, size: int, overlap: int) -> list[Chunk]:
    guide_id = guide_id_for(doc.source)
    chunks: list[Chunk] = []
    for part in _sections(doc):
        section, paras = part.name, part.paras
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
                    article=part.article,
                    act=doc.act,
                )
            )
    return chunks
