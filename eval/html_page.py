"""What every HTML report of the harness shares: the inline stylesheet, the page shell and how a metric's
value is written (percent, counts, latencies)."""

from __future__ import annotations

from html import escape

from eval.catalogue import METRICS

CSS = """
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1d2330;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #d8dde8;padding-bottom:.2rem}
.meta{color:#5a6275;font-size:.9rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #d8dde8;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f3f8}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.grid{display:flex;flex-wrap:wrap;gap:1rem}.grid figure{margin:0;border:1px solid #e3e7ef;padding:.5rem;border-radius:6px}
figcaption{font-size:.85rem;color:#3b4355;margin-bottom:.2rem}
.case{border:1px solid #d8dde8;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}
.case h3{margin:.1rem 0 .4rem;font-size:1.05rem}
.side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.answer{white-space:pre-wrap;background:#f8f9fc;border-radius:6px;padding:.5rem}
.src{font-size:.85rem;border-left:4px solid #c9cfdc;padding:.2rem .5rem;margin:.3rem 0}
.src.match{border-color:#2f9e44}.src.cited{background:#f3f8f4}
.tag{display:inline-block;background:#eef1f7;border-radius:4px;padding:0 .35rem;margin-right:.25rem;font-size:.8rem}
.memo{white-space:pre-wrap;background:#fffbe6;border:1px solid #f0d97a;border-radius:6px;padding:.8rem 1rem;font-size:.92rem}
.bad{color:#c92a2a}.good{color:#2b8a3e}.muted{color:#7a8294}
"""


def fmt(name: str, value) -> str:
    if value is None:
        return "—"
    info = METRICS.get(name)
    if info is None or not isinstance(value, float | int):
        return escape(str(value))
    if info.percent:
        return f"{100 * value:.1f} %"
    return f"{value:.0f}" if name.startswith("latency") or name == "words_median" else f"{value:.1f}"


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="el"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>{body}</body></html>\n"
    )
