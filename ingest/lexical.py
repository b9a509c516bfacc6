"""The persisted BM25 index over Greek search keys, built at ingest time beside Chroma: bm25s builds and
saves it; a query reads bm25s's saved score matrix with numpy alone (`Scores`), so that answering does not
import bm25s and scipy (a quarter of a second at every start)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from assistant.core.greek_text import TOKENS_VERSION, tokens


def fingerprint(ids: list[str]) -> str:
    """Which chunks, tokenised by which version of `tokens`, a persisted index holds."""
    return hashlib.sha1(f"tokens-v{TOKENS_VERSION}\n".encode() + "\n".join(sorted(ids)).encode()).hexdigest()


class Scores:
    """bm25s's eager index as it saves it (method "lucene"): for each token, the documents it occurs in and
    their BM25 score, as a CSC matrix. `top` is bm25s's own retrieval (`BM25.retrieve` with the numpy
    backends: the same additions in the same order, the same selection), checked against it in
    tests/test_lexical.py."""

    FILES = ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")

    def __init__(self, data, indices, indptr, vocab: dict[str, int], num_docs: int, dtype: str) -> None:
        self.data, self.indices, self.indptr = data, indices, indptr
        self.vocab = vocab
        self.num_docs = num_docs
        self.dtype = np.dtype(dtype)

    @classmethod
    def of(cls, bm25) -> Scores:
        got = bm25.scores
        return cls(got["data"], got["indices"], got["indptr"], bm25.vocab_dict, got["num_docs"], bm25.dtype)

    @classmethod
    def load(cls, folder: Path) -> Scores | None:
        """None for an index saved with parameters whose scoring this class does not reproduce."""
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") != "lucene" or params.get("backend") != "numpy":
            return None
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        arrays = [np.load(folder / name) for name in cls.FILES]
        return cls(*arrays, vocab, int(params["num_docs"]), params["dtype"])

    def top(self, query_tokens: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(document rows, scores), best first, as `bm25s.BM25.retrieve([query_tokens], k)` gives them."""
        ids = np.asarray([self.vocab[t] for t in query_tokens if t in self.vocab], dtype=self.indices.dtype)
        scores = np.zeros(self.num_docs, dtype=self.dtype)
        for start, end in zip(self.indptr[ids], self.indptr[ids + 1], strict=True):
            np.add.at(scores, self.indices[start:end], self.data[start:end])
        picked = np.argpartition(scores, -k).take(indices=range(-k, 0))
        picked_scores = np.take(scores, picked)
        order = np.flip(np.argsort(picked_scores))
        return picked[order], picked_scores[order]


class LexicalIndex:
    def __init__(self, ids: list[str], scores: Scores | None, vocab: set[str], bm25=None) -> None:
        self.ids = ids
        self.scores = scores
        self.vocab = vocab
        self.fingerprint = fingerprint(ids)
        self._bm25 = bm25  # bm25s's own object, when built in this process (what `save` writes)

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> LexicalIndex:
        import bm25s  # ingestion only: queries read the saved index with numpy

        corpus_tokens = [tokens(t) or ["∅"] for t in texts]  # bm25s wants no empty documents
        bm25 = bm25s.BM25()
        if ids:
            bm25.index(corpus_tokens, show_progress=False)
        scores = Scores.of(bm25) if ids else None
        return cls(list(ids), scores, {t for doc in corpus_tokens for t in doc}, bm25)

    def save(self, folder: Path) -> None:
        # Written to a sibling folder then swapped in, so a crash never leaves half an index.
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = folder.with_name(folder.name + ".tmp")
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp)
        tmp.mkdir()
        if self.ids:
            if self._bm25 is None:
                raise ValueError("only an index built in this process can be saved")
            self._bm25.save(str(tmp), show_progress=False)
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
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("fingerprint") != fingerprint(meta["ids"]):
            return None  # built with another version of `tokens`: its keys are not the ones queries make
        scores = None
        if meta["ids"]:
            scores = Scores.load(folder)
            if scores is None:
                return None  # saved in a way we do not read: built again from the collection
        return cls(meta["ids"], scores, set(meta["vocab"]))

    def search(self, query_tokens: list[str], k: int) -> list[tuple[str, float]]:
        known = [t for t in query_tokens if t in self.vocab]
        if not known or not self.ids or self.scores is None:
            return []
        docs, scores = self.scores.top(known, k=min(k, len(self.ids)))
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs, scores, strict=True) if s > 0]
