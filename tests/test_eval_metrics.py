"""Each offline metric on hand-made inputs whose values are known."""

from __future__ import annotations

import math

import pytest

from assistant.core.errors import ConfigError
from eval import DEFAULT_THRESHOLDS
from eval import metrics as m
from eval.gates import Thresholds, failures, load_thresholds, parse_pairs

SEC = "6. Βήμα προς βήμα: πώς ξεκινά μια συνεργασία > 6.1 Χαρτογράφηση αναγκών"


# --- retrieval ----------------------------------------------------------------------------------------------


def test_section_numbers_and_prefix_matching():
    assert m.section_number("6.1 Χαρτογράφηση αναγκών") == "6.1"
    assert m.section_number("6. Βήμα προς βήμα") == "6"
    assert m.section_number("Αρχή του οδηγού") is None
    assert m.matching_sections(SEC, ["6.1", "6", "6.2", "1"]) == {"6.1", "6"}
    checklist = "10. Λίστα ελέγχου > 10.1 Πριν ξεκινήσετε"
    assert m.matching_sections(checklist, ["1", "1.1", "10"]) == {"10"}  # «1» is not a prefix of «10»
    assert m.matching_sections("5. Εργαλεία > 5.10 Ποιο εργαλείο", ["5.1"]) == set()


def test_relevance_needs_the_gold_guide_and_prefers_sections_over_pages():
    retrieved = [
        m.Retrieved("other-guide", SEC, 11, 11),
        m.Retrieved("g", "6. Βήμα > 6.2 Εντοπισμός φορέων", 11, 12),
        m.Retrieved("g", SEC, 11, 11),
    ]
    assert m.relevance(retrieved, "g", ["6.1"], [11]) == [set(), set(), {"6.1"}]  # page 11 alone is not enough
    assert m.relevance(retrieved, "g", [], [12]) == [set(), {"pages"}, set()]  # pages only when no sections
    assert m.gold_units(["6.1", "6.1", "6.2"], [11]) == ["6.1", "6.2"]
    assert m.gold_units([], [11]) == ["pages"]


def test_ranking_metrics_on_a_known_ranking():
    rel = [set(), {"6.1"}, set(), {"6.2"}, {"6.1"}]
    units = ["6.1", "6.2"]
    assert m.hit_at_k(rel, 1) == 0.0 and m.hit_at_k(rel, 2) == 1.0
    assert m.recall_at_k(rel, units, 2) == 0.5 and m.recall_at_k(rel, units, 4) == 1.0
    assert m.reciprocal_rank(rel) == 0.5
    # DCG = 1/log2(3) + 1/log2(5) (rank 5 repeats 6.1: no gain); IDCG = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert m.ndcg_at_k(rel, units, 5) == pytest.approx(expected)
    assert m.ndcg_at_k(rel, units, 5) == pytest.approx(0.650921, abs=1e-6)
    assert m.ndcg_at_k([{"6.1"}, {"6.1"}], ["6.1"], 2) == 1.0
    assert m.ndcg_at_k([set(), set()], ["6.1"], 2) == 0.0
    assert m.reciprocal_rank([set(), set()]) == 0.0


# --- answer text ---------------------------------------------------------------------------------------------


def test_chrf_known_values():
    assert m.chrf("Η κοινωνική υπηρεσία", "Η κοινωνική υπηρεσία") == pytest.approx(100.0)
    assert m.chrf("αβγδε", "ζηθικ") == 0.0
    assert m.chrf("", "κάτι") == 0.0
    # n=1: P=1, R=2/3 → F2=10/14; n=2: P=1, R=1/2 → F2=5/9; mean·100
    assert m.chrf("ab", "abc", max_n=2) == pytest.approx(100 * (10 / 14 + 5 / 9) / 2)
    # Citations, Markdown and whitespace do not count.
    assert m.chrf("**Σημείωμα** αναγκών [1]", "Σημείωμα αναγκών") == pytest.approx(100.0)
    near = m.chrf("Συντάσσεται σημείωμα αναγκών", "Σύντομο σημείωμα αναγκών")
    assert 40 < near < 100


def test_greek_ratio():
    assert m.greek_ratio("Καλημέρα world") == pytest.approx(8 / 13)
    assert m.greek_ratio("**Γεια σας** [1][2]") == 1.0
    assert m.greek_ratio("The answer is in English.") == 0.0
    assert m.greek_ratio("[1] 42 — ;") is None


def test_key_facts_match_after_folding_and_stemming():
    answer = "ΣΥΝΤΑΣΣΟΥΜΕ ΣΗΜΕΙΩΜΑΤΟΣ ΑΝΑΓΚΩΝ και ενημερώνουμε τον Αντιδήμαρχο [1]."
    assert m.key_fact_hits(answer, ["σημείωμα αναγκών", "αντιδημάρχους", "Διαύγεια"]) == [True, True, False]
    assert m.key_fact_recall(answer, ["σημείωμα αναγκών", "Διαύγεια"]) == 0.5
    assert m.key_fact_recall(answer, []) is None


# --- citations -----------------------------------------------------------------------------------------------

PASSAGES = {1: "Ο Δήμος συντάσσει σημείωμα αναγκών.", 2: "Οι φορείς ΚΑΛΟ εγγράφονται στο Μητρώο."}


def test_claims_skip_framing_and_strip_labels():
    answer = (
        "Σύμφωνα με τον οδηγό «Συνεργασία ΟΤΑ με Φορείς ΚΑΛΟ»:\n\n"
        "1. **6.1 Χαρτογράφηση αναγκών** — Ο Δήμος συντάσσει σημείωμα αναγκών. [1]\n"
        "2. Οι φορείς εγγράφονται στο Μητρώο [1][2].\n"
        "Η συνεργασία απαιτεί σχέδιο, δείκτες και χρονοδιάγραμμα."
    )
    got = m.claims(answer)
    assert [(c.sentence, c.cited) for c in got] == [
        ("Ο Δήμος συντάσσει σημείωμα αναγκών.", [1]),
        ("Οι φορείς εγγράφονται στο Μητρώο.", [1, 2]),
        ("Η συνεργασία απαιτεί σχέδιο, δείκτες και χρονοδιάγραμμα.", []),
    ]


def test_alce_precision_and_recall_with_lexical_support():
    claims = [
        m.Claim("Ο Δήμος συντάσσει σημείωμα αναγκών.", [1]),  # supported by [1]
        m.Claim("Οι φορείς εγγράφονται στο Μητρώο.", [1, 2]),  # supported; [1] is not needed
        m.Claim("Ο καιρός αύριο θα είναι βροχερός στη Θεσσαλονίκη.", [2]),  # unsupported
    ]
    scores = m.alce(claims, PASSAGES)
    assert scores.recall == pytest.approx(2 / 3)
    assert scores.precision == pytest.approx(2 / 4)
    assert scores.support == pytest.approx((1 + 1 + 0) / 3)
    assert [s["supported"] for s in scores.sentences] == [True, True, False]
    uncited = m.alce([m.Claim("Μια πρόταση χωρίς πηγή για τους φορείς.", [])], PASSAGES)
    assert uncited.recall == 0.0 and uncited.precision is None
    assert m.alce([], PASSAGES).recall is None


def test_support_takes_the_larger_of_lexical_and_embedding_similarity():
    unrelated = "Βρέχει πολύ στη Θεσσαλονίκη σήμερα."
    assert m.support(unrelated, [PASSAGES[1]]) == 0.0
    assert m.support(unrelated, [PASSAGES[1]], lambda a, b: 0.7) == 0.7
    assert m.support(PASSAGES[1], [PASSAGES[1]], lambda a, b: 0.2) == 1.0
    assert m.support("κάτι", []) == 0.0
    assert (
        m.rescale_cosine(0.80) == 0.0 and m.rescale_cosine(0.90) == pytest.approx(0.5) and m.rescale_cosine(1.0) == 1.0
    )
    # With an embedding similarity a paraphrase can be supported though its words differ.
    scores = m.alce([m.Claim(unrelated, [1])], PASSAGES, lambda a, b: 0.8)
    assert scores.recall == 1.0 and scores.precision == 1.0


def test_citation_validity():
    assert m.citation_validity(3, 1) == 0.75
    assert m.citation_validity(2, 0) == 1.0
    assert m.citation_validity(0, 0) is None


# --- aggregation and gates -----------------------------------------------------------------------------------


def test_percentiles_means_and_case_score():
    assert m.percentile([4, 1, 3, 2], 50) == 2.5
    assert m.percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert m.percentile([], 50) is None
    assert m.mean([1.0, None, 0.0]) == 0.5 and m.mean([None]) is None
    assert m.case_score({"refused": 1.0}, answerable=False) == 1.0
    assert m.case_score({"refused": 0.0}, answerable=False) == 0.0
    scores = {"refused": 0.0, "ndcg@k": 1.0, "key_fact_recall": 0.5, "chrf": 50.0, "citation_recall": 1.0}
    assert m.case_score(scores, answerable=True) == pytest.approx(0.75)
    assert m.case_score(scores | {"refused": 1.0}, answerable=True) == pytest.approx(0.5)


def test_thresholds_parse_check_and_report(tmp_path):
    assert parse_pairs(["hit@k=0.8", "chrf=30"]) == {"hit@k": 0.8, "chrf": 30.0}
    with pytest.raises(ConfigError, match="Unknown metric 'hits'"):
        parse_pairs(["hits=1"])
    with pytest.raises(ConfigError, match="METRIC=VALUE"):
        parse_pairs(["hit@k"])
    toml = tmp_path / "t.toml"
    toml.write_text('"hit@k" = 0.9\nmrr = 0.5\n[max]\nfalse_refusal_rate = 0.1\n', encoding="utf-8")
    gates = load_thresholds(toml)
    assert gates.minimum == {"hit@k": 0.9, "mrr": 0.5} and gates.maximum == {"false_refusal_rate": 0.1}
    metrics = {"hit@k": 0.85, "mrr": 0.7, "false_refusal_rate": 0.2}
    assert failures(metrics, gates) == ["hit@k = 0.85 < minimum 0.9", "false_refusal_rate = 0.2 > maximum 0.1"]
    assert failures({"mrr": None}, Thresholds({"mrr": 0.1})) == ["mrr: not measured (minimum 0.1)"]
    assert not Thresholds() and Thresholds({"mrr": 0.1})


def test_shipped_thresholds_name_known_metrics():
    gates = load_thresholds(DEFAULT_THRESHOLDS)
    assert gates.minimum and set(gates.minimum) | set(gates.maximum) <= set(m.METRICS)
