"""Hybrid retrieval as a LangChain retriever: dense (Chroma) + Greek BM25, fused by RRF, then an
optional cross-encoder, audience preference and a per-section cap so the top passages differ."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.config import Settings
from assistant.errors import IndexMissingError
from assistant.greek_text import fold, greeklish_to_greek, looks_latin, tokens
from ingest.embed import EmbeddingBackend
from ingest.lexical import LexicalIndex, fingerprint
from ingest.store import VectorStore


@dataclass
class SearchIndex:
    """Everything a query needs, opened once per process: store, embeddings, BM25."""

    settings: Settings
    embeddings: EmbeddingBackend
    store: VectorStore
    lexical: LexicalIndex
    # (guide_id, parent section) → its subsections in reading order, each with its first chunk id
    children: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    _reranker: Any = field(default=None, repr=False)

    @classmethod
    def open(cls, settings: Settings, embeddings: EmbeddingBackend, store: VectorStore) -> SearchIndex:
        store.check_model(embeddings.model_id)  # also raises IndexMissingError when there is no index
        path = settings.index_dir / "bm25"
        lexical = LexicalIndex.load(path)
        if lexical is None or store.count() != len(lexical.ids):
            # A server-mode reader (or an old copy) may lack the local BM25 index: build it once from
            # the collection, never per query.
            ids, docs, metas = store.all_documents()
            if lexical is None or lexical.fingerprint != fingerprint(ids):
                texts = [f"{m.get('section', '')}\n{d}" for d, m in zip(docs, metas, strict=True)]
                lexical = LexicalIndex.build(ids, texts)
                lexical.save(path)
        if store.count() == 0:
            raise IndexMissingError(settings.store_location)
        return cls(settings, embeddings, store, lexical, children=_outline(store.all_metadata()))

    @property
    def reranker(self):
        if self._reranker is None and self.settings.reranker_model:
            from sentence_transformers import CrossEncoder

            self._reranker = CrossEncoder(self.settings.reranker_model, device="cpu")
        return self._reranker


def _outline(metas: dict[str, dict]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for cid, m in metas.items():
        key = (str(m.get("guide_id")), str(m.get("section")))
        pos = int(m.get("chunk_index", 0))
        if key not in first or pos < first[key][0]:
            first[key] = (pos, cid)
    children: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
    for (guide, section), (pos, cid) in first.items():
        if " > " in section:
            children[(guide, section.rsplit(" > ", 1)[0])].append((pos, section, cid))
    return {k: [(sec, cid) for _, sec, cid in sorted(v)] for k, v in children.items()}


_PROCESS = re.compile(r"\b(?:πωσ|βημα\w*|διαδικασ\w*|ξεκιν\w*|σταδι\w*|τι πρεπει)\b")
_STEP_PARENT = re.compile(r"\b(?:βημα\w*|σταδι\w*|διαδικασ\w*)\b")


def is_process_question(text: str) -> bool:
    return bool(_PROCESS.search(fold(text)))


@dataclass
class PreparedQuery:
    text: str  # what is embedded (Greek script)
    keys: list[str]  # BM25 search keys after spelling repair
    raw_keys: list[str]  # the keys as typed (before repair), for the relevance guard
    transliterated: bool = False


def prepare_query(question: str, vocab: set[str]) -> PreparedQuery:
    """Greeklish → Greek when that makes more words known to the index; unknown words are mapped to the
    closest indexed key (a typo costs one letter, not the whole word)."""
    text = " ".join(question.split())
    transliterated = False
    if looks_latin(text):
        greek = greeklish_to_greek(text)
        if sum(k in vocab for k in tokens(greek)) > sum(k in vocab for k in tokens(text)):
            text, transliterated = greek, True
    keys: list[str] = []
    raw_keys = tokens(text)
    for key in raw_keys:
        if key not in vocab and len(key) >= 4 and not key.isdigit():
            close = difflib.get_close_matches(key, [v for v in vocab if abs(len(v) - len(key)) <= 2], n=1, cutoff=0.8)
            key = close[0] if close else key
        keys.append(key)
    return PreparedQuery(text, keys, raw_keys, transliterated)


def to_document(chunk_id: str, text: str, meta: dict, **scores: float) -> Document:
    return Document(page_content=text, id=chunk_id, metadata={**meta, "chunk_id": chunk_id, **scores})


class HybridRetriever(BaseRetriever):
    """`invoke(question)` → the top passages as `Document`s carrying the ingestion metadata plus scores
    (`dense`: best cosine, `rrf`: fused score). Set `audience` to prefer that audience's guides."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: SearchIndex
    audience: str | None = None
    k: int | None = None
    mode: str = "hybrid"  # hybrid | dense | bm25 (the evaluation compares them)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self.search(query)

    def search(self, question: str) -> list[Document]:
        s = self.index.settings
        prepared = prepare_query(question, self.index.lexical.vocab)
        ranked: dict[str, float] = {}
        found: dict[str, tuple[str, dict]] = {}
        dense_score: dict[str, float] = {}
        if self.mode in {"hybrid", "dense"}:
            vector = self.index.embeddings.embed_query(prepared.text)
            for rank, (cid, sim, doc, meta) in enumerate(self.index.store.query(vector, s.candidates)):
                ranked[cid] = ranked.get(cid, 0.0) + 1.0 / (s.rrf_k + rank + 1)
                found[cid] = (doc, meta)
                dense_score[cid] = sim
        if self.mode in {"hybrid", "bm25"}:
            for rank, (cid, _score) in enumerate(self.index.lexical.search(prepared.keys, s.candidates)):
                ranked[cid] = ranked.get(cid, 0.0) + 1.0 / (s.rrf_k + rank + 1)
            missing = [cid for cid in ranked if cid not in found]
            if missing:
                got = self.index.store.collection.get(ids=missing, include=["documents", "metadatas"])
                for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                    found[cid] = (doc, meta)
        preferred = set(s.audience_guides.get(self.audience or "", []))
        # Audience is a preference, not a filter: another guide that made the top-k on relevance alone
        # keeps its best passage in the results, however strongly the preferred guide is boosted.
        keep: dict[str, str] = {}
        if preferred:
            for cid in sorted(ranked, key=lambda c: -ranked[c])[: self.k or s.top_k]:
                guide = str(found[cid][1].get("guide_id"))
                if guide not in preferred:
                    keep.setdefault(guide, cid)
        for cid in ranked:
            if found[cid][1].get("guide_id") in preferred:
                ranked[cid] *= 1.0 + s.audience_boost
        order = sorted((cid for cid in ranked if cid in found), key=lambda c: -ranked[c])
        if self.index.reranker is not None and order:
            pool = order[: s.candidates]
            scores = self.index.reranker.predict([(prepared.text, found[c][0]) for c in pool])
            order = [c for _, c in sorted(zip(scores, pool, strict=True), key=lambda t: -t[0])]
        docs = self._diverse(order, found, ranked, dense_score, prepared, list(keep.values()))
        return self._with_steps(docs, prepared) if is_process_question(prepared.text) else docs

    def _with_steps(self, docs: list[Document], prepared: PreparedQuery) -> list[Document]:
        """A "how do I…" question that lands in a step-by-step section gets every step of it, in order,
        so that the answer can walk through them instead of quoting two steps out of sequence."""
        for i, doc in enumerate(docs[:3]):
            guide, section = str(doc.metadata.get("guide_id")), str(doc.metadata.get("section"))
            parts = section.split(" > ")
            for depth in range(len(parts), 0, -1):
                parent = " > ".join(parts[:depth])
                steps = self.index.children.get((guide, parent), [])
                if len(steps) >= 3 and _STEP_PARENT.search(fold(parts[depth - 1])):
                    ids = [cid for _, cid in steps[:8]]
                    got = self.index.store.collection.get(ids=ids, include=["documents", "metadatas"])
                    by_id = {i: (d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}
                    query_meta = {k: docs[0].metadata[k] for k in ("query", "top_dense") if k in docs[0].metadata}
                    step_docs = [
                        to_document(cid, by_id[cid][0], by_id[cid][1], step=True, **query_meta)
                        for cid in ids
                        if cid in by_id
                    ]
                    for d in step_docs:
                        d.metadata["coverage"] = doc.metadata.get("coverage", 0.0)
                    # Passages that ranked above the step section keep their place: the steps are inserted
                    # where the question landed in them, not on top of a better answer from elsewhere.
                    before = [d for d in docs[:i] if d.id not in set(ids)]
                    rest = [d for d in docs[i:] if d.id not in set(ids)]
                    return before + step_docs + rest[: max(0, (self.k or self.index.settings.top_k) - 2 - len(before))]
        return docs

    def _diverse(self, order, found, ranked, dense_score, prepared: PreparedQuery, keep=()) -> list[Document]:
        """At most `per_section_cap` passages per section, so the top-k are not near-duplicates; the `keep`
        passages take the last places when their guide would otherwise be missing."""
        s = self.index.settings
        k = self.k or s.top_k
        per_section: dict[tuple[str, str], int] = {}
        docs: list[Document] = []
        for cid in order:
            doc, meta = found[cid]
            key = (str(meta.get("guide_id")), str(meta.get("section")))
            if per_section.get(key, 0) >= s.per_section_cap:
                continue
            per_section[key] = per_section.get(key, 0) + 1
            docs.append(to_document(cid, doc, meta, rrf=ranked[cid], dense=dense_score.get(cid, 0.0)))
            if len(docs) == k:
                break
        shown = {str(d.metadata.get("guide_id")) for d in docs}
        missing = [cid for cid in keep if str(found[cid][1].get("guide_id")) not in shown][: k - 1]
        if missing:
            kept = [to_document(c, *found[c], rrf=ranked[c], dense=dense_score.get(c, 0.0)) for c in missing]
            docs = docs[: k - len(kept)] + kept
        top_dense = max(dense_score.values(), default=0.0)
        raw = set(prepared.raw_keys)
        for d in docs:
            # Query-level evidence for the "nothing relevant" guard, carried on every passage: the best
            # cosine, and how many of the words as typed this passage contains.
            found_keys = raw & set(tokens(f"{d.metadata.get('section', '')} {d.page_content}"))
            d.metadata.update(
                query=prepared.text, top_dense=top_dense, coverage=len(found_keys) / len(raw) if raw else 0.0
            )
        return docs
