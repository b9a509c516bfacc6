"""What one server process shares between the UI and the API: settings, one `Assistant` facade (created
on first use), the feedback store, and the password checks."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading

from fastapi import Request

from assistant.core.settings import Settings
from assistant.feedback import FeedbackStore
from assistant.service import Assistant

log = logging.getLogger("kalo.web")

CHAT_COOKIE = "kalo_chat"
BROWSER_SECRET_FILE = "browser-secret"


def header_text(value: str | None) -> str:
    """An HTTP header as the client meant it: non-ASCII (Greek) passwords arrive as UTF-8 bytes read as latin-1."""
    if not value:
        return ""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def same_secret(given: str | None, secret: str) -> bool:
    return bool(secret) and hmac.compare_digest((given or "").encode(), secret.encode())


class WebContext:
    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self._assistant = assistant
        self._create = threading.Lock()
        self.feedback = FeedbackStore.for_settings(settings)

    @property
    def assistant(self) -> Assistant:
        if self._assistant is None:
            with self._create:
                if self._assistant is None:
                    self._assistant = Assistant(self.settings)
        return self._assistant

    def warm_up(self) -> None:
        """Load the embedding model and open the index before the first question, in the background."""

        def run() -> None:
            try:
                index = self.assistant.index
                index.embeddings.embed_query("προθέρμανση")  # loads the model: the first question pays nothing
            except Exception as exc:  # reported to users when they ask; here only logged
                log.warning("warm-up: %s", exc)

        threading.Thread(target=run, name="kalo-warm-up", daemon=True).start()

    @property
    def browser_secret(self) -> str:
        """The key of the conversations kept in browsers: stable across restarts (a key per process, Gradio's
        default, made every kept conversation unreadable after one)."""
        configured = self.settings.browser_secret.get_secret_value()
        if configured:
            return configured
        path = self.settings.data_dir / BROWSER_SECRET_FILE
        try:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # two starting at once: one writes
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(secrets.token_urlsafe(32))
            value = path.read_text(encoding="utf-8").strip()
            if value:
                return value
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:  # a read-only data folder: stable still, from where the data is
            log.warning("browser secret: %s", exc)
        return hashlib.sha256(f"kalo-browser:{self.settings.data_dir.resolve()}".encode()).hexdigest()

    # -- passwords -------------------------------------------------------------------------------------
    @property
    def admin_enabled(self) -> bool:
        return bool(self.settings.admin_password.get_secret_value())

    def is_admin(self, password: str | None) -> bool:
        return same_secret(password, self.settings.admin_password.get_secret_value())

    @property
    def chat_protected(self) -> bool:
        return bool(self.settings.chat_password.get_secret_value())

    def is_chat_password(self, password: str | None) -> bool:
        return same_secret(password, self.settings.chat_password.get_secret_value())

    def chat_token(self) -> str:
        secret = self.settings.chat_password.get_secret_value().encode()
        return hmac.new(secret, b"kalo-chat-session", hashlib.sha256).hexdigest()

    def may_chat(self, request: Request) -> bool:
        if not self.chat_protected:
            return True
        header = header_text(request.headers.get("x-chat-password"))
        return (
            same_secret(request.cookies.get(CHAT_COOKIE, ""), self.chat_token())
            or self.is_chat_password(header)
            or self.is_admin(header_text(request.headers.get("x-admin-password")))
        )
