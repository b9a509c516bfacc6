"""The comparison of two runs as HTML: the Greek memo, paired differences with intervals and p-values, the
cases that changed (by kind) and those whose per-case score moved. Also a section of a run's report."""

from __future__ import annotations

from html import escape

from eval.catalogue import METRICS
from eval.compare import CHANGE_KINDS, Comparison, MetricDelta
from eval.html_page import fmt, page
from eval.memo import compare_memo


def scaled(name: str, value: float) -> str:
    scale = 100 if METRICS[name].percent else 1
    digits = 0 if name.startswith("latency") else 1
    return f"{value * scale:+.{digits}f}"


def delta_text(d: MetricDelta, value: float | None = None) -> str:
    """A difference with its unit: percentage points for shares, ms for latency."""
    value = d.delta if value is None else value
    if value is None:
        return "—"
    unit = " pp" if METRICS[d.name].percent else " ms" if d.name.startswith("latency") else ""
    return scaled(d.name, value) + unit


def paired_cells(d: MetricDelta) -> tuple[str, str, str, str]:
    """(Δ on common cases, its 95 % interval, p, n) as text."""
    p = d.paired
    if p is None or p.delta is None:
        return "—", "—", "—", "0"
    ci = f"[{scaled(d.name, p.low)}, {scaled(d.name, p.high)}]"
    pv = "<0.001" if p.p is not None and p.p < 0.001 else f"{p.p:.3f}"
    return delta_text(d, p.delta), ci, pv, str(p.n)


def metric_rows(c: Comparison) -> str:
    rows = []
    for d in c.metrics:
        cls = {1: "good", -1: "bad"}.get(d.direction, "") if d.significant else "muted"
        delta, ci, pv, n = paired_cells(d)
        mark = "✔ σημαντική" if d.significant else "—"
        rows.append(
            f"<tr><td>{escape(METRICS[d.name].label)}</td><td><code>{escape(d.name)}</code></td>"
            f"<td class='num'>{fmt(d.name, d.a)}</td><td class='num'>{fmt(d.name, d.b)}</td>"
            f"<td class='num {cls}'>{escape(delta)}</td><td class='num'>{escape(ci)}</td><td class='num'>{pv}</td>"
            f"<td class='num'>{n}</td><td class='{cls}'>{mark}</td></tr>"
        )
    return (
        "<table><tr><th>Μέτρο</th><th>Κλειδί</th><th>A</th><th>B</th><th>Διαφορά (ανά ερώτηση)</th>"
        "<th>Διάστημα 95 %</th><th>p</th><th>n</th><th>p &lt; 0,05</th></tr>" + "".join(rows) + "</table>"
    )


def change_sections(c: Comparison, limit: int = 30) -> str:
    body = []
    for kind, items in c.changes.items():
        if not items:
            continue
        title, _, good = CHANGE_KINDS[kind]
        body.append(f"<h3 class='{'good' if good else 'bad'}'>{escape(title)} ({len(items)})</h3><table>")
        body.append("<tr><th>Id</th><th>Ερώτηση</th><th>Λεπτομέρεια</th><th>Απάντηση A</th><th>Απάντηση B</th></tr>")
        for ch in items[:limit]:
            body.append(
                f"<tr><td>{escape(ch.id)}</td><td>{escape(ch.question)}</td><td>{escape(ch.detail) or '—'}</td>"
                f"<td style='white-space:pre-wrap'>{escape(ch.answer_a[:500])}</td>"
                f"<td style='white-space:pre-wrap'>{escape(ch.answer_b[:500])}</td></tr>"
            )
        body.append("</table>")
    return "".join(body) or "<p class='muted'>Καμία περίπτωση δεν άλλαξε κατηγορία.</p>"


def comparison_sections(c: Comparison, limit: int = 30) -> str:
    """The comparison as report sections (for a run's report made with --baseline, or the compare page)."""
    warnings = "".join(f"<p class='bad'>⚠ {escape(w)}</p>" for w in c.warnings)
    body = [
        f"<h2>Σύγκριση με {escape(c.a.name)} (A) → {escape(c.b.name)} (B)</h2>",
        warnings,
        "<p class='meta'>Η διαφορά, το διάστημα (paired bootstrap) και το p (τεστ μεταθέσεων ανά ερώτηση) "
        f"υπολογίζονται στις {c.common} κοινές ερωτήσεις· οι στήλες A και B είναι οι τιμές κάθε εκτέλεσης.</p>",
        metric_rows(c),
        "<h2>Περιπτώσεις που άλλαξαν</h2>",
        change_sections(c, limit),
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
    return "".join(body)


def render_html(c: Comparison, limit: int = 30) -> str:
    body = (
        f"<h1>Σύγκριση εκτελέσεων: {escape(c.a.name)} → {escape(c.b.name)}</h1>"
        f"<h2>Σύνοψη για υπόμνημα</h2><div class='memo'>{escape(compare_memo(c))}</div>" + comparison_sections(c, limit)
    )
    return page(f"Σύγκριση {c.a.name} → {c.b.name}", body)
