"""Self-contained HTML reports (inline CSS and SVG, no scripts, nothing fetched) with Greek labels."""

from __future__ import annotations

from html import escape
from pathlib import Path

from assistant.core.types import AUDIENCE_LABELS
from eval.dataset import KNOWN_TAGS
from eval.html_page import fmt, page
from eval.metrics import METRICS
from eval.report_compare import comparison_sections


def histogram(values: list[float], lo: float, hi: float, bins: int = 10, width: int = 300, height: int = 150) -> str:
    """An SVG histogram of `values` over [lo, hi] with counts above the bars."""
    counts = [0] * bins
    span = (hi - lo) or 1.0
    for v in values:
        i = min(bins - 1, max(0, int((v - lo) / span * bins)))
        counts[i] += 1
    top = max(counts) or 1
    pad_x, pad_y, axis = 8, 14, 18
    bar_w = (width - 2 * pad_x) / bins
    plot_h = height - pad_y - axis
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for i, c in enumerate(counts):
        h = plot_h * c / top
        x = pad_x + i * bar_w
        y = pad_y + plot_h - h
        parts.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="#4c6ef5"/>')
        if c:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" font-size="10" text-anchor="middle">{c}</text>'
            )
    base = pad_y + plot_h
    parts.append(f'<line x1="{pad_x}" y1="{base}" x2="{width - pad_x}" y2="{base}" stroke="#555"/>')
    for frac, anchor in ((0, "start"), (0.5, "middle"), (1, "end")):
        x = pad_x + frac * (width - 2 * pad_x)
        label = lo + frac * span
        text = f"{label:.0f}" if span > 2 else f"{label:.1f}"
        parts.append(f'<text x="{x:.1f}" y="{height - 4}" font-size="10" text-anchor="{anchor}">{text}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar(value: float | None, width: int = 120, good: bool = True) -> str:
    """A small inline SVG bar for a 0..1 value."""
    if value is None:
        return ""
    w = max(0.0, min(1.0, value)) * width
    color = "#2f9e44" if good else "#e8590c"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="10" role="img">'
        f'<rect width="{width}" height="10" fill="#edf0f5"/><rect width="{w:.1f}" height="10" fill="{color}"/></svg>'
    )


def interval_text(name: str, interval: dict | None) -> str:
    interval = interval or {}
    low, high = interval.get("low"), interval.get("high")
    return f"{fmt(name, low)} – {fmt(name, high)}" if low is not None and high is not None else "—"


def metrics_table(metrics: dict, names: list[str] | None = None, intervals: dict | None = None) -> str:
    intervals = intervals or {}
    rows = []
    for name in names or list(METRICS):
        info = METRICS[name]
        value = metrics.get(name)
        shown = bar(value, good=not info.lower_is_better) if info.percent and value is not None else ""
        ci = intervals.get(name) or {}
        rows.append(
            f"<tr><td>{escape(info.label)}</td><td><code>{escape(name)}</code></td>"
            f'<td class="num">{fmt(name, value)}</td><td class="num">{interval_text(name, ci)}</td>'
            f'<td class="num">{ci.get("n", "")}</td><td>{shown}</td></tr>'
        )
    return (
        "<table><tr><th>Μέτρο</th><th>Κλειδί</th><th>Τιμή</th><th>Διάστημα 95 %</th><th>n</th><th></th></tr>"
        + "".join(rows)
        + "</table>"
    )


GROUP_COLUMNS = ["case_score", "hit@k", "ndcg@k", "key_fact_recall", "citation_precision", "chrf", "refusal_accuracy"]


def group_label(kind: str, key: str) -> str:
    if kind == "by_audience":
        return AUDIENCE_LABELS.get(key, "Χωρίς κοινό")
    if kind == "by_tag":
        return f"{KNOWN_TAGS.get(key, key)} ({key})" if key in KNOWN_TAGS else key
    if kind == "by_guide" and key == "unanswerable":
        return "Εκτός οδηγών (αναπάντητες)"
    return key


def group_table(kind: str, groups: dict[str, dict]) -> str:
    head = "".join(f"<th>{escape(METRICS[c].label)}</th>" for c in GROUP_COLUMNS)
    rows = []
    for key, metrics in groups.items():
        cells = "".join(f'<td class="num">{fmt(c, metrics.get(c))}</td>' for c in GROUP_COLUMNS)
        rows.append(
            f"<tr><td>{escape(group_label(kind, key))}</td><td class='num'>{metrics.get('n_cases', 0)}</td>"
            f"<td>{bar(metrics.get('case_score'))}</td>{cells}</tr>"
        )
    return f"<table><tr><th>Ομάδα</th><th>Πλήθος</th><th></th>{head}</tr>{''.join(rows)}</table>"


def _case_html(r: dict) -> str:
    s = r.get("scores", {})
    tags = "".join(f'<span class="tag">{escape(t)}</span>' for t in r.get("tags", []))
    gold = r.get("gold")
    gold_text = (
        f"{escape(gold['guide_id'])} §{escape(', '.join(gold['sections']))} (σελ. {escape(', '.join(map(str, gold['pages'])))})"
        if gold
        else "εκτός πεδίου — αναμένεται άρνηση"
    )
    history = "".join(
        f"<div class='muted'>{'Χρήστης' if t['role'] == 'user' else 'Βοηθός'}: {escape(t['content'][:300])}</div>"
        for t in r.get("history", [])
    )
    facts = ", ".join(
        f"<span class='{'good' if f['found'] else 'bad'}'>{escape(f['fact'])}</span>" for f in r.get("key_facts", [])
    )
    sources = []
    for src in r.get("retrieved", []):
        classes = "src" + (" match" if src.get("matched") else "") + (" cited" if src.get("cited") else "")
        marks = ("✓ σωστή ενότητα " if src.get("matched") else "") + ("· παραπέμπεται" if src.get("cited") else "")
        sources.append(
            f"<div class='{classes}'><b>[{src['rank']}]</b> {escape(src['guide_id'])} — {escape(src['section'])} "
            f"(σελ. {escape(src['pages'])}) <span class='good'>{marks}</span>"
            f"<div class='muted'>{escape(src.get('excerpt') or src.get('text', '')[:300])}</div></div>"
        )
    error = f"<p class='bad'>Σφάλμα: {escape(r['error'])}</p>" if r.get("error") else ""
    evidence = _evidence_html(r)
    return (
        f"<div class='case'><h3>{escape(r['id'])}: {escape(r['question'])}</h3>"
        f"<div>{tags} <span class='muted'>κοινό: {escape(AUDIENCE_LABELS.get(r.get('audience') or '', '—'))}"
        f" · χρυσή πηγή: {gold_text} · βαθμολογία {fmt('case_score', s.get('case_score'))}"
        f" · nDCG {fmt('ndcg@k', s.get('ndcg@k'))} · στοιχεία {fmt('key_fact_recall', s.get('key_fact_recall'))}"
        f" · chrF {fmt('chrf', s.get('chrf'))}</span></div>{history}{error}"
        f"<div class='side'><div><b>Απάντηση</b><div class='answer'>{escape(r.get('answer', ''))}</div>"
        f"<p><b>Απάντηση αναφοράς:</b> {escape(r.get('reference_answer', '') or '—')}</p>"
        f"<p><b>Βασικά στοιχεία:</b> {facts or '—'}</p>{evidence}</div>"
        f"<div><b>Πηγές που ανακτήθηκαν</b>{''.join(sources) or '<p>—</p>'}</div></div></div>"
    )


def _evidence_html(r: dict) -> str:
    """Cited sections against the gold (TP/FP/FN) and the readability findings of one case."""
    ev = r.get("evidence") or {}
    s = r.get("scores", {})
    parts = []
    for key, label, cls in (
        ("tp", "Σωστές παραπομπές (TP)", "good"),
        ("fp", "Άλλες ενότητες (FP)", "bad"),
        ("fn", "Χρυσές ενότητες χωρίς παραπομπή (FN)", "bad"),
    ):
        items = ev.get(key) or []
        shown = "; ".join(escape(i) for i in items) or "—"
        parts.append(f"<div><b>{label}:</b> <span class='{cls if items else 'muted'}'>{shown}</span></div>")
    parts.append(
        f"<div class='muted'>ακρίβεια {fmt('cited_precision', s.get('cited_precision'))} · ανάκληση "
        f"{fmt('cited_recall', s.get('cited_recall'))} · F1 {fmt('cited_f1', s.get('cited_f1'))} · F2 "
        f"{fmt('cited_f2', s.get('cited_f2'))}</div>"
    )
    rd = r.get("readability")
    if rd:
        fragments = "".join(
            f"<li>{escape(f['sentence'][:200])} <span class='muted'>({escape(f['reason'])})</span></li>"
            for f in rd.get("fragments", [])
        )
        parts.append(
            f"<div class='muted'>{rd.get('words', 0)} λέξεις · {len(rd.get('heading_bullets', []))}/{rd.get('bullets', 0)} "
            f"κουκκίδες με επικεφαλίδα · αρίθμηση παραπομπών {escape(str(rd.get('citation_order', [])))}</div>"
            + (f"<div><b>Ημιτελείς προτάσεις:</b><ul>{fragments}</ul></div>" if fragments else "")
        )
    return "<div class='evidence'>" + "".join(parts) + "</div>"


HISTOGRAMS = [
    ("case_score", 0.0, 1.0),
    ("ndcg@k", 0.0, 1.0),
    ("key_fact_recall", 0.0, 1.0),
    ("citation_precision", 0.0, 1.0),
    ("chrf", 0.0, 100.0),
]


def _dataset_label(run: dict) -> str:
    info = run.get("dataset_info") or {}
    code = run.get("code") or {}
    commit = (code.get("commit") or "")[:10]
    label = f"{info['name']} v{info.get('version', '?')} ({str(info.get('sha256', ''))[:8]})" if info else ""
    return f"{label or run.get('dataset', '')} · {run.get('dataset', '')}" + (f" · κώδικας {commit}" if commit else "")


def render_report(summary: dict, records: list[dict], worst: int = 10, comparison=None) -> str:
    from eval.memo import run_memo

    run = summary.get("run", {})
    metrics = summary.get("metrics", {})
    head = (
        f"<h1>Αξιολόγηση Βοηθού ΚΑΛΟ — {escape(str(run.get('id', '')))}</h1>"
        f"<p class='meta'>Σύνολο ερωτήσεων: {escape(_dataset_label(run))} · τρόπος ανάκτησης: "
        f"<b>{escape(str(run.get('retrieval_mode', '')))}</b> · απαντητής: {escape(str(run.get('answerer', '')))} · "
        f"k = {escape(str(run.get('k', '')))} · περιπτώσεις: {metrics.get('n_cases', 0)} "
        f"({metrics.get('n_answerable', 0)} με απάντηση, {metrics.get('n_unanswerable', 0)} εκτός πεδίου, "
        f"{metrics.get('n_errors', 0)} σφάλματα) · διάρκεια {escape(str(run.get('seconds', '')))} s · "
        f"{escape(str(run.get('created', '')))}</p>"
    )
    body = [
        head,
        "<h2>Σύνοψη για υπόμνημα</h2>",
        f"<div class='memo'>{escape(run_memo(summary, comparison))}</div>",
        "<h2>Συνολικά μέτρα</h2>",
        "<p class='meta'>Διάστημα εμπιστοσύνης 95 % με bootstrap (επαναδειγματοληψία των ερωτήσεων, σταθερός σπόρος)· "
        "n = πλήθος ερωτήσεων στις οποίες ορίζεται το μέτρο.</p>",
        metrics_table(metrics, intervals=summary.get("intervals")),
    ]
    if comparison is not None:
        body.append(comparison_sections(comparison))
    judge = summary.get("llm_judge")
    body.append("<h2>Κρίση από γλωσσικό μοντέλο (llm_judge)</h2>")
    if judge:
        body.append(
            "<table><tr><th>Μέτρο</th><th>Τιμή</th><th>Πλήθος</th></tr>"
            + "".join(
                f"<tr><td>{escape(k)}</td><td class='num'>{escape(f'{v:.3f}' if isinstance(v, float) else str(v))}</td>"
                f"<td class='num'>{judge.get('n', '')}</td></tr>"
                for k, v in judge.items()
                if k not in {"n", "model"}
            )
            + f"</table><p class='meta'>Μοντέλο κριτή: {escape(str(judge.get('model', '')))}</p>"
        )
    else:
        body.append("<p class='muted'>Δεν εκτελέστηκε (απαιτεί γενετικό απαντητή και --llm-judge).</p>")
    body.append("<h2>Κατανομή βαθμολογιών</h2><div class='grid'>")
    for name, lo, hi in HISTOGRAMS:
        values = [r["scores"][name] for r in records if r.get("scores", {}).get(name) is not None]
        body.append(f"<figure><figcaption>{escape(METRICS[name].label)} (n={len(values)})</figcaption>")
        body.append(histogram(values, lo, hi) + "</figure>")
    latencies = [r["latency_ms"] for r in records if r.get("latency_ms") is not None]
    if latencies:
        body.append(f"<figure><figcaption>Χρόνος απόκρισης (ms, n={len(latencies)})</figcaption>")
        body.append(histogram(latencies, 0.0, max(latencies)) + "</figure>")
    body.append("</div>")
    for kind, title in (
        ("by_audience", "Ανά κοινό"),
        ("by_guide", "Ανά οδηγό"),
        ("by_section", "Ανά ενότητα (κεφάλαιο της χρυσής πηγής)"),
        ("by_tag", "Ανά ετικέτα"),
    ):
        body.append(f"<h2>{title}</h2>" + group_table(kind, summary.get(kind, {})))
    ranked = sorted(records, key=lambda r: (r.get("scores", {}).get("case_score") or 0.0, r["id"]))
    body.append(f"<h2>Οι {min(worst, len(ranked))} χειρότερες περιπτώσεις</h2>")
    body.extend(_case_html(r) for r in ranked[:worst])
    body.append("<h2>Όλες οι περιπτώσεις</h2><table><tr><th>Id</th><th>Ερώτηση</th><th>Απάντησε</th>")
    body.append("<th>Βαθμολογία</th><th>nDCG@k</th><th>Στοιχεία</th><th>Ενότητες TP/FP/FN</th><th>F2</th>")
    body.append("<th>Λάθος ενότητες (FP) · χωρίς παραπομπή (FN)</th><th>ms</th></tr>")
    for r in sorted(records, key=lambda r: r["id"]):
        s = r.get("scores", {})
        ev = r.get("evidence") or {}
        counts = "/".join(str(len(ev.get(k) or [])) for k in ("tp", "fp", "fn"))
        missed = "; ".join(escape(x) for x in (ev.get("fp") or []) + (ev.get("fn") or []))
        body.append(
            f"<tr><td>{escape(r['id'])}</td><td>{escape(r['question'])}</td><td>{'ναι' if r.get('found') else 'όχι'}</td>"
            f"<td class='num'>{fmt('case_score', s.get('case_score'))}</td><td class='num'>{fmt('ndcg@k', s.get('ndcg@k'))}</td>"
            f"<td class='num'>{fmt('key_fact_recall', s.get('key_fact_recall'))}</td><td class='num'>{counts}</td>"
            f"<td class='num'>{fmt('cited_f2', s.get('cited_f2'))}</td><td class='muted'>{missed}</td>"
            f"<td class='num'>{fmt('latency_p50_ms', r.get('latency_ms'))}</td></tr>"
        )
    body.append("</table>")
    return page(f"Αξιολόγηση {run.get('id', '')}", "".join(body))


def write_report(path: Path, summary: dict, records: list[dict], comparison=None) -> Path:
    path.write_text(render_report(summary, records, comparison=comparison), encoding="utf-8")
    return path


# --- retrieval modes side by side -----------------------------------------------------------------------


def modes_markdown(table: dict[str, dict]) -> str:
    modes = list(table)
    lines = ["| Μέτρο | " + " | ".join(modes) + " |", "|---|" + "---:|" * len(modes)]
    for name in METRICS:
        cells = " | ".join(fmt(name, table[mode].get(name)) for mode in modes)
        lines.append(f"| {METRICS[name].label} (`{name}`) | {cells} |")
    return "\n".join(lines) + "\n"


def write_modes_index(path: Path, summaries: dict[str, dict]) -> Path:
    modes = list(summaries)
    head = "".join(f"<th><a href='{escape(m)}/report.html'>{escape(m)}</a></th>" for m in modes)
    rows = []
    for name in METRICS:
        values = [summaries[m]["metrics"].get(name) for m in modes]
        present = [v for v in values if v is not None]
        best = (min(present) if METRICS[name].lower_is_better else max(present)) if present else None
        cells = "".join(
            f"<td class='num'>{'<b>' if v is not None and v == best and len(present) > 1 else ''}{fmt(name, v)}"
            f"{'</b>' if v is not None and v == best and len(present) > 1 else ''}</td>"
            for v in values
        )
        rows.append(f"<tr><td>{escape(METRICS[name].label)}</td><td><code>{escape(name)}</code></td>{cells}</tr>")
    first = next(iter(summaries.values()), {}).get("run", {})
    body = (
        "<h1>Σύγκριση τρόπων ανάκτησης</h1>"
        f"<p class='meta'>Ίδιο σύνολο ερωτήσεων ({escape(str(first.get('dataset', '')))}), ίδια εκτέλεση· "
        "με έντονα η καλύτερη τιμή.</p>"
        f"<table><tr><th>Μέτρο</th><th>Κλειδί</th>{head}</tr>{''.join(rows)}</table>"
    )
    path.write_text(page("Σύγκριση τρόπων ανάκτησης", body), encoding="utf-8")
    return path
