"""The Chroma side: a real `chroma run` server in HTTP mode, an unreachable server, and the collection's
configuration (cosine space, ASCII name, never Chroma's own embedding function). Embeddings: fake-hash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import chromadb
import pytest
from support.processes import stop
from support.servers import free_port, wait_until_up

from assistant.core.errors import StoreUnavailableError
from assistant.retrieve import SearchIndex
from assistant.service import Assistant
from ingest.pipeline import Ingestor
from ingest.store import VectorStore


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """`chroma run` on a free local port; yields the port once the heartbeat answers."""
    root = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    chroma = str(Path(sys.executable).parent / "chroma")
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(root / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ | {"ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, timeout=60, log=root / "server.log")
        yield port
    finally:
        stop(proc, timeout=15)
        log.close()


def test_ingest_and_query_through_a_chroma_server(chroma_server, fast_settings, write_guides, counting_embeddings):
    settings = fast_settings(chroma_mode="http", chroma_port=chroma_server, collection="http_guides")
    write_guides(settings.corpus_dir, 2, sections=2)
    assistant = Assistant(settings)
    report = assistant.ingest()
    assert [(f.source, f.status) for f in report.files] == [("guide-01.md", "added"), ("guide-02.md", "added")]
    assert not settings.chroma_path.exists()  # nothing written to a local Chroma folder

    status = assistant.status()
    assert status.store_location == f"http://127.0.0.1:{chroma_server} (http_guides)"
    assert [(g.source, g.pages, g.chunks) for g in status.guides] == [("guide-01.md", 1, 2), ("guide-02.md", 1, 2)]

    # The chunks really live on the server.
    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    server_side = client.get_collection("http_guides", embedding_function=None)
    assert server_side.count() == 4
    assert server_side.configuration_json["hnsw"]["space"] == "cosine"

    store = VectorStore(settings)
    embeddings = counting_embeddings(settings)
    hits = store.query(embeddings.embed_query("Πώς ξεκινά η χαρτογράφηση των τοπικών αναγκών;"), k=4)
    assert len(hits) == 4 and all(-1.0 <= sim <= 1.0 for _, sim, _, _ in hits)
    assert [sim for _, sim, _, _ in hits] == sorted((sim for _, sim, _, _ in hits), reverse=True)
    assert SearchIndex.open(settings, embeddings, store).store.count() == 4
    assert assistant.ask("Πώς ξεκινά η χαρτογράφηση των τοπικών αναγκών;").retrieved  # searched on the server

    again = Ingestor(settings, embeddings=embeddings).run()
    assert again.embedded == 0 and {f.status for f in again.files} == {"unchanged"}
    assert embeddings.calls == 0


def test_unreachable_server_is_a_clear_error(fast_settings):
    port = free_port()  # nothing listens there
    settings = fast_settings(chroma_mode="http", chroma_port=port)
    with pytest.raises(StoreUnavailableError) as info:
        VectorStore(settings)
    assert f"Cannot reach the Chroma store at http://127.0.0.1:{port}" in str(info.value)
    # The Greek text is for chat users: it says what to do and names no internal address (#14).
    assert "διαχειριστή" in info.value.el and str(port) not in info.value.el and "127.0.0.1" not in info.value.el
    with pytest.raises(StoreUnavailableError):
        Ingestor(settings)
    with pytest.raises(StoreUnavailableError):
        Assistant(settings).status()


@pytest.mark.filterwarnings("ignore:legacy embedding function config:DeprecationWarning")  # Chroma's own, on refusal
def test_collection_is_cosine_ascii_and_without_chroma_embeddings(synthetic_settings):
    collection = VectorStore(synthetic_settings).collection
    assert collection.name == "kalo_guides" and collection.name.isascii()
    assert collection.configuration_json["hnsw"]["space"] == "cosine"
    assert collection.configuration_json["embedding_function"] == {"type": "legacy"}  # not Chroma's "default"
    assert collection.metadata["embedding_model"] == "fake-hash/256"
    # Without our vectors Chroma has nothing to embed with: it refuses instead of loading its ONNX model.
    with pytest.raises(ValueError, match="embedding function"):
        collection.query(query_texts=["συνεργασία"], n_results=1)


def test_collection_name_must_be_ascii(fast_settings):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        fast_settings(collection="οδηγοί")
    assert fast_settings(collection="guides-2026").collection == "guides-2026"


def test_a_server_store_reader_opens_from_its_snapshot_until_the_next_write(
    chroma_server, fast_settings, write_guides, monkeypatch
):
    """Server mode (#13): the query-time snapshot is trusted while the collection's id, count and our last
    write's token are those it was taken of; any write of ours (a new guide, a retitled one) makes it stale."""
    import json

    from assistant import snapshot
    from ingest.embed import get_embeddings

    settings = fast_settings(chroma_mode="http", chroma_port=chroma_server, collection="http_snapshot")
    write_guides(settings.corpus_dir, 2, sections=2)
    assert not Assistant(settings).ingest().failed
    embeddings = get_embeddings(settings)
    first = SearchIndex.open(settings, embeddings, VectorStore(settings))  # reads the server, saves a snapshot
    stamp = json.loads((snapshot.folder(settings) / "meta.json").read_text())["stamp"]
    assert stamp["collection"] and stamp["writes"] and stamp["count"] == len(first.row_ids) == 4

    reads: list[str] = []
    real = VectorStore.all_vectors
    monkeypatch.setattr(VectorStore, "all_vectors", lambda self: reads.append("read") or real(self))
    second = SearchIndex.open(settings, embeddings, VectorStore(settings))
    assert reads == []  # opened from the snapshot: no record read over HTTP
    assert second.row_ids == first.row_ids and (second.matrix == first.matrix).all()
    assert second.passages == first.passages and second.doc_freq == first.doc_freq

    write_guides(settings.corpus_dir, 3, sections=2)  # a third guide
    assert not Assistant(settings).ingest().failed
    third = SearchIndex.open(settings, embeddings, VectorStore(settings))
    assert reads == ["read"] and len(third.row_ids) == 6
    assert SearchIndex.open(settings, embeddings, VectorStore(settings)).row_ids == third.row_ids
    assert reads == ["read"]  # and the new snapshot serves the next reader

    store = VectorStore(settings)
    cid = third.row_ids[0]
    store.upsert([cid], [first.matrix[0].tolist()], [third.passages[cid][0]], [third.passages[cid][1] | {"guide_title": "Νέος"}])
    retitled = SearchIndex.open(settings, embeddings, VectorStore(settings))  # same ids and count, new token
    assert reads == ["read", "read"] and retitled.passages[cid][1]["guide_title"] == "Νέος"
