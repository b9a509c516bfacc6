"""Runs and comparisons as rich tables for the terminal: each figure with its 95 % interval and the number of
cases behind it; paired differences with interval, p-value and significance; the cases that changed."""

from __future__ import annotations

from rich import box
from rich.table import Table

from eval.catalogue import METRICS
from eval.compare import CHANGE_KINDS, Comparison
from eval.html_page import fmt
from eval.report import interval_text
from eval.report_compare import paired_cells, scaled

WIDE = 110  # columns for tables when output goes to a file or pipe (rich would otherwise assume 80)


def wide(console):
    """A terminal keeps its own width; a file or pipe gets a console WIDE columns wide, so figures are not cut
    (rich assumes 80 columns off a terminal and cannot print wider than its console)."""
    if console.is_terminal or console.width >= WIDE:
        return console
    from rich.console import Console

    return Console(file=console.file, width=WIDE, no_color=console.no_color, highlight=False)


def metrics_table(title: str, summaries: dict[str, dict]) -> Table:
    """One column group per run (mode): value, 95 % interval, n."""
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("Metric", no_wrap=True)
    for name in summaries:
        table.add_column(name, justify="right", no_wrap=True)
        table.add_column("95 % CI", justify="right", style="dim", no_wrap=True)
        table.add_column("n", justify="right", style="dim", no_wrap=True)
    for metric in METRICS:
        cells = []
        for s in summaries.values():
            ci = s.get("intervals", {}).get(metric) or {}
            cells += [fmt(metric, s["metrics"].get(metric)), interval_text(metric, ci), str(ci.get("n", ""))]
        table.add_row(metric, *cells)
    return table


def run_lines(summary: dict) -> list[str]:
    """What the run was, in one or two lines under the table."""
    run = summary.get("run", {})
    info = run.get("dataset_info") or {}
    code = run.get("code") or {}
    commit = (code.get("commit") or "?")[:10] + ("+dirty" if code.get("dirty") else "")
    lines = [
        f"Dataset {info.get('name', '?')} v{info.get('version', '?')} (sha256 {str(info.get('sha256', ''))[:16]}), "
        f"code {commit}, mode {run.get('retrieval_mode')}, answerer {run.get('answerer')}, {run.get('seconds')} s"
    ]
    latency = summary.get("latency")
    if latency:
        lines.append(
            f"Latency over ×{latency['repeat']} repeats: median {latency['median_ms']:.0f} ms "
            f"(IQR {latency['p25_ms']:.0f}–{latency['p75_ms']:.0f} ms over cases; median within-case spread "
            f"{latency['within_case_spread_ms']:.0f} ms; {latency['answers_changed']} answers changed on repeat)"
        )
    return lines


def print_comparison(console, c: Comparison, limit: int = 15) -> None:
    console = wide(console)
    for w in c.warnings:
        console.print(f"[bold yellow]Warning:[/] {w}")
    table = Table(title=f"{c.a.name} → {c.b.name} (paired on {c.common} common cases)", box=box.SIMPLE_HEAD)
    table.add_column("Metric", no_wrap=True)
    for column in ("A", "B", "Δ", "95 % CI", "p", "n", "sig."):
        table.add_column(column, justify="right", no_wrap=True)
    for d in c.metrics:
        _, ci, pv, n = paired_cells(d)
        delta = scaled(d.name, d.paired.delta) if d.paired and d.paired.delta is not None else "—"
        style = {1: "green", -1: "red"}.get(d.direction, "") if d.significant else ""
        table.add_row(
            d.name,
            fmt(d.name, d.a),
            fmt(d.name, d.b),
            f"[{style}]{delta}[/]" if style else delta,
            ci,
            pv,
            n,
            "[bold]yes[/]" if d.significant else "no",
        )
    console.print(table)
    console.print(
        "Δ = B − A on the common cases (percentage points for % metrics, ms for latency); CI: paired bootstrap."
    )
    held = sum(1 for d in c.metrics if d.p_holm is not None and d.p_holm < 0.05)
    console.print(
        f"{len(c.significant)} metrics differ at p < 0.05 (paired permutation test); {held} after Holm correction "
        f"for {sum(1 for d in c.metrics if d.paired)} metrics."
    )
    if c.settings_changed:
        console.print(
            "Settings that differ: " + ", ".join(f"{k}: {a} → {b}" for k, (a, b) in c.settings_changed.items())
        )
    for kind, items in c.changes.items():
        if not items:
            continue
        _, title, good = CHANGE_KINDS[kind]
        t = Table(title=f"{title}: {len(items)} cases", title_style="green" if good else "red")
        for column in ("Case", "Question", "Detail"):
            t.add_column(column, overflow="fold")
        for ch in items[:limit]:
            t.add_row(ch.id, ch.question, ch.detail or "")
        console.print(t)
    for title, rows, style in (("Better in B", c.improved, "green"), ("Worse in B", c.worsened, "red")):
        t = Table(title=f"{title}: {len(rows)} cases (per-case score)")
        for column in ("Case", "Question", "A", "B", "Δ"):
            t.add_column(column, overflow="fold")
        for d in rows[:limit]:
            t.add_row(d.id, d.question, f"{d.a:.2f}", f"{d.b:.2f}", f"[{style}]{d.delta:+.2f}[/]")
        console.print(t)
