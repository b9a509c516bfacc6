"""The objects that cross the answering arrows (and the JSON API), defined once."""

from __future__ import annotations

from typing import Literal

from langchain_core.documents import Document
from pydantic import BaseModel, Field

Audience = Literal["municipal", "kalo"]
AUDIENCE_LABELS: dict[str, str] = {"municipal": "Στέλεχος Δήμου", "kalo": "Στέλεχος φορέα ΚΑΛΟ"}


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class Source(BaseModel):
    """A numbered retrieved passage; `n` is the number the answer cites as [n]."""

    n: int
    chunk_id: str
    guide_id: str
    guide_title: str
    source: str  # file, relative to the corpus folder
    section: str
    page_start: int
    page_end: int
    text: str
    excerpt: str = ""  # the sentence(s) of the passage that support what cites it
    cited: bool = False
    score: float = 0.0

    @property
    def pages(self) -> str:
        return str(self.page_start) if self.page_start == self.page_end else f"{self.page_start}–{self.page_end}"

    def label(self) -> str:
        return f"{self.guide_title}, {self.section}, σελ. {self.pages}"

    def to_document(self) -> Document:
        """Back to the LangChain `Document` (with the ingestion metadata) it was made from."""
        metadata = self.model_dump(include={"chunk_id", "guide_id", "guide_title", "source", "section"})
        return Document(
            page_content=self.text,
            id=self.chunk_id,
            metadata=metadata | self.model_dump(include={"page_start", "page_end"}),
        )


class Answer(BaseModel):
    question: str
    standalone_question: str = ""  # the question after follow-up resolution and transliteration
    text: str
    found: bool = True
    sources: list[Source] = Field(default_factory=list)
    suggestions: list[Source] = Field(default_factory=list)  # nearest sections when nothing was found
    retrieved: list[Source] = Field(default_factory=list)  # every passage retrieval returned, in rank order
    removed_citations: list[int] = Field(default_factory=list)  # [n] that pointed to no passage
    uncited_sentences: list[str] = Field(default_factory=list)
    answerer: str = ""
    latency_ms: float = 0.0

    @property
    def cited_sources(self) -> list[Source]:
        return [s for s in self.sources if s.cited]
