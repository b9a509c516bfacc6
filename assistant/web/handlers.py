"""The chat's event handlers over a typed per-browser session: streaming an answer, showing an earlier
answer's sources, 👍/👎 with a comment. Answers come from the facade, ratings go to the feedback store."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from assistant.core.errors import KaloError
from assistant.core.types import AUDIENCE_LABELS, Answer, Turn, question_too_long
from assistant.web import export
from assistant.web.context import WebContext
from assistant.web.render import answer_message, answer_text, chat_text, error_message, esc, greek_time, sources_panel

log = logging.getLogger("kalo.ui")

UNEXPECTED = "Παρουσιάστηκε απρόσμενο σφάλμα. Δοκιμάστε ξανά· αν επιμένει, ενημερώστε τον διαχειριστή."
NO_SOURCES = "Δεν υπάρχουν πηγές: η ερώτηση δεν απαντήθηκε."
STOPPED = "_Η απάντηση διακόπηκε._"
RELOADED = "_Η απάντηση διακόπηκε πριν ολοκληρωθεί (η σελίδα ανανεώθηκε ή ανοίξατε άλλη συνομιλία). Στείλτε ξανά την ερώτηση._"
STOPPED_NOTE = "Η απάντηση διακόπηκε πριν ολοκληρωθεί· δεν υπάρχουν ελεγμένες πηγές."
# Example questions per audience (keys as in AUDIENCE_LABELS).
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
    if audience in EXAMPLES:
        return [{"text": q} for q in EXAMPLES[audience]]
    firsts = zip(*(EXAMPLES[key][:2] for key in AUDIENCE_LABELS), strict=True)
    return [{"text": q} for pair in firsts for q in pair]


@dataclass
class ShownAnswer:
    """An answer as the chat showed it, with what is needed to rate it later."""

    answer: Answer
    audience: str | None
    history: list[Turn]  # the conversation before the question (the evaluation replays follow-ups with it)
    feedback_id: int | None = None
    rating: str | None = None  # "up" or "down": kept so that the chat shows it again after a reload


@dataclass
class ChatSession:
    """One browser tab's conversation (a gr.State value)."""

    turns: list[Turn] = field(default_factory=list)
    answers: dict[int, ShownAnswer] = field(default_factory=dict)  # by index of the chat message
    rated: int | None = None  # the message the next comment belongs to
    conversation: str = ""  # its id in the browser's list (web/conversations.py)


def message_index(evt: gr.SelectData | gr.LikeData) -> int:
    return evt.index if isinstance(evt.index, int) else evt.index[0]


GRADIO_RATING = {"up": "Like", "down": "Dislike"}  # our ratings as the Chatbot's feedback options


def feedback_values(messages: list, session: ChatSession) -> list[str | None]:
    """The 👍/👎 each answer was given, as gr.Chatbot's `feedback_value`: one entry per run of assistant
    messages (how Gradio groups them), None where there is no rating."""
    values: list[str | None] = []
    previous = None
    for i, message in enumerate(messages or []):
        role = message.get("role") if isinstance(message, dict) else getattr(message, "role", None)
        if role == "assistant" and previous != "assistant":
            shown = session.answers.get(i)
            values.append(GRADIO_RATING.get(shown.rating or "") if shown else None)
        previous = role
    return values


def rated_chat(messages, session) -> dict:
    """The chat update that shows the conversation's ratings (Gradio keeps a click's 👍/👎 only in the
    page: without this a reload or a switch showed them blank). Skips stay skips."""
    if not isinstance(session, ChatSession) or not isinstance(messages, list):
        return messages
    return gr.update(value=messages, feedback_value=feedback_values(messages, session))


PLACEHOLDER = "…"  # the answer's place in the chat until its first words arrive
COMMENT_ASKS = {  # the comment box's placeholder after 👍 and after 👎
    "up": "Προαιρετικό σχόλιο: τι σας βοήθησε;",
    "down": "Προαιρετικό σχόλιο: τι έλειπε ή τι ήταν λάθος;",
}
WAIT_TO_SEND = "Η προηγούμενη απάντηση ετοιμάζεται ακόμη· η ερώτησή σας έμεινε στο πλαίσιο, στείλτε τη μόλις ολοκληρωθεί."


def start(question: str, busy: bool, messages: list | None = None, clear_box: bool = True) -> tuple:
    """A question is sent: while another answer is on its way it stays in the box (nothing is
    lost, nothing new becomes pending); otherwise it becomes the pending question, shown at once in the chat
    with the answer's «…» placeholder (even while the queue is full), the box clears and «Διακοπή» replaces
    «Αποστολή». Returns (box, pending, busy, send, stop, feedback box, feedback note, box note, chat)."""
    question = " ".join((question or "").split())
    if not question:
        return tuple(gr.skip() for _ in range(9))
    if busy:  # it waits in the box, and the note under it says so (cleared when the answer is complete)
        return (*(gr.skip() for _ in range(7)), f'<p class="kalo-hint" role="status">{WAIT_TO_SEND}</p>', gr.skip())
    if too_long := question_too_long(question):
        # The box keeps the text, to be shortened, and says why below it: not in the chat, where the notice
        # would be an answer to rate with no question above it (and Gradio shows no toast for an event
        # outside the queue, which this one must not wait in)
        return (*(gr.skip() for _ in range(7)), f'<p class="kalo-warn" role="alert">{esc(too_long)}</p>', gr.skip())
    box = "" if clear_box else gr.skip()
    chat = [*(messages or []), {"role": "user", "content": chat_text(question)}, {"role": "assistant", "content": PLACEHOLDER}]
    hidden = gr.update(visible=False)
    return box, question, True, hidden, gr.update(visible=True), hidden, "", "", chat


def before_placeholder(messages: list) -> list:
    """The chat without the (question, «…») pair `start` added: `respond` shows that pair itself."""
    messages = list(messages or [])
    if len(messages) >= 2 and messages[-1].get("role") == "assistant" and _text_of(messages[-1].get("content")) == PLACEHOLDER:
        return messages[:-2]
    return messages


def ready() -> tuple:
    """The controls once an answer is complete or stopped: (busy, send button, stop button)."""
    return False, gr.update(visible=True), gr.update(visible=False)


def respond(ctx: WebContext, question: str, audience: str | None, messages: list, session: ChatSession):
    """Stream one answer into the chat. Yields (messages, sources panel, session); the question box is
    never an output, so what the user types meanwhile stays there."""
    question = " ".join((question or "").split())
    if not question:
        yield messages, gr.skip(), session
        return
    history = list(session.turns)
    messages = [*messages, {"role": "user", "content": chat_text(question)}, {"role": "assistant", "content": PLACEHOLDER}]
    yield messages, sources_panel(note="Αναζήτηση στους οδηγούς…"), session
    pieces: list[str] = []
    final: Answer | None = None
    try:
        for event in ctx.assistant.stream(question, audience or None, history):
            if isinstance(event, Answer):
                final = event
            else:
                pieces.append(event)
                messages = [*messages[:-1], {"role": "assistant", "content": answer_text("".join(pieces))}]
                yield messages, gr.skip(), session
    except KaloError as exc:
        messages[-1] = {"role": "assistant", "content": error_message(exc.el)}
        yield messages, sources_panel(note=NO_SOURCES), session
        return
    except Exception:
        log.exception("answering failed")
        messages[-1] = {"role": "assistant", "content": error_message(UNEXPECTED)}
        yield messages, sources_panel(note=NO_SOURCES), session
        return
    assert final is not None
    messages[-1] = {"role": "assistant", "content": answer_message(final)}
    session.turns = [*history, Turn(role="user", content=question), Turn(role="assistant", content=final.text)]
    session.answers[len(messages) - 1] = ShownAnswer(final, audience, history)
    yield messages, sources_panel(final, at=len(messages) - 1), session


def _text_of(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # Gradio's normalised message content: [{"type": "text", "text": …}]
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


def stop_answer(messages: list) -> tuple:
    """«Διακοπή»: the answer on its way is cancelled; what was shown stays, marked as interrupted.
    Returns (messages, sources panel, busy, send button, stop button)."""
    messages = list(messages or [])
    if messages and messages[-1].get("role") == "assistant":
        shown = _text_of(messages[-1].get("content")).strip()
        shown = "" if shown == PLACEHOLDER else shown
        messages[-1] = {"role": "assistant", "content": (shown + "\n\n" if shown else "") + STOPPED}
    return messages, sources_panel(note=STOPPED_NOTE), *ready()


def export_conversation(session: ChatSession, folder: Path | None = None, title: str = ""):
    """«Εξαγωγή»: the conversation's answers with their sources as DOCX and Markdown files to download,
    titled and named after the conversation (`title`, its name in the list). Returns (files, note)."""
    answers = [session.answers[i].answer for i in sorted(session.answers)]
    if not answers:
        return gr.update(value=None, visible=False), "Δεν υπάρχει ακόμη απάντηση για εξαγωγή."
    folder = folder or Path(tempfile.mkdtemp(prefix="kalo-export-"))
    when = greek_time()  # one moment, in the guides table's Greek time, for the names and both headers
    stem = export.file_stem(title, fallback=f"synomilia-{when:%Y%m%d-%H%M}")
    docx_path, md_path = folder / f"{stem}.docx", folder / f"{stem}.md"
    docx_path.write_bytes(export.conversation_docx(answers, when, title))
    md_path.write_text(export.conversation_markdown(answers, when, title), encoding="utf-8")
    return gr.update(value=[str(docx_path), str(md_path)], visible=True), ""


def saved(messages: list, session: ChatSession) -> dict:
    """A conversation as kept in the browser (web/conversations.py, localStorage): the chat, the turns the
    next follow-up needs and each answer with its sources (without every retrieved passage)."""
    return {
        "messages": list(messages or []),
        "turns": [t.model_dump() for t in session.turns],
        "answers": {
            str(i): {
                "answer": shown.answer.model_dump(mode="json", exclude={"retrieved"}),
                "audience": shown.audience,
                "history": [t.model_dump() for t in shown.history],
                "feedback_id": shown.feedback_id,
                "rating": shown.rating,
            }
            for i, shown in session.answers.items()
        },
    }


def restore(kept: dict | None):
    """A kept conversation brought back (a reload, a switch in the list). Returns (messages, session,
    sources panel), or three skips when there is nothing readable to bring back."""
    if not isinstance(kept, dict) or not isinstance(kept.get("messages"), list) or not kept["messages"]:
        return gr.skip(), gr.skip(), gr.skip()
    try:
        session = ChatSession(
            turns=[Turn(**t) for t in kept.get("turns", [])],
            answers={
                int(i): ShownAnswer(
                    Answer(**a["answer"]), a.get("audience"), [Turn(**t) for t in a.get("history", [])],
                    a.get("feedback_id"), a.get("rating") if a.get("rating") in GRADIO_RATING else None,
                )
                for i, a in kept.get("answers", {}).items()
            },
        )
    except (TypeError, ValueError, KeyError):  # kept by an older version of the app: start afresh
        log.info("a conversation kept in the browser could not be restored")
        return gr.skip(), gr.skip(), gr.skip()
    messages = list(kept["messages"])
    if messages and messages[-1].get("role") == "assistant" and _text_of(messages[-1].get("content")) == PLACEHOLDER:
        # kept when the question was sent, and the page was left before its answer came
        messages[-1] = {"role": "assistant", "content": RELOADED}
    last = max(session.answers, default=None)
    return messages, session, sources_panel(session.answers[last].answer if last is not None else None, at=last)


def show_sources_of(session: ChatSession, evt: gr.SelectData):
    """Clicking an earlier answer brings its sources back into the panel."""
    shown = session.answers.get(message_index(evt))
    return sources_panel(shown.answer, at=message_index(evt)) if shown else gr.skip()


def rate(ctx: WebContext, session: ChatSession, evt: gr.LikeData):
    """👍/👎 on an answer: stored at once; the other rating changes the same record (the same one again,
    from a page that did not show it, writes nothing), an undo (the chosen icon clicked again) deletes it.
    Returns (session, feedback box update, note, comment box update: what it asks follows the rating)."""
    index = message_index(evt)
    shown = session.answers.get(index)
    if shown is None:  # an error message or a message from before a restart: nothing to rate
        return session, gr.update(visible=False), "", gr.skip()
    if evt.liked is True or evt.liked is False:
        rating = "up" if evt.liked else "down"
        if shown.feedback_id is None:
            shown.feedback_id = ctx.feedback.add(
                shown.answer, rating, shown.audience, ctx.assistant.snapshot(), history=shown.history
            )
        elif rating != shown.rating:
            ctx.feedback.update(shown.feedback_id, rating=rating)
        shown.rating = rating
        session.rated = index
        thanks = "Ευχαριστούμε! " + (
            "Η θετική αξιολόγηση καταχωρίστηκε." if rating == "up" else "Καταγράψαμε ότι η απάντηση δεν σας βοήθησε."
        )
        return session, gr.update(visible=True), thanks, gr.update(placeholder=COMMENT_ASKS[rating])
    if shown.feedback_id is not None:  # the rating was withdrawn
        ctx.feedback.delete(shown.feedback_id)
        shown.feedback_id = None
    shown.rating = None
    session.rated = None
    return session, gr.update(visible=False), "", gr.skip()


def send_comment(ctx: WebContext, comment: str, session: ChatSession):
    """The comment box under a rated answer. Returns (comment box, note)."""
    shown = session.answers.get(session.rated) if session.rated is not None else None
    if shown is None or shown.feedback_id is None or not (comment or "").strip():
        return gr.skip(), "Γράψτε πρώτα ένα σχόλιο."
    ctx.feedback.update(shown.feedback_id, comment=comment[:4000])
    return "", "Το σχόλιό σας καταχωρίστηκε. Ευχαριστούμε!"
