"""The conversation list in a real browser (`kalo serve` and Debian's Chromium, as in test_web_browser.py):
switching, renaming, deleting after a Greek confirmation, «Νέα συνομιλία», across a reload and a restart of
the server. Screenshot: test-artifacts/conversations.png."""

from __future__ import annotations

import pytest
from support.browser import ARTIFACTS, ask, chromium, serving, watched_page

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


