"""Two runs side by side: metric deltas, and the cases whose per-case score moved."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from assistant.core.errors import KaloError
from eval.metrics import METRICS
from eval.report import fmt, page

EPSILON = 0.01  # per-case score changes smaller than this are noise, not "better" or "worse"


class RunNotFoundError(KaloError):
    """A run folder lacks summary.json or cases.jsonl."""


@dataclass
class Run:
    path: Path
    summary: dict
    records: dict[str, dict]

    @property
    def name(self) -> str:
        return self.summary.get("run", {}).get("id") or self.path.name


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
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

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
class Comparison:
    a: Run
    b: Run
    metrics: list[MetricDelta] = field(default_factory=list)
    improved: list[CaseDelta] = field(default_factory=list)
    worsened: list[CaseDelta] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)


def _score(record: dict) -> float:
    return float(record.get("scores", {}).get("case_score") or 0.0)


def compare(a: Run, b: Run, epsilon: float = EPSILON) -> Comparison:
    out = Comparison(a, b)
    ma, mb = a.summary.get("metrics", {}), b.summary.get("metrics", {})
    out.metrics = [MetricDelta(name, ma.get(name), mb.get(name)) for name in METRICS]
    for case_id in a.records.keys() & b.records.keys():
        ra, rb = a.records[case_id], b.records[case_id]
        d = CaseDelta(case_id, ra["question"], _score(ra), _score(rb), ra.get("answer", ""), rb.get("answer", ""))
        if d.delta >= epsilon:
            out.improved.append(d)
        elif d.delta <= -epsilon:
            out.worsened.append(d)
    out.improved.sort(key=lambda d: (-d.delta, d.id))
    out.worsened.sort(key=lambda d: (d.delta, d.id))
    out.only_a = sorted(a.records.keys() - b.records.keys())
    out.only_b = sorted(b.records.keys() - a.records.keys())
    return out


def _delta_text(md: MetricDelta) -> str:
    if md.delta is None:
        return "—"
    scale = 100 if METRICS[md.name].percent else 1
    unit = " pp" if METRICS[md.name].percent else ""
    return f"{md.delta * scale:+.1f}{unit}"


def print_comparison(console, c: Comparison, limit: int = 15) -> None:
    from rich.table import Table

    table = Table(title=f"{c.a.name} → {c.b.name}")
    for column in ("Metric", "A", "B", "Δ"):
        table.add_column(column, justify="left" if column == "Metric" else "right")
    for md in c.metrics:
        style = {1: "green", -1: "red"}.get(md.direction, "")
        table.add_row(
            md.name,
            fmt(md.name, md.a),
            fmt(md.name, md.b),
            f"[{style}]{_delta_text(md)}[/]" if style else _delta_text(md),
        )
    console.print(table)
    for title, rows, style in (("Better in B", c.improved, "green"), ("Worse in B", c.worsened, "red")):
        t = Table(title=f"{title}: {len(rows)} cases (per-case score)")
        for column in ("Case", "Question", "A", "B", "Δ"):
            t.add_column(column, overflow="fold")
        for d in rows[:limit]:
            t.add_row(d.id, d.question, f"{d.a:.2f}", f"{d.b:.2f}", f"[{style}]{d.delta:+.2f}[/]")
        console.print(t)
    if c.only_a or c.only_b:
        console.print(f"[yellow]Cases only in A: {len(c.only_a)}, only in B: {len(c.only_b)}[/]")


def render_html(c: Comparison, limit: int = 30) -> str:
    rows = []
    for md in c.metrics:
        cls = {1: "good", -1: "bad"}.get(md.direction, "")
        rows.append(
            f"<tr><td>{escape(METRICS[md.name].label)}</td><td><code>{escape(md.name)}</code></td>"
            f"<td class='num'>{fmt(md.name, md.a)}</td><td class='num'>{fmt(md.name, md.b)}</td>"
            f"<td class='num {cls}'>{escape(_delta_text(md))}</td></tr>"
        )
    body = [
        f"<h1>Σύγκριση εκτελέσεων: {escape(c.a.name)} → {escape(c.b.name)}</h1>",
        "<table><tr><th>Μέτρο</th><th>Κλειδί</th><th>A</th><th>B</th><th>Διαφορά</th></tr>",
        "".join(rows),
        "</table>",
    ]
    for title, items, cls in (
        ("Βελτιώθηκαν στο B", c.improved, "good"),
        ("Χειροτέρεψαν στο B", c.worsened, "bad"),
    ):
        body.append(f"<h2>{title} ({len(items)})</h2><table><tr><th>Id</th><th>Ερώτηση</th><th>A</th><th>B</th>")
        body.append("<th>Διαφορά</th><th>Απάντηση A</th><th>Απάντηση B</th></tr>")
        for d in items[:limit]:
            body.append(
                f"<tr><td>{escape(d.id)}</td><td>{escape(d.question)}</td><td class='num'>{d.a:.2f}</td>"
                f"<td class='num'>{d.b:.2f}</td><td class='num {cls}'>{d.delta:+.2f}</td>"
                f"<td style='white-space:pre-wrap'>{escape(d.answer_a[:600])}</td>"
                f"<td style='white-space:pre-wrap'>{escape(d.answer_b[:600])}</td></tr>"
            )
        body.append("</table>")
    return page(f"Σύγκριση {c.a.name} → {c.b.name}", "".join(body))
