"""Per-question retrieval evidence, as GOV.UK Chat reports it: the sections an answer cites against the gold
sections — true positives, false positives, false negatives, precision, recall, F1 and F2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from eval.metrics import Retrieved, gold_units, matching_sections, page_overlap


def f_beta(precision: float | None, recall: float | None, beta: float) -> float | None:
    """(1 + β²)·P·R / (β²·P + R); 0 when both are 0; a missing precision (nothing cited) counts as 0."""
    if recall is None:
        return None
    p = precision or 0.0
    if p + recall == 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * p * recall / (b2 * p + recall)


@dataclass
class Evidence:
    tp: list[str] = field(default_factory=list)  # cited sections that match a gold unit
    fp: list[str] = field(default_factory=list)  # cited sections that match none
    fn: list[str] = field(default_factory=list)  # gold units no cited section covers
    covered: int = 0  # gold units some cited section covers
    units: int = 0  # |G|

    @property
    def precision(self) -> float | None:
        cited = len(self.tp) + len(self.fp)
        return len(self.tp) / cited if cited else None

    @property
    def recall(self) -> float | None:
        return self.covered / self.units if self.units else None

    @property
    def f1(self) -> float | None:
        return f_beta(self.precision, self.recall, 1.0)

    @property
    def f2(self) -> float | None:
        return f_beta(self.precision, self.recall, 2.0)

    def record(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn}


def _label(r: Retrieved) -> str:
    return f"{r.guide_id} § {r.section}"


def cited_evidence(
    cited: Sequence[Retrieved], guide_id: str | None, sections: Sequence[str], pages: Sequence[int] = ()
) -> Evidence:
    """Distinct cited sections (guide + section path) against the gold. With no gold (out of scope) every cited
    section is a false positive and the scores are undefined."""
    distinct = list({(r.guide_id, r.section): r for r in cited}.values())
    units = gold_units(sections, pages) if guide_id else []
    out = Evidence(units=len(units))
    seen: set[str] = set()
    for r in distinct:
        if not guide_id or r.guide_id != guide_id:
            hits: set[str] = set()
        elif sections:
            hits = matching_sections(r.section, sections)
        else:
            hits = {"pages"} if page_overlap(r, pages) else set()
        (out.tp if hits else out.fp).append(_label(r))
        seen |= hits
    out.covered = len(seen & set(units))
    out.fn = [f"{guide_id} § {u}" for u in units if u not in seen]
    return out
