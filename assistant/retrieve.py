"""Hybrid retrieval as a LangChain retriever: dense (Chroma) + Greek BM25, fused by RRF, then an
optional cross-encoder, audience preference and a per-section cap so the top passages differ."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.core.errors import IndexMissingError
from assistant.core.greek_text import fold, greeklish_to_greek, looks_latin, phonetic, tokens
from assistant.core.settings import Settings
from ingest.embed import EmbeddingBackend
from ingest.lexical import LexicalIndex, fingerprint
from ingest.store import VectorStore


@dataclass
class SearchIndex:
    """Everything a query needs, opened once per process: store, embeddings, BM25, outline.

    Up to `exact_search_max` chunks, passages and vectors are also held in memory and dense search is
    exact (a matrix product): Chroma's approximate HNSW search was seen to miss freshly re-added chunks,
    and at this size exact search is both correct and faster. Larger collections use Chroma's query.
    """

    settings: Settings
    embeddings: EmbeddingBackend
    store: VectorStore
    lexical: LexicalIndex
    # (guide_id, parent section) → its subsections in reading order, each with its first chunk id
    children: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    passages: dict[str, tuple[str, dict]] = field(default_factory=dict)
    matrix: np.ndarray | None = None
    row_ids: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # chunk id → its row in `matrix`
    repair: SpellRepair | None = None
    orthography: Orthography | None = None
    _reranker: Any = field(default=None, repr=False)

    @classmethod
    def open(cls, settings: Settings, embeddings: EmbeddingBackend, store: VectorStore) -> SearchIndex:
        store.check_model(embeddings.model_id)  # also raises IndexMissingError when there is no index
        count = store.count()
        if count == 0:
            raise IndexMissingError(settings.store_location)
        exact = count <= settings.exact_search_max
        include = ["documents", "metadatas", "embeddings"] if exact else ["documents", "metadatas"]
        got = store.collection.get(include=include)
        ids, docs, metas = got["ids"], got["documents"], got["metadatas"]
        path = settings.index_dir / "bm25"
        lexical = LexicalIndex.load(path)
        if lexical is None or lexical.fingerprint != fingerprint(ids):
            # A server-mode reader (or a stale copy) lacks the local BM25 index: build it once from the
            # collection, never per query.
            lexical = LexicalIndex.build(
                ids, [f"{m.get('section', '')}\n{d}" for d, m in zip(docs, metas, strict=True)]
            )
            lexical.save(path)
        index = cls(settings, embeddings, store, lexical, children=_outline(dict(zip(ids, metas, strict=True))))
        if exact:
            index.passages = {i: (d, m) for i, d, m in zip(ids, docs, metas, strict=True)}
            index.matrix = np.asarray(got["embeddings"], dtype=np.float32)
            index.row_ids = list(ids)
            index.rows = {cid: i for i, cid in enumerate(ids)}
        index.repair = SpellRepair(lexical.vocab)
        index.orthography = Orthography(docs)
        return index

    def dense(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine), best first. Vectors are L2-normalised by every backend."""
        if self.matrix is None:
            return [(cid, sim) for cid, sim, _d, _m in self.store.query(vector, k)]
        sims = self.matrix @ np.asarray(vector, dtype=np.float32)
        top = np.argsort(-sims)[:k]
        return [(self.row_ids[i], float(sims[i])) for i in top]

    def cosine(self, vector: list[float], ids: list[str]) -> dict[str, float]:
        if self.matrix is not None:
            q = np.asarray(vector, dtype=np.float32)
            return {cid: float(self.matrix[self.rows[cid]] @ q) for cid in ids if cid in self.rows}
        got = self.store.collection.get(ids=ids, include=["embeddings"])
        q = np.asarray(vector, dtype=np.float32)
        return {
            cid: float(np.asarray(e, dtype=np.float32) @ q)
            for cid, e in zip(got["ids"], got["embeddings"], strict=True)
        }

    def get(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        if self.passages:
            return {cid: self.passages[cid] for cid in ids if cid in self.passages}
        got = self.store.collection.get(ids=ids, include=["documents", "metadatas"])
        return {cid: (d, m) for cid, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}

    @property
    def reranker(self):
        if self._reranker is None and self.settings.reranker_model:
            from sentence_transformers import CrossEncoder

            self._reranker = CrossEncoder(self.settings.reranker_model, device="cpu")
        return self._reranker


_WORDS = re.compile(r"\w+")
_ACCENTED = re.compile(r"[άέήίόύώΐΰΆΈΉΊΌΎΏ]")


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class Orthography:
    """Puts an unaccented or transliterated question back into the guides' own spelling, word by word:
    a word the corpus has gets its accents back («ειναι» → «είναι»), any other word is matched by its
    sound (Greeklish «periochi» → «περιοχι» → «περιοχή», «stin» → «στην»). Dense search needs this: e5
    scores unaccented Greek noticeably lower than the same words written properly."""

    def __init__(self, texts: list[str]) -> None:
        by_form: dict[str, Counter[str]] = defaultdict(Counter)
        by_sound: dict[str, Counter[str]] = defaultdict(Counter)
        for text in texts:
            for word in _WORDS.findall(unicodedata.normalize("NFC", text)):
                by_form[fold(word)][word] += 1
                by_sound[phonetic(word)][word] += 1
        self.by_form = {form: c.most_common(1)[0][0] for form, c in by_form.items()}
        self.by_sound = {sound: c.most_common(1)[0][0] for sound, c in by_sound.items()}

    def word(self, word: str) -> str:
        folded = fold(word)
        spelled = self.by_form.get(folded) or self.by_sound.get(phonetic(folded)) or word
        # The typed case wins over a sentence-initial capital; acronyms (ΚΑΛΟ, ΟΤΑ) stay acronyms.
        return spelled.lower() if word.islower() and not spelled.isupper() else spelled

    def __call__(self, text: str) -> str:
        return _WORDS.sub(lambda m: self.word(m.group(0)), text)


class SpellRepair:
    """Maps an unknown search key to the indexed key one typo away. A symmetric-delete map (as in
    SymSpell): two words one edit apart share a one-deletion form, so repair is a few dictionary
    lookups instead of a scan of the vocabulary."""

    def __init__(self, vocab: set[str]) -> None:
        self.vocab = vocab
        self.near: dict[str, set[str]] = defaultdict(set)
        for word in vocab:
            if len(word) >= 4 and not word.isdigit():
                for form in _deletions(word):
                    self.near[form].add(word)

    def __call__(self, key: str) -> str:
        if key in self.vocab or len(key) < 4 or key.isdigit():
            return key
        candidates = set().union(*(self.near.get(form, set()) for form in _deletions(key)))
        if not candidates:
            return key
        ratio = {c: difflib.SequenceMatcher(None, key, c).ratio() for c in sorted(candidates)}
        best = max(ratio, key=ratio.__getitem__)
        return best if ratio[best] >= 0.75 else key


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
# «Τι τύποι δικτύων υπάρχουν;», «Ποια εργαλεία συνεργασίας έχουμε;»: a question whose answer is a list.
_ENUMERATION = re.compile(r"\b(?:τι|ποια|ποιεσ|ποιοι)\b.*\b(?:τυποι|ειδη|μορφεσ|εργαλεια|κατηγοριεσ|πεδια|κινδυνοι)\b")


def shared_words(keys: set[str], title: str) -> int:
    """How many search keys a heading shares, a stem counting when one is a prefix of the other: the
    stemmer leaves «αξιολογούμε» and «αξιολόγηση» as «αξιολογ» and «αξιολογησ»."""
    title_keys = [t for t in tokens(title) if not t.isdigit()]
    return sum(
        1 for k in keys if any(t.startswith(k) or k.startswith(t) for t in title_keys if min(len(t), len(k)) >= 4)
    )


def is_process_question(text: str) -> bool:
    return bool(_PROCESS.search(fold(text)))


def is_enumeration_question(text: str) -> bool:
    return bool(_ENUMERATION.search(fold(text)))


@dataclass
class PreparedQuery:
    text: str  # what is embedded (Greek script)
    keys: list[str]  # BM25 search keys after spelling repair
    raw_keys: list[str]  # the keys as typed (before repair), for the relevance guard
    transliterated: bool = False


def prepare_query(
    question: str, vocab: set[str], repair: SpellRepair | None = None, orthography: Orthography | None = None
) -> PreparedQuery:
    """Greeklish → Greek when that makes more words known to the index; unknown words are mapped by
    `repair` to the closest indexed key (a typo costs one letter, not the whole word)."""
    text = " ".join(question.split())
    transliterated = False
    if looks_latin(text):
        greek = greeklish_to_greek(text)
        greek = orthography(greek) if orthography else greek
        if sum(k in vocab for k in tokens(greek)) > sum(k in vocab for k in tokens(text)):
            text, transliterated = greek, True
    elif orthography and not _ACCENTED.search(text):
        text = orthography(text)  # typed without accents (or in capitals): restore the guides' spelling
    raw_keys = tokens(text)
    repair = repair or SpellRepair(vocab)
    return PreparedQuery(text, [repair(key) for key in raw_keys], raw_keys, transliterated)


def to_document(chunk_id: str, text: str, meta: dict, **scores: float) -> Document:
    return Document(page_content=text, id=chunk_id, metadata={**meta, "chunk_id": chunk_id, **scores})


class HybridRetriever(BaseRetriever):
    """`invoke(question)` → the top-k passages as `Document`s carrying the ingestion metadata plus scores
    (`dense`: best cosine, `rrf`: fused score). Set `audience` to prefer that audience's guides.
    A procedure or "what kinds of…" question whose answer is a whole section's parts gets those parts
    too (marked `step`), so it may return more than k passages."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: SearchIndex
    audience: str | None = None
    k: int | None = None
    mode: str = "hybrid"  # hybrid | dense | bm25 (the evaluation compares them)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self.search(query)

    def search(self, question: str) -> list[Document]:
        s = self.index.settings
        prepared = prepare_query(question, self.index.lexical.vocab, self.index.repair, self.index.orthography)
        ranked: dict[str, float] = {}
        dense_score: dict[str, float] = {}
        # The query vector is needed in every mode: the relevance guard compares it with the passages.
        vector = self.index.embeddings.embed_query(prepared.text)
        if self.mode in {"hybrid", "dense"}:
            for rank, (cid, sim) in enumerate(self.index.dense(vector, s.candidates)):
                ranked[cid] = ranked.get(cid, 0.0) + 1.0 / (s.rrf_k + rank + 1)
                dense_score[cid] = sim
        if self.mode in {"hybrid", "bm25"}:
            for rank, (cid, _score) in enumerate(self.index.lexical.search(prepared.keys, s.candidates)):
                ranked[cid] = ranked.get(cid, 0.0) + s.lexical_weight / (s.rrf_k + rank + 1)
        if self.mode == "bm25":
            dense_score = self.index.cosine(vector, list(ranked))
        found = self.index.get(list(ranked))
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
        process, listing = is_process_question(prepared.text), is_enumeration_question(prepared.text)
        return self._with_parts(docs, prepared, any_parent=listing) if process or listing else docs

    def _with_parts(self, docs: list[Document], prepared: PreparedQuery, any_parent: bool) -> list[Document]:
        """A "how do I…" question that lands in a step-by-step section gets every step of it, in order,
        so that the answer can walk through them instead of quoting two steps out of sequence; a "what
        kinds of… are there" question that lands in a section made of its kinds gets every kind."""
        keys = set(prepared.keys)

        def asks_whole(parts: list[str], depth: int) -> bool:
            # «Πώς ξεκινά μια συνεργασία;» asks for the whole procedure; «Πώς βρίσκω φορείς;» lands in one
            # step (6.2) and wants that step, so only expand when the question is closer to the parent.
            if depth == len(parts):
                return True
            to_parent, to_leaf = shared_words(keys, parts[depth - 1]), shared_words(keys, parts[-1])
            return to_parent > to_leaf or (to_leaf == 0 and to_parent > 0)

        for i, doc in enumerate(docs[:3]):
            guide, section = str(doc.metadata.get("guide_id")), str(doc.metadata.get("section"))
            parts = section.split(" > ")
            for depth in range(len(parts), 0, -1):
                parent = " > ".join(parts[:depth])
                steps = self.index.children.get((guide, parent), [])
                fits = any_parent or _STEP_PARENT.search(fold(parts[depth - 1]))
                if len(steps) >= 3 and fits and asks_whole(parts, depth):
                    ids = [cid for _, cid in steps[:10]]
                    by_id = self.index.get(ids)
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
                    tail = rest[: max(0, (self.k or self.index.settings.top_k) - 2 - len(before))]
                    # …and a guide the parts leave out keeps its best passage (audience never hides a guide).
                    shown = {str(d.metadata.get("guide_id")) for d in before + step_docs + tail}
                    for d in rest[len(tail) :]:
                        if str(d.metadata.get("guide_id")) not in shown:
                            tail.append(d)
                            shown.add(str(d.metadata.get("guide_id")))
                    return before + step_docs + tail
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
