"""Evaluation harness: question sets, offline metrics, runs through the `Assistant` facade, reports and comparisons.

Data flow: `dataset` (JSONL cases) → `runner` (ask + score each case) → `metrics` (pure functions) →
`report` (HTML) and `compare` (two runs side by side). See eval/README.md for the formats and formulas.
"""

from pathlib import Path

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
DEFAULT_DATASET = DATASETS_DIR / "kalo_v1.jsonl"
DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"
