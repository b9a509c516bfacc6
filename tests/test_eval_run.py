"""End to end: a few real kalo_v1 cases through the real `Assistant` on the bundled index; run folders,
the HTML report, thresholds, comparisons, retrieval modes and the (opt-in) LLM judge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.language_models import FakeListChatModel
from support.shared import shared_assistant
from typer.testing import CliRunner

from assistant.cli import app
from assistant.core.errors import ConfigError
from assistant.service import Assistant
from eval import DEFAULT_DATASET
from eval.compare import compare, load_run
from eval.dataset import load_dataset, write_dataset
from eval.judge import LLMJudge, make_judge
from eval.metrics import METRICS
from eval.runner import run, run_modes

CASE_IDS = ["m-6.1-a", "m-6.1-b", "k-4.2-a", "k-8.2-b", "fu-01", "fu-09", "oos-01", "oos-06"]
TRICKY = "Τι καιρό θα κάνει αύριο; <b>Αθήνα & Πειραιάς</b>"  # must reach the report escaped


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory) -> Path:
    by_id = {c.id: c for c in load_dataset(DEFAULT_DATASET)}
    cases = [by_id[i] for i in CASE_IDS]
    cases[CASE_IDS.index("oos-01")] = by_id["oos-01"].model_copy(update={"question": TRICKY})
    draft = by_id["oos-02"].model_copy(update={"id": "draft-1", "answerable": None, "draft": True})
    path = tmp_path_factory.mktemp("eval-data") / "small.jsonl"
    write_dataset([*cases, draft], path)
    return path


@pytest.fixture(scope="module")
def assistant(bundled_settings) -> Assistant:
    return shared_assistant(bundled_settings)


@pytest.fixture(scope="module")
def hybrid_run(assistant, small_dataset, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("runs") / "hybrid"
    summary = run(assistant, load_dataset(small_dataset), out, mode="hybrid", dataset=small_dataset)
    return out, summary


@pytest.fixture(scope="module")
def config_toml(bundled_settings, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cfg") / "kalo.toml"
    path.write_text(
        f'corpus_dir = "{bundled_settings.corpus_dir.as_posix()}"\ndata_dir = "{bundled_settings.data_dir.as_posix()}"\n',
        encoding="utf-8",
    )
    return path


def flat(output: str) -> str:
    """CLI output with rich's line wrapping undone."""
    return " ".join(output.split())


def records(out: Path) -> dict[str, dict]:
    lines = (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def test_run_writes_cases_summary_and_a_self_contained_report(hybrid_run, assistant):
    out, summary = hybrid_run
    assert {p.name for p in out.iterdir()} >= {"cases.jsonl", "summary.json", "report.html"}
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == summary
    recs = records(out)
    assert list(recs) == CASE_IDS  # the draft is skipped and counted
    assert summary["run"]["skipped_drafts"] == 1 and summary["run"]["retrieval_mode"] == "hybrid"
    assert summary["metrics"]["n_cases"] == 8 and summary["metrics"]["n_unanswerable"] == 2
    assert summary["metrics"]["n_errors"] == 0 and summary["llm_judge"] is None  # the judge is opt-in
    assert set(summary["by_audience"]) == {"municipal", "kalo", "none"}
    assert "follow-up" in summary["by_tag"] and "synergasia-ota-kalo §6" in summary["by_section"]
    assert summary["run"]["settings"] == assistant.snapshot()  # what produced the answers, secrets left out
    assert "llm_api_key" not in summary["run"]["settings"]
    for r in recs.values():
        assert r["retrieved"] and r["answer"] and "case_score" in r["scores"]
        assert all({"rank", "chunk_id", "section", "pages", "matched", "cited"} <= set(p) for p in r["retrieved"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Τι καιρό θα κάνει αύριο; &lt;b&gt;Αθήνα &amp; Πειραιάς&lt;/b&gt;" in html
    assert "<b>Αθήνα" not in html
    assert "<svg" in html and "Οι 8 χειρότερες περιπτώσεις" in html and "Ανά κοινό" in html
    assert "<script" not in html and "<link" not in html and "src=" not in html  # nothing fetched


def test_scores_agree_with_what_was_retrieved_and_answered(hybrid_run):
    _, summary = hybrid_run
    recs = records(hybrid_run[0])
    for r in recs.values():
        s = r["scores"]
        if r["answerable"]:
            ranks = [p["rank"] for p in r["retrieved"] if p["matched"]]
            assert s["hit@k"] == (1.0 if ranks else 0.0)
            assert s["mrr"] == pytest.approx(1 / ranks[0] if ranks else 0.0, abs=1e-4)
            assert s["false_refusal_rate"] == (0.0 if r["found"] else 1.0)
            facts = [f["found"] for f in r["key_facts"]]
            assert s["key_fact_recall"] == pytest.approx(sum(facts) / len(facts), abs=1e-4)
        else:
            assert s["hit@k"] is None and s["refusal_accuracy"] == (0.0 if r["found"] else 1.0)
        if r["found"]:
            assert s["citation_validity"] == 1.0  # the facade already dropped invalid numbers
            assert r["citations"]["cited"]
    answerable = [r for r in recs.values() if r["answerable"]]
    assert summary["metrics"]["hit@k"] == pytest.approx(
        sum(r["scores"]["hit@k"] for r in answerable) / len(answerable), abs=1e-4
    )


def test_follow_ups_are_asked_with_their_history(hybrid_run):
    recs = records(hybrid_run[0])
    # The extractive answerer resolves «και μετά;» by leaning on the previous user turn, which only the
    # history passed to Assistant.ask can supply.
    assert "πρώτο βήμα" in recs["fu-01"]["standalone_question"]
    assert recs["fu-01"]["history"][0]["role"] == "user"


def test_cli_min_thresholds_fail_and_pass(small_dataset, config_toml, tmp_path):
    runner = CliRunner()
    base = ["eval", "run", "--dataset", str(small_dataset), "--config", str(config_toml), "--limit", "3"]
    failed = runner.invoke(app, [*base, "--out", str(tmp_path / "a"), "--min", "hit@k=1.01", "--min", "mrr=0"])
    assert failed.exit_code == 1, failed.output
    assert "hit@k" in failed.output and "< minimum 1.01" in flat(failed.output)
    assert "mrr =" not in failed.output  # only the metrics below their threshold are listed
    thresholds = tmp_path / "t.toml"
    thresholds.write_text('"hit@k" = 0.0\n[max]\nfalse_refusal_rate = 1.0\n', encoding="utf-8")
    passed = runner.invoke(app, [*base, "--out", str(tmp_path / "b"), "--thresholds", str(thresholds)])
    assert passed.exit_code == 0, passed.output
    assert "All 2 thresholds met" in flat(passed.output)
    assert len(records(tmp_path / "b")) == 3 and (tmp_path / "b" / "report.html").is_file()
    unknown = runner.invoke(app, [*base, "--out", str(tmp_path / "c"), "--min", "accuracy=1"])
    assert unknown.exit_code == 1 and "Unknown metric 'accuracy'" in flat(unknown.output)


def test_compare_two_runs(assistant, small_dataset, hybrid_run, tmp_path):
    other = tmp_path / "bm25"
    run(assistant, load_dataset(small_dataset), other, mode="bm25", dataset=small_dataset)
    a, b = load_run(hybrid_run[0]), load_run(other)
    c = compare(a, b)
    assert [d.name for d in c.metrics] == list(METRICS)
    hit = next(d for d in c.metrics if d.name == "hit@k")
    assert hit.delta == pytest.approx(b.summary["metrics"]["hit@k"] - a.summary["metrics"]["hit@k"])
    for case_id in a.records:
        delta = b.records[case_id]["scores"]["case_score"] - a.records[case_id]["scores"]["case_score"]
        assert (case_id in {d.id for d in c.improved}) == (delta >= 0.01)
        assert (case_id in {d.id for d in c.worsened}) == (delta <= -0.01)
    html = tmp_path / "cmp.html"
    result = CliRunner().invoke(app, ["eval", "compare", str(hybrid_run[0]), str(other), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "hit@k" in result.output and "Better in B" in flat(result.output) and "Worse in B" in flat(result.output)
    assert "Σύγκριση εκτελέσεων" in html.read_text(encoding="utf-8")
    missing = CliRunner().invoke(app, ["eval", "compare", str(hybrid_run[0]), str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "not an evaluation run" in flat(missing.output)


def test_compare_lists_the_cases_that_moved(tmp_path):
    def write_run(path: Path, scores: dict[str, float], hit: float) -> Path:
        path.mkdir()
        (path / "summary.json").write_text(json.dumps({"run": {"id": path.name}, "metrics": {"hit@k": hit}}))
        lines = [json.dumps({"id": i, "question": f"q {i}", "scores": {"case_score": s}}) for i, s in scores.items()]
        (path / "cases.jsonl").write_text("\n".join(lines) + "\n")
        return path

    a = write_run(tmp_path / "a", {"x": 0.2, "y": 0.9, "z": 0.5, "only-a": 1.0}, 0.5)
    b = write_run(tmp_path / "b", {"x": 0.8, "y": 0.3, "z": 0.505, "only-b": 0.0}, 0.75)
    c = compare(load_run(a), load_run(b))
    assert [d.id for d in c.improved] == ["x"] and [d.id for d in c.worsened] == ["y"]
    assert c.only_a == ["only-a"] and c.only_b == ["only-b"]
    hit = next(d for d in c.metrics if d.name == "hit@k")
    assert hit.delta == 0.25 and hit.direction == 1
    latency = next(d for d in c.metrics if d.name == "latency_p95_ms")
    assert latency.delta is None and latency.direction == 0


def test_all_three_retrieval_modes_in_one_invocation(assistant, small_dataset, tmp_path):
    summaries = run_modes(assistant, load_dataset(small_dataset), tmp_path, dataset=small_dataset, limit=2)
    assert list(summaries) == ["hybrid", "dense", "bm25"]
    assert {s["run"]["retrieval_mode"] for s in summaries.values()} == {"hybrid", "dense", "bm25"}
    table = json.loads((tmp_path / "modes.json").read_text(encoding="utf-8"))
    assert set(table) == {"hybrid", "dense", "bm25"} and all(t["n_cases"] == 2 for t in table.values())
    markdown = (tmp_path / "modes.md").read_text(encoding="utf-8")
    assert markdown.startswith("| Μέτρο | hybrid | dense | bm25 |") and "`ndcg@k`" in markdown
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "bm25/report.html" in index and (tmp_path / "dense" / "report.html").is_file()


def test_llm_judge_is_separate_and_only_for_generative_answerers(assistant, small_dataset, bundled_settings, tmp_path):
    with pytest.raises(ConfigError, match="generative answerer"):
        make_judge(bundled_settings)  # extractive: no judge
    verdict = '{"claims": [{"claim": "α", "supported": true}, {"claim": "β", "supported": false}]}'
    questions = "Πώς κάνω χαρτογράφηση αναγκών;\nΤι είναι το σημείωμα αναγκών;\nΠοιος συντάσσει το σημείωμα;"
    judge = LLMJudge(FakeListChatModel(responses=[verdict, questions]), "fake-judge")
    cases = [c for c in load_dataset(small_dataset) if c.id == "m-6.1-a"]
    summary = run(assistant, cases, tmp_path / "judged", dataset=small_dataset, judge=judge)
    record = records(tmp_path / "judged")["m-6.1-a"]
    if record["found"]:
        assert record["llm_judge"]["faithfulness"] == 0.5 and record["llm_judge"]["claims"] == 2
        assert 0.0 <= record["llm_judge"]["answer_relevance"] <= 1.0
        assert summary["llm_judge"]["faithfulness"] == 0.5 and summary["llm_judge"]["n"] == 1
    else:  # a refusal is not judged
        assert "llm_judge" not in record and summary["llm_judge"]["n"] == 0
    assert summary["llm_judge"]["model"] == "fake-judge"
    assert "faithfulness" not in summary["metrics"]  # the offline metrics stay apart
    assert "fake-judge" in (tmp_path / "judged" / "report.html").read_text(encoding="utf-8")


def test_cli_repeat_baseline_memo_and_export(small_dataset, config_toml, hybrid_run, tmp_path):
    runner = CliRunner()
    out = tmp_path / "again"
    args = ["eval", "run", "--dataset", str(small_dataset), "--config", str(config_toml), "--limit", "2"]
    result = runner.invoke(app, [*args, "--repeat", "2", "--baseline", str(hybrid_run[0]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "95 % CI" in text and "Latency over ×2 repeats" in text and "Dataset small vunversioned" in text
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["run"]["repeat"] == 2 and summary["latency"]["repeat"] == 2
    assert summary["run"]["dataset_info"]["sha256"] == hybrid_run[1]["run"]["dataset_info"]["sha256"]
    assert set(summary["run"]["code"]) == {"commit", "dirty", "package"}
    ci = summary["intervals"]["hit@k"]
    assert ci["n"] == summary["metrics"]["n_answerable"] and ci["low"] <= summary["metrics"]["hit@k"] <= ci["high"]
    recs = records(out)
    assert all(len(r["latency_runs_ms"]) == 2 for r in recs.values())
    assert all({"tp", "fp", "fn"} <= set(r["evidence"]) for r in recs.values())
    memo = (out / "memo.txt").read_text(encoding="utf-8")
    assert memo.startswith("ΣΥΝΟΨΗ ΑΞΙΟΛΟΓΗΣΗΣ") and "Σε σχέση με τη βάση σύγκρισης" in memo
    assert "διάστημα εμπιστοσύνης 95 %" in memo
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Σύνοψη για υπόμνημα" in html and "Διάστημα 95 %" in html and "Περιπτώσεις που άλλαξαν" in html
    # The same cases answered the same way: nothing differs significantly.
    compared = runner.invoke(app, ["eval", "compare", str(hybrid_run[0]), str(out), "--memo", str(tmp_path / "m.txt")])
    assert compared.exit_code == 0, compared.output
    assert "0 metrics differ at p < 0.05" in flat(compared.output) and "Cases only in A: 6" in flat(compared.output)
    exported = runner.invoke(app, ["eval", "export", str(out), "-o", str(tmp_path / "run.jsonl")])
    assert exported.exit_code == 0 and "2 cases written" in flat(exported.output)
    back = runner.invoke(app, ["eval", "import", str(tmp_path / "run.jsonl"), "--out", str(tmp_path / "back.jsonl")])
    assert back.exit_code == 0 and "2 cases written" in flat(back.output)
    assert [c.id for c in load_dataset(tmp_path / "back.jsonl")] == CASE_IDS[:2]


def test_cli_split_choice(tmp_path):
    runner = CliRunner()
    shown = runner.invoke(app, ["eval", "validate", "--split", "dev"])
    assert shown.exit_code == 0, shown.output
    assert "situations_dev v" in flat(shown.output)
    both = runner.invoke(app, ["eval", "run", "--split", "dev", "--dataset", "x.jsonl"])
    assert both.exit_code == 1 and "not both" in flat(both.output)
    unknown = runner.invoke(app, ["eval", "run", "--split", "train", "--out", str(tmp_path / "x")])
    assert unknown.exit_code == 1 and "Unknown split 'train'" in flat(unknown.output)
