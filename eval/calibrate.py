"""Calibrate the relevance gate on one split (dev) and report it on another (test).

    python -m eval.calibrate                 # grid search on dev, then the chosen values on test
    python -m eval.calibrate --split test    # only report the current settings on a split

Retrieval runs once per case; the gate (assistant/gate.py) is then replayed for every grid point of its
thresholds, so the search costs seconds. Only dev chooses: test is reported, never searched.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass

from assistant.core.settings import Settings
from assistant.core.types import Retrieval
from assistant.gate import assess, features
from assistant.respond import read
from assistant.service import Assistant
from eval import DATASETS_DIR
from eval.dataset import Case, load_dataset

GRID = {
    "gate_min_standout": [0.5, 1.0, 1.5, 2.0],
    "gate_max_need_unknown": [0.3, 0.4, 0.5, 0.6, 0.8],
    "gate_max_unknown": [0.2, 0.3, 0.4, 0.5, 0.6],
    "gate_min_need_coverage": [0.2, 0.3, 0.4, 0.5, 0.6],
    "gate_min_coverage": [0.0, 0.08, 0.1, 0.13, 0.16],
    "gate_strong_standout": [2.5, 3.0, 3.5, 99.0],
    "gate_cross_lingual_standout": [1.0, 1.5, 2.0, 2.5, 3.0],
}
CALIBRATION = ("situations_dev.jsonl",)  # the dev split only; test is reported, never searched


@dataclass
class Observed:
    case: Case
    question: str
    topic: str
    retrieval: Retrieval
    evidence: dict[str, float]
    asks: str


def observe(assistant: Assistant, cases: list[Case]) -> list[Observed]:
    """Each case read and searched exactly as the facade does (assistant/respond.py), once."""
    out = []
    for case in cases:
        r = read(assistant.search(case.audience), assistant.answerer, case.question, case.history)
        evidence = features(r.search, r.retrieval, assistant.settings, own=r.asks)
        out.append(Observed(case, case.question, r.search, r.retrieval, evidence, r.asks))
    return out


def errors(observed: list[Observed], settings: Settings) -> tuple[int, int]:
    """(false refusals, unanswerable answered)."""
    false_refusals = answered = 0
    for o in observed:
        ok = assess(o.question, o.retrieval, settings, o.evidence, o.topic, o.asks).answerable
        if o.case.answerable and not ok:
            false_refusals += 1
        if not o.case.answerable and ok:
            answered += 1
    return false_refusals, answered


def calibrate(observed: list[Observed], base: Settings) -> Settings:
    """The grid point with fewest errors (a false refusal and an answered unanswerable case cost alike);
    ties go to the point nearest the current defaults."""
    default = {k: getattr(base, k) for k in GRID}
    best, best_key = base, None
    for values in itertools.product(*GRID.values()):
        params = dict(zip(GRID, values, strict=True))
        trial = base.model_copy(update=params)
        distance = sum(abs(params[k] - default[k]) / max(abs(default[k]), 1e-9) for k in GRID)
        key = (sum(errors(observed, trial)), distance)
        if best_key is None or key < best_key:
            best, best_key = trial, key
    return best


def report(name: str, observed: list[Observed], settings: Settings, show: int = 25) -> None:
    fr, ans = errors(observed, settings)
    answerable = sum(1 for o in observed if o.case.answerable)
    unanswerable = len(observed) - answerable
    print(
        f"{name}: false refusals {fr}/{answerable} ({fr / max(answerable, 1):.0%}), "
        f"unanswerable refused {unanswerable - ans}/{unanswerable} ({(unanswerable - ans) / max(unanswerable, 1):.0%})"
    )
    for o in observed:
        c = assess(o.question, o.retrieval, settings, o.evidence, o.topic, o.asks)
        wrong = c.answerable != bool(o.case.answerable)
        if wrong and show > 0:
            show -= 1
            print(
                f"  ✗ {o.case.id} answerable={o.case.answerable} standout={c.standout:.2f} "
                f"coverage={c.coverage:.2f} unknown={c.unknown_share:.2f} ({c.reason}) {o.question[:80]}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test"], help="only report the current settings on this split")
    args = parser.parse_args()
    settings = Settings()
    assistant = Assistant(settings)
    if args.split:
        report(args.split, observe(assistant, load_dataset(DATASETS_DIR / f"situations_{args.split}.jsonl")), settings)
        return
    dev = [o for name in CALIBRATION for o in observe(assistant, load_dataset(DATASETS_DIR / name))]
    report("calibration cases, current", dev, settings, show=0)
    chosen = calibrate(dev, settings)
    print("chosen on dev:", {k: getattr(chosen, k) for k in GRID})
    report("calibration cases, fitted", dev, chosen)
    test = observe(assistant, load_dataset(DATASETS_DIR / "situations_test.jsonl"))
    report("test (held out), chosen", test, chosen, show=0)  # counts only: test must not steer the rules


if __name__ == "__main__":
    main()
