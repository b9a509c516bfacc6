"""A `kalo ingest` killed with SIGKILL mid-run is finished by the next run: no duplicates, nothing missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest
from conftest import CountingEmbeddings
from support.synthetic import FAKE

from assistant.core.settings import Settings
from ingest.lexical import LexicalIndex
from ingest.pipeline import Ingestor, Manifest
from ingest.store import VectorStore

FILES = 8
SECTIONS = 3  # one chunk per section: 24 chunks in all


def _snapshot(settings: Settings) -> dict:
    got = VectorStore(settings).collection.get(include=["documents", "metadatas", "embeddings"])
    ids, docs, metas, vectors = got["ids"], got["documents"], got["metadatas"], got["embeddings"]
    files = Manifest(VectorStore(settings).served_settings.index_dir / "manifest.json").files
    return {
        "ids": ids,
        "chunks": {i: (d, m) for i, d, m in zip(ids, docs, metas, strict=True)},
        "vectors": dict(zip(ids, vectors, strict=True)),
        "manifest": {s: {k: v for k, v in e.items() if k != "ingested_at"} for s, e in files.items()},
        "bm25": sorted(LexicalIndex.load(VectorStore(settings).served_settings.index_dir / "bm25").ids),
    }


def _assert_same_vectors(resumed: dict, fresh: dict) -> None:
    # The same text embeds to the same vector, up to float noise from batching.
    assert resumed["vectors"].keys() == fresh["vectors"].keys()
    for chunk_id, vector in resumed["vectors"].items():
        assert np.allclose(vector, fresh["vectors"][chunk_id], atol=1e-4), chunk_id


def _start_and_kill(corpus, data, cwd) -> tuple[int, list[str]]:
    """Run `kalo ingest` in a subprocess and SIGKILL it as soon as it reports its first finished file."""
    env = os.environ | {
        "KALO_CORPUS_DIR": str(corpus),
        "KALO_DATA_DIR": str(data),
        "KALO_CONFIG": "/nonexistent",
        "KALO_EMBEDDING_BACKEND": FAKE["embedding_backend"],
        "KALO_EMBEDDING_BATCH_SIZE": "1",  # two chunks per upsert: each file is written in several steps
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    watchdog = threading.Timer(300, proc.kill)  # a hung child must not hang the suite
    watchdog.start()
    lines: list[str] = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if ": added (" in line:
                proc.send_signal(signal.SIGKILL)
                break
        proc.stderr.close()
        return proc.wait(timeout=60), lines
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_killed_ingest_is_completed_by_the_next_run(tmp_path, write_guides, counting_embeddings):
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_guides(corpus, FILES, sections=SECTIONS)

    returncode, lines = _start_and_kill(corpus, data, tmp_path)
    assert any(": added (" in line for line in lines), "".join(lines)
    settings = Settings(corpus_dir=corpus, data_dir=data, **FAKE)
    done_before = set(Manifest(VectorStore(settings).served_settings.index_dir / "manifest.json").files)
    if returncode == -signal.SIGKILL:  # the usual case: killed with files still to do
        assert 1 <= len(done_before) < FILES, done_before
    else:  # it finished first: the next run must still leave the same final state
        assert returncode == 0, "".join(lines)

    embeddings = counting_embeddings(settings)
    report = Ingestor(settings, embeddings=embeddings).run()
    assert not report.failed, report.failed
    statuses = {f.source: f.status for f in report.files}
    assert {s for s, st in statuses.items() if st == "unchanged"} == done_before
    assert {st for s, st in statuses.items() if s not in done_before} <= {"added"}
    # Chunks written before the kill are reused, not embedded twice.
    survivors = sum(f.chunks for f in report.files) - report.embedded
    assert report.embedded == len(embeddings.texts)
    assert survivors >= SECTIONS * len(done_before)

    clean = Settings(corpus_dir=corpus, data_dir=tmp_path / "clean-data", **FAKE)
    clean_report = Ingestor(clean).run()
    assert clean_report.embedded == FILES * SECTIONS

    resumed, fresh = _snapshot(settings), _snapshot(clean)
    assert len(resumed["ids"]) == len(set(resumed["ids"])) == FILES * SECTIONS  # no duplicates
    assert set(resumed["ids"]) == set(fresh["ids"])
    assert resumed["chunks"] == fresh["chunks"]  # same texts and metadata
    _assert_same_vectors(resumed, fresh)  # and each chunk stored with its own vector
    assert resumed["manifest"] == fresh["manifest"]  # complete: every file, every chunk id
    assert len(resumed["manifest"]) == FILES
    assert resumed["bm25"] == fresh["bm25"] == sorted(fresh["ids"])

    again = Ingestor(settings, embeddings=counting_embeddings(settings)).run()
    assert again.embedded == 0 and {f.status for f in again.files} == {"unchanged"}


class InterruptedEmbeddings(CountingEmbeddings):
    """A backend interrupted (Ctrl-C) once it has embedded `limit` passages."""

    def __init__(self, inner, limit: int) -> None:
        super().__init__(inner)
        self.limit = limit

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if len(self.texts) >= self.limit:
            raise KeyboardInterrupt
        return super().embed_documents(texts)


def test_run_interrupted_inside_a_file_reuses_its_stored_chunks(tmp_path, write_guides, counting_embeddings):
    """Deterministic half-written file: Chroma has part of guide-02's chunks, the manifest has no entry."""
    corpus = tmp_path / "corpus"
    write_guides(corpus, 3, sections=SECTIONS)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embedding_batch_size=1, **FAKE)  # 2 per upsert
    interrupted = InterruptedEmbeddings(counting_embeddings(settings).inner, limit=SECTIONS + 2)
    with pytest.raises(KeyboardInterrupt):
        Ingestor(settings, embeddings=interrupted).run()
    assert set(Manifest(VectorStore(settings).served_settings.index_dir / "manifest.json").files) == {"guide-01.md"}
    stored = VectorStore(settings).all_metadata()
    assert sorted(m["source"] for m in stored.values()).count("guide-02.md") == 2

    embeddings = counting_embeddings(settings)
    report = Ingestor(settings, embeddings=embeddings).run()  # the lock was released on the way out
    assert {f.source: (f.status, f.embedded) for f in report.files} == {
        "guide-01.md": ("unchanged", 0),
        "guide-02.md": ("added", SECTIONS - 2),
        "guide-03.md": ("added", SECTIONS),
    }
    assert len(embeddings.texts) == 2 * SECTIONS - 2

    clean = Settings(corpus_dir=corpus, data_dir=tmp_path / "clean-data", **FAKE)
    Ingestor(clean).run()
    resumed, fresh = _snapshot(settings), _snapshot(clean)
    assert len(resumed["ids"]) == len(set(resumed["ids"])) == 3 * SECTIONS
    assert resumed["chunks"] == fresh["chunks"]
    _assert_same_vectors(resumed, fresh)
    assert resumed["manifest"] == fresh["manifest"]
    assert resumed["bm25"] == fresh["bm25"]
