"""The objects that cross the answering arrows (and the JSON API), defined once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

Audience = Literal["municipal", "kalo"]
AUDIENCE_LABELS: dict[str, str] = {"municipal": "Στέλεχος Δήμου", "kalo": "Στέλεχος φορέα ΚΑΛΟ"}
# A question, not a pasted document: a situation and a need fit in a few hundred characters, and past this
# the answer only slows down (10,000 characters: 13 s) while e5 reads the first 512 tokens anyway.
MAX_QUESTION_CHARS = 2000


def question_too_long(question: str) -> str:
    """The Greek reason a question is refused for its length (empty: it is fine)."""
    if len(question) <= MAX_QUESTION_CHARS:
        return ""
    return (
        f"Η ερώτηση είναι πολύ μεγάλη ({len(question):,} χαρακτήρες· όριο {MAX_QUESTION_CHARS:,}). "
        "Γράψτε πιο σύντομα την περίσταση και τι θέλετε να μάθετε· το κείμενο μένει στο πλαίσιο."
    ).replace(",", ".")


def page_range(start: int, end: int) -> str:
    """«7» or «7–8»: how a page span is written everywhere (sources, prompts, the UI)."""
    return str(start) if start == end else f"{start}–{end}"


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
    article: str = ""  # «άρθρο 11» when the document is a legal text
    act: str = ""  # «Ν. 3606/2007»: the act a legal text is
    excerpt: str = ""  # the sentence(s) of the passage that support what cites it
    cited: bool = False
    score: float = 0.0

    @property
    def pages(self) -> str:
        return page_range(self.page_start, self.page_end)

    def label(self) -> str:
        if self.article:  # «Ν. 3606/2007, άρθρο 9 — σελ. 6»
            return f"{self.act or self.guide_title}, {self.article} — σελ. {self.pages}"
        return f"{self.guide_title}, {self.section}, σελ. {self.pages}"


class Answer(BaseModel):
    question: str
    standalone_question: str = ""  # the question after follow-up resolution and transliteration
    text: str
    found: bool = True
    coverage: str = ""  # covered | partial | not_covered (the relevance gate's verdict)
    not_covered: list[str] = Field(default_factory=list)  # what a partly covered answer could not answer
    notes: list[str] = Field(default_factory=list)  # what follows the cited answer: «Δείτε επίσης», gaps
    sources: list[Source] = Field(default_factory=list)
    suggestions: list[Source] = Field(default_factory=list)  # nearest sections when nothing was found
    related: list[Source] = Field(default_factory=list)  # the sections «Δείτε επίσης» points to, in its order
    retrieved: list[Source] = Field(default_factory=list)  # every passage retrieval returned, in rank order
    removed_citations: list[int] = Field(default_factory=list)  # [n] that pointed to no passage
    uncited_sentences: list[str] = Field(default_factory=list)
    answerer: str = ""
    latency_ms: float = 0.0

    @property
    def body(self) -> str:
        """The cited answer without the notes after it (what citation and readability checks read)."""
        text = self.text
        for note in self.notes:
            text = text.replace(note, "")
        return text.strip()

    @property
    def cited_sources(self) -> list[Source]:
        return [s for s in self.sources if s.cited]


@dataclass
class Passage:
    """One retrieved chunk with its provenance and the scores retrieval gave it."""

    chunk_id: str
    text: str
    guide_id: str
    guide_title: str
    source: str
    section: str  # "6. Βήματα > 6.2 Χαρτογράφηση"
    page_start: int
    page_end: int
    chunk_index: int = 0
    article: str = ""  # «άρθρο 11» for legal texts
    act: str = ""  # «Ν. 3606/2007»
    dense: float = 0.0  # cosine with the query
    fused: float = 0.0  # the fused (RRF) score that ranked it
    part: bool = False  # added because it is one part (step, kind) of a section the question asks for whole
    caption: str = ""  # the caption of the list this chunk opens inside («Συνηθισμένα λάθη.»), from the chunk before

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict, **scores) -> Passage:
        return cls(
            chunk_id=chunk_id,
            text=text,
            guide_id=str(meta.get("guide_id", "")),
            guide_title=str(meta.get("guide_title", "")),
            source=str(meta.get("source", "")),
            section=str(meta.get("section", "")),
            page_start=int(meta.get("page_start", 0) or 0),
            page_end=int(meta.get("page_end", 0) or 0),
            chunk_index=int(meta.get("chunk_index", 0) or 0),
            article=str(meta.get("article", "") or ""),
            act=str(meta.get("act", "") or ""),
            **scores,
        )

    @property
    def leaf(self) -> str:
        return self.section.rsplit(" > ", 1)[-1]


@dataclass
class PreparedQuery:
    """The question as searched: Greek script, the guides' spelling, and its search keys."""

    text: str  # what is embedded
    keys: list[str]  # search keys after spelling repair
    raw_keys: list[str]  # the keys as typed (before repair)
    transliterated: bool = False
    cross_lingual: bool = False  # written in another language (Latin script that is not Greeklish)


@dataclass
class Retrieval:
    """What retrieval returns: the prepared query, the ranked passages and the query-level evidence the
    relevance gate needs (computed once, here, where the index is at hand)."""

    query: PreparedQuery
    passages: list[Passage]
    vector: list[float] = field(default_factory=list, repr=False)
    # The query's dense score against the whole corpus: best, and the corpus' own median and spread, so
    # that "how much the best passage stands out" can be judged per query instead of by one raw cosine.
    top_dense: float = 0.0
    median_dense: float = 0.0
    spread_dense: float = 0.0
    # Search keys of the question with their inverse document frequency, and those the corpus never saw.
    idf: dict[str, float] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    typed_unknown: list[str] = field(default_factory=list)  # the same before spelling repair

    @property
    def standout(self) -> float:
        """How many spreads the best passage's cosine lies above the corpus median for this query."""
        return (self.top_dense - self.median_dense) / self.spread_dense if self.spread_dense > 0 else 0.0
