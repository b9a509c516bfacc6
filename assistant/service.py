"""The `Assistant` facade: the one entry point that the CLI, web app, API and evaluation all call.

Pipeline: condense follow-up → retrieve → relevance guard → answer → verify citations.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from assistant.answer import NOT_FOUND, Answerer, get_answerer
from assistant.cite import sources_from, verify
from assistant.config import Settings
from assistant.guard import is_answerable
from assistant.retrieve import HybridRetriever, SearchIndex
from assistant.types import Answer, Turn
from ingest.embed import EmbeddingBackend, get_embeddings
from ingest.store import VectorStore


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
        if not is_answerable(standalone, docs, self.settings):
            yield NOT_FOUND
            yield Answer(
                question=question,
                standalone_question=standalone,
                text=NOT_FOUND,
                found=False,
                suggestions=sources[:3],
                retrieved=sources,
                answerer=self.answerer.name,
                latency_ms=(time.perf_counter() - started) * 1000,
            )
            return
        parts: list[str] = []
        for piece in self.answerer.stream(standalone, docs, history):
            parts.append(piece)
            yield piece
        raw = "".join(parts).strip()
        text, removed, uncited = verify(raw, sources)
        found = bool(text) and not text.startswith(NOT_FOUND[:20])
        yield Answer(
            question=question,
            standalone_question=docs[0].metadata.get("query", standalone) if docs else standalone,
            text=text if found else NOT_FOUND,
            found=found,
            sources=sources if found else [],
            suggestions=[] if found else sources[:3],
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
