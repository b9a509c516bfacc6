"""LangChain's standard retriever tests (langchain-tests `RetrieversIntegrationTests`) run against
`HybridRetriever` over a small synthetic index: `k` at construction and per call, sync and async."""

from __future__ import annotations

import pytest
from conftest import greek_guide
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.lc_adapters import HybridRetriever
from assistant.retrieve import SearchIndex

# Neither a procedure nor a "what kinds…" question: those may bring a whole section's parts (more than k).
QUERY = "νομικό πλαίσιο και νομική υπηρεσία"


@pytest.fixture(scope="module")
def standard_index(tmp_path_factory) -> SearchIndex:
    """Six short guides (one passage in each of their 18 sections), embedded with fake-hash, opened once."""
    from assistant.core.settings import Settings
    from ingest.embed import get_embeddings
    from ingest.pipeline import Ingestor
    from ingest.store import VectorStore

    root = tmp_path_factory.mktemp("lc-standard")
    corpus = root / "corpus"
    corpus.mkdir()
    for n in range(1, 7):
        (corpus / f"guide-{n:02d}.md").write_text(greek_guide(n, sections=3), encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=root / "data", embedding_backend="fake-hash")
    embeddings = get_embeddings(settings)
    report = Ingestor(settings, embeddings=embeddings).run()
    assert not report.failed and report.embedded >= 12
    return SearchIndex.open(settings, embeddings, VectorStore(settings))


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _open_index(self, standard_index):
        # The standard suite builds the retriever from `retriever_constructor_params` (a property).
        type(self).index = standard_index

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"index": self.index}

    @property
    def retriever_query_example(self) -> str:
        return QUERY


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
async def test_async_honours_k_in_every_mode(standard_index, mode):
    retriever = HybridRetriever(index=standard_index, mode=mode, k=2)
    docs = await retriever.ainvoke(QUERY)
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    assert [d.id for d in docs] == [d.id for d in retriever.invoke(QUERY)]
    assert len(retriever.invoke(QUERY, k=4)) == 4  # per call, sync


async def test_async_per_call_k(standard_index):
    """`ainvoke(query, k=…)`, as `invoke(query, k=…)` (the standard suite checks per-call k only in sync)."""
    retriever = HybridRetriever(index=standard_index, k=2)
    docs = await retriever.ainvoke(QUERY, k=4)
    assert [d.id for d in docs] == [d.id for d in retriever.invoke(QUERY, k=4)]
