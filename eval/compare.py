"""Two runs on the same cases: each metric's paired difference with its interval and p-value, the cases that
changed grouped by how (newly refused, newly wrong source, key facts lost or gained …), and warnings when the
runs are not comparable (different datasets, few common cases)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.errors import RunNotFoundError
from eval.catalogue import METRICS, case_values
from eval.stats import Paired, holm, paired_test

EPSILON = 0.01  # per-case score changes smaller than this are noise, not "better" or "worse"


@dataclass
class Run:
    path: Path
    summary: dict
    records: dict[str, dict]

    @property
    def name(self) -> str:
        return self.summary.get("run", {}).get("id") or self.path.name

    @property
    def dataset(self) -> dict:
        """name, version, sha256 (older runs: the file path and the file's hash)."""
        meta = self.summary.get("run", {})
        info = meta.get("dataset_info") or {}
        return {
            "name": info.get("name") or Path(meta.get("dataset", "") or "?").stem,
            "version": info.get("version", "?"),
            "sha256": info.get("sha256") or meta.get("dataset_sha256", ""),
        }


def load_run(path: Path | str) -> Run:
    path = Path(path)
    summary_file, cases_file = path / "summary.json", path / "cases.jsonl"
    if not summary_file.is_file() or not cases_file.is_file():
        raise RunNotFoundError(
            f"{path} is not an evaluation run (summary.json and cases.jsonl expected)",
            f"Ο φάκελος {path} δεν είναι εκτέλεση αξιολόγησης (λείπουν summary.json και cases.jsonl)",
        )
    records = {}
    for line in cases_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            records[r["id"]] = r
    return Run(path, json.loads(summary_file.read_text(encoding="utf-8")), records)


@dataclass
class MetricDelta:
    name: str
    a: float | None  # the runs' own summary values (all their cases)
    b: float | None
    paired: Paired | None = None  # on the cases both runs scored
    p_holm: float | None = None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def significant(self) -> bool:
        return bool(self.paired and self.paired.significant)

    @property
    def direction(self) -> int:
        """+1 when B is better, -1 when worse, 0 when equal or unknown."""
        d = self.delta
        if d is None or abs(d) < 1e-9:
            return 0
        better = d < 0 if METRICS[self.name].lower_is_better else d > 0
        return 1 if better else -1


@dataclass
class CaseDelta:
    id: str
    question: str
    a: float
    b: float
    answer_a: str = ""
    answer_b: str = ""

    @property
    def delta(self) -> float:
        return self.b - self.a


@dataclass
class CaseChange:
    id: str
    question: str
    detail: str = ""
    answer_a: str = ""
    answer_b: str = ""


# How a case can change, in report order: key → (Greek title, English title, good for B?).
CHANGE_KINDS: dict[str, tuple[str, str, bool]] = {
    "newly_refused": ("Νέες αρνήσεις σε απαντήσιμες ερωτήσεις", "Newly refused (answerable)", False),
    "newly_answered": ("Απαντήθηκαν ενώ πριν υπήρξε άρνηση", "Newly answered (answerable)", True),
    "newly_accepted_out_of_scope": ("Απάντησαν εκτός πεδίου", "Newly answered out of scope", False),
    "newly_refused_out_of_scope": ("Σωστή άρνηση εκτός πεδίου", "Newly refused out of scope", True),
    "newly_wrong_source": ("Νέα λάθος πηγή (καμία σωστή ενότητα)", "Newly wrong source", False),
    "source_fixed": ("Διορθώθηκε η πηγή", "Source fixed", True),
    "facts_lost": ("Χάθηκαν βασικά στοιχεία", "Key facts lost", False),
    "facts_gained": ("Κερδήθηκαν βασικά στοιχεία", "Key facts gained", True),
}


@dataclass
class Comparison:
    a: Run
    b: Run
    metrics: list[MetricDelta] = field(default_factory=list)
    improved: list[CaseDelta] = field(default_factory=list)
    worsened: list[CaseDelta] = field(default_factory=list)
    changes: dict[str, list[CaseChange]] = field(default_factory=dict)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    common: int = 0
    warnings: list[str] = field(default_factory=list)
    settings_changed: dict[str, tuple] = field(default_factory=dict)

    @property
    def significant(self) -> list[MetricDelta]:
        return [d for d in self.metrics if d.significant]


def _score(record: dict) -> float:
    return float(record.get("scores", {}).get("case_score") or 0.0)


def _cites_gold(record: dict) -> bool:
    evidence = record.get("evidence")
    if evidence is not None:
        return bool(evidence.get("tp"))
    return any(p.get("matched") and p.get("cited") for p in record.get("retrieved", []))


def _facts(record: dict) -> set[str]:
    return {f["fact"] for f in record.get("key_facts", []) if f.get("found")}


def _short(label: str) -> str:
    """«guide § 6. Βήμα … > 6.3 Διαβούλευση και πρώτη επαφή» → «6.3 Διαβούλευση και πρώτη επαφή»."""
    return label.split(" § ", 1)[-1].split(" > ")[-1]


def case_changes(ra: dict, rb: dict) -> list[tuple[str, str]]:
    """The ways one case changed from A to B: [(kind, detail)]."""
    out = []
    fa, fb = bool(ra.get("found")), bool(rb.get("found"))
    answerable = rb.get("answerable")
    if answerable:
        if fa and not fb:
            out.append(("newly_refused", ""))
        elif fb and not fa:
            out.append(("newly_answered", ""))
        if fa and fb and _cites_gold(ra) != _cites_gold(rb):
            cited = [_short(x) for x in rb.get("evidence", {}).get("fp", [])]
            out.append(
                ("source_fixed", "") if _cites_gold(rb) else ("newly_wrong_source", "cites " + "; ".join(cited[:3]))
            )
        lost, gained = _facts(ra) - _facts(rb), _facts(rb) - _facts(ra)
        if lost:
            out.append(("facts_lost", " · ".join(sorted(lost))))
        if gained:
            out.append(("facts_gained", " · ".join(sorted(gained))))
    elif answerable is False:
        if fa and not fb:
            out.append(("newly_refused_out_of_scope", ""))
        elif fb and not fa:
            out.append(("newly_accepted_out_of_scope", ""))
    return out


def _paired(name: str, ids: list[str], a: Run, b: Run) -> Paired | None:
    va, vb = [], []
    for case_id in ids:
        x = case_values([a.records[case_id]], name)
        y = case_values([b.records[case_id]], name)
        if x and y:
            va.append(x[0])
            vb.append(y[0])
    return paired_test(va, vb, METRICS[name].statistic) if va else None


def _settings_changed(a: Run, b: Run) -> dict[str, tuple]:
    sa = a.summary.get("run", {}).get("settings") or {}
    sb = b.summary.get("run", {}).get("settings") or {}
    return {k: (sa.get(k), sb.get(k)) for k in sorted(sa.keys() | sb.keys()) if sa.get(k) != sb.get(k)}


def compare(a: Run, b: Run, epsilon: float = EPSILON) -> Comparison:
    out = Comparison(a, b)
    common = sorted(a.records.keys() & b.records.keys())
    out.common = len(common)
    ma, mb = a.summary.get("metrics", {}), b.summary.get("metrics", {})
    out.metrics = [MetricDelta(name, ma.get(name), mb.get(name), _paired(name, common, a, b)) for name in METRICS]
    for d, p in zip(out.metrics, holm([d.paired.p if d.paired else None for d in out.metrics]), strict=True):
        d.p_holm = p
    out.changes = {kind: [] for kind in CHANGE_KINDS}
    for case_id in common:
        ra, rb = a.records[case_id], b.records[case_id]
        d = CaseDelta(case_id, ra["question"], _score(ra), _score(rb), ra.get("answer", ""), rb.get("answer", ""))
        if d.delta >= epsilon:
            out.improved.append(d)
        elif d.delta <= -epsilon:
            out.worsened.append(d)
        for kind, detail in case_changes(ra, rb):
            out.changes[kind].append(CaseChange(case_id, ra["question"], detail, d.answer_a, d.answer_b))
    out.improved.sort(key=lambda d: (-d.delta, d.id))
    out.worsened.sort(key=lambda d: (d.delta, d.id))
    out.only_a = sorted(a.records.keys() - b.records.keys())
    out.only_b = sorted(b.records.keys() - a.records.keys())
    out.settings_changed = _settings_changed(a, b)
    da, db = a.dataset, b.dataset
    if da["sha256"] != db["sha256"] or da["name"] != db["name"]:
        out.warnings.append(
            f"The runs used different datasets: A {da['name']} v{da['version']} ({da['sha256'][:8] or '?'}), "
            f"B {db['name']} v{db['version']} ({db['sha256'][:8] or '?'}); only the {out.common} common cases are paired."
        )
    if out.only_a or out.only_b:
        out.warnings.append(f"Cases only in A: {len(out.only_a)}, only in B: {len(out.only_b)}.")
    return out
