"""The "fake-hash" embedding backend: deterministic and offline, for tests and experiments (no model, no download).

A text's features — its Greek search keys (folded, stemmed words) and the character trigrams of its
folded words — are hashed into signed dimensions and the sum is normalised. Texts that share words get
similar vectors, so retrieval on a small corpus behaves sensibly (typos still meet through trigrams);
it knows no synonyms and no other language, so it says nothing about a real model's quality.
"""

from __future__ import annotations

import hashlib
import math
import re
from functools import cache

from assistant.core.greek_text import fold, tokens
from assistant.core.settings import Settings
from ingest.embed_base import EmbeddingBackend, register

DIM = 256
# A whole search key says more than a trigram; trigrams only bridge spelling variants.
KEY_WEIGHT = 1.0
TRIGRAM_WEIGHT = 0.3
_WORD = re.compile(r"\w+")


@cache
def _slot(feature: str, dim: int) -> tuple[int, float]:
    """The dimension a feature adds to, and with which sign (a stable hash: Python's `hash` is salted)."""
    n = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little")
    return n % dim, 1.0 if (n >> 63) & 1 else -1.0


def features(text: str) -> list[tuple[str, float]]:
    keys = [(f"k:{k}", KEY_WEIGHT) for k in tokens(text)]
    grams = [
        (f"g:{w[i : i + 3]}", TRIGRAM_WEIGHT)
        for w in (f"#{w}#" for w in _WORD.findall(fold(text)) if len(w) > 1)
        for i in range(len(w) - 2)
    ]
    return keys + grams


@register("fake-hash")
class FakeHashEmbeddings(EmbeddingBackend):
    """Feature hashing into `DIM` dimensions; the same text always gives the same unit vector."""

    def __init__(self, settings: Settings | None = None, dim: int = DIM) -> None:
        self.dim = dim
        self.model_id = f"fake-hash/{dim}"

    def vector(self, text: str) -> list[float]:
        out = [0.0] * self.dim
        for feature, weight in features(text):
            slot, sign = _slot(feature, self.dim)
            out[slot] += sign * weight
        norm = math.sqrt(sum(v * v for v in out))
        if norm == 0.0:  # no words at all: still a valid unit vector
            out[0], norm = 1.0, 1.0
        return [v / norm for v in out]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vector(text)
