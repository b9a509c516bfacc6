"""The facade's read side: answers, searches and the settings snapshot over the served index.

`Assistant` (assistant/service.py) is this plus the guides folder and ingestion; a process that only asks
(`kalo ask`, `kalo chat`) uses a `Reader` and never imports the ingestion pipeline, the loaders or the
chunker (#13: a cold `kalo ask` ≤ 3 × a bare model process).

Answering (assistant/respond.py): read the conversation → retrieve → gate → compose → cite.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from assistant.answer import Answerer, get_answerer
from assistant.core.settings import Settings
from assistant.core.types import Answer, Turn
from assistant.respond import respond
from assistant.retrieve import HybridSearch, SearchIndex
from ingest.embed import EmbeddingBackend, get_embeddings
from ingest.store import VectorStore

if TYPE_CHECKING:
    from assistant.lc_adapters import HybridRetriever


class Reader:
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
        self._answerer = answerer
        self._index: SearchIndex | None = None
        self._opening = threading.Lock()  # one opening of the index at a time

    @property
    def answerer(self) -> Answerer:
        """Built on first use: `kalo ingest`, `kalo status` and the health check need no language model."""
        if self._answerer is None:
            self._answerer = get_answerer(self.settings)
        return self._answerer

    @answerer.setter
    def answerer(self, answerer: Answerer) -> None:
        self._answerer = answerer

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            self._store = VectorStore(self.settings)
        return self._store

    @property
    def index(self) -> SearchIndex:
        """Opened on first question, once; `reload()` after the corpus changes. Follows a rebuild: when
        another generation is served (a rebuild in any process switched), the new one is opened."""
        self._follow()
        index = self._index
        if index is None:
            with self._opening:  # a server's first questions arrive together: one of them opens the index
                index = self._index
                if index is None:
                    index = self._index = self._open()
        return index

    def _open(self) -> SearchIndex:
        try:
            return SearchIndex.open(self.settings, self.embeddings, self.store)
        except Exception:
            # Opened just as a rebuild switched and removed the old generation: open the new one.
            if self._store is None or not self._store.moved():
                raise
            self.reload()
            return SearchIndex.open(self.settings, self.embeddings, self.store)

    def _follow(self) -> None:
        """Reload when the served generation is not the one this facade opened (one small file read, or
        with a Chroma server one metadata read)."""
        if self._store is not None and self._store.moved():
            self.reload()

    def reload(self) -> None:
        """Reopen the index on the next question (after the corpus changed), over the same Chroma client."""
        self._index = None
        if self._store is not None:
            self._store = VectorStore(self.settings, client=self._store.client)

    def search(self, audience: str | None = None, mode: str | None = None, k: int | None = None) -> HybridSearch:
        """The hybrid search that answers use: `retrieve(question)` → a typed `Retrieval`."""
        return HybridSearch(index=self.index, audience=audience, mode=mode or self.settings.retrieval_mode, k=k)

    def retriever(self, audience: str | None = None, mode: str | None = None, k: int | None = None) -> HybridRetriever:
        """The same search as a LangChain `BaseRetriever` (`invoke(question)` → `Document`s), for chains."""
        # Imported on first use: LangChain's retriever machinery (runnables, tracers, langsmith) costs about
        # a second at start-up, and only LangChain callers need it.
        from assistant.lc_adapters import HybridRetriever

        return HybridRetriever(index=self.index, audience=audience, mode=mode or self.settings.retrieval_mode, k=k)

    def stream(
        self, question: str, audience: str | None = None, history: list[Turn] | None = None
    ) -> Iterator[str | Answer]:
        """Yields text pieces as they are produced, then the final verified `Answer`."""
        yield from respond(self.search(audience), self.answerer, self.settings, question, list(history or []))

    def ask(self, question: str, audience: str | None = None, history: list[Turn] | None = None) -> Answer:
        final = None
        for event in self.stream(question, audience, history):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def snapshot(self) -> dict:
        """What produces answers here, recorded with feedback and evaluation runs: every setting except
        secrets (URLs without credentials), and the embedding model's id."""
        data = {
            name: value
            for name, value in self.settings.model_dump(mode="json").items()
            if not isinstance(getattr(self.settings, name), SecretStr)
        }
        data["llm_base_url"] = without_credentials(self.settings.llm_base_url)
        data["embedding_urls"] = [without_credentials(u) for u in self.settings.embedding_urls]
        data["embedding_model_id"] = self.embeddings.model_id
        return data


def without_credentials(url: str) -> str:
    """A URL with any user:password@ removed (and no query string, which may carry a key)."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
