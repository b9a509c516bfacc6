"""The web app: one process serving the JSON API, the guide files and the Gradio UI (`kalo serve`)."""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import threading
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from assistant.core.settings import Settings
from assistant.feedback import FeedbackStore
from assistant.library import GuideLibrary, resolve_in

log = logging.getLogger("kalo.web")

CHAT_COOKIE = "kalo_chat"
# Reachable without the chat password: the sign-in page itself, the health check and the API description.
_PUBLIC_PATHS = ("/signin", "/signout", "/api/health", "/docs", "/openapi.json", "/favicon.ico")


class WebContext:
    """What one server process shares between the UI and the API: settings, one lazily created
    `Assistant`, the guide library (one ingestion at a time) and the feedback store."""

    def __init__(self, settings: Settings, assistant=None) -> None:
        self.settings = settings
        self._assistant = assistant
        self._create = threading.Lock()
        self.feedback = FeedbackStore.for_settings(settings)
        self.library = GuideLibrary(settings, embeddings=lambda: self.assistant.embeddings, on_change=self.reload)

    @property
    def assistant(self):
        if self._assistant is None:
            with self._create:
                if self._assistant is None:
                    from assistant.service import Assistant

                    self._assistant = Assistant(self.settings)
        return self._assistant

    def reload(self) -> None:
        if self._assistant is not None:
            self._assistant.reload()

    def warm_up(self) -> None:
        """Load the embedding model and open the index before the first question, in the background."""

        def run() -> None:
            try:
                _ = self.assistant.index
            except Exception as exc:  # reported to users when they ask; here only logged
                log.warning("warm-up: %s", exc)

        threading.Thread(target=run, name="kalo-warm-up", daemon=True).start()

    # -- passwords -------------------------------------------------------------------------------------
    @property
    def admin_enabled(self) -> bool:
        return bool(self.settings.admin_password.get_secret_value())

    def is_admin(self, password: str | None) -> bool:
        secret = self.settings.admin_password.get_secret_value()
        return bool(secret) and hmac.compare_digest((password or "").encode(), secret.encode())

    @property
    def chat_protected(self) -> bool:
        return bool(self.settings.chat_password.get_secret_value())

    def chat_token(self) -> str:
        secret = self.settings.chat_password.get_secret_value().encode()
        return hmac.new(secret, b"kalo-chat-session", hashlib.sha256).hexdigest()

    def may_chat(self, request: Request) -> bool:
        if not self.chat_protected:
            return True
        cookie = request.cookies.get(CHAT_COOKIE, "")
        header = header_text(request.headers.get("x-chat-password"))
        secret = self.settings.chat_password.get_secret_value()
        return (
            hmac.compare_digest(cookie.encode(), self.chat_token().encode())
            or hmac.compare_digest(header.encode(), secret.encode())
            or self.is_admin(header_text(request.headers.get("x-admin-password")))
        )


def header_text(value: str | None) -> str:
    """An HTTP header as the client meant it: non-ASCII (Greek) passwords arrive as UTF-8 bytes read as latin-1."""
    if not value:
        return ""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def guide_url(source: str, page: int | None = None) -> str:
    """Where the app serves a guide file; PDFs open at the page (relative, so it works under a proxy prefix)."""
    url = "guides/" + quote(source)
    return f"{url}#page={page}" if page and source.lower().endswith(".pdf") else url


def _decode_text(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1253", "iso-8859-7"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def guide_response(settings: Settings, source: str) -> Response:
    """A guide file from the corpus folder only. PDFs as they are (the browser's viewer opens them at
    #page=N); text shown as UTF-8 text; HTML sandboxed, so a script in a guide never runs in our origin."""
    path = resolve_in(settings.corpus_dir, source)
    if path is None:
        return JSONResponse({"detail": "Ο οδηγός δεν βρέθηκε."}, status_code=404)
    suffix = path.suffix.lower()
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    if suffix == ".pdf":
        return FileResponse(path, media_type="application/pdf", headers=headers, content_disposition_type="inline")
    if suffix in {".md", ".markdown", ".txt"}:
        return Response(_decode_text(path.read_bytes()), media_type="text/plain; charset=utf-8", headers=headers)
    if suffix in {".html", ".htm"}:
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        return Response(_decode_text(path.read_bytes()), media_type="text/html; charset=utf-8", headers=headers)
    return FileResponse(path, headers=headers, filename=path.name)  # DOCX: download


_SIGNIN_PAGE = """<!doctype html>
<html lang="el"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Σύνδεση — Βοηθός ΟΤΑ &amp; ΚΑΛΟ</title>
<style>
body{{font-family:system-ui,"Segoe UI",Roboto,sans-serif;background:#f3f5f8;color:#1b2430;display:flex;
min-height:100vh;align-items:center;justify-content:center;margin:0}}
form{{background:#fff;border:1px solid #d8dee8;border-radius:10px;padding:2rem 2.2rem;width:min(92vw,380px);
box-shadow:0 4px 18px rgba(20,40,80,.08)}}
h1{{font-size:1.25rem;margin:0 0 .3rem;color:#0b3d77}} p{{margin:.2rem 0 1.2rem;color:#4a5565;font-size:.95rem}}
label{{display:block;font-weight:600;margin-bottom:.35rem}}
input{{width:100%;box-sizing:border-box;padding:.6rem .7rem;border:1px solid #b9c3d1;border-radius:6px;font-size:1rem}}
button{{margin-top:1rem;width:100%;padding:.65rem;border:0;border-radius:6px;background:#0b5cad;color:#fff;
font-size:1rem;font-weight:600;cursor:pointer}} .err{{color:#b42318;font-weight:600}}
</style></head><body>
<form method="post" action="signin">
<h1>Βοηθός Συνεργασίας ΟΤΑ &amp; Φορέων ΚΑΛΟ</h1>
<p>Η πρόσβαση απαιτεί κωδικό. Ζητήστε τον από τον διαχειριστή της υπηρεσίας.</p>
{error}
<label for="password">Κωδικός πρόσβασης</label>
<input id="password" name="password" type="password" autocomplete="current-password" autofocus required>
<button type="submit">Είσοδος</button>
</form></body></html>"""


def _signin_page(error: str = "") -> HTMLResponse:
    message = f'<p class="err" role="alert">{html.escape(error)}</p>' if error else ""
    return HTMLResponse(_SIGNIN_PAGE.format(error=message), status_code=401 if error else 200)


def create_app(settings: Settings, context: WebContext | None = None) -> FastAPI:
    """The whole web app: JSON API under /api (documented at /docs), guide files under /guides,
    an optional sign-in for the chat password, and the Gradio UI at /."""
    import gradio as gr

    from assistant.api import make_router, validation_handler
    from assistant.ui import CSS, HEAD, I18N, build_ui, make_theme

    ctx = context or WebContext(settings)
    app = FastAPI(
        title="Βοηθός Συνεργασίας ΟΤΑ & Φορέων ΚΑΛΟ — API",
        description=(
            "Ερωτήσεις πάνω στους οδηγούς συνεργασίας Δήμων και φορέων ΚΑΛΟ, με παραπομπές στις πηγές. "
            "Οι εγγραφές (ανέβασμα, αφαίρεση, επανευρετηρίαση) απαιτούν την κεφαλίδα `X-Admin-Password`; "
            "όταν έχει οριστεί κωδικός συνομιλίας, οι ερωτήσεις απαιτούν `X-Chat-Password`."
        ),
        version="1.0",
    )
    app.state.kalo = ctx
    app.include_router(make_router(ctx))
    app.add_exception_handler(RequestValidationError, validation_handler)

    @app.middleware("http")
    async def chat_password(request: Request, call_next):
        path = request.url.path
        length = int(request.headers.get("content-length") or 0)
        if path.startswith("/api/") and length > settings.max_upload_mb * 1024 * 1024 * 10:
            return JSONResponse({"detail": "Το αίτημα είναι πολύ μεγάλο."}, status_code=413)
        if (
            not ctx.chat_protected
            or path.startswith(_PUBLIC_PATHS)
            or path.startswith("/api/")
            or ctx.may_chat(request)
        ):
            return await call_next(request)  # API routes check the password themselves (JSON errors)
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse("signin", status_code=303)
        return JSONResponse({"detail": "Απαιτείται σύνδεση με τον κωδικό πρόσβασης."}, status_code=401)

    @app.get("/signin", include_in_schema=False)
    def signin_form():
        return _signin_page()

    @app.post("/signin", include_in_schema=False)
    async def signin(request: Request):
        form = await request.form()
        secret = settings.chat_password.get_secret_value()
        if not hmac.compare_digest(str(form.get("password", "")).encode(), secret.encode()):
            return _signin_page("Λάθος κωδικός. Δοκιμάστε ξανά.")
        response = RedirectResponse("./", status_code=303)
        response.set_cookie(CHAT_COOKIE, ctx.chat_token(), httponly=True, samesite="lax", max_age=12 * 3600)
        return response

    @app.get("/signout", include_in_schema=False)
    def signout():
        response = RedirectResponse("signin", status_code=303)
        response.delete_cookie(CHAT_COOKIE)
        return response

    @app.api_route("/guides/{source:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def guide_file(source: str):
        return guide_response(settings, source)

    blocks = build_ui(ctx)
    blocks.queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        footer_links=[],
        run_history=False,
        theme=make_theme(),
        css=CSS,
        head=HEAD,
        i18n=I18N,
        max_file_size=f"{int(settings.max_upload_mb * 4) + 1}mb",  # hard cap; the Greek check is max_upload_mb
        allowed_paths=[],
        show_error=False,
    )


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    import uvicorn

    ctx = WebContext(settings)
    app = create_app(settings, ctx)
    ctx.warm_up()
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="warning")
