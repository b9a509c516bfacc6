"""The LangChain faces of our own objects, for LangChain chains and callers: `HybridRetriever` (a
`BaseRetriever` over `assistant.retrieve.HybridSearch`, passages as `Document`s) and our embedding
backends as LangChain `Embeddings`.

Only LangChain users import this module (the facade's `Assistant.retriever()`, tests, chains): LangChain's
runnables pull in its tracers and langsmith (about a second at start-up), which answering a question in
`kalo ask` or the web app does not need.
"""

from __future__ import annotations

import asyncio

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.core.documents import provenance
from assistant.core.types import Passage, Retrieval
from assistant.retrieve import HybridSearch, SearchIndex
from ingest.embed_base import EmbeddingBackend

# Every backend has LangChain's `Embeddings` methods (sync and async); registered, it also passes the
# `isinstance` checks of LangChain code (vector stores, chains) that takes an `Embeddings`.
Embeddings.register(EmbeddingBackend)


def to_document(passage: Passage) -> Document:
    """A passage as a LangChain `Document`: its text, the ingestion metadata and the retrieval scores."""
    meta = (
        {"chunk_id": passage.chunk_id}
        | provenance(passage)
        | {"chunk_index": passage.chunk_index, "dense": passage.dense, "rrf": passage.fused}
    )
    if passage.article:
        meta["article"], meta["act"] = passage.article, passage.act
    return Document(page_content=passage.text, id=passage.chunk_id, metadata=meta)


class HybridRetriever(BaseRetriever):
    """`invoke(question, k=…)` → the top-k passages as `Document`s (ingestion metadata plus `dense` and
    `rrf` scores); `retrieve()` gives the typed `Retrieval` of `HybridSearch`, the same search."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: SearchIndex
    audience: str | None = None
    k: int | None = None
    mode: str = "hybrid"  # hybrid | dense | bm25

    @property
    def search(self) -> HybridSearch:
        return HybridSearch(index=self.index, audience=self.audience, k=self.k, mode=self.mode)

    def retrieve(self, question: str, *, whole: bool = False, k: int | None = None) -> Retrieval:
        return self.search.retrieve(question, whole=whole, k=k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        k = k or self.k or self.index.settings.top_k
        return [to_document(p) for p in self.retrieve(query, k=k).passages][:k]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        # Search is CPU-bound and in-process: run it in a worker thread so the event loop stays free.
        return await asyncio.to_thread(
            self._get_relevant_documents, query, run_manager=run_manager.get_sync(), k=k
        )
