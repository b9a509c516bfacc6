"""Ingestion of real documents into an index (fake-hash embeddings): titles unique and settable, the same
passage from two files indexed once and reported, taken back when its first file goes."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from fixtures.make import FIXTURE, SHARED_GUIDE_TITLE, gazette_extract, make_law_docx, make_shared_docx, make_shared_pdf

from ingest.pipeline import Ingestor, Manifest
from ingest.store import VectorStore

LAW_TITLE = "Ν. 3606/2007 — Αγορές χρηματοπιστωτικών μέσων και άλλες διατάξεις"


@pytest.fixture
def settings(make_settings):
    return make_settings(embedding_backend="fake-hash")


def _run(settings):
    report = Ingestor(settings).run()
    return {f.source: f for f in report.files}


def _stored(settings) -> list[dict]:
    return list(VectorStore(settings).all_metadata().values())


def test_titles_come_from_the_documents_and_are_distinct(settings):
    shutil.copy(FIXTURE, settings.corpus_dir / "3606_2007.pdf")
    make_law_docx(settings.corpus_dir / "4999_2021.docx")
    files = _run(settings)
    assert files["3606_2007.pdf"].title == LAW_TITLE
    assert files["4999_2021.docx"].title.startswith("Ν. 4999/2021 — ")
    titles = {m["source"]: m["guide_title"] for m in _stored(settings)}
    assert titles == {"3606_2007.pdf": LAW_TITLE, "4999_2021.docx": files["4999_2021.docx"].title}
    articles = {m["article"] for m in _stored(settings) if m["source"] == "3606_2007.pdf" and "article" in m}
    assert len(articles) == 90 and {m["act"] for m in _stored(settings) if "act" in m} == {
        "Ν. 3606/2007",
        "Ν. 4999/2021",
    }


def test_a_second_copy_gets_a_distinct_title_and_no_second_index_entry(settings):
    # Six pages of the issue are as much a copy as all forty, and read in a seventh of the time.
    gazette_extract(settings.corpus_dir / "a.pdf")
    shutil.copy(settings.corpus_dir / "a.pdf", settings.corpus_dir / "b.pdf")
    files = _run(settings)
    assert files["a.pdf"].title == LAW_TITLE and files["b.pdf"].title == f"{LAW_TITLE} (b.pdf)"
    copied = files["a.pdf"].chunks
    assert copied > 20 and files["b.pdf"].chunks == 0 and files["b.pdf"].duplicates == copied
    assert files["b.pdf"].duplicate_of == ["a.pdf"]
    assert {m["source"] for m in _stored(settings)} == {"a.pdf"}
    keys = Counter(m["text_key"] for m in _stored(settings))
    assert max(keys.values()) == 1  # every passage once

    # The first copy goes: the second takes its passages back (and its plain title).
    (settings.corpus_dir / "a.pdf").unlink()
    files = _run(settings)
    assert files["a.pdf"].status == "removed"
    assert files["b.pdf"].status == "updated" and files["b.pdf"].chunks == copied and files["b.pdf"].duplicates == 0
    assert {m["source"] for m in _stored(settings)} == {"b.pdf"}
    assert {m["guide_title"] for m in _stored(settings)} == {LAW_TITLE}


def test_the_same_guide_as_docx_and_pdf_is_indexed_once(settings):
    make_shared_docx(settings.corpus_dir / "odigos.docx")
    make_shared_pdf(settings.corpus_dir / "odigos.pdf")
    files = _run(settings)
    docx, pdf = files["odigos.docx"], files["odigos.pdf"]
    assert docx.chunks == 2 and pdf.duplicates == 2 and pdf.duplicate_of == ["odigos.docx"]
    assert docx.title == SHARED_GUIDE_TITLE and pdf.title == f"{SHARED_GUIDE_TITLE} (odigos.pdf)"
    stored = _stored(settings)
    assert len(stored) == len({m["text_key"] for m in stored})
    # An unchanged second run does nothing, and says so.
    again = _run(settings)
    assert {f.status for f in again.values()} == {"unchanged"}


def test_a_user_sets_a_title_in_titles_toml(settings):
    make_law_docx(settings.corpus_dir / "nomos.docx")
    _run(settings)
    (settings.corpus_dir / "titles.toml").write_text('"nomos.docx" = "Νόμος για την ΚΑΛΟ"\n', encoding="utf-8")
    files = _run(settings)
    assert "titles.toml" not in files  # the titles file is no guide
    assert files["nomos.docx"].status == "updated" and files["nomos.docx"].title == "Νόμος για την ΚΑΛΟ"
    assert files["nomos.docx"].embedded == files["nomos.docx"].chunks  # the title is embedded with each chunk
    assert {m["guide_title"] for m in _stored(settings)} == {"Νόμος για την ΚΑΛΟ"}
    manifest = Manifest(VectorStore(settings).served_settings.index_dir / "manifest.json").files
    assert manifest["nomos.docx"]["title"] == "Νόμος για την ΚΑΛΟ"
    assert _run(settings)["nomos.docx"].status == "unchanged"


def test_a_broken_titles_file_is_a_clear_error(settings):
    from assistant.core.errors import IngestError

    make_law_docx(settings.corpus_dir / "nomos.docx")
    (settings.corpus_dir / "titles.toml").write_text("nomos.docx = Νόμος\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"titles\.toml is not valid TOML"):
        Ingestor(settings).run()


def test_the_same_text_in_three_encodings_is_indexed_and_cited_once(fast_settings):
    """Finding 10 of #14: copies of one guide saved as UTF-8, UTF-16 (BOM) and ISO-8859-7 («Ά» is 0xA2 there,
    a pilcrow in cp1253) are one text: stored once, the other two reported as its duplicates, cited once."""
    from support import synthetic

    settings = fast_settings()
    synthetic.write_corpus(settings.corpus_dir)  # other guides beside them, as in a real corpus
    text = (
        "Άρθρο 1. Κοινωνικό παντοπωλείο\n\n"
        "Άπορες οικογένειες εγγράφονται στο κοινωνικό παντοπωλείο του Δήμου με βεβαίωση εισοδήματος. "
        "Ύστερα από έλεγχο των δικαιολογητικών, η κοινωνική υπηρεσία εκδίδει κάρτα προμηθειών για έξι μήνες.\n\n"
        "Άρθρο 2. Εθελοντές\n\n"
        "Όλοι οι εθελοντές του παντοπωλείου παρακολουθούν σεμινάριο υγιεινής τροφίμων πριν από την πρώτη βάρδια.\n"
    )
    copies = {"a-utf8.txt": "utf-8", "b-utf16.txt": "utf-16", "c-iso.txt": "iso-8859-7"}
    for name, encoding in copies.items():
        (settings.corpus_dir / name).write_bytes(text.encode(encoding))
    files = _run(settings)
    assert files["a-utf8.txt"].status == "added" and files["a-utf8.txt"].chunks > 0
    for copy in ("b-utf16.txt", "c-iso.txt"):
        assert files[copy].status == "added" and files[copy].duplicate_of == ["a-utf8.txt"], files[copy]
        assert files[copy].duplicates == files["a-utf8.txt"].chunks
    _ids, texts, metas = VectorStore(settings).all_documents()
    ours = [t for t, m in zip(texts, metas, strict=True) if m["source"] in copies]
    assert len(ours) == len(set(ours)) == files["a-utf8.txt"].chunks
    assert not any("¶" in t for t in texts)
    answer = synthetic.assistant(settings).ask("Τι παρακολουθούν οι εθελοντές πριν από την πρώτη βάρδια;")
    cited = [(s.section, s.excerpt) for s in answer.cited_sources]
    assert answer.found and "a-utf8.txt" in {s.source for s in answer.cited_sources}, answer.text
    assert len(cited) == len(set(cited)) and not {s.source for s in answer.sources} & {"b-utf16.txt", "c-iso.txt"}
