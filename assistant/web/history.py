"""The «Συνομιλίες» list beside the chat: the browser's kept conversations (web/conversations.py) to switch
between, rename and delete (after a Greek confirmation); «Νέα συνομιλία» adds an entry. Widgets and events."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from assistant.web import conversations as convs
from assistant.web.handlers import ChatSession, export_conversation, rated_chat, restore, saved
from assistant.web.render import esc, sources_panel

STORAGE_KEY = "kalo-conversation"  # localStorage key (the value is encrypted with WebContext.browser_secret)
WAIT = "Περιμένετε να ολοκληρωθεί η απάντηση ή πατήστε «Διακοπή»."
BLANK = "Γράψτε ένα όνομα για τη συνομιλία."
TAKEN = "Υπάρχει ήδη συνομιλία με το όνομα «{typed}»· αυτή ονομάστηκε «{chosen}»."
NOTHING_TO_DELETE = "Η συνομιλία είναι κενή: δεν υπάρχει κάτι για διαγραφή."
PRIVATE = {"api_visibility": "private"}


@dataclass
class Panel:
    kept: gr.BrowserState
    choice: gr.Radio
    note: gr.Markdown
    rename: gr.Button
    delete: gr.Button
    rename_box: gr.Group
    name: gr.Textbox
    save_name: gr.Button
    cancel_name: gr.Button
    confirm_box: gr.Group
    confirm_note: gr.Markdown
    confirm: gr.Button
    cancel_delete: gr.Button


def panel(secret: str) -> Panel:
    """The list's widgets (created where the layout calls this)."""
    kept = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=secret)
    gr.HTML("<h2 class='kalo-convs-h'>Συνομιλίες</h2>", elem_id="kalo-convs-title")
    choice = gr.Radio(
        [], value=None, label="Οι συνομιλίες σας", show_label=False, elem_id="kalo-conversations",
        info="Φυλάσσονται μόνο σε αυτόν τον περιηγητή.",
    )
    note = gr.Markdown(elem_id="kalo-convs-note")
    with gr.Row():
        rename = gr.Button("✎ Μετονομασία", size="sm", elem_id="kalo-rename", min_width=110)
        delete = gr.Button("✕ Διαγραφή", size="sm", variant="stop", elem_id="kalo-delete", min_width=110)
    # Columns carry the ids and the visibility: a Group shown by an update renders its id twice.
    with gr.Column(visible=False, elem_id="kalo-rename-box") as rename_box, gr.Group():
        name = gr.Textbox(label="Νέο όνομα συνομιλίας", max_lines=1, elem_id="kalo-rename-text")
        with gr.Row():
            save_name = gr.Button("Αποθήκευση", size="sm", variant="primary", elem_id="kalo-rename-save")
            cancel_name = gr.Button("Άκυρο", size="sm", elem_id="kalo-rename-cancel")
    with gr.Column(visible=False, elem_id="kalo-confirm-box") as confirm_box, gr.Group():
        confirm_note = gr.Markdown(elem_id="kalo-confirm-note", padding=True)
        with gr.Row():
            confirm = gr.Button("Ναι, διαγραφή", size="sm", variant="stop", elem_id="kalo-confirm-delete")
            cancel_delete = gr.Button("Άκυρο", size="sm", elem_id="kalo-cancel-delete")
    return Panel(
        kept, choice, note, rename, delete, rename_box, name, save_name, cancel_name,
        confirm_box, confirm_note, confirm, cancel_delete,
    )


def listed(lib: dict) -> dict:
    return gr.update(choices=convs.choices(lib), value=lib["current"])


def opened(lib: dict) -> tuple:
    """The current conversation of `lib` in the chat. Returns (messages, session, sources panel)."""
    record = convs.find(lib, lib["current"]) or {}
    messages, session, panel_html = restore(record)
    if isinstance(session, ChatSession):
        session.conversation = record["id"]
        return messages, session, panel_html
    return [], ChatSession(conversation=record.get("id", "")), sources_panel()


def audience_of(session) -> dict:
    """The «Απευθύνομαι ως» choice a conversation was last asked with, brought back with it; a conversation
    with no answer yet keeps what the radio shows. `session` is a skip, not a ChatSession, when nothing
    was opened (a switch refused while an answer arrives)."""
    answers = getattr(session, "answers", None)
    if not answers:
        return gr.skip()
    return gr.update(value=answers[max(answers)].audience or "")


def on_load(kept) -> tuple:
    """A page (re)load: the list, and its current conversation in the chat (a new empty one if there is
    none). Returns (chat, session, sources, list, kept)."""
    lib = convs.load(kept)
    if convs.find(lib, lib["current"]) is None:
        lib, _ = convs.fresh(lib)
    return (*opened(lib), listed(lib), lib)


def save(kept, messages: list, session: ChatSession) -> tuple:
    """After an answer (or a stop): the conversation is kept, first in the list. Returns (kept, list)."""
    lib = convs.load(kept)
    session.conversation = session.conversation or convs.new_id()
    lib = convs.put(lib, session.conversation, saved(messages, session))
    return lib, listed(lib)


def new_conversation(kept) -> tuple:
    """Returns (chat, session, sources, list, kept)."""
    lib, _ = convs.fresh(convs.load(kept))
    return (*opened(lib), listed(lib), lib)


def switch(cid: str, kept, busy: bool) -> tuple:
    """Another conversation from the list (not while an answer is on its way: it belongs to this one).
    Returns (chat, session, sources, list, kept, note)."""
    lib = convs.load(kept)
    if busy or convs.find(lib, cid) is None:
        return (gr.skip(), gr.skip(), gr.skip(), listed(lib), gr.skip(), WAIT if busy else "")
    lib = convs.select(lib, cid)
    return (*opened(lib), listed(lib), lib, "")


def ask_name(kept) -> tuple:
    """«Μετονομασία»: the name box, filled with the current name (as it can be kept). Returns (name box, name, confirm box)."""
    lib = convs.load(kept)
    record = convs.find(lib, lib["current"]) or {}
    return gr.update(visible=True), convs.editable_title(record), gr.update(visible=False)


def rename(title: str, kept, busy: bool = False) -> tuple:
    """Returns (kept, list, name box, note). Not while an answer is on its way: the answer, kept when it
    is complete, would bring the old name back."""
    if busy:
        return gr.skip(), gr.skip(), gr.update(visible=False), WAIT
    lib = convs.load(kept)
    try:
        lib = convs.rename(lib, lib["current"], title)
    except ValueError:
        return gr.skip(), gr.skip(), gr.skip(), BLANK
    typed = convs.typed_title(title)
    chosen = (convs.find(lib, lib["current"]) or {}).get("title", typed)
    # numbered because another conversation has that name: said, so the « (2)» is no surprise
    note = TAKEN.format(typed=esc(typed), chosen=esc(chosen)) if chosen != typed else ""
    return lib, listed(lib), gr.update(visible=False), note


def export(session: ChatSession, kept) -> tuple:
    """«Εξαγωγή» of the conversation in the chat, under its name in the list. Returns (files, note)."""
    record = convs.find(convs.load(kept), getattr(session, "conversation", "")) or {}
    return export_conversation(session, title=str(record.get("title") or ""))


def ask_delete(kept, busy: bool) -> tuple:
    """«Διαγραφή»: asks first, naming the conversation. Returns (confirm box, its text, name box, note)."""
    if busy:
        return gr.skip(), gr.skip(), gr.skip(), WAIT
    lib = convs.load(kept)
    record = convs.find(lib, lib["current"]) or {}
    if not record.get("messages") and len(lib["conversations"]) <= 1:
        return gr.update(visible=False), gr.skip(), gr.skip(), NOTHING_TO_DELETE  # it would come back empty
    title = record.get("title", convs.UNTITLED)
    text = f"Να διαγραφεί οριστικά η συνομιλία «{esc(title)}»; Η διαγραφή δεν αναιρείται."
    return gr.update(visible=True), text, gr.update(visible=False), ""


def delete(kept, busy: bool) -> tuple:
    """Confirmed: the current conversation goes; the most recent one left opens (or a new empty one).
    Returns (chat, session, sources, list, kept, confirm box, note)."""
    if busy:
        return (*(gr.skip() for _ in range(5)), gr.update(visible=False), WAIT)
    lib = convs.load(kept)
    lib = convs.delete(lib, lib["current"])
    if lib["current"] is None:
        lib, _ = convs.fresh(lib)
    return (*opened(lib), listed(lib), lib, gr.update(visible=False), "Η συνομιλία διαγράφηκε.")


def wire(p: Panel, *, chatbot, session, sources, audience, busy, reset: list, reset_values) -> None:
    """The list's events. `reset`/`reset_values()`: the chat-side widgets a switch or «Νέα» also resets
    (feedback box, comment, controls); `audience` follows the conversation opened."""
    shown = [chatbot, session, sources, p.choice, p.kept]

    def opened(out: tuple, b) -> tuple:
        """What a switch or a delete shows: the chat with its ratings, the rest as returned, the audience
        the conversation was asked with, and the feedback controls reset unless an answer is arriving."""
        return (rated_chat(*out[:2]), *out[1:], audience_of(out[1]), *(reset_values() if not b else (gr.skip() for _ in reset)))

    def switched(cid, kept, b):
        return opened(switch(cid, kept, b), b)

    p.choice.input(switched, [p.choice, p.kept, busy], [*shown, p.note, audience, *reset], queue=False, **PRIVATE)
    p.rename.click(ask_name, [p.kept], [p.rename_box, p.name, p.confirm_box], queue=False, **PRIVATE)
    gr.on(
        [p.save_name.click, p.name.submit], rename, [p.name, p.kept, busy], [p.kept, p.choice, p.rename_box, p.note],
        queue=False, **PRIVATE,
    )
    p.cancel_name.click(lambda: gr.update(visible=False), None, [p.rename_box], queue=False, **PRIVATE)
    p.delete.click(
        ask_delete, [p.kept, busy], [p.confirm_box, p.confirm_note, p.rename_box, p.note], queue=False, **PRIVATE
    )
    def deleted(kept, b):
        return opened(delete(kept, b), b)

    p.confirm.click(
        deleted, [p.kept, busy], [*shown, p.confirm_box, p.note, audience, *reset], queue=False, **PRIVATE
    )
    p.cancel_delete.click(lambda: gr.update(visible=False), None, [p.confirm_box], queue=False, **PRIVATE)
