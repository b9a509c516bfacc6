"""End to end: questions about articles of a real Government Gazette issue (ν. 3606/2007) are answered from,
and cite, the right article and page — over the whole issue (fake-hash: the pipeline, structure and
lexical search on all 90 articles) and, with the real e5 model, over pages of it (`LAW_EXTRACT_PAGES`)."""

from __future__ import annotations

import pytest
from fixtures.make import LAW_EXTRACT_PAGES

from assistant.service import Assistant

pytestmark = pytest.mark.slow

QUESTIONS = [
    # (question, article the answer must cite first, its page in the issue)
    ("Ποιες είναι οι προϋποθέσεις χορήγησης άδειας λειτουργίας σε ΑΕΠΕΥ;", "άρθρο 11", 7),
    ("Ποιοι κανόνες ισχύουν για την εκτέλεση των εντολών πελατών;", "άρθρο 28", 16),
    ("Πότε αρχίζει η ισχύς του νόμου;", "άρθρο 90", 40),
    ("Τι προβλέπει το άρθρο 11;", "άρθρο 11", 7),  # named by number only: the article itself is the answer
]


@pytest.fixture(scope="module")
def whole_issue(gazette_settings) -> Assistant:
    return Assistant(gazette_settings)


@pytest.fixture(scope="module")
def real_model(law_settings) -> Assistant:
    return Assistant(law_settings)


def _cites(assistant: Assistant, question: str, article: str, page: int) -> None:
    answer = assistant.ask(question)
    assert answer.found and answer.cited_sources, answer.text
    first = answer.cited_sources[0]
    assert first.article == article, [(s.article, s.pages) for s in answer.cited_sources]
    assert first.page_start <= page <= first.page_end
    assert first.label() == f"Ν. 3606/2007, {article} — σελ. {first.pages}" and first.act == "Ν. 3606/2007"
    assert len({s.chunk_id for s in answer.sources}) == len(answer.sources)  # no passage twice


@pytest.mark.parametrize(("question", "article", "page"), QUESTIONS)
def test_a_question_about_an_article_cites_that_article_and_page(whole_issue, question, article, page):
    _cites(whole_issue, question, article, page)


@pytest.mark.parametrize(("question", "article", "page"), QUESTIONS)
def test_with_the_real_model_too(real_model, question, article, page):
    _cites(real_model, question, article, LAW_EXTRACT_PAGES.index(page) + 1)  # the extract's own numbering
