"""Exported 👎 feedback → draft evaluation cases that an evaluator completes (answerable, gold, key facts).

Reads `kalo feedback export` JSONL (id, time, rating up/down, comment, question, answer, found, sources,
audience, history, settings); only `question` is required, so older or hand-made exports work too."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.errors import DatasetError
from assistant.core.greek_text import fold
from assistant.core.types import AUDIENCE_LABELS
from eval.dataset import Case
from eval.metrics import section_number

_NEGATIVE_WORDS = {
    "down",
    "thumbs_down",
    "thumbsdown",
    "👎",
    "bad",
    "negative",
    "dislike",
    "no",
    "false",
    "όχι",
    "αρνητικό",
}


def is_negative(rating: Any) -> bool:
    """👎 in the shapes an exporter may write it: "down", "👎", -1, 0, false, {"value": "down"}."""
    if isinstance(rating, dict):
        rating = rating.get("value", rating.get("rating"))
    if isinstance(rating, bool):
        return not rating
    if isinstance(rating, int | float):
        return rating <= 0
    if isinstance(rating, str):
        text = rating.strip().casefold()
        try:
            return float(text) <= 0
        except ValueError:
            return text in _NEGATIVE_WORDS
    return False


def _suggested_gold(sources: Any) -> list[dict]:
    """Where the answer pointed (cited sources first): a starting point for the evaluator, not gold."""
    if not isinstance(sources, list):
        return []
    items = [s for s in sources if isinstance(s, dict)]
    cited = [s for s in items if s.get("cited")] or items
    out = []
    for s in cited:
        section = str(s.get("section", ""))
        last = section.split(" > ")[-1]
        out.append(
            {
                "guide_id": s.get("guide_id", ""),
                "section": section,
                "number": section_number(last) or "",
                "pages": [p for p in (s.get("page_start"), s.get("page_end")) if isinstance(p, int)],
            }
        )
    return out


def _history(raw: Any) -> list[dict]:
    if not isinstance(raw, list):
        return []
    turns = [
        {"role": t["role"], "content": str(t["content"])}
        for t in raw
        if isinstance(t, dict) and t.get("role") in {"user", "assistant"} and t.get("content")
    ]
    while turns and turns[-1]["role"] != "assistant":
        turns.pop()  # the last user turn is the question itself
    return turns


def draft_case(item: dict) -> Case:
    question = " ".join(str(item.get("question", "")).split())
    audience = item.get("audience") if item.get("audience") in AUDIENCE_LABELS else None
    stamp = str(item.get("time", ""))
    case_id = "fb-" + hashlib.sha1(f"{question}|{stamp}".encode()).hexdigest()[:10]
    history = _history(item.get("history"))
    return Case.model_validate(
        {
            "id": case_id,
            "question": question,
            "audience": audience,
            "history": history,
            "answerable": None,
            "draft": True,
            "tags": ["feedback"] + (["follow-up"] if history else []),
            "notes": str(item.get("comment") or ""),
            "origin": {
                "kind": "feedback",
                "feedback_id": item.get("id"),
                "time": stamp,
                "rating": item.get("rating"),
                "comment": item.get("comment"),
                "answer": item.get("answer", ""),
                "found": item.get("found"),
                "suggested_gold": _suggested_gold(item.get("sources")),
                "sources": item.get("sources", []),
                "settings": item.get("settings"),
            },
        }
    )


@dataclass
class ImportResult:
    drafts: list[Case] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "line 3: no question", …


def import_feedback(
    path: Path | str, *, include_positive: bool = False, known_questions: set[str] | None = None
) -> ImportResult:
    """Read a feedback export (JSONL); keep 👎 lines (all lines with include_positive), drop questions
    already in the dataset or repeated in the file."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"Feedback file not found: {path}", f"Δεν βρέθηκε το αρχείο σχολίων: {path}")
    seen = {fold(" ".join(q.split())) for q in (known_questions or set())}
    result = ImportResult()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            result.skipped.append(f"line {lineno}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(item, dict) or not str(item.get("question", "")).strip():
            result.skipped.append(f"line {lineno}: no question")
            continue
        if not include_positive and not is_negative(item.get("rating")):
            continue
        key = fold(" ".join(str(item["question"]).split()))
        if key in seen:
            result.skipped.append(f"line {lineno}: question already in the dataset or the file")
            continue
        seen.add(key)
        result.drafts.append(draft_case(item))
    return result
