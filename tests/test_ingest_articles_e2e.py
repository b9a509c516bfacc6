"""End to end with the real e5 model: questions about articles of a real Government Gazette issue
(ν. 3606/2007) are answered from, and cite, the right article and page."""

from __future__ import annotations

import pytest

from assistant.service import Assistant

pytestmark = pytest.mark.slow

QUESTIONS = [
    # (question, article the answer must cite first, its page)
    ("Ποιες είναι οι προϋποθέσεις χορήγησης άδειας λειτουργίας σε ΑΕΠΕΥ;", "άρθρο 11", 7),
    ("Ποιοι κανόνες ισχύουν για την εκτέλεση των εντολών πελατών;", "άρθρο 28", 16),
    ("Πότε αρχίζει η ισχύς του νόμου;", "άρθρο 90", 40),
    ("Τι προβλέπει το άρθρο 11;", "άρθρο 11", 7),  # named by number only: the article itself is the answer
]


@pytest.fixture(scope="module")
def assistant(law_settings) -> Assistant:
    return Assistant(law_settings)


@pytest.mark.parametrize(("question", "article", "page"), QUESTIONS)
def test_a_question_about_an_article_cites_that_article_and_page(assistant, question, article, page):
    answer = assistant.ask(question)
    assert answer.found and answer.cited_sources, answer.text
    first = answer.cited_sources[0]
    assert first.article == article, [(s.article, s.pages) for s in answer.cited_sources]
    assert first.page_start <= page <= first.page_end
    assert first.label() == f"Ν. 3606/2007, {article} — σελ. {first.pages}" and first.act == "Ν. 3606/2007"
    assert len({s.chunk_id for s in answer.sources}) == len(answer.sources)  # no passage twice
