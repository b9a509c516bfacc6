"""The indexes kept beside the vector store, in the served generation's folder: the BM25 index
(ingest/lexical.py) and the sentence vectors (ingest/sentences.py). Both are derived from what the
collection holds, so they are brought up to date after every ingest from the collection itself."""

from __future__ import annotations

from pathlib import Path

from assistant.core.settings import Settings
from ingest.embed_base import EmbeddingBackend
from ingest.lexical import LexicalIndex, fingerprint
from ingest.sentences import SentenceIndex
from ingest.store import VectorStore

SENTENCES_LABEL = "προτάσεις (αναζήτηση ανά πρόταση)"


def lexical_path(served: Settings) -> Path:
    """Where a generation's BM25 index lives (`served`: a store's `served_settings`)."""
    return served.index_dir / "bm25"


def sentences_path(served: Settings) -> Path:
    return served.index_dir / "sentences"


def refresh(
    settings: Settings,
    store: VectorStore,
    served: VectorStore,
    embeddings: EmbeddingBackend,
    *,
    changed: bool,
    rebuild: bool,
    progress=None,
) -> None:
    """`store` is the generation written (after a rebuild, not yet `served`). Sentences already embedded,
    here or in the served generation, keep their vectors unless everything is rebuilt."""
    ids, docs, metas = store.all_documents()
    current = LexicalIndex.load(lexical_path(store.served_settings))
    if changed or current is None or current.fingerprint != fingerprint(ids):
        texts = [f"{m.get('section', '')}\n{d}" for d, m in zip(docs, metas, strict=True)]
        LexicalIndex.build(ids, texts).save(lexical_path(store.served_settings))
    if settings.sentence_weight == 0:
        return
    found = SentenceIndex.load(sentences_path(store.served_settings))
    if found is not None and found.matches(ids, embeddings.model_id):
        return
    reuse = () if rebuild else (found, SentenceIndex.load(sentences_path(served.served_settings)))
    batch = settings.embedding_batch_size * 2
    # Shown as one more item of the ingest's progress (the CLI's bar, the app's gr.Progress).
    told = (lambda n: progress.file(SENTENCES_LABEL, n), progress.embedded) if progress else None
    SentenceIndex.build(ids, docs, metas, embeddings, reuse, batch, told).save(sentences_path(store.served_settings))
