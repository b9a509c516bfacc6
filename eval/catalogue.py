"""The metric catalogue: every summary metric with its Greek label, direction, unit and how its per-case values
combine (mean, median or a percentile); plus the per-case score and the small statistics helpers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MetricInfo:
    label: str  # Greek, for reports
    lower_is_better: bool = False
    percent: bool = True  # shown as 0–100 %; otherwise as a plain number
    statistic: str = "mean"  # how per-case values combine: mean | median | p95
    per_case: str = ""  # the per-case field when it is not scores[name] ("latency_ms" for latency)
    group: str = "answer"  # retrieval | evidence | answer | citations | readability | latency


# The summary's metrics, in report order. "k" is the retriever's top_k (recorded in the summary).
METRICS: dict[str, MetricInfo] = {
    "hit@1": MetricInfo("Εύστοχη 1η θέση (hit@1)", group="retrieval"),
    "hit@3": MetricInfo("Εύστοχο στις 3 πρώτες (hit@3)", group="retrieval"),
    "hit@k": MetricInfo("Εύστοχο στα k (hit@k)", group="retrieval"),
    "recall@k": MetricInfo("Ανάκληση ενοτήτων (recall@k)", group="retrieval"),
    "mrr": MetricInfo("Μέση αντίστροφη θέση (MRR)", group="retrieval"),
    "ndcg@k": MetricInfo("nDCG@k", group="retrieval"),
    "page_hit@k": MetricInfo("Σωστή σελίδα στα k", group="retrieval"),
    "cited_precision": MetricInfo("Παραπομπές σε σωστή ενότητα (ακρίβεια)", group="evidence"),
    "cited_recall": MetricInfo("Χρυσές ενότητες που παραπέμπονται (ανάκληση)", group="evidence"),
    "cited_f1": MetricInfo("F1 παραπεμπόμενων ενοτήτων", group="evidence"),
    "cited_f2": MetricInfo("F2 παραπεμπόμενων ενοτήτων", group="evidence"),
    "citation_validity": MetricInfo("Έγκυρες παραπομπές", group="citations"),
    "citation_support": MetricInfo("Στήριξη παραπομπών", group="citations"),
    "citation_precision": MetricInfo("Ακρίβεια παραπομπών (ALCE)", group="citations"),
    "citation_recall": MetricInfo("Ανάκληση παραπομπών (ALCE)", group="citations"),
    "key_fact_recall": MetricInfo("Βασικά στοιχεία που αναφέρθηκαν"),
    "chrf": MetricInfo("Ομοιότητα με την απάντηση αναφοράς (chrF)", percent=False),
    "greek_ratio": MetricInfo("Ελληνικό κείμενο"),
    "refusal_accuracy": MetricInfo("Σωστή άρνηση (εκτός πεδίου)"),
    "false_refusal_rate": MetricInfo("Λανθασμένη άρνηση", lower_is_better=True),
    "follow_up_correct": MetricInfo("Σωστή συνέχεια συνομιλίας"),
    "case_score": MetricInfo("Συνολική βαθμολογία περίπτωσης"),
    "heading_bullet_share": MetricInfo("Κουκκίδες που αρχίζουν με επικεφαλίδα", True, group="readability"),
    "fragment_share": MetricInfo("Ημιτελείς προτάσεις", True, group="readability"),
    "citation_gap_rate": MetricInfo("Κενά στην αρίθμηση παραπομπών", True, group="readability"),
    "words_median": MetricInfo(
        "Λέξεις ανά απάντηση (διάμεσος)", percent=False, statistic="median", per_case="words", group="readability"
    ),
    "latency_p50_ms": MetricInfo(
        "Χρόνος απόκρισης p50 (ms)", True, False, statistic="median", per_case="latency_ms", group="latency"
    ),
    "latency_p95_ms": MetricInfo(
        "Χρόνος απόκρισης p95 (ms)", True, False, statistic="p95", per_case="latency_ms", group="latency"
    ),
}

FOLLOW_UP_MIN_RECALL = 0.5  # a follow-up counts as correct when answered with at least half its key facts


def case_values(records: Iterable[dict], name: str) -> list[float]:
    """The per-case values behind a summary metric (cases where it is undefined or that failed left out)."""
    key = METRICS[name].per_case
    out = []
    for r in records:
        if r.get("error"):
            continue
        value = r.get(key) if key == "latency_ms" else r.get("scores", {}).get(key or name)
        if value is not None:
            out.append(float(value))
    return out


def statistic(name: str, values: Sequence[float]) -> float | None:
    """The summary value of a metric from its per-case values."""
    kind = METRICS[name].statistic
    if kind == "median":
        return median(values)
    if kind == "p95":
        return percentile(values, 95)
    return mean(values)


def case_score(scores: dict[str, float | None], answerable: bool) -> float:
    """One number per case, for «worst cases» and run-to-run comparison: a refusal on an out-of-scope
    question is 1, an answer there 0; otherwise the mean of nDCG@k, key-fact recall, chrF/100 and ALCE
    citation recall (0 for a refusal), over those that are defined."""
    if not answerable:
        return 1.0 if scores.get("refused") else 0.0
    chrf_score = scores.get("chrf")
    parts = [
        scores.get("ndcg@k"),
        scores.get("key_fact_recall"),
        chrf_score / 100.0 if chrf_score is not None else None,
        0.0 if scores.get("refused") else scores.get("citation_recall"),
    ]
    return mean(parts) or 0.0


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), as numpy's default."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
