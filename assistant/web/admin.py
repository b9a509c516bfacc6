"""The «Οδηγοί» tab's handlers: admin sign-in, upload, removal and re-indexing through the facade, with
ingestion progress drawn by Gradio's progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from assistant.core.errors import KaloError
from assistant.web.context import WebContext
from assistant.web.render import count_of, guides_table, report_html, warning
from assistant.web.security import admin_throttle, wait_detail
from ingest.pipeline import FileReport
from ingest.sidecars import SENTENCES_LABEL

UI_CLIENT = "ui:unknown"  # the throttle's key when Gradio gives no client address (a direct call)

PROGRESS = gr.Progress()  # a marker: Gradio gives each event its own tracker in place of this default


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
            unit = ("πρόταση", "προτάσεις") if self.source == SENTENCES_LABEL else ("τμήμα", "τμήματα")
            desc += f" ({self.done_chunks}/{count_of(self.chunks, *unit)})"
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


def guides_html(ctx: WebContext) -> str:
    try:
        return guides_table(ctx.assistant.guides())
    except KaloError as exc:
        return warning(exc.el)


def files_choice(ctx: WebContext):
    return gr.update(choices=ctx.assistant.guide_files(), value=None)


def ui_client(request: gr.Request | None) -> str:
    """The throttle's key for a Guides-tab sign-in: the client's address, as the JSON API keys it (the same
    address shares one back-off across both), or UI_CLIENT when Gradio passes no request."""
    client = getattr(request, "client", None)
    host = getattr(client, "host", None)
    return str(host) if host else UI_CLIENT


def admin_login(ctx: WebContext, password: str, request: gr.Request | None = None):
    """Returns (admin flag, login box, admin box, login message, guides table, removal choice, password box).
    Wrong passwords back off per client (assistant/web/security.py), logged with the client's address; an
    empty one is a click before typing, not a guess: asked for, not counted."""
    if not (password or "").strip():
        message = '<p class="kalo-warn" role="alert">Πληκτρολογήστε τον κωδικό διαχειριστή.</p>'
        return False, gr.update(), gr.update(), message, "", gr.update(), ""
    client = ui_client(request)
    throttle = admin_throttle(ctx)
    wait = throttle.retry_after(client)
    if wait > 0 or not ctx.is_admin(password):
        if wait <= 0:
            throttle.failed(client)  # logs the failure, the client and the next wait
        text = wait_detail(wait) if wait > 0 else "Λάθος κωδικός διαχειριστή."
        message = f'<p class="kalo-warn" role="alert">{text}</p>'
        return False, gr.update(), gr.update(), message, "", gr.update(), ""
    throttle.succeeded(client)
    return True, gr.update(visible=False), gr.update(visible=True), "", guides_html(ctx), files_choice(ctx), ""


def admin_logout():
    return False, gr.update(visible=True), gr.update(visible=False), "", "", gr.update(choices=[], value=None), ""


def _require(admin: bool) -> None:
    if not admin:
        raise gr.Error("Η συνεδρία διαχείρισης έληξε. Συνδεθείτε ξανά.", print_exception=False)


def upload_guides(ctx: WebContext, files, overwrite: bool, admin: bool, progress=PROGRESS):
    """Returns (result, guides table, removal choice, file box)."""
    _require(admin)
    if not files:  # also after Gradio refused a file type in the browser (its toast): nothing reached us
        message = "Δεν έχει επιλεγεί κανένα αποδεκτό αρχείο (PDF, DOCX, Markdown, TXT ή HTML)."
        return warning(message), gr.skip(), gr.skip(), gr.skip()
    uploads = []
    for f in files if isinstance(files, list) else [files]:
        path = Path(f if isinstance(f, str) else f.name)
        uploads.append((getattr(f, "orig_name", None) or path.name, path))
    try:
        results, report = ctx.assistant.add_guides(uploads, bool(overwrite), GradioProgress(progress))
    except KaloError as exc:
        return warning(exc.el), gr.skip(), gr.skip(), gr.skip()
    title = "Ανέβασμα οδηγών" if report else "Κανένα αρχείο δεν προστέθηκε"
    return report_html(report, results, title), guides_html(ctx), files_choice(ctx), None


def remove_guide(ctx: WebContext, source: str | None, confirm: bool, admin: bool, progress=PROGRESS):
    """Returns (result, guides table, removal choice, confirmation box)."""
    _require(admin)
    if not source:
        return warning("Επιλέξτε τον οδηγό που θέλετε να αφαιρέσετε."), gr.skip(), gr.skip(), gr.skip()
    if not confirm:
        return warning("Επιβεβαιώστε την αφαίρεση με το σχετικό κουτάκι."), gr.skip(), gr.skip(), gr.skip()
    try:
        report = ctx.assistant.remove(source, GradioProgress(progress))
    except KaloError as exc:
        return warning(exc.el), gr.skip(), gr.skip(), gr.skip()
    return report_html(report, title=f"Αφαίρεση «{source}»"), guides_html(ctx), files_choice(ctx), False


def reindex_guides(ctx: WebContext, admin: bool, progress=PROGRESS):
    """Returns (result, guides table, removal choice)."""
    _require(admin)
    try:
        # Built beside the served index and switched when complete: chat users never see half of it.
        report = ctx.assistant.ingest(progress=GradioProgress(progress), beside=True)
    except KaloError as exc:
        return warning(exc.el), gr.skip(), gr.skip()
    return report_html(report, title="Επανευρετηρίαση"), guides_html(ctx), files_choice(ctx)
