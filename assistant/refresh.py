"""Several `kalo serve` processes over one Chroma server: the store's version, the version this process
answers from, and reloading when they differ — on SIGHUP, on POST /api/reload (admin password) or every
`refresh_interval` seconds."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Header, HTTPException

from assistant.core.errors import KaloError
from assistant.web.context import header_text
from ingest.lexical import fingerprint

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.service import Assistant
    from ingest.store import VectorStore

log = logging.getLogger("kalo.refresh")


def store_version(store: VectorStore) -> str:
    """The collection's version: a fingerprint of its chunk ids (ids derive from content and position, so
    adding, editing or removing a guide changes it). One id listing, no documents or vectors."""
    return fingerprint(store.collection.get(include=[])["ids"])


def loaded_version(assistant: Assistant) -> str | None:
    """The version of the index this process answers from; None before it is opened (a health check must
    not open it). The index's BM25 part carries the fingerprint of the ids it was built from."""
    index = getattr(assistant, "_index", None)
    return None if index is None else index.lexical.fingerprint


class Refresher:
    """Reopens the facade's index when the shared store has changed under it."""

    def __init__(self, assistant: Callable[[], Assistant], interval: float) -> None:
        self.assistant = assistant
        self.interval = interval
        self._lock = threading.Lock()  # one refresh at a time (timer, signal and API may coincide)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def versions(self) -> tuple[str, str]:
        """(store version, loaded index version); "" for what is unknown (no index, store down)."""
        assistant = self.assistant()
        try:
            current = store_version(assistant.store)
        except KaloError:
            current = ""
        return current, loaded_version(assistant) or ""

    def refresh(self, force: bool = False) -> bool:
        """Reload if the store's version differs from the loaded one (always, with `force`), and open the
        new index at once, so that the next question and the health check see it. True if reloaded."""
        with self._lock:
            assistant = self.assistant()
            if not force:
                loaded = loaded_version(assistant)
                if loaded is None:
                    return False  # nothing open yet: the first question opens the current index
                try:
                    if store_version(assistant.store) == loaded:
                        return False
                except KaloError as exc:
                    log.warning("refresh: %s", exc)
                    return False
            assistant.reload()
            try:
                _ = assistant.index
            except KaloError as exc:  # reported to users when they ask
                log.warning("refresh: %s", exc)
            return True

    # -- triggers ----------------------------------------------------------------------------------------
    def start(self) -> None:
        """The periodic check (when `refresh_interval` > 0) and the SIGHUP handler (main thread only)."""
        if self.interval > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kalo-refresh", daemon=True)
            self._thread.start()
        if hasattr(signal, "SIGHUP") and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, lambda *_: self._in_background(force=True))

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception:  # the timer must outlive any one failure
                log.exception("refresh failed")

    def _in_background(self, force: bool) -> None:
        # A signal handler must return quickly: the reload (which reopens the index) runs in a thread.
        threading.Thread(target=self.refresh, kwargs={"force": force}, name="kalo-reload", daemon=True).start()


def mount(app: FastAPI, ctx) -> Refresher:
    """POST /api/reload (admin) on the app; `ctx` is the web context (assistant, settings, password check).
    The returned refresher is also `app.state.refresher`; `start()` it where the server starts."""
    refresher = Refresher(lambda: ctx.assistant, ctx.settings.refresh_interval)
    router = APIRouter(prefix="/api", tags=["kalo"])

    @router.post("/reload", summary="Επαναφόρτωση του ευρετηρίου (μετά από αλλαγές από άλλη διεργασία)")
    def reload(x_admin_password: Annotated[str | None, Header()] = None):
        if not ctx.admin_enabled:
            raise HTTPException(403, "Η διαχείριση είναι απενεργοποιημένη: ορίστε τη μεταβλητή KALO_ADMIN_PASSWORD.")
        if not ctx.is_admin(header_text(x_admin_password)):
            raise HTTPException(401, "Λάθος ή κενός κωδικός διαχειριστή (κεφαλίδα X-Admin-Password).")
        refresher.refresh(force=True)
        store, index = refresher.versions()
        return {"reloaded": True, "store_version": store, "index_version": index}

    app.include_router(router)
    app.state.refresher = refresher
    return refresher
