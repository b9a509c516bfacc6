"""The `Assistant` facade: the one entry point that the CLI, web app, API and evaluation all call.

Pipeline: condense follow-up → retrieve → relevance guard → answer → verify citations.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from assistant.answer import NOT_FOUND, Answerer, get_answerer
from assistant.cite import sources_from, verify
from assistant.core.settings import Settings
from assistant.core.types import Answer, Source, Turn
from assistant.guard import is_answerable
from assistant.retrieve import HybridRetriever, SearchIndex
from ingest.embed import EmbeddingBackend, get_embeddings
from ingest.store import VectorStore


def nearest_sections(sources: list[Source], n: int = 3) -> list[Source]:
    """What to suggest when nothing answers: the closest passages, one per section."""
    seen: set[tuple[str, str]] = set()
    out = []
    for s in sources:
        if (s.guide_id, s.section) not in seen:
            seen.add((s.guide_id, s.section))
            out.append(s)
    return out[:n]


class Assistant:
    def __init__(
        self,
        settings: Settings,
        embeddings: EmbeddingBackend | None = None,
        store: VectorStore | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        self.settings = settings
        self.embeddings = embeddings or get_embeddings(settings)
        self._store = store
        self.answerer = answerer or get_answerer(settings)
        self._index: SearchIndex | None = None

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            self._store = VectorStore(self.settings)
        return self._store

    @property
    def index(self) -> SearchIndex:
        """Opened on first question, once; `reload()` after the corpus changes."""
        if self._index is None:
            self._index = SearchIndex.open(self.settings, self.embeddings, self.store)
        return self._index

    def reload(self) -> None:
        self._index = None
        self._store = None

    def retriever(self, audience: str | None = None, mode: str | None = None, k: int | None = None) -> HybridRetriever:
        return HybridRetriever(index=self.index, audience=audience, mode=mode or self.settings.retrieval_mode, k=k)

    def stream(
        self, question: str, audience: str | None = None, history: list[Turn] | None = None
    ) -> Iterator[str | Answer]:
        """Yields text pieces as they are produced, then the final verified `Answer`."""
        started = time.perf_counter()
        history = list(history or [])
        question = " ".join(question.split())
        standalone = self.answerer.condense(question, history) if history else question
        docs = self.retriever(audience).invoke(standalone)
        sources = sources_from(docs)
        searched = str(docs[0].metadata.get("query", standalone)) if docs else standalone
        text, removed, uncited = NOT_FOUND, [], []
        if is_answerable(standalone, docs, self.settings):
            parts: list[str] = []
            for piece in self.answerer.stream(standalone, docs, history):
                parts.append(piece)
                yield piece
            text, removed, uncited = verify("".join(parts).strip(), sources)
        else:
            yield NOT_FOUND  # never ask a model to answer from passages that do not cover the question
        found = bool(text) and not text.startswith(NOT_FOUND[:20])
        yield Answer(
            question=question,
            standalone_question=searched,
            text=text if found else NOT_FOUND,
            found=found,
            sources=sources if found else [],
            suggestions=[] if found else nearest_sections(sources),
            retrieved=sources,
            removed_citations=removed,
            uncited_sentences=uncited,
            answerer=self.answerer.name,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def ask(self, question: str, audience: str | None = None, history: list[Turn] | None = None) -> Answer:
        final = None
        for event in self.stream(question, audience, history):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final
