"""Sentence vectors beside the index (ingest/sentences.py): a chunk is also ranked by its closest sentence,
the vectors are kept up to date by ingestion without embedding a sentence twice, and a reader without them
builds them once. About the mechanism, not the model: fake-hash vectors."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from assistant.service import Assistant
from ingest.lexical import LexicalIndex
from ingest.pipeline import Ingestor
from ingest.sentences import SentenceIndex, sentence_texts

# One point among many (section A) against a short passage that shares half the question's words (B).
MANY_POINTS = """# Οδηγός για συνεταιρισμούς

## 1. Η καθημερινή λειτουργία

Το πρωί ο συνεταιρισμός ανοίγει το εργαστήριο στις οκτώ και καθαρίζει τους πάγκους εργασίας.
Τα μέλη μοιράζονται τις βάρδιες κάθε Δευτέρα σε σύντομη συνάντηση στο γραφείο.
Η αποθήκη απογράφεται στο τέλος κάθε μήνα από δύο μέλη που ορίζει η διοίκηση.
Η ετήσια αποτίμηση της συνεργασίας με τον Δήμο γίνεται από κοινού με τα στελέχη του.
Οι πελάτες εξυπηρετούνται και τηλεφωνικά, με ραντεβού που κλείνεται μία μέρα νωρίτερα.
Το λογιστήριο στέλνει τα τιμολόγια στους προμηθευτές μέσα σε δέκα εργάσιμες ημέρες.
Τα απορρίμματα του εργαστηρίου ανακυκλώνονται σε συνεργασία με την τοπική κοινότητα.

## 2. Σχέσεις με φορείς

Η συνεργασία με τα στελέχη του Δήμου ξεκινά με μια πρώτη συνάντηση.
"""
QUESTION = "Πώς γίνεται η ετήσια αποτίμηση της συνεργασίας με τα στελέχη του Δήμου;"


def _index(make_settings, tmp_path, **overrides):
    corpus = tmp_path / "guides"
    corpus.mkdir(exist_ok=True)
    (corpus / "synetairismos.md").write_text(MANY_POINTS, encoding="utf-8")
    settings = make_settings(corpus_dir=corpus, embedding_backend="fake-hash", **overrides)
    Ingestor(settings).run()
    return settings


def _first_section(settings) -> str:
    docs = Assistant(settings).retriever(mode="dense").invoke(QUESTION)
    return docs[0].metadata["section"]


@pytest.mark.parametrize("exact", [True, False], ids=["in-memory", "through-chroma"])
def test_a_chunk_is_found_by_the_one_sentence_that_answers_the_question(make_settings, tmp_path, exact):
    """Averaged with six unrelated points, the answering sentence's chunk loses to a short passage that
    shares fewer of the question's words; ranked also by its closest sentence, it comes first — whether
    dense search is exact in memory or Chroma's (collections beyond `exact_search_max`)."""
    size = {} if exact else {"exact_search_max": 0}
    assert _first_section(_index(make_settings, tmp_path, sentence_weight=0, **size)).startswith("2.")
    assert _first_section(_index(make_settings, tmp_path, data_dir=tmp_path / "d2", **size)).startswith("1.")


def test_the_index_status_counts_the_sentence_vectors(make_settings, tmp_path):
    from ingest.status import index_status

    settings = _index(make_settings, tmp_path)
    assert index_status(settings).sentences == len(SentenceIndex.load(settings.index_dir / "sentences").chunk_ids) > 0
    assert index_status(_index(make_settings, tmp_path, data_dir=tmp_path / "off", sentence_weight=0)).sentences == 0


def test_each_sentence_is_embedded_with_its_sections_title():
    texts = sentence_texts(
        "Πρώτη πρόταση εδώ μέσα. Δεύτερη πρόταση εδώ.\nΤίτλος\n- Ένα στοιχείο λίστας εδώ",
        {"section": "4. Βήματα > 4.2 Χαρτογράφηση"},
    )
    assert texts == [
        "4.2 Χαρτογράφηση: Πρώτη πρόταση εδώ μέσα.",
        "4.2 Χαρτογράφηση: Δεύτερη πρόταση εδώ.",
        "4.2 Χαρτογράφηση: - Ένα στοιχείο λίστας εδώ",
    ]  # a one-word caption is no sentence of its own


def test_ingestion_embeds_only_new_sentences_and_drops_removed_ones(make_settings, tmp_path, counting_embeddings):
    settings = _index(make_settings, tmp_path)
    path = settings.index_dir / "sentences"
    first = SentenceIndex.load(path)
    assert first is not None and len(first.chunk_ids) == len(set(first.keys)) >= 8

    guide = settings.corpus_dir / "synetairismos.md"
    guide.write_text(
        MANY_POINTS + "\nΗ δεύτερη συνάντηση ορίζει τους υπεύθυνους επικοινωνίας των δύο πλευρών.\n", encoding="utf-8"
    )
    embeddings = counting_embeddings(settings)
    Ingestor(settings, embeddings=embeddings).run()
    after = SentenceIndex.load(path)
    # The changed chunk is embedded again; of its sentences only the one added.
    assert len(embeddings.texts) == 1
    assert embeddings.sentences == ["2. Σχέσεις με φορείς: Η δεύτερη συνάντηση ορίζει τους υπεύθυνους επικοινωνίας των δύο πλευρών."]
    assert len(after.chunk_ids) == len(first.chunk_ids) + 1
    assert len(list(path.glob("vectors*.npy"))) == 1  # earlier builds' files are removed
    assert np.allclose(first.vectors[0], after.vectors[0])  # the first build, mapped before, is still readable

    guide.unlink()
    Ingestor(settings).run()
    assert SentenceIndex.load(path).chunk_ids == []


def test_a_reader_without_sentence_vectors_builds_them_once(make_settings, tmp_path):
    """An index written before sentence vectors existed, or read from a Chroma server on another machine,
    has none beside it: the first reader embeds them from the collection and saves them."""
    settings = _index(make_settings, tmp_path)
    path = settings.index_dir / "sentences"
    saved = SentenceIndex.load(path)
    shutil.rmtree(path)
    assert _first_section(settings).startswith("1.")
    rebuilt = SentenceIndex.load(path)
    assert rebuilt is not None and rebuilt.chunk_ids == saved.chunk_ids
    assert np.allclose(rebuilt.vectors, saved.vectors)


@pytest.mark.parametrize("damage", ["truncated", "other-model"])
def test_damaged_or_foreign_sentence_vectors_are_not_used(make_settings, tmp_path, damage):
    settings = _index(make_settings, tmp_path)
    path = settings.index_dir / "sentences"
    if damage == "truncated":
        (vectors,) = path.glob("vectors-*.npy")
        vectors.write_bytes(b"\x93NUMPY garbage")
        assert SentenceIndex.load(path) is None
    else:
        found = SentenceIndex.load(path)
        assert not found.matches(found.chunk_ids, "another/model")
    assert _first_section(settings).startswith("1.")  # rebuilt on opening, and used


def test_ingest_progress_shows_the_sentences_being_embedded(make_settings, tmp_path):
    """A front end is told of the sentence vectors as one more item, so a long last phase is not silent."""
    from ingest.sidecars import SENTENCES_LABEL

    class Recorder:
        def __init__(self) -> None:
            self.files: list[tuple[str, int]] = []
            self.embedded_total: dict[str, int] = {}

        def start(self, total_files: int) -> None: ...

        def file(self, source: str, total_chunks: int) -> None:
            self.files.append((source, total_chunks))

        def embedded(self, n: int) -> None:
            source = self.files[-1][0]
            self.embedded_total[source] = self.embedded_total.get(source, 0) + n

        def done(self, report) -> None: ...

    corpus = tmp_path / "guides"
    corpus.mkdir()
    (corpus / "synetairismos.md").write_text(MANY_POINTS, encoding="utf-8")
    settings = make_settings(corpus_dir=corpus, embedding_backend="fake-hash")
    recorder = Recorder()
    Ingestor(settings).run(progress=recorder)
    sentences = len(set(SentenceIndex.load(settings.index_dir / "sentences").keys))
    assert recorder.files[-1] == (SENTENCES_LABEL, sentences)
    assert recorder.embedded_total[SENTENCES_LABEL] == sentences


def test_a_reader_that_cannot_write_beside_the_index_still_answers(make_settings, tmp_path, monkeypatch, caplog):
    """A read-only copy of the index (a shared folder, a container image) that lacks the BM25 index and the
    sentence vectors: the reader builds them in memory and answers; only saving them is given up, with a
    warning. (Saving is made to fail as a read-only folder does: the tests may run as root.)"""
    settings = _index(make_settings, tmp_path)
    shutil.rmtree(settings.index_dir / "sentences")
    shutil.rmtree(settings.index_dir / "bm25")

    def read_only(self, folder):
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(SentenceIndex, "save", read_only)
    monkeypatch.setattr(LexicalIndex, "save", read_only)
    assert _first_section(settings).startswith("1.")  # by its closest sentence: the vectors were built
    docs = Assistant(settings).retriever(mode="bm25").invoke(QUESTION)
    assert docs and "ετήσια αποτίμηση" in docs[0].page_content
    assert "not saved" in caplog.text and "Permission denied" in caplog.text
    assert not (settings.index_dir / "sentences").exists() and not (settings.index_dir / "bm25").exists()
