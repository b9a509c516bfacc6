"""The web app in a real browser: `kalo serve` in a subprocess, driven by Debian's Chromium via Playwright,
over the synthetic guides with the fake-hash embeddings (the UI is under test, not the model).

Asks a question and checks the answer's [n] markers against the sources panel, opens a cited page in the
PDF.js viewer with the excerpt highlighted, rates the answer 👎 with a comment (then reads it back from
SQLite), copies and exports it, reloads; logs in to the guides tab, uploads a guide with a made-up fact and
gets that fact answered; a question typed during an answer waits (no 👍/👎 on the answer on its way);
axe-core in light and dark; a 390 px phone. The conversation list: test_web_browser_conversations.py.
Every wait is on a condition in the page, never on time (support/browser.py). Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import pytest
from support.browser import (
    ADMIN_PASSWORD,
    ANSWERED,
    ARTIFACTS,
    DISLIKE,
    LIKE,
    SEND_ENABLED,
    ask,
    chromium,
    serving,
    watched_page,
)

NEW_GUIDE = """# Οδηγός Πιλοτικού Προγράμματος Ζέφυρος

## Το πρόγραμμα Ζέφυρος

Το πιλοτικό πρόγραμμα Ζέφυρος χρηματοδοτεί κοινές δράσεις Δήμων και φορέων ΚΑΛΟ για τη συλλογή και ανακύκλωση
μαγειρικού ελαιολάδου. Η μέγιστη επιχορήγηση ανά κοινή δράση του προγράμματος Ζέφυρος είναι 47.300 ευρώ.

Οι αιτήσεις για το πρόγραμμα Ζέφυρος υποβάλλονται κάθε Μάρτιο από τον Δήμο μαζί με τον φορέα ΚΑΛΟ.
Σημείωση συντάκτη: <script>window.__kalo_pwned = 1</script><img src=x onerror="window.__kalo_pwned = 2">
"""

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(synthetic_settings, tmp_path_factory):
    with serving(synthetic_settings, tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    with watched_page(browser) as pg:
        yield pg


def _feedback_rows(root: Path) -> list[dict]:
    db = root / "data" / "feedback.sqlite3"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY id")]


def test_chat_sources_and_feedback(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server["url"] + "/")
    page.wait_for_selector("#kalo-question textarea")
    assert page.title() == "Βοηθός Συνεργασίας ΟΤΑ & Φορέων ΚΑΛΟ"
    page.wait_for_function("document.documentElement.lang === 'el'")
    assert page.locator("#kalo-chatbot [role='log']").get_attribute("aria-label") == "Συνομιλία"
    assert page.get_by_label("Ερώτηση").count() >= 1
    page.get_by_label("Στέλεχος φορέα ΚΑΛΟ").check()

    question = "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;"
    answer, panel = ask(page, question)
    assert "Δεν βρήκα απάντηση" not in answer and "αίτηση" in answer
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer)}
    shown = {int(n) for n in re.findall(r'id="kalo-src-(\d+)"', panel)}
    assert cited and cited == shown, (answer, shown)
    cards = page.locator("#kalo-sources .kalo-src:not([id^='kalo-src-see-'])")  # the cited ones
    assert cards.count() == len(cited)
    for i in range(cards.count()):
        card = cards.nth(i)
        assert card.locator(".kalo-title").inner_text().strip()
        assert re.fullmatch(r"σελ\. \d+(–\d+)?", card.locator(".kalo-pages").inner_text().strip())
        assert card.locator(".kalo-excerpt mark").count() >= 1
    # each [n] is a link that brings its source card into view, highlighted
    link = page.locator("#kalo-chatbot [data-testid='bot'] a[href*='#kalo-src-']").last
    target = link.get_attribute("href").split("#")[-1]
    link.click()
    page.wait_for_selector(f"#{target}.kalo-src-hit")
    assert page.evaluate("document.activeElement.id") == target
    page.locator("#kalo-chatbot [role='log']").evaluate("log => log.scrollTo(0, 0)")  # question and answer
    page.screenshot(path=str(ARTIFACTS / "chat.png"))

    # the cited page opens inside the app, in the PDF.js viewer, with the cited excerpt highlighted there
    first = cards.first.locator("a.kalo-open")
    href = first.get_attribute("href")
    assert re.fullmatch(r"guides/[\w.-]+\.pdf#page=\d+", href), href
    # every sentence the answer cites from this source is marked in its excerpt, and highlighted in the page
    excerpt = " ".join(cards.first.locator(".kalo-excerpt mark").all_inner_texts())
    first.click()
    viewer = page.locator("dialog.kalo-viewer")
    viewer.wait_for(state="visible")
    assert viewer.locator("iframe").get_attribute("src").startswith("viewer/#file=guides%2F")
    frame = page.frame_locator("dialog.kalo-viewer iframe")
    frame.locator("body[data-state='ready']").wait_for()
    assert frame.locator("body").get_attribute("data-page") == href.split("#page=")[1]
    marked = frame.locator(".textLayer .kalo-hl")
    assert marked.count() >= 1
    words = set(re.findall(r"\w{4,}", " ".join(marked.all_inner_texts()).lower()))
    assert words and words <= set(re.findall(r"\w{4,}", excerpt.lower())), (words, excerpt)
    assert frame.locator(".found").inner_text() == "Το απόσπασμα της παραπομπής επισημαίνεται."
    page.screenshot(path=str(ARTIFACTS / "pdf-highlight.png"))
    viewer.locator(".kalo-viewer-close").click()
    viewer.wait_for(state="hidden")

    # 👎 with a comment is stored durably
    page.locator("#kalo-chatbot button[aria-label='Μη χρήσιμη απάντηση']").last.click()
    page.wait_for_selector("#kalo-feedback-note :text('Ευχαριστούμε')")
    rows = _feedback_rows(server["root"])
    assert [(r["rating"], r["question"], r["audience"]) for r in rows] == [("down", question, "kalo")]
    assert {s["n"] for s in json.loads(rows[0]["sources"])} == cited
    page.fill("#kalo-comment textarea", "Λείπει ο συγκριτικός πίνακας.")
    page.click("#kalo-send-comment")
    page.wait_for_selector("#kalo-feedback-note :text('καταχωρίστηκε')")
    assert _feedback_rows(server["root"])[0]["comment"] == "Λείπει ο συγκριτικός πίνακας."
    page.click("#kalo-feedback-close")  # the box goes when the user is done with it
    page.locator("#kalo-feedback").wait_for(state="hidden")
    # Gradio's own labels for a chosen 👎, examples, file chips and the tab bar are read out in Greek too
    page.wait_for_function(
        "() => [...document.querySelectorAll('[aria-label], [title]')].every(el => !['aria-label', 'title'].some("
        "a => /^(Liked|Disliked|More tabs|Remove this file|Select example)/.test(el.getAttribute(a) || '')))"
    )
    page.screenshot(path=str(ARTIFACTS / "chat-feedback.png"))

    # «Αντιγραφή» carries the cited sources with the answer
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server["url"])
    page.locator("#kalo-chatbot button[aria-label='Αντιγραφή']").last.click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()).includes('Πηγές:')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert all(f"[{n}]" in copied.split("Πηγές:")[1] for n in cited), copied
    assert "](#kalo-src-" not in copied and "**" not in copied  # as read, not the Markdown behind it

    # the conversation is exported for a memo: a Word file with the cited sources
    page.click("#kalo-export")
    link = page.locator("#kalo-export-files a[href*='.docx']").first
    link.wait_for()
    with page.expect_download() as got:
        link.click()
    import docx

    memo = docx.Document(got.value.path())
    text = "\n".join(p.text for p in memo.paragraphs)
    assert question in text and "Πηγές" in text
    for card in range(cards.count()):
        assert cards.nth(card).locator(".kalo-title").inner_text().strip() in text

    # a reload keeps the conversation and its sources
    page.reload()
    page.wait_for_function(ANSWERED, arg=0)
    assert question in page.inner_text("#kalo-chatbot")
    assert cards.count() == len(shown)
    assert page.locator("#kalo-sources .kalo-related").count() == 1  # with the sections it pointed to

    # «Νέα συνομιλία» clears the conversation and the panel
    page.click("#kalo-new")
    page.wait_for_function("() => !document.querySelector('#kalo-sources .kalo-src')")
    assert page.locator("#kalo-chatbot [data-testid='bot']").count() == 0
    page.reload()  # … and what is kept in the browser with it
    page.wait_for_selector("#kalo-question textarea")
    page.wait_for_function("document.documentElement.lang === 'el'")
    assert page.locator("#kalo-chatbot [data-testid='bot']").count() == 0


# A control's fill and what is drawn behind it (its nearest ancestor with a fill of its own).
FILLS = """(selector) => {
  const el = document.querySelector(selector);
  let behind = el.parentElement;
  while (behind && getComputedStyle(behind).backgroundColor === 'rgba(0, 0, 0, 0)') behind = behind.parentElement;
  return [getComputedStyle(el).backgroundColor, behind ? getComputedStyle(behind).backgroundColor : ''];
}"""
# The focused element's ring: [style, width]; and the class of an ancestor that would clip it (none: null).
RING = """() => {
  const el = document.activeElement, c = getComputedStyle(el), r = el.getBoundingClientRect();
  const ring = parseFloat(c.outlineWidth) + parseFloat(c.outlineOffset);
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const q = a.getBoundingClientRect();
    if (r.left - ring < q.left || r.right + ring > q.right || r.top - ring < q.top || r.bottom + ring > q.bottom) {
      return [el.id, c.outlineStyle, parseFloat(c.outlineWidth), a.className];
    }
  }
  return [el.id, c.outlineStyle, parseFloat(c.outlineWidth), null];
}"""


def test_the_feedback_box_s_controls_are_buttons_with_a_visible_focus(server, page):
    """After 👎, «Αποστολή σχολίου» and «Κλείσιμο» are drawn as the app's buttons (primary like «Αποστολή»,
    secondary like «Νέα συνομιλία», each with a fill unlike what is behind it), not as text on the box's
    grey; Tab from the comment reaches each with a focus ring nothing clips."""
    page.goto(server["url"] + "/")
    ask(page, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
    page.locator(f"#kalo-chatbot button[aria-label='{DISLIKE}']").last.click()
    page.locator("#kalo-feedback textarea").wait_for(state="visible")
    send, behind_send = page.evaluate(FILLS, "#kalo-send-comment")
    close, behind_close = page.evaluate(FILLS, "#kalo-feedback-close")
    assert send == page.evaluate(FILLS, "#kalo-send")[0] and send != behind_send, (send, behind_send)
    assert close == page.evaluate(FILLS, "#kalo-new")[0] and close != behind_close, (close, behind_close)
    page.locator("#kalo-feedback").screenshot(path=str(ARTIFACTS / "chat-feedback-box.png"))
    page.focus("#kalo-comment textarea")
    for expected in ("kalo-send-comment", "kalo-feedback-close"):
        page.keyboard.press("Tab")
        focused, style, width, clipped_by = page.evaluate(RING)
        assert focused == expected and style != "none" and width >= 2 and clipped_by is None, (focused, style, width, clipped_by)


# Scrolled `up` px above the end of the chat (again, if Gradio's autoscroll has moved it since), once its
# «scroll to the end» arrow shows: the lines (text fragments, as far as they are in sight) the arrow covers.
UNDER_ARROW = """(up) => {
  const log = document.querySelector('#kalo-chatbot [role=log]');
  const target = log.scrollHeight - log.clientHeight - up;
  if (Math.abs(log.scrollTop - target) > 1) { log.scrollTo(0, target); return false; }
  const button = document.querySelector('#kalo-chatbot .scroll-down-button-container button');
  if (!button) return false;
  const arrow = button.getBoundingClientRect(), view = log.getBoundingClientRect();
  const walker = document.createTreeWalker(log, NodeFilter.SHOW_TEXT);
  const covered = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const line of range.getClientRects()) {
      const top = Math.max(line.top, view.top), bottom = Math.min(line.bottom, view.bottom);
      if (bottom > top && line.left < arrow.right && line.right > arrow.left && top < arrow.bottom && bottom > arrow.top) {
        covered.push(node.textContent.trim().slice(0, 40));
      }
    }
  }
  return {covered};
}"""


def test_the_scroll_to_the_end_arrow_covers_no_text(server, page):
    """Scrolled up in a long chat, Gradio's arrow to the end shows: wherever the chat stops, no line of it
    is under the arrow (it sat over the last visible line)."""
    page.goto(server["url"] + "/")
    ask(page, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
    ask(page, "Ποια είναι τα βήματα σύστασης μιας ενεργειακής κοινότητας;")
    covered = {}
    for up in range(150, 500, 25):  # px above the end: lines of text and the gaps between them
        if found := page.wait_for_function(UNDER_ARROW, arg=up).json_value()["covered"]:
            covered[up] = found
    assert not covered, covered
    page.locator("#kalo-chatbot").screenshot(path=str(ARTIFACTS / "chat-scrolled-up.png"))


def test_guides_tab_upload_then_ask(server, page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server["url"] + "/")
    page.get_by_role("tab", name="Οδηγοί").click()
    # before signing in: which guides there are, each with a link to open it
    page.wait_for_selector("#kalo-guides-public table")
    assert page.locator("#kalo-guides-public tbody tr").count() == 3
    assert page.locator("#kalo-guides-public tbody tr a").count() == 3
    page.fill("#kalo-admin-password input", "λάθος")
    page.click("#kalo-admin-login")
    page.wait_for_selector("#kalo-login :text('Λάθος κωδικός διαχειριστή')")
    assert not page.locator("#kalo-upload").is_visible()

    page.fill("#kalo-admin-password input", ADMIN_PASSWORD)
    page.click("#kalo-admin-login")
    page.wait_for_selector("#kalo-guides-table table")
    assert page.locator("#kalo-guides-table tbody tr").count() == 3
    # signed in, the guides are listed once: the public list gives way to the table with its actions
    page.wait_for_selector("#kalo-guides-public", state="hidden")

    wrong = tmp_path / "πρόγραμμα.exe"
    wrong.write_bytes(b"MZ")
    page.set_input_files("#kalo-upload input[type=file]", str(wrong))
    page.wait_for_selector(":text('Μη αποδεκτός τύπος αρχείου')")  # Gradio's toast, in Greek
    assert not page.locator(":text('Invalid file type')").count()
    page.wait_for_function("() => document.querySelector('.toast-title').innerText.trim() === 'Σφάλμα'")
    assert page.locator("[data-testid='toast-close']").first.get_attribute("aria-label") == "Κλείσιμο"

    guide = tmp_path / "Πρόγραμμα Ζέφυρος.md"
    guide.write_text(NEW_GUIDE, encoding="utf-8")
    page.set_input_files("#kalo-upload input[type=file]", str(guide))
    # uploaded when the component links the server's copy (Gradio shows the name's stem and extension in two
    # spans, so a text selector on the whole name matches only a transient rendering)
    page.wait_for_selector("#kalo-upload a[download='Πρόγραμμα Ζέφυρος.md']")
    page.click("#kalo-upload-btn")
    page.wait_for_selector("#kalo-ingest-result .kalo-ok")
    result = page.inner_text("#kalo-ingest-result")
    assert "Πρόγραμμα-Ζέφυρος.md" in result and "Προστέθηκε" in result
    assert page.locator("#kalo-guides-table tbody tr").count() == 4
    assert (server["root"] / "corpus" / "Πρόγραμμα-Ζέφυρος.md").read_text(encoding="utf-8") == NEW_GUIDE
    page.screenshot(path=str(ARTIFACTS / "guides.png"), full_page=True)

    page.get_by_role("tab", name="Συνομιλία").click()
    answer, panel = ask(page, "Ποια είναι η μέγιστη επιχορήγηση του προγράμματος Ζέφυρος;")
    assert "47.300" in answer, answer
    assert "Οδηγός Πιλοτικού Προγράμματος Ζέφυρος" in panel
    # the guide's markup is shown as text, never run
    assert page.evaluate("window.__kalo_pwned") is None
    assert "<script>" in page.inner_text("#kalo-sources") + page.inner_text("#kalo-chatbot")
    page.screenshot(path=str(ARTIFACTS / "chat-new-guide.png"))

    # signing out brings the public list back, with the guide uploaded meanwhile
    page.get_by_role("tab", name="Οδηγοί").click()
    page.click("#kalo-admin-logout")
    page.wait_for_selector("#kalo-admin-password input")
    page.wait_for_function("document.querySelectorAll('#kalo-guides-public tbody tr').length === 4")
    assert not page.locator("#kalo-upload").is_visible()


def _messages(page, who: str) -> int:
    return page.locator(f"#kalo-chatbot [data-testid='{who}']").count()


def test_a_question_typed_during_an_answer_waits_and_stop_interrupts(server, page):
    """The answering event is held at the queue (a condition, not a delay) so the answer is «on its way»."""
    # Questions wait until the page's load event (the kept conversations) is over: it would reset the chat.
    page.goto(server["url"] + "/")
    page.wait_for_function(SEND_ENABLED)
    box = "#kalo-question textarea"
    page.wait_for_selector(box)
    held: list = []
    page.route("**/gradio_api/queue/join*", lambda route: held.append(route))
    page.fill(box, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
    page.keyboard.press("Enter")
    page.locator("#kalo-stop").wait_for(state="visible")
    assert not page.locator("#kalo-send").is_visible()
    # the question shows at once with the answer's «…»; no 👍/👎 on it while the answer is on its way
    page.wait_for_function(
        "() => [...document.querySelectorAll('#kalo-chatbot [data-testid=\"bot\"]')].map(b => b.innerText.trim())"
        ".join('|') === '…'"
    )
    assert _messages(page, "user") == 1
    bar = page.locator("#kalo-chatbot .message-buttons").last
    like = bar.locator(f"button[aria-label='{LIKE}']")
    assert like.count() == 1 and not like.is_visible()
    assert not bar.locator(f"button[aria-label='{DISLIKE}']").is_visible()
    second = "Ποιοι κίνδυνοι υπάρχουν σε μια συνεργασία;"
    page.fill(box, second)
    page.keyboard.press("Enter")  # the page holds it while «Διακοπή» shows (the server would refuse it too)
    assert page.input_value(box) == second  # kept, not sent and not lost, and the box says why
    page.wait_for_selector("#kalo-question-note [role='status']:text('ετοιμάζεται ακόμη')")
    # The route handler runs only while Playwright waits: on a loaded machine the join may still be on its
    # way here (seen once in CI), so wait for it, with a bound.
    deadline = time.monotonic() + 15
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the answering event never reached the queue"
    for route in held:
        route.continue_()
    page.unroute("**/gradio_api/queue/join*")
    page.wait_for_function(ANSWERED, arg=0)
    page.locator("#kalo-send").wait_for(state="visible")
    assert not page.locator("#kalo-stop").is_visible() and page.input_value(box) == second
    page.wait_for_selector("#kalo-question-note [role='status']", state="detached")  # the wait is over
    page.locator("#kalo-chatbot .message-buttons").last.locator(f"button[aria-label='{LIKE}']").wait_for()  # finished
    assert _messages(page, "user") == 1  # the second question was not sent meanwhile
    page.keyboard.press("Enter")  # now it goes
    page.wait_for_function(ANSWERED, arg=1)
    assert _messages(page, "user") == 2
    # the answer and Send come back in one update: a question typed at once is taken, not held back
    assert page.locator("#kalo-send").is_visible() and not page.locator("#kalo-stop").is_visible()

    # «Διακοπή» while an answer is on its way: the chat says so and Send comes back
    held.clear()
    page.route("**/gradio_api/queue/join*", lambda route: held.append(route))
    page.fill(box, "Τι τύποι δικτύων υπάρχουν;")
    page.keyboard.press("Enter")
    page.locator("#kalo-stop").wait_for(state="visible")
    assert _messages(page, "user") == 3
    page.click("#kalo-stop")
    page.locator("#kalo-send").wait_for(state="visible")
    page.wait_for_selector("#kalo-chatbot [data-testid='bot']:last-child :text('Η απάντηση διακόπηκε')")
    assert "διακόπηκε" in page.inner_text("#kalo-sources")
    for route in held:
        route.abort()
    page.unroute("**/gradio_api/queue/join*")


def test_a_reload_while_an_answer_is_on_its_way_keeps_the_question(server, page):
    """The question is kept in the browser as soon as it shows: reloaded before its answer came (the answer
    is held at the queue), the page brings it back and says the answer was interrupted."""
    page.goto(server["url"] + "/")
    page.wait_for_function(SEND_ENABLED)
    held: list = []
    page.route("**/gradio_api/queue/join*", lambda route: held.append(route))
    question = "Πώς αξιολογούμε ένα δίκτυο φορέων;"
    page.fill("#kalo-question textarea", question)
    page.keyboard.press("Enter")
    page.locator("#kalo-stop").wait_for(state="visible")
    # kept: the list names the conversation by its question once it is saved
    page.locator("#kalo-conversations").get_by_text(question).wait_for()
    page.unroute("**/gradio_api/queue/join*")  # the held answer is dropped with the page
    page.reload()
    page.wait_for_function(SEND_ENABLED)
    page.locator("#kalo-chatbot [data-testid='bot']").get_by_text("Η απάντηση διακόπηκε").wait_for()
    assert _messages(page, "user") == 1 and question in page.inner_text("#kalo-chatbot [data-testid='user']")
    assert page.locator("#kalo-send").is_visible()  # and it can be sent again
    page.fill("#kalo-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(ANSWERED, arg=1)
    assert _messages(page, "user") == 2


def test_a_citation_in_an_earlier_answer_shows_that_answer_s_source(server, page):
    """The panel holds one answer's sources: [1] clicked in the first answer, after a second one, brings the
    first answer's sources back and highlights its card [1] — not card [1] of the answer shown last."""
    page.goto(server["url"] + "/")
    ask(page, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
    title = "#kalo-sources #kalo-src-1 .kalo-title"
    first = page.inner_text(title).strip()
    second, _ = ask(page, "Ποια είναι τα βήματα σύστασης μιας ενεργειακής κοινότητας;")
    assert "[1]" in second
    assert page.inner_text(title).strip() != first  # another answer, other sources
    page.locator("#kalo-chatbot [data-testid='bot']").first.locator("a[href$='#kalo-src-1']").first.click()
    page.wait_for_selector("#kalo-src-1.kalo-src-hit")
    assert page.inner_text(title).strip() == first
    # and [1] of the last answer brings its own back
    page.locator("#kalo-chatbot [data-testid='bot']").last.locator("a[href$='#kalo-src-1']").first.click()
    page.wait_for_function(f"() => document.querySelector('{title}').innerText.trim() !== {first!r}")
    page.wait_for_selector("#kalo-src-1.kalo-src-hit")


def test_a_section_the_answer_points_to_opens_from_its_name(server, page):
    """«Δείτε επίσης: «…»»: each name a link to that section's card, below the answer's sources."""
    page.goto(server["url"] + "/")
    answer, _panel = ask(page, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
    links = page.locator("#kalo-chatbot [data-testid='bot'] a[href$='#kalo-src-see-1']")
    assert "Δείτε επίσης" in answer and links.count() == 1, answer
    name = links.inner_text().strip("«» ")
    assert "Δείτε επίσης" in page.inner_text("#kalo-sources .kalo-related")
    links.click()
    page.wait_for_selector("#kalo-src-see-1.kalo-src-hit")
    assert name in page.inner_text("#kalo-src-see-1 .kalo-sec")
    assert page.locator("#kalo-src-see-1 a.kalo-open").count() == 1  # and from there, the guide's page


def test_the_nearest_sections_of_a_refusal_open_from_the_chat(server, page):
    page.goto(server["url"] + "/")
    answer, _panel = ask(page, "Ποιο είναι το τηλέφωνο του δημάρχου;")
    assert "Δεν βρήκα" in answer and "Πλησιέστερες ενότητες" in answer
    link = page.locator("#kalo-chatbot [data-testid='bot'] a[href*='#kalo-src-']").first
    target = link.get_attribute("href").split("#")[-1]
    link.click()
    page.wait_for_selector(f"#{target}.kalo-src-hit")
    assert page.locator(f"#{target} a.kalo-open").count() == 1


def test_a_question_sent_before_the_page_has_loaded_is_not_lost(server, page):
    """The page's load event (the kept conversations) is held: a question sent meanwhile stays in the box,
    with «Αποστολή» disabled, instead of showing and then vanishing when the load resets the chat."""
    held: list = []

    def hold_first(route):  # the first call is the load event; the rest (the question's) go through
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/gradio_api/run/predict*", hold_first)
    page.goto(server["url"] + "/")
    box = "#kalo-question textarea"
    page.wait_for_selector(box)
    deadline = time.monotonic() + 15
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the page's load event never started"
    question = "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;"
    page.fill(box, question)
    assert page.locator("#kalo-send").is_disabled()
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)  # what the page would do with the question, it does now: nothing
    assert page.input_value(box) == question and _messages(page, "user") == 0
    with page.expect_response(lambda r: "/gradio_api/run/predict" in r.url):
        held[0].continue_()
    page.wait_for_function(SEND_ENABLED)
    assert page.input_value(box) == question  # kept through the load
    page.keyboard.press("Enter")
    page.wait_for_function(ANSWERED, arg=0)
    assert _messages(page, "user") == 1
    page.unroute("**/gradio_api/run/predict*")


def test_a_pasted_document_is_not_sent_and_stays_in_the_box(server, page):
    page.goto(server["url"] + "/")
    page.wait_for_function(SEND_ENABLED)
    pasted = "Η κοινωνική υπηρεσία του Δήμου ρωτά πώς ξεκινά μια συνεργασία. " * 40
    page.fill("#kalo-question textarea", pasted)
    page.keyboard.press("Enter")
    page.wait_for_selector("#kalo-question-note [role='alert']:text('Η ερώτηση είναι πολύ μεγάλη')")
    assert page.input_value("#kalo-question textarea") == pasted
    assert _messages(page, "user") == 0 and _messages(page, "bot") == 0  # nothing in the chat to rate
    page.fill("#kalo-question textarea", "Πώς ξεκινά μια συνεργασία;")  # shortened, it goes
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.querySelector('#kalo-question-note [role=alert]')")
    page.wait_for_function("() => document.querySelectorAll('#kalo-chatbot [data-testid=\"user\"]').length === 1")


def test_api_docs_are_served_offline(server, page):
    """/docs uses local Swagger UI files: every request stays on the app's origin."""
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server["url"]) or r.url.startswith("data:") else outside.append(r.url))
    page.goto(server["url"] + "/docs")
    page.wait_for_selector(".swagger-ui .opblock-summary-path:has-text('/api/ask')")
    assert page.evaluate("document.documentElement.lang") == "el"
    assert not outside, outside


def test_the_pdf_viewer_pages_and_opens_only_the_apps_guides(server, page):
    """The viewer turns pages; a file from elsewhere or a missing guide is a Greek error, and nothing is
    fetched from another origin."""
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((server["url"], "data:", "blob:")) else outside.append(r.url))
    page.goto(server["url"] + "/viewer/#file=guides%2Fkoinonika-pantopoleia.pdf&page=1")
    page.wait_for_selector("body[data-state='ready'][data-page='1']")
    assert page.inner_text("#where") == "Σελίδα 1 από 2" and page.locator("#prev").is_disabled()
    page.click("#next")
    page.wait_for_selector("body[data-state='ready'][data-page='2']")
    assert page.locator("#next").is_disabled() and page.locator(".textLayer span").count() > 0
    for file, message in [
        ("https%3A%2F%2Fexample.org%2Fa.pdf", "Μη έγκυρος οδηγός."),
        ("guides%2F..%2Fdata%2Ffeedback.pdf", "Μη έγκυρος οδηγός."),
        ("guides%2Fden-yparxei.pdf", "Δεν ήταν δυνατό να ανοίξει ο οδηγός."),
    ]:
        page.goto("about:blank")
        page.goto(server["url"] + f"/viewer/#file={file}&page=1")
        page.wait_for_selector("body[data-state='error']")
        assert page.inner_text(".error") == message
    assert not outside, outside


AXE = Path(__file__).parent / "support" / "axe.min.js"  # axe-core 4.14.1 (MPL-2.0), vendored with its header


def _axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the visible page (WCAG 2 A/AA rules), once running
    animations (a message fading in) have finished: mid-fade colours are not the page's colours."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => { await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
          return (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']}))
            .violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)})); }"""
    )
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_tabs_pass_axe(server, browser, scheme):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="el-GR", color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(server["url"] + f"/?__theme={scheme}")
        page.wait_for_selector("#kalo-question textarea")
        page.wait_for_function("document.documentElement.lang === 'el'")
        ask(page, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
        chat = _axe(page)
        page.get_by_role("tab", name="Οδηγοί").click()
        page.wait_for_selector("#kalo-admin-password input")
        guides = _axe(page)
        assert not chat and not guides, {"chat": chat, "guides": guides}
    finally:
        context.close()


def test_mobile_has_no_sideways_scroll_and_sources_are_one_tap_away(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="el-GR", is_mobile=True, has_touch=True)
    page = context.new_page()
    wide = "() => document.documentElement.scrollWidth - window.innerWidth"
    try:
        page.goto(server["url"] + "/")
        page.wait_for_selector("#kalo-question textarea")
        page.wait_for_function(SEND_ENABLED)
        # opened at the top (the header, the audience choice), not scrolled to a focused question box
        assert page.evaluate("window.scrollY") == 0
        assert not page.evaluate("Boolean(document.activeElement.closest('#kalo-question'))")
        ask(page, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
        assert page.evaluate(wide) <= 0
        page.screenshot(path=str(ARTIFACTS / "mobile-chat.png"))
        page.locator("#kalo-jump-sources").tap()
        page.wait_for_function(
            "() => { const r = document.querySelector('#kalo-sources .kalo-src').getBoundingClientRect();"
            " return r.top >= 0 && r.top < window.innerHeight; }"
        )
        page.screenshot(path=str(ARTIFACTS / "mobile-sources.png"))
        page.locator("#kalo-jump-convs").tap()  # the conversation list: one tap away too
        page.wait_for_function(
            "() => { const r = document.querySelector('#kalo-conversations').getBoundingClientRect();"
            " return r.top >= 0 && r.top < window.innerHeight; }"
        )
        assert page.evaluate(wide) <= 0
        page.screenshot(path=str(ARTIFACTS / "mobile-conversations.png"))
        page.get_by_role("tab", name="Οδηγοί").click()
        page.wait_for_selector("#kalo-admin-password input")
        page.fill("#kalo-admin-password input", ADMIN_PASSWORD)
        page.click("#kalo-admin-login")
        page.wait_for_selector("#kalo-guides-table table")
        assert page.evaluate(wide) <= 0, page.evaluate(wide)
        page.screenshot(path=str(ARTIFACTS / "mobile-guides.png"), full_page=True)
    finally:
        context.close()


def test_the_pdf_viewer_on_a_phone_shows_the_title_fits_the_page_and_zooms(server, browser):
    """390×844: the guide's title wraps rather than «Κοινω…», the page is drawn to the width of the screen,
    «Μεγέθυνση»/«Σμίκρυνση» zoom it (the highlight kept) and pinch-zoom is not turned off."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="el-GR", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(server["url"] + "/")
        ask(page, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
        page.locator("#kalo-jump-sources").tap()
        link = page.locator("#kalo-sources a.kalo-open[href*='.pdf']").first
        long = "Συνεργασία Δήμων και φορέων Κοινωνικής και Αλληλέγγυας Οικονομίας: οδηγός για τα πρώτα βήματα — σελ. 2"
        link.evaluate("(a, title) => { a.dataset.title = title; }", long)  # as long as the real guides' titles
        link.tap()
        viewer = page.locator("dialog.kalo-viewer")
        viewer.wait_for(state="visible")
        frame = page.frame_locator("dialog.kalo-viewer iframe")
        frame.locator("body[data-state='ready']").wait_for()
        title = viewer.locator(".kalo-viewer-title")
        assert title.inner_text() == long  # wrapped over lines, the whole of it in sight
        assert title.evaluate("t => t.scrollWidth <= t.clientWidth && t.getBoundingClientRect().right <= innerWidth")
        box = viewer.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] >= 370, box
        width = "() => document.querySelector('.page').getBoundingClientRect().width"
        inner = frame.locator("body").evaluate("() => innerWidth")
        fitted = frame.locator("body").evaluate(width)
        assert inner - 32 <= fitted <= inner, (fitted, inner)  # the width of the screen, no sideways scroll
        page.screenshot(path=str(ARTIFACTS / "mobile-pdf.png"))

        bigger = frame.get_by_role("button", name="Μεγέθυνση")
        smaller = frame.get_by_role("button", name="Σμίκρυνση")
        bigger.tap()
        frame.locator("body[data-state='ready'][data-zoom='1.25']").wait_for()
        assert frame.locator("body").evaluate(width) == pytest.approx(fitted * 1.25, abs=2)
        assert frame.locator("#zoom").inner_text() == "125%"
        assert frame.locator(".textLayer .kalo-hl").count() >= 1  # the excerpt is still highlighted
        assert frame.locator("#pages").evaluate("p => p.scrollWidth > p.clientWidth")  # it pans, under the bar
        page.screenshot(path=str(ARTIFACTS / "mobile-pdf-zoomed.png"))
        smaller.tap()
        frame.locator("body[data-state='ready'][data-zoom='1']").wait_for()
        smaller.tap()
        frame.locator("body[data-state='ready'][data-zoom='0.75']").wait_for()
        assert frame.locator("body").evaluate(width) == pytest.approx(fitted * 0.75, abs=2)
        for meta in (page.locator("meta[name=viewport]"), frame.locator("meta[name=viewport]")):  # pinch-zoom stays
            viewport = meta.get_attribute("content").replace(" ", "")
            assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport, viewport
    finally:
        context.close()


def test_keyboard_only_ask_and_follow_a_citation(server, page):
    """Autofocus on the question, Enter sends, Tab moves a visible focus; a citation opens with Enter."""
    page.goto(server["url"] + "/")
    page.wait_for_selector("#kalo-question textarea")
    page.wait_for_function("document.activeElement && document.activeElement.closest('#kalo-question')")
    page.wait_for_function(SEND_ENABLED)
    before = 0
    page.keyboard.type("Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")
    page.keyboard.press("Enter")
    page.wait_for_function(ANSWERED, arg=before)
    page.locator("#kalo-send").wait_for(state="visible")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "() => { const c = getComputedStyle(document.activeElement); return [c.outlineStyle, parseFloat(c.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline
    link = page.locator("#kalo-chatbot [data-testid='bot'] a[href*='#kalo-src-']").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{link.get_attribute('href').split('#')[-1]}.kalo-src-hit")


def test_no_two_elements_of_the_page_share_an_id(server, page):
    """Links to «#kalo-…» and screen readers' labels need each id once (the chat, its panels, the tabs)."""
    page.goto(server["url"] + "/")
    page.wait_for_function(SEND_ENABLED)
    duplicated = "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id).filter(Boolean);" \
        " return [ids.length, [...new Set(ids.filter((i, n) => ids.indexOf(i) !== n))].sort()]; }"
    count, twice = page.evaluate(duplicated)
    assert count > 20 and twice == []
    ask(page, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;")  # an answer, its sources, 👎's box
    page.locator(f"#kalo-chatbot button[aria-label='{DISLIKE}']").last.click()
    page.locator("#kalo-feedback textarea").wait_for(state="visible")
    page.get_by_role("tab", name="Οδηγοί").click()
    page.get_by_role("tab", name="Συνομιλία").click()
    page.click("#kalo-rename")  # the boxes the conversations list opens
    page.locator("#kalo-rename-box input").wait_for(state="visible")
    page.click("#kalo-delete")
    page.locator("#kalo-confirm-delete").wait_for(state="visible")
    assert page.evaluate(duplicated)[1] == []
