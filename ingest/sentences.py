"""Sentence vectors beside the index (multi-vector retrieval): every sentence of every chunk, embedded with
its section's title, so that dense search can also rank a chunk by its closest sentence.

Why: a chunk of ~1,100 characters holds several points, and its one vector is their average; a question
about one of them («κανένας νέος φορέας δεν μπαίνει») is closer to the sentence that makes it than to the
chunk. The title goes with each sentence because a sentence alone often lacks its topic («Αξίζει να
γίνει νωρίς.»). Built at ingest time like the BM25 index (ingest/lexical.py) and kept beside it; vectors of
sentences already embedded are reused, so an update embeds only new sentences.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core.greek_text import split_sentences
from ingest.embed_base import EmbeddingBackend
from ingest.lexical import fingerprint

log = logging.getLogger(__name__)

FORMAT = 2
MIN_WORDS = 3  # shorter lines (captions, labels) carry no point of their own; the chunk's vector has them


def sentence_texts(doc: str, meta: dict) -> list[str]:
    """What is embedded for one chunk: each sentence of at least MIN_WORDS words, after its section's title."""
    title = str(meta.get("section", "")).rsplit(" > ", 1)[-1].strip()
    out = []
    for line in doc.split("\n"):
        for sentence in split_sentences(line):
            sentence = sentence.strip()
            if len(sentence.split()) >= MIN_WORDS:
                out.append(f"{title}: {sentence}" if title else sentence)
    return out


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


@dataclass
class SentenceIndex:
    """Row i of `vectors` is a sentence of chunk `chunk_ids[i]`; `keys[i]` identifies its embedded text."""

    chunk_ids: list[str]
    keys: list[str]
    vectors: np.ndarray
    model_id: str
    fingerprint: str

    @classmethod
    def load(cls, folder: Path) -> SentenceIndex | None:
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                return None
            vectors = np.load(folder / meta["vectors"], mmap_mode="r")
            chunk_ids, keys = list(meta["chunk_ids"]), list(meta["keys"])
            found = cls(chunk_ids, keys, vectors, str(meta["model_id"]), str(meta["fingerprint"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: rebuilt from the collection by the caller
        return found if len(chunk_ids) == len(keys) == vectors.shape[0] else None

    def matches(self, ids: list[str], model_id: str) -> bool:
        return self.model_id == model_id and self.fingerprint == fingerprint(ids)

    def save(self, folder: Path) -> None:
        """Each build's vectors go to a file of their own, named by meta.json, which is replaced last: a
        reader never pairs the vectors of one build with the ids of another."""
        folder.mkdir(parents=True, exist_ok=True)
        name = f"vectors-{uuid.uuid4().hex[:12]}.npy"
        np.save(folder / name, np.asarray(self.vectors, dtype=np.float32))
        meta = {
            "format": FORMAT,
            "vectors": name,
            "model_id": self.model_id,
            "fingerprint": self.fingerprint,
            "chunk_ids": self.chunk_ids,
            "keys": self.keys,
        }
        (folder / "meta.tmp.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        (folder / "meta.tmp.json").replace(folder / "meta.json")
        for old in folder.glob("vectors*.npy"):  # earlier builds (and format 1's vectors.npy)
            if old.name != name:
                old.unlink(missing_ok=True)  # a reader that mapped it keeps its pages

    @classmethod
    def build(
        cls,
        ids: list[str],
        docs: list[str],
        metas: list[dict],
        embeddings: EmbeddingBackend,
        reuse: tuple[SentenceIndex | None, ...] = (),
        batch: int = 64,
        progress: tuple[Callable[[int], None], Callable[[int], None]] | None = None,
    ) -> SentenceIndex:
        """Every chunk's sentences; vectors found in `reuse` (same model) are not embedded again.
        `progress`: told how many sentences are to be embedded, then each batch embedded."""
        model_id = embeddings.model_id
        known: dict[str, np.ndarray] = {}
        for old in reuse:
            if old is not None and old.model_id == model_id:
                known.update(zip(old.keys, old.vectors, strict=True))
        chunk_ids, keys, texts = [], [], []
        for cid, doc, meta in zip(ids, docs, metas, strict=True):
            for text in sentence_texts(doc, meta):
                chunk_ids.append(cid)
                keys.append(_key(text))
                texts.append(text)
        # One embedding per text: the overlap carries a sentence into the next chunk.
        todo = list({k: i for i, k in reversed(list(enumerate(keys))) if k not in known}.values())
        if progress and todo:
            progress[0](len(todo))
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            for i, vector in zip(part, embeddings.embed_documents([texts[i] for i in part]), strict=True):
                known[keys[i]] = np.asarray(vector, dtype=np.float32)
            if progress:
                progress[1](len(part))
        dim = next(iter(known.values())).shape[0] if known else 0
        vectors = np.stack([known[k] for k in keys]) if keys else np.zeros((0, dim), dtype=np.float32)
        return cls(chunk_ids, keys, vectors, model_id, fingerprint(ids))

    @classmethod
    def ensure(cls, folder: Path, ids: list[str], docs: list[str], metas: list[dict], embeddings: EmbeddingBackend):
        """The saved vectors when they match the collection; else built (reusing what still matches) and
        saved: a reader without them (server mode, an index from before they existed) embeds them once."""
        found = cls.load(folder)
        if found is not None and found.matches(ids, embeddings.model_id):
            return found
        built = cls.build(ids, docs, metas, embeddings, (found,))
        try:
            built.save(folder)
        except OSError as exc:  # a read-only copy of the index: used from memory, embedded again next time
            log.warning("sentence vectors not saved beside a read-only index (run `kalo ingest` to write them): %s", exc)
        return built

    def closest(self, vector, chunk_rows: np.ndarray, own: np.ndarray, weight: float) -> np.ndarray:
        """Every chunk's score (row order of `own`, its own cosines): `weight` × its closest sentence's
        cosine + the rest × its own; a chunk without sentences (captions only) keeps its own."""
        by_sentence = np.asarray(self.vectors @ np.asarray(vector, dtype=np.float32))
        best = np.full(own.shape[0], -np.inf, dtype=np.float32)
        np.maximum.at(best, chunk_rows, by_sentence)
        best = np.where(np.isinf(best), own, best)
        return weight * best + (1 - weight) * own

    def closest_chunks(self, vector, k: int) -> dict[str, float]:
        """The chunks of the `k` sentences closest to `vector`, each with its best sentence's cosine."""
        by_sentence = np.asarray(self.vectors @ np.asarray(vector, dtype=np.float32))
        out: dict[str, float] = {}
        for i in np.argsort(-by_sentence)[:k]:
            out.setdefault(self.chunk_ids[i], float(by_sentence[i]))
        return out
