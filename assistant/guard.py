"""The "answer from nothing" guard: do the retrieved passages cover the question at all?

Two checks. Relevance: the best dense cosine plus a share of the question's words found in the best
passages (e5 cosines are compressed, so unrelated Greek text still scores ~0.8 and needs the lexical
term). Answer type: a question that asks for a figure, an article number or a phone number is only
answerable from passages that contain one.
"""

from __future__ import annotations

import re

from langchain_core.documents import Document

from assistant.core.greek_text import fold
from assistant.core.settings import Settings

# Folded question patterns (no accents, σ for ς) → what the passages must then contain.
_ASKS_FIGURE = re.compile(r"(?<!καθε )\bποσ(?:ο|α|εσ|οι|ων|η)\b|\bποσοστ\w*|\bελαχιστ\w* (?:κεφαλαι|ποσ)|\bκατωτατ\w*")
_ASKS_ARTICLE = re.compile(r"\bαρθρ\w*")
_ASKS_PHONE = re.compile(r"\bτηλεφων\w*")
_HAS_FIGURE = re.compile(r"(?<![\d/.])\d+(?:[.,]\d+)?\s*(?:%|€|ευρω|ατομ|εργαζομεν|ετ|μην|ημερ|χιλ|εκατ|φορ)")
_HAS_ARTICLE = re.compile(r"\bαρθρ\w*\s+\d+")
_HAS_PHONE = re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b")

_CHECKS = ((_ASKS_FIGURE, _HAS_FIGURE), (_ASKS_ARTICLE, _HAS_ARTICLE), (_ASKS_PHONE, _HAS_PHONE))


def relevance(docs: list[Document], settings: Settings) -> float:
    if not docs:
        return 0.0
    coverage = max(float(d.metadata.get("coverage", 0.0)) for d in docs[:3])
    return float(docs[0].metadata.get("top_dense", 0.0)) + settings.coverage_weight * coverage


def missing_fact(question: str, docs: list[Document]) -> bool:
    """True when the question asks for a kind of fact (figure, article, phone) that no passage holds."""
    asked = fold(question)
    text = fold("\n".join(d.page_content for d in docs))
    return any(asks.search(asked) and not has.search(text) for asks, has in _CHECKS)


def is_answerable(question: str, docs: list[Document], settings: Settings) -> bool:
    return relevance(docs, settings) >= settings.min_relevance and not missing_fact(question, docs)
