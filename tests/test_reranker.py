"""The optional cross-encoder reranker, with a tiny model built and saved locally (nothing downloaded)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from support.shared import shared_assistant, with_settings


@pytest.fixture(scope="module")
def tiny_cross_encoder(tiny_st_model, tmp_path_factory):
    """A 2-layer BERT with a one-logit head, saved as a sentence-transformers CrossEncoder folder."""
    import torch
    from conftest import tiny_bert_config
    from transformers import BertForSequenceClassification, BertTokenizerFast

    tokenizer = BertTokenizerFast.from_pretrained(tiny_st_model.parent / "bert")
    torch.manual_seed(1)
    path = tmp_path_factory.mktemp("tiny-cross-encoder")
    BertForSequenceClassification(tiny_bert_config(len(tokenizer), num_labels=1)).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_the_reranker_orders_the_passages_by_its_own_scores(bundled_settings, tiny_cross_encoder):
    from sentence_transformers import CrossEncoder

    base = shared_assistant(bundled_settings)
    reranked = with_settings(base, reranker_model=str(tiny_cross_encoder), per_section_cap=30)
    question = "Τι είναι οι ασθενείς δεσμοί;"
    docs = reranked.retriever(k=8).invoke(question)
    searched = reranked.retriever(k=8).retrieve(question).query.text
    assert reranked.index.reranker is not None

    model = CrossEncoder(str(tiny_cross_encoder), device="cpu")
    scores = model.predict([(searched, d.page_content) for d in docs])
    # The order is the cross-encoder's, not RRF's (a little slack for batch-dependent float noise).
    assert all(a >= b - 1e-5 for a, b in pairwise(scores))
    plain = base.retriever(k=8).invoke(question)
    assert [d.id for d in docs] != [d.id for d in plain]  # an untrained head reshuffles: it was applied
