"""Durable 👍/👎 feedback on answers (SQLite under data_dir), exported as JSONL/CSV for the evaluation harness."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from assistant.core.settings import Settings
from assistant.core.types import Answer, Turn

Rating = Literal["up", "down"]
EXPORT_KEYS = (
    "id",
    "time",
    "rating",
    "comment",
    "question",
    "answer",
    "found",
    "sources",
    "audience",
    "history",
    "settings",
)
_JSON_KEYS = ("sources", "history", "settings")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    found INTEGER NOT NULL,
    sources TEXT NOT NULL,
    audience TEXT NOT NULL DEFAULT '',
    history TEXT NOT NULL DEFAULT '[]',
    settings TEXT NOT NULL
)
"""


def answer_sources(answer: Answer) -> list[dict]:
    """The sources the user saw: the cited ones, or the suggested sections when nothing was found."""
    shown = answer.cited_sources if answer.found else answer.suggestions
    keys = (
        "n",
        "chunk_id",
        "guide_id",
        "guide_title",
        "source",
        "section",
        "page_start",
        "page_end",
        "excerpt",
        "cited",
    )
    return [s.model_dump(include=set(keys)) for s in shown]


class FeedbackStore:
    """One row per rated answer; a changed rating or an added comment updates the same row."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(settings.data_dir / "feedback.sqlite3")

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute(_SCHEMA)
        return conn

    def add(
        self,
        answer: Answer,
        rating: Rating,
        audience: str | None,
        snapshot: dict,
        comment: str = "",
        history: list[Turn] | None = None,
    ) -> int:
        """`snapshot` is what produced the answer (`Assistant.snapshot()`: settings without secrets);
        `history` is the conversation before the question (the evaluation replays follow-ups with it)."""
        with closing(self._connect()) as conn, conn:
            cur = conn.execute(
                "INSERT INTO feedback (time, rating, comment, question, answer, found, sources, audience, history, settings)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    rating,
                    comment.strip(),
                    answer.question,
                    answer.text,
                    int(answer.found),
                    json.dumps(answer_sources(answer), ensure_ascii=False),
                    audience or "",
                    json.dumps([t.model_dump() for t in history or []], ensure_ascii=False),
                    json.dumps(snapshot, ensure_ascii=False),
                ),
            )
            return int(cur.lastrowid or 0)

    def update(self, feedback_id: int, rating: Rating | None = None, comment: str | None = None) -> bool:
        fields, values = [], []
        if rating is not None:
            fields.append("rating = ?")
            values.append(rating)
        if comment is not None:
            fields.append("comment = ?")
            values.append(comment.strip())
        if not fields:
            return False
        with closing(self._connect()) as conn, conn:
            cur = conn.execute(f"UPDATE feedback SET {', '.join(fields)} WHERE id = ?", [*values, feedback_id])
            return cur.rowcount == 1

    def delete(self, feedback_id: int) -> None:
        with closing(self._connect()) as conn, conn:
            conn.execute("DELETE FROM feedback WHERE id = ?", (feedback_id,))

    def rows(self, only_negative: bool = False) -> Iterator[dict]:
        if not self.path.exists():
            return
        query = "SELECT * FROM feedback" + (" WHERE rating = 'down'" if only_negative else "") + " ORDER BY id"
        with closing(self._connect()) as conn:
            for row in conn.execute(query):
                record = dict(row)
                record["found"] = bool(record["found"])
                for key in _JSON_KEYS:
                    record[key] = json.loads(record[key])
                yield {key: record[key] for key in EXPORT_KEYS}

    def export(self, fmt: Literal["jsonl", "csv"] = "jsonl", only_negative: bool = False) -> str:
        rows = list(self.rows(only_negative))
        if fmt == "jsonl":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_KEYS)
        writer.writeheader()
        for r in rows:
            nested = {k: json.dumps(r[k], ensure_ascii=False) for k in _JSON_KEYS}
            writer.writerow(r | nested)
        return out.getvalue()
