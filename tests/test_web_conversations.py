"""The conversation list kept in the browser: switching, renaming, deleting, «Νέα συνομιλία», the value
as localStorage holds it (JSON), the version-1 single conversation, and a key that survives a restart."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr
from support import answers

from assistant.core.types import Answer
from assistant.web import conversations as convs
from assistant.web import handlers, history
from assistant.web.context import WebContext
from assistant.web.handlers import ChatSession


class FakeAssistant:
    def __init__(self) -> None:
        self.answer: Answer = answers.answer()

    def stream(self, question, audience=None, history=None):
        yield self.answer.text
        yield self.answer.model_copy(update={"question": question})

    def snapshot(self) -> dict:
        return {"answerer": "extractive"}

    def guides(self) -> list:  # the guides tab lists them for every user
        return []


@pytest.fixture
def ctx(make_settings):
    return WebContext(make_settings(), assistant=FakeAssistant())


def _ask(ctx, question: str, messages: list, session: ChatSession):
    return list(handlers.respond(ctx, question, None, messages, session))[-1]


def _stored(value):
    return json.loads(json.dumps(value))  # as localStorage gives it back


def test_answers_are_kept_per_conversation_and_survive_a_reload(ctx):
    messages, chat, panel, listed, kept = history.on_load(None)  # a first visit: one empty entry
    assert messages == [] and listed["choices"] == [(convs.UNTITLED, chat.conversation)]
    first = chat.conversation
    messages, _, chat = _ask(ctx, "Τι δίκτυα <υπάρχουν>;", messages, chat)
    kept, listed = history.save(_stored(kept), messages, chat)
    assert listed["choices"] == [("Τι δίκτυα <υπάρχουν>;", first)] and listed["value"] == first

    # «Νέα συνομιλία»: a second entry, current and empty; the first stays in the list
    messages, chat, panel, listed, kept = history.new_conversation(_stored(kept))
    second = chat.conversation
    assert messages == [] and second != first and listed["value"] == second
    assert [cid for _, cid in listed["choices"]] == [second, first]
    assert history.new_conversation(_stored(kept))[1].conversation == second  # an empty one is reused
    messages, _, chat = _ask(ctx, "Πώς αξιολογούμε ένα δίκτυο;", messages, chat)
    kept, listed = history.save(_stored(kept), messages, chat)

    # a reload opens the current one with its sources; switching brings the other back, follow-ups included
    messages, chat, panel, listed, kept = history.on_load(_stored(kept))
    assert chat.conversation == second and "Πώς αξιολογούμε" in messages[0]["content"] and "kalo-src-" in panel
    back, chat, panel, listed, kept, note = history.switch(first, _stored(kept), busy=False)
    assert chat.conversation == first and "Τι δίκτυα" in back[0]["content"] and note == ""
    assert next(t.content for t in chat.turns) == "Τι δίκτυα <υπάρχουν>;" and chat.answers[1].answer.found
    assert listed["value"] == first and kept["current"] == first


def test_a_question_kept_when_sent_comes_back_after_a_reload_marked_as_interrupted(ctx):
    """The chat keeps a question as soon as it shows (with the answer's «…»): a reload before the answer
    arrives brings the conversation back with the question and says the answer was interrupted."""
    _, chat, _, _, kept = history.on_load(None)
    messages, _, chat = _ask(ctx, "Τι δίκτυα υπάρχουν;", [], chat)
    kept, _ = history.save(kept, messages, chat)
    *_, shown = handlers.start("Πώς αξιολογούμε ένα δίκτυο;", False, messages)  # sent: «…» in its place
    kept, listed = history.save(_stored(kept), shown, chat)
    assert listed["choices"] == [("Τι δίκτυα υπάρχουν;", chat.conversation)]
    messages, session, panel, _, kept = history.on_load(_stored(kept))  # the page is reloaded
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[2]["content"] == "Πώς αξιολογούμε ένα δίκτυο;"
    assert messages[3]["content"] == handlers.RELOADED and "Στείλτε ξανά την ερώτηση" in handlers.RELOADED
    assert sorted(session.answers) == [1] and "kalo-src-1" in panel  # the first answer stays rateable
    messages, session, *_ = history.on_load(_stored(kept))  # and stays so, reload after reload
    assert messages[3]["content"] == handlers.RELOADED


def test_a_rating_is_kept_so_that_after_a_reload_it_is_shown_and_changed_not_added_again(ctx):
    """👎, a reload, then 👍 on the same answer: one record, now 👍 (the kept conversation has its id); the
    reloaded chat and a switch back show the 👎 given (Gradio forgot it: it shows only what was clicked)."""
    from types import SimpleNamespace

    from assistant.feedback import FeedbackStore
    from assistant.web import layout

    demo = layout.build_ui(ctx)
    fns = {getattr(b.fn, "__name__", ""): b.fn for b in demo.fns.values()}
    on_like, on_load, switched = fns["on_like"], fns["on_load"], fns["switched"]
    _, chat, _, _, kept = history.on_load(None)
    messages, _, chat = _ask(ctx, "Τι δίκτυα υπάρχουν;", [], chat)
    kept, _ = history.save(kept, messages, chat)
    chat, _box, _note, _comment, kept, _, shown = on_like(chat, _stored(kept), messages, SimpleNamespace(index=1, liked=False))
    assert shown["feedback_value"] == ["Dislike"]
    shown, chat, *_, kept, _audience = on_load(_stored(kept))  # the page is reloaded
    assert shown["value"] == messages and shown["feedback_value"] == ["Dislike"]
    rated = chat.conversation
    *_, kept = history.new_conversation(_stored(kept))
    shown, *_ = switched(rated, _stored(kept), False)
    assert shown["feedback_value"] == ["Dislike"]
    on_like(chat, _stored(kept), messages, SimpleNamespace(index=1, liked=True))
    [row] = list(FeedbackStore.for_settings(ctx.settings).rows())
    assert row["rating"] == "up"


def test_no_switch_or_delete_while_an_answer_is_on_its_way(ctx):
    _, chat, _, _, kept = history.on_load(None)
    messages, _, chat = _ask(ctx, "Τι δίκτυα υπάρχουν;", [], chat)
    kept, _ = history.save(kept, messages, chat)
    _, _, _, _, kept = history.new_conversation(kept)
    other = kept["conversations"][1]["id"]
    *skipped, listed, kept_out, note = history.switch(other, kept, busy=True)
    assert all(out == history.gr.skip() for out in skipped) and kept_out == history.gr.skip()
    assert listed["value"] == kept["current"] and note == history.WAIT  # the list shows where the answer goes
    *skipped, _box, note = history.delete(kept, busy=True)
    assert all(out == history.gr.skip() for out in skipped) and note == history.WAIT


def test_rename_keeps_the_name_and_refuses_a_blank_one(ctx):
    _, chat, _, _, kept = history.on_load(None)
    messages, _, chat = _ask(ctx, "Τι δίκτυα υπάρχουν;", [], chat)
    kept, _ = history.save(kept, messages, chat)
    box, name, _ = history.ask_name(kept)
    assert box["visible"] is True and name == "Τι δίκτυα υπάρχουν;"
    kept, listed, box, note = history.rename("  Δίκτυα   για το υπόμνημα ", kept)
    assert listed["choices"] == [("Δίκτυα για το υπόμνημα", chat.conversation)] and box["visible"] is False
    messages, _, chat = _ask(ctx, "Και μετά;", messages, chat)  # a later answer keeps the chosen name
    kept, listed = history.save(_stored(kept), messages, chat)
    assert listed["choices"][0][0] == "Δίκτυα για το υπόμνημα"
    *unchanged, note = history.rename("   ", kept)
    assert all(out == history.gr.skip() for out in unchanged) and note == history.BLANK


def test_rename_box_offers_a_name_that_can_be_kept_as_it_is(ctx):
    """A long first question is listed cut with «…»; the box offers it cut at a word, without the mark
    (saved as offered, the name would end in «…»), and a new conversation offers an empty box."""
    _, chat, _, _, kept = history.on_load(None)
    _, name, _ = history.ask_name(kept)
    assert name == ""  # not «Νέα συνομιλία» to delete first
    long = "Θέλουμε να οργανώσουμε μαζί με μια Κοιν.Σ.Επ. της περιοχής διανομή τροφίμων σε οικογένειες που έχουν ανάγκη"
    messages, _, chat = _ask(ctx, long, [], chat)
    kept, listed = history.save(kept, messages, chat)
    assert listed["choices"][0][0].endswith("…")
    _, name, _ = history.ask_name(kept)
    assert not name.endswith("…") and long.startswith(name) and long[len(name)] == " "
    assert len(name) <= convs.MAX_TITLE


def test_two_conversations_that_start_with_the_same_question_are_told_apart(ctx):
    """The second is listed «… (2)», the third «… (3)», as a file manager names copies; the numbers stay
    put through later answers and when the first one is deleted (a name does not change under the user)."""
    question = "Πώς ξεκινάω μια συνεργασία με έναν φορέα ΚΑΛΟ;"
    _, chat, _, _, kept = history.on_load(None)
    ids = []
    for n in range(3):
        if n:
            _, chat, _, _, kept = history.new_conversation(_stored(kept))
        messages, _, chat = _ask(ctx, question, [], chat)
        kept, listed = history.save(_stored(kept), messages, chat)
        ids.append(chat.conversation)
    first, second, third = ids
    assert listed["choices"] == [(f"{question} (3)", third), (f"{question} (2)", second), (question, first)]

    def follow_up(cid: str, kept: dict) -> tuple:
        messages, chat, *_ = history.switch(cid, _stored(kept), busy=False)
        messages, _, chat = _ask(ctx, "Και μετά;", messages, chat)
        return history.save(_stored(kept), messages, chat)

    kept, listed = follow_up(second, kept)
    assert listed["choices"][0] == (f"{question} (2)", second)
    kept = convs.delete(kept, first)
    kept, listed = follow_up(second, kept)
    assert listed["choices"] == [(f"{question} (2)", second), (f"{question} (3)", third)]
    kept, listed = follow_up(third, kept)
    assert listed["choices"][0] == (f"{question} (3)", third)
    _, chat, _, listed, kept = history.new_conversation(_stored(kept))
    assert listed["choices"][0] == (convs.UNTITLED, chat.conversation)
    lib, _ = convs.fresh(convs.select(kept, second))  # a second empty one beside it is numbered too
    assert [c["title"] for c in lib["conversations"][:2]] == [f"{convs.UNTITLED} (2)", convs.UNTITLED]


def test_a_name_typed_that_another_conversation_has_is_numbered_and_the_list_says_so(ctx):
    _, chat, _, _, kept = history.on_load(None)
    messages, _, chat = _ask(ctx, "Τι δίκτυα υπάρχουν;", [], chat)
    kept, _ = history.save(kept, messages, chat)
    kept, *_ = history.rename("Για το υπόμνημα", kept)
    _, chat, _, _, kept = history.new_conversation(_stored(kept))
    messages, _, chat = _ask(ctx, "Πώς αξιολογούμε ένα δίκτυο;", [], chat)
    kept, _ = history.save(_stored(kept), messages, chat)
    kept, listed, box, note = history.rename("  Για  το υπόμνημα ", _stored(kept))
    assert [name for name, _ in listed["choices"]] == ["Για το υπόμνημα (2)", "Για το υπόμνημα"]
    assert box["visible"] is False
    assert note == "Υπάρχει ήδη συνομιλία με το όνομα «Για το υπόμνημα»· αυτή ονομάστηκε «Για το υπόμνημα (2)»."
    kept, listed, _, note = history.rename("Για το υπόμνημα (2)", _stored(kept))  # its own name: unchanged
    assert listed["choices"][0][0] == "Για το υπόμνημα (2)" and note == ""
    long = "λέξη " * 30  # a long name numbered stays within the limit, marked as cut
    other = kept["conversations"][1]["id"]
    kept, listed, _, _ = history.rename(long, _stored(convs.rename(kept, other, long)))
    name = listed["choices"][0][0]
    assert name.endswith("… (2)") and len(name) <= convs.MAX_TITLE and listed["choices"][1][0] == long[: convs.MAX_TITLE].strip()


def test_export_from_the_page_is_named_after_the_conversation_in_the_chat(ctx):
    """«Εξαγωγή» as the page wires it (the chat's session and the kept list): the files are titled and
    named after the conversation open, as the list shows it, numbered or renamed."""
    import docx

    from assistant.web import layout

    demo = layout.build_ui(ctx)
    [wired] = [b for b in demo.fns.values() if b.fn is history.export]
    assert len(wired.inputs) == 2 and isinstance(wired.inputs[1], history.gr.BrowserState)  # the kept list
    question = "Πώς ξεκινάω μια συνεργασία με έναν φορέα ΚΑΛΟ;"
    _, chat, _, _, kept = history.on_load(None)
    for n in range(2):
        if n:
            _, chat, _, _, kept = history.new_conversation(_stored(kept))
        messages, _, chat = _ask(ctx, question, [], chat)
        kept, _ = history.save(_stored(kept), messages, chat)
    files, note = wired.fn(chat, _stored(kept))
    docx_path, md_path = (Path(p) for p in files["value"])
    assert (docx_path.name, md_path.name) == (
        "Πώς-ξεκινάω-μια-συνεργασία-με-έναν-φορέα-ΚΑΛΟ;-(2).docx", "Πώς-ξεκινάω-μια-συνεργασία-με-έναν-φορέα-ΚΑΛΟ;-(2).md"
    )
    assert docx.Document(docx_path).core_properties.title == f"{question} (2)" and note == ""
    kept, *_ = history.rename("Υπόμνημα: Δήμος/ΚΑΛΟ", _stored(kept))
    files, _ = wired.fn(chat, _stored(kept))
    assert Path(files["value"][0]).name == "Υπόμνημα-Δήμος-ΚΑΛΟ.docx"
    assert docx.Document(files["value"][0]).paragraphs[0].text == "Υπόμνημα: Δήμος/ΚΑΛΟ"


def test_delete_asks_in_greek_then_opens_the_next_conversation(ctx):
    _, chat, _, _, kept = history.on_load(None)
    messages, _, chat = _ask(ctx, "Τι δίκτυα υπάρχουν;", [], chat)
    kept, _ = history.save(kept, messages, chat)
    first = chat.conversation
    messages, chat, _, _, kept = history.new_conversation(kept)
    messages, _, chat = _ask(ctx, "Πώς αξιολογούμε <b>ένα</b> δίκτυο;", messages, chat)
    kept, _ = history.save(kept, messages, chat)

    box, text, _, _ = history.ask_delete(kept, busy=False)
    assert box["visible"] is True
    assert text == "Να διαγραφεί οριστικά η συνομιλία «Πώς αξιολογούμε &lt;b&gt;ένα&lt;/b&gt; δίκτυο;»; Η διαγραφή δεν αναιρείται."
    messages, chat, panel, listed, kept, box, note = history.delete(kept, busy=False)
    assert chat.conversation == first and listed["choices"] == [("Τι δίκτυα υπάρχουν;", first)]
    assert "Τι δίκτυα" in messages[0]["content"] and box["visible"] is False and note == "Η συνομιλία διαγράφηκε."
    assert "kalo-src-1" in panel  # its sources are back in the panel
    messages, chat, _panel, listed, kept, *_ = history.delete(kept, busy=False)  # the last one: a new empty entry
    assert messages == [] and listed["choices"] == [(convs.UNTITLED, chat.conversation)] and chat.conversation != first


def test_an_empty_conversation_alone_in_the_list_is_not_offered_for_deletion(ctx):
    """Deleting the only, empty conversation would open a new empty one: nothing would change, so the list
    says there is nothing to delete instead of asking to confirm. With others kept, the empty entry can go."""
    _, chat, _, _, kept = history.on_load(None)
    box, _text, _, note = history.ask_delete(kept, busy=False)
    assert box["visible"] is False
    assert note == "Η συνομιλία είναι κενή: δεν υπάρχει κάτι για διαγραφή."
    messages, _, chat = _ask(ctx, "Τι δίκτυα υπάρχουν;", [], chat)
    kept, _ = history.save(kept, messages, chat)
    messages, chat, _, _, kept = history.new_conversation(kept)  # empty, with one kept beside it
    box, text, _, note = history.ask_delete(kept, busy=False)
    assert box["visible"] is True and "«Νέα συνομιλία»" in text and note == ""


def test_kept_values_from_elsewhere_are_read_safely():
    assert convs.load(None) == convs.empty() and convs.load("x") == convs.empty()
    assert convs.load({"version": 2, "conversations": [{"no": "id"}, 3]}) == convs.empty()
    v1 = {"version": 1, "messages": [{"role": "user", "content": "Ερώτηση &amp; άλλο;"}], "turns": [], "answers": {}}
    lib = convs.load(v1)  # the single conversation the previous version kept becomes the list's entry
    assert [c["title"] for c in lib["conversations"]] == ["Ερώτηση & άλλο;"] and lib["current"]
    long = convs.title_from([{"role": "user", "content": [{"type": "text", "text": "λέξη " * 40}]}])
    assert len(long) == convs.MAX_TITLE and long.endswith("…")
    lib = convs.empty()
    for i in range(convs.MAX_CONVERSATIONS + 5):
        lib = convs.put(lib, f"c{i}", {"messages": [{"role": "user", "content": f"Ε{i}"}]})
    assert len(lib["conversations"]) == convs.MAX_CONVERSATIONS and lib["conversations"][0]["id"] == f"c{i}"


def test_the_browser_key_is_stable_across_restarts_and_can_be_set(make_settings):
    settings = make_settings()
    key = WebContext(settings).browser_secret
    assert len(key) >= 32 and WebContext(settings).browser_secret == key  # a new process, the same key
    path = settings.data_dir / "browser-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = make_settings()
    other.browser_secret = SecretStr("κοινό-κλειδί-όλων")
    assert WebContext(other).browser_secret == "κοινό-κλειδί-όλων"


def test_each_conversation_brings_back_the_audience_it_was_asked_as(ctx):
    """«Απευθύνομαι ως» follows the conversation opened (a switch, a reload); a new one keeps the radio."""
    _, chat, _, _, kept = history.on_load(None)
    assert history.audience_of(chat) == history.gr.skip()  # nothing asked yet: the radio stays as it is
    *_, (messages, _, chat) = handlers.respond(ctx, "Τι δίκτυα υπάρχουν;", "kalo", [], chat)
    kept, _ = history.save(kept, messages, chat)
    municipal = chat.conversation
    _, chat, _, _, kept = history.new_conversation(kept)
    assert history.audience_of(chat) == history.gr.skip()
    *_, (messages, _, chat) = handlers.respond(ctx, "Πώς ξεκινά μια συνεργασία;", "ota", [], chat)
    kept, _ = history.save(_stored(kept), messages, chat)
    _, opened, *_ = history.switch(municipal, _stored(kept), busy=False)
    assert history.audience_of(opened)["value"] == "kalo"
    _, reloaded, *_ = history.on_load(_stored(history.convs.select(kept, chat.conversation)))
    assert history.audience_of(reloaded)["value"] == "ota"


def test_an_answer_is_kept_in_the_update_that_completes_it(ctx):
    """The update that shows the complete answer (busy off) also keeps it in the browser: kept by a later
    event, a click on «Νέα συνομιλία» in between wrote back the conversation without its answer, and a
    switch back found no sources. No rename meanwhile: the answer, kept at its end, would undo it."""
    from assistant.web import layout

    demo = layout.build_ui(ctx)
    (answer,) = {b.fn for b in demo.fns.values() if getattr(b.fn, "__name__", "") == "answer"}
    _, chat, _, _, kept = history.on_load(None)
    started = handlers.start("Τι δίκτυα υπάρχουν;", False, [])
    kept, _ = history.save(kept, started[-1], chat)  # as the question is sent: no answer yet
    steps = list(answer("Τι δίκτυα υπάρχουν;", "kalo", started[-1], chat, _stored(kept)))
    *_, busy, _send, _stop, _note, kept_out, listed = steps[-1]
    assert busy is False and listed["value"] == kept_out["current"]
    record = convs.find(kept_out, kept_out["current"])
    assert record["answers"] and "**Πηγές:**" in record["messages"][-1]["content"]
    assert all(step[-2] == history.gr.skip() for step in steps[:-1])  # only the complete answer is kept
    *_, note = history.rename("Δίκτυα", _stored(kept_out), busy=True)
    assert note == history.WAIT
    renamed, *_ = history.rename("Δίκτυα", _stored(kept_out), busy=False)
    assert convs.find(renamed, renamed["current"])["title"] == "Δίκτυα"
