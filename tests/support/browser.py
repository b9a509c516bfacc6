"""The browser tests' machinery: `kalo serve` in a subprocess over a private copy of the ingested synthetic
guides (restartable on the same port, so the browser's origin and its localStorage stay), Debian's
Chromium through Playwright, a page that fails its test on any script error or dialog, and asking a
question to the end. Every wait is on a condition in the page, never on time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.processes import stop
from support.servers import free_port, wait_until_up
from support.synthetic import config_toml

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = Path(os.environ.get("KALO_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN_PASSWORD = "δοκιμή-διαχειριστή"
LIKE, DISLIKE = "Χρήσιμη απάντηση", "Μη χρήσιμη απάντηση"


def _kalo_command() -> list[str]:
    script = Path(sys.executable).with_name("kalo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


@contextmanager
def serving(synthetic_settings, root: Path) -> Iterator[dict]:
    """`kalo serve` on a free port; yields {url, root, restart}."""
    shutil.copytree(synthetic_settings.corpus_dir, root / "corpus")
    shutil.copytree(synthetic_settings.data_dir, root / "data")
    (root / "kalo.toml").write_text(config_toml(), encoding="utf-8")  # fake-hash, as the index was built
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALO_")}
    env |= {
        "KALO_CONFIG": str(root / "kalo.toml"),
        "KALO_CORPUS_DIR": str(root / "corpus"),
        "KALO_DATA_DIR": str(root / "data"),
        "KALO_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "KALO_HOST": "127.0.0.1",
        "KALO_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log_path = root / "serve.log"
    url = f"http://127.0.0.1:{port}"
    running: dict = {}

    def start() -> None:
        log = log_path.open("a")
        proc = subprocess.Popen([*_kalo_command(), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
        running.update(proc=proc, log=log)
        wait_until_up(f"{url}/api/health", proc, timeout=120, log=log_path)

    def halt() -> None:
        stop(running["proc"], timeout=20)
        running["log"].close()

    def restart() -> None:
        """The same server again on the same port (the browser's origin, so its localStorage, is the same)."""
        halt()
        start()

    start()
    try:
        yield {"url": url, "root": root, "restart": restart}
    finally:
        halt()


@contextmanager
def chromium():
    assert CHROMIUM.exists(), f"Chromium is required for the browser test (apt-get install chromium): {CHROMIUM}"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextmanager
def watched_page(browser):
    """A desktop page; a script error or a dialog (alert/confirm) fails the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="el-GR")
    pg = context.new_page()
    pg.set_default_timeout(int(os.environ.get("BROWSER_TIMEOUT_MS", "90000")))
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    context.close()
    assert not errors, errors


# The answer is final when the panel no longer says «Αναζήτηση…» and the last chat message agrees with it:
# its [n] are exactly the panel's cards, or it says nothing was found and the panel shows no card.
ANSWERED = """(before) => {
  const panel = document.querySelector('#kalo-sources .kalo-sources');
  const bots = document.querySelectorAll('#kalo-chatbot [data-testid="bot"]');
  if (!panel || bots.length <= before || panel.innerText.includes('Αναζήτηση στους οδηγούς')) return false;
  const text = bots[bots.length - 1].innerText;
  // cited cards only: a «Δείτε επίσης» section's card (kalo-src-see-1) has no number
  const cards = [...panel.querySelectorAll('.kalo-src')].map(c => c.id.replace('kalo-src-', '')).filter(n => /^\\d+$/.test(n));
  const cited = [...new Set([...text.matchAll(/\\[(\\d+)\\]/g)].map(m => m[1]))];
  if (panel.querySelector('.kalo-notfound')) return text.includes('Δεν βρήκα');
  return cards.length > 0 && cited.sort().join() === cards.sort().join();
}"""


SEND_ENABLED = "() => { const b = document.querySelector('#kalo-send'); return b && !b.disabled; }"


def ask(page, question: str) -> tuple[str, str]:
    """Type a question, wait for the final answer; returns (last answer text, sources panel HTML)."""
    page.wait_for_function(SEND_ENABLED)  # questions wait in the box until the page has loaded
    before = page.locator("#kalo-chatbot [data-testid='bot']").count()
    page.fill("#kalo-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(ANSWERED, arg=before)
    page.locator("#kalo-send").wait_for(state="visible")  # the answering event is over
    answer = page.locator("#kalo-chatbot [data-testid='bot']").last.inner_text()
    return answer, page.inner_html("#kalo-sources .kalo-sources")
