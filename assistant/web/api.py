"""The JSON API (FastAPI, documented at /docs): ask, health, guides; writes need the admin password."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from assistant.core.errors import (
    ConfigError,
    GuideNotFoundError,
    IndexBusyError,
    IndexMissingError,
    KaloError,
    LLMError,
    ModelMismatchError,
    StoreUnavailableError,
)
from assistant.core.types import MAX_QUESTION_CHARS, Answer, Audience, Source, Turn
from assistant.refresh import loaded_version, store_version
from assistant.web.context import WebContext, header_text
from assistant.web.render import guide_url
from assistant.web.security import admin_refusal, client_of, history_refusal
from ingest.pipeline import report_dict
from ingest.status import GuideInfo

_STATUS: list[tuple[type[KaloError], int]] = [
    (GuideNotFoundError, 404),
    (IndexBusyError, 409),
    (IndexMissingError, 503),
    (ModelMismatchError, 503),
    (StoreUnavailableError, 503),
    (LLMError, 503),
    (ConfigError, 503),
]


def status_for(exc: KaloError) -> int:
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)


def kalo_error(exc: KaloError) -> HTTPException:
    return HTTPException(status_code=status_for(exc), detail=exc.el)


# -- models ------------------------------------------------------------------------------------------------
class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="Η ερώτηση, στα ελληνικά (ή greeklish).")
    audience: Audience | None = Field(None, description="municipal (στέλεχος Δήμου) ή kalo (στέλεχος φορέα ΚΑΛΟ).")
    history: list[Turn] = Field(default_factory=list, description="Προηγούμενα μηνύματα (όρια: max_history_*).")


class SourceOut(BaseModel):
    n: int
    guide_id: str
    guide_title: str
    source: str
    section: str
    page_start: int
    page_end: int
    pages: str
    excerpt: str
    article: str = Field("", description="Το άρθρο, όταν ο οδηγός είναι νομικό κείμενο («άρθρο 11»).")
    act: str = Field("", description="Η πράξη, όταν ο οδηγός είναι νομικό κείμενο («Ν. 3606/2007»).")
    label: str = Field(description="Η παραπομπή όπως τη διαβάζει ο χρήστης (οδηγός ή πράξη, ενότητα ή άρθρο, σελίδα).")
    url: str = Field(description="Ο οδηγός στην εφαρμογή (σχετική διεύθυνση, PDF ανοίγει στη σελίδα).")

    @classmethod
    def of(cls, s: Source) -> SourceOut:
        fields = s.model_dump(include=set(cls.model_fields))
        return cls(**fields, pages=s.pages, label=s.label(), url=guide_url(s.source, s.page_start))


class AskResponse(BaseModel):
    answer: str
    found: bool
    citations: list[int] = Field(description="Οι αριθμοί [n] που εμφανίζονται στην απάντηση.")
    sources: list[SourceOut] = Field(description="Οι πηγές που παραθέτει η απάντηση, με το απόσπασμα.")
    suggestions: list[SourceOut] = Field(description="Πλησιέστερες ενότητες όταν δεν βρέθηκε απάντηση.")
    related: list[SourceOut] = Field(
        default_factory=list, description="Οι ενότητες του «Δείτε επίσης» της απάντησης, με τη σειρά του."
    )
    answerer: str
    latency_ms: float

    @classmethod
    def of(cls, answer: Answer) -> AskResponse:
        cited = answer.cited_sources
        return cls(
            answer=answer.text,
            found=answer.found,
            citations=[s.n for s in cited],
            sources=[SourceOut.of(s) for s in cited],
            suggestions=[SourceOut.of(s) for s in answer.suggestions],
            related=[SourceOut.of(s) for s in answer.related],
            answerer=answer.answerer,
            latency_ms=round(answer.latency_ms, 1),
        )


class Health(BaseModel):
    status: Literal["ok", "no_index", "error"]
    index: bool
    guides: int
    chunks: int
    embedding_model: str
    answerer: str
    llm_model: str
    ingesting: bool
    detail: str = ""
    store_version: str = Field(
        "", description="Η τρέχουσα έκδοση της συλλογής στη βάση (κοινή σε όλες τις διεργασίες)."
    )
    index_version: str = Field(
        "", description="Η έκδοση από την οποία απαντά αυτή η διεργασία (κενό: δεν άνοιξε ακόμη)."
    )
    generation: str = Field("", description="Η γενιά του ευρετηρίου που σερβίρεται («initial»: η πρώτη).")
    built_at: str = Field("", description="Πότε ολοκληρώθηκε η γενιά που σερβίρεται (UTC).")


class GuideOut(GuideInfo):
    """A guide of the index with the address the app serves it at."""

    url: str

    @classmethod
    def of(cls, g: GuideInfo) -> GuideOut:
        return cls(**g.model_dump(), url=guide_url(g.source))


class UploadOut(BaseModel):
    name: str
    saved_as: str
    ok: bool
    message: str


def validation_handler(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """Bad input is a 400 with a Greek message (FastAPI's default is a 422 in English)."""
    fields = sorted({".".join(str(p) for p in e.get("loc", [])[1:]) or "σώμα" for e in exc.errors()})
    # The client's input is never echoed back (it may be 100 KB); where and what is enough.
    errors = [{k: v for k, v in e.items() if k in ("loc", "type", "msg")} for e in exc.errors()]
    return JSONResponse(
        {
            "detail": f"Μη έγκυρο αίτημα: ελέγξτε τα πεδία {', '.join(fields)}.",
            "errors": jsonable_encoder(errors),
        },
        status_code=400,
    )


def make_router(ctx: WebContext) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["kalo"])

    def require_chat(request: Request) -> None:
        if not ctx.may_chat(request):
            raise HTTPException(401, "Απαιτείται ο κωδικός πρόσβασης (κεφαλίδα X-Chat-Password).")

    def require_admin(request: Request, x_admin_password: Annotated[str | None, Header()] = None) -> None:
        if request.scope.get("state", {}).get("admin_checked"):
            return  # uploads: checked by the guard before the body was read
        refusal = admin_refusal(ctx, client_of(request.scope), header_text(x_admin_password))
        if refusal is not None:
            status, detail, headers = refusal
            raise HTTPException(status, detail, headers=headers or None)

    chat = [Depends(require_chat)]
    admin = [Depends(require_admin)]

    @router.post("/ask", response_model=AskResponse, dependencies=chat, summary="Ερώτηση στους οδηγούς")
    def ask(body: AskRequest) -> AskResponse:
        question = body.question.strip()
        if not question:
            raise HTTPException(400, "Η ερώτηση είναι κενή.")
        too_long = history_refusal(body.history, ctx.settings)
        if too_long:
            raise HTTPException(422, too_long)
        try:
            return AskResponse.of(ctx.assistant.ask(question, body.audience, body.history))
        except KaloError as exc:
            raise kalo_error(exc) from None

    @router.get("/health", response_model=Health, summary="Κατάσταση υπηρεσίας")
    def health() -> Health:
        s = ctx.settings
        base = {"answerer": s.answerer, "llm_model": s.llm_model, "ingesting": False}
        try:
            base["ingesting"] = ctx.assistant.busy
            info = ctx.assistant.status()
            base |= {
                "store_version": store_version(ctx.assistant.store),
                "index_version": loaded_version(ctx.assistant) or "",
                "generation": info.generation,
                "built_at": info.built_at,
            }
        except IndexMissingError as exc:
            return Health(status="no_index", index=False, guides=0, chunks=0, embedding_model="", detail=exc.el, **base)
        except KaloError as exc:
            return Health(status="error", index=False, guides=0, chunks=0, embedding_model="", detail=exc.el, **base)
        return Health(
            status="ok" if info.guides else "no_index",
            index=bool(info.guides),
            guides=len(info.guides),
            chunks=info.chunks,
            embedding_model=info.embedding_model,
            **base,
        )

    @router.get("/guides", response_model=list[GuideOut], dependencies=chat, summary="Οι οδηγοί του ευρετηρίου")
    def guides() -> list[GuideOut]:
        try:
            return [GuideOut.of(g) for g in ctx.assistant.guides()]
        except KaloError as exc:
            raise kalo_error(exc) from None

    @router.post("/guides", dependencies=admin, summary="Ανέβασμα οδηγών και ευρετηρίαση")
    def upload(
        files: Annotated[list[UploadFile], File(description="PDF, DOCX, MD, TXT ή HTML")],
        overwrite: Annotated[bool, Form(description="Αντικατάσταση αρχείου με το ίδιο όνομα")] = False,
    ):
        with tempfile.TemporaryDirectory(prefix="kalo-api-") as tmp:
            uploads = []
            for i, f in enumerate(files):
                path = Path(tmp) / f"{i}.upload"
                with path.open("wb") as out:
                    shutil.copyfileobj(f.file, out)
                uploads.append((f.filename or path.name, path))
            try:
                results, report = ctx.assistant.add_guides(uploads, overwrite=overwrite)
            except KaloError as exc:
                raise kalo_error(exc) from None
        out = [UploadOut(name=r.name, saved_as=r.saved_as, ok=r.ok, message=r.message_el).model_dump() for r in results]
        if report is None:  # nothing was accepted
            detail = " ".join(r.message_el for r in results) or "Δεν στάλθηκε κανένα αρχείο."
            return JSONResponse({"detail": detail, "results": out}, status_code=400)
        return JSONResponse({"results": out, "report": report_dict(report)}, status_code=201)

    @router.delete("/guides/{source:path}", dependencies=admin, summary="Αφαίρεση οδηγού")
    def remove(source: str):
        try:
            return report_dict(ctx.assistant.remove(source))
        except KaloError as exc:
            raise kalo_error(exc) from None

    @router.post("/reindex", dependencies=admin, summary="Επανευρετηρίαση όλων των οδηγών")
    def reindex():
        try:
            return report_dict(ctx.assistant.ingest(beside=True))  # switched to only when complete
        except KaloError as exc:
            raise kalo_error(exc) from None

    @router.get("/feedback", dependencies=admin, summary="Εξαγωγή αξιολογήσεων (JSONL ή CSV)")
    def feedback(
        format: Literal["jsonl", "csv"] = "jsonl",
        only_negative: Annotated[bool, Query(description="Μόνο οι αρνητικές (👎)")] = False,
    ):
        media = "application/x-ndjson" if format == "jsonl" else "text/csv"
        return PlainTextResponse(ctx.feedback.export(format, only_negative), media_type=f"{media}; charset=utf-8")

    return router
