"""Scanned PDFs: a page with no text layer is rendered and read by Tesseract (Greek + English) when it is
installed; otherwise ingestion says what to install."""

from __future__ import annotations

import pytest
from fixtures.make import FONT, SCAN_LINES, make_scan

from assistant.core.errors import IngestError
from ingest import ocr
from ingest.chunk import chunk_document
from ingest.clean import clean_document
from ingest.inspect import inspect_file
from ingest.loaders import load

needs_tesseract = pytest.mark.skipif(bool(ocr.unavailable()), reason=ocr.unavailable() or "")


@needs_tesseract
def test_a_scanned_page_is_read_by_ocr(tmp_path):
    path = make_scan(tmp_path / "scan.pdf")
    doc = clean_document(load(path, "scan.pdf"))
    assert doc.notes.no_text_pages == [1] and doc.notes.ocr_pages == [1]
    text = doc.pages[0].text
    for line in SCAN_LINES:
        assert line in text, (line, text)
    chunks = chunk_document(doc, 1100, 150)
    assert [(c.section, c.article, c.page_start) for c in chunks] == [("Άρθρο 7 — Κοινωνικά παντοπωλεία", "άρθρο 7", 1)]


@needs_tesseract
def test_inspect_reports_ocr(tmp_path):
    report = inspect_file(make_scan(tmp_path / "scan.pdf"))
    assert any(w.startswith("OCR used on page(s) 1") for w in report.warnings)
    assert report.articles == 1


def test_without_tesseract_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "unavailable", lambda: "Tesseract is not installed: " + ocr.INSTALL_HINT)
    with pytest.raises(IngestError) as info:
        load(make_scan(tmp_path / "scan.pdf"), "scan.pdf")
    assert "no text layer" in info.value.en and "tesseract-ocr-ell" in info.value.en
    assert "tesseract-ocr-ell" in info.value.el


def test_a_page_without_text_among_text_pages_is_reported_when_ocr_is_missing(tmp_path, monkeypatch):
    from fpdf import FPDF
    from pypdf import PdfWriter

    pdf = FPDF()
    pdf.add_font("D", "", str(FONT))
    pdf.set_font("D", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Η πρώτη σελίδα έχει κανονικό κείμενο για τον οδηγό των Δήμων και των φορέων.")
    pdf.output(str(tmp_path / "text.pdf"))
    writer = PdfWriter(clone_from=tmp_path / "text.pdf")
    writer.append(make_scan(tmp_path / "scan.pdf"))
    writer.write(tmp_path / "mixed.pdf")

    monkeypatch.setattr(ocr, "unavailable", lambda: "Tesseract is not installed: " + ocr.INSTALL_HINT)
    doc = load(tmp_path / "mixed.pdf", "mixed.pdf")
    assert doc.notes.no_text_pages == [2] and doc.notes.ocr_pages == []
    assert any("without a text layer were not read" in w and "tesseract-ocr-ell" in w for w in doc.notes.warnings)
