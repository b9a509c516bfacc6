"""The CI quality gate: the whole kalo_v1 dataset through the assistant on the bundled index must meet
eval/thresholds.toml (the same check as `kalo eval run --thresholds eval/thresholds.toml`)."""

from __future__ import annotations

import pytest
from support.shared import shared_assistant

from eval import DEFAULT_DATASET, DEFAULT_THRESHOLDS
from eval.dataset import load_dataset
from eval.gates import failures, load_thresholds
from eval.runner import run


@pytest.mark.slow
def test_full_dataset_meets_the_thresholds(bundled_settings, tmp_path):
    cases = load_dataset(DEFAULT_DATASET)
    summary = run(shared_assistant(bundled_settings), cases, tmp_path / "ci", dataset=DEFAULT_DATASET)
    assert summary["metrics"]["n_cases"] == len([c for c in cases if not c.draft])
    assert summary["metrics"]["n_errors"] == 0, summary["errors"]
    missed = failures(summary["metrics"], load_thresholds(DEFAULT_THRESHOLDS))
    assert not missed, (
        "Below eval/thresholds.toml (report: " + str(tmp_path / "ci" / "report.html") + "):\n" + "\n".join(missed)
    )


@pytest.mark.slow
def test_held_out_split_meets_its_gate(bundled_settings, tmp_path):
    """`kalo eval run --split test --thresholds eval/thresholds.toml`: the [split.test] table."""
    from eval.identity import resolve

    path = resolve(split="test")
    summary = run(shared_assistant(bundled_settings), load_dataset(path), tmp_path / "test", dataset=path)
    assert summary["run"]["dataset_info"]["split"] == "test" and summary["metrics"]["n_errors"] == 0
    missed = failures(summary["metrics"], load_thresholds(DEFAULT_THRESHOLDS, "test"))
    assert not missed, "Below [split.test] in eval/thresholds.toml:\n" + "\n".join(missed)
