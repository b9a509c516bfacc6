"""What is in the index: guides with pages and chunks, the model that built it, where it lives."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field

from assistant.core.settings import Settings
from ingest.pipeline import Manifest
from ingest.sentences import SentenceIndex
from ingest.sidecars import sentences_path
from ingest.store import VectorStore


class GuideInfo(BaseModel):
    guide_id: str
    title: str
    source: str
    pages: int
    chunks: int
    ingested_at: str


class IndexStatus(BaseModel):
    store_location: str
    embedding_model: str
    generation: str = ""  # which generation of the index is served ("initial": the first one)
    collection: str = ""  # its Chroma collection
    built_at: str = ""  # when it was complete and switched to (UTC)
    guides: list[GuideInfo] = Field(default_factory=list)
    sentences: int = 0  # sentence vectors beside the index that match its chunks (0: off, or not built yet)

    @property
    def chunks(self) -> int:
        return sum(g.chunks for g in self.guides)

    @property
    def pages(self) -> int:
        return sum(g.pages for g in self.guides)


def index_status(settings: Settings, store: VectorStore | None = None) -> IndexStatus:
    """Read from the collection (chunks per guide) and the manifest (pages, time of ingestion)."""
    store = store or VectorStore(settings)
    metas = store.all_metadata()  # raises IndexMissingError when there is no collection
    counts = Counter(str(m["source"]) for m in metas.values())
    titles = {str(m["source"]): (str(m["guide_id"]), str(m["guide_title"])) for m in metas.values()}
    manifest = Manifest(store.served_settings.index_dir / "manifest.json").files
    guides = [
        GuideInfo(
            guide_id=titles[source][0],
            title=titles[source][1],
            source=source,
            pages=int(manifest.get(source, {}).get("pages", 0)),
            chunks=n,
            ingested_at=str(manifest.get(source, {}).get("ingested_at", "")),
        )
        for source, n in sorted(counts.items())
    ]
    served = store.generation
    vectors = SentenceIndex.load(sentences_path(store.served_settings))
    current = vectors is not None and vectors.matches(list(metas), store.model_id)
    return IndexStatus(
        store_location=settings.store_location,
        embedding_model=store.model_id,
        generation=served.label,
        collection=served.collection,
        built_at=served.built_at,
        guides=guides,
        sentences=len(vectors.chunk_ids) if current else 0,
    )
