"""`kalo inspect FILE`: what ingestion understands of one file, with nothing written to the index."""

from __future__ import annotations

import json

from fixtures.make import FIXTURE, make_word_guide
from typer.testing import CliRunner

from assistant.cli import app
from ingest.inspect import inspect_file


def test_report_on_the_gazette():
    report = inspect_file(FIXTURE, samples=3)
    assert report.title == "Ν. 3606/2007 — Αγορές χρηματοπιστωτικών μέσων και άλλες διατάξεις"
    assert report.act == "Ν. 3606/2007" and report.kind == "pdf" and report.pages == 40
    assert report.structure == "legal" and report.articles == 90
    assert report.headings[0].title == "ΜΕΡΟΣ ΠΡΩΤΟ — ΑΓΟΡΕΣ ΧΡΗΜΑΤΟΠΙΣΤΩΤΙΚΩΝ ΜΕΣΩΝ" and report.headings[0].page == 1
    eleven = next(h for h in report.headings if h.article == "άρθρο 11")
    assert eleven.page == 7 and eleven.title == "Άρθρο 11 — Προϋποθέσεις χορήγησης άδειας λειτουργίας ΑΕΠΕΥ"
    assert report.chunks > 200 and len(report.samples) == 3 and all(s.article for s in report.samples)
    warnings = " | ".join(report.warnings)
    assert "broken hyphenations repaired" in warnings
    assert "running header/footer removed: «ΕΦΗΜΕΡΙΣ ΤΗΣ ΚΥΒΕΡΝΗΣΕΩΣ" in warnings
    assert "look-alike" in warnings
    json.dumps(report.to_dict(), ensure_ascii=False, default=str)


def test_report_says_when_a_table_of_contents_is_skipped(tmp_path):
    path = tmp_path / "odigos.txt"
    body = "Η αρμόδια υπηρεσία εξετάζει την αίτηση μέσα σε τριάντα ημέρες."
    path.write_text(
        "Οδηγός\nΠεριεχόμενα\n1. Εισαγωγή ....... 2\n2. Εργαλεία ....... 2\n3. Κίνδυνοι ....... 3\n"
        f"\f1. Εισαγωγή\n{body} Πρώτο.\n2. Εργαλεία\n{body} Δεύτερο.\n\f3. Κίνδυνοι\n{body} Τρίτο.\n",
        encoding="utf-8",
    )
    report = inspect_file(path)
    assert report.structure == "numbered" and [h.title for h in report.headings] == [
        "1. Εισαγωγή",
        "2. Εργαλεία",
        "3. Κίνδυνοι",
    ]
    assert "table of contents skipped (page(s) 1)" in report.warnings


def test_cli_prints_the_report_and_leaves_no_index(tmp_path, monkeypatch):
    monkeypatch.setenv("KALO_DATA_DIR", str(tmp_path / "data"))
    path = make_word_guide(tmp_path / "odigos.pdf")
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "Οδηγός κοινωνικής καινοτομίας για Δήμους" in result.output
    assert "Structure: font" in result.output and "Ο ρόλος των φορέων" in result.output
    as_json = CliRunner().invoke(app, ["inspect", str(FIXTURE), "--json", "--samples", "1"])
    data = json.loads(as_json.output)
    assert data["articles"] == 90 and data["act"] == "Ν. 3606/2007" and len(data["samples"]) == 1
    assert not (tmp_path / "data").exists()  # nothing was indexed


def test_cli_rejects_what_no_loader_reads(tmp_path):
    path = tmp_path / "notes.xyz"
    path.write_text("σημειώσεις", encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 1 and "unsupported format" in result.output
