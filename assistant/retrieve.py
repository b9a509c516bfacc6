"""Hybrid retrieval: dense (exact in memory, or Chroma) + Greek BM25, fused by RRF, then an optional
cross-encoder, audience preference and a per-section cap. Returns a typed `Retrieval`; the LangChain
`BaseRetriever` face over it (`Document`s) is `assistant.lc_adapters.HybridRetriever`, kept out of this
module so that answering a question never imports LangChain's runnables and tracers."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant import neighbours, query, snapshot
from assistant.core.documents import asks_about_document, speaks_of_itself
from assistant.core.errors import IndexMissingError
from assistant.core.greek_text import fold, remember_stems, tokens
from assistant.core.robust import median_and_spread
from assistant.core.settings import Settings
from assistant.core.types import Passage, PreparedQuery, Retrieval
from assistant.headings import covers, defines, leaf_title, list_parts, names, shared_words, stem_in
from assistant.query import Orthography, SpellRepair, asks_what, instances, orthography_maps, prepare_query
from assistant.question import Form, clauses, form_keys, forms, verb_keys
from ingest import sidecars
from ingest.embed import EmbeddingBackend
from ingest.lexical import LexicalIndex, fingerprint
from ingest.sentences import SentenceIndex
from ingest.store import VectorStore

log = logging.getLogger(__name__)
Key = tuple[str, str]  # (guide id, section path)
_ARTICLE = re.compile(r"\b(?:αρθρ\w*|article)\s+(\d{1,3})\b")
_ABOUT_KINDS = {Form.DEFINITION, Form.LIST, Form.DIFFERENCE}  # what a kind is, its kinds, how two differ


@dataclass
class SearchIndex:
    """Everything a query needs, opened once per process: store, embeddings, BM25, the documents' outline
    and the corpus statistics (document frequency of every search key) the gate and composer use.

    Up to `exact_search_max` chunks, passages and vectors are also held in memory and dense search is exact
    (a matrix product): Chroma's approximate HNSW search was seen to miss freshly re-added chunks, and at
    this size exact search is both correct and faster. Larger collections use Chroma's query."""

    settings: Settings
    embeddings: EmbeddingBackend
    store: VectorStore
    lexical: LexicalIndex
    sections: dict[Key, list[str]] = field(default_factory=dict)  # section → its chunk ids, in order
    children: dict[Key, list[tuple[str, str]]] = field(default_factory=dict)  # parent → (child, first id)
    reading: dict[str, list[str]] = field(default_factory=dict)  # guide → its sections in reading order
    articles: dict[str, list[str]] = field(default_factory=dict)  # «άρθρο 11» → its chunk ids (legal texts)
    covers: set[str] = field(default_factory=set)  # chunk ids of the documents' covers (headings.covers): never passages
    doc_freq: Counter[str] = field(default_factory=Counter)
    n_docs: int = 0
    passages: dict[str, tuple[str, dict]] = field(default_factory=dict)
    matrix: np.ndarray | None = None
    row_ids: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # chunk id → its row in `matrix`
    repair: SpellRepair | None = None
    orthography: Orthography | None = None
    sentences: SentenceIndex | None = None  # a vector per sentence (ingest/sentences.py); None: off
    sentence_rows: np.ndarray | None = None  # sentence → its chunk's row in `matrix` (exact search)
    _reranker: Any = field(default=None, repr=False)

    @classmethod
    def open(cls, settings: Settings, embeddings: EmbeddingBackend, store: VectorStore) -> SearchIndex:
        """From the persisted snapshot when it matches the collection (an embedded store is checked without
        opening Chroma, a server with two small requests), else from Chroma, saving one for the next process."""
        served = store.served_settings  # the served generation's collection and folder (ingest/generations.py)
        snap = snapshot.load(served, embeddings.model_id, exact_max=settings.exact_search_max, store=store)
        if snap is None:
            snap = cls._from_store(served, embeddings, store)
        ids, docs, metas = snap.ids, snap.docs, snap.metas
        remember_stems(snap.stems)
        path = sidecars.lexical_path(served)
        lexical = LexicalIndex.load(path)
        if lexical is None or lexical.fingerprint != fingerprint(ids):
            # A server-mode reader (or a stale copy) lacks the local BM25 index: build it once from the
            # collection, never per query.
            lexical = LexicalIndex.build(ids, snap.texts)
            try:
                lexical.save(path)
            except OSError as exc:  # a read-only copy of the index: kept in memory, built again next time
                log.warning("BM25 index not saved beside a read-only index (run `kalo ingest` to write it): %s", exc)
        index = cls(settings, embeddings, store, lexical)
        index._outline(dict(zip(ids, metas, strict=True)))
        index.covers = covers(index.sections, dict(zip(ids, docs, strict=True)))
        index.doc_freq = snap.doc_freq
        index.n_docs = len(ids)
        if snap.matrix is not None:
            index.passages = {i: (d, m) for i, d, m in zip(ids, docs, metas, strict=True)}
            index.matrix = snap.matrix
            index.row_ids = list(ids)
            index.rows = {cid: i for i, cid in enumerate(ids)}
        if settings.sentence_weight > 0:
            index._open_sentences(served, snap)
        index.repair = SpellRepair(lexical.vocab)
        index.orthography = Orthography([])
        index.orthography.by_form, index.orthography.by_sound = snap.by_form, snap.by_sound
        index.orthography.long_forms = snap.long_forms
        return index

    @staticmethod
    def _from_store(settings: Settings, embeddings: EmbeddingBackend, store: VectorStore) -> snapshot.Snapshot:
        store.check_model(embeddings.model_id)  # also raises IndexMissingError when there is no index
        count = store.count()
        if count == 0:
            raise IndexMissingError(settings.store_location)
        exact = count <= settings.exact_search_max
        # No shortcut on matching ids: a guide's title or audience can change its chunks' metadata alone.
        stamp = snapshot.store_stamp(settings, store)  # before reading, so that a write meanwhile is not missed
        if exact:
            ids, docs, metas, vectors = store.all_vectors()
        else:
            (ids, docs, metas), vectors = store.all_documents(), None
        snap = snapshot.build(ids, docs, metas, vectors, embeddings.model_id, orthography_maps)
        snapshot.save(settings, snap, stamp)
        return snap

    def _open_sentences(self, served: Settings, snap: snapshot.Snapshot) -> None:
        found = SentenceIndex.ensure(sidecars.sentences_path(served), snap.ids, snap.docs, snap.metas, self.embeddings)
        self.sentences = found
        if self.matrix is not None:
            self.sentence_rows = np.asarray([self.rows[cid] for cid in found.chunk_ids], dtype=np.int64)

    def _outline(self, metas: dict[str, dict]) -> None:
        by_section: dict[Key, list[tuple[int, str]]] = defaultdict(list)
        for cid, m in metas.items():
            by_section[(str(m.get("guide_id")), str(m.get("section")))].append((int(m.get("chunk_index", 0)), cid))
            if m.get("article"):
                self.articles.setdefault(fold(str(m["article"])), []).append(cid)
        ordered = sorted(by_section.items(), key=lambda kv: (kv[0][0], min(kv[1])[0]))
        kids: dict[Key, list[tuple[str, str]]] = defaultdict(list)
        for (guide, section), chunks in ordered:
            chunks.sort()
            self.sections[(guide, section)] = [cid for _, cid in chunks]
            self.reading.setdefault(guide, []).append(section)
            if " > " in section:
                kids[(guide, section.rsplit(" > ", 1)[0])].append((section, chunks[0][1]))
        self.children = dict(kids)

    def idf(self, key: str) -> float:
        """BM25's inverse document frequency; a key the corpus never saw gets the largest value."""
        df = self.doc_freq.get(key, 0)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def next_section(self, guide: str, section: str) -> str | None:
        order = self.reading.get(guide, [])
        i = order.index(section) if section in order else -1
        return order[i + 1] if 0 <= i < len(order) - 1 else None

    def dense(self, vector: list[float], k: int) -> tuple[list[tuple[str, float]], np.ndarray]:
        """(chunk id, cosine) best first, and the cosines the distribution is judged on (all chunks when
        search is exact, else the candidates). Vectors are L2-normalised by every backend."""
        if self.matrix is None:
            hits = [(cid, sim) for cid, sim, _d, _m in self.store.query(vector, k)]
            return hits, np.asarray([s for _, s in hits], dtype=np.float32)
        sims = self.matrix @ np.asarray(vector, dtype=np.float32)
        top = np.argsort(-sims)[:k]
        return [(self.row_ids[i], float(sims[i])) for i in top], sims

    def ranked(self, vector: list[float], k: int) -> tuple[list[tuple[str, float]], np.ndarray]:
        """`dense` ordered by each chunk's cosine mixed with its best sentence's; hits keep the chunk's (the gate's)."""
        hits, sims = self.dense(vector, k)
        weight, found = self.settings.sentence_weight, self.sentences
        if found is None or weight == 0 or not found.chunk_ids:
            return hits, sims
        if self.matrix is not None and self.sentence_rows is not None:
            top = np.argsort(-found.closest(vector, self.sentence_rows, sims, weight))[:k]
            return [(self.row_ids[i], float(sims[i])) for i in top], sims
        # Search through Chroma: the chunks of the closest sentences join its candidates.
        closest, own = found.closest_chunks(vector, 4 * k), dict(hits)
        own |= self.cosine(vector, [c for c in closest if c not in own])
        mixed = {c: weight * closest.get(c, own[c]) + (1 - weight) * own[c] for c in own}
        return [(c, own[c]) for c in sorted(mixed, key=lambda c: -mixed[c])[:k]], sims

    def cosine(self, vector: list[float], ids: list[str]) -> dict[str, float]:
        if not ids:
            return {}  # Chroma refuses a `get` of no ids
        q = np.asarray(vector, dtype=np.float32)
        if self.matrix is not None:
            return {cid: float(self.matrix[self.rows[cid]] @ q) for cid in ids if cid in self.rows}
        return {cid: float(np.asarray(e, dtype=np.float32) @ q) for cid, e in self.store.vectors(ids).items()}

    def get(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        if self.passages:
            return {cid: self.passages[cid] for cid in ids if cid in self.passages}
        return self.store.records(ids)

    @property
    def reranker(self):
        if self._reranker is None and self.settings.reranker_model:
            from sentence_transformers import CrossEncoder

            self._reranker = CrossEncoder(self.settings.reranker_model, device="cpu")
        return self._reranker


@dataclass
class HybridSearch:
    """`retrieve(question)` → the typed `Retrieval`: the top-k passages with the query-level evidence the
    gate needs. A question that asks for a whole list or procedure (`whole=True`) also gets every part of
    the section it lands in, in the guide's order."""

    index: SearchIndex
    audience: str | None = None
    k: int | None = None
    mode: str = "hybrid"  # hybrid | dense | bm25 (the evaluation compares them)

    def retrieve(self, question: str, *, whole: bool = False, k: int | None = None, context: str = "") -> Retrieval:
        """`context` (a follow-up's previous question) is searched with the question at `context_weight`, and
        the terms it quotes alone at `quote_weight` (`query.quoted_terms`: among a story's words, what is
        asked). The question's own search counts fully; the gate reads the last (combined) one."""
        s = self.index.settings
        k = k or self.k or s.top_k
        ranked: dict[str, float] = {}
        dense_score: dict[str, float] = {}
        terms = query.quoted_terms(question, self.index.lexical.vocab)
        quoted = [(" ".join(terms), s.quote_weight, False)] if terms else []
        searches = [*quoted, (question, 1.0, True)] + ([(f"{context} {question}", s.context_weight, True)] if context else [])
        # «Τι είναι η ΚΑΛΟ;» asks what the abbreviation's long form means: both are searched.
        defines = self.index.orthography is not None and asks_what(question)
        own_language = None
        for text, weight, read_by_gate in searches:
            prepared = prepare_query(text, self.index.lexical.vocab, self.index.repair, self.index.orthography)
            # A follow-up in another language is read as one with its context: «Who should that contact
            # person be?» after an English question is not Greeklish because the two together transliterate.
            own_language = prepared.cross_lingual if own_language is None and read_by_gate else own_language
            if own_language and not prepared.cross_lingual:
                raw = tokens(text)
                prepared = PreparedQuery(" ".join(text.split()), raw, raw, False, True)
            if defines and (longer := self.index.orthography.with_long_forms(prepared.text, defines)) != prepared.text:
                prepared = prepare_query(longer, self.index.lexical.vocab, self.index.repair, self.index.orthography)
            # The query vector is needed in every mode: the gate compares it with the corpus.
            vector = self.index.embeddings.embed_query(prepared.text)
            hits, distribution = self.index.ranked(vector, s.candidates)
            if self.mode in {"hybrid", "dense"}:
                for rank, (cid, _sim) in enumerate(hits):
                    ranked[cid] = ranked.get(cid, 0.0) + weight / (s.rrf_k + rank + 1)
            if read_by_gate:
                dense_score.update(hits)  # the last (combined) search's similarities, as the gate reads them
            # In another language only the words the corpus itself uses are searched («mission drift»).
            keys = [k for k in prepared.keys if k in self.index.lexical.vocab] if prepared.cross_lingual else prepared.keys
            if self.mode in {"hybrid", "bm25"} and keys:
                for rank, (cid, _score) in enumerate(self.index.lexical.search(keys, s.candidates)):
                    ranked[cid] = ranked.get(cid, 0.0) + weight * s.lexical_weight / (s.rrf_k + rank + 1)
        # «Τι προβλέπει το άρθρο 11;»: a question that names an article of a legal text gets that article.
        for article in _ARTICLE.findall(fold(question)):
            for cid in self.index.articles.get(f"αρθρο {article}", []):
                ranked[cid] = ranked.get(cid, 0.0) + s.article_boost
        missing = [cid for cid in ranked if cid not in dense_score]
        dense_score.update(self.index.cosine(vector, missing))
        ranked = {cid: v for cid, v in ranked.items() if cid not in self.index.covers}
        found = self.index.get(list(ranked))
        for cid in self._defining_instances(question, found):
            ranked[cid] *= s.instance_factor
        order, keep = self._prefer_audience(ranked, found, k)
        if self.index.reranker is not None and order:
            pool = order[: s.candidates]
            scores = self.index.reranker.predict([(prepared.text, found[c][0]) for c in pool])
            order = [c for _, c in sorted(zip(scores, pool, strict=True), key=lambda t: -t[0])]
        passages = [
            Passage.from_record(cid, *found[cid], dense=dense_score.get(cid, 0.0), fused=ranked[cid])
            for cid in self._diverse(order, found, k, keep)
        ]
        if whole:
            passages = self._with_parts(passages, prepared, k, vector)
        passages = neighbours.with_context(self.index, passages)
        return self._evidence(prepared, passages, vector, distribution)

    def _defining_instances(self, question: str, found: dict) -> list[str]:
        """The chunks of sections that define a kind the question tells a story about one of."""
        if self.index.orthography is None or forms(question)[0] in _ABOUT_KINDS:
            return []
        long = self.index.orthography.long_forms
        told = [(a, long[a]) for a in instances(question, long)]
        return [c for c, (_, m) in found.items() if any(defines(str(m.get("section", "")), *t) for t in told)]

    def _prefer_audience(self, ranked: dict[str, float], found: dict, k: int) -> tuple[list[str], list[str]]:
        """Audience is a preference, not a filter: another guide that made the top-k on relevance alone
        keeps its best passage, however strongly the preferred guide is boosted."""
        s = self.index.settings
        preferred = set(s.audience_guides.get(self.audience or "", []))
        kept: list[str] = []
        if preferred:
            keep: dict[str, str] = {}
            for cid in sorted(ranked, key=lambda c: -ranked[c])[:k]:
                guide = str(found[cid][1].get("guide_id"))
                if guide not in preferred:
                    keep.setdefault(guide, cid)
            kept = list(keep.values())
            for cid in ranked:
                if found.get(cid, ("", {}))[1].get("guide_id") in preferred:
                    ranked[cid] *= 1.0 + s.audience_boost
        return sorted((cid for cid in ranked if cid in found), key=lambda c: -ranked[c]), kept

    def _diverse(self, order: list[str], found: dict, k: int, keep: list[str]) -> list[str]:
        """At most `per_section_cap` passages per section, so the top-k are not near-duplicates; the kept
        passages of another audience's guide take the last places when that guide would be missing."""
        per_section: Counter[Key] = Counter()
        out: list[str] = []
        for cid in order:
            meta = found[cid][1]
            key = (str(meta.get("guide_id")), str(meta.get("section")))
            if per_section[key] >= self.index.settings.per_section_cap:
                continue
            per_section[key] += 1
            out.append(cid)
            if len(out) == k:
                break
        shown = {str(found[c][1].get("guide_id")) for c in out}
        missing = [c for c in keep if str(found[c][1].get("guide_id")) not in shown][: k - 1]
        return out[: k - len(missing)] + missing if missing else out

    def _with_parts(self, passages: list[Passage], prepared: PreparedQuery, k: int, vector: list[float]) -> list[Passage]:
        """A question asking for a whole procedure or list that lands in a section made of ordered parts
        (a parent with three or more subsections) gets every part, in order, inserted where it landed.
        The structure decides, not the headings' wording: the question must share more words with the
        parent's title than with any one part's («how do I find partners?» keeps its one step), and the
        title must carry half of what it is about (IDF mass), or it asks about something narrower."""
        keys = set(prepared.keys)
        asks = [(set(tokens(c)), form_keys(c)) for c in clauses(prepared.text)]
        form = form_keys(prepared.text)
        asked = forms(prepared.text)[0]
        # What the question is about: not its form words, nor its verbs («να στήσουμε»: what the user does).
        verbs = verb_keys(prepared.text)
        mass = {k: self.index.idf(k) for k in keys if k not in form and k not in verbs}

        def about_parent(parent: str, guide: str) -> bool:  # «πώς κρατάμε ζωντανή μια συνεργασία;» is not «Βήματα συνεργασιών»
            # The guide's own title says what every section is about: its words («φορέα ΚΑΛΟ») narrow nothing.
            title, subject = set(tokens(leaf_title(parent))), set(tokens(guide))
            about = {k: w for k, w in mass.items() if not stem_in(k, subject)}
            inside = sum(w for k, w in about.items() if stem_in(k, title))
            return inside >= sum(about.values()) - inside

        def closer_to_parent(parent: str, kids: list[tuple[str, str]], first: bool, on_parent: bool, guide: str) -> bool:
            to_parent = shared_words(keys, leaf_title(parent))
            closer = to_parent > 0 and to_parent > max(shared_words(keys, leaf_title(kid)) for kid, _ in kids)
            if closer and about_parent(parent, guide):
                return True
            # Landing on a chapter titled in the question's own form («Κίνδυνοι…» for «ποιοι κίνδυνοι…;»): it is the list asked for.
            if first and on_parent and asked in forms(leaf_title(parent)):
                return True
            # «Τι τύποι δικτύων υπάρχουν;» under «Τύποι δικτύων» shares as many words with the part «Άτυπα και
            # τυπικά δίκτυα»: an ask that names the parent's title and at most one word besides (its verb)
            # asks for the parent whole, unless it names one part's title as fully.
            # A title read as a question («Τύποι δικτύων» as «τι τύποι δικτύων») has form words as a question
            # does: «Τι είδη δικτύων υπάρχουν;» names it by «δικτύων», its subject.
            words = re.sub(r"^[\d.]+\s*", "", leaf_title(parent))  # «5. Τύποι δικτύων» → «Τύποι δικτύων»
            title = set(tokens(words)) - form_keys(f"τι {words}")
            return first and any(
                bool(title)
                and all(stem_in(t, ask) for t in title if not t.isdigit())
                and len([k for k in ask - form if not stem_in(k, title)]) <= 1
                and not any(names(ask, kid) for kid, _ in kids)
                for ask, form in asks
            )

        # A section on the guide itself («Σκοπός του Οδηγού») is not where a question about the subject lands.
        about_guide = asks_about_document(prepared.text)
        subject = [p for p in passages if about_guide or not speaks_of_itself(p.leaf, p.text)]
        for i, p in enumerate(subject[:3]):
            parts = p.section.split(" > ")
            for depth in range(len(parts), 0, -1):
                parent = " > ".join(parts[:depth])
                # A part titled as a question discusses the parts, one that names them sums them up: not items.
                kids = list_parts(self.index.children.get((p.guide_id, parent), []), self.index.get)
                if len(kids) < 3 or not closer_to_parent(parent, kids, i == 0, p.section == parent, p.guide_title):
                    continue
                ids = [cid for _, cid in kids[: self.index.settings.max_list_items]]
                by_id = self.index.get(ids)
                scores = self.index.cosine(vector, ids)
                kid_passages = [
                    Passage.from_record(cid, *by_id[cid], dense=scores.get(cid, p.dense), part=True)
                    for cid in ids
                    if cid in by_id
                ]
                taken, at = set(ids), passages.index(p)
                before = [q for q in passages[:at] if q.chunk_id not in taken]
                rest = [q for q in passages[at:] if q.chunk_id not in taken]
                return before + kid_passages + rest[: max(1, k - 2 - len(before))]
        return passages

    def _evidence(
        self, prepared: PreparedQuery, passages: list[Passage], vector: list[float], sims: np.ndarray
    ) -> Retrieval:
        median, spread = median_and_spread(sims)
        keys = list(dict.fromkeys(prepared.keys))
        return Retrieval(
            query=prepared, passages=passages, vector=vector, top_dense=float(sims.max()) if sims.size else 0.0,
            median_dense=median, spread_dense=spread,
            idf={key: self.index.idf(key) for key in keys},
            unknown=[key for key in keys if key not in self.index.lexical.vocab and not key.isdigit()],
            typed_unknown=[key for key in prepared.raw_keys if key not in self.index.lexical.vocab],
        )
