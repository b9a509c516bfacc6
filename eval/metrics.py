"""Offline metrics as plain functions: retrieval ranking, citations, key facts, chrF, Greek ratio, refusals.

Every formula is written out in eval/README.md; the functions here take plain values so tests can feed
hand-made inputs with known answers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from assistant.core.greek_text import tokens

# The catalogue and the text rules live in their own modules; re-exported here, where callers look for them.
from eval.catalogue import METRICS, MetricInfo, case_score, mean, median, percentile  # noqa: F401
from eval.text import CITATION, answer_sentences, best_excerpt, overlap, plain

# multilingual-e5 puts almost any two Greek sentences above ~0.8 cosine (unrelated pairs measure 0.80–0.86,
# paraphrases 0.91–0.97), so raw cosine would call everything "supported". Cosines are rescaled from this
# floor to 1 before they are compared with lexical overlap. Another embedding model may need another floor.
COSINE_FLOOR = 0.80
SUPPORT_THRESHOLD = 0.5  # a sentence counts as supported by passages when support >= this

_LEADING_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)\.?(?:\s|$)")
# «1. **6.1 Χαρτογράφηση αναγκών** — …»: list marks and the section labels an answer puts before a point.
_LEAD = re.compile(r"^\s*(?:[-•*·]|\d{1,2}[.)])\s+|^\s*\*\*[^*\n]{1,160}\*\*\s*[—–-]\s*")
_GREEK_LETTER = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")


# --- retrieval ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retrieved:
    """A retrieved passage as the metrics see it (the order of a list of these is the ranking)."""

    guide_id: str
    section: str  # "6. Βήμα προς βήμα… > 6.1 Χαρτογράφηση αναγκών"
    page_start: int = 0
    page_end: int = 0
    chunk_id: str = ""


def section_number(part: str) -> str | None:
    """«6.1 Χαρτογράφηση αναγκών» → «6.1»; «6. Βήμα προς βήμα» → «6»; «Αρχή του οδηγού» → None."""
    m = _LEADING_NUMBER.match(part)
    return m.group(1) if m else None


def _prefix_of(prefix: str, number: str) -> bool:
    # «6» covers «6» and «6.1» but not «16» or «61».
    return number == prefix or number.startswith(prefix + ".")


def matching_sections(section_path: str, prefixes: Iterable[str]) -> set[str]:
    """The gold prefixes a section path matches: its last part first, then any part (a chapter-level
    gold «6» matches «6. … > 6.1 …»)."""
    parts = [p.strip() for p in section_path.split(" > ") if p.strip()]
    numbers = [n for n in (section_number(p) for p in parts) if n]
    if not numbers:
        return set()
    last = section_number(parts[-1]) if parts else None
    hits = {p for p in prefixes if last and _prefix_of(p, last)}
    return hits | {p for p in prefixes for n in numbers if _prefix_of(p, n)}


def gold_units(sections: Sequence[str], pages: Sequence[int]) -> list[str]:
    """What recall counts: the gold sections, or one «pages» unit when a case has only pages."""
    return list(dict.fromkeys(sections)) if sections else (["pages"] if pages else [])


def relevance(
    retrieved: Sequence[Retrieved], guide_id: str, sections: Sequence[str], pages: Sequence[int] = ()
) -> list[set[str]]:
    """For each retrieved passage, the gold units it matches. Sections are preferred; pages are used
    only when the gold has no sections (page numbers move when the PDFs are re-rendered)."""
    out: list[set[str]] = []
    for r in retrieved:
        if r.guide_id != guide_id:
            out.append(set())
        elif sections:
            out.append(matching_sections(r.section, sections))
        else:
            out.append({"pages"} if page_overlap(r, pages) else set())
    return out


def page_overlap(r: Retrieved, pages: Iterable[int]) -> bool:
    return any(r.page_start <= p <= max(r.page_end, r.page_start) for p in pages)


def hit_at_k(rel: Sequence[set[str]], k: int) -> float:
    return 1.0 if any(rel[:k]) else 0.0


def recall_at_k(rel: Sequence[set[str]], units: Sequence[str], k: int) -> float:
    if not units:
        return 0.0
    covered = set().union(*rel[:k]) if rel[:k] else set()
    return len(covered & set(units)) / len(set(units))


def reciprocal_rank(rel: Sequence[set[str]]) -> float:
    return next((1.0 / i for i, r in enumerate(rel, start=1) if r), 0.0)


def ndcg_at_k(rel: Sequence[set[str]], units: Sequence[str], k: int) -> float:
    """Section-level nDCG: a passage gains 1 when it brings a gold unit not seen higher up (a second
    passage of the same section adds nothing), so the ideal ranking puts one passage per gold unit first."""
    if not units:
        return 0.0
    seen: set[str] = set()
    dcg = 0.0
    for i, r in enumerate(rel[:k], start=1):
        new = r - seen
        if new:
            dcg += 1.0 / math.log2(i + 1)
            seen |= new
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, len(set(units))) + 1))
    return dcg / ideal if ideal else 0.0


# --- answer text ----------------------------------------------------------------------------------------


def greek_ratio(text: str) -> float | None:
    """Share of letters that are Greek (None when the text has no letters)."""
    letters = [c for c in plain(text) if c.isalpha()]
    if not letters:
        return None
    return sum(1 for c in letters if _GREEK_LETTER.match(c)) / len(letters)


def key_fact_hits(answer: str, facts: Sequence[str]) -> list[bool]:
    """A fact is present when all its search keys (folded, stop-words out, stemmed) occur in the answer."""
    keys = set(tokens(plain(answer)))
    return [bool(set(tokens(f))) and set(tokens(f)) <= keys for f in facts]


def key_fact_recall(answer: str, facts: Sequence[str]) -> float | None:
    hits = key_fact_hits(answer, facts)
    return sum(hits) / len(hits) if hits else None


def _char_ngrams(text: str, n: int) -> Counter[str]:
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def chrf(hypothesis: str, reference: str, max_n: int = 6, beta: float = 2.0) -> float:
    """chrF (Popović 2015, as sacreBLEU computes it): character n-grams of orders 1..max_n, whitespace
    removed; for each order the F-beta of n-gram precision and recall; the mean over orders that occur in
    both texts; scaled to 0..100."""
    hyp = re.sub(r"\s+", "", plain(hypothesis))
    ref = re.sub(r"\s+", "", plain(reference))
    factor = beta**2
    total, orders = 0.0, 0
    for n in range(1, max_n + 1):
        h, r = _char_ngrams(hyp, n), _char_ngrams(ref, n)
        if not h or not r:
            continue
        orders += 1
        match = sum((h & r).values())
        precision, recall = match / sum(h.values()), match / sum(r.values())
        if precision + recall > 0:
            total += (1 + factor) * precision * recall / (factor * precision + recall)
    return 100.0 * total / orders if orders else 0.0


# --- citations ------------------------------------------------------------------------------------------


@dataclass
class Claim:
    sentence: str  # without its citation marks
    cited: list[int] = field(default_factory=list)


def claims(answer: str) -> list[Claim]:
    """The answer's statements: sentences with citations, and uncited sentences of 4+ search keys that do
    not end with ':' (headings and list intros are framing, as in assistant.cite.verify)."""
    out = []
    for sentence in answer_sentences(answer):
        nums = list(dict.fromkeys(int(x) for m in CITATION.finditer(sentence) for x in m.group(1).split(",")))
        bare = CITATION.sub("", sentence)
        while (stripped := _LEAD.sub("", bare, count=1)) != bare:
            bare = stripped
        bare = plain(bare).strip(" -–•*")
        if not nums and (len(tokens(bare)) < 4 or bare.endswith(":")):
            continue
        out.append(Claim(bare, nums))
    return out


def citation_validity(valid_cited: int, removed: int) -> float | None:
    """Share of the distinct citation numbers in the raw answer that named a retrieved passage."""
    total = valid_cited + removed
    return valid_cited / total if total else None


Similarity = Callable[[str, str], float]


def rescale_cosine(cos: float, floor: float = COSINE_FLOOR) -> float:
    return min(1.0, max(0.0, (cos - floor) / (1.0 - floor)))


def support(sentence: str, passages: Sequence[str], similarity: Similarity | None = None) -> float:
    """How well passages back a sentence (0..1): the larger of the lexical overlap (share of the
    sentence's search keys found in the passages together) and, when an embedding similarity is given,
    its best rescaled cosine with the supporting excerpt of any one passage."""
    if not passages:
        return 0.0
    lexical = overlap(sentence, "\n".join(passages))
    if similarity is None or lexical >= 1.0:
        return lexical  # nothing to add: the embedding side can only matter below full overlap
    semantic = max(similarity(sentence, best_excerpt(sentence, p) or p) for p in passages)
    return max(lexical, semantic)


def texts_to_embed(answer_claims: Sequence[Claim], passages: dict[int, str]) -> list[str]:
    """The sentences and excerpts `alce` may compare by embedding (lexical overlap below 1), so a caller
    can embed them in one batch."""
    out: list[str] = []
    for c in answer_claims:
        cited = [passages[n] for n in c.cited if n in passages]
        if cited and overlap(c.sentence, "\n".join(cited)) < 1.0:
            out.append(c.sentence)
            out.extend(best_excerpt(c.sentence, p) or p for p in cited)
    return out


@dataclass
class CitationScores:
    support: float | None  # mean support of cited sentences by their own citations
    precision: float | None  # ALCE citation precision
    recall: float | None  # ALCE citation recall
    sentences: list[dict]  # per claim: sentence, cited, support, supported


def alce(
    answer_claims: Sequence[Claim],
    passages: dict[int, str],
    similarity: Similarity | None = None,
    threshold: float = SUPPORT_THRESHOLD,
) -> CitationScores:
    """ALCE-style citation recall and precision (Gao et al. 2023) with `support >= threshold` in place of
    NLI entailment.

    Recall: a statement counts when all its citations together support it (uncited statements count 0).
    Precision: a citation counts unless the statement is unsupported by all its citations together, or the
    citation alone does not support it while the others without it do (it was not needed)."""
    cache: dict[tuple[str, tuple[int, ...]], float] = {}

    def sup(sentence: str, nums: Sequence[int]) -> float:
        key = (sentence, tuple(sorted(nums)))
        if key not in cache:
            cache[key] = support(sentence, [passages[n] for n in nums if n in passages], similarity)
        return cache[key]

    if not answer_claims:
        return CitationScores(None, None, None, [])
    recalled, precise, total_citations = 0, 0, 0
    per_sentence, supports = [], []
    for c in answer_claims:
        nums = [n for n in c.cited if n in passages]
        joint = sup(c.sentence, nums) if nums else 0.0
        supported = joint >= threshold
        recalled += supported
        if nums:
            supports.append(joint)
        for n in nums:
            total_citations += 1
            if not supported:
                continue
            if len(nums) == 1 or sup(c.sentence, [n]) >= threshold:
                precise += 1
            elif sup(c.sentence, [m for m in nums if m != n]) < threshold:
                precise += 1  # needed: the others alone would not do
        per_sentence.append({"sentence": c.sentence, "cited": nums, "support": round(joint, 4), "supported": supported})
    return CitationScores(
        support=sum(supports) / len(supports) if supports else None,
        precision=precise / total_citations if total_citations else None,
        recall=recalled / len(answer_claims),
        sentences=per_sentence,
    )
