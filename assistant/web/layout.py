"""The Gradio Blocks: the «Συνομιλία» tab (audience, chat, feedback, «Πηγές» panel) and the «Οδηγοί» tab,
wired to the handlers; the theme and the Greek labels of Gradio's own widgets."""

from __future__ import annotations

import gradio as gr

from assistant.core.types import AUDIENCE_LABELS
from assistant.web import admin, handlers, history
from assistant.web.context import WebContext
from assistant.web.render import FOOTER, TITLE, header_html, sources_panel, static_text

DEFAULT_AUDIENCE = ""  # «Χωρίς προτίμηση»: all guides weigh the same
FILE_TYPES = [".pdf", ".docx", ".md", ".markdown", ".txt", ".html", ".htm"]
PRIVATE = {"api_visibility": "private"}  # UI events are not part of the public API (that is /api)

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
        # «Διακοπή», «Διαγραφή»: white on Gradio's red-500 is 3.8:1; red-700 is 6.5:1
        button_cancel_background_fill="#b42318",
        button_cancel_background_fill_hover="#912018",
        button_cancel_background_fill_dark="#b42318",
        button_cancel_background_fill_hover_dark="#912018",
        button_cancel_text_color="#ffffff",
        button_cancel_text_color_dark="#ffffff",
        # WCAG AA (≥ 4.5:1, checked by axe-core in tests/test_web_browser.py): slate-400 hints were 2.56:1
        body_text_color_subdued="#4b5563",
        body_text_color_subdued_dark="#b8c2d0",
        link_text_color="#0b5cad",
        link_text_color_visited="#5b3a9e",
        link_text_color_hover="#094b8e",
        link_text_color_active="#094b8e",
        link_text_color_dark="#8cc0ff",
        link_text_color_visited_dark="#c9b3ff",
        link_text_color_hover_dark="#b3d6ff",
        link_text_color_active_dark="#b3d6ff",
    )


def build_ui(ctx: WebContext) -> gr.Blocks:
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        gr.HTML(header_html(ctx.chat_protected), elem_id="kalo-header-block")
        with gr.Tabs(elem_id="kalo-tabs"):
            with gr.Tab("Συνομιλία", id="chat", elem_id="kalo-chat-tab"):
                _chat_tab(ctx, demo)
            with gr.Tab("Οδηγοί", id="guides", elem_id="kalo-guides-tab"):
                _guides_tab(ctx)
        gr.HTML(FOOTER)
    return demo


def _chat_tab(ctx: WebContext, demo: gr.Blocks) -> None:
    session = gr.State(handlers.ChatSession())
    with gr.Row(equal_height=False, elem_id="kalo-chat-row"):
        with gr.Column(scale=1, min_width=220, elem_id="kalo-convs-col"):
            # Conversations survive a reload and a restart (localStorage, a key stable across runs).
            conv = history.panel(ctx.browser_secret)
        with gr.Column(scale=3, min_width=320, elem_id="kalo-chat-col"):
            audience = gr.Radio(
                [("Χωρίς προτίμηση", ""), *((label, key) for key, label in AUDIENCE_LABELS.items())],
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
                examples=handlers.examples_for(DEFAULT_AUDIENCE),
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
            # A Column carries the id and the visibility: a Group shown by an update renders its id twice
            # (Gradio nests a second group with the same attributes).
            with gr.Column(visible=False, elem_id="kalo-feedback") as feedback_box:
                with gr.Group():
                    feedback_note = gr.Markdown(elem_id="kalo-feedback-note", padding=True)
                    comment = gr.Textbox(
                        label="Σχόλιο", show_label=False, placeholder=handlers.COMMENT_ASKS["down"], elem_id="kalo-comment"
                    )
                # Outside the Group, which drew them flush on its grey, as text; and whose overflow cut the focus ring.
                with gr.Row(elem_id="kalo-feedback-actions"):
                    send_comment = gr.Button(
                        "Αποστολή σχολίου", variant="primary", size="sm", scale=0, min_width=170, elem_id="kalo-send-comment"
                    )
                    close_feedback = gr.Button(
                        "Κλείσιμο", variant="secondary", size="sm", scale=0, min_width=110, elem_id="kalo-feedback-close"
                    )
            with gr.Row(elem_id="kalo-ask-row", equal_height=True):
                question = gr.Textbox(
                    label="Ερώτηση",
                    show_label=False,
                    placeholder="Γράψτε την ερώτησή σας… (Enter για αποστολή)",
                    lines=1,
                    max_lines=5,
                    scale=6,
                    autofocus=False,  # static/head.html focuses it, but not on a touch screen
                    elem_id="kalo-question",
                )
                # Enabled once the page has loaded (below): a question sent earlier would be wiped by the load.
                send = gr.Button(
                    "Αποστολή", variant="primary", scale=1, min_width=110, interactive=False, elem_id="kalo-send"
                )
                stop = gr.Button("■ Διακοπή", variant="stop", scale=1, min_width=110, visible=False, elem_id="kalo-stop")
            box_note = gr.HTML(elem_id="kalo-question-note")  # why a question was not sent (too long)
            with gr.Row():
                new_chat = gr.Button(
                    "↺ Νέα συνομιλία", size="sm", variant="secondary", scale=0, min_width=160, elem_id="kalo-new"
                )
                export_btn = gr.Button(
                    "⤓ Εξαγωγή (Word, Markdown)", size="sm", variant="secondary", scale=0, min_width=220,
                    elem_id="kalo-export",
                )
                gr.HTML(  # on a phone the panels are below the chat: one tap away (static/head.html scrolls)
                    '<a id="kalo-jump-sources" class="kalo-jump" href="#kalo-sources">↓ Πηγές της απάντησης</a>'
                    '<a id="kalo-jump-convs" class="kalo-jump" href="#kalo-convs-col">↓ Συνομιλίες</a>',
                    elem_id="kalo-jump-block",
                    apply_default_css=False,
                )
            export_note = gr.Markdown(elem_id="kalo-export-note")
            export_files = gr.File(
                label="Η συνομιλία με τις πηγές της", file_count="multiple", visible=False, interactive=False,
                elem_id="kalo-export-files",
            )
        with gr.Column(scale=2, min_width=300, elem_id="kalo-sources-col"):
            sources = gr.HTML(
                sources_panel(), elem_id="kalo-sources", js_on_load=static_text("sources.js"), apply_default_css=False
            )

    busy = gr.State(True)  # an answer is on its way (or the page is loading): further questions wait in the box
    pending = gr.State("")  # the question being answered
    controls = [busy, send, stop]
    answer_outputs = [chatbot, sources, session, pending, *controls, box_note, conv.kept, conv.choice]

    def answer(p, a, m, s, kept):
        # The pending question is consumed once: a refused question's chained event finds it empty, and
        # changes nothing (a generator that yields nothing would clear every output: the chat, the button).
        if not p:
            yield tuple(gr.skip() for _ in answer_outputs)
            return
        # The final answer and the controls (Send back, busy off) arrive in one update: sent apart, a
        # question typed the moment the answer shows was held back as if the answer were still on its way.
        # So each step waits for the next one, except the first («Αναζήτηση…» shows at once).
        # The answer is kept in the browser in that same last update: kept by a later event, a click on
        # «Νέα συνομιλία» in between (busy already off) wrote back the conversation without its answer.
        waiting, unchanged = None, (gr.skip(),) * 6  # the controls, the box's note and the list, until the end
        for n, step in enumerate(handlers.respond(ctx, p, a, handlers.before_placeholder(m), s)):
            if waiting is not None:
                yield (*waiting, "", *unchanged)
            waiting = step if n else None
            if not n:
                yield (*step, "", *unchanged)
        kept_now = history.save(kept, waiting[0], waiting[2]) if waiting is not None else (gr.skip(), gr.skip())
        yield (*(waiting or (gr.skip(),) * 3), "", *handlers.ready(), "", *kept_now)  # «wait to send» is over

    def kept_at_once(started: tuple, kept, s) -> tuple:
        """A question taken (busy from now on) is kept in the browser with the event that shows it, before
        its answer: a reload meanwhile brings it back (handlers.restore marks it interrupted)."""
        taken = started[2] is True
        return (*started, *(history.save(kept, started[-1], s) if taken else (gr.skip(), gr.skip())))

    def on_ask(q, b, m, kept, s):
        return kept_at_once(handlers.start(q, b, m), kept, s)

    def on_example(b, m, kept, s, evt: gr.SelectData):
        value = evt.value.get("text", "") if isinstance(evt.value, dict) else str(evt.value)
        return kept_at_once(handlers.start(value, b, m, clear_box=False), kept, s)

    def on_like(s, kept, m, evt: gr.LikeData):
        # kept with the rating's record: after a reload, 👍/👎 change that record instead of adding one
        rated = handlers.rate(ctx, s, evt)
        shown = gr.update(feedback_value=handlers.feedback_values(m, rated[0]))  # what a switch back compares to
        return (*rated, *history.save(kept, m, rated[0]), shown)

    def on_comment(c, s):
        return handlers.send_comment(ctx, c, s)

    def restart(a, kept):
        """«Νέα συνομιλία» (or the chat's trash icon): a new entry in the list; the others stay there."""
        messages, chat, panel, listed, lib = history.new_conversation(kept)
        shown = gr.update(value=messages, feedback_value=[], examples=handlers.examples_for(a))
        return (shown, chat, panel, listed, lib, gr.update(visible=False), "", *handlers.ready())

    start_outputs = [question, pending, *controls, feedback_box, feedback_note, box_note, chatbot, conv.kept, conv.choice]
    answer_inputs = [pending, audience, chatbot, session, conv.kept]
    keep = {"fn": history.save, "inputs": [conv.kept, chatbot, session], "outputs": [conv.kept, conv.choice]}
    keep |= {"queue": False, **PRIVATE}
    start_inputs = [question, busy, chatbot, conv.kept, session]
    asked = gr.on([question.submit, send.click], on_ask, start_inputs, start_outputs, queue=False, **PRIVATE)
    answering = asked.then(answer, answer_inputs, answer_outputs, **PRIVATE)
    answering.then(**keep)
    picked = chatbot.example_select(on_example, [busy, chatbot, conv.kept, session], start_outputs, queue=False, **PRIVATE)
    answering_example = picked.then(answer, answer_inputs, answer_outputs, **PRIVATE)
    answering_example.then(**keep)
    stop.click(
        lambda m: (*handlers.stop_answer(m), ""),
        [chatbot],
        [chatbot, sources, *controls, box_note],
        cancels=[answering, answering_example],
        queue=False,
        **PRIVATE,
    ).then(**keep)
    shown = [chatbot, session, sources, conv.choice, conv.kept]
    # The kept conversation replaces the chat when it arrives, so questions wait in the box until then:
    # `.then` runs once the page has applied the load, and only then lets a question through.
    def on_load(kept):
        out = history.on_load(kept)
        return (handlers.rated_chat(*out[:2]), *out[1:], history.audience_of(out[1]))

    loaded = demo.load(on_load, [conv.kept], [*shown, audience], queue=False, **PRIVATE)
    loaded.then(lambda: (False, gr.update(interactive=True)), None, [busy, send], queue=False, **PRIVATE)
    history.wire(
        conv, chatbot=chatbot, session=session, sources=sources, audience=audience, busy=busy,
        reset=[feedback_box, comment],
        reset_values=lambda: (gr.update(visible=False), ""),
    )
    export_btn.click(history.export, [session, conv.kept], [export_files, export_note], **PRIVATE)
    chatbot.select(handlers.show_sources_of, [session], [sources], queue=False, **PRIVATE)
    liked = [session, feedback_box, feedback_note, comment, conv.kept, conv.choice, chatbot]
    close_feedback.click(lambda: gr.update(visible=False), None, [feedback_box], queue=False, **PRIVATE)
    chatbot.like(on_like, [session, conv.kept, chatbot], liked, queue=False, show_progress="hidden", **PRIVATE)
    comment_out = [comment, feedback_note]
    gr.on([send_comment.click, comment.submit], on_comment, [comment, session], comment_out, queue=False, **PRIVATE)
    restart_out = [*shown, feedback_box, comment, *controls]
    gr.on(
        [new_chat.click, chatbot.clear],
        restart,
        [audience, conv.kept],
        restart_out,
        cancels=[answering, answering_example],
        queue=False,
        **PRIVATE,
    )
    audience.change(
        lambda a: gr.update(examples=handlers.examples_for(a)), [audience], [chatbot], queue=False, **PRIVATE
    )


def _public_guides(ctx: WebContext) -> gr.HTML:
    """Which guides the answers come from, each one a click away: for every user (read again at each page
    load, so an upload shows)."""
    gr.HTML("<h3 class='kalo-h'>Οι οδηγοί της εφαρμογής</h3>")
    return gr.HTML(lambda: admin.guides_html(ctx), elem_id="kalo-guides-public")


def _guides_tab(ctx: WebContext) -> None:
    if not ctx.admin_enabled:
        _public_guides(ctx)
        # What a user needs first; how to enable it is for whoever runs the server, one click away.
        gr.HTML(
            '<div class="kalo-card kalo-disabled"><p>Οδηγούς προσθέτει ή αφαιρεί ο διαχειριστής της '
            "εφαρμογής· αν λείπει ένας οδηγός που χρειάζεστε, ζητήστε του να τον προσθέσει.</p>"
            "<details><summary>Για τον διαχειριστή του διακομιστή</summary><p>Η διαχείριση οδηγών από αυτή "
            "τη σελίδα ενεργοποιείται με κωδικό στη μεταβλητή περιβάλλοντος <code>KALO_ADMIN_PASSWORD</code> "
            "(ή <code>admin_password</code> στο <code>kalo.toml</code>) και επανεκκίνηση με "
            "<code>kalo serve</code>.</p></details></div>",
            elem_id="kalo-admin-disabled",
        )
        return
    signed_in = gr.State(False)
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
                    file_types=FILE_TYPES,
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

    # Below the sign-in box (on a phone, it covered its button); hidden while signed in, where the table
    # above lists the same guides, and read again on signing out (an upload meanwhile shows).
    with gr.Column(elem_id="kalo-guides-list") as public_box:
        public = _public_guides(ctx)

    login_outputs = [signed_in, login_box, admin_box, login_msg, table, remove_choice, password, public_box]

    def sign_in(password_text: str, request: gr.Request):  # Gradio fills `request` by its type hint
        out = admin.admin_login(ctx, password_text, request)
        return *out, gr.update(visible=not out[0])

    def sign_out():
        return *admin.admin_logout(), gr.update(visible=True), admin.guides_html(ctx)

    gr.on([login.click, password.submit], sign_in, [password], login_outputs, **PRIVATE)
    logout.click(sign_out, None, [*login_outputs, public], queue=False, **PRIVATE)
    # One ingestion at a time; its progress is drawn over the result box.
    writes = {"concurrency_limit": 1, "show_progress_on": [result], **PRIVATE}
    upload.click(
        lambda f, o, a, progress=admin.PROGRESS: admin.upload_guides(ctx, f, o, a, progress),
        [files, overwrite, signed_in],
        [result, table, remove_choice, files],
        **writes,
    )
    remove.click(
        lambda s, c, a, progress=admin.PROGRESS: admin.remove_guide(ctx, s, c, a, progress),
        [remove_choice, confirm, signed_in],
        [result, table, remove_choice, confirm],
        **writes,
    )
    reindex.click(
        lambda a, progress=admin.PROGRESS: admin.reindex_guides(ctx, a, progress),
        [signed_in],
        [result, table, remove_choice],
        **writes,
    )
