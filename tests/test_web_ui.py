"""The web app's handlers and rendering, without a server: escaping, sources panel, streaming chat,
errors, ratings, the guides tab through the facade, and the guide library's upload checks."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
from pydantic import SecretStr
from support import answers

from assistant.core.errors import IndexMissingError, LLMError
from assistant.core.types import Answer, Source, Turn
from assistant.feedback import FeedbackStore
from assistant.library import GuideLibrary, resolve_in, safe_filename
from assistant.web import admin, handlers, layout, render
from assistant.web.app import guide_response
from assistant.web.context import WebContext
from assistant.web.handlers import ChatSession
from assistant.web.render import guide_url, viewer_url

PASSAGE = (
    "Εισαγωγή στο θέμα. Τα τυπικά δίκτυα διαθέτουν γραπτούς κανόνες λειτουργίας. "
    "Κάποιος έγραψε <script>alert(1)</script> εδώ. Τέλος ενότητας."
)


def _source(n: int, cited: bool = True, **kw) -> Source:
    excerpt = "Τα τυπικά δίκτυα διαθέτουν γραπτούς κανόνες λειτουργίας." if cited else ""
    title, section = "Δικτύωση <b>φορέων</b>", "5. Τύποι δικτύων > 5.1 Άτυπα και τυπικά"
    return answers.source(n, cited, text=PASSAGE, excerpt=excerpt, guide_title=title, section=section, **kw)


def _answer(**kw) -> Answer:
    sources = [_source(1), _source(2, cited=False), _source(3, page_start=9, page_end=10)]
    text = "Τα τυπικά δίκτυα έχουν κανόνες [1]. Δείτε <script>x()</script> [3]."
    return answers.answer(**({"text": text, "sources": sources} | kw))


class FakeAssistant:
    """Streams scripted pieces, then an Answer; records what it was asked."""

    def __init__(self, answer: Answer | None = None, error: Exception | None = None) -> None:
        self.answer = answer or _answer()
        self.error = error
        self.calls: list[tuple] = []

    def stream(self, question, audience=None, history=None):
        self.calls.append((question, audience, list(history or [])))
        if self.error:
            raise self.error
        yield "Τα τυπικά δίκτυα "
        yield "έχουν κανόνες [1]."
        yield self.answer.model_copy(update={"question": question})

    def snapshot(self) -> dict:
        return {"answerer": "extractive"}

    def guides(self) -> list:  # the guides tab lists them for every user
        return []


# -- rendering --------------------------------------------------------------------------------------------------
def test_chat_text_escapes_html_but_keeps_markdown_and_citations():
    out = render.chat_text("**Βήμα 1** <script>alert(1)</script> <img src=x onerror=y> [2]")
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "**Βήμα 1**" in out and "[2]" in out


def test_citations_link_to_their_source_cards_and_text_stays_escaped():
    shown = render.answer_text("Κανόνες [1] και <b>x</b> [12].")
    assert shown == "Κανόνες [[1]](#kalo-src-1) και &lt;b&gt;x&lt;/b&gt; [[12]](#kalo-src-12)."


def test_sources_panel_lists_exactly_the_cited_sources():
    answer = _answer()
    html = render.sources_panel(answer)
    cited_in_text = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    shown = {int(n) for n in re.findall(r'id="kalo-src-(\d+)"', html)}
    assert shown == cited_in_text == {1, 3}
    assert "σελ. 9–10" in html and "σελ. 7" in html
    assert "5. Τύποι δικτύων › 5.1 Άτυπα και τυπικά" in html
    assert 'href="guides/diktyosi-foreon-kalo.pdf#page=9"' in html
    assert "<mark>Τα τυπικά δίκτυα διαθέτουν γραπτούς κανόνες λειτουργίας.</mark>" in html


def test_everything_from_documents_is_escaped_in_the_panel():
    html = render.sources_panel(_answer())
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>φορέων</b>" not in html and "Δικτύωση &lt;b&gt;φορέων&lt;/b&gt;" in html


def test_highlight_marks_each_excerpt_sentence_and_trims_long_passages():
    text = "Α " * 400 + "Πρώτη πρόταση εδώ. Ενδιάμεσο. Δεύτερη πρόταση εκεί." + " Ω" * 400
    out = render.highlight(text, "Πρώτη πρόταση εδώ. … Δεύτερη πρόταση εκεί.")
    assert out.count("<mark>") == 2
    assert out.startswith("… ") and out.endswith(" …")
    assert len(out) < len(text)
    # an excerpt not found verbatim is still shown, highlighted, before the passage
    assert render.highlight("κείμενο", "άλλο").startswith("<mark>άλλο</mark>")


def test_not_found_shows_the_nearest_sections():
    answer = Answer(
        question="Μουσακάς;", text="Δεν βρήκα απάντηση στους οδηγούς.", found=False, suggestions=[_source(1)]
    )
    message = render.answer_message(answer)
    assert message.startswith("Δεν βρήκα απάντηση στους οδηγούς.")
    assert "Πλησιέστερες ενότητες" in message and "σελ. 7" in message
    assert "](#kalo-src-1), σελ. 7" in message  # a link to its card in «Πηγές»
    assert "δεξιά" not in message  # on a phone «Πηγές» is below the chat, not to the right
    panel = render.sources_panel(answer)
    assert "Δεν βρέθηκε απάντηση" in panel and 'id="kalo-src-1"' in panel and "<mark>" not in panel
    assert "διατυπώσετε την ερώτηση διαφορετικά" in message
    # a refusal for what the guides lack: rephrasing cannot help, so it is not suggested
    lacking = answer.model_copy(update={"not_covered": ["χρηματικά ποσά"]})
    assert "διαφορετικά" not in render.answer_message(lacking)


def test_the_pdf_viewer_url_carries_the_page_range_and_the_excerpt():
    url = viewer_url("οδηγός 1.pdf", 3, 4, "Η αίτηση υποβάλλεται & ελέγχεται.")
    assert url.startswith("viewer/#")
    params = parse_qs(url.split("#", 1)[1])
    assert params == {
        "file": ["guides/οδηγός 1.pdf"], "page": ["3"], "end": ["4"], "q": ["Η αίτηση υποβάλλεται & ελέγχεται."]
    }
    assert parse_qs(viewer_url("a.pdf", None).split("#", 1)[1]) == {"file": ["guides/a.pdf"], "page": ["1"], "end": ["1"]}


def test_guide_urls_are_relative_and_quoted():
    assert guide_url("οδηγός 1.pdf", 3) == "guides/%CE%BF%CE%B4%CE%B7%CE%B3%CF%8C%CF%82%201.pdf#page=3"
    assert guide_url("notes.md", 3) == "guides/notes.md"


# -- chat handlers ----------------------------------------------------------------------------------------------
@pytest.fixture
def ctx(make_settings):
    return WebContext(make_settings(), assistant=FakeAssistant())


def test_respond_streams_then_shows_the_verified_answer_and_its_sources(ctx):
    events = list(handlers.respond(ctx, "  Τι δίκτυα   υπάρχουν; ", "kalo", [], ChatSession()))
    messages, panel, session = events[-1]
    assert messages[0] == {"role": "user", "content": "Τι δίκτυα υπάρχουν;"}
    # the guide named once, then each citation with its pages
    assert messages[-1]["content"] == render.answer_text(_answer().text) + (
        "\n\n**Πηγές:** Δικτύωση &lt;b&gt;φορέων&lt;/b&gt;: [[1]](#kalo-src-1) σελ. 7 · [[3]](#kalo-src-3) σελ. 9–10"
    )
    assert 'id="kalo-src-1"' in panel and 'id="kalo-src-3"' in panel and 'id="kalo-src-2"' not in panel
    # streamed pieces were shown before the final answer
    assert any(e[0][-1]["content"] == "Τα τυπικά δίκτυα " for e in events[:-1])
    assert ctx.assistant.calls == [("Τι δίκτυα υπάρχουν;", "kalo", [])]
    assert session.turns[-1] == Turn(role="assistant", content=_answer().text)


def test_follow_ups_send_the_history_and_no_audience_means_none(ctx):
    session = ChatSession()
    messages: list = []
    for q in ("Πρώτη ερώτηση;", "Και μετά;"):
        *_, (messages, _, session) = handlers.respond(ctx, q, None, messages, session)
    assert ctx.assistant.calls[1][1] is None
    assert [t.role for t in ctx.assistant.calls[1][2]] == ["user", "assistant"]
    assert ctx.assistant.calls[1][2][0] == Turn(role="user", content="Πρώτη ερώτηση;")


def test_the_final_answer_and_send_come_back_in_one_update(ctx):
    """The chat's answering event, as Gradio runs it: «Αναζήτηση…» shows at once, and the step that shows
    the complete answer is the one that turns busy off — a question typed the moment it shows is taken."""
    demo = layout.build_ui(ctx)
    (answer,) = {b.fn for b in demo.fns.values() if getattr(b.fn, "__name__", "") == "answer"}  # typed, example
    steps = list(answer("Τι δίκτυα υπάρχουν;", "kalo", [], ChatSession(), None))
    messages, panel, *_ = steps[0]
    assert "Αναζήτηση στους οδηγούς" in panel and messages[-1]["content"] == handlers.PLACEHOLDER
    busy = [step[4] for step in steps]
    assert busy[-1] is False and all(b is not False for b in busy[:-1])
    final_messages, final_panel, *_ = steps[-1]
    assert "**Πηγές:**" in final_messages[-1]["content"] and 'id="kalo-src-1"' in final_panel
    assert any(step[0][-1]["content"] == "Τα τυπικά δίκτυα " for step in steps[1:-1])  # still streamed


def test_an_empty_question_does_nothing(ctx):
    [(messages, _, _)] = list(handlers.respond(ctx, "   ", None, [], ChatSession()))
    assert messages == [] and ctx.assistant.calls == []


@pytest.mark.parametrize("error", [IndexMissingError("/x"), LLMError("timeout", "Ο διακομιστής δεν απαντά.")])
def test_errors_are_shown_in_greek_in_the_chat(make_settings, error):
    ctx = WebContext(make_settings(), assistant=FakeAssistant(error=error))
    *_, (messages, panel, session) = handlers.respond(ctx, "Ερώτηση;", None, [], ChatSession())
    assert error.el.split("(")[0].strip() in messages[-1]["content"]
    assert "Δεν ήταν δυνατή η απάντηση" in messages[-1]["content"]
    assert session.answers == {}  # nothing to rate
    assert "Δεν υπάρχουν πηγές" in panel


def test_unexpected_errors_do_not_leak_details(make_settings):
    ctx = WebContext(make_settings(), assistant=FakeAssistant(error=RuntimeError("/secret/path")))
    *_, (messages, _, _) = handlers.respond(ctx, "Ερώτηση;", None, [], ChatSession())
    assert "/secret/path" not in messages[-1]["content"] and "απρόσμενο σφάλμα" in messages[-1]["content"]


def test_a_question_sent_while_answering_waits_in_the_box():
    earlier = [{"role": "user", "content": "Πριν;"}, {"role": "assistant", "content": "Απάντηση."}]
    box, pending, busy, send, stop, _, _, _, chat = handlers.start("  Πρώτη   <ερώτηση>; ", False, earlier)
    assert (box, pending, busy) == ("", "Πρώτη <ερώτηση>;", True)
    assert send["visible"] is False and stop["visible"] is True
    # shown at once, escaped, with the answer's placeholder; the answering event starts from before the pair
    assert chat == [*earlier, {"role": "user", "content": "Πρώτη &lt;ερώτηση&gt;;"}, {"role": "assistant", "content": "…"}]
    assert handlers.before_placeholder(chat) == earlier and handlers.before_placeholder(earlier) == earlier
    # the box keeps it, the pending question is untouched, and the note under the box says why
    *refused, note, shown = handlers.start("Δεύτερη;", True, chat)
    assert all(out == handlers.gr.skip() for out in [*refused, shown])
    assert handlers.WAIT_TO_SEND in note and 'role="status"' in note
    assert all(out == handlers.gr.skip() for out in handlers.start("   ", False))


def test_stopping_keeps_what_was_shown_and_restores_send():
    shown = [{"role": "user", "content": "Ε;"}, {"role": "assistant", "content": [{"type": "text", "text": "Μισή"}]}]
    messages, panel, busy, send, stop = handlers.stop_answer(shown)
    assert messages[-1]["content"] == "Μισή\n\n" + handlers.STOPPED
    assert busy is False and send["visible"] is True and stop["visible"] is False
    assert "διακόπηκε" in panel
    messages, *_ = handlers.stop_answer([{"role": "user", "content": "Ε;"}, {"role": "assistant", "content": "…"}])
    assert messages[-1]["content"] == handlers.STOPPED


def test_export_gives_docx_and_markdown_with_the_cited_sources(ctx, tmp_path):
    import docx

    *_, (_, _, session) = handlers.respond(ctx, "Τι δίκτυα υπάρχουν;", None, [], ChatSession())
    files, _ = handlers.export_conversation(session, tmp_path)
    docx_path, md_path = files["value"]
    md = open(md_path, encoding="utf-8").read()
    assert "## 1. Τι δίκτυα υπάρχουν;" in md and "**Πηγές**" in md
    assert "[1] Δικτύωση <b>φορέων</b> — 5. Τύποι δικτύων › 5.1 Άτυπα και τυπικά" in md  # a file, not HTML
    assert "[2]" not in md.split("**Πηγές**")[1]  # only the cited ones
    text = "\n".join(p.text for p in docx.Document(docx_path).paragraphs)
    assert "Τι δίκτυα υπάρχουν;" in text and "[3] Δικτύωση <b>φορέων</b>" in text and "σελ. 9–10" in text
    files, note = handlers.export_conversation(ChatSession(), tmp_path)
    assert files["visible"] is False and "Δεν υπάρχει" in note


def test_export_is_titled_and_named_after_the_conversation(ctx, tmp_path):
    import docx

    *_, (_, _, session) = handlers.respond(ctx, "Τι δίκτυα υπάρχουν;", None, [], ChatSession())
    name = "Δίκτυα: Δήμος / ΚΑΛΟ — «σχέδιο» (2)"
    files, _ = handlers.export_conversation(session, tmp_path, title=name)
    docx_path, md_path = files["value"]
    assert [Path(p).name for p in files["value"]] == ["Δίκτυα-Δήμος-ΚΑΛΟ-—-«σχέδιο»-(2).docx", "Δίκτυα-Δήμος-ΚΑΛΟ-—-«σχέδιο»-(2).md"]
    memo = docx.Document(docx_path)
    assert memo.core_properties.title == name and memo.paragraphs[0].text == name
    assert handlers.export.TITLE in memo.paragraphs[1].text  # still says where it came from
    md = open(md_path, encoding="utf-8").read().splitlines()
    assert md[0] == f"# {name}" and handlers.export.TITLE in md[2]
    files, _ = handlers.export_conversation(session, tmp_path, title="  ")
    assert Path(files["value"][0]).name.startswith("synomilia-")  # no name: the generic one
    assert docx.Document(files["value"][0]).core_properties.title == handlers.export.TITLE


def test_export_file_names_are_safe_on_every_system():
    stem = handlers.export.file_stem
    assert stem("Πώς ξεκινάω μια συνεργασία;", "x") == "Πώς-ξεκινάω-μια-συνεργασία"
    assert stem('α/β\\γ:δ*ε?ζ"η<θ>ι|κ', "x") == "α-β-γ-δ-ε-ζ-η-θ-ι-κ"
    assert stem("Ευχαριστώ! $HOME `ls` {x}", "x") == "Ευχαριστώ-HOME-ls-x"  # what Gradio would strip anyway
    assert stem("α\x00β\x1fγ\u202eδ\tε", "x") == "α-β-γ-δ-ε"  # control and bidi characters
    assert stem("..κρυφό.", "x") == "κρυφό" and stem("Πολύ μεγάλη ερώτηση…", "x") == "Πολύ-μεγάλη-ερώτηση"
    assert stem("Α - Β", "x") == "Α-Β" and stem("", "synomilia") == "synomilia" and stem("?/*", "s") == "s"
    assert stem("ε\u0301να", "x") == "ένα"  # one form of «έ», whichever the browser sent
    long = stem("λέξη " * 40, "x")
    assert len(long) <= handlers.export.MAX_NAME and long.endswith("λέξη")


def test_a_kept_conversation_comes_back_after_a_reload(ctx):
    import json

    messages, _, session = list(handlers.respond(ctx, "Τι δίκτυα υπάρχουν;", "kalo", [], ChatSession()))[-1]
    kept = json.loads(json.dumps(handlers.saved(messages, session)))  # as localStorage holds it
    back, restored, panel = handlers.restore(kept)
    assert back == messages and restored.turns == session.turns
    assert restored.answers[1].answer.cited_sources == session.answers[1].answer.cited_sources
    assert 'id="kalo-src-3"' in panel
    assert all(out == handlers.gr.skip() for out in handlers.restore(None))
    assert all(out == handlers.gr.skip() for out in handlers.restore({"version": 1, "messages": [1], "turns": [{}]}))


def test_rating_stores_feedback_and_a_comment_updates_it(ctx):
    *_, (messages, _, session) = handlers.respond(ctx, "Τι δίκτυα υπάρχουν;", "municipal", [], ChatSession())
    index = len(messages) - 1
    session, box, note, comment = handlers.rate(ctx, session, SimpleNamespace(index=index, liked=False))
    assert box["visible"] is True and "Ευχαριστούμε" in note
    assert comment["placeholder"] == handlers.COMMENT_ASKS["down"]  # «τι έλειπε…» after 👎 only
    _, note = handlers.send_comment(ctx, "Λείπουν τα κλαδικά δίκτυα", session)
    assert "καταχωρίστηκε" in note
    session, _, _, comment = handlers.rate(ctx, session, SimpleNamespace(index=index, liked=True))  # changed mind
    assert "βοήθησε" in comment["placeholder"] and "λάθος" not in comment["placeholder"]

    [row] = list(FeedbackStore.for_settings(ctx.settings).rows())
    assert row["rating"] == "up" and row["comment"] == "Λείπουν τα κλαδικά δίκτυα"
    assert row["question"] == "Τι δίκτυα υπάρχουν;" and row["audience"] == "municipal"
    assert [s["n"] for s in row["sources"]] == [1, 3]


def test_a_rating_is_kept_with_the_conversation_and_shown_again(ctx):
    """The rating goes with the kept conversation and comes back as the chat's `feedback_value` (one entry
    per answer); the same rating again (a page that showed it blank) writes no second record, the chosen
    icon clicked again withdraws it."""
    import json

    *_, (messages, _, session) = handlers.respond(ctx, "Τι δίκτυα υπάρχουν;", None, [], ChatSession())
    *_, (messages, _, session) = handlers.respond(ctx, "Και τα άτυπα;", None, messages, session)
    assert handlers.feedback_values(messages, session) == [None, None]
    writes: list[tuple] = []
    store = ctx.feedback
    ctx.feedback = SimpleNamespace(
        add=lambda *a, **k: writes.append(("add", a[1])) or store.add(*a, **k),
        update=lambda *a, **k: writes.append(("update", k)) or store.update(*a, **k),
        delete=lambda *a: writes.append(("delete",)) or store.delete(*a),
    )
    handlers.rate(ctx, session, SimpleNamespace(index=1, liked=False))
    handlers.rate(ctx, session, SimpleNamespace(index=1, liked=False))
    assert writes == [("add", "down")]
    handlers.rate(ctx, session, SimpleNamespace(index=3, liked=True))

    kept = json.loads(json.dumps(handlers.saved(messages, session)))  # as localStorage holds it
    back, restored, _ = handlers.restore(kept)
    assert handlers.feedback_values(back, restored) == ["Dislike", "Like"]
    shown = handlers.rated_chat(back, restored)
    assert shown["value"] == messages and shown["feedback_value"] == ["Dislike", "Like"]
    assert handlers.rated_chat(handlers.gr.skip(), handlers.gr.skip()) == handlers.gr.skip()
    handlers.rate(ctx, restored, SimpleNamespace(index=1, liked=False))  # the reloaded page shows it chosen
    handlers.rate(ctx, restored, SimpleNamespace(index=1, liked=True))
    assert writes[-1] == ("update", {"rating": "up"}) and len(writes) == 3
    handlers.rate(ctx, restored, SimpleNamespace(index=1, liked=""))  # 👍 clicked again: withdrawn
    assert handlers.feedback_values(back, restored) == [None, "Like"]
    assert [r["rating"] for r in store.rows()] == ["up"]


def test_rating_a_message_that_is_not_an_answer_stores_nothing(ctx):
    _, box, _, _ = handlers.rate(ctx, ChatSession(), SimpleNamespace(index=0, liked=False))
    assert box["visible"] is False
    assert list(FeedbackStore.for_settings(ctx.settings).rows()) == []


def test_guides_tab_handlers_refuse_without_login(ctx):
    import gradio as gr

    with pytest.raises(gr.Error):
        admin.reindex_guides(ctx, False, progress=lambda *a, **k: None)
    assert admin.admin_login(ctx, "anything")[0] is False  # no admin password configured


def test_admin_login_checks_the_password(fast_settings):
    ctx = WebContext(fast_settings(admin_password="σωστός"))
    assert admin.admin_login(ctx, "λάθος")[0] is False
    assert admin.admin_login(ctx, "σωστός")[0] is True


def test_gradio_progress_adapter_reports_fractions():
    calls = []
    progress = admin.GradioProgress(lambda fraction, desc="": calls.append((round(fraction, 2), desc)))
    progress.start(2)
    progress.file("a.md", 4)
    progress.embedded(2)
    progress.done(SimpleNamespace(status="added"))
    progress.file("b.md", 0)
    progress.done(SimpleNamespace(status="unchanged"))
    assert [c[0] for c in calls] == [0.0, 0.0, 0.25, 0.5, 0.5, 1.0]
    assert calls[2][1] == "Ευρετηρίαση: a.md (2/4 τμήματα)"


def test_gradio_progress_counts_sentence_vectors_as_sentences():
    """After the files, the sentence vectors are embedded (ingest/sidecars.py): counted as sentences."""
    from ingest.sidecars import SENTENCES_LABEL

    calls = []
    progress = admin.GradioProgress(lambda fraction, desc="": calls.append((round(fraction, 2), desc)))
    progress.start(1)
    progress.done(SimpleNamespace(status="added"))
    progress.file(SENTENCES_LABEL, 800)
    progress.embedded(64)
    assert calls[-1] == (1.0, f"Ευρετηρίαση: {SENTENCES_LABEL} (64/800 προτάσεις)")


def test_the_ui_builds(ctx):
    demo = layout.build_ui(ctx)
    labels = {getattr(b, "label", None) for b in demo.blocks.values()}
    assert {"Συνομιλία", "Οδηγοί", "Απευθύνομαι ως (προαιρετικό)"} <= labels


# -- guide library -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Οδηγός Συνεργασίας 2024.PDF", "Οδηγός-Συνεργασίας-2024.pdf"),
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\win.ini.txt", "win.ini.txt"),
        (".hidden.md", "hidden.md"),
        ("~$lock.docx", "lock.docx"),
        ("a<b>|c?.html", "a-b-c.html"),
        ("...", "odigos"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_upload_checks(make_settings, tmp_path):
    settings = make_settings(max_upload_mb=0.001)
    (settings.corpus_dir / "existing.md").write_text("# Υπάρχων\n\nΚείμενο του υπάρχοντος οδηγού.", encoding="utf-8")
    lib = GuideLibrary(settings)

    def upload(name: str, data: bytes, overwrite: bool = False):
        path = tmp_path / "upload.bin"
        path.write_bytes(data)
        return lib.check_upload(name, path, overwrite)

    assert "Μη υποστηριζόμενος τύπος" in upload("virus.exe", b"MZ").message_el
    assert "πολύ μεγάλο" in upload("big.md", "α".encode() * 2000).message_el
    assert "κενό" in upload("empty.md", b"").message_el
    assert "δεν είναι έγκυρο PDF" in upload("fake.pdf", b"<html>not a pdf</html>").message_el
    same = "# Υπάρχων\n\nΚείμενο του υπάρχοντος οδηγού.".encode()
    assert "υπάρχει ήδη ως «existing.md»" in upload("copy.md", same).message_el
    taken = upload("existing.md", b"# Other\n\nNew text here.")
    assert not taken.ok and "Υπάρχει ήδη οδηγός" in taken.message_el
    assert upload("existing.md", b"# Other\n\nNew text here.", overwrite=True).ok
    good = upload("Νέος οδηγός.md", "# Νέος\n\nΚείμενο.".encode())
    assert good.ok and good.saved_as == "Νέος-οδηγός.md"


def test_corpus_files_are_served_only_from_the_corpus(make_settings):
    settings = make_settings()
    (settings.corpus_dir / "notes.md").write_text("# Σημειώσεις\n\n<script>alert(1)</script>", encoding="utf-8")
    (settings.corpus_dir / "page.html").write_text("<p>σελίδα</p><script>alert(1)</script>", encoding="utf-8")
    (settings.corpus_dir / ".secret.md").write_text("no", encoding="utf-8")
    (settings.data_dir).mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "feedback.sqlite3").write_text("db", encoding="utf-8")

    assert resolve_in(settings.corpus_dir, "../data/feedback.sqlite3") is None
    assert resolve_in(settings.corpus_dir, "/etc/passwd") is None
    assert resolve_in(settings.corpus_dir, ".secret.md") is None
    assert guide_response(GuideLibrary(settings).path("../data/feedback.sqlite3")).status_code == 404

    md = guide_response(resolve_in(settings.corpus_dir, "notes.md"))
    assert md.media_type.startswith("text/html") and md.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in md.headers["content-security-policy"]  # a readable page, never running the guide's markup
    assert "<h1>Σημειώσεις</h1>" in md.body.decode() and "&lt;script&gt;alert(1)&lt;/script&gt;" in md.body.decode()
    assert "<script>" not in md.body.decode()
    page = guide_response(resolve_in(settings.corpus_dir, "page.html"))
    assert "sandbox" in page.headers["content-security-policy"]
    (settings.corpus_dir / "legacy.txt").write_bytes("Οδηγός σε παλιά κωδικοποίηση".encode("cp1253"))
    legacy = guide_response(resolve_in(settings.corpus_dir, "legacy.txt"))
    # decoded as ingestion decodes it, shown as a readable page (lines kept, escaped, sandboxed)
    assert "<pre>Οδηγός σε παλιά κωδικοποίηση</pre>" in legacy.body.decode("utf-8")
    assert "sandbox" in legacy.headers["content-security-policy"]


# -- the guides tab through the facade (fake-hash embeddings: milliseconds) ----------------------------------
def test_guides_tab_uploads_removes_and_reindexes(synthetic_corpus, tmp_path):
    ctx = WebContext(synthetic_corpus.model_copy(update={"admin_password": SecretStr("σωστός")}))
    ctx.assistant.ingest()
    signed_in, *_, table, choice, _ = admin.admin_login(ctx, "σωστός")
    assert signed_in is True and table.count("<tr>") == 1 + 3  # header row and three guides
    assert choice["choices"] == ["energeiakes-koinotites.md", "ethelontika-diktya.txt", "koinonika-pantopoleia.pdf"]

    upload = tmp_path / "upload.bin"
    upload.write_text("# Οδηγός Αλκυόνη\n\n## Χρηματοδότηση\n\nΤο πρόγραμμα Αλκυόνη δίνει 777 ευρώ.", encoding="utf-8")
    calls = []
    file = SimpleNamespace(name=str(upload), orig_name="Αλκυόνη οδηγός.md")
    result, table, choice, files = admin.upload_guides(
        ctx, [file], False, True, progress=lambda *a, **k: calls.append(a)
    )
    assert "Αλκυόνη-οδηγός.md" in result and "Προστέθηκε" in result and files is None
    assert "Οδηγός Αλκυόνη" in table and "Αλκυόνη-οδηγός.md" in choice["choices"]
    assert calls and calls[-1][0] == 1.0  # the progress bar ends full
    assert "777" in ctx.assistant.ask("Πόσα ευρώ δίνει το πρόγραμμα Αλκυόνη;").text  # answered at once

    again, *_ = admin.upload_guides(ctx, [file], False, True, progress=lambda *a, **k: None)
    assert "Κανένα αρχείο δεν προστέθηκε" in again and "Υπάρχει ήδη οδηγός" in again

    refused, *_ = admin.remove_guide(ctx, "Αλκυόνη-οδηγός.md", False, True, progress=lambda *a, **k: None)
    assert "Επιβεβαιώστε" in refused
    result, table, choice, confirm = admin.remove_guide(
        ctx, "Αλκυόνη-οδηγός.md", True, True, progress=lambda *a, **k: None
    )
    assert "Αφαιρέθηκε" in result and "Αλκυόνη" not in table and confirm is False
    missing, *_ = admin.remove_guide(ctx, "nope.md", True, True, progress=lambda *a, **k: None)
    assert "Δεν υπάρχει οδηγός «nope.md»" in missing

    result, *_ = admin.reindex_guides(ctx, True, progress=lambda *a, **k: None)
    assert "Επανευρετηρίαση" in result and "3 οδηγοί χωρίς αλλαγές" in result


def test_guides_table_without_an_index_says_so(fast_settings):
    assert "ευρετήριο" in admin.guides_html(WebContext(fast_settings()))


# -- reported by a new user: clock, plurals, empty password, refused uploads --------------------------------
@pytest.fixture
def server_clock_elsewhere(monkeypatch):
    """The server's own clock in another zone than Greece, so a server-clock stamp cannot pass for Greek time."""
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_export_stamps_use_the_guides_table_s_greek_clock(ctx, tmp_path, server_clock_elsewhere):
    import io
    from datetime import UTC, datetime

    import docx

    *_, (_, _, session) = handlers.respond(ctx, "Τι δίκτυα υπάρχουν;", None, [], ChatSession())
    before = datetime.now(UTC)
    files, _ = handlers.export_conversation(session, tmp_path)
    md_alone = handlers.export.conversation_markdown([session.answers[1].answer])
    docx_alone = handlers.export.conversation_docx([session.answers[1].answer])
    after = datetime.now(UTC)
    # the times the «Οδηγοί» table would show for an indexing done at this moment
    shown = {render.local_time(t.isoformat()) for t in (before, after)}
    stems = {f"synomilia-{datetime.strptime(s, '%d/%m/%Y %H:%M'):%Y%m%d-%H%M}" for s in shown}
    docx_path, md_path = files["value"]
    assert {p.rsplit("/", 1)[-1].rsplit(".", 1)[0] for p in (docx_path, md_path)} <= stems
    md_header = open(md_path, encoding="utf-8").read().splitlines()[2]
    assert any(md_header.startswith(f"_{s}_") for s in shown)
    assert any(md_alone.splitlines()[2].startswith(f"_{s}_") for s in shown)
    docx_header = docx.Document(io.BytesIO(docx_alone)).paragraphs[1].text
    assert any(docx_header.startswith(s) for s in shown)


def test_counts_agree_in_number_with_their_nouns():
    from ingest.pipeline import FileReport, IngestReport
    from ingest.status import GuideInfo

    one = GuideInfo(guide_id="g", title="Οδηγός", source="a.md", pages=1, chunks=1, ingested_at="")
    assert "1 οδηγός · 1 σελίδα · 1 τμήμα κειμένου" in render.guides_table([one])
    two = one.model_copy(update={"guide_id": "h", "source": "b.md"})
    assert "2 οδηγοί · 2 σελίδες · 2 τμήματα κειμένου" in render.guides_table([one, two])
    report = IngestReport(files=[FileReport("a.md", "added", 1, 1), FileReport("b.md", "added", 3, 2)], seconds=1.0)
    html = render.report_html(report)
    assert "(1 σελ., 1 τμήμα)" in html and "(3 σελ., 2 τμήματα)" in html
    assert render.count_of(1, "αρχείο", "αρχεία") == "1 αρχείο" and render.count_of(0, "αρχείο", "αρχεία") == "0 αρχεία"


def test_an_empty_password_asks_for_one_and_is_not_a_failed_attempt(synthetic_settings, synthetic_assistant):
    settings = synthetic_settings.model_copy(update={"admin_password": SecretStr("σωστός")})
    ctx = WebContext(settings, assistant=synthetic_assistant)
    for empty in ["", "   ", None]:
        signed_in, *_, message, _, _, _ = admin.admin_login(ctx, empty)
        assert signed_in is False and "Πληκτρολογήστε τον κωδικό διαχειριστή." in message
        assert "Λάθος" not in message
    for _ in range(settings.admin_free_failures + 3):
        admin.admin_login(ctx, " ")
    assert admin.admin_throttle(ctx).retry_after(admin.UI_CLIENT) == 0  # no back-off earned by empty clicks
    assert admin.admin_login(ctx, "σωστός")[0] is True


def test_adding_with_no_accepted_file_says_so_truthfully():
    # Gradio refuses an .exe in the browser (its toast) and the file box stays empty: the button then
    # sends nothing, and the result must not read as if the refused file was never chosen.
    for nothing in [None, []]:
        result, *_ = admin.upload_guides(SimpleNamespace(), nothing, False, True, progress=lambda *a, **k: None)
        assert "Δεν έχει επιλεγεί κανένα αποδεκτό αρχείο (PDF, DOCX, Markdown, TXT ή HTML)." in result
        assert "Επιλέξτε πρώτα" not in result


def test_the_sign_in_back_off_counts_its_seconds_in_greek():
    from assistant.web.security import wait_detail

    assert wait_detail(0.4).endswith("σε 1 δευτερόλεπτο.")
    assert wait_detail(30).endswith("σε 30 δευτερόλεπτα.")


def test_a_question_too_long_stays_in_the_box_which_says_why():
    """A pasted document is not sent (it would take seconds and e5 reads only its start): the text stays
    in the box to be shortened and a note under it says why, in Greek; the chat is left as it was (a
    notice there would be an answer to rate, with no question above it)."""
    from assistant.core.types import MAX_QUESTION_CHARS

    earlier = [{"role": "user", "content": "Πριν;"}, {"role": "assistant", "content": "Απάντηση."}]
    pasted = "Η κοινωνική υπηρεσία ρωτά για τη συνεργασία. " * (MAX_QUESTION_CHARS // 40)
    *controls, note, chat = handlers.start(pasted, False, earlier)
    assert all(out == handlers.gr.skip() for out in controls)  # not pending, and the box keeps it
    assert chat == handlers.gr.skip()
    assert "πολύ μεγάλη" in note and "όριο 2.000" in note and 'role="alert"' in note
    _box, pending, *_, note, chat = handlers.start(pasted[:MAX_QUESTION_CHARS], False, earlier)
    assert pending and note == "" and chat[:2] == earlier  # at the limit it goes, and the note clears


def test_the_guides_tab_lists_the_guides_to_every_user(synthetic_settings, synthetic_assistant):
    """With guide management disabled (no admin password), the tab still says which guides the answers
    come from, each with a link to open it — read at each page load."""
    ctx = WebContext(synthetic_settings, assistant=synthetic_assistant)
    assert not ctx.admin_enabled
    demo = layout.build_ui(ctx)
    (public,) = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "kalo-guides-public"]
    shown = public.value
    assert public.load_event_to_attach is not None  # read again at each page load
    assert shown.count("<tr>") == 1 + len(synthetic_assistant.guides()) and "Άνοιγμα" in shown
    (disabled,) = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "kalo-admin-disabled"]
    # a user reads who adds guides; the server's settings are folded away for its administrator
    said, folded = disabled.value.split("<details>")
    assert "διαχειριστής" in said and "KALO_" not in said and "KALO_ADMIN_PASSWORD" in folded


def test_the_word_memo_keeps_an_answer_s_lists_as_lists():
    """An answer's «- …» items are Word bullets and its steps keep their own numbers (Word's numbering
    would run on across the answers of one memo), not paragraphs starting with «- »."""
    import io

    import docx

    from assistant.core.types import Answer

    steps = Answer(question="Πώς;", text="Τα βήματα:\n1. Καταγράφουμε. [1]\n2. Συζητάμε. [1]")
    kinds = Answer(question="Ποια;", text="Υπάρχουν:\n- Άτυπα δίκτυα. [1]\n- Τυπικά δίκτυα. [1]\n\nΔείτε επίσης: «5.9».")
    paragraphs = docx.Document(io.BytesIO(handlers.export.conversation_docx([steps, kinds]))).paragraphs
    by_text = {p.text: p.style.name for p in paragraphs}
    assert by_text["Άτυπα δίκτυα. [1]"] == by_text["Τυπικά δίκτυα. [1]"] == "List Bullet"
    assert by_text["1. Καταγράφουμε. [1]"] == by_text["2. Συζητάμε. [1]"] == "List Paragraph"
    assert by_text["Τα βήματα:"] == by_text["Δείτε επίσης: «5.9»."] == "Normal"
    assert not any(p.text.startswith("- ") for p in paragraphs)


def test_the_page_s_own_notes_say_what_the_server_s_say():
    """The page holds a question or a switch while an answer arrives (static/head.html) and says why in
    the words the server uses when it holds them itself."""
    from assistant.web import history
    from assistant.web.render import static_text

    head = static_text("head.html")
    assert handlers.WAIT_TO_SEND in head and history.WAIT in head
    assert f"const KEPT = '{history.STORAGE_KEY}';" in head  # the key whose saves by another tab it watches
