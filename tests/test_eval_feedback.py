"""`kalo eval import-feedback`: exported 👎 feedback becomes draft cases; and gold pages from the PDFs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app
from eval import DEFAULT_DATASET
from eval.build_gold_pages import DEFAULT_CORPUS, gold_pages, main, section_spans
from eval.dataset import load_dataset, write_dataset
from eval.feedback import import_feedback, is_negative

FULL = {
    "id": 7,
    "time": "2026-11-20T10:15:00+00:00",
    "rating": "down",
    "comment": "Δεν απάντησε για τη Διαύγεια",
    "question": "Πρέπει να αναρτηθεί το μνημόνιο στη Διαύγεια;",
    "answer": "Δεν βρήκα απάντηση στους οδηγούς.",
    "found": False,
    "sources": [
        {
            "n": 1,
            "guide_id": "synergasia-ota-kalo",
            "section": "5. Μορφές και νομικά εργαλεία συνεργασίας > 5.6 Μνημόνια συνεργασίας",
            "page_start": 9,
            "page_end": 10,
            "cited": False,
        }
    ],
    "audience": "municipal",
    "history": [
        {"role": "user", "content": "Τι είναι το μνημόνιο συνεργασίας;"},
        {"role": "assistant", "content": "Κείμενο κοινής πρόθεσης [1]."},
    ],
    "settings": {"answerer": "extractive"},
}


def write_export(path: Path, known_question: str) -> Path:
    lines = [
        json.dumps(FULL, ensure_ascii=False),
        json.dumps({"question": "Πόσο κοστίζει η εγγραφή στο Μητρώο;", "rating": "down"}, ensure_ascii=False),
        json.dumps({"question": "Τι είναι η ΚΑΛΟ;", "rating": "up", "answer": "…"}, ensure_ascii=False),
        json.dumps({"question": known_question, "rating": "down"}, ensure_ascii=False),
        json.dumps({"question": "  Πόσο κοστίζει   η εγγραφή στο Μητρώο; ", "rating": -1}, ensure_ascii=False),
        '{"question": "σπασμένη γραμμή',
        json.dumps({"answer": "χωρίς ερώτηση", "rating": "down"}, ensure_ascii=False),
        json.dumps({"question": "Ποιο είναι το ωράριο;", "rating": 0, "audience": "citizen"}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ratings_in_any_shape():
    assert all(is_negative(r) for r in ("down", "👎", -1, 0, False, "0", {"value": "down"}))
    assert not any(is_negative(r) for r in ("up", "👍", 1, True, None, "5"))


def test_import_keeps_thumbs_down_as_drafts(tmp_path):
    known = load_dataset(DEFAULT_DATASET)[0].question
    result = import_feedback(write_export(tmp_path / "fb.jsonl", known), known_questions={known})
    questions = [d.question for d in result.drafts]
    assert questions == [FULL["question"], "Πόσο κοστίζει η εγγραφή στο Μητρώο;", "Ποιο είναι το ωράριο;"]
    assert len(result.skipped) == 4  # the known question, the repeat, the broken line, the one without a question
    assert any("line 6: not valid JSON" in s for s in result.skipped)
    first = result.drafts[0]
    assert first.draft and first.answerable is None and first.gold is None
    assert first.audience == "municipal" and [t.role for t in first.history] == ["user", "assistant"]
    assert first.tags == ["feedback", "follow-up"] and first.notes == FULL["comment"]
    assert first.origin["suggested_gold"][0] == {
        "guide_id": "synergasia-ota-kalo",
        "section": FULL["sources"][0]["section"],
        "number": "5.6",
        "pages": [9, 10],
    }
    assert first.origin["feedback_id"] == 7 and first.origin["answer"] == FULL["answer"]
    assert result.drafts[2].audience is None  # an unknown audience is dropped, not an error
    everything = import_feedback(tmp_path / "fb.jsonl", include_positive=True, known_questions={known})
    assert "Τι είναι η ΚΑΛΟ;" in [d.question for d in everything.drafts]


def test_cli_import_feedback_writes_a_loadable_draft_file(tmp_path):
    known = load_dataset(DEFAULT_DATASET)[0].question
    export = write_export(tmp_path / "feedback.jsonl", known)
    result = CliRunner().invoke(app, ["eval", "import-feedback", str(export)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "feedback.drafts.jsonl"
    assert "3 draft cases written" in " ".join(result.output.split()) and "Skipped" in result.output
    drafts = load_dataset(out)
    assert len(drafts) == 3 and all(d.draft and d.answerable is None for d in drafts)
    # Once an evaluator completes a draft it is an ordinary case.
    done = drafts[0].model_copy(
        update={"draft": False, "answerable": False, "tags": ["feedback", "out-of-scope"], "history": []}
    )
    write_dataset([done], tmp_path / "done.jsonl")
    assert load_dataset(tmp_path / "done.jsonl")[0].answerable is False


def test_gold_pages_are_rebuilt_from_the_current_pdfs(tmp_path):
    dataset = tmp_path / "d.jsonl"
    cases = load_dataset(DEFAULT_DATASET)[:12]
    stale = [c.model_copy(update={"gold": c.gold.model_copy(update={"pages": [99]})}) if c.gold else c for c in cases]
    write_dataset(stale, dataset)
    corpus = tmp_path / "pdfs"
    shutil.copytree(DEFAULT_CORPUS, corpus)
    assert main(["--dataset", str(dataset), "--corpus", str(corpus), "--check"]) == 1
    assert load_dataset(dataset)[0].gold.pages == [99]  # --check writes nothing
    assert main(["--dataset", str(dataset), "--corpus", str(corpus)]) == 0
    assert main(["--dataset", str(dataset), "--corpus", str(corpus), "--check"]) == 0
    spans = {pdf.stem: section_spans(pdf) for pdf in corpus.glob("*.pdf")}
    for case in load_dataset(dataset):
        if case.gold:
            assert case.gold.pages == gold_pages(case, spans)[0]
            start, end = spans[case.gold.guide_id][case.gold.sections[0]]
            assert set(range(start, end + 1)) <= set(case.gold.pages)
    # A chapter spans its subsections: §6 of the municipal guide covers 6.1 … 6.7.
    municipal = spans["synergasia-ota-kalo"]
    assert municipal["6"][0] == municipal["6.1"][0] and municipal["6"][1] == municipal["6.7"][1]
