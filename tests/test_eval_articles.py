"""eval/articles.py: the second-corpus measurement (articles of a real Gazette issue) runs end to end and
reads the article a passage belongs to (fake-hash vectors: about the harness, not the model)."""

from __future__ import annotations

import shutil

from eval.articles import GAZETTE, QUESTIONS, _article, measure


def test_the_article_of_a_passage_is_read_from_its_metadata():
    assert _article({"article": "Άρθρο 11"}) == 11 and _article({"article": ""}) is None and _article({}) is None


def test_the_gazette_questions_name_articles_of_the_issue():
    import json

    cases = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(cases) >= 30 and all(c["question"] and all(1 <= a <= 90 for a in c["articles"]) for c in cases)


def test_a_hit_counts_only_when_the_named_article_is_the_gold_one(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(GAZETTE, corpus / GAZETTE.name)
    cases = [
        {"question": "Τι προβλέπει το άρθρο 11;", "articles": [11]},
        {"question": "Τι προβλέπει το άρθρο 28;", "articles": [11]},  # the wrong article named as gold
    ]
    got = measure(tmp_path / "data", corpus, cases, embedding_backend="fake-hash")
    assert got["n"] == 2 and got["hit@1"] == 0.5, got  # article 28's question is not answered by article 11
