"""The feedback store (SQLite under data_dir) and `kalo feedback export`."""

from __future__ import annotations

import csv
import io
import json

from support import answers
from typer.testing import CliRunner

from assistant.cli import app
from assistant.core.types import Answer, Turn
from assistant.feedback import FeedbackStore
from assistant.service import Assistant


def _answer(question: str = "Τι τύποι δικτύων υπάρχουν;", found: bool = True) -> Answer:
    cited = answers.source(1, page_end=8)
    if not found:
        return Answer(question=question, text="Δεν βρήκα απάντηση στους οδηγούς.", found=False, suggestions=[cited])
    return answers.answer(question=question, text="Τα δίκτυα διαφέρουν [1].", sources=[cited, answers.source(2, False)])


def test_a_rating_is_stored_with_question_answer_sources_and_settings(fast_settings):
    settings = fast_settings(llm_api_key="sk-secret", admin_password="admin-secret", llm_base_url="http://u:pw@h:1/v1")
    store = FeedbackStore.for_settings(settings)
    history = [Turn(role="user", content="Γεια"), Turn(role="assistant", content="Γεια σας")]
    snapshot = Assistant(settings).snapshot()
    fid = store.add(_answer(), "down", "kalo", snapshot, comment=" λείπει ο πίνακας ", history=history)

    assert (settings.data_dir / "feedback.sqlite3").is_file()
    [row] = list(store.rows())
    assert row["id"] == fid
    assert row["rating"] == "down"
    assert row["comment"] == "λείπει ο πίνακας"
    assert row["question"] == "Τι τύποι δικτύων υπάρχουν;"
    assert row["answer"] == "Τα δίκτυα διαφέρουν [1]."
    assert row["audience"] == "kalo"
    assert row["history"] == [t.model_dump() for t in history]
    # only what the user saw: the cited source, with its excerpt and pages
    assert [s["n"] for s in row["sources"]] == [1]
    assert row["sources"][0]["excerpt"] == "Τα δίκτυα διαφέρουν."
    assert row["sources"][0]["page_start"] == 7 and row["sources"][0]["cited"] is True
    assert row["settings"]["answerer"] == "extractive"
    assert row["settings"]["embedding_model_id"] == "fake-hash/256"
    assert row["settings"]["llm_base_url"] == "http://h:1/v1"
    assert row["time"].endswith("+00:00")
    dumped = json.dumps(row)
    assert "sk-secret" not in dumped and "admin-secret" not in dumped and "pw@" not in dumped


def test_not_found_answers_keep_the_suggested_sections(make_settings):
    settings = make_settings()
    store = FeedbackStore.for_settings(settings)
    store.add(_answer(found=False), "down", None, {})
    [row] = list(store.rows())
    assert row["found"] is False
    assert row["sources"][0]["section"] == "5. Τύποι δικτύων"
    assert row["audience"] == ""


def test_changing_the_rating_and_adding_a_comment_update_the_same_record(make_settings):
    settings = make_settings()
    store = FeedbackStore.for_settings(settings)
    fid = store.add(_answer(), "up", "municipal", {})
    assert store.update(fid, rating="down")
    assert store.update(fid, comment="Η απάντηση δεν αναφέρει προθεσμίες.")
    [row] = list(store.rows())
    assert (row["rating"], row["comment"]) == ("down", "Η απάντηση δεν αναφέρει προθεσμίες.")
    store.delete(fid)
    assert list(store.rows()) == []


def test_feedback_survives_a_new_store_object(make_settings):
    settings = make_settings()
    FeedbackStore.for_settings(settings).add(_answer(), "up", None, {})
    assert len(list(FeedbackStore.for_settings(settings).rows())) == 1


def test_export_jsonl_and_csv(make_settings):
    settings = make_settings()
    store = FeedbackStore.for_settings(settings)
    store.add(_answer("Πρώτη;"), "up", "kalo", {})
    store.add(_answer("Δεύτερη;"), "down", "municipal", {}, comment="λάθος")

    lines = [json.loads(line) for line in store.export("jsonl").splitlines()]
    assert [r["question"] for r in lines] == ["Πρώτη;", "Δεύτερη;"]
    for record in lines:
        assert {"question", "answer", "sources", "comment", "rating", "audience", "time"} <= record.keys()
    assert [r["question"] for r in map(json.loads, store.export("jsonl", only_negative=True).splitlines())] == [
        "Δεύτερη;"
    ]

    rows = list(csv.DictReader(io.StringIO(store.export("csv"))))
    assert [r["rating"] for r in rows] == ["up", "down"]
    assert json.loads(rows[1]["sources"])[0]["guide_id"] == "diktyosi-foreon-kalo"


def test_an_empty_store_exports_nothing(make_settings):
    assert FeedbackStore.for_settings(make_settings()).export("jsonl") == ""


def test_settings_snapshot_has_no_secrets(fast_settings):
    settings = fast_settings(
        llm_api_key="k",
        chat_password="c",
        embedding_api_key="e",
        llm_base_url="https://a:b@x.org/v1?key=q",
        embedding_urls=["http://u:p@emb:8080/v1"],
    )
    snap = Assistant(settings).snapshot()
    assert snap["llm_base_url"] == "https://x.org/v1"
    assert snap["embedding_urls"] == ["http://emb:8080/v1"]
    assert not {"llm_api_key", "admin_password", "chat_password", "embedding_api_key", "api_key"} & snap.keys()
    assert snap["retrieval_mode"] == settings.retrieval_mode and snap["embedding_model_id"] == "fake-hash/256"


def test_cli_export(make_settings, monkeypatch, tmp_path):
    settings = make_settings()
    store = FeedbackStore.for_settings(settings)
    store.add(_answer("Καλή;"), "up", "kalo", {})
    store.add(_answer("Κακή;"), "down", "kalo", {}, comment="λάθος σελίδα")
    monkeypatch.setenv("KALO_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()

    out = tmp_path / "out" / "feedback.jsonl"
    result = runner.invoke(app, ["feedback", "export", "--only-negative", "-o", str(out)])
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (record["question"], record["rating"], record["comment"]) == ("Κακή;", "down", "λάθος σελίδα")

    result = runner.invoke(app, ["feedback", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [r["question"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["Καλή;", "Κακή;"]

    result = runner.invoke(app, ["feedback", "export", "--format", "xml"])
    assert result.exit_code != 0


def test_the_export_feeds_the_evaluation_importer(make_settings, tmp_path):
    """The harness turns 👎 lines into draft cases: our export is its input format."""
    from eval.feedback import import_feedback

    settings = make_settings()
    store = FeedbackStore.for_settings(settings)
    store.add(_answer("Ποιο εργαλείο συνεργασίας ταιριάζει σε μικρό Δήμο;"), "down", "municipal", {})
    store.add(_answer("Τι είναι η ΚΑΛΟ;"), "up", "municipal", {})
    path = tmp_path / "fb.jsonl"
    path.write_text(store.export("jsonl"), encoding="utf-8")
    result = import_feedback(path)
    assert [c.question for c in result.drafts] == ["Ποιο εργαλείο συνεργασίας ταιριάζει σε μικρό Δήμο;"]
