"""The one-screen summary in Greek an evaluator can paste into a memo: what was tested, the headline figures
with their 95 % intervals, and what changed against the baseline (significant differences, cases that moved)."""

from __future__ import annotations

from eval.catalogue import METRICS

# The figures a memo leads with, in order.
HEADLINE = [
    "hit@k",
    "cited_precision",
    "key_fact_recall",
    "citation_recall",
    "false_refusal_rate",
    "refusal_accuracy",
    "follow_up_correct",
    "fragment_share",
    "case_score",
    "latency_p50_ms",
]
WIDTH = 100  # characters of a memo line, for wrapping


def number(name: str, value: float | None, signed: bool = False, unit: bool = True) -> str:
    """A metric's value the Greek way: decimal comma, «%» for shares (percentage points, «μον.», for a
    difference), «ms» for latency; the minus sign is «−»."""
    if value is None:
        return "—"
    info = METRICS[name]
    sign = "+" if signed else ""
    if name.startswith("latency") or name == "words_median":
        text, suffix = f"{value:{sign}.0f}", " ms" if name.startswith("latency") else ""
    elif info.percent:
        text, suffix = f"{100 * value:{sign}.1f}", " μον." if signed else " %"
    else:
        text, suffix = f"{value:{sign}.1f}", ""
    return text.replace(".", ",").replace("-", "−") + (suffix if unit else "")


def p_value(p: float | None) -> str:
    if p is None:
        return "p = —"
    return "p < 0,001" if p < 0.001 else f"p = {p:.3f}".replace(".", ",")


def with_interval(name: str, value: float | None, interval: dict | None) -> str:
    interval = interval or {}
    if value is None:
        return "δεν μετρήθηκε"
    low, high, n = interval.get("low"), interval.get("high"), interval.get("n", 0)
    span = (
        f" [{number(name, low, unit=False)} έως {number(name, high, unit=False)}]"
        if low is not None and high is not None
        else ""
    )
    return f"{number(name, value)}{span} (n = {n})"


def _what(run: dict, metrics: dict) -> str:
    info = run.get("dataset_info") or {}
    code = run.get("code") or {}
    commit = (code.get("commit") or "")[:10] or "άγνωστος"
    dirty = " με τοπικές αλλαγές" if code.get("dirty") else ""
    limit = f", μόνο οι πρώτες {info['limit']}" if info.get("limit") else ""
    return (
        f"Τι ελέγχθηκε: {metrics.get('n_cases', 0)} ερωτήσεις του συνόλου «{info.get('name', run.get('dataset', ''))}» "
        f"(έκδοση {info.get('version', '—')}, αποτύπωμα {str(info.get('sha256', ''))[:8]}{limit}): "
        f"{metrics.get('n_answerable', 0)} απαντώνται από τους οδηγούς, {metrics.get('n_unanswerable', 0)} είναι "
        f"εκτός πεδίου. Ανάκτηση {run.get('retrieval_mode', '')}, k = {run.get('k', '')}, απαντητής "
        f"{run.get('answerer', '')}, κώδικας {commit}{dirty}."
    )


def _wrap(text: str, indent: str = "") -> list[str]:
    words, lines, line = text.split(), [], indent
    for w in words:
        if len(line) + len(w) + 1 > WIDTH and line.strip():
            lines.append(line.rstrip())
            line = indent + "  "
        line += w + " "
    lines.append(line.rstrip())
    return lines


def changes_lines(comparison) -> list[str]:
    """«What changed» against the baseline: significant metric differences, then the cases that moved."""
    from eval.compare import CHANGE_KINDS

    c = comparison
    out = _wrap(f"Σε σχέση με τη βάση σύγκρισης «{c.a.name}» ({c.common} κοινές ερωτήσεις, σύγκριση ανά ερώτηση):")
    significant = c.significant
    if significant:
        for d in significant:
            p = d.paired
            better = "βελτίωση" if d.direction > 0 else "επιδείνωση" if d.direction < 0 else "μεταβολή"
            out += _wrap(
                f"• {METRICS[d.name].label}: {number(d.name, p.a)} → {number(d.name, p.b)}, "
                f"{number(d.name, p.delta, signed=True)} [{number(d.name, p.low, True, False)} έως "
                f"{number(d.name, p.high, True, False)}], {p_value(p.p)} ({better})",
                "  ",
            )
    else:
        out += _wrap("• Καμία στατιστικά σημαντική μεταβολή (p < 0,05) σε κανένα μέτρο.", "  ")
    moved = [f"{CHANGE_KINDS[kind][0].lower()}: {len(items)}" for kind, items in c.changes.items() if items]
    out += _wrap("• Περιπτώσεις που άλλαξαν — " + ("· ".join(moved) if moved else "καμία") + ".", "  ")
    if c.settings_changed:
        shown = ", ".join(f"{k}: {a} → {b}" for k, (a, b) in list(c.settings_changed.items())[:6])
        out += _wrap(f"• Ρυθμίσεις που διαφέρουν: {shown}.", "  ")
    for w in c.warnings:
        out += _wrap(f"• Προσοχή: {w}", "  ")
    return out


def run_memo(summary: dict, comparison=None) -> str:
    run, metrics = summary.get("run", {}), summary.get("metrics", {})
    intervals = summary.get("intervals", {})
    lines = [f"ΣΥΝΟΨΗ ΑΞΙΟΛΟΓΗΣΗΣ — Βοηθός ΚΑΛΟ — {run.get('id', '')} ({run.get('created', '')})", ""]
    lines += _wrap(_what(run, metrics))
    lines += ["", "Κύρια αποτελέσματα (σε αγκύλες το διάστημα εμπιστοσύνης 95 %, bootstrap· n = πλήθος ερωτήσεων):"]
    for name in HEADLINE:
        if metrics.get(name) is not None:
            lines += _wrap(f"• {METRICS[name].label}: {with_interval(name, metrics[name], intervals.get(name))}", "  ")
    latency = summary.get("latency")
    if latency:
        lines += _wrap(
            f"• Χρόνος (επανάληψη ×{latency['repeat']}): διάμεσος {number('latency_p50_ms', latency['median_ms'])}, "
            f"ενδοτεταρτημοριακό εύρος {number('latency_p50_ms', latency['p25_ms'], unit=False)} έως "
            f"{number('latency_p50_ms', latency['p75_ms'])}, διακύμανση ανά ερώτηση "
            f"{number('latency_p50_ms', latency['within_case_spread_ms'])}.",
            "  ",
        )
    if comparison is not None:
        lines += ["", *changes_lines(comparison)]
    return "\n".join(lines) + "\n"


def compare_memo(comparison) -> str:
    c = comparison
    lines = [f"ΣΥΓΚΡΙΣΗ ΕΚΤΕΛΕΣΕΩΝ — Βοηθός ΚΑΛΟ — {c.a.name} → {c.b.name}", ""]
    da, db = c.a.dataset, c.b.dataset
    same = da["sha256"] == db["sha256"]
    lines += _wrap(
        f"Σύνολο ερωτήσεων: «{db['name']}» έκδοση {db['version']} ({db['sha256'][:8]})"
        + ("" if same else f" — η βάση χρησιμοποίησε «{da['name']}» έκδοση {da['version']} ({da['sha256'][:8]})")
        + "."
    )
    lines += ["", *changes_lines(c)]
    return "\n".join(lines) + "\n"
