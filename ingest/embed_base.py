"""The embedding interface and its registry. Each backend module registers its factory here by name
(`ingest.embed`: e5-bundled, sentence-transformers; `ingest.embed_remote`: openai-compatible;
`ingest.embed_fake`: fake-hash); `ingest.embed.get_embeddings` picks one by the settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from assistant.core.registry import Registry
from assistant.core.settings import Settings


class EmbeddingBackend:
    """LangChain's `Embeddings` interface (sync and async), plus the name of the model it runs, so the
    index can record it. Not a subclass: importing `langchain_core.embeddings` costs every start-up its
    runnables and callbacks; `assistant.lc_adapters` registers this class as a virtual `Embeddings` for
    LangChain code that checks."""

    model_id: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        return await asyncio.to_thread(self.embed_query, text)


EMBEDDINGS: Registry[Callable[[Settings], EmbeddingBackend]] = Registry("embedding backend", "σύστημα ενσωματώσεων")
register = EMBEDDINGS.register
