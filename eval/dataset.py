"""Evaluation cases: the JSONL format, validated on load with errors that name the file and line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.core.errors import DatasetError
from assistant.core.types import Audience, Turn

SECTION_PREFIX = re.compile(r"^\d{1,2}(?:\.\d{1,2})*$")
TAG = re.compile(r"^[a-z][a-z0-9-]*$")
# Tags the curated dataset uses; others are allowed (a team may add its own) as long as they are slugs.
KNOWN_TAGS = {
    "paraphrase": "παράφραση",
    "unaccented": "χωρίς τόνους",
    "caps": "κεφαλαία",
    "greeklish": "greeklish",
    "typo": "ορθογραφικά λάθη",
    "follow-up": "συνέχεια συνομιλίας",
    "out-of-scope": "εκτός πεδίου",
    "near-domain": "κοντά στο πεδίο",
    "cross-audience": "άλλο κοινό",
    "procedure": "διαδικασία",
    "definition": "ορισμός",
    "table": "πίνακας",
    "checklist": "λίστα ελέγχου",
    "example": "παράδειγμα",
    "feedback": "από σχόλια χρηστών",
}


class Gold(BaseModel):
    """Where the answer lives: a guide and its section number prefixes («6.1», or «6» for a whole chapter);
    `pages` are filled from the current PDFs by eval/build_gold_pages.py."""

    model_config = ConfigDict(extra="forbid")

    guide_id: str = Field(min_length=1)
    sections: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)

    @field_validator("sections")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        bad = [s for s in value if not SECTION_PREFIX.match(s)]
        if bad:
            raise ValueError(f"section prefixes must look like '6' or '6.1', got {bad}")
        return value

    @field_validator("pages")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        if any(p < 1 for p in value):
            raise ValueError("pages are 1-based page numbers")
        return sorted(set(value))

    @model_validator(mode="after")
    def _somewhere(self) -> Gold:
        if not self.sections and not self.pages:
            raise ValueError("gold needs at least one section prefix or page")
        return self


class Case(BaseModel):
    """One evaluation question. `answerable=None` is allowed only for drafts (imported feedback)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    question: str = Field(min_length=2)
    audience: Audience | None = None
    history: list[Turn] = Field(default_factory=list)
    answerable: bool | None
    gold: Gold | None = None
    reference_answer: str = ""
    key_facts: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    draft: bool = False
    notes: str = ""
    origin: dict[str, Any] | None = None  # provenance of drafts (e.g. the feedback line they came from)

    @field_validator("tags")
    @classmethod
    def _slugs(cls, value: list[str]) -> list[str]:
        bad = [t for t in value if not TAG.match(t)]
        if bad:
            raise ValueError(f"tags must be lower-case slugs like 'follow-up', got {bad}")
        return value

    @field_validator("key_facts")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if any(not f.strip() for f in value):
            raise ValueError("key facts must not be empty strings")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if self.draft:
            return self
        if self.answerable is None:
            raise ValueError("answerable must be true or false (only drafts may leave it null)")
        if self.answerable:
            if self.gold is None:
                raise ValueError("an answerable case needs gold {guide_id, sections, pages}")
            if not self.key_facts:
                raise ValueError("an answerable case needs at least one key fact")
            if not self.reference_answer.strip():
                raise ValueError("an answerable case needs a reference_answer")
        elif self.gold is not None:
            raise ValueError("gold must be null when answerable is false")
        if self.history and self.history[-1].role != "assistant":
            raise ValueError("history must end with an assistant turn (the case's question is the next user turn)")
        return self

    @property
    def top_sections(self) -> list[str]:
        """The chapters the gold lies in («6.1» → «6»), for per-section breakdowns."""
        if not self.gold:
            return []
        return list(dict.fromkeys(s.split(".")[0] for s in self.gold.sections))


def _describe(exc: ValidationError) -> str:
    parts = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e["loc"]) or "case"
        parts.append(f"{where}: {e['msg']}")
    return "; ".join(parts)


def parse_line(text: str, path: Path | str, lineno: int) -> Case:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"{path}:{lineno}: not valid JSON ({exc.msg} at column {exc.colno})",
            f"{path}, γραμμή {lineno}: μη έγκυρο JSON ({exc.msg}, στήλη {exc.colno})",
        ) from None
    if not isinstance(data, dict):
        raise DatasetError(
            f"{path}:{lineno}: each line must be a JSON object",
            f"{path}, γραμμή {lineno}: κάθε γραμμή πρέπει να είναι αντικείμενο JSON",
        )
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        case_id = data.get("id", "?")
        raise DatasetError(
            f"{path}:{lineno} (case {case_id}): {_describe(exc)}",
            f"{path}, γραμμή {lineno} (περίπτωση {case_id}): {_describe(exc)}",
        ) from None


def load_dataset(path: Path | str) -> list[Case]:
    """All cases of a JSONL file (blank lines and lines starting with # are skipped); ids must be unique."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"Dataset not found: {path}", f"Δεν βρέθηκε το σύνολο ερωτήσεων: {path}")
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        case = parse_line(line, path, lineno)
        if case.id in seen:
            raise DatasetError(
                f"{path}:{lineno}: duplicate id '{case.id}' (first on line {seen[case.id]})",
                f"{path}, γραμμή {lineno}: διπλό αναγνωριστικό «{case.id}» (πρώτη φορά στη γραμμή {seen[case.id]})",
            )
        seen[case.id] = lineno
        cases.append(case)
    if not cases:
        raise DatasetError(f"Dataset {path} has no cases", f"Το σύνολο ερωτήσεων {path} είναι κενό")
    return cases


def case_line(case: Case) -> str:
    """One JSONL line, Greek kept readable, empty optional fields left out."""
    data = case.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("answerable", case.answerable)
    order = ["id", "question", "audience", "history", "answerable", "gold", "reference_answer", "key_facts", "tags"]
    ordered = {k: data[k] for k in order if k in data} | {k: v for k, v in data.items() if k not in order}
    return json.dumps(ordered, ensure_ascii=False)


def write_dataset(cases: list[Case], path: Path | str) -> None:
    Path(path).write_text("".join(case_line(c) + "\n" for c in cases), encoding="utf-8")
