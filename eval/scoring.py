"""One case scored: what was asked, retrieved and answered, every metric that applies, and the evidence behind
them (matched ranks, cited-section TP/FP/FN, key facts, readability findings) — one record of cases.jsonl."""

from __future__ import annotations

import math
from dataclasses import dataclass

from assistant.core.types import Answer, Source
from eval import metrics as m
from eval.catalogue import FOLLOW_UP_MIN_RECALL, METRICS
from eval.dataset import Case
from eval.evidence import cited_evidence
from eval.readability import check

PASSAGE_CHARS = 1200  # how much of each retrieved passage a case record keeps (chunks are ≤ 1,100 characters)


@dataclass
class ScoringOptions:
    cosine_floor: float = m.COSINE_FLOOR
    support_threshold: float = m.SUPPORT_THRESHOLD


class EmbeddingSimilarity:
    """Rescaled cosine between two texts with the assistant's own embeddings, each text embedded once."""

    def __init__(self, embeddings, floor: float = m.COSINE_FLOOR) -> None:
        self.embeddings = embeddings
        self.floor = floor
        self._vectors: dict[str, list[float]] = {}

    def warm(self, texts: list[str]) -> None:
        todo = [t for t in dict.fromkeys(texts) if t and t not in self._vectors]
        if todo:
            for text, vector in zip(todo, self.embeddings.embed_documents(todo), strict=True):
                norm = math.sqrt(sum(x * x for x in vector)) or 1.0
                self._vectors[text] = [x / norm for x in vector]

    def cosine(self, a: str, b: str) -> float:
        self.warm([a, b])
        return sum(x * y for x, y in zip(self._vectors[a], self._vectors[b], strict=True))

    def __call__(self, a: str, b: str) -> float:
        if not a.strip() or not b.strip():
            return 0.0
        return m.rescale_cosine(self.cosine(a, b), self.floor)


def _retrieved(sources: list[Source]) -> list[m.Retrieved]:
    return [m.Retrieved(s.guide_id, s.section, s.page_start, s.page_end, s.chunk_id) for s in sources]


def _pages(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}–{end}"


def is_follow_up(case: Case) -> bool:
    return bool(case.history) or "follow-up" in case.tags


def follow_up_correct(case: Case, found: bool, key_fact_recall: float | None) -> float | None:
    """Follow-ups only: answerable → answered with key-fact recall ≥ FOLLOW_UP_MIN_RECALL; out of scope → refused."""
    if not is_follow_up(case):
        return None
    if case.answerable:
        return 1.0 if found and (key_fact_recall or 0.0) >= FOLLOW_UP_MIN_RECALL else 0.0
    return 0.0 if found else 1.0


def score_case(
    case: Case,
    answer: Answer,
    k: int,
    similarity: EmbeddingSimilarity | None,
    options: ScoringOptions,
) -> dict:
    """The case record: what was asked, retrieved and answered, and every score."""
    retrieved = _retrieved(answer.retrieved)
    scores: dict[str, float | None] = {name: None for name, info in METRICS.items() if not info.per_case}
    scores["words"] = None
    refused = not answer.found
    scores["refused"] = 1.0 if refused else 0.0
    rel: list[set[str]] = [set() for _ in retrieved]
    g = case.gold if case.answerable else None
    cited = [r for r, s in zip(_retrieved(answer.sources), answer.sources, strict=True) if s.cited]
    evidence = cited_evidence(cited, g.guide_id if g else None, g.sections if g else [], g.pages if g else [])
    if g:
        units = m.gold_units(g.sections, g.pages)
        rel = m.relevance(retrieved, g.guide_id, g.sections, g.pages)
        scores["hit@1"] = m.hit_at_k(rel, 1)
        scores["hit@3"] = m.hit_at_k(rel, 3)
        scores["hit@k"] = m.hit_at_k(rel, k)
        scores["recall@k"] = m.recall_at_k(rel, units, k)
        scores["mrr"] = m.reciprocal_rank(rel)
        scores["ndcg@k"] = m.ndcg_at_k(rel, units, k)
        if g.pages:  # situation-style sets leave pages empty: page_hit@k is then undefined, not 0
            top = [r for r in retrieved[:k] if r.guide_id == g.guide_id]
            scores["page_hit@k"] = 1.0 if any(m.page_overlap(r, g.pages) for r in top) else 0.0
        scores["cited_precision"] = evidence.precision
        scores["cited_recall"] = evidence.recall
        scores["cited_f1"] = evidence.f1
        scores["cited_f2"] = evidence.f2
        scores["key_fact_recall"] = m.key_fact_recall(answer.text, case.key_facts)
        scores["chrf"] = m.chrf(answer.text, case.reference_answer)
        scores["false_refusal_rate"] = scores["refused"]
    elif case.answerable is False:
        scores["refusal_accuracy"] = scores["refused"]
    scores["follow_up_correct"] = follow_up_correct(case, answer.found, scores["key_fact_recall"])
    citation_sentences: list[dict] = []
    readability = None
    if not refused:
        scores["greek_ratio"] = m.greek_ratio(answer.text)
        scores["citation_validity"] = m.citation_validity(len(cited), len(answer.removed_citations))
        claims = m.claims(answer.body)  # the notes after it («Δείτε επίσης», gaps) are pointers, not claims
        passages = {s.n: s.text for s in answer.sources}
        if similarity is not None:
            similarity.warm(m.texts_to_embed(claims, passages))
        cs = m.alce(claims, passages, similarity, options.support_threshold)
        scores["citation_support"], scores["citation_precision"], scores["citation_recall"] = (
            cs.support,
            cs.precision,
            cs.recall,
        )
        citation_sentences = cs.sentences
        readability = check(answer.body)
        scores["words"] = float(check(answer.text).words)  # what the reader reads, notes included
        scores["heading_bullet_share"] = readability.heading_share
        scores["fragment_share"] = readability.fragment_share
        scores["citation_gap_rate"] = None if readability.gap is None else float(readability.gap)
    scores["case_score"] = m.case_score(scores, bool(case.answerable))
    by_chunk = {s.chunk_id: s for s in answer.sources}
    return case_fields(case) | {
        "standalone_question": answer.standalone_question,
        "answer": answer.text,
        "found": answer.found,
        "answerer": answer.answerer,
        "latency_ms": round(answer.latency_ms, 1),
        "retrieved": [
            {
                "rank": i,
                "chunk_id": r.chunk_id,
                "guide_id": r.guide_id,
                "section": r.section,
                "pages": _pages(r.page_start, r.page_end),
                "matched": sorted(rel[i - 1]) if i - 1 < len(rel) else [],
                "cited": bool(by_chunk.get(r.chunk_id) and by_chunk[r.chunk_id].cited),
                "excerpt": by_chunk[r.chunk_id].excerpt if r.chunk_id in by_chunk else "",
                "text": source.text[:PASSAGE_CHARS],
            }
            for i, (r, source) in enumerate(zip(retrieved, answer.retrieved, strict=True), start=1)
        ],
        "citations": {
            "cited": [s.n for s in answer.sources if s.cited],
            "removed": answer.removed_citations,
            "sentences": citation_sentences,
        },
        "evidence": evidence.record(),
        "readability": readability.record() if readability else None,
        "key_facts": [
            {"fact": f, "found": hit}
            for f, hit in zip(case.key_facts, m.key_fact_hits(answer.text, case.key_facts), strict=True)
        ],
        "scores": {name: (round(v, 4) if isinstance(v, float) else v) for name, v in scores.items()},
        "error": None,
    }


def case_fields(case: Case) -> dict:
    """What a case record repeats of the case itself."""
    return {
        "id": case.id,
        "question": case.question,
        "audience": case.audience,
        "history": [t.model_dump() for t in case.history],
        "tags": case.tags,
        "answerable": case.answerable,
        "gold": case.gold.model_dump() if case.gold else None,
        "reference_answer": case.reference_answer,
    }


def error_record(case: Case, exc: Exception) -> dict:
    return case_fields(case) | {
        "answer": "",
        "found": False,
        "latency_ms": None,
        "retrieved": [],
        "citations": {"cited": [], "removed": [], "sentences": []},
        "evidence": {"tp": [], "fp": [], "fn": []},
        "readability": None,
        "key_facts": [],
        "scores": {"case_score": 0.0},
        "error": f"{type(exc).__name__}: {exc}",
    }
