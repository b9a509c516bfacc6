"""What ingestion understands of one file (title, structure, chunks, repairs), without touching the index:
the logic behind `kalo inspect FILE`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.core.documents import Chunk, IngestNotes
from assistant.core.greek_text import split_sentences
from assistant.core.safety import why
from ingest.chunk import FRONT_MATTER, chunk_document
from ingest.clean import clean_document
from ingest.loaders import check_file, load
from ingest.structure import detect, lines_of


@dataclass
class SectionInfo:
    level: int
    title: str
    page: int
    article: str = ""


@dataclass
class InspectReport:
    source: str
    kind: str
    title: str
    act: str  # «Ν. 3606/2007» for a legal text
    pages: int
    structure: str  # outline | markdown | legal | numbered | font | none
    headings: list[SectionInfo]
    chunks: int
    samples: list[Chunk]
    toc_pages: list[int]
    notes: IngestNotes
    warnings: list[str] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return sum(1 for h in self.headings if h.article)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["articles"] = self.articles
        return data


def _ranges(pages: list[int]) -> str:
    """[1, 2, 3, 7] → «1–3, 7»."""
    out: list[str] = []
    for p in sorted(set(pages)):
        if out and out[-1].split("–")[-1] == str(p - 1):
            out[-1] = f"{out[-1].split('–')[0]}–{p}"
        else:
            out.append(str(p))
    return ", ".join(out)


def _warnings(notes: IngestNotes, structure: str, toc_pages: list[int], chunks: list[Chunk]) -> list[str]:
    out = list(notes.warnings)
    if notes.no_text_pages and not notes.ocr_pages:
        out.append(f"no text layer on page(s) {_ranges(notes.no_text_pages)}")
    if notes.ocr_pages:
        out.append(f"OCR used on page(s) {_ranges(notes.ocr_pages)}")
    if notes.reordered_pages:
        out.append(f"columns put in reading order on page(s) {_ranges(notes.reordered_pages)}")
    if notes.hyphenations:
        out.append(f"{notes.hyphenations} broken hyphenations repaired")
    if notes.lookalikes:
        out.append(f"{notes.lookalikes} words with look-alike Latin letters or symbols repaired")
    for line in notes.running_lines[:2]:
        out.append(f"running header/footer removed: «{line}»")
    if notes.stamps:
        out.append(f"{notes.stamps} signature-stamp or imprint lines removed")
    if toc_pages:
        out.append(f"table of contents skipped (page(s) {_ranges(toc_pages)})")
    if structure == "none":
        out.append("no headings found: the whole file is one section")
    if not chunks:
        out.append("nothing to index")
    return [w for w in dict.fromkeys(out) if w]


def inspect_file(
    path: Path, chunk_size: int = 1100, overlap: int = 150, samples: int = 3, max_mb: float = 50.0
) -> InspectReport:
    """Load, clean, find the structure of and chunk `path` as `kalo ingest` would; store nothing."""
    check_file(path, max_mb)
    doc = clean_document(load(path, path.name))
    structure = detect(doc)
    stream = lines_of(doc)
    headings = [
        SectionInfo(f.heading.level, f.heading.title, stream[f.line][0], f.heading.article) for f in structure.headings
    ]
    chunks = chunk_document(doc, chunk_size, overlap)
    body = [c for c in chunks if c.section != FRONT_MATTER] or chunks
    step = max(1, len(body) // max(samples, 1))
    picked = body[::step][:samples]
    return InspectReport(
        source=path.name,
        kind=doc.kind,
        title=doc.title,
        act=doc.act,
        pages=len(doc.pages),
        structure=structure.kind,
        headings=headings,
        chunks=len(chunks),
        samples=picked,
        toc_pages=structure.toc_pages,
        notes=doc.notes,
        warnings=_warnings(doc.notes, structure.kind, structure.toc_pages, chunks) + unsafe_passages(chunks),
    )


def unsafe_passages(chunks: list[Chunk], shown: int = 3) -> list[str]:
    """Sentences the extractive answerer will never repeat (assistant/core/safety.py): instructions to an
    assistant (prompt injection), credentials, links; the first few quoted, so that the editor can look."""
    found: dict[str, str] = {}
    for chunk in chunks:
        for sentence in split_sentences(chunk.text):
            kind = why(sentence)
            if kind:
                found.setdefault(sentence.strip(), f"{kind} (section «{chunk.section}»)")
    return [f"never used in answers, {kind}: «{text[:100]}»" for text, kind in list(found.items())[:shown]] + (
        [f"… and {len(found) - shown} more such sentence(s)"] if len(found) > shown else []
    )
