"""`kalo ask` and `kalo chat` through the real typer app, over the session's synthetic guides (fake-hash
embeddings; the bundled corpus with the real model is in test_golden.py)."""

from __future__ import annotations

import json
import re

import pytest
from support.synthetic import ENERGY, PANTRIES, config_toml
from typer.testing import CliRunner

from assistant.answer import NOT_FOUND
from assistant.cli import app
from assistant.core.types import Turn
from assistant.reader import Reader

GRANT = "Ποια είναι η μέγιστη επιχορήγηση του προγράμματος Ηλιαχτίδα;"
WHAT = "Τι είναι μια ενεργειακή κοινότητα;"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli_env(monkeypatch, synthetic_settings, tmp_path):
    """The CLI's settings point at the synthetic index (and its embedding backend, via a kalo.toml)."""
    config = tmp_path / "kalo.toml"
    config.write_text(config_toml(), encoding="utf-8")
    monkeypatch.setenv("KALO_CONFIG", str(config))
    monkeypatch.setenv("KALO_CORPUS_DIR", str(synthetic_settings.corpus_dir))
    monkeypatch.setenv("KALO_DATA_DIR", str(synthetic_settings.data_dir))
    return synthetic_settings


def squash(text: str) -> str:
    """Terminal output wraps at its width: compare it with every run of whitespace as one space."""
    return re.sub(r"\s+", " ", text)


def test_ask_json_gives_the_answer_and_its_sources(runner, cli_env):
    result = runner.invoke(app, ["ask", GRANT, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["question"] == GRANT
    assert data["found"] is True and data["answerer"] == "extractive"
    assert "12.345 ευρώ" in data["text"]
    assert data["cited"] == sorted({int(n) for n in re.findall(r"\[(\d+)\]", data["text"])})
    assert data["removed_citations"] == []
    sources = data["sources"]
    assert [s["n"] for s in sources] == list(range(1, len(sources) + 1))
    first = sources[0]
    assert first["cited"] is True and first["n"] in data["cited"]
    assert (first["guide_id"], first["source"], first["section"]) == (ENERGY, f"{ENERGY}.md", "Χρηματοδότηση")
    assert first["guide_title"] == "Ενεργειακές Κοινότητες Δήμων και Πολιτών"
    assert (first["page_start"], first["page_end"]) == (1, 1)
    assert first["excerpt"] and first["excerpt"].split(" … ")[0] in first["text"]


def test_ask_json_for_an_out_of_scope_question(runner, cli_env):
    result = runner.invoke(app, ["ask", "Τι καιρό θα κάνει αύριο;", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["found"] is False
    assert data["text"].startswith(NOT_FOUND)
    assert data["sources"] == [] and data["cited"] == []
    assert 1 <= len(data["suggestions"]) <= 3
    assert all({"guide_id", "section", "page_start", "page_end"} <= set(s) for s in data["suggestions"])


def test_ask_greeklish_with_an_audience(runner, cli_env):
    question = "pws eggrafetai enas wfeloumenos sto koinoniko pantopwleio"
    result = runner.invoke(app, ["ask", question, "--audience", "kalo", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["found"] is True
    assert data["standalone_question"].startswith("πως εγγραφεται")  # searched in Greek script
    cited = [s for s in data["sources"] if s["cited"]]
    assert cited[0]["guide_id"] == PANTRIES  # the audience's guide answers first; related ones may follow
    assert any(s["section"] == "2. Πώς εγγράφεται ένας ωφελούμενος" and s["page_start"] == 2 for s in cited)


def test_ask_prints_the_answer_and_the_cited_sources(runner, cli_env):
    result = runner.invoke(app, ["ask", GRANT])
    assert result.exit_code == 0, result.output
    out = squash(result.stdout)
    assert "12.345 ευρώ" in out and "Πηγές" in out and "Sources" not in out
    assert "[1] Ενεργειακές Κοινότητες Δήμων και Πολιτών, Χρηματοδότηση, σελ. 1 energeiakes-koinotites.md" in out
    assert "«Η μέγιστη επιχορήγηση του προγράμματος Ηλιαχτίδα" in out


def test_ask_rejects_an_unknown_audience(runner, cli_env):
    result = runner.invoke(app, ["ask", GRANT, "--audience", "mayor"])
    assert result.exit_code == 2
    assert "το --audience παίρνει μία από τις τιμές: municipal, kalo" in squash(result.output)


def test_ask_pauses_the_garbage_collector_only_while_it_answers(runner, cli_env, monkeypatch):
    """`kalo ask` answers with the cyclic collector off (#13: its passes over the start-up's objects were
    ≈ 0.1 s of a cold ask); in a process that goes on, it is back on when the command returns."""
    import gc

    seen: list[bool] = []
    ask = Reader.ask

    def recording(self, *args, **kwargs):
        seen.append(gc.isenabled())
        return ask(self, *args, **kwargs)

    monkeypatch.setattr(Reader, "ask", recording)
    assert gc.isenabled()
    result = runner.invoke(app, ["ask", GRANT, "--json"])
    assert result.exit_code == 0, result.output
    assert seen == [False] and gc.isenabled()
    assert runner.invoke(app, ["ask", GRANT, "--json", "--audience", "nobody"]).exit_code != 0
    assert gc.isenabled()  # also after a failed command


def test_ask_without_an_index_says_to_run_ingest(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("KALO_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("KALO_DATA_DIR", str(tmp_path / "empty-data"))
    result = runner.invoke(app, ["ask", GRANT, "--json"])
    assert result.exit_code == 1
    assert "Run `kalo ingest` first." in squash(result.stderr)
    assert "Traceback" not in result.output
    assert result.stdout == ""  # nothing on stdout that a JSON reader could mistake for a result


@pytest.fixture
def asked(monkeypatch):
    """What `kalo chat` passes to the facade's read side: (question, history) per turn."""
    calls: list[tuple[str, list[Turn]]] = []
    stream = Reader.stream

    def recording(self, question, audience=None, history=None):
        calls.append((question, list(history or [])))
        return stream(self, question, audience, history)

    monkeypatch.setattr(Reader, "stream", recording)
    return calls


def test_chat_answers_and_follows_up(runner, cli_env, asked):
    steps = "Και ποια είναι τα βήματα σύστασης;"
    result = runner.invoke(app, ["chat"], input=f"{WHAT}\n{steps}\n/exit\n")
    assert result.exit_code == 0, result.output
    out = squash(result.stdout)
    assert out.startswith("Βοηθός ΚΑΛΟ")
    assert "αστικός συνεταιρισμός" in out and "Σύνταξη καταστατικού" in out.split("Πηγές", 1)[1]
    assert NOT_FOUND not in out and out.count("Πηγές") == 2
    # each answer ends with a blank line before the next prompt (input piped in is not echoed)
    assert result.stdout.count("\n\n> ") == 2, result.stdout[-300:]
    (first, before), (second, history) = asked
    assert (first, before) == (WHAT, [])
    assert second == steps and [t.role for t in history] == ["user", "assistant"] and history[0].content == WHAT


def test_chat_new_conversation_forgets_the_history(runner, cli_env, asked):
    result = runner.invoke(app, ["chat"], input=f"{WHAT}\n/new\nκαι μετά;\n")  # ends at end of input
    assert result.exit_code == 0, result.output
    assert "Νέα συνομιλία." in result.stdout
    assert [(q, len(h)) for q, h in asked] == [(WHAT, 0), ("και μετά;", 0)]


def test_chat_without_an_index_reports_and_goes_on(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("KALO_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("KALO_DATA_DIR", str(tmp_path / "empty-data"))
    result = runner.invoke(app, ["chat"], input=f"{GRANT}\n/exit\n")
    assert result.exit_code == 0
    assert "Run `kalo ingest` first." in squash(result.stderr)


def test_an_error_message_with_brackets_is_printed_as_written(capsys):
    import typer

    from assistant.cli_support import friendly
    from assistant.core.errors import KaloError

    @friendly
    def fails():
        raise KaloError("eval/thresholds.toml has no [split.dev] table of thresholds", "Δεν υπάρχει πίνακας [split.dev]")

    try:
        fails()
    except typer.Exit:
        pass
    assert "no [split.dev] table" in capsys.readouterr().err  # rich would read «[split.dev]» as a style tag
