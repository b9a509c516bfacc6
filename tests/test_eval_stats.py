"""Uncertainty on synthetic score vectors with known answers: bootstrap intervals, the paired test, and the
comparison of two runs built from them (identical runs differ in nothing; a planted 20-point gain is found)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eval.compare import compare, load_run
from eval.memo import compare_memo
from eval.stats import bootstrap_ci, holm, paired_test
from eval.summary import intervals


def coin(n: int, ones: int) -> list[float]:
    return [1.0] * ones + [0.0] * (n - ones)


def test_bootstrap_interval_of_a_proportion_matches_the_normal_approximation():
    ci = bootstrap_ci(coin(100, 50))
    assert ci.value == 0.5 and ci.n == 100
    # ±1.96·sqrt(.25/100) = ±0.098
    assert 0.39 <= ci.low <= 0.42 and 0.58 <= ci.high <= 0.61
    assert bootstrap_ci(coin(100, 50)) == ci  # seeded: the same every time
    wide = bootstrap_ci(coin(25, 12))  # fewer cases, wider interval
    assert wide.high - wide.low > ci.high - ci.low


def test_bootstrap_edge_cases_and_other_statistics():
    assert bootstrap_ci([]).n == 0 and bootstrap_ci([]).low is None
    one = bootstrap_ci([0.7])
    assert one.low == one.high == one.value == 0.7
    constant = bootstrap_ci([1.0] * 30)
    assert constant.low == constant.high == 1.0
    latency = bootstrap_ci([100.0, 200.0, 300.0, 400.0, 5000.0], "median")
    assert latency.value == 300.0 and 100.0 <= latency.low <= 300.0 <= latency.high <= 5000.0
    p95 = bootstrap_ci(list(np.arange(1.0, 101.0)), "p95")
    assert p95.value == pytest.approx(95.05) and p95.low < 95.05 < p95.high


def test_identical_runs_show_no_significant_difference():
    rng = np.random.default_rng(1)
    a = list(rng.random(60))
    result = paired_test(a, a)
    assert result.delta == 0.0 and result.p == 1.0 and not result.significant
    assert result.low == result.high == 0.0 and result.n == 60


def test_a_planted_20_point_improvement_is_significant():
    a = coin(100, 50)
    b = coin(100, 70)  # the same cases: 20 that failed now pass
    result = paired_test(a, b)
    assert result.delta == pytest.approx(0.2)
    assert result.significant and result.p < 0.001
    assert 0.1 < result.low < 0.2 < result.high < 0.3


def test_changes_that_cancel_out_or_are_tiny_are_not_significant():
    a = coin(100, 50)
    swapped = a.copy()
    for i in range(5):  # five passes become fails and five fails become passes
        swapped[i], swapped[99 - i] = 0.0, 1.0
    cancel = paired_test(a, swapped)
    assert cancel.delta == 0.0 and cancel.p > 0.5 and not cancel.significant
    tiny = paired_test(a, coin(100, 52))
    assert tiny.delta == pytest.approx(0.02) and not tiny.significant
    assert tiny.low <= 0.0 <= tiny.high
    with pytest.raises(ValueError):
        paired_test([1.0], [1.0, 0.0])
    assert paired_test([], []).p is None


def test_holm_adjustment():
    assert holm([0.01, 0.04, 0.03, None]) == pytest.approx([0.03, 0.06, 0.06, None])


def _write_run(path: Path, values: dict[str, dict], dataset: str = "synthetic") -> Path:
    """A run folder from per-case scores (hit@k and key_fact_recall) and found flags."""
    path.mkdir(parents=True)
    records = []
    for case_id, v in values.items():
        records.append(
            {
                "id": case_id,
                "question": f"q {case_id}",
                "answerable": True,
                "found": v.get("found", True),
                "answer": v.get("answer", ""),
                "key_facts": [{"fact": f, "found": ok} for f, ok in v.get("facts", {}).items()],
                "evidence": {"tp": v.get("tp", ["g § 1"]), "fp": [], "fn": []},
                "scores": {"hit@k": v["hit"], "key_fact_recall": v["kfr"], "case_score": v["kfr"]},
            }
        )
    metrics = {"hit@k": float(np.mean([v["hit"] for v in values.values()]))}
    summary = {
        "run": {"id": path.name, "dataset_info": {"name": dataset, "version": "1", "sha256": dataset * 2}},
        "metrics": metrics,
        "intervals": intervals(records),
    }
    (path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_comparing_runs_pairs_cases_and_groups_what_changed(tmp_path):
    base = {f"c{i:02d}": {"hit": 1.0 if i < 25 else 0.0, "kfr": 0.5} for i in range(50)}
    same = _write_run(tmp_path / "a", base)
    again = _write_run(tmp_path / "a2", base)
    c = compare(load_run(same), load_run(again))
    assert c.common == 50 and not c.significant and not c.warnings
    assert all(not items for items in c.changes.values())

    better = {k: dict(v) for k, v in base.items()}
    for i in range(25, 35):  # a planted 20-point gain in hit@k
        better[f"c{i:02d}"]["hit"] = 1.0
    better["c00"] |= {"found": False, "tp": []}  # newly refused
    better["c01"] |= {"tp": []}  # newly wrong source
    base_facts = {k: dict(v) for k, v in base.items()}
    base_facts["c02"]["facts"] = {"σημείωμα αναγκών": True, "Μητρώο": False}
    better["c02"]["facts"] = {"σημείωμα αναγκών": False, "Μητρώο": True}
    a = _write_run(tmp_path / "base", base_facts)
    b = _write_run(tmp_path / "better", better, dataset="other")
    c = compare(load_run(a), load_run(b))
    hit = next(d for d in c.metrics if d.name == "hit@k")
    assert hit.significant and hit.paired.delta == pytest.approx(0.2) and hit.direction == 1
    assert hit.paired.p < 0.01 and hit.paired.low > 0
    kfr = next(d for d in c.metrics if d.name == "key_fact_recall")
    assert not kfr.significant
    assert [x.id for x in c.changes["newly_refused"]] == ["c00"]
    assert [x.id for x in c.changes["newly_wrong_source"]] == ["c01"]
    assert [(x.id, x.detail) for x in c.changes["facts_lost"]] == [("c02", "σημείωμα αναγκών")]
    assert [(x.id, x.detail) for x in c.changes["facts_gained"]] == [("c02", "Μητρώο")]
    assert any("different datasets" in w for w in c.warnings)
    memo = compare_memo(c)
    assert "Εύστοχο στα k" in memo and "+20,0 μον." in memo and "Προσοχή" in memo
    assert "νέες αρνήσεις σε απαντήσιμες ερωτήσεις: 1" in memo
