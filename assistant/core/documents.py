"""The objects that cross the ingestion arrows, defined once."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, as printed in a viewer
    text: str


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = top-level section
    title: str


@dataclass
class LoadedDocument:
    """A file as read by a loader: its pages and whatever structure the format declares."""

    source: str  # path relative to the corpus dir, POSIX style
    title: str
    pages: list[Page]
    kind: str  # pdf | docx | md | txt | html
    # Headings the format states explicitly (PDF outline, DOCX heading styles);
    # for Markdown-like text the lines themselves carry "#" marks.
    outline: list[Heading] = field(default_factory=list)


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str
    guide_id: str
    guide_title: str
    source: str
    section: str  # "4. Βήματα > 4.2 Χαρτογράφηση"
    page_start: int
    page_end: int
    index: int  # position of the chunk in its document
    content_hash: str

    def metadata(self) -> dict[str, str | int]:
        return {
            "guide_id": self.guide_id,
            "guide_title": self.guide_title,
            "source": self.source,
            "section": self.section,
            "page_start": self.page_start,
            "page_end": self.page_end,
            "chunk_index": self.index,
            "content_hash": self.content_hash,
        }

    def embedding_text(self) -> str:
        # The section path gives short chunks their context («4.2 Χαρτογράφηση» alone says little).
        return f"{self.guide_title} — {self.section}\n{self.text}"
