"""Readability checks, cited-section evidence (TP/FP/FN, P/R/F1/F2), follow-up correctness, settings
precedence and per-split gates — on hand-made inputs with known answers."""

from __future__ import annotations

import pytest

from assistant.core.errors import ConfigError
from eval import DEFAULT_THRESHOLDS
from eval.catalogue import METRICS
from eval.dataset import Case
from eval.evidence import cited_evidence, f_beta
from eval.gates import load_thresholds
from eval.metrics import Retrieved
from eval.orchestrate import load_settings
from eval.readability import check, fragment_reason, heading_of, numbering_gap
from eval.scoring import follow_up_correct

DUMP = (
    "Σύμφωνα με τον οδηγό «Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ»:\n\n"
    "- **2.2 Το θεσμικό πλαίσιο** — Το βασικό νομοθετικό κείμενο είναι ο ν. 4430/2016. [2]\n"
    "- τις νομικές μορφές φορέων ΚΑΛΟ και τα κριτήρια αναγνώρισης. [2]\n"
    "- Χαρτογράφηση αναγκών — Ο Δήμος συντάσσει σημείωμα αναγκών [3]\n"
    "- Οι φορείς εγγράφονται στο Μητρώο. [3]"
)


def test_headings_fragments_and_citation_numbering():
    assert heading_of("**6.1 Χαρτογράφηση** — Ο Δήμος …") == "6.1 Χαρτογράφηση"
    assert heading_of("Χαρτογράφηση αναγκών — Ο Δήμος συντάσσει σημείωμα.") == "Χαρτογράφηση αναγκών"
    assert heading_of("Ο Δήμος συντάσσει σημείωμα αναγκών. — Ένα σχόλιο") is None  # a sentence, not a label
    assert heading_of("Οι φορείς εγγράφονται στο Μητρώο.") is None
    assert fragment_reason("Μόνο τρεις λέξεις.") == "short"
    assert fragment_reason("- τις νομικές μορφές φορέων ΚΑΛΟ.") == "lower-case"
    assert fragment_reason("Ο Δήμος συντάσσει σημείωμα αναγκών [1]") == "no final punctuation"
    assert fragment_reason("Ο Δήμος συντάσσει σημείωμα αναγκών [1].") is None
    assert fragment_reason("Τα βήματα είναι τα εξής:") is None  # a list intro is not a sentence
    assert fragment_reason("«Ο Δήμος συντάσσει σημείωμα αναγκών», λέει ο οδηγός.") is None
    assert numbering_gap("Α [1]. Β [2]. Γ [1].") is False
    assert numbering_gap("Α [2]. Β [3].") is True and numbering_gap("Α [1]. Β [3].") is True
    assert numbering_gap("Α [2]. Β [1].") is True  # not in order of first appearance
    assert numbering_gap("Χωρίς παραπομπές.") is None


def test_readability_of_a_whole_answer():
    r = check(DUMP)
    assert r.bullets == 4 and r.heading_bullets == ["2.2 Το θεσμικό πλαίσιο", "Χαρτογράφηση αναγκών"]
    assert r.heading_share == 0.5
    assert r.sentences == 4  # the intro ending in ':' is not counted
    assert [f["reason"] for f in r.fragments] == ["lower-case", "no final punctuation"]
    assert r.fragment_share == 0.5
    assert r.citation_order == [2, 3] and r.gap is True
    assert r.words == 42  # «2.2» and «4430/2016» are one word each
    # A list quoted with the guide's own introduction: its items continue that sentence, lower-case.
    quoted = check("Η αξιολόγηση εξετάζει: [1]\n- αν υλοποιήθηκαν οι δράσεις. [1]\n- τι κόστισε η συνεργασία. [2]")
    assert [f["sentence"] for f in quoted.fragments] == ["τι κόστισε η συνεργασία."]  # [2] is another source
    prose = check("Ο Δήμος συντάσσει σημείωμα αναγκών [1]. Στη συνέχεια εντοπίζει φορείς [2].")
    assert prose.bullets == 0 and prose.heading_share is None and prose.fragment_share == 0.0 and not prose.gap


def test_cited_section_evidence_against_gold():
    cited = [
        Retrieved("g", "6. Βήμα προς βήμα > 6.1 Χαρτογράφηση αναγκών"),
        Retrieved("g", "6. Βήμα προς βήμα > 6.1 Χαρτογράφηση αναγκών"),  # the same section twice counts once
        Retrieved("g", "7. Κίνδυνοι"),
        Retrieved("other", "6.2 Εντοπισμός"),
    ]
    ev = cited_evidence(cited, "g", ["6.1", "6.2"])
    assert ev.tp == ["g § 6. Βήμα προς βήμα > 6.1 Χαρτογράφηση αναγκών"]
    assert ev.fp == ["g § 7. Κίνδυνοι", "other § 6.2 Εντοπισμός"] and ev.fn == ["g § 6.2"]
    assert ev.precision == pytest.approx(1 / 3) and ev.recall == 0.5
    assert ev.f1 == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5))
    assert ev.f2 == pytest.approx(5 * (1 / 3) * 0.5 / (4 * (1 / 3) + 0.5))
    nothing = cited_evidence([], "g", ["6.1"])
    assert nothing.precision is None and nothing.recall == 0.0 and nothing.f1 == 0.0 and nothing.fn == ["g § 6.1"]
    out_of_scope = cited_evidence(cited[:1], None, [])
    assert out_of_scope.fp and out_of_scope.recall is None and out_of_scope.f2 is None
    assert f_beta(1.0, 1.0, 2.0) == 1.0 and f_beta(0.0, 0.0, 1.0) == 0.0


def test_follow_up_correctness():
    history = [{"role": "user", "content": "Πώς ξεκινώ;"}, {"role": "assistant", "content": "Με χαρτογράφηση."}]
    gold = {"guide_id": "g", "sections": ["6.1"]}
    follow = Case(
        id="f", question="Και μετά;", history=history, answerable=True, gold=gold, reference_answer="x", key_facts=["α"]
    )
    assert follow_up_correct(follow, True, 0.5) == 1.0
    assert follow_up_correct(follow, True, 0.49) == 0.0 and follow_up_correct(follow, False, 1.0) == 0.0
    oos = Case(id="o", question="Και ο καιρός;", history=history, answerable=False)
    assert follow_up_correct(oos, False, None) == 1.0 and follow_up_correct(oos, True, None) == 0.0
    single = follow.model_copy(update={"history": [], "tags": []})
    assert follow_up_correct(single, True, 1.0) is None


def test_settings_precedence_is_options_then_env_then_file_then_defaults(tmp_path, monkeypatch):
    config = tmp_path / "run.toml"
    config.write_text('top_k = 7\nretrieval_mode = "bm25"\n', encoding="utf-8")
    assert load_settings(config).top_k == 7 and load_settings(config).retrieval_mode == "bm25"
    monkeypatch.setenv("KALO_TOP_K", "9")
    assert load_settings(config).top_k == 9  # the environment beats the file
    assert load_settings(config, top_k=4).top_k == 4  # an explicit option beats both
    assert load_settings(config, retrieval_mode=None).retrieval_mode == "bm25"  # None is "not given"
    assert load_settings().top_k == 9 and load_settings().retrieval_mode == "hybrid"
    bad = tmp_path / "bad.toml"
    bad.write_text("no_such_setting = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Invalid settings"):
        load_settings(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")


def test_gates_per_split(tmp_path):
    toml = tmp_path / "t.toml"
    toml.write_text(
        '"hit@k" = 0.9\n[max]\nfalse_refusal_rate = 0.1\n'
        '[split.test]\n"hit@k" = 0.5\nfollow_up_correct = 0.3\n[split.test.max]\nfragment_share = 0.4\n',
        encoding="utf-8",
    )
    default = load_thresholds(toml)
    assert default.minimum == {"hit@k": 0.9} and default.maximum == {"false_refusal_rate": 0.1}
    test = load_thresholds(toml, "test")
    assert test.minimum == {"hit@k": 0.5, "follow_up_correct": 0.3} and test.maximum == {"fragment_share": 0.4}
    assert load_thresholds(toml, "v1") == default
    with pytest.raises(ConfigError, match=r"no \[split.dev\]"):
        load_thresholds(toml, "dev")
    shipped = load_thresholds(DEFAULT_THRESHOLDS, "test")
    assert shipped.minimum and set(shipped.minimum) | set(shipped.maximum) <= set(METRICS)
    assert "page_hit@k" not in shipped.minimum  # the situation sets have no gold pages
