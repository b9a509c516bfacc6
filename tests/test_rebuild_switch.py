"""Re-index without downtime (#14, finding 11): a rebuild, a change of embedding model or the web app's
re-index is built beside the served index (its own collection and folder) and switched to atomically; readers
in another process always get a whole index — the old one until the new one is ready — a crash during the
build leaves the old one served, and status says which generation is served."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest
from conftest import CountingEmbeddings
from support.synthetic import FAKE

from assistant.core.settings import Settings
from assistant.service import Assistant
from ingest import generations
from ingest.embed_fake import FakeHashEmbeddings
from ingest.pipeline import Ingestor
from ingest.store import VectorStore

FILES, SECTIONS = 30, 3  # one chunk per section
QUESTION = "Ποια είναι τα βήματα της συνεργασίας του Δήμου με τους φορείς;"


def _index(tmp_path, write_guides) -> Settings:
    corpus = tmp_path / "corpus"
    write_guides(corpus, FILES, sections=SECTIONS)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", **FAKE)
    report = Ingestor(settings).run()
    assert not report.failed and sum(f.chunks for f in report.files) == FILES * SECTIONS
    return settings


def _rebuild_process(settings: Settings, cwd) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALO_")} | {
        "KALO_CORPUS_DIR": str(settings.corpus_dir),
        "KALO_DATA_DIR": str(settings.data_dir),
        "KALO_CONFIG": "/nonexistent",
        "KALO_EMBEDDING_BACKEND": FAKE["embedding_backend"],
        "KALO_EMBEDDING_BATCH_SIZE": "1",  # two chunks per write: the build takes many steps
    }
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", "--rebuild"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def _whole(settings: Settings, assistant: Assistant) -> tuple[str, int]:
    """(served generation's collection, chunks) as a reader sees them; the answer must come from the index."""
    status = assistant.status()
    answer = assistant.ask(QUESTION)
    assert answer.found and answer.cited_sources, answer.text
    return status.collection, status.chunks


def test_readers_in_another_process_always_get_a_whole_index_during_a_rebuild(tmp_path, write_guides):
    settings = _index(tmp_path, write_guides)
    old = generations.served(settings)
    server = Assistant(settings)  # a long-lived reader (a running `kalo serve`)
    assert _whole(settings, server) == (old.collection, FILES * SECTIONS)

    proc = _rebuild_process(settings, tmp_path)
    watchdog = threading.Timer(300, proc.kill)  # a hung child must not hang the suite
    watchdog.start()
    seen: list[tuple[str, int]] = []
    building_seen = 0  # observations made while the new generation existed and was not yet served
    try:
        while proc.poll() is None:
            fresh = Assistant(settings)  # a `kalo ask` started now
            seen += [_whole(settings, fresh), _whole(settings, server)]
            if generations.strays(settings, VectorStore(settings).client, keep=generations.served(settings)):
                building_seen += 1
        stderr = proc.stderr.read()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr
    assert seen and {n for _, n in seen} == {FILES * SECTIONS}, seen  # never missing, never half
    assert building_seen > 0  # the readers really were asking while the new index was being built

    new = generations.served(settings)
    assert new.collection != old.collection and new.name and new.built_at and new.model == "fake-hash/256"
    assert _whole(settings, server) == (new.collection, FILES * SECTIONS)  # the server followed the switch
    assert _whole(settings, Assistant(settings)) == (new.collection, FILES * SECTIONS)
    # The old generation is gone: its collection and its folder.
    names = {c.name for c in VectorStore(settings).client.list_collections()}
    assert old.collection not in names and new.collection in names
    assert not old.index_dir(settings).exists() and new.index_dir(settings).is_dir()


def test_a_crash_during_the_rebuild_leaves_the_old_index_served(tmp_path, write_guides):
    settings = _index(tmp_path, write_guides)
    old = generations.served(settings)
    proc = _rebuild_process(settings, tmp_path)
    watchdog = threading.Timer(300, proc.kill)
    watchdog.start()
    try:
        for line in proc.stderr:
            if ": added (" in line:  # the new generation holds one file: kill the build there
                proc.send_signal(signal.SIGKILL)
                break
        proc.stderr.close()
        proc.wait(timeout=60)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    client = VectorStore(settings).client
    (stray,) = generations.strays(settings, client, keep=old)  # half a build, beside the served index
    assert generations.served(settings) == old
    assert _whole(settings, Assistant(settings)) == (old.collection, FILES * SECTIONS)

    report = Ingestor(settings).run()  # the next run clears the leftovers and finds nothing to do
    assert report.embedded == 0 and {f.status for f in report.files} == {"unchanged"}
    assert generations.strays(settings, client, keep=old) == []
    assert stray.collection not in {c.name for c in client.list_collections()}
    assert not stray.index_dir(settings).exists()
    assert generations.served(settings) == old


class OtherModel(CountingEmbeddings):
    """The fake-hash vectors under another model's name and size: a change of embedding model."""

    def __init__(self, on_embed) -> None:
        super().__init__(FakeHashEmbeddings(dim=128))
        self.on_embed = on_embed

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.on_embed()
        return super().embed_documents(texts)


def test_a_new_embedding_model_is_built_beside_the_old_index(tmp_path, write_guides):
    settings = _index(tmp_path, write_guides)
    old = generations.served(settings)
    reader = Assistant(settings)  # still configured with the old model
    seen = []
    embeddings = OtherModel(lambda: seen.append(_whole(settings, reader)))
    report = Ingestor(settings, embeddings=embeddings).run()
    assert "embedding model changed" in report.note and report.embedded == FILES * SECTIONS
    assert seen and set(seen) == {(old.collection, FILES * SECTIONS)}  # the old index, whole, throughout
    new = generations.served(settings)
    assert new.collection != old.collection and new.model == "fake-hash/128"
    store = VectorStore(settings)
    assert store.model_id == "fake-hash/128" and store.count() == FILES * SECTIONS
    assert old.collection not in {c.name for c in store.client.list_collections()}


def test_the_web_reindex_switches_to_a_copy_and_reuses_vectors(tmp_path, write_guides, counting_embeddings):
    settings = _index(tmp_path, write_guides)
    old = generations.served(settings)
    (settings.corpus_dir / "guide-01.md").write_text(
        "# Οδηγός δοκιμής 1\n\n## 1. Νέα ενότητα\n\nΟ Δήμος ορίζει υπεύθυνο επικοινωνίας για κάθε φορέα ΚΑΛΟ.\n",
        encoding="utf-8",
    )
    reader = Assistant(settings)
    seen = []

    class Watch:
        def start(self, total_files: int) -> None: ...
        def file(self, source: str, total_chunks: int) -> None:
            seen.append(_whole(settings, reader))

        def embedded(self, n: int) -> None: ...
        def done(self, report) -> None: ...

    embeddings = counting_embeddings(settings)
    writer = Assistant(settings, embeddings=embeddings)
    report = writer.ingest(progress=Watch(), beside=True)
    statuses = {f.source: f.status for f in report.files}
    assert statuses.pop("guide-01.md") == "updated" and set(statuses.values()) == {"unchanged"}
    assert report.embedded == len(embeddings.texts) == 1  # only the changed file is embedded
    assert seen and set(seen) == {(old.collection, FILES * SECTIONS)}  # readers kept the old index whole
    new = generations.served(settings)
    assert new.collection != old.collection
    assert _whole(settings, reader) == (new.collection, (FILES - 1) * SECTIONS + 1)


def test_status_says_which_generation_is_served(tmp_path, write_guides):
    from typer.testing import CliRunner

    from assistant.cli import app

    settings = _index(tmp_path, write_guides)
    first = Assistant(settings).status()
    assert (first.generation, first.collection) == ("initial", settings.collection) and first.built_at
    Assistant(settings).ingest(rebuild=True)
    status = Assistant(settings).status()
    assert status.generation.startswith("g") and status.collection == f"{settings.collection}.{status.generation}"
    assert status.built_at >= first.built_at and status.embedding_model == "fake-hash/256"

    env = {
        "KALO_CORPUS_DIR": str(settings.corpus_dir),
        "KALO_DATA_DIR": str(settings.data_dir),
        "KALO_CONFIG": "/nonexistent",
        "KALO_EMBEDDING_BACKEND": FAKE["embedding_backend"],
    }
    result = CliRunner().invoke(app, ["status"], env=env)
    assert result.exit_code == 0, result.output
    assert f"generation {status.generation}" in result.output and status.built_at in result.output


@pytest.mark.parametrize("rebuild", [True, False])
def test_nothing_is_switched_when_there_is_nothing_to_serve_yet(tmp_path, write_guides, rebuild):
    corpus = tmp_path / "corpus"
    write_guides(corpus, 2)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", **FAKE)
    Ingestor(settings).run(rebuild=rebuild)  # the first index is written where it is served
    assert generations.served(settings).collection == settings.collection


def test_a_crash_between_the_switch_and_the_removal_is_cleaned_up(tmp_path, write_guides, monkeypatch):
    settings = _index(tmp_path, write_guides)
    old = generations.served(settings)

    def crash(*_args):
        raise KeyboardInterrupt  # killed right after the pointer was switched

    monkeypatch.setattr(generations, "remove", crash)
    with pytest.raises(KeyboardInterrupt):
        Ingestor(settings).run(rebuild=True)
    monkeypatch.undo()
    new = generations.served(settings)
    assert new.collection != old.collection  # the switch happened: readers have the whole new index
    assert _whole(settings, Assistant(settings)) == (new.collection, FILES * SECTIONS)
    client = VectorStore(settings).client
    assert [g.collection for g in generations.strays(settings, client, keep=new)] == [old.collection]

    report = Ingestor(settings).run()
    assert report.embedded == 0 and generations.strays(settings, client, keep=new) == []
    assert old.collection not in {c.name for c in client.list_collections()} and not old.index_dir(settings).exists()
