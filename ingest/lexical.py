"""The persisted BM25 index (bm25s) over Greek search keys, built at ingest time beside Chroma."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from assistant.core.greek_text import TOKENS_VERSION, tokens


def fingerprint(ids: list[str]) -> str:
    """Which chunks, tokenised by which version of `tokens`, a persisted index holds."""
    return hashlib.sha1(f"tokens-v{TOKENS_VERSION}\n".encode() + "\n".join(sorted(ids)).encode()).hexdigest()


class LexicalIndex:
    def __init__(self, ids: list[str], retriever, vocab: set[str]) -> None:
        self.ids = ids
        self.retriever = retriever
        self.vocab = vocab
        self.fingerprint = fingerprint(ids)

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> LexicalIndex:
        import bm25s

        corpus_tokens = [tokens(t) or ["∅"] for t in texts]  # bm25s wants no empty documents
        retriever = bm25s.BM25()
        if ids:
            retriever.index(corpus_tokens, show_progress=False)
        return cls(list(ids), retriever, {t for doc in corpus_tokens for t in doc})

    def save(self, folder: Path) -> None:
        # Written to a sibling folder then swapped in, so a crash never leaves half an index.
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = folder.with_name(folder.name + ".tmp")
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp)
        tmp.mkdir()
        if self.ids:
            self.retriever.save(str(tmp), show_progress=False)
        (tmp / "ids.json").write_text(
            json.dumps({"ids": self.ids, "vocab": sorted(self.vocab), "fingerprint": self.fingerprint}),
            encoding="utf-8",
        )
        old = folder.with_name(folder.name + ".old")
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        if old.exists():
            import shutil

            shutil.rmtree(old)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        meta_path = folder / "ids.json"
        if not meta_path.exists():
            return None
        import bm25s

        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        retriever = bm25s.BM25.load(str(folder)) if meta["ids"] else bm25s.BM25()
        return cls(meta["ids"], retriever, set(meta["vocab"]))

    def search(self, query_tokens: list[str], k: int) -> list[tuple[str, float]]:
        known = [t for t in query_tokens if t in self.vocab]
        if not known or not self.ids:
            return []
        docs, scores = self.retriever.retrieve([known], k=min(k, len(self.ids)), show_progress=False)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
