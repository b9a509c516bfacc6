"""Dataset identity (name, version, content hash, splits) and evaluation sets in other shapes: CSV and
RAGAS-style JSONL in, runs out in the same shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.core.errors import ConfigError
from eval import DATASETS_DIR, DEFAULT_DATASET
from eval.dataset import Case, DatasetError, load_dataset, write_dataset
from eval.identity import code_version, content_hash, describe, resolve, splits
from eval.interop import read_cases, write_export

CASES = [
    Case(
        id="a-1",
        question="Πώς κάνω χαρτογράφηση αναγκών;",
        audience="municipal",
        answerable=True,
        gold={"guide_id": "synergasia-ota-kalo", "sections": ["6.1"]},
        reference_answer="Με σημείωμα αναγκών.",
        key_facts=["σημείωμα αναγκών"],
    ),
    Case(id="oos-1", question="Τι καιρό θα κάνει αύριο;", answerable=False, tags=["out-of-scope"]),
]


def test_content_hash_ignores_layout_and_order_but_not_content(tmp_path):
    path = tmp_path / "set.jsonl"
    write_dataset(CASES, path)
    h = content_hash(load_dataset(path))
    assert len(h) == 16 and h == content_hash(CASES)
    shuffled = tmp_path / "shuffled.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    shuffled.write_text("# a comment\n\n" + "\n".join(reversed(lines)) + "\n", encoding="utf-8")
    assert content_hash(load_dataset(shuffled)) == h
    edited = [CASES[0].model_copy(update={"key_facts": ["σημείωμα"]}), CASES[1]]
    assert content_hash(edited) != h
    info = describe(path, CASES)
    assert (info.name, info.version, info.sha256) == ("set", "unversioned", h)
    assert info.label == f"set vunversioned ({h[:8]})"


def test_manifest_names_versions_and_splits():
    info = describe(DEFAULT_DATASET, load_dataset(DEFAULT_DATASET))
    assert info.name == "kalo_v1" and info.version != "unversioned" and info.split == "v1"
    known = splits()
    assert (
        known["dev"] == DATASETS_DIR / "situations_dev.jsonl"
        and known["test"] == DATASETS_DIR / "situations_test.jsonl"
    )
    assert resolve() == DEFAULT_DATASET and resolve(split="v1") == DEFAULT_DATASET
    assert resolve(Path("x.jsonl")) == Path("x.jsonl")
    with pytest.raises(ConfigError, match="not both"):
        resolve(Path("x.jsonl"), "dev")
    with pytest.raises(ConfigError, match="Unknown split 'train'"):
        resolve(split="train")


def test_code_version_is_recorded_and_never_fails():
    code = code_version()
    assert set(code) == {"commit", "dirty", "package"}
    assert code["commit"] == "" or len(code["commit"]) == 40


def test_csv_with_a_column_mapping(tmp_path):
    csv_file = tmp_path / "set.csv"
    csv_file.write_text(
        "Κωδικός;Ερώτηση;Απάντηση;Οδηγός;Ενότητες;Στοιχεία;Κοινό;Απαντήσιμη\n"
        "c-1;Πώς κάνω χαρτογράφηση αναγκών;Με σημείωμα αναγκών.;synergasia-ota-kalo;6.1|6.2;σημείωμα αναγκών|ανάγκες;municipal;ναι\n"
        "c-2;Τι καιρό θα κάνει;;;;;;όχι\n"
        "c-3;Τι είναι η ΚΑΛΟ;Κοινωνική οικονομία.;;;;;\n",
        encoding="utf-8-sig",
    )
    mapping = {
        "id": "Κωδικός",
        "question": "Ερώτηση",
        "reference_answer": "Απάντηση",
        "guide_id": "Οδηγός",
        "sections": "Ενότητες",
        "key_facts": "Στοιχεία",
        "audience": "Κοινό",
        "answerable": "Απαντήσιμη",
    }
    cases = {c.id: c for c in read_cases(csv_file, mapping=mapping)}
    full = cases["c-1"]
    assert not full.draft and full.answerable and full.audience == "municipal"
    assert full.gold.guide_id == "synergasia-ota-kalo" and full.gold.sections == ["6.1", "6.2"]
    assert full.key_facts == ["σημείωμα αναγκών", "ανάγκες"]
    assert cases["c-2"].answerable is False and not cases["c-2"].draft and cases["c-2"].gold is None
    partial = cases["c-3"]  # an answer but no gold or key facts: a draft to complete
    assert partial.draft and "missing gold, key_facts" in partial.notes
    with pytest.raises(DatasetError, match="unknown fields"):
        read_cases(csv_file, mapping={"questoin": "Ερώτηση"})


def test_ragas_jsonl(tmp_path):
    ragas = tmp_path / "ragas.jsonl"
    rows = [
        {"question": "Τι είναι το σημείωμα αναγκών;", "ground_truth": "Ένα έγγραφο.", "contexts": ["Το σημείωμα…"]},
        {"user_input": "Ποιοι φορείς;", "reference": "Οι Κοιν.Σ.Επ.", "retrieved_contexts": []},
        {
            "id": "full",
            "question": "Πώς ξεκινά;",
            "ground_truth": "Με χαρτογράφηση.",
            "guide_id": "synergasia-ota-kalo",
            "sections": ["6.1"],
            "key_facts": ["χαρτογράφηση"],
        },
    ]
    ragas.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    cases = read_cases(ragas)  # detected: no "answerable" field, so not our own format
    assert [c.id for c in cases] == ["ragas-001", "ragas-002", "full"]
    first = cases[0]
    assert first.draft and first.answerable and first.reference_answer == "Ένα έγγραφο."
    assert first.origin["contexts"] == ["Το σημείωμα…"] and first.origin["format"] == "ragas"
    assert cases[1].question == "Ποιοι φορείς;" and cases[1].reference_answer == "Οι Κοιν.Σ.Επ."
    assert not cases[2].draft and cases[2].gold.sections == ["6.1"]


def test_runs_export_in_the_same_shape_and_read_back(tmp_path):
    records = [
        {
            "id": "a-1",
            "question": CASES[0].question,
            "answer": "Συντάσσετε σημείωμα αναγκών [1].",
            "found": True,
            "audience": "municipal",
            "answerable": True,
            "gold": {"guide_id": "synergasia-ota-kalo", "sections": ["6.1"], "pages": []},
            "reference_answer": "Με σημείωμα αναγκών.",
            "key_facts": [{"fact": "σημείωμα αναγκών", "found": True}],
            "tags": [],
            "history": [],
            "retrieved": [
                {"text": "Ο Δήμος συντάσσει σημείωμα αναγκών.", "section": "6.1 Χαρτογράφηση", "cited": True}
            ],
            "scores": {"case_score": 0.8},
        },
        {
            "id": "oos-1",
            "question": CASES[1].question,
            "answer": "Δεν βρήκα απάντηση στους οδηγούς.",
            "found": False,
            "audience": None,
            "answerable": False,
            "gold": None,
            "reference_answer": "",
            "key_facts": [],
            "tags": ["out-of-scope"],
            "history": [],
            "retrieved": [],
            "scores": {"case_score": 1.0},
        },
    ]
    for fmt, name in (("ragas", "run.jsonl"), ("csv", "run.csv")):
        out = tmp_path / name
        assert write_export(records, out, fmt) == 2
        back = {c.id: c for c in read_cases(out)}
        assert back["a-1"].gold.sections == ["6.1"] and back["a-1"].key_facts == ["σημείωμα αναγκών"]
        assert not back["a-1"].draft and back["oos-1"].answerable is False
    row = json.loads((tmp_path / "run.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert {"question", "answer", "contexts", "ground_truth"} <= set(row)
    assert row["contexts"] == ["Ο Δήμος συντάσσει σημείωμα αναγκών."]
    write_export(records, tmp_path / "v2.jsonl", "ragas", "v2")
    v2 = json.loads((tmp_path / "v2.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert {"user_input", "response", "retrieved_contexts", "reference"} <= set(v2)
