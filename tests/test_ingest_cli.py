"""`kalo ingest` and `kalo status` through the real CLI, and one writer at a time."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.core.errors import IndexBusyError
from ingest.pipeline import Ingestor, writer_lock


@pytest.fixture
def cli(fast_settings, write_guides):
    """Invoke `kalo …` with the settings pointed at a small corpus (two guides, two sections each),
    embedded with fake-hash."""
    settings = fast_settings()
    write_guides(settings.corpus_dir, 2)
    runner = CliRunner()
    env = {
        "KALO_CORPUS_DIR": str(settings.corpus_dir),
        "KALO_DATA_DIR": str(settings.data_dir),
        "KALO_EMBEDDING_BACKEND": settings.embedding_backend,
        "COLUMNS": "200",
    }

    def invoke(*args: str):
        return runner.invoke(app, list(args), env=env, catch_exceptions=False)

    invoke.settings = settings
    return invoke


def test_ingest_then_status(cli):
    result = cli("ingest")
    assert result.exit_code == 0, result.output
    assert "✓ guide-01.md: added (1 pages, 2 chunks, 2 embedded)" in result.output
    assert "2 files (2 added, 0 updated, 0 unchanged, 0 removed, 0 failed), 2 pages, 4 chunks, 4 embedded" in (
        result.stdout
    )

    result = cli("status")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "guide-0" in line]
    assert len(rows) == 2
    assert all("Οδηγός δοκιμής" in row and " 1 " in row and " 2 " in row for row in rows)
    assert "Embedding model: fake-hash/256" in result.stdout
    assert "Total: 2 guides, 2 pages, 4 chunks" in result.stdout

    result = cli("status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(g["source"], g["title"], g["pages"], g["chunks"]) for g in data["guides"]] == [
        ("guide-01.md", "Οδηγός δοκιμής 1", 1, 2),
        ("guide-02.md", "Οδηγός δοκιμής 2", 1, 2),
    ]
    assert data["chunks"] == 4 and data["pages"] == 2
    assert data["embedding_model"] == "fake-hash/256"


def test_second_ingest_reports_unchanged_as_json(cli):
    assert cli("ingest").exit_code == 0
    result = cli("ingest", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(f["source"], f["status"], f["embedded"]) for f in report["files"]] == [
        ("guide-01.md", "unchanged", 0),
        ("guide-02.md", "unchanged", 0),
    ]
    assert report["note"] == ""


def test_ingest_lists_skipped_files_and_still_succeeds(cli):
    (cli.settings.corpus_dir / "notes.xyz").write_text("άγνωστη μορφή", encoding="utf-8")
    result = cli("ingest")
    assert result.exit_code == 0, result.output
    assert "Skipped notes.xyz: unsupported format '.xyz'" in result.stdout
    assert "(2 added, 0 updated, 0 unchanged, 0 removed, 1 failed)" in result.stdout


def test_ingest_corpus_option(cli, write_guides, tmp_path):
    other = tmp_path / "other-guides"
    write_guides(other, 1)
    result = cli("ingest", "--corpus", str(other), "--json")
    assert result.exit_code == 0, result.output
    assert [f["source"] for f in json.loads(result.stdout)["files"]] == ["guide-01.md"]


def test_status_without_an_index(cli):
    result = cli("status")
    assert result.exit_code == 1
    assert "Run `kalo ingest`" in result.output
    assert "Traceback" not in result.output


def test_a_second_writer_is_refused(cli):
    settings = cli.settings
    with writer_lock(settings):
        with pytest.raises(IndexBusyError, match="Another ingestion is running") as info:
            Ingestor(settings).run()
        assert "Εκτελείται ήδη" in info.value.el
        with pytest.raises(IndexBusyError):
            with writer_lock(settings):
                pass
        result = cli("ingest")
        assert result.exit_code == 1
        assert "Another ingestion is running on this index" in result.output
    # Once the first writer is done, the lock is free again.
    assert Ingestor(settings).run().count("added") == 2
