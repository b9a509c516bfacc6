"""Incremental ingestion: unchanged files cost nothing, edits re-embed only what changed, deletions clean up."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.synthetic import FAKE

from assistant.core.errors import IngestError
from assistant.core.settings import Settings
from ingest.lexical import LexicalIndex
from ingest.pipeline import Ingestor, Manifest
from ingest.status import index_status
from ingest.store import VectorStore

FILES = ["guide-01.md", "guide-02.md", "guide-03.md"]


def _state(settings) -> tuple[dict[str, dict], dict[str, dict]]:
    """(chunk id → metadata in Chroma, source → manifest entry)."""
    return VectorStore(settings).all_metadata(), Manifest(VectorStore(settings).served_settings.index_dir / "manifest.json").files


def _assert_consistent(settings) -> None:
    """Collection, manifest and BM25 index describe the same chunks."""
    metas, files = _state(settings)
    manifest_ids = [i for entry in files.values() for i in entry["chunk_ids"]]
    assert len(manifest_ids) == len(set(manifest_ids)) == len(metas)
    assert set(manifest_ids) == set(metas)
    for source, entry in files.items():
        assert {i for i, m in metas.items() if m["source"] == source} == set(entry["chunk_ids"])
    lexical = LexicalIndex.load(VectorStore(settings).served_settings.index_dir / "bm25")
    assert lexical is not None and set(lexical.ids) == set(metas)


@pytest.fixture
def corpus(fast_settings, write_guides, counting_embeddings):
    """Three small guides (three sections each, one chunk per section), ingested once."""
    settings = fast_settings()
    write_guides(settings.corpus_dir, 3, sections=3)
    embeddings = counting_embeddings(settings)
    report = Ingestor(settings, embeddings=embeddings).run()
    assert [(f.source, f.status) for f in report.files] == [(name, "added") for name in FILES]
    assert all(f.chunks == 3 and f.embedded == 3 and f.pages == 1 for f in report.files)
    assert report.embedded == len(embeddings.texts) == 9
    _assert_consistent(settings)
    return settings


def _run(settings, counting_embeddings):
    embeddings = counting_embeddings(settings)
    report = Ingestor(settings, embeddings=embeddings).run()
    return report, embeddings


def test_second_run_embeds_nothing(corpus, counting_embeddings):
    before, manifest_before = _state(corpus)
    report, embeddings = _run(corpus, counting_embeddings)
    assert report.embedded == 0 and embeddings.calls == 0
    assert [(f.source, f.status, f.chunks, f.pages) for f in report.files] == [(n, "unchanged", 3, 1) for n in FILES]
    after, manifest_after = _state(corpus)
    assert after == before  # same ids, same metadata
    assert manifest_after == manifest_before
    _assert_consistent(corpus)


def test_editing_one_file_reembeds_only_its_changed_chunks(corpus, counting_embeddings):
    before, _ = _state(corpus)
    path = corpus.corpus_dir / "guide-02.md"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("(Οδηγός 2, ενότητα 2, παράγραφος 1.)", "Νέα πρόταση για την ενότητα δύο.")
    assert edited != text
    path.write_text(edited, encoding="utf-8")

    report, embeddings = _run(corpus, counting_embeddings)
    statuses = {f.source: f.status for f in report.files}
    assert statuses == {"guide-01.md": "unchanged", "guide-02.md": "updated", "guide-03.md": "unchanged"}
    assert report.embedded == 1 and len(embeddings.texts) == 1
    assert "Νέα πρόταση για την ενότητα δύο." in embeddings.texts[0]
    assert "Οδηγός δοκιμής 2 — 2. Νομικά εργαλεία" in embeddings.texts[0]  # only that section's chunk

    after, _ = _state(corpus)
    old_ids = {i for i, m in before.items() if m["source"] == "guide-02.md"}
    new_ids = {i for i, m in after.items() if m["source"] == "guide-02.md"}
    assert len(old_ids - new_ids) == 1 and len(new_ids - old_ids) == 1  # the stale chunk is gone
    assert len(old_ids & new_ids) == 2  # the untouched sections keep their ids
    assert {i: m for i, m in after.items() if m["source"] != "guide-02.md"} == {
        i: m for i, m in before.items() if m["source"] != "guide-02.md"
    }
    got = VectorStore(corpus).collection.get(ids=list(new_ids - old_ids), include=["documents"])
    assert "Νέα πρόταση για την ενότητα δύο." in got["documents"][0]
    _assert_consistent(corpus)


def test_deleting_a_file_removes_its_chunks(corpus, counting_embeddings):
    (corpus.corpus_dir / "guide-03.md").unlink()
    report, embeddings = _run(corpus, counting_embeddings)
    assert {f.source: f.status for f in report.files} == {
        "guide-01.md": "unchanged",
        "guide-02.md": "unchanged",
        "guide-03.md": "removed",
    }
    assert embeddings.calls == 0
    metas, files = _state(corpus)
    assert {m["source"] for m in metas.values()} == {"guide-01.md", "guide-02.md"}
    assert set(files) == {"guide-01.md", "guide-02.md"}
    assert [g.source for g in index_status(corpus).guides] == ["guide-01.md", "guide-02.md"]
    _assert_consistent(corpus)


def test_a_new_file_is_the_only_one_embedded(corpus, counting_embeddings, write_guides, tmp_path):
    extra = write_guides(tmp_path / "more", 4, sections=3)[-1]  # guide-04.md
    (corpus.corpus_dir / "sub").mkdir()
    extra.rename(corpus.corpus_dir / "sub" / "guide-04.md")
    report, embeddings = _run(corpus, counting_embeddings)
    assert {f.source: f.status for f in report.files if f.status != "unchanged"} == {"sub/guide-04.md": "added"}
    assert report.embedded == len(embeddings.texts) == 3
    assert {g.guide_id for g in index_status(corpus).guides} >= {"sub/guide-04"}
    _assert_consistent(corpus)


def test_chunks_missing_from_the_store_are_restored(corpus, counting_embeddings):
    """The manifest is not trusted blindly: a chunk lost from Chroma is embedded again."""
    metas, _ = _state(corpus)
    lost = sorted(i for i, m in metas.items() if m["source"] == "guide-01.md")[0]
    VectorStore(corpus).delete([lost])
    report, embeddings = _run(corpus, counting_embeddings)
    assert {f.source: (f.status, f.embedded) for f in report.files} == {
        "guide-01.md": ("updated", 1),
        "guide-02.md": ("unchanged", 0),
        "guide-03.md": ("unchanged", 0),
    }
    assert len(embeddings.texts) == 1
    assert set(_state(corpus)[0]) == set(metas)
    _assert_consistent(corpus)


def test_ids_are_stable_across_fresh_ingests(corpus, tmp_path, counting_embeddings):
    """The same files give the same chunk ids anywhere: ids depend on relative path and content only."""
    elsewhere = tmp_path / "elsewhere"
    corpus.corpus_dir.rename(elsewhere)
    other = Settings(corpus_dir=elsewhere, data_dir=tmp_path / "other-data", **FAKE)
    Ingestor(other, embeddings=counting_embeddings(other)).run()
    assert set(_state(other)[0]) == set(_state(corpus)[0])


def test_files_that_are_not_guides_are_ignored(corpus, counting_embeddings):
    (corpus.corpus_dir / ".hidden.md").write_text("# Κρυφό\n\nΚείμενο.", encoding="utf-8")
    (corpus.corpus_dir / "~$guide-01.md").write_text("κλείδωμα επεξεργαστή", encoding="utf-8")
    (corpus.corpus_dir / ".git").mkdir()
    (corpus.corpus_dir / ".git" / "notes.md").write_text("# Σημειώσεις\n\nΚείμενο.", encoding="utf-8")
    report, embeddings = _run(corpus, counting_embeddings)
    assert [f.source for f in report.files] == FILES
    assert embeddings.calls == 0


def test_rebuild_embeds_everything_again(corpus, counting_embeddings):
    before, _ = _state(corpus)
    embeddings = counting_embeddings(corpus)
    report = Ingestor(corpus, embeddings=embeddings).run(rebuild=True)
    assert {f.status for f in report.files} == {"added"}
    assert report.embedded == len(embeddings.texts) == 9
    assert report.note == ""
    assert set(_state(corpus)[0]) == set(before)
    _assert_consistent(corpus)


def test_missing_corpus_folder_is_a_clear_error(fast_settings, tmp_path):
    settings = fast_settings().model_copy(update={"corpus_dir": Path(tmp_path / "no-such-folder")})
    with pytest.raises(IngestError, match="Corpus folder not found") as info:
        Ingestor(settings).run()
    assert "φάκελος" in info.value.el


def test_files_read_by_an_older_version_of_the_reader_are_read_again(corpus, counting_embeddings, monkeypatch):
    """When loading, cleaning or chunking changes (`READER_VERSION`), an upgraded install re-reads every
    file once instead of serving chunks the new code would not make; chunks that come out the same are
    not embedded again."""
    import ingest.pipeline as pipeline

    monkeypatch.setattr(pipeline, "READER_VERSION", pipeline.READER_VERSION + 1)
    report, embeddings = _run(corpus, counting_embeddings)
    assert [f.status for f in report.files] == ["updated"] * 3
    assert report.embedded == 0 and embeddings.calls == 0  # same chunks: nothing to embed
    _assert_consistent(corpus)
    report, _ = _run(corpus, counting_embeddings)
    assert [f.status for f in report.files] == ["unchanged"] * 3
