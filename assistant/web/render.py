"""HTML of what the web app shows: chat messages, source cards and the «Πηγές» panel, the guides table,
ingestion reports, the header and the sign-in page. Pure functions; everything taken from documents or
answers is HTML-escaped here."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import prompts
from assistant.core.types import Answer, Source
from assistant.headings import leaf_title
from assistant.library import UploadResult
from ingest.pipeline import FileReport, IngestReport
from ingest.status import GuideInfo

TITLE = "Βοηθός Συνεργασίας ΟΤΑ & Φορέων ΚΑΛΟ"
SEE_ALSO = prompts.phrases("extractive")["text"]["see_also"]  # «Δείτε επίσης:», as the answer writes it
STATUS_EL = {
    "added": "Προστέθηκε",
    "updated": "Ενημερώθηκε",
    "unchanged": "Χωρίς αλλαγές",
    "removed": "Αφαιρέθηκε",
    "failed": "Απέτυχε",
}


@cache
def static_text(name: str) -> str:
    """A file of assistant/web/static (CSS, JavaScript, HTML), read once."""
    return resources.files("assistant.web").joinpath("static", name).read_text(encoding="utf-8")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def count_of(n: int, one: str, many: str) -> str:
    """A count with its noun in the right number: «1 τμήμα», «2 τμήματα» (Greek: singular only for 1)."""
    return f"{n} {one if n == 1 else many}"


def guide_url(source: str, page: int | None = None) -> str:
    """Where the app serves a guide file; PDFs open at the page (relative, so it works under a proxy prefix)."""
    url = "guides/" + quote(source)
    return f"{url}#page={page}" if page and source.lower().endswith(".pdf") else url


MAX_VIEWER_EXCERPT = 1500  # characters of the excerpt carried to the PDF viewer (in the URL fragment, never sent)


def viewer_url(source: str, page: int | None, end: int | None = None, excerpt: str = "") -> str:
    """The in-app PDF.js viewer (static/viewer/) at the cited page, highlighting the excerpt there; the
    parameters are in the fragment, read by the viewer in the browser."""
    first = page or 1
    params = {"file": "guides/" + source, "page": first, "end": max(first, end or first)}
    if excerpt:
        params["q"] = excerpt[:MAX_VIEWER_EXCERPT]
    return "viewer/#" + urlencode(params, quote_via=quote)


# -- chat messages --------------------------------------------------------------------------------------------
def chat_text(text: str) -> str:
    """Text for the Chatbot's Markdown: HTML escaped (a `<script>` in a guide stays text), [n] kept."""
    return html.escape(text, quote=False)


CITATION = re.compile(r"\[(\d{1,3})\]")


def answer_text(text: str) -> str:
    """An answer's text for the chat: escaped like `chat_text`, each [n] a link to its source card
    (static/head.html scrolls to the card and highlights it instead of following the link)."""
    return CITATION.sub(r"[[\1]](#kalo-src-\1)", chat_text(text))


def section_path(section: str) -> str:
    return " › ".join(part.strip() for part in section.split(">") if part.strip())


def _link_text(text: str) -> str:
    """Text for a Markdown link's label: escaped, with its brackets kept as text."""
    return chat_text(text).replace("[", "\\[").replace("]", "\\]")


def with_related_links(text: str, answer: Answer) -> str:
    """Each section named after «Δείτε επίσης» (already escaped in `text`) a link to its card in the
    «Πηγές» panel, as a citation is: the user opens it from there."""
    at = text.rfind(SEE_ALSO)
    if at < 0:
        return text
    head, tail = text[:at], text[at:]
    for i, s in enumerate(answer.related, 1):
        name = f"«{chat_text(leaf_title(s.section))}»"
        tail = tail.replace(name, f"[{_link_text(f'«{leaf_title(s.section)}»')}](#kalo-src-see-{i})", 1)
    return head + tail


def answer_message(answer: Answer) -> str:
    if answer.found:
        cited = answer.cited_sources
        text = with_related_links(answer_text(answer.text), answer)
        if not cited:
            return text
        # The sources travel with the answer: «Αντιγραφή» and a kept conversation carry them. Each guide
        # is named once, its citations after it (the panel has the sections and passages).
        by_guide: dict[str, list[Source]] = {}
        for s in cited:
            by_guide.setdefault(s.guide_title, []).append(s)
        listed = "; ".join(
            f"{title}: " + " · ".join(f"[{s.n}] σελ. {s.pages}" for s in group) for title, group in by_guide.items()
        )
        return text + "\n\n" + answer_text(f"Πηγές: {listed}").replace("Πηγές:", "**Πηγές:**", 1)
    lines = [chat_text(answer.text)]
    if answer.suggestions:
        lines += ["", "**Πλησιέστερες ενότητες στους οδηγούς:**"]
        # each a link to its card in «Πηγές» (beside the chat, or below it on a phone), opened from there
        lines += [
            f"- [{_link_text(f'{s.guide_title} — {section_path(s.section)}')}](#kalo-src-{s.n}), σελ. {s.pages}"
            for s in answer.suggestions
        ]
        # Rephrasing cannot bring what the guides lack (a figure, a topic the answer names as missing).
        hint = "Ανοίξτε μία από αυτές τις ενότητες για ό,τι σχετικό αναφέρουν οι οδηγοί."
        if not answer.not_covered:
            hint = "Δοκιμάστε να διατυπώσετε την ερώτηση διαφορετικά ή ανοίξτε μία από αυτές τις ενότητες."
        lines += ["", hint]
    return "\n".join(lines)


def error_message(message_el: str) -> str:
    return f"⚠️ **Δεν ήταν δυνατή η απάντηση.** {chat_text(message_el)}"


# -- sources ----------------------------------------------------------------------------------------------------
DOC_ICON = (
    '<svg class="kalo-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" '
    'd="M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5L13 3.5zM8 13h8v1.6H8V13zm0 3.4h8V18H8v-1.6z"/>'
    "</svg>"
)

# The in-app guide viewer the «Άνοιγμα» links open (static/sources.js drives it).
VIEWER = (
    '<dialog class="kalo-viewer" aria-label="Προβολή οδηγού"><div class="kalo-viewer-bar">'
    '<span class="kalo-viewer-title"></span><a class="kalo-viewer-tab" target="_blank" rel="noopener" href="#">'
    'Άνοιγμα σε νέα καρτέλα</a><button type="button" class="kalo-viewer-close">✕ Κλείσιμο</button></div>'
    '<iframe class="kalo-viewer-frame" title="Οδηγός" src="about:blank"></iframe></dialog>'
)


def highlight(text: str, excerpt: str, context: int = 260) -> str:
    """The passage as escaped HTML with the excerpt's sentences in <mark>, trimmed around them."""
    spans = []
    for part in (p.strip() for p in excerpt.split(" … ")):
        start = text.find(part) if part else -1
        if start >= 0:
            spans.append((start, start + len(part)))
    if not spans:
        body = esc(text[: 2 * context]) + ("…" if len(text) > 2 * context else "")
        return (f"<mark>{esc(excerpt)}</mark><br>" if excerpt else "") + body
    spans.sort()
    lo = max(0, spans[0][0] - context)
    hi = min(len(text), spans[-1][1] + context)
    if lo > 0:
        lo = text.find(" ", lo) + 1 or lo
    if hi < len(text):
        hi = text.rfind(" ", 0, hi) if text.rfind(" ", 0, hi) > spans[-1][1] else hi
    out, pos = [], lo
    for start, end in spans:
        start = max(start, pos)
        out.append(esc(text[pos:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        pos = max(pos, end)
    out.append(esc(text[pos:hi]))
    return ("… " if lo > 0 else "") + "".join(out).replace("\n", "<br>") + (" …" if hi < len(text) else "")


def guide_link(
    file: str, page: int | None, title: str, label: str = "", end: int | None = None, excerpt: str = ""
) -> str:
    """«Άνοιγμα»: the guide in a new tab (href); static/sources.js opens `data-viewer` in the app's viewer
    instead: PDFs in the PDF.js viewer at the page with the excerpt highlighted, other guides as pages."""
    is_pdf = file.lower().endswith(".pdf")
    at_page = is_pdf and bool(page)
    label = label or (f"Άνοιγμα στη σελ. {page}" if at_page else "Άνοιγμα οδηγού")
    viewer = viewer_url(file, page, end, excerpt) if is_pdf else guide_url(file)
    return (
        f'<a class="kalo-open" href="{esc(guide_url(file, page))}" target="_blank" rel="noopener" '
        f'data-viewer="{esc(viewer)}" '
        f'data-title="{esc(title)}{esc(f" — σελ. {page}" if at_page else "")}">{DOC_ICON}{label}</a>'
    )


def source_card(s: Source, with_excerpt: bool = True, anchor: str = "") -> str:
    """A source's card; `anchor` (a «Δείτε επίσης» section's) replaces its citation number [n]."""
    passage = highlight(s.text, s.excerpt) if with_excerpt else esc(s.text[:420]) + ("…" if len(s.text) > 420 else "")
    mark = f'<span class="kalo-n">[{s.n}]</span>' if not anchor else ""
    return (
        f'<article class="kalo-src" id="kalo-src-{anchor or s.n}">'
        f'<header>{mark}<span class="kalo-title">{esc(s.guide_title)}</span></header>'
        f'<div class="kalo-meta"><span class="kalo-sec">{esc(s.article or section_path(s.section))}</span>'
        f'<span class="kalo-pages">σελ. {esc(s.pages)}</span></div>'
        f'<blockquote class="kalo-excerpt">{passage}</blockquote>'
        f"<footer>{guide_link(s.source, s.page_start, s.guide_title, end=s.page_end, excerpt=s.excerpt if with_excerpt else '')}"
        "</footer></article>"
    )


def sources_panel(answer: Answer | None = None, note: str = "", at: int | None = None) -> str:
    """The «Πηγές» panel beside the chat: the cited sources of an answer, or the nearest sections. `at` is
    the answer's place in the chat: a citation clicked in another answer first brings that one's sources
    (static/head.html), so [3] never points at the card [3] of a different answer."""
    marker = f' data-message="{at}"' if at is not None else ""
    head = f'<div class="kalo-sources"{marker}><h3>Πηγές</h3>'
    if note:
        body = f'<p class="kalo-hint">{esc(note)}</p>'
    elif answer is None:
        body = (
            '<p class="kalo-hint">Εδώ εμφανίζονται οι πηγές κάθε απάντησης: ο οδηγός, η ενότητα, '
            "η σελίδα και το απόσπασμα που τεκμηριώνει κάθε παραπομπή [n]. Πατήστε «Άνοιγμα» για να δείτε "
            "τη σελίδα του οδηγού.</p>"
        )
    elif answer.found:
        cited = answer.cited_sources
        cards = "".join(source_card(s) for s in cited) or '<p class="kalo-hint">Η απάντηση δεν παραθέτει πηγές.</p>'
        body = f'<p class="kalo-count">{count_of(len(cited), "πηγή", "πηγές")} για την απάντηση</p>{cards}'
        if answer.related:
            more = "".join(source_card(s, False, f"see-{i}") for i, s in enumerate(answer.related, 1))
            body += f'<h4 class="kalo-related">{SEE_ALSO.rstrip(":")}</h4>{more}'
    elif answer.suggestions:
        cards = "".join(source_card(s, with_excerpt=False) for s in answer.suggestions)
        body = f'<p class="kalo-notfound">Δεν βρέθηκε απάντηση. Πλησιέστερες ενότητες:</p>{cards}'
    else:
        body = '<p class="kalo-notfound">Δεν βρέθηκε απάντηση ούτε σχετική ενότητα.</p>'
    return f"{head}{body}</div>{VIEWER}"


# -- the guides tab ---------------------------------------------------------------------------------------------
@cache
def _athens() -> ZoneInfo | None:
    try:
        return ZoneInfo("Europe/Athens")
    except ZoneInfoNotFoundError:  # a system without tz data: times stay in UTC
        return None


def greek_time(moment: datetime | None = None) -> datetime:
    """`moment` (default: now) in Greek time: the one clock of every time the app shows or stamps, whatever
    the server's own zone (UTC when the system has no tz data)."""
    moment = moment or datetime.now(UTC)
    zone = _athens()
    return moment.astimezone(zone) if zone else moment


def local_time(iso: str) -> str:
    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return greek_time(moment).strftime("%d/%m/%Y %H:%M")


def warning(message_el: str) -> str:
    return f'<p class="kalo-warn">{esc(message_el)}</p>'


def guides_table(guides: list[GuideInfo]) -> str:
    if not guides:
        return '<p class="kalo-hint">Δεν υπάρχουν ακόμη οδηγοί στο ευρετήριο.</p>'
    rows = "".join(
        f"<tr><td>{esc(g.title)}</td><td><code>{esc(g.source)}</code></td><td class='num'>{g.pages}</td>"
        f"<td class='num'>{g.chunks}</td><td>{esc(local_time(g.ingested_at))}</td>"
        f"<td>{guide_link(g.source, 1, g.title, label='Άνοιγμα')}</td></tr>"
        for g in guides
    )
    total = " · ".join(
        [
            count_of(len(guides), "οδηγός", "οδηγοί"),
            count_of(sum(g.pages for g in guides), "σελίδα", "σελίδες"),
            count_of(sum(g.chunks for g in guides), "τμήμα κειμένου", "τμήματα κειμένου"),
        ]
    )
    return (
        '<table class="kalo-table"><thead><tr><th>Τίτλος</th><th>Αρχείο</th><th>Σελίδες</th><th>Τμήματα</th>'
        f"<th>Τελευταία ευρετηρίαση</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
        f'<p class="kalo-count">{total}</p>'
    )


def report_html(report: IngestReport | None, uploads: list[UploadResult] | None = None, title: str = "") -> str:
    """The outcome of an upload / removal / re-index, per file, failures with their Greek reason."""
    parts = [f"<h4>{esc(title)}</h4>"] if title else []
    for u in uploads or []:
        if not u.ok:
            parts.append(f'<p class="kalo-warn">✗ <b>{esc(u.name)}</b>: {esc(u.message_el)}</p>')
    if report is not None:
        rows = "".join(_report_row(f) for f in report.files if f.status != "unchanged")
        if rows:
            parts.append(f'<table class="kalo-table"><tbody>{rows}</tbody></table>')
        unchanged = report.count("unchanged")
        summary = f"Ολοκληρώθηκε σε {report.seconds:.1f} δευτ.".replace(".", ",", 1)
        if unchanged:
            summary += f" {count_of(unchanged, 'οδηγός', 'οδηγοί')} χωρίς αλλαγές."
        parts.append(f'<p class="kalo-ok">{esc(summary)}</p>')
    return '<div class="kalo-report">' + "".join(parts) + "</div>"


def _report_row(f: FileReport) -> str:
    status = STATUS_EL.get(f.status, f.status)
    if f.status == "failed":
        return f'<tr class="failed"><td><code>{esc(f.source)}</code></td><td>✗ {status}: {esc(f.reason_el)}</td></tr>'
    detail = "" if f.status == "removed" else f" ({f.pages} σελ., {count_of(f.chunks, 'τμήμα', 'τμήματα')})"
    return f"<tr><td><code>{esc(f.source)}</code></td><td>✓ {status}{esc(detail)}</td></tr>"


# -- guide files ----------------------------------------------------------------------------------------------
MARKDOWN_STYLE = (
    "body{font-family:system-ui,'Segoe UI',Roboto,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.6;color:#1b2430;background:#fff}h1,h2,h3{color:#0b3d77;line-height:1.3}"
    "table{border-collapse:collapse}td,th{border:1px solid #c8d0db;padding:.3rem .5rem}code{background:#f1f4f8}"
)


def markdown_page(title: str, text: str) -> str:
    """A Markdown guide as a readable page (the viewer opens it): markup in the guide stays text."""
    from markdown_it import MarkdownIt  # rich's Markdown parser, only when a Markdown guide is opened

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return (
        f'<!doctype html><html lang="el"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>{MARKDOWN_STYLE}</style></head><body>{body}</body></html>"
    )


def text_page(title: str, text: str) -> str:
    """A plain-text guide as a readable page: its lines kept, wrapped to the window, escaped."""
    return (
        f'<!doctype html><html lang="el"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>{MARKDOWN_STYLE}pre{{white-space:pre-wrap;font:inherit;margin:0}}</style></head>"
        f"<body><pre>{esc(text)}</pre></body></html>"
    )


# -- page frame -------------------------------------------------------------------------------------------------
def header_html(signed_in: bool) -> str:
    signout = '<a href="signout">Αποσύνδεση</a>' if signed_in else ""
    return (
        '<header class="kalo-header"><div class="kalo-brand"><div class="kalo-logo" aria-hidden="true">Κ</div>'
        f"<div><h1>{esc(TITLE)}</h1><p>Απαντήσεις αποκλειστικά από τους οδηγούς συνεργασίας Δήμων και φορέων "
        "Κοινωνικής και Αλληλέγγυας Οικονομίας, με παραπομπές σε οδηγό, ενότητα και σελίδα.</p></div></div>"
        f'<nav><a href="docs" target="_blank" rel="noopener">API</a>{signout}</nav></header>'
    )


FOOTER = (
    '<footer class="kalo-footer">Οι απαντήσεις παράγονται αυτόματα από τα κείμενα των οδηγών και δεν αποτελούν '
    "νομική συμβουλή. Ελέγχετε πάντα την πηγή πριν από κάθε απόφαση.</footer>"
)


def signin_page(error: str = "") -> str:
    message = f'<p class="err" role="alert">{esc(error)}</p>' if error else ""
    return static_text("signin.html").replace("<!--error-->", message)
