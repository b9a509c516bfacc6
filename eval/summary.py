"""A run's summary: each metric over the cases where it is defined, with its bootstrap 95 % interval and the
number of cases behind it, overall and per audience, guide, tag and gold chapter."""

from __future__ import annotations

import re
from collections.abc import Callable

from eval.catalogue import METRICS, case_values, percentile, statistic
from eval.stats import bootstrap_ci

COUNTS = ("n_cases", "n_answerable", "n_unanswerable", "n_errors")


def _round(v):
    return round(v, 4) if isinstance(v, float) else v


def aggregate(records: list[dict]) -> dict[str, float | int | None]:
    """Every metric's summary value (mean, median or percentile of its per-case values), plus case counts."""
    ok = [r for r in records if not r.get("error")]
    out: dict[str, float | int | None] = {name: statistic(name, case_values(ok, name)) for name in METRICS}
    out["n_cases"] = len(records)
    out["n_answerable"] = sum(1 for r in records if r["answerable"])
    out["n_unanswerable"] = sum(1 for r in records if r["answerable"] is False)
    out["n_errors"] = len(records) - len(ok)
    return {k: _round(v) for k, v in out.items()}


def intervals(records: list[dict], resamples: int | None = None) -> dict[str, dict]:
    """{metric: {low, high, n}}: the percentile-bootstrap 95 % interval of each metric over its cases."""
    kwargs = {"resamples": resamples} if resamples else {}
    out = {}
    for name, info in METRICS.items():
        values = case_values(records, name)
        out[name] = bootstrap_ci(values, info.statistic, **kwargs).as_dict()
    return out


def latency_spread(records: list[dict]) -> dict | None:
    """With --repeat N: the median latency over cases (each case's own median over its N runs), the
    interquartile range over cases, and the median within-case spread (max − min over the N runs)."""
    runs = [r["latency_runs_ms"] for r in records if r.get("latency_runs_ms")]
    if not runs:
        return None
    medians = [r["latency_ms"] for r in records if r.get("latency_runs_ms")]
    spreads = [max(x) - min(x) for x in runs]
    return {
        "repeat": max(len(x) for x in runs),
        "median_ms": _round(percentile(medians, 50)),
        "p25_ms": _round(percentile(medians, 25)),
        "p75_ms": _round(percentile(medians, 75)),
        "within_case_spread_ms": _round(percentile(spreads, 50)),
        "answers_changed": sum(1 for r in records if r.get("answer_changed_on_repeat")),
    }


def _natural(key: str) -> list:
    """«g §10» after «g §9»: digits compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key)]


def _groups(records: list[dict], key: Callable[[dict], list[str]]) -> dict[str, dict]:
    buckets: dict[str, list[dict]] = {}
    for r in records:
        for name in key(r):
            buckets.setdefault(name, []).append(r)
    return {
        name: aggregate(rs) | {"intervals": intervals(rs, resamples=500)}
        for name, rs in sorted(buckets.items(), key=lambda kv: _natural(kv[0]))
    }


def section_keys(record: dict) -> list[str]:
    gold = record.get("gold")
    if not gold:
        return []
    return [f"{gold['guide_id']} §{s}" for s in dict.fromkeys(s.split(".")[0] for s in gold["sections"])]


def summarize(records: list[dict], meta: dict) -> dict:
    ok = [r for r in records if not r.get("error")]
    return {
        "run": meta,
        "metrics": aggregate(records),
        "intervals": intervals(ok),
        "latency": latency_spread(ok),
        "by_audience": _groups(records, lambda r: [r["audience"] or "none"]),
        "by_guide": _groups(records, lambda r: [r["gold"]["guide_id"] if r["gold"] else "unanswerable"]),
        "by_tag": _groups(records, lambda r: r["tags"] or ["untagged"]),
        "by_section": _groups(records, section_keys),
        "llm_judge": None,
        "errors": [{"id": r["id"], "error": r["error"]} for r in records if r.get("error")],
    }
