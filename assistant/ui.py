"""The Gradio UI: a Greek chat with a sources panel and feedback, and a password-protected guides tab.

Thin: answers come from `Assistant.stream`, guide changes from `GuideLibrary`, ratings go to
`FeedbackStore`. Everything taken from documents or answers is HTML-escaped before it is shown."""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.core.errors import KaloError
from assistant.core.types import AUDIENCE_LABELS, Answer, Source, Turn

if TYPE_CHECKING:
    from assistant.web import WebContext
    from ingest.pipeline import FileReport, IngestReport

log = logging.getLogger("kalo.ui")

TITLE = "Βοηθός Συνεργασίας ΟΤΑ & Φορέων ΚΑΛΟ"
EXAMPLES: dict[str, list[str]] = {
    "municipal": [
        "Πώς ξεκινάω μια συνεργασία με έναν φορέα ΚΑΛΟ;",
        "Ποια νομικά εργαλεία συνεργασίας έχει ένας Δήμος;",
        "Τι είναι οι συμβάσεις με επιφύλαξη;",
        "Πώς αξιολογούμε μια συνεργασία με φορέα ΚΑΛΟ;",
    ],
    "kalo": [
        "Τι τύποι δικτύων υπάρχουν και ποιος μας ταιριάζει;",
        "Πώς προσεγγίζουμε έναν Δήμο για συνεργασία;",
        "Ποιοι κίνδυνοι υπάρχουν σε μια συνεργασία και πώς τους διαχειριζόμαστε;",
        "Πώς αξιολογούμε ένα δίκτυο;",
    ],
}


def examples_for(audience: str | None) -> list[dict]:
    """Example questions for the chosen audience; with none chosen, the first two of each, interleaved."""
    mixed = [q for pair in zip(EXAMPLES["municipal"][:2], EXAMPLES["kalo"][:2], strict=True) for q in pair]
    questions = EXAMPLES.get(audience or "") or mixed
    return [{"text": q} for q in questions]


DEFAULT_AUDIENCE: str | None = None  # nothing chosen: all guides weigh the same
UNEXPECTED = "Παρουσιάστηκε απρόσμενο σφάλμα. Δοκιμάστε ξανά· αν επιμένει, ενημερώστε τον διαχειριστή."
STATUS_EL = {
    "added": "Προστέθηκε",
    "updated": "Ενημερώθηκε",
    "unchanged": "Χωρίς αλλαγές",
    "removed": "Αφαιρέθηκε",
    "failed": "Απέτυχε",
}
PROGRESS = gr.Progress()  # a marker: Gradio gives each event its own tracker in place of this default


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


# -- rendering (pure functions, unit-tested) ----------------------------------------------------------------
def chat_text(text: str) -> str:
    """Text for the Chatbot's Markdown: HTML escaped (a `<script>` in a guide stays text), [n] kept."""
    return html.escape(text, quote=False)


def answer_message(answer: Answer) -> str:
    if answer.found:
        return chat_text(answer.text)
    lines = [chat_text(answer.text)]
    if answer.suggestions:
        lines += ["", "**Πλησιέστερες ενότητες στους οδηγούς:**"]
        lines += [
            f"- {chat_text(s.guide_title)} — {chat_text(section_path(s.section))}, σελ. {s.pages}"
            for s in answer.suggestions
        ]
        lines += ["", "Δοκιμάστε να διατυπώσετε την ερώτηση διαφορετικά ή ανοίξτε μία από τις ενότητες δεξιά."]
    return "\n".join(lines)


def error_message(message_el: str) -> str:
    return f"⚠️ **Δεν ήταν δυνατή η απάντηση.** {chat_text(message_el)}"


def section_path(section: str) -> str:
    return " › ".join(part.strip() for part in section.split(">") if part.strip())


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
        if start < pos:
            start = pos
        out.append(esc(text[pos:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        pos = max(pos, end)
    out.append(esc(text[pos:hi]))
    return ("… " if lo > 0 else "") + "".join(out).replace("\n", "<br>") + (" …" if hi < len(text) else "")


def guide_link(
    source: Source | None = None, *, file: str = "", page: int | None = None, title: str = "", label: str = ""
) -> str:
    from assistant.web import guide_url

    file = source.source if source else file
    page = source.page_start if source else page
    title = source.guide_title if source else title
    is_pdf = file.lower().endswith(".pdf")
    label = label or (f"Άνοιγμα στη σελ. {page}" if is_pdf and page else "Άνοιγμα οδηγού")
    return (
        f'<a class="kalo-open" href="{esc(guide_url(file, page))}" target="_blank" rel="noopener" '
        f'data-title="{esc(title)}{esc(f" — σελ. {page}" if is_pdf and page else "")}">{DOC_ICON}{label}</a>'
    )


def source_card(s: Source, with_excerpt: bool = True) -> str:
    passage = highlight(s.text, s.excerpt) if with_excerpt else esc(s.text[:420]) + ("…" if len(s.text) > 420 else "")
    return (
        f'<article class="kalo-src" id="kalo-src-{s.n}">'
        f'<header><span class="kalo-n">[{s.n}]</span><span class="kalo-title">{esc(s.guide_title)}</span></header>'
        f'<div class="kalo-meta"><span class="kalo-sec">{esc(section_path(s.section))}</span>'
        f'<span class="kalo-pages">σελ. {esc(s.pages)}</span></div>'
        f'<blockquote class="kalo-excerpt">{passage}</blockquote>'
        f"<footer>{guide_link(s)}</footer></article>"
    )


DOC_ICON = (
    '<svg class="kalo-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" '
    'd="M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5L13 3.5zM8 13h8v1.6H8V13zm0 3.4h8V18H8v-1.6z"/>'
    "</svg>"
)

VIEWER = (
    '<dialog class="kalo-viewer" aria-label="Προβολή οδηγού"><div class="kalo-viewer-bar">'
    '<span class="kalo-viewer-title"></span><a class="kalo-viewer-tab" target="_blank" rel="noopener" href="#">'
    'Άνοιγμα σε νέα καρτέλα</a><button type="button" class="kalo-viewer-close">✕ Κλείσιμο</button></div>'
    '<iframe class="kalo-viewer-frame" title="Οδηγός" src="about:blank"></iframe></dialog>'
)


def sources_panel(answer: Answer | None = None, note: str = "") -> str:
    """The «Πηγές» panel beside the chat: the cited sources of an answer, or the nearest sections."""
    head = '<div class="kalo-sources"><h3>Πηγές</h3>'
    if note:
        return f'{head}<p class="kalo-hint">{esc(note)}</p></div>{VIEWER}'
    if answer is None:
        return (
            f'{head}<p class="kalo-hint">Εδώ εμφανίζονται οι πηγές κάθε απάντησης: ο οδηγός, η ενότητα, '
            "η σελίδα και το απόσπασμα που τεκμηριώνει κάθε παραπομπή [n]. Πατήστε «Άνοιγμα» για να δείτε "
            f"τη σελίδα του οδηγού.</p></div>{VIEWER}"
        )
    if answer.found:
        cited = answer.cited_sources
        cards = "".join(source_card(s) for s in cited) or '<p class="kalo-hint">Η απάντηση δεν παραθέτει πηγές.</p>'
        count = f'<p class="kalo-count">{len(cited)} {"πηγή" if len(cited) == 1 else "πηγές"} για την απάντηση</p>'
        return f"{head}{count}{cards}</div>{VIEWER}"
    cards = "".join(source_card(s, with_excerpt=False) for s in answer.suggestions)
    return (
        f'{head}<p class="kalo-notfound">Δεν βρέθηκε απάντηση. Πλησιέστερες ενότητες:</p>{cards}</div>{VIEWER}'
        if cards
        else f'{head}<p class="kalo-notfound">Δεν βρέθηκε απάντηση ούτε σχετική ενότητα.</p></div>{VIEWER}'
    )


def local_time(iso: str) -> str:
    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso)
        try:
            from zoneinfo import ZoneInfo

            moment = moment.astimezone(ZoneInfo("Europe/Athens"))
        except Exception:
            pass
        return moment.strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso


def guides_table(ctx: WebContext) -> str:
    try:
        guides = ctx.library.guides()
    except KaloError as exc:
        return f'<p class="kalo-warn">{esc(exc.el)}</p>'
    if not guides:
        return '<p class="kalo-hint">Δεν υπάρχουν ακόμη οδηγοί στο ευρετήριο.</p>'
    rows = "".join(
        f"<tr><td>{esc(g.title)}</td><td><code>{esc(g.source)}</code></td><td class='num'>{g.pages}</td>"
        f"<td class='num'>{g.chunks}</td><td>{esc(local_time(g.ingested_at))}</td>"
        f"<td>{guide_link(file=g.source, page=1, title=g.title, label='Άνοιγμα')}</td></tr>"
        for g in guides
    )
    total = (
        f"{len(guides)} {'οδηγός' if len(guides) == 1 else 'οδηγοί'} · {sum(g.pages for g in guides)} σελίδες · "
        f"{sum(g.chunks for g in guides)} τμήματα κειμένου"
    )
    return (
        '<table class="kalo-table"><thead><tr><th>Τίτλος</th><th>Αρχείο</th><th>Σελίδες</th><th>Τμήματα</th>'
        f"<th>Τελευταία ευρετηρίαση</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
        f'<p class="kalo-count">{total}</p>'
    )


def report_html(report: IngestReport | None, uploads: list | None = None, title: str = "") -> str:
    """The outcome of an upload / removal / re-index, per file, failures with their Greek reason."""
    parts = [f"<h4>{esc(title)}</h4>"] if title else []
    rejected = [u for u in uploads or [] if not u.ok]
    for u in rejected:
        parts.append(f'<p class="kalo-warn">✗ <b>{esc(u.name)}</b>: {esc(u.message_el)}</p>')
    if report is not None:
        changed = [f for f in report.files if f.status != "unchanged"]
        rows = "".join(_report_row(f) for f in changed)
        if rows:
            parts.append(f'<table class="kalo-table"><tbody>{rows}</tbody></table>')
        unchanged = report.count("unchanged")
        summary = f"Ολοκληρώθηκε σε {report.seconds:.1f} δευτ.".replace(".", ",", 1)
        if unchanged:
            summary += f" {unchanged} {'οδηγός' if unchanged == 1 else 'οδηγοί'} χωρίς αλλαγές."
        parts.append(f'<p class="kalo-ok">{esc(summary)}</p>')
    return '<div class="kalo-report">' + "".join(parts) + "</div>"


def _report_row(f: FileReport) -> str:
    status = STATUS_EL.get(f.status, f.status)
    if f.status == "failed":
        return f'<tr class="failed"><td><code>{esc(f.source)}</code></td><td>✗ {status}: {esc(f.reason_el)}</td></tr>'
    detail = "" if f.status == "removed" else f" ({f.pages} σελ., {f.chunks} τμήματα)"
    return f"<tr><td><code>{esc(f.source)}</code></td><td>✓ {status}{esc(detail)}</td></tr>"


class GradioProgress:
    """The ingestion Progress protocol, drawn with gr.Progress: files done plus the current file's share."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.total = 1
        self.files_done = 0
        self.source = ""
        self.chunks = 0
        self.done_chunks = 0

    def _show(self) -> None:
        share = self.done_chunks / self.chunks if self.chunks else 0.0
        fraction = min((self.files_done + share) / self.total, 1.0)
        desc = f"Ευρετηρίαση: {self.source}" if self.source else "Ευρετηρίαση οδηγών"
        if self.chunks:
            desc += f" ({self.done_chunks}/{self.chunks} τμήματα)"
        self.progress(fraction, desc=desc)

    def start(self, total_files: int) -> None:
        self.total = max(total_files, 1)
        self._show()

    def file(self, source: str, total_chunks: int) -> None:
        self.source, self.chunks, self.done_chunks = source, total_chunks, 0
        self._show()

    def embedded(self, n: int) -> None:
        self.done_chunks += n
        self._show()

    def done(self, report: FileReport) -> None:
        self.files_done += 1
        self.chunks = self.done_chunks = 0
        self._show()


# -- chat handlers --------------------------------------------------------------------------------------------
def new_session() -> dict:
    return {"turns": [], "answers": {}, "feedback": {}, "rated": None}


def respond(ctx: WebContext, question: str, audience: str | None, messages: list, session: dict):
    """Stream one answer into the chat. Yields (textbox, messages, sources panel, session)."""
    question = " ".join((question or "").split())
    if not question:
        yield gr.skip(), messages, gr.skip(), session
        return
    messages = [*messages, {"role": "user", "content": chat_text(question)}]
    messages.append({"role": "assistant", "content": "…"})
    yield "", messages, sources_panel(note="Αναζήτηση στους οδηγούς…"), session
    history = [Turn(**t) for t in session["turns"]]
    pieces: list[str] = []
    final: Answer | None = None
    try:
        for event in ctx.assistant.stream(question, audience or None, history):
            if isinstance(event, Answer):
                final = event
            else:
                pieces.append(event)
                messages = [*messages[:-1], {"role": "assistant", "content": chat_text("".join(pieces))}]
                yield "", messages, gr.skip(), session
    except KaloError as exc:
        messages[-1] = {"role": "assistant", "content": error_message(exc.el)}
        yield "", messages, sources_panel(note="Δεν υπάρχουν πηγές: η ερώτηση δεν απαντήθηκε."), session
        return
    except Exception:
        log.exception("answering failed")
        messages[-1] = {"role": "assistant", "content": error_message(UNEXPECTED)}
        yield "", messages, sources_panel(note="Δεν υπάρχουν πηγές: η ερώτηση δεν απαντήθηκε."), session
        return
    assert final is not None
    messages[-1] = {"role": "assistant", "content": answer_message(final)}
    session = {
        **session,
        "turns": [
            *session["turns"],
            {"role": "user", "content": question},
            {"role": "assistant", "content": final.text},
        ],
        "answers": {
            **session["answers"],
            str(len(messages) - 1): {"answer": final.model_dump(), "audience": audience, "history": session["turns"]},
        },
    }
    yield "", messages, sources_panel(final), session


def show_sources_of(session: dict, evt: gr.SelectData):
    """Clicking an earlier answer brings its sources back into the panel."""
    index = evt.index if isinstance(evt.index, int) else evt.index[0]
    entry = session["answers"].get(str(index))
    return sources_panel(Answer(**entry["answer"])) if entry else gr.skip()


def rate(ctx: WebContext, session: dict, evt: gr.LikeData):
    """👍/👎 on an answer: stored at once; a second click changes the same record."""
    index = evt.index if isinstance(evt.index, int) else evt.index[0]
    entry = session["answers"].get(str(index))
    if entry is None:  # an error message or a message from before a restart: nothing to rate
        return session, gr.update(visible=False), ""
    feedback_id = session["feedback"].get(str(index))
    if evt.liked is True or evt.liked is False:
        rating = "up" if evt.liked else "down"
        if feedback_id is None:
            history = [Turn(**t) for t in entry.get("history", [])]
            feedback_id = ctx.feedback.add(
                Answer(**entry["answer"]), rating, entry["audience"], ctx.settings, history=history
            )
        else:
            ctx.feedback.update(feedback_id, rating=rating)
        session = {**session, "feedback": {**session["feedback"], str(index): feedback_id}, "rated": str(index)}
        thanks = "Ευχαριστούμε! " + (
            "Η θετική αξιολόγηση καταχωρίστηκε." if rating == "up" else "Καταγράψαμε ότι η απάντηση δεν σας βοήθησε."
        )
        return session, gr.update(visible=True), thanks
    if feedback_id is not None:  # the rating was withdrawn
        ctx.feedback.delete(feedback_id)
        session = {**session, "feedback": {k: v for k, v in session["feedback"].items() if k != str(index)}}
    return {**session, "rated": None}, gr.update(visible=False), ""


def send_comment(ctx: WebContext, comment: str, session: dict):
    index = session.get("rated")
    feedback_id = session["feedback"].get(index) if index is not None else None
    if feedback_id is None or not (comment or "").strip():
        return gr.skip(), "Γράψτε πρώτα ένα σχόλιο."
    ctx.feedback.update(feedback_id, comment=comment[:4000])
    return "", "Το σχόλιό σας καταχωρίστηκε. Ευχαριστούμε!"


# -- guides tab handlers ----------------------------------------------------------------------------------------
def _files_update(ctx: WebContext):
    return gr.update(choices=ctx.library.files(), value=None)


def admin_login(ctx: WebContext, password: str):
    if not ctx.is_admin(password):
        return (
            False,
            gr.update(),
            gr.update(),
            '<p class="kalo-warn" role="alert">Λάθος κωδικός διαχειριστή.</p>',
            "",
            gr.update(),
            "",
        )
    return True, gr.update(visible=False), gr.update(visible=True), "", guides_table(ctx), _files_update(ctx), ""


def admin_logout():
    return False, gr.update(visible=True), gr.update(visible=False), "", "", gr.update(choices=[], value=None), ""


def _denied():
    raise gr.Error("Η συνεδρία διαχείρισης έληξε. Συνδεθείτε ξανά.", print_exception=False)


def upload_guides(ctx: WebContext, files, overwrite: bool, admin: bool, progress=PROGRESS):
    if not admin:
        _denied()
    from pathlib import Path

    if not files:
        return '<p class="kalo-warn">Επιλέξτε πρώτα ένα ή περισσότερα αρχεία.</p>', gr.skip(), gr.skip(), gr.skip()
    uploads = []
    for f in files if isinstance(files, list) else [files]:
        path = Path(f if isinstance(f, str) else f.name)
        uploads.append((getattr(f, "orig_name", None) or path.name, path))
    try:
        results, report = ctx.library.add(uploads, overwrite=bool(overwrite), progress=GradioProgress(progress))
    except KaloError as exc:
        return f'<p class="kalo-warn">{esc(exc.el)}</p>', gr.skip(), gr.skip(), gr.skip()
    title = "Ανέβασμα οδηγών" if report else "Κανένα αρχείο δεν προστέθηκε"
    return report_html(report, results, title), guides_table(ctx), _files_update(ctx), None


def remove_guide(ctx: WebContext, source: str | None, confirm: bool, admin: bool, progress=PROGRESS):
    if not admin:
        _denied()
    if not source:
        return '<p class="kalo-warn">Επιλέξτε τον οδηγό που θέλετε να αφαιρέσετε.</p>', gr.skip(), gr.skip(), gr.skip()
    if not confirm:
        return (
            '<p class="kalo-warn">Επιβεβαιώστε την αφαίρεση με το σχετικό κουτάκι.</p>',
            gr.skip(),
            gr.skip(),
            gr.skip(),
        )
    try:
        report = ctx.library.remove(source, progress=GradioProgress(progress))
    except KaloError as exc:
        return f'<p class="kalo-warn">{esc(exc.el)}</p>', gr.skip(), gr.skip(), gr.skip()
    return report_html(report, title=f"Αφαίρεση «{source}»"), guides_table(ctx), _files_update(ctx), False


def reindex_guides(ctx: WebContext, admin: bool, progress=PROGRESS):
    if not admin:
        _denied()
    try:
        report = ctx.library.reindex(progress=GradioProgress(progress))
    except KaloError as exc:
        return f'<p class="kalo-warn">{esc(exc.el)}</p>', gr.skip(), gr.skip()
    return report_html(report, title="Επανευρετηρίαση"), guides_table(ctx), _files_update(ctx)


# -- layout -----------------------------------------------------------------------------------------------------
def header_html(ctx: WebContext) -> str:
    signout = '<a href="signout">Αποσύνδεση</a>' if ctx.chat_protected else ""
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

SOURCES_JS = """
element.addEventListener('click', (event) => {
  const dialog = element.querySelector('dialog.kalo-viewer');
  const open = event.target.closest('a.kalo-open');
  if (open && dialog && dialog.showModal) {
    event.preventDefault();
    const href = open.getAttribute('href');
    dialog.querySelector('.kalo-viewer-title').textContent = open.dataset.title || '';
    dialog.querySelector('.kalo-viewer-tab').setAttribute('href', href);
    dialog.querySelector('iframe').src = href;
    dialog.showModal();
    return;
  }
  if (event.target.closest('.kalo-viewer-close') || event.target === dialog) {
    dialog.close();
  }
});
element.addEventListener('close', (event) => {
  if (event.target.matches && event.target.matches('dialog.kalo-viewer')) {
    event.target.querySelector('iframe').src = 'about:blank';
  }
}, true);
"""


def build_ui(ctx: WebContext) -> gr.Blocks:
    audiences = [(label, key) for key, label in AUDIENCE_LABELS.items()]
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        gr.HTML(header_html(ctx), elem_id="kalo-header-block")
        with gr.Tabs(elem_id="kalo-tabs"):
            with gr.Tab("Συνομιλία", id="chat", elem_id="kalo-chat-tab"):
                session = gr.State(new_session())
                with gr.Row(equal_height=False, elem_id="kalo-chat-row"):
                    with gr.Column(scale=3, min_width=420, elem_id="kalo-chat-col"):
                        audience = gr.Radio(
                            audiences,
                            value=DEFAULT_AUDIENCE,
                            label="Απευθύνομαι ως (προαιρετικό)",
                            info="Αν επιλέξετε ρόλο, οι απαντήσεις δίνουν προτεραιότητα στον οδηγό που γράφτηκε για εσάς.",
                            elem_id="kalo-audience",
                        )
                        chatbot = gr.Chatbot(
                            label="Συνομιλία",
                            show_label=False,
                            height=540,
                            elem_id="kalo-chatbot",
                            examples=examples_for(DEFAULT_AUDIENCE),
                            placeholder=(
                                "<div class='kalo-placeholder'><b>Καλώς ήρθατε.</b><br>Ρωτήστε για τη συνεργασία "
                                "Δήμων και φορέων ΚΑΛΟ ή επιλέξτε ένα παράδειγμα.</div>"
                            ),
                            sanitize_html=True,
                            render_markdown=True,
                            latex_delimiters=[],
                            allow_tags=False,
                            buttons=["copy"],
                            feedback_options=("Like", "Dislike"),
                            layout="bubble",
                        )
                        with gr.Group(visible=False, elem_id="kalo-feedback") as feedback_box:
                            feedback_note = gr.Markdown(elem_id="kalo-feedback-note", padding=True)
                            with gr.Row():
                                comment = gr.Textbox(
                                    show_label=False,
                                    placeholder="Προαιρετικό σχόλιο: τι έλειπε ή τι ήταν λάθος;",
                                    scale=5,
                                    elem_id="kalo-comment",
                                )
                                send_comment_btn = gr.Button(
                                    "Αποστολή σχολίου", scale=1, min_width=210, elem_id="kalo-send-comment"
                                )
                        with gr.Row(elem_id="kalo-ask-row", equal_height=True):
                            question = gr.Textbox(
                                show_label=False,
                                placeholder="Γράψτε την ερώτησή σας… (Enter για αποστολή)",
                                lines=1,
                                max_lines=5,
                                scale=6,
                                autofocus=True,
                                elem_id="kalo-question",
                            )
                            send = gr.Button("Αποστολή", variant="primary", scale=1, min_width=110, elem_id="kalo-send")
                        with gr.Row():
                            new_chat = gr.Button(
                                "↺ Νέα συνομιλία",
                                size="sm",
                                variant="secondary",
                                scale=0,
                                min_width=160,
                                elem_id="kalo-new",
                            )
                    with gr.Column(scale=2, min_width=340, elem_id="kalo-sources-col"):
                        sources = gr.HTML(
                            sources_panel(),
                            elem_id="kalo-sources",
                            js_on_load=SOURCES_JS,
                            apply_default_css=False,
                        )

                chat_outputs = [question, chatbot, sources, session]

                def on_submit(q, a, m, s):
                    yield from respond(ctx, q, a, m, s)

                def on_example(a, m, s, evt: gr.SelectData):
                    value = evt.value.get("text", "") if isinstance(evt.value, dict) else str(evt.value)
                    yield from respond(ctx, value, a, m, s)

                def hide_feedback():
                    return gr.update(visible=False), ""

                for trigger in (question.submit, send.click):
                    trigger(
                        hide_feedback, None, [feedback_box, feedback_note], queue=False, api_visibility="private"
                    ).then(on_submit, [question, audience, chatbot, session], chat_outputs, api_visibility="private")
                chatbot.example_select(on_example, [audience, chatbot, session], chat_outputs, api_visibility="private")
                chatbot.select(show_sources_of, [session], [sources], queue=False, api_visibility="private")

                def on_like(s, evt: gr.LikeData):
                    return rate(ctx, s, evt)

                chatbot.like(
                    on_like, [session], [session, feedback_box, feedback_note], queue=False, api_visibility="private"
                )
                send_comment_btn.click(
                    lambda c, s: send_comment(ctx, c, s),
                    [comment, session],
                    [comment, feedback_note],
                    queue=False,
                    api_visibility="private",
                )
                comment.submit(
                    lambda c, s: send_comment(ctx, c, s),
                    [comment, session],
                    [comment, feedback_note],
                    queue=False,
                    api_visibility="private",
                )
                new_chat.click(
                    lambda a: (
                        gr.update(value=[], examples=examples_for(a)),
                        new_session(),
                        sources_panel(),
                        gr.update(visible=False),
                        "",
                    ),
                    [audience],
                    [chatbot, session, sources, feedback_box, comment],
                    queue=False,
                    api_visibility="private",
                )
                chatbot.clear(
                    lambda: (new_session(), sources_panel(), gr.update(visible=False), ""),
                    None,
                    [session, sources, feedback_box, comment],
                    queue=False,
                    api_visibility="private",
                )
                audience.change(
                    lambda a: gr.update(examples=examples_for(a)),
                    [audience],
                    [chatbot],
                    queue=False,
                    api_visibility="private",
                )

            with gr.Tab("Οδηγοί", id="guides", elem_id="kalo-guides-tab"):
                _guides_tab(ctx)
        gr.HTML(FOOTER)
    return demo


def _guides_tab(ctx: WebContext) -> None:
    if not ctx.admin_enabled:
        gr.HTML(
            '<div class="kalo-card kalo-disabled"><h3>Η διαχείριση οδηγών είναι απενεργοποιημένη</h3>'
            "<p>Για να ενεργοποιηθεί, ο διαχειριστής του διακομιστή ορίζει κωδικό στη μεταβλητή περιβάλλοντος "
            "<code>KALO_ADMIN_PASSWORD</code> (ή <code>admin_password</code> στο <code>kalo.toml</code>) "
            "και επανεκκινεί την εφαρμογή με <code>kalo serve</code>.</p></div>",
            elem_id="kalo-admin-disabled",
        )
        return
    admin = gr.State(False)
    with gr.Column(elem_id="kalo-login", elem_classes=["kalo-card"]) as login_box:
        gr.HTML("<h3>Σύνδεση διαχειριστή</h3><p>Η προσθήκη, αφαίρεση και επανευρετηρίαση οδηγών απαιτεί κωδικό.</p>")
        password = gr.Textbox(label="Κωδικός διαχειριστή", type="password", elem_id="kalo-admin-password")
        login = gr.Button("Σύνδεση", variant="primary", elem_id="kalo-admin-login")
        login_msg = gr.HTML()
    with gr.Column(visible=False, elem_id="kalo-admin") as admin_box:
        with gr.Row():
            gr.HTML("<h3 class='kalo-h'>Οδηγοί στο ευρετήριο</h3>")
            logout = gr.Button("Αποσύνδεση", size="sm", scale=0, min_width=120, elem_id="kalo-admin-logout")
        table = gr.HTML(elem_id="kalo-guides-table")
        result = gr.HTML(elem_id="kalo-ingest-result")
        with gr.Row(equal_height=False):
            with gr.Column(elem_classes=["kalo-card"]):
                gr.HTML(
                    "<h4>Προσθήκη οδηγών</h4><p class='kalo-hint'>Αρχεία PDF, DOCX, Markdown, TXT ή HTML, έως "
                    f"{ctx.settings.max_upload_mb:g} MB το καθένα. Μετά το ανέβασμα οι οδηγοί ευρετηριάζονται "
                    "αμέσως.</p>"
                )
                files = gr.File(
                    label="Αρχεία οδηγών",
                    file_count="multiple",
                    file_types=[".pdf", ".docx", ".md", ".markdown", ".txt", ".html", ".htm"],
                    elem_id="kalo-upload",
                    height=150,
                )
                overwrite = gr.Checkbox(label="Αντικατάσταση υπαρχόντων οδηγών με το ίδιο όνομα", value=False)
                upload = gr.Button("Προσθήκη και ευρετηρίαση", variant="primary", elem_id="kalo-upload-btn")
            with gr.Column(elem_classes=["kalo-card"]):
                gr.HTML(
                    "<h4>Αφαίρεση οδηγού</h4><p class='kalo-hint'>Το αρχείο διαγράφεται από τον φάκελο οδηγών "
                    "και τα αποσπάσματά του αφαιρούνται από το ευρετήριο.</p>"
                )
                remove_choice = gr.Dropdown(label="Οδηγός", choices=[], value=None, elem_id="kalo-remove-choice")
                confirm = gr.Checkbox(label="Επιβεβαιώνω την αφαίρεση", value=False, elem_id="kalo-remove-confirm")
                remove = gr.Button("Αφαίρεση οδηγού", variant="stop", elem_id="kalo-remove-btn")
                gr.HTML(
                    "<h4>Επανευρετηρίαση</h4><p class='kalo-hint'>Ελέγχει ξανά όλο τον φάκελο οδηγών· "
                    "αρχεία χωρίς αλλαγές δεν επεξεργάζονται ξανά.</p>"
                )
                reindex = gr.Button("Επανευρετηρίαση", elem_id="kalo-reindex-btn")

    login_outputs = [admin, login_box, admin_box, login_msg, table, remove_choice, password]
    login.click(lambda p: admin_login(ctx, p), [password], login_outputs, api_visibility="private")
    password.submit(lambda p: admin_login(ctx, p), [password], login_outputs, api_visibility="private")
    logout.click(admin_logout, None, login_outputs, queue=False, api_visibility="private")
    upload.click(
        lambda f, o, a, progress=PROGRESS: upload_guides(ctx, f, o, a, progress),
        [files, overwrite, admin],
        [result, table, remove_choice, files],
        concurrency_limit=1,
        show_progress_on=[result],
        api_visibility="private",
    )
    remove.click(
        lambda s, c, a, progress=PROGRESS: remove_guide(ctx, s, c, a, progress),
        [remove_choice, confirm, admin],
        [result, table, remove_choice, confirm],
        concurrency_limit=1,
        show_progress_on=[result],
        api_visibility="private",
    )
    reindex.click(
        lambda a, progress=PROGRESS: reindex_guides(ctx, a, progress),
        [admin],
        [result, table, remove_choice],
        concurrency_limit=1,
        show_progress_on=[result],
        api_visibility="private",
    )


def make_theme():
    return gr.themes.Default(
        primary_hue=gr.themes.colors.blue,
        secondary_hue=gr.themes.colors.slate,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_sm,
        font=["Noto Sans", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["DejaVu Sans Mono", "Consolas", "monospace"],
    ).set(
        body_background_fill="#f3f5f8",
        block_border_width="1px",
        button_primary_background_fill="#0b5cad",
        button_primary_background_fill_hover="#094b8e",
    )


HEAD = (
    '<meta name="description" content="Βοηθός για τη συνεργασία Δήμων και φορέων ΚΑΛΟ">'
    "<link rel=\"icon\" href=\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'%3E"
    "%3Crect width='64' height='64' rx='12' fill='%230b5cad'/%3E%3Ctext x='32' y='45' font-size='38' "
    "text-anchor='middle' fill='white' font-family='sans-serif'%3E%CE%9A%3C/text%3E%3C/svg%3E\">"
)

I18N = gr.I18n(
    en={
        "upload_text.click_to_upload": "Κάντε κλικ για επιλογή αρχείων",
        "upload_text.drop_file": "Σύρετε αρχεία εδώ",
        "common.or": "ή",
        "common.clear": "Καθαρισμός",
        "common.remove": "Αφαίρεση",
        "common.loading": "Φόρτωση",
        "common.error": "Σφάλμα",
        "common.download": "Λήψη",
        "common.submit": "Αποστολή",
        "chatbot.like": "Χρήσιμη απάντηση",
        "chatbot.dislike": "Μη χρήσιμη απάντηση",
        "chatbot.copy_message": "Αντιγραφή",
        "chatbot.copied_message": "Αντιγράφηκε",
        "chatbot.clear": "Καθαρισμός",
        "chatbot.retry": "Ξανά",
        "chatbot.undo": "Αναίρεση",
        "chatbot.edit": "Επεξεργασία",
        "file.uploading": "Ανέβασμα…",
        "blocks.lost_connection": "Χάθηκε η σύνδεση. Επανασύνδεση…",
        "blocks.waiting_for_inputs": "Περιμένετε να ολοκληρωθεί το ανέβασμα των αρχείων και δοκιμάστε ξανά.",
        "dropdown.dropdown": "Επιλογή",
    }
)

CSS = """
.gradio-container { max-width: 1320px !important; margin: 0 auto; }
.kalo-header { display:flex; justify-content:space-between; align-items:center; gap:1rem; padding:.9rem 1.2rem;
  background:#0b3d77; color:#fff; border-radius:8px; margin-bottom:.2rem; }
.kalo-brand { display:flex; gap:.9rem; align-items:center; }
.kalo-logo { width:44px; height:44px; border-radius:8px; background:#fff; color:#0b3d77; font-weight:800;
  font-size:1.6rem; display:flex; align-items:center; justify-content:center; flex:none; }
.kalo-header h1 { font-size:1.3rem; margin:0; color:#fff; font-weight:700; }
.kalo-header p { margin:.15rem 0 0; color:#d6e4f5; font-size:.9rem; max-width:60rem; }
.kalo-header nav { display:flex; gap:1rem; }
.kalo-header nav a { color:#fff; text-decoration:underline; font-size:.9rem; }
.kalo-footer { color:#5b6675; font-size:.82rem; text-align:center; padding:.6rem 0 1rem; }
.kalo-placeholder { text-align:center; color:#4a5565; font-size:1rem; line-height:1.6; }
#kalo-sources-col { position:sticky; top:8px; align-self:flex-start; }
.kalo-sources { background:var(--block-background-fill); border:1px solid var(--block-border-color);
  border-radius:8px; padding:.9rem 1rem; max-height:calc(100vh - 24px); min-height:200px; overflow-y:auto;
  box-sizing:border-box; }
.kalo-sources h3 { margin:0 0 .4rem; font-size:1.1rem; color:var(--body-text-color); }
.kalo-hint { color:var(--body-text-color-subdued); font-size:.9rem; line-height:1.5; }
.kalo-count { color:var(--body-text-color-subdued); font-size:.85rem; margin:.1rem 0 .6rem; }
.kalo-notfound { color:#8a4b00; font-weight:600; }
.kalo-src { border:1px solid var(--border-color-primary); border-left:4px solid #0b5cad; border-radius:6px;
  padding:.6rem .75rem; margin:0 0 .7rem; background:var(--background-fill-primary); }
.kalo-src header { display:flex; gap:.45rem; align-items:baseline; }
.kalo-n { font-weight:700; color:#0b5cad; flex:none; }
.kalo-title { font-weight:600; color:var(--body-text-color); line-height:1.35; }
.kalo-meta { display:flex; justify-content:space-between; gap:.6rem; font-size:.83rem;
  color:var(--body-text-color-subdued); margin:.25rem 0 .4rem; }
.kalo-pages { white-space:nowrap; font-weight:600; }
.kalo-excerpt { margin:0; padding:.45rem .6rem; background:var(--background-fill-secondary); border-radius:4px;
  font-size:.9rem; line-height:1.55; color:var(--body-text-color); border:0; }
.kalo-excerpt mark { background:#ffe58a; color:#1b2430; padding:0 .1em; border-radius:2px; }
.kalo-src footer { margin-top:.45rem; }
.kalo-open { font-size:.88rem; font-weight:600; color:#0b5cad; text-decoration:none; display:inline-flex;
  align-items:center; gap:.3rem; }
.kalo-icon { flex:none; }
.kalo-open:hover { text-decoration:underline; }
dialog.kalo-viewer { width:min(1100px,94vw); height:90vh; padding:0; border:0; border-radius:8px;
  box-shadow:0 10px 40px rgba(0,0,0,.35); }
dialog.kalo-viewer::backdrop { background:rgba(15,25,40,.55); }
.kalo-viewer-bar { display:flex; align-items:center; gap:1rem; padding:.5rem .8rem; background:#0b3d77; color:#fff; }
.kalo-viewer-title { flex:1; font-weight:600; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.kalo-viewer-tab { color:#fff; font-size:.85rem; }
.kalo-viewer-close { background:#fff; color:#0b3d77; border:0; border-radius:4px; padding:.3rem .7rem;
  font-weight:600; cursor:pointer; }
.kalo-viewer-frame { width:100%; height:calc(90vh - 46px); border:0; background:#525659; }
.kalo-card { border:1px solid var(--block-border-color); border-radius:8px; padding:1rem 1.2rem !important;
  background:var(--block-background-fill); }
.kalo-card h3, .kalo-card h4, .kalo-h { margin:.1rem 0 .3rem; }
#kalo-login { max-width:460px; }
.kalo-disabled { max-width:760px; }
.kalo-table { width:100%; border-collapse:collapse; font-size:.92rem; border:0 !important; }
.kalo-table th { text-align:left; background:var(--background-fill-secondary); font-weight:600; }
.kalo-table th, .kalo-table td { padding:.45rem .6rem; border:0 !important;
  border-bottom:1px solid var(--border-color-primary) !important; vertical-align:top; }
.kalo-table tr, .kalo-table thead, .kalo-table tbody { border:0 !important; }
.kalo-table td:last-child { white-space:nowrap; }
.kalo-table td.num { text-align:right; }
.kalo-table tr.failed td { color:#b42318; }
.kalo-warn { color:#b42318; font-weight:600; }
.kalo-ok { color:#1a7f37; font-weight:600; }
.kalo-report { margin:.4rem 0; }
#kalo-feedback { padding:.5rem .6rem; }
#kalo-audience input[type=radio]:checked { background-color:#0b5cad !important; border-color:#0b5cad !important; }
"""
