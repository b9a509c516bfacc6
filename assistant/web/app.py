"""The web app as one FastAPI application (`kalo serve`): the JSON API under /api, the guide files under
/guides, an optional sign-in for the chat password, and the Gradio UI at /."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import gradio as gr
import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware

from assistant import openai_api, refresh
from assistant.core.errors import IngestError
from assistant.core.settings import Settings
from assistant.web.api import make_router, validation_handler
from assistant.web.context import CHAT_COOKIE, WebContext
from assistant.web.layout import I18N, build_ui, make_theme
from assistant.web.render import markdown_page, signin_page, static_text, text_page
from assistant.web.security import CORS_HEADERS, Guard
from ingest.loaders import read_text

# Reachable without the chat password: the sign-in page itself, the health check and the API description.
# /v1 (the OpenAI-compatible API) checks its own bearer key, which falls back to the chat password.
PUBLIC_PATHS = ("/signin", "/signout", "/api/health", "/docs", "/openapi.json", "/favicon.ico", "/v1/")
MARKDOWN = {".md", ".markdown"}
TEXT_TYPES = {
    ".md": "text/plain",
    ".markdown": "text/plain",
    ".txt": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
}
# A guide's own HTML may carry scripts: served sandboxed, it never runs in our origin.
HTML_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
SESSION_HOURS = 12
VIEWER_DIR = Path(__file__).parent / "static" / "viewer"
# PDF.js is loaded as ES modules, which browsers run only when served as JavaScript: the type is set here,
# not left to the machine's mime.types (and to what other packages register: «.mjs» is often unknown).
for _suffix in (".js", ".mjs"):
    mimetypes.add_type("text/javascript", _suffix)


def guide_response(path: Path | None) -> Response:
    """A guide file (resolved inside the corpus folder by the facade, or None). PDFs as they are (the
    browser's viewer opens them at #page=N); text as UTF-8 text, decoded as ingestion decoded it; HTML
    sandboxed; DOCX as a download."""
    if path is None:
        return JSONResponse({"detail": "Ο οδηγός δεν βρέθηκε."}, status_code=404)
    suffix = path.suffix.lower()
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    if suffix == ".pdf":
        return FileResponse(path, media_type="application/pdf", headers=headers, content_disposition_type="inline")
    if suffix in TEXT_TYPES:
        try:
            text = read_text(path)
        except IngestError:
            return FileResponse(path, headers=headers, filename=path.name)  # not text we can show: download
        if TEXT_TYPES[suffix] == "text/html":
            headers["Content-Security-Policy"] = HTML_POLICY
        if suffix in MARKDOWN:  # shown as a page, sandboxed like HTML guides; the guide's own markup stays text
            headers["Content-Security-Policy"] = HTML_POLICY
            return HTMLResponse(markdown_page(path.name, text), headers=headers)
        if suffix == ".txt":  # a page with readable lines and type, not the browser's bare monospace
            headers["Content-Security-Policy"] = HTML_POLICY
            return HTMLResponse(text_page(path.name, text), headers=headers)
        return Response(text, media_type=f"{TEXT_TYPES[suffix]}; charset=utf-8", headers=headers)
    return FileResponse(path, headers=headers, filename=path.name)


def mount_api_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the swagger-ui-bundle package's files (relative URLs: proxy prefixes work).
    That bundle is Swagger UI 4, which refuses an OpenAPI 3.1 document by its version field alone; it is
    handed the same document labelled 3.0.3 (FastAPI's schemas render there), /openapi.json stays 3.1."""
    from swagger_ui_bundle import swagger_ui_path

    @app.get("/docs/openapi.json", include_in_schema=False)
    def api_docs_schema():
        return JSONResponse({**app.openapi(), "openapi": "3.0.3"})

    app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def api_docs():
        page = get_swagger_ui_html(
            openapi_url="docs/openapi.json",
            title=f"{app.title} — τεκμηρίωση",
            swagger_js_url="docs-assets/swagger-ui-bundle.js",
            swagger_css_url="docs-assets/swagger-ui.css",
            swagger_favicon_url="data:,",
        )
        return HTMLResponse(page.body.decode("utf-8").replace('<html>', '<html lang="el">', 1))


def create_app(settings: Settings, context: WebContext | None = None) -> FastAPI:
    ctx = context or WebContext(settings)
    app = FastAPI(
        title="Βοηθός Συνεργασίας ΟΤΑ & Φορέων ΚΑΛΟ — API",
        description=(
            "Ερωτήσεις πάνω στους οδηγούς συνεργασίας Δήμων και φορέων ΚΑΛΟ, με παραπομπές στις πηγές. "
            "Οι εγγραφές (ανέβασμα, αφαίρεση, επανευρετηρίαση) απαιτούν την κεφαλίδα `X-Admin-Password`; "
            "όταν έχει οριστεί κωδικός συνομιλίας, οι ερωτήσεις απαιτούν `X-Chat-Password`."
        ),
        version="1.0",
        docs_url=None,  # served below from local files: no CDN, so /docs works offline
        redoc_url=None,
    )
    app.state.kalo = ctx
    app.include_router(make_router(ctx))
    openai_api.mount(app, settings, lambda: ctx.assistant)  # /v1: chat completions, models
    refresh.mount(app, ctx)  # POST /api/reload, and the refresher that serve() starts
    app.add_exception_handler(RequestValidationError, validation_handler)
    # CORS off unless origins are configured (Gradio then adds none of its own); Guard outermost (#14).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=CORS_HEADERS,
    )
    app.add_middleware(Guard, settings=settings, context=ctx)

    @app.middleware("http")
    async def chat_password(request: Request, call_next):
        path = request.url.path
        length = int(request.headers.get("content-length") or 0)
        if path.startswith("/api/") and length > settings.max_upload_mb * 1024 * 1024 * 10:
            return JSONResponse({"detail": "Το αίτημα είναι πολύ μεγάλο."}, status_code=413)
        if not ctx.chat_protected or path.startswith(PUBLIC_PATHS) or path.startswith("/api/") or ctx.may_chat(request):
            return await call_next(request)  # API routes check the password themselves (JSON errors)
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse("signin", status_code=303)
        return JSONResponse({"detail": "Απαιτείται σύνδεση με τον κωδικό πρόσβασης."}, status_code=401)

    mount_api_docs(app)
    # The PDF viewer (PDF.js, package data): same origin and offline, framed by the app's guide dialog.
    app.mount("/viewer", StaticFiles(directory=str(VIEWER_DIR), html=True), name="viewer")

    @app.get("/signin", include_in_schema=False)
    def signin_form():
        return HTMLResponse(signin_page())

    @app.post("/signin", include_in_schema=False)
    async def signin(request: Request):
        form = await request.form()
        if not ctx.is_chat_password(str(form.get("password", ""))):
            return HTMLResponse(signin_page("Λάθος κωδικός. Δοκιμάστε ξανά."), status_code=401)
        response = RedirectResponse("./", status_code=303)
        response.set_cookie(CHAT_COOKIE, ctx.chat_token(), httponly=True, samesite="lax", max_age=SESSION_HOURS * 3600)
        return response

    @app.get("/signout", include_in_schema=False)
    def signout():
        response = RedirectResponse("signin", status_code=303)
        response.delete_cookie(CHAT_COOKIE)
        return response

    @app.api_route("/guides/{source:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def guide_file(source: str):
        return guide_response(ctx.assistant.guide_file(source))

    blocks = build_ui(ctx)
    blocks.queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        footer_links=[],
        run_history=False,
        theme=make_theme(),
        css=static_text("style.css"),
        head=static_text("head.html"),
        i18n=I18N,
        max_file_size=f"{int(settings.max_upload_mb * 4) + 1}mb",  # hard cap; the Greek check is max_upload_mb
        allowed_paths=[],
        show_error=False,
    )


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    ctx = WebContext(settings)
    app = create_app(settings, ctx)
    ctx.warm_up()
    app.state.refresher.start()  # refresh_interval checks and SIGHUP (several processes, one store)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="warning")
