"""Passages indexed once: the same text in two files (a guide as DOCX and as PDF) is stored for the first
file only, and reported for the second, so an answer can never cite one passage twice.

Passages are compared by `text_key` (folded words only), which every chunk carries in its metadata.
"""

from __future__ import annotations

from collections import defaultdict

from assistant.core.documents import Chunk, text_key


class Passages:
    """Which file holds each passage of the index."""

    def __init__(self, metadata: dict[str, dict]) -> None:
        self.holder: dict[str, str] = {}
        for meta in metadata.values():
            key, source = str(meta.get("text_key", "")), str(meta.get("source", ""))
            if key and source:
                self.holder.setdefault(key, source)

    def split(self, chunks: list[Chunk], source: str) -> tuple[list[Chunk], dict[str, int]]:
        """The chunks of `source` not already held by another file, and how many each other file holds."""
        kept: list[Chunk] = []
        elsewhere: dict[str, int] = defaultdict(int)
        for chunk in chunks:
            holder = self.holder.get(text_key(chunk.text))
            if holder and holder != source:
                elsewhere[holder] += 1
            else:
                kept.append(chunk)
        return kept, dict(elsewhere)

    def forget(self, source: str) -> None:
        self.holder = {k: s for k, s in self.holder.items() if s != source}

    def add(self, chunks: list[Chunk], source: str) -> None:
        for chunk in chunks:
            self.holder.setdefault(text_key(chunk.text), source)
