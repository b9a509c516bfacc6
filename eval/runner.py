"""Runs: every case through the same `Assistant.ask` the app uses, scored, written to a run folder
(cases.jsonl, summary.json, report.html)."""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.core.errors import ConfigError, IndexMissingError, KaloError, ModelMismatchError
from assistant.core.types import Answer, Source
from assistant.service import Assistant
from eval import metrics as m
from eval.dataset import Case

MODES = ("hybrid", "dense", "bm25")
PASSAGE_CHARS = 700  # how much of each retrieved passage a case record keeps (the report shows it)


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


def score_case(
    case: Case,
    answer: Answer,
    k: int,
    similarity: EmbeddingSimilarity | None,
    options: ScoringOptions,
) -> dict:
    """The case record: what was asked, retrieved and answered, and every score."""
    retrieved = _retrieved(answer.retrieved)
    scores: dict[str, float | None] = {name: None for name in m.METRICS if not name.startswith("latency")}
    refused = not answer.found
    scores["refused"] = 1.0 if refused else 0.0
    rel: list[set[str]] = [set() for _ in retrieved]
    if case.answerable and case.gold:
        g = case.gold
        units = m.gold_units(g.sections, g.pages)
        rel = m.relevance(retrieved, g.guide_id, g.sections, g.pages)
        scores["hit@1"] = m.hit_at_k(rel, 1)
        scores["hit@3"] = m.hit_at_k(rel, 3)
        scores["hit@k"] = m.hit_at_k(rel, k)
        scores["recall@k"] = m.recall_at_k(rel, units, k)
        scores["mrr"] = m.reciprocal_rank(rel)
        scores["ndcg@k"] = m.ndcg_at_k(rel, units, k)
        if g.pages:
            top = [r for r in retrieved[:k] if r.guide_id == g.guide_id]
            scores["page_hit@k"] = 1.0 if any(m.page_overlap(r, g.pages) for r in top) else 0.0
        scores["key_fact_recall"] = m.key_fact_recall(answer.text, case.key_facts)
        scores["chrf"] = m.chrf(answer.text, case.reference_answer)
        scores["false_refusal_rate"] = scores["refused"]
    elif case.answerable is False:
        scores["refusal_accuracy"] = scores["refused"]
    citation_sentences: list[dict] = []
    if not refused:
        scores["greek_ratio"] = m.greek_ratio(answer.text)
        cited = [s for s in answer.sources if s.cited]
        scores["citation_validity"] = m.citation_validity(len(cited), len(answer.removed_citations))
        claims = m.claims(answer.text)
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
    scores["case_score"] = m.case_score(scores, bool(case.answerable))
    by_chunk = {s.chunk_id: s for s in answer.sources}
    return _case_fields(case) | {
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
        "key_facts": [
            {"fact": f, "found": hit}
            for f, hit in zip(case.key_facts, m.key_fact_hits(answer.text, case.key_facts), strict=True)
        ],
        "scores": {name: (round(v, 4) if isinstance(v, float) else v) for name, v in scores.items()},
        "error": None,
    }


def _case_fields(case: Case) -> dict:
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
    return _case_fields(case) | {
        "answer": "",
        "found": False,
        "latency_ms": None,
        "retrieved": [],
        "citations": {"cited": [], "removed": [], "sentences": []},
        "key_facts": [],
        "scores": {"case_score": 0.0},
        "error": f"{type(exc).__name__}: {exc}",
    }


# --- aggregation ----------------------------------------------------------------------------------------


def aggregate(records: list[dict]) -> dict[str, float | int | None]:
    """Means of the per-case scores over the cases where each is defined, plus latency percentiles."""
    ok = [r for r in records if not r.get("error")]
    out: dict[str, float | int | None] = {}
    for name in m.METRICS:
        if name.startswith("latency"):
            continue
        out[name] = m.mean(r["scores"].get(name) for r in ok)
    latencies = [r["latency_ms"] for r in ok if r.get("latency_ms") is not None]
    out["latency_p50_ms"] = m.percentile(latencies, 50)
    out["latency_p95_ms"] = m.percentile(latencies, 95)
    out["n_cases"] = len(records)
    out["n_answerable"] = sum(1 for r in records if r["answerable"])
    out["n_unanswerable"] = sum(1 for r in records if r["answerable"] is False)
    out["n_errors"] = len(records) - len(ok)
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def _groups(records: list[dict], key: Callable[[dict], list[str]]) -> dict[str, dict]:
    buckets: dict[str, list[dict]] = {}
    for r in records:
        for name in key(r):
            buckets.setdefault(name, []).append(r)
    return {name: aggregate(rs) for name, rs in sorted(buckets.items(), key=lambda kv: _natural(kv[0]))}


def _natural(key: str) -> list:
    """«g §10» after «g §9»: digits compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key)]


def section_keys(record: dict) -> list[str]:
    gold = record.get("gold")
    if not gold:
        return []
    return [f"{gold['guide_id']} §{s}" for s in dict.fromkeys(s.split(".")[0] for s in gold["sections"])]


def summarize(records: list[dict], meta: dict) -> dict:
    return {
        "run": meta,
        "metrics": aggregate(records),
        "by_audience": _groups(records, lambda r: [r["audience"] or "none"]),
        "by_guide": _groups(records, lambda r: [r["gold"]["guide_id"] if r["gold"] else "unanswerable"]),
        "by_tag": _groups(records, lambda r: r["tags"] or ["untagged"]),
        "by_section": _groups(records, section_keys),
        "llm_judge": None,
        "errors": [{"id": r["id"], "error": r["error"]} for r in records if r.get("error")],
    }


# --- runs -----------------------------------------------------------------------------------------------


def with_mode(assistant: Assistant, mode: str | None) -> Assistant:
    """The same assistant (embeddings, store, answerer shared) with another retrieval mode."""
    if not mode or mode == assistant.settings.retrieval_mode:
        return assistant
    settings = assistant.settings.model_copy(update={"retrieval_mode": mode})
    return Assistant(settings, embeddings=assistant.embeddings, store=assistant.store, answerer=assistant.answerer)


def settings_snapshot(assistant: Assistant) -> dict:
    data = assistant.settings.model_dump(mode="json")  # secrets dump as "**********"
    data["embedding_model_id"] = getattr(assistant.embeddings, "model_id", "")
    return data


def file_sha256(path: Path | None) -> str:
    if path is None or not Path(path).is_file():
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def default_run_dir(root: Path, label: str) -> Path:
    return root / "eval-runs" / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{label}"


def evaluate(
    assistant: Assistant,
    cases: list[Case],
    *,
    on_case: Callable[[Case, dict], None] | None = None,
    options: ScoringOptions | None = None,
    judge=None,
) -> list[dict]:
    """Ask every case (follow-ups with their history) and score it. Errors that would fail every case
    (no index, wrong model, bad configuration) stop the run; others are recorded on the case."""
    options = options or ScoringOptions()
    similarity = EmbeddingSimilarity(assistant.embeddings, options.cosine_floor)
    k = assistant.settings.top_k
    records = []
    for case in cases:
        try:
            answer = assistant.ask(case.question, case.audience, case.history)
        except (IndexMissingError, ModelMismatchError, ConfigError):
            raise
        except KaloError as exc:
            record = error_record(case, exc)
        else:
            record = score_case(case, answer, k, similarity, options)
            if judge is not None and answer.found:
                record["llm_judge"] = judge.score(case.question, answer, similarity)
        records.append(record)
        if on_case is not None:
            on_case(case, record)
    return records


def write_run(out_dir: Path, records: list[dict], summary: dict, html: bool = True) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "cases.jsonl").open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    if html:
        from eval.report import write_report

        write_report(out_dir / "report.html", summary, records)
    return out_dir


def run(
    assistant: Assistant,
    cases: list[Case],
    out_dir: Path,
    *,
    mode: str | None = None,
    dataset: Path | None = None,
    on_case: Callable[[Case, dict], None] | None = None,
    options: ScoringOptions | None = None,
    judge=None,
    limit: int | None = None,
) -> dict:
    """One evaluation run written to `out_dir`; returns the summary. Drafts are skipped (and counted);
    `limit` keeps the first N of the others."""
    options = options or ScoringOptions()
    active = with_mode(assistant, mode)
    drafts = [c for c in cases if c.draft]
    cases = [c for c in cases if not c.draft][:limit]
    started = time.perf_counter()
    records = evaluate(active, cases, on_case=on_case, options=options, judge=judge)
    meta = {
        "id": out_dir.name,
        "created": datetime.now().isoformat(timespec="seconds"),
        "dataset": str(dataset) if dataset else "",
        "dataset_sha256": file_sha256(dataset),
        "skipped_drafts": len(drafts),
        "retrieval_mode": active.settings.retrieval_mode,
        "k": active.settings.top_k,
        "answerer": active.answerer.name,
        "seconds": round(time.perf_counter() - started, 1),
        "scoring": {"cosine_floor": options.cosine_floor, "support_threshold": options.support_threshold},
        "settings": settings_snapshot(active),
    }
    summary = summarize(records, meta)
    if judge is not None:
        from eval.judge import aggregate_judge

        summary["llm_judge"] = aggregate_judge(records, judge)
    write_run(out_dir, records, summary)
    return summary


def run_modes(
    assistant: Assistant,
    cases: list[Case],
    out_dir: Path,
    *,
    modes: tuple[str, ...] = MODES,
    dataset: Path | None = None,
    on_case: Callable[[str, Case, dict], None] | None = None,
    options: ScoringOptions | None = None,
    limit: int | None = None,
    judge=None,
) -> dict[str, dict]:
    """The same cases under each retrieval mode, one sub-folder per mode, plus a combined table
    (modes.json, modes.md, index.html) measured in this one invocation."""
    summaries: dict[str, dict] = {}
    for mode in modes:
        callback = (lambda c, r, _mode=mode: on_case(_mode, c, r)) if on_case else None
        summaries[mode] = run(
            assistant,
            cases,
            out_dir / mode,
            mode=mode,
            dataset=dataset,
            on_case=callback,
            options=options,
            limit=limit,
            judge=judge,
        )
    from eval.report import modes_markdown, write_modes_index

    table = {mode: s["metrics"] for mode, s in summaries.items()}
    (out_dir / "modes.json").write_text(json.dumps(table, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "modes.md").write_text(modes_markdown(table), encoding="utf-8")
    write_modes_index(out_dir / "index.html", summaries)
    return summaries
