"""The evaluation dataset format: validation with file:line errors, and the curated kalo_v1 set's coverage."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from eval import DEFAULT_DATASET
from eval.build_gold_pages import DEFAULT_CORPUS, gold_pages, section_spans
from eval.dataset import Case, DatasetError, load_dataset, write_dataset

REPO = Path(__file__).resolve().parents[1]
GOOD = {
    "id": "c1",
    "question": "Πώς ξεκινά μια συνεργασία;",
    "audience": "municipal",
    "answerable": True,
    "gold": {"guide_id": "synergasia-ota-kalo", "sections": ["6.1"], "pages": [11]},
    "reference_answer": "Με χαρτογράφηση αναγκών.",
    "key_facts": ["χαρτογράφηση αναγκών"],
    "tags": ["procedure"],
}


def write_lines(path: Path, *items) -> Path:
    lines = [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in items]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_valid_file_loads(tmp_path):
    cases = load_dataset(write_lines(tmp_path / "d.jsonl", GOOD, GOOD | {"id": "c2"}))
    assert [c.id for c in cases] == ["c1", "c2"]
    assert cases[0].gold.sections == ["6.1"] and cases[0].top_sections == ["6"]


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ({"answerable": True, "gold": None}, "needs gold"),
        ({"answerable": False}, "gold must be null"),
        ({"audience": "citizen"}, "audience"),
        ({"gold": {"guide_id": "g", "sections": ["6.a"]}}, "section prefixes"),
        ({"key_facts": []}, "key fact"),
        ({"tags": ["Follow Up"]}, "slugs"),
        ({"answerable": None}, "only drafts"),
        ({"history": [{"role": "user", "content": "γεια"}]}, "end with an assistant turn"),
        ({"extra_field": 1}, "extra_field"),
    ],
)
def test_invalid_case_names_file_and_line(tmp_path, bad, fragment):
    path = write_lines(tmp_path / "d.jsonl", GOOD, GOOD | {"id": "c2"} | bad)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    message = str(info.value)
    assert f"{path}:2" in message and "case c2" in message
    assert fragment in message
    assert "γραμμή 2" in info.value.el  # the Greek message for the UI names the line too


def test_broken_json_and_duplicates_name_the_line(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", GOOD, "", "# a comment line", '{"id": "x", ')
    with pytest.raises(DatasetError, match=r"d\.jsonl:4: not valid JSON"):
        load_dataset(path)
    path = write_lines(tmp_path / "e.jsonl", GOOD, GOOD)
    with pytest.raises(DatasetError, match=r"e\.jsonl:2: duplicate id 'c1' \(first on line 1\)"):
        load_dataset(path)
    with pytest.raises(DatasetError, match="not found"):
        load_dataset(tmp_path / "missing.jsonl")


def test_drafts_may_leave_answerable_open_and_round_trip(tmp_path):
    draft = {"id": "fb-1", "question": "Τι ώρα κλείνει το ΚΕΠ;", "answerable": None, "draft": True}
    path = write_lines(tmp_path / "d.jsonl", GOOD, draft)
    cases = load_dataset(path)
    out = tmp_path / "copy.jsonl"
    write_dataset(cases, out)
    again = load_dataset(out)
    assert again == cases
    assert "Τι ώρα" in out.read_text(encoding="utf-8")  # Greek stays readable, not \u-escaped


# --- the curated dataset -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kalo_v1() -> list[Case]:
    return load_dataset(DEFAULT_DATASET)


def _top_sections(source: Path) -> set[str]:
    return set(re.findall(r"^## (\d+)\.", source.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_kalo_v1_covers_what_issue_5_asks(kalo_v1):
    assert len(kalo_v1) >= 120
    audiences = Counter(c.audience for c in kalo_v1)
    assert audiences["municipal"] >= 40 and audiences["kalo"] >= 40
    tags = Counter(t for c in kalo_v1 for t in c.tags)
    for tag in ("paraphrase", "unaccented", "caps", "greeklish", "typo"):
        assert tags[tag] >= 3, tag
    follow_ups = [c for c in kalo_v1 if c.history]
    assert len(follow_ups) >= 10 and all("follow-up" in c.tags for c in follow_ups)
    unanswerable = [c for c in kalo_v1 if c.answerable is False]
    assert len(unanswerable) >= 20 and all("out-of-scope" in c.tags for c in unanswerable)
    assert sum("near-domain" in c.tags for c in unanswerable) >= 5
    for guide in ("synergasia-ota-kalo", "diktyosi-foreon-kalo"):
        covered = {s for c in kalo_v1 if c.gold and c.gold.guide_id == guide for s in c.top_sections}
        assert covered >= _top_sections(REPO / "corpus" / "sources" / f"{guide}.md"), guide


def test_kalo_v1_gold_sections_exist_in_the_pdfs(kalo_v1):
    spans = {pdf.stem: section_spans(pdf) for pdf in DEFAULT_CORPUS.glob("*.pdf")}
    for case in kalo_v1:
        if case.gold:
            pages, missing = gold_pages(case, spans)
            assert not missing, (case.id, missing)
            assert pages and case.gold.pages, case.id


def test_key_facts_are_in_the_gold_guide(kalo_v1):
    """A key fact that the guide itself does not contain could never be matched by a faithful answer."""
    from assistant.core.greek_text import tokens

    texts = {
        g: set(tokens((REPO / "corpus" / "sources" / f"{g}.md").read_text(encoding="utf-8")))
        for g in ("synergasia-ota-kalo", "diktyosi-foreon-kalo")
    }
    for case in kalo_v1:
        if case.gold:
            for fact in case.key_facts:
                assert set(tokens(fact)) <= texts[case.gold.guide_id], (case.id, fact)
