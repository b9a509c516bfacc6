"""`kalo ask` and `kalo chat` through the real typer app, on the session's ingested bundled corpus."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from assistant.answer import NOT_FOUND
from assistant.cli import app

START = "Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli_env(monkeypatch, bundled_settings):
    monkeypatch.setenv("KALO_CORPUS_DIR", str(bundled_settings.corpus_dir))
    monkeypatch.setenv("KALO_DATA_DIR", str(bundled_settings.data_dir))
    return bundled_settings


def squash(text: str) -> str:
    """Terminal output wraps at its width: compare it with every run of whitespace as one space."""
    return re.sub(r"\s+", " ", text)


def test_ask_json_gives_the_answer_and_its_sources(runner, cli_env):
    result = runner.invoke(app, ["ask", START, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["question"] == START
    assert data["found"] is True
    assert data["answerer"] == "extractive"
    assert data["text"].startswith("Σύμφωνα με τον οδηγό «Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ»:")
    assert "1. **6.1 Χαρτογράφηση αναγκών**" in data["text"]
    assert data["cited"] == [1, 2, 3, 4, 5, 6, 7]
    assert data["removed_citations"] == [] and data["uncited_sentences"] == []
    sources = data["sources"]
    assert [s["n"] for s in sources] == list(range(1, len(sources) + 1))
    for s in sources[:7]:
        assert s["cited"] is True
        assert s["guide_id"] == "synergasia-ota-kalo"
        assert s["guide_title"] == "Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ"
        assert s["source"] == "synergasia-ota-kalo.pdf"
        assert s["section"].startswith("6. Βήμα προς βήμα: πώς ξεκινά μια συνεργασία > 6.")
        assert 1 <= s["page_start"] <= s["page_end"]
        assert s["excerpt"] and s["excerpt"].split(" … ")[0] in s["text"]
    assert sources[0]["section"].endswith("6.1 Χαρτογράφηση αναγκών")
    assert (sources[0]["page_start"], sources[0]["page_end"]) == (11, 11)


def test_ask_json_for_an_out_of_scope_question(runner, cli_env):
    result = runner.invoke(app, ["ask", "Τι καιρό θα κάνει αύριο;", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["found"] is False
    assert data["text"] == NOT_FOUND
    assert data["sources"] == [] and data["cited"] == []
    assert 1 <= len(data["suggestions"]) <= 3
    assert all({"guide_id", "section", "page_start", "page_end"} <= set(s) for s in data["suggestions"])


def test_ask_greeklish_with_an_audience(runner, cli_env):
    result = runner.invoke(app, ["ask", "ti typoi diktywn yparxoun", "--audience", "kalo", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["found"] is True
    assert data["standalone_question"] == "τι τύποι δικτύων υπάρχουν"  # in the guides' spelling
    assert data["sources"][0]["guide_id"] == "diktyosi-foreon-kalo"
    assert data["sources"][0]["section"].startswith("5. Τύποι δικτύων")


def test_ask_prints_the_answer_and_the_cited_sources(runner, cli_env):
    result = runner.invoke(app, ["ask", START])
    assert result.exit_code == 0, result.output
    out = squash(result.stdout)
    assert "Σύμφωνα με τον οδηγό «Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ»" in out
    assert "6.1 Χαρτογράφηση αναγκών" in out and "6.7 Παρακολούθηση και αξιολόγηση" in out
    assert "Sources" in out
    assert "[1] Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ — 6. Βήμα προς βήμα" in out
    assert "(p. 11) synergasia-ota-kalo.pdf" in out
    assert "«Καταγράφουμε ποια ανάγκη θέλουμε να καλύψουμε" in out


def test_ask_rejects_an_unknown_audience(runner, cli_env):
    result = runner.invoke(app, ["ask", START, "--audience", "mayor"])
    assert result.exit_code == 2
    assert "audience must be one of: municipal, kalo" in squash(result.output)


def test_ask_without_an_index_says_to_run_ingest(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("KALO_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("KALO_DATA_DIR", str(tmp_path / "empty-data"))
    result = runner.invoke(app, ["ask", START, "--json"])
    assert result.exit_code == 1
    assert "Run `kalo ingest` first." in squash(result.stderr)
    assert "Traceback" not in result.output
    assert result.stdout == ""  # nothing on stdout that a JSON reader could mistake for a result


def test_chat_answers_and_follows_up(runner, cli_env):
    result = runner.invoke(app, ["chat"], input=f"{START}\nκαι μετά;\n/exit\n")
    assert result.exit_code == 0, result.output
    out = squash(result.stdout)
    assert out.startswith("Βοηθός ΚΑΛΟ")
    # Both turns are answered from the steps: the follow-up leaned on the first question.
    assert out.count("6.2 Εντοπισμός φορέων — Εντοπίζουμε") == 2
    assert NOT_FOUND not in out
    assert out.count("Sources") == 2


def test_chat_new_conversation_forgets_the_history(runner, cli_env):
    result = runner.invoke(app, ["chat"], input=f"{START}\n/new\nκαι μετά;\n")  # ends at end of input
    assert result.exit_code == 0, result.output
    out = squash(result.stdout)
    assert "Νέα συνομιλία." in out
    after = out.split("Νέα συνομιλία.", 1)[1]
    assert NOT_FOUND in after and "Closest sections" in after


def test_chat_without_an_index_reports_and_goes_on(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("KALO_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("KALO_DATA_DIR", str(tmp_path / "empty-data"))
    result = runner.invoke(app, ["chat"], input="Τι τύποι δικτύων υπάρχουν;\n/exit\n")
    assert result.exit_code == 0
    assert "Run `kalo ingest` first." in squash(result.stderr)
