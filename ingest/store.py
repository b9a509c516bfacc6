"""The Chroma side of the index: client registry (embedded | http), the collection, and what built it.

We always pass our own vectors, and create collections with `embedding_function=None`, so Chroma's
default embedding function (which downloads an ONNX model on first use) is never instantiated.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from assistant.core.errors import IndexMissingError, ModelMismatchError, StoreUnavailableError
from assistant.core.registry import Registry
from assistant.core.settings import Settings
from ingest import generations
from ingest.generations import Generation

# Collection metadata: a new token after every write of ours, so that a reader of a Chroma server (which has
# no local SQLite file to read a write sequence from) can tell whether its query-time snapshot is current.
WRITES_KEY = "kalo_writes"

CLIENTS: Registry[Callable[[Settings], object]] = Registry("Chroma mode", "είδος σύνδεσης Chroma")
register = CLIENTS.register


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


@register("embedded")
def _embedded(settings: Settings):
    import chromadb

    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=_chroma_settings())


@register("http")
def _http(settings: Settings):
    import chromadb

    return chromadb.HttpClient(
        host=settings.chroma_host,
        port=settings.chroma_port,
        ssl=settings.chroma_ssl,
        settings=_chroma_settings(),
    )


def connect(settings: Settings):
    """Open a Chroma client; an unreachable server becomes a clear error."""
    try:
        client = CLIENTS.get(settings.chroma_mode)(settings)
        client.heartbeat()
        return client
    except Exception as exc:
        where = settings.store_location
        raise StoreUnavailableError(
            f"Cannot reach the Chroma store at {where}: {exc}",
            # No address in the Greek text: it is shown to chat users, not to the operator (the log has it).
            "Η βάση των οδηγών δεν είναι διαθέσιμη αυτή τη στιγμή. Δοκιμάστε ξανά σε λίγο ή ενημερώστε τον διαχειριστή.",
        ) from exc


class VectorStore:
    """One Chroma collection plus the embedding model it was built with (kept in collection metadata).

    The collection is the served generation's (ingest/generations.py), read from the pointer on first use,
    unless a `generation` is given (a rebuild writing beside the served one)."""

    def __init__(self, settings: Settings, client=None, generation: Generation | None = None) -> None:
        self.settings = settings
        # A server is reached at once, so that one that is down is reported where the store is made; an
        # embedded store is opened on first use (a reader with a valid snapshot never imports chromadb).
        self._client = client or (connect(settings) if settings.chroma_mode != "embedded" else None)
        self._collection = None
        self._generation = generation

    @property
    def client(self):
        if self._client is None:
            self._client = connect(self.settings)
        return self._client

    @property
    def generation(self) -> Generation:
        """The generation this store reads and writes (the served one when it was opened)."""
        if self._generation is None:
            self._generation = generations.served(self.settings, self._pointer_client())
        return self._generation

    @property
    def name(self) -> str:
        return self.generation.collection

    @property
    def served_settings(self) -> Settings:
        """The settings with this generation's collection: its index folder, its snapshot, its stamp."""
        return self.generation.settings_for(self.settings)

    def moved(self) -> bool:
        """Whether another generation is served now than the one this store opened (a rebuild switched)."""
        try:
            return generations.served(self.settings, self._pointer_client()).collection != self.name
        except Exception:  # a store that cannot be asked has not moved as far as we know
            return False

    def _pointer_client(self):
        return None if self.settings.chroma_mode == "embedded" else self.client

    # -- opening ----------------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.name in {c.name if hasattr(c, "name") else c for c in self.client.list_collections()}

    def create(self, model_id: str, dim: int):
        self._collection = self.client.get_or_create_collection(
            name=self.name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": model_id, "embedding_dim": dim},
        )
        return self._collection

    def drop(self) -> None:
        if self.exists():
            self.client.delete_collection(self.name)
        self._collection = None

    @property
    def collection(self):
        if self._collection is None:
            if not self.exists():
                raise IndexMissingError(self.settings.store_location)
            self._collection = self.client.get_collection(self.name, embedding_function=None)
        return self._collection

    @property
    def model_id(self) -> str:
        return str((self.collection.metadata or {}).get("embedding_model", ""))

    def check_model(self, model_id: str) -> None:
        if self.model_id != model_id:
            raise ModelMismatchError(self.model_id or "?", model_id)

    def write_stamp(self) -> dict:
        """What the collection is now, asked of Chroma afresh: its id, the token of our last write and its
        count (two small requests; no records are read). Raises what Chroma raises (no collection, down)."""
        current = self.client.get_collection(self.settings.collection, embedding_function=None)
        return {"collection": str(current.id), "writes": (current.metadata or {}).get(WRITES_KEY), "count": current.count()}

    # -- reading ----------------------------------------------------------------------------------------
    def count(self) -> int:
        return self.collection.count()

    def all_metadata(self) -> dict[str, dict]:
        got = self.collection.get(include=["metadatas"])
        return dict(zip(got["ids"], got["metadatas"], strict=True))

    def all_documents(self) -> tuple[list[str], list[str], list[dict]]:
        got = self.collection.get(include=["documents", "metadatas"])
        return got["ids"], got["documents"], got["metadatas"]

    def all_vectors(self) -> tuple[list[str], list[str], list[dict], list[list[float]]]:
        """Every record with its vector, for exact in-memory search over a small collection."""
        got = self.collection.get(include=["documents", "metadatas", "embeddings"])
        return got["ids"], got["documents"], got["metadatas"], got["embeddings"]

    def vectors(self, ids: list[str]) -> dict[str, list[float]]:
        got = self.collection.get(ids=ids, include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"], strict=True))

    def records(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        got = self.collection.get(ids=ids, include=["documents", "metadatas"])
        return {cid: (d, m) for cid, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}

    def query(self, vector: list[float], k: int, where: dict | None = None) -> list[tuple[str, float, str, dict]]:
        """(id, cosine similarity, document, metadata), best first."""
        n = min(k, self.count())
        if n == 0:
            return []
        res = self.collection.query(
            query_embeddings=[vector],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            (i, 1.0 - d, doc, meta)
            for i, d, doc, meta in zip(
                res["ids"][0], res["distances"][0], res["documents"][0], res["metadatas"][0], strict=True
            )
        ]

    # -- writing ----------------------------------------------------------------------------------------
    def upsert(self, ids: list[str], vectors: list[list[float]], documents: list[str], metadatas: list[dict]) -> None:
        batch = 256  # bounded requests keep an HTTP server happy
        for i in range(0, len(ids), batch):
            self.collection.upsert(
                ids=ids[i : i + batch],
                embeddings=vectors[i : i + batch],
                documents=documents[i : i + batch],
                metadatas=metadatas[i : i + batch],
            )
        self._written(bool(ids))

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 256):
            self.collection.delete(ids=ids[i : i + 256])
        self._written(bool(ids))

    def _written(self, changed: bool) -> None:
        if changed:  # the whole metadata: Chroma's modify replaces it
            meta = dict(self.collection.metadata or {}) | {WRITES_KEY: uuid.uuid4().hex}
            self.collection.modify(metadata=meta)
