"""The query-time snapshot (assistant/snapshot.py): the same answers as reading Chroma, opened without
Chroma when it matches the collection, rebuilt when it does not."""

from __future__ import annotations

import json

import pytest
from support import synthetic

from assistant import snapshot
from assistant.core.errors import ModelMismatchError
from assistant.retrieve import HybridSearch, SearchIndex
from ingest.embed import get_embeddings
from ingest.lexical import fingerprint
from ingest.store import VectorStore

QUESTIONS = [
    "Πώς ξεκινά η συνεργασία με φορέα ΚΑΛΟ;",
    "τι χρειάζεται για ένα κοινωνικό παντοπωλείο",
    "pws ginetai i axiologisi",
    "Ποια είναι τα βήματα;",
]


@pytest.fixture
def ingested(tmp_path):
    synthetic.write_corpus(tmp_path / "corpus")
    settings = synthetic.fake_settings(tmp_path)
    report = synthetic.assistant(settings).ingest()
    assert not report.failed
    return settings


def open_index(settings) -> tuple[SearchIndex, VectorStore]:
    store = VectorStore(settings)
    return SearchIndex.open(settings, get_embeddings(settings), store), store


def answers(index: SearchIndex) -> list:
    out = []
    for question in QUESTIONS:
        got = HybridSearch(index=index).retrieve(question, whole=True)
        out.append(
            (
                [(p.chunk_id, round(p.dense, 6), round(p.fused, 6)) for p in got.passages],
                round(got.top_dense, 6),
                round(got.median_dense, 6),
                got.idf,
                got.unknown,
                got.query.text,
            )
        )
    return out


def test_the_snapshot_answers_as_chroma_does_and_needs_no_chroma(ingested):
    snapshot_dir = snapshot.folder(ingested)
    if snapshot_dir.exists():  # whatever ingestion left: the first open below must read Chroma
        for f in snapshot_dir.iterdir():
            f.unlink()
        snapshot_dir.rmdir()
    from_chroma, _ = open_index(ingested)
    assert (snapshot_dir / "meta.json").exists()
    from_snapshot, store = open_index(ingested)
    assert store._client is None  # the embedded store was never opened
    assert answers(from_snapshot) == answers(from_chroma)
    assert from_snapshot.doc_freq == from_chroma.doc_freq
    assert from_snapshot.sections == from_chroma.sections and from_snapshot.children == from_chroma.children
    assert from_snapshot.orthography.by_form == from_chroma.orthography.by_form
    assert from_snapshot.row_ids == from_chroma.row_ids
    assert (from_snapshot.matrix == from_chroma.matrix).all()


def test_a_changed_collection_rebuilds_the_snapshot(ingested):
    first, _ = open_index(ingested)
    before = json.loads((snapshot.folder(ingested) / "meta.json").read_text())
    guide = ingested.corpus_dir / "zz_new.md"
    guide.write_text("# Νέος οδηγός\n\n## Κομποστοποίηση\n\nΟ δήμος μοιράζει κάδους κομποστοποίησης στα σχολεία.\n")
    report = synthetic.assistant(ingested).ingest()
    assert not report.failed
    second, _ = open_index(ingested)
    after = json.loads((snapshot.folder(ingested) / "meta.json").read_text())
    assert after["key"] != before["key"] and after["count"] > before["count"]
    assert set(second.row_ids) > set(first.row_ids)
    assert any("zz_new" in m.get("source", "") for _, m in second.passages.values())
    assert second.lexical.fingerprint == fingerprint(second.row_ids)


def test_an_unrecognised_snapshot_is_rebuilt_from_chroma(ingested):
    open_index(ingested)
    meta_path = snapshot.folder(ingested) / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps(meta | {"format": -1}))
    index, store = open_index(ingested)
    assert store._client is not None  # had to read Chroma
    assert json.loads(meta_path.read_text())["format"] == snapshot.FORMAT_VERSION
    assert index.n_docs == meta["count"]


def test_another_model_is_still_refused(ingested):
    open_index(ingested)
    other = ingested.model_copy(update={"embedding_backend": "e5-bundled"})
    with pytest.raises(ModelMismatchError):
        SearchIndex.open(other, get_embeddings(other), VectorStore(other))


def test_a_metadata_change_alone_rebuilds_the_snapshot(ingested):
    first, store = open_index(ingested)
    cid = first.row_ids[0]
    meta = dict(first.passages[cid][1]) | {"guide_title": "Άλλος τίτλος"}
    store.collection.update(ids=[cid], metadatas=[meta])  # same ids, as a retitled guide would be
    second, _ = open_index(ingested)
    assert second.passages[cid][1]["guide_title"] == "Άλλος τίτλος"


def test_threads_opening_at_once_all_get_the_index(ingested):
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    shutil.rmtree(snapshot.folder(ingested), ignore_errors=True)
    with ThreadPoolExecutor(4) as pool:
        opened = list(pool.map(lambda _: open_index(ingested)[0], range(4)))
    assert len({tuple(index.row_ids) for index in opened}) == 1
    assert [p.name for p in snapshot.folder(ingested).parent.iterdir() if p.name.startswith("snapshot")] == ["snapshot"]
    assert open_index(ingested)[1]._client is None  # and what was left is valid


def test_a_process_opening_from_the_snapshot_does_not_stem_the_corpus_again(ingested, monkeypatch):
    from assistant.core import greek_text

    open_index(ingested)  # builds and saves the snapshot
    snap = snapshot.load(ingested, get_embeddings(ingested).model_id, exact_max=ingested.exact_search_max)
    assert snap is not None and snap.stems
    assert snap.stems == {w: greek_text.stem(w) for text in snap.texts for w in greek_text.words(text)}
    # A new process: nothing stemmed yet. Opening from the snapshot seeds every corpus word's stem.
    monkeypatch.setattr(greek_text, "_STEMS", {})
    greek_text._tokens.cache_clear()
    stemmed: list[str] = []
    real = greek_text._stem
    monkeypatch.setattr(greek_text, "_stem", lambda word: stemmed.append(word) or real(word))
    _index, store = open_index(ingested)
    assert store._client is None
    keys = [greek_text.tokens(text) for text in snap.texts]
    assert stemmed == []
    assert sum(len(k) for k in keys) > 100
    greek_text._tokens.cache_clear()
    assert "αστροναυτεσ" not in snap.stems and "γαλαξιεσ" not in snap.stems
    greek_text.tokens("αστροναύτες στους γαλαξίες")  # words the corpus never had are stemmed as usual
    assert stemmed == ["αστροναυτεσ", "γαλαξιεσ"]
