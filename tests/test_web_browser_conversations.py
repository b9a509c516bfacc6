"""The conversation list in a real browser (`kalo serve` and Debian's Chromium, as in test_web_browser.py):
switching, renaming, deleting after a Greek confirmation, «Νέα συνομιλία», across a reload and a restart of
the server. Screenshot: test-artifacts/conversations.png."""

from __future__ import annotations

import sqlite3
import time

import pytest
from support.browser import ANSWERED, ARTIFACTS, DISLIKE, LIKE, ask, chromium, serving, watched_page

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(synthetic_settings, tmp_path_factory):
    with serving(synthetic_settings, tmp_path_factory.mktemp("browser-conversations")) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    with watched_page(browser) as pg:
        yield pg


def _conversations(page) -> list[str]:
    return [t.strip() for t in page.locator("#kalo-conversations label").all_inner_texts()]


def _current(page) -> str:
    return page.locator("#kalo-conversations label:has(input:checked)").inner_text().strip()


def test_conversation_list_switch_rename_delete_across_reload_and_restart(server, page):
    """Conversations are kept in the browser: «Νέα συνομιλία» adds one, the list switches between them, a
    rename sticks, a delete asks first; all of it survives a reload and a restart of the server."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server["url"] + "/")
    page.wait_for_selector("#kalo-question textarea")
    page.wait_for_function("document.querySelectorAll('#kalo-conversations label').length === 1")
    assert _conversations(page) == ["Νέα συνομιλία"]
    first = "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;"
    _, first_panel = ask(page, first)
    page.wait_for_function("q => document.querySelector('#kalo-conversations').innerText.includes(q)", arg=first)

    page.click("#kalo-new")
    page.wait_for_function("() => !document.querySelector('#kalo-chatbot [data-testid=\"bot\"]')")
    page.wait_for_function("document.querySelectorAll('#kalo-conversations label').length === 2")
    assert _current(page) == "Νέα συνομιλία"
    second = "Τι τύποι δικτύων υπάρχουν;"
    ask(page, second)
    page.wait_for_function("q => document.querySelector('#kalo-conversations label').innerText.includes(q)", arg=second)
    assert _conversations(page) == [second, first]  # the latest first

    # switching brings the other conversation back, with its sources
    page.locator("#kalo-conversations label", has_text=first).click()
    page.wait_for_function("q => document.querySelector('#kalo-chatbot').innerText.includes(q)", arg=first)
    page.wait_for_function("() => document.querySelectorAll('#kalo-sources .kalo-src').length > 0")
    assert second not in page.inner_text("#kalo-chatbot")
    assert page.locator("#kalo-sources .kalo-src").count() == first_panel.count('class="kalo-src"')

    page.click("#kalo-rename")
    page.locator("#kalo-rename-text input").wait_for()
    assert page.input_value("#kalo-rename-text input") == first
    page.fill("#kalo-rename-text input", "Παντοπωλεία — για το υπόμνημα")
    page.click("#kalo-rename-save")
    page.wait_for_function(
        "() => document.querySelector('#kalo-conversations').innerText.includes('Παντοπωλεία — για το υπόμνημα')"
    )
    assert _conversations(page) == [second, "Παντοπωλεία — για το υπόμνημα"]
    page.screenshot(path=str(ARTIFACTS / "conversations.png"))

    for again in (page.reload, server["restart"]):  # a reload, then a restart of the server (and a reload)
        again()
        page.goto(server["url"] + "/")
        page.wait_for_function("document.querySelectorAll('#kalo-conversations label').length === 2")
        assert _conversations(page) == [second, "Παντοπωλεία — για το υπόμνημα"]
        assert _current(page) == "Παντοπωλεία — για το υπόμνημα"
        page.wait_for_function("q => document.querySelector('#kalo-chatbot').innerText.includes(q)", arg=first)

    # deleting asks first, in Greek; «Άκυρο» keeps it
    page.click("#kalo-delete")
    note = page.locator("#kalo-confirm-note")
    note.wait_for()
    assert note.inner_text().strip() == (
        "Να διαγραφεί οριστικά η συνομιλία «Παντοπωλεία — για το υπόμνημα»; Η διαγραφή δεν αναιρείται."
    )
    page.click("#kalo-cancel-delete")
    note.wait_for(state="hidden")
    assert len(_conversations(page)) == 2
    page.click("#kalo-delete")
    page.click("#kalo-confirm-delete")
    page.wait_for_function("document.querySelectorAll('#kalo-conversations label').length === 1")
    assert _conversations(page) == [second] and _current(page) == second
    page.wait_for_function("q => document.querySelector('#kalo-chatbot').innerText.includes(q)", arg=second)
    assert first not in page.inner_text("#kalo-chatbot")
    page.reload()
    page.wait_for_function("document.querySelectorAll('#kalo-conversations label').length === 1")
    assert _conversations(page) == [second]


CHOSEN = " (επιλέχθηκε)"  # how static/head.html names Gradio's «Liked»/«Disliked»


def _ratings(root) -> list[tuple[str, str]]:
    db = root / "data" / "feedback.sqlite3"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT question, rating FROM feedback ORDER BY id"))


def _shown_rating(page, question: str) -> list[str]:
    """The chosen 👍/👎 under each answer in the chat, once the chat shows `question`."""
    page.wait_for_function("q => (document.querySelector('#kalo-chatbot')?.innerText || '').includes(q)", arg=question)
    page.wait_for_function(ANSWERED, arg=0)
    return page.locator("#kalo-chatbot .message-buttons button[aria-label$='επιλέχθηκε)']").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('aria-label'))"
    )


def test_a_rating_is_shown_again_after_a_reload_and_a_switch_and_is_recorded_once(server, page):
    """👎 stays chosen after a reload and after switching to another conversation and back (it used to show
    blank, inviting a second rating); 👍 then changes that record, and a reload shows 👍."""
    page.goto(server["url"] + "/")
    question = "Ποιοι κίνδυνοι υπάρχουν σε μια συνεργασία και πώς τους διαχειριζόμαστε;"
    ask(page, question)
    before = _ratings(server["root"])
    page.locator(f"#kalo-chatbot button[aria-label='{DISLIKE}']").last.click()
    page.wait_for_selector("#kalo-feedback-note :text('Ευχαριστούμε')")
    assert _ratings(server["root"]) == [*before, (question, "down")]

    page.reload()
    assert _shown_rating(page, question) == [DISLIKE + CHOSEN]
    page.click("#kalo-new")
    page.wait_for_function("() => !document.querySelector('#kalo-chatbot [data-testid=\"bot\"]')")
    other = "Πώς αξιολογούμε ένα δίκτυο;"
    ask(page, other)
    assert _shown_rating(page, other) == []  # the other conversation's answer is not rated
    page.locator("#kalo-conversations label", has_text=question).click()
    assert _shown_rating(page, question) == [DISLIKE + CHOSEN]
    page.locator("#kalo-conversations label", has_text=other).click()
    assert _shown_rating(page, other) == []

    page.locator("#kalo-conversations label", has_text=question).click()
    _shown_rating(page, question)
    page.locator(f"#kalo-chatbot button[aria-label='{LIKE}']").last.click()  # changed mind: the same record
    page.wait_for_selector("#kalo-feedback-note :text('θετική')")
    assert _ratings(server["root"]) == [*before, (question, "up")]
    page.reload()
    assert _shown_rating(page, question) == [LIKE + CHOSEN]
    assert _ratings(server["root"]) == [*before, (question, "up")]


def test_a_repeated_question_is_numbered_in_the_list_and_the_export_is_named_after_it(server, page):
    """Two conversations that start with the same question are «…» and «… (2)» in the list; «Εξαγωγή» of
    the second downloads a Word file named after it, with that name as its title."""
    import docx

    question = "Τι τύποι δικτύων υπάρχουν;"
    page.goto(server["url"] + "/")
    ask(page, question)
    page.wait_for_function("q => document.querySelector('#kalo-conversations').innerText.includes(q)", arg=question)
    page.click("#kalo-new")
    page.wait_for_function("document.querySelectorAll('#kalo-conversations label').length === 2")
    ask(page, question)
    numbered = f"{question} (2)"
    page.wait_for_function(
        "q => document.querySelector('#kalo-conversations label:has(input:checked)')?.innerText.trim() === q", arg=numbered
    )
    assert _conversations(page) == [numbered, question]
    page.click("#kalo-export")
    link = page.locator("#kalo-export-files a[href*='.docx']").first
    link.wait_for()
    with page.expect_download() as got:
        link.click()
    assert got.value.suggested_filename == "Τι-τύποι-δικτύων-υπάρχουν;-(2).docx"
    memo = docx.Document(got.value.path())
    assert memo.core_properties.title == numbered and memo.paragraphs[0].text == numbered


def test_while_an_answer_is_still_arriving_a_sent_question_and_a_switch_wait(server, page):
    """On a slow connection the server may have finished composing while the answer is still arriving in
    the page («Διακοπή» showing): a question sent then stays in the box, and a click on another
    conversation is refused with the Greek note, so neither the question nor a conversation is lost."""
    page.goto(server["url"] + "/")
    page.wait_for_selector("#kalo-question textarea")
    ask(page, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
    page.wait_for_function("() => document.querySelector('#kalo-conversations').innerText.includes('παντοπωλείο')")
    page.click("#kalo-new")
    page.wait_for_function("document.querySelectorAll('#kalo-conversations label').length === 2")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    # A slow line (150 ms, ~2 KB/s down): the answer takes seconds to arrive after the server is done.
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 150, "downloadThroughput": 2000, "uploadThroughput": 100_000},
    )
    first = "Τι τύποι δικτύων υπάρχουν;"
    page.fill("#kalo-question textarea", first)
    page.keyboard.press("Enter")
    page.locator("#kalo-stop").wait_for(state="visible")
    waiting = "Ποιοι κίνδυνοι υπάρχουν σε μια συνεργασία;"
    page.fill("#kalo-question textarea", waiting)
    page.keyboard.press("Enter")
    page.locator("#kalo-conversations label", has_text="παντοπωλείο").click()
    assert page.locator("#kalo-stop").is_visible(), "the answer arrived before the test could act"
    assert page.inner_text("#kalo-convs-note").strip() == "Περιμένετε να ολοκληρωθεί η απάντηση ή πατήστε «Διακοπή»."
    assert page.input_value("#kalo-question textarea") == waiting
    page.wait_for_function(ANSWERED, arg=0, timeout=120_000)
    page.locator("#kalo-send").wait_for(state="visible")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    assert page.input_value("#kalo-question textarea") == waiting  # kept, not sent, not lost
    users = page.locator("#kalo-chatbot [data-testid='user']").all_inner_texts()
    assert [u.strip() for u in users] == [first]
    page.wait_for_function(  # the list names the new conversation after its question once it is saved
        "q => document.querySelector('#kalo-conversations label:has(input:checked)')?.innerText.trim() === q", arg=first
    )
    page.wait_for_function("document.querySelectorAll('#kalo-conversations label').length === 2")
    assert _conversations(page) == [first, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;"]
    page.locator("#kalo-conversations label", has_text="παντοπωλείο").click()  # now it switches
    page.wait_for_function("() => document.querySelector('#kalo-chatbot').innerText.includes('παντοπωλείο')")


def test_sending_an_empty_box_changes_nothing(server, page):
    """«Αποστολή» (or Enter) with nothing typed, after an answer: the chat, its sources, the button and the
    kept conversation stay as they were, also after a reload (it used to wipe the conversation)."""
    page.goto(server["url"] + "/")
    question = "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;"
    answer, _ = ask(page, question)
    page.wait_for_function("q => document.querySelector('#kalo-conversations').innerText.includes(q)", arg=question)
    chat = page.inner_text("#kalo-chatbot")
    sources = page.inner_text("#kalo-sources")
    done: list[str] = []  # the chain is start → answer → keep; keep's /run/predict comes last
    page.on("response", lambda r: done.append(r.url) if "/gradio_api/run/predict" in r.url else None)
    for send in (lambda: page.click("#kalo-send"), lambda: page.keyboard.press("Enter")):
        page.focus("#kalo-question textarea")
        done.clear()
        send()
        deadline = time.monotonic() + 15
        while len(done) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert len(done) == 2, done
        page.wait_for_timeout(200)  # the page has applied what the responses carried
        assert page.inner_text("#kalo-chatbot") == chat
        assert page.inner_text("#kalo-sources") == sources
        assert page.inner_text("#kalo-send").strip() == "Αποστολή"
    page.reload()
    page.wait_for_function("q => (document.querySelector('#kalo-chatbot')?.innerText || '').includes(q)", arg=question)
    assert any(question[:30] in c for c in _conversations(page))
    assert answer.split("[", 1)[0].strip()[:40] in page.inner_text("#kalo-chatbot")


def test_two_tabs_of_one_browser_keep_each_other_s_conversations(server, page):
    """Tab B loaded before tab A saved: B's next question used to save B's old copy of the list, and A's
    conversation was gone. B reads the list again first, and asks the question typed in it itself."""
    a = page
    b = a.context.new_page()
    for tab in (a, b):
        tab.goto(server["url"] + "/")
        tab.wait_for_selector("#kalo-question textarea")
    ask(a, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
    b.wait_for_function("() => document.querySelector('#kalo-send')?.disabled === false")
    b.fill("#kalo-question textarea", "Τι τύποι δικτύων υπάρχουν;")
    b.keyboard.press("Enter")  # B reloads, then sends what was typed
    b.wait_for_function("() => Boolean(document.querySelector('#kalo-chatbot')?.innerText.includes('Τι τύποι δικτύων'))")
    b.wait_for_function(ANSWERED, arg=0)
    b.wait_for_function("document.querySelectorAll('#kalo-conversations label').length === 2")
    c = a.context.new_page()  # a third tab sees both
    # B's browser state reaches localStorage just after its page shows the answer: on a loaded machine a
    # tab opened at once may read the list before that write (a fresh-clone CI run did), so it looks again.
    deadline = time.monotonic() + 10
    while True:
        c.goto(server["url"] + "/")
        c.wait_for_function("document.querySelectorAll('#kalo-conversations label').length >= 2")
        listed = " ".join(_conversations(c))
        if ("παντοπωλείο" in listed and "δικτύων" in listed) or time.monotonic() > deadline:
            break
        c.wait_for_timeout(250)
    assert "παντοπωλείο" in listed and "δικτύων" in listed, listed
