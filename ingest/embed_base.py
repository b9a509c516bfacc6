"""The embedding interface and its registry. Each backend module registers its factory here by name
(`ingest.embed`: e5-bundled, sentence-transformers; `ingest.embed_remote`: openai-compatible;
`ingest.embed_fake`: fake-hash); `ingest.embed.get_embeddings` picks one by the settings."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.embeddings import Embeddings

from assistant.core.registry import Registry
from assistant.core.settings import Settings


class EmbeddingBackend(Embeddings):
    """A LangChain `Embeddings` that also names the model it runs, so the index can record it."""

    model_id: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError


EMBEDDINGS: Registry[Callable[[Settings], EmbeddingBackend]] = Registry("embedding backend", "σύστημα ενσωματώσεων")
register = EMBEDDINGS.register
