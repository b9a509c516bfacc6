"""Bad files, each built inside the test: each fails alone with a clear reason, the batch goes on, and
nothing already in the index is lost."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import GREEK_SENTENCES, greek_guide
from fpdf import FPDF
from PIL import Image
from pypdf import PdfWriter
from support import synthetic

from assistant.core.settings import Settings
from ingest.pipeline import Ingestor, Manifest
from ingest.status import index_status
from ingest.store import VectorStore

GREEK = re.compile(r"[α-ωά-ώΑ-ΩΆ-Ώ]")
PAGES = [
    (f"{n}. {title}", " ".join(GREEK_SENTENCES[n * 3 : n * 3 + 4])) for n, title in ((1, "Εισαγωγή"), (2, "Εργαλεία"))
]


def text_pdf(path: Path) -> Path:
    return synthetic.text_pdf(path, PAGES, title="Οδηγός PDF")


def encrypt(path: Path, password: str = "secret") -> None:
    writer = PdfWriter(clone_from=path)
    writer.encrypt(password)
    with path.open("wb") as f:
        writer.write(f)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def image_only_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(120, 120, 120)
    pdf.rect(20, 20, 120, 80, style="F")  # a "scan": shapes and pixels, no text layer
    pdf.image(Image.new("RGB", (64, 64), (200, 180, 160)), x=20, y=110, w=60)
    pdf.output(str(path))
    return path


# Each bad file: how it is made, and words its English reason must contain.
BAD_FILES = {
    "encrypted.pdf": (lambda p: encrypt(text_pdf(p)), ["encrypted", "password"]),
    "corrupt.pdf": (lambda p: truncate(text_pdf(p)), ["corrupt", "PDF"]),
    "empty.md": (lambda p: p.write_bytes(b""), ["empty", "0 bytes"]),
    "scan.pdf": (image_only_pdf, ["no text layer", "OCR"]),
    "huge.txt": (lambda p: p.write_text("Πολύ μεγάλο αρχείο κειμένου. " * 1200, encoding="utf-8"), ["too large", "MB"]),
    "notes.xyz": (lambda p: p.write_text("Σημειώσεις σε άγνωστη μορφή.", encoding="utf-8"), ["unsupported", ".xyz"]),
    "broken.docx": (lambda p: p.write_bytes(b"PK\x03\x04 not a real archive"), ["corrupt", "DOCX"]),
}


def make_batch(root: Path):
    """Three good guides among the bad files; the size limit (20 KB) only catches huge.txt (~65 KB)."""
    settings = Settings(corpus_dir=root / "corpus", data_dir=root / "data", max_file_mb=0.02, **synthetic.FAKE)
    settings.corpus_dir.mkdir(parents=True)
    for n in (1, 2):
        (settings.corpus_dir / f"guide-{n:02d}.md").write_text(greek_guide(n), encoding="utf-8")
    text_pdf(settings.corpus_dir / "good.pdf")
    for name, (make, _) in BAD_FILES.items():
        make(settings.corpus_dir / name)
    return settings, Ingestor(settings).run()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One run over the mixed batch, shared by the read-only tests of this module."""
    root = tmp_path_factory.mktemp("bad-batch")
    with pytest.MonkeyPatch.context() as mp:  # module scope: isolate from KALO_* and kalo.toml by hand
        for key in [k for k in os.environ if k.startswith("KALO_")]:
            mp.delenv(key)
        mp.setenv("KALO_CONFIG", str(root / "no-such-kalo.toml"))
        return make_batch(root)


def test_good_files_are_ingested_despite_bad_ones(batch):
    settings, report = batch
    statuses = {f.source: f.status for f in report.files}
    assert statuses == {"guide-01.md": "added", "guide-02.md": "added", "good.pdf": "added"} | {
        name: "failed" for name in BAD_FILES
    }
    assert [g.source for g in index_status(settings).guides] == ["good.pdf", "guide-01.md", "guide-02.md"]
    assert set(Manifest(VectorStore(settings).served_settings.index_dir / "manifest.json").files) == {"good.pdf", "guide-01.md", "guide-02.md"}
    assert {m["source"] for m in VectorStore(settings).all_metadata().values()} == {
        "good.pdf",
        "guide-01.md",
        "guide-02.md",
    }


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_bad_file_fails_with_a_clear_reason(batch, name):
    _, report = batch
    (failed,) = [f for f in report.failed if f.source == name]
    _, words = BAD_FILES[name]
    for word in words:
        assert word in failed.reason, failed.reason
    assert "\n" not in failed.reason and "Traceback" not in failed.reason
    assert "unexpected error" not in failed.reason  # a known failure, explained, not a stack trace
    assert len(failed.reason) < 200
    assert GREEK.search(failed.reason_el), failed.reason_el
    assert "\n" not in failed.reason_el
    assert failed.chunks == 0 and failed.embedded == 0


def test_failed_files_are_retried_and_recovered(tmp_path, counting_embeddings):
    settings, _ = make_batch(tmp_path)
    # Fixed by the user, with text of its own (a copy of good.pdf would be indexed once, as a duplicate).
    fixed = [(heading, f"{body} Η διορθωμένη έκδοση του αρχείου ανέβηκε ξανά από τον χρήστη.") for heading, body in PAGES]
    synthetic.text_pdf(settings.corpus_dir / "corrupt.pdf", fixed, title="Οδηγός PDF")
    embeddings = counting_embeddings(settings)
    report = Ingestor(settings, embeddings=embeddings).run()
    statuses = {f.source: f.status for f in report.files}
    assert statuses["corrupt.pdf"] == "added"
    assert {s for n, s in statuses.items() if n in {"good.pdf", "guide-01.md", "guide-02.md"}} == {"unchanged"}
    assert {n for n, s in statuses.items() if s == "failed"} == set(BAD_FILES) - {"corrupt.pdf"}
    assert report.embedded == len(embeddings.texts) > 0
    assert all("Οδηγός PDF" in t for t in embeddings.texts)


@pytest.mark.parametrize(
    "spoil",
    [truncate, encrypt, lambda p: p.write_bytes(b""), lambda p: image_only_pdf(p)],
    ids=["truncated", "encrypted", "emptied", "text-layer-lost"],
)
def test_a_file_that_became_bad_keeps_its_old_chunks(fast_settings, write_guides, spoil):
    settings = fast_settings()
    write_guides(settings.corpus_dir, 1)
    pdf = text_pdf(settings.corpus_dir / "odigos.pdf")
    Ingestor(settings).run()
    before = VectorStore(settings).all_metadata()
    manifest_before = Manifest(VectorStore(settings).served_settings.index_dir / "manifest.json").files
    assert {m["source"] for m in before.values()} == {"odigos.pdf", "guide-01.md"}

    spoil(pdf)
    report = Ingestor(settings).run()
    assert {f.source: f.status for f in report.files} == {"guide-01.md": "unchanged", "odigos.pdf": "failed"}
    assert VectorStore(settings).all_metadata() == before  # nothing already in the index is lost
    assert Manifest(VectorStore(settings).served_settings.index_dir / "manifest.json").files == manifest_before
    status = {g.source: g for g in index_status(settings).guides}
    assert status["odigos.pdf"].pages == 2 and status["odigos.pdf"].chunks > 0


def test_encrypted_pdf_with_empty_user_password_is_read(fast_settings):
    """Many "protected" PDFs only restrict printing: they open without a password and are ingested."""
    settings = fast_settings()
    pdf = text_pdf(settings.corpus_dir / "restricted.pdf")
    writer = PdfWriter(clone_from=pdf)
    writer.encrypt(user_password="", owner_password="owner-secret")
    with pdf.open("wb") as f:
        writer.write(f)
    report = Ingestor(settings).run()
    assert [(f.source, f.status) for f in report.files] == [("restricted.pdf", "added")]
