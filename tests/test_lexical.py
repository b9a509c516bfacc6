"""The BM25 index (ingest/lexical.py): a query reads bm25s's saved scores with numpy alone and must rank
exactly as bm25s itself does, on two corpora of different shape (the synthetic guides and generated ones)."""

from __future__ import annotations

import random

import bm25s
import numpy as np
import pytest
from conftest import greek_guide
from support.synthetic import GUIDES

from assistant.core.greek_text import tokens
from ingest.lexical import LexicalIndex, Scores


def passages_of_guides() -> list[str]:
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(GUIDES.iterdir()) if p.suffix in {".md", ".txt"})
    return [b for b in text.split("\n\n") if b.strip()]


def passages_generated() -> list[str]:
    return [b for n in range(1, 9) for b in greek_guide(n, sections=4).split("\n\n") if b.strip()]


@pytest.mark.parametrize("corpus", [passages_of_guides, passages_generated])
def test_numpy_search_ranks_exactly_as_bm25s(corpus, tmp_path):
    texts = corpus()
    ids = [f"c{i}" for i in range(len(texts))]
    LexicalIndex.build(ids, texts).save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert loaded is not None and isinstance(loaded.scores, Scores)
    reference = bm25s.BM25.load(str(tmp_path / "bm25"))
    vocab = sorted(loaded.vocab)
    rng = random.Random(7)
    queries = [tokens(t)[:6] for t in texts[:40]] + [rng.sample(vocab, rng.randint(1, 5)) for _ in range(60)]
    queries += [[vocab[0], vocab[0], vocab[1]]]  # a repeated key counts twice, as in bm25s
    compared = 0
    for query in queries:
        known = [t for t in query if t in loaded.vocab]
        if not known:
            continue
        for k in (1, 5, len(ids)):
            docs, scores = reference.retrieve([known], k=k, show_progress=False)
            rows, ours = loaded.scores.top(known, k)
            assert rows.tolist() == docs[0].tolist() and np.array_equal(ours, scores[0])
            compared += 1
        docs, scores = reference.retrieve([known], k=10, show_progress=False)
        expected = [(ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
        assert loaded.search(query, 10) == expected
    assert compared > 250


def test_an_index_saved_with_another_scoring_method_is_not_read(tmp_path):
    texts = passages_generated()
    LexicalIndex.build([f"c{i}" for i in range(len(texts))], texts).save(tmp_path / "bm25")
    params = tmp_path / "bm25" / "params.index.json"
    params.write_text(params.read_text().replace('"lucene"', '"bm25+"', 1))
    assert LexicalIndex.load(tmp_path / "bm25") is None  # the caller builds it again from the collection


def test_an_index_saved_with_other_search_keys_is_not_loaded(tmp_path, monkeypatch):
    """An index built when `tokens` gave other keys (an older TOKENS_VERSION) holds keys a query no longer
    makes («νεα» where a query now says «νε»): it is not loaded, so that it is built again."""
    texts = passages_generated()[:20]
    ids = [f"c{i}" for i in range(len(texts))]
    LexicalIndex.build(ids, texts).save(tmp_path / "bm25")
    assert LexicalIndex.load(tmp_path / "bm25") is not None
    monkeypatch.setattr("ingest.lexical.TOKENS_VERSION", -1)
    assert LexicalIndex.load(tmp_path / "bm25") is None
