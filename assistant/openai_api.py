"""The OpenAI-compatible API under /v1 (chat completions, streamed or not, and models), so that any OpenAI
client or front-end (Open WebUI, LibreChat) can use the assistant, with its sources.

Models: `kalo-assistant` (no audience) and `kalo-assistant-<audience>` for each configured audience.
The answer text keeps its [n] markers and ends with a «Πηγές» block for clients that only show text.
Machine-readable sources: `sources` (cited passages: n, guide, section, pages, excerpt, url), `suggestions`
(nearest sections when nothing was found), `found` and `answer` (the verified text, without the block) are
extra top-level fields of the response, and of the last chunk (the one with `finish_reason`) when streaming.
History comes from `messages`: user/assistant turns; system and tool messages are ignored.
"""

from __future__ import annotations

import hmac
import itertools
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from assistant.core.errors import IndexBusyError, KaloError
from assistant.core.settings import Settings
from assistant.core.types import AUDIENCE_LABELS, Answer, Source, Turn, question_too_long
from assistant.web.security import history_refusal

log = logging.getLogger("kalo.openai")

MODEL = "kalo-assistant"
MAX_HISTORY = 40  # turns kept from `messages`
SOURCES_HEADING = "**Πηγές**"
SUGGESTIONS_HEADING = "**Σχετικές ενότητες των οδηγών**"
_BLOCK = re.compile(r"\n+(?:" + re.escape(SOURCES_HEADING) + "|" + re.escape(SUGGESTIONS_HEADING) + r")\n.*\Z", re.S)


class OpenAIError(Exception):
    """An error as OpenAI clients expect it: {"error": {message, type, param, code}} with an HTTP status."""

    def __init__(self, status: int, message: str, type_: str, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type_, code, param

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def response(self) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse(self.body(), status_code=self.status, headers=headers)

    @classmethod
    def of(cls, exc: KaloError) -> OpenAIError:
        """Our errors keep their Greek message; the code is the error's name (index_missing, …)."""
        code = re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__.removesuffix("Error")).lower()
        status = 409 if isinstance(exc, IndexBusyError) else 503
        return cls(status, exc.el, "server_error", code=code or "kalo_error")


BROKEN = OpenAIError(500, "Παρουσιάστηκε σφάλμα κατά τη σύνταξη της απάντησης. Δοκιμάστε ξανά.", "server_error")


# -- request --------------------------------------------------------------------------------------------------
class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: keep the text ones
            return "\n".join(str(p.get("text", "")) for p in self.content if p.get("type") in {"text", "input_text"})
        return self.content or ""


class ChatRequest(BaseModel):
    """The fields we use; every other OpenAI parameter (temperature, max_tokens, …) is accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False


def model_ids(settings: Settings) -> dict[str, str | None]:
    """Model id → audience (None: no audience preference)."""
    return {MODEL: None} | {f"{MODEL}-{audience}": audience for audience in settings.audience_guides}


def conversation(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The last user message is the question; earlier user/assistant messages are the history (our own
    sources block is taken off assistant turns, so follow-ups are condensed from the answer text)."""
    turns = [(m.role, m.text().strip()) for m in messages if m.role in {"user", "assistant"}]
    if not turns or turns[-1][0] != "user" or not turns[-1][1]:
        raise OpenAIError(
            400,
            "Το τελευταίο μήνυμα πρέπει να είναι ερώτηση του χρήστη (role «user»).",
            "invalid_request_error",
            param="messages",
        )
    question = turns[-1][1]
    if too_long := question_too_long(question):
        raise OpenAIError(400, too_long, "invalid_request_error", param="messages")
    history = [Turn(role=role, content=_BLOCK.sub("", text)) for role, text in turns[:-1] if text]
    return question, history[-MAX_HISTORY:]


# -- response -------------------------------------------------------------------------------------------------
def guide_link(base_url: str, source: str, page: int) -> str:
    """Absolute, since an OpenAI front-end is not at our origin; PDFs open at the page."""
    url = f"{base_url.rstrip('/')}/guides/{quote(source)}"
    return f"{url}#page={page}" if page and source.lower().endswith(".pdf") else url


def source_json(s: Source, base_url: str) -> dict:
    fields = s.model_dump(include={"n", "guide_id", "guide_title", "source", "section", "page_start", "page_end"})
    return fields | {"pages": s.pages, "excerpt": s.excerpt, "url": guide_link(base_url, s.source, s.page_start)}


def sources_block(answer: Answer, base_url: str) -> str:
    """The «Πηγές» block appended to the text (a Markdown list: Open WebUI and LibreChat render it)."""
    if answer.found and answer.cited_sources:
        lines = [
            f"- [{s.n}] {s.label()} — {guide_link(base_url, s.source, s.page_start)}" for s in answer.cited_sources
        ]
        return "\n\n" + SOURCES_HEADING + "\n" + "\n".join(lines)
    if answer.suggestions:
        lines = [f"- {s.label()} — {guide_link(base_url, s.source, s.page_start)}" for s in answer.suggestions]
        return "\n\n" + SUGGESTIONS_HEADING + "\n" + "\n".join(lines)
    return ""


def answer_fields(answer: Answer, base_url: str) -> dict:
    return {
        "found": answer.found,
        "answer": answer.text,
        "standalone_question": answer.standalone_question,  # the follow-up as it was searched
        "sources": [source_json(s, base_url) for s in answer.cited_sources],
        "suggestions": [source_json(s, base_url) for s in answer.suggestions],
        "related": [source_json(s, base_url) for s in answer.related],  # what «Δείτε επίσης» names
    }


class Completion:
    """Builds the completion objects of one request (one id, one timestamp)."""

    def __init__(self, model: str) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model

    def whole(self, text: str, extra: dict) -> dict:
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "finish_reason": "stop",
            "logprobs": None,
        }
        return self._base("chat.completion") | {"choices": [choice]} | extra

    def chunk(self, delta: dict, finish_reason: str | None = None, extra: dict | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return sse(self._base("chat.completion.chunk") | {"choices": [choice]} | (extra or {}))

    def _base(self, kind: str) -> dict:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}


def sse(data: dict) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


# -- the router -----------------------------------------------------------------------------------------------
def mount(app: FastAPI, settings: Settings, assistant: Callable[[], Any]) -> None:
    """Add /v1 to the app, with its errors in OpenAI's shape (register before a catch-all mount at /)."""
    app.include_router(make_router(settings, assistant))
    app.add_exception_handler(OpenAIError, lambda _request, exc: exc.response())


def make_router(settings: Settings, assistant: Callable[[], Any]) -> APIRouter:
    """`assistant()` returns the process's `Assistant` (created lazily by the web context)."""
    models = model_ids(settings)

    def authorize(request: Request) -> None:
        # KALO_API_KEY, else the chat password: /v1 never opens a chat that the web app keeps closed.
        secret = (settings.api_key.get_secret_value() or settings.chat_password.get_secret_value()).encode()
        if not secret:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), secret):
            raise OpenAIError(
                401,
                "Λάθος ή κενό κλειδί API (κεφαλίδα Authorization: Bearer …).",
                "invalid_request_error",
                code="invalid_api_key",
            )

    router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], dependencies=[Depends(authorize)])

    def model_card(model_id: str) -> dict:
        audience = models[model_id]
        name = "Βοηθός ΚΑΛΟ" + (f" — {AUDIENCE_LABELS.get(audience, audience)}" if audience else "")
        return {"id": model_id, "object": "model", "created": 0, "owned_by": "kalo-assistant", "name": name}

    @router.get("/models", summary="Τα «μοντέλα»: ο βοηθός, ανά κοινό")
    def list_models():
        return {"object": "list", "data": [model_card(m) for m in models]}

    @router.get("/models/{model_id}", summary="Ένα «μοντέλο»")
    def get_model(model_id: str):
        if model_id not in models:
            raise unknown_model(model_id)
        return model_card(model_id)

    @router.post(
        "/chat/completions",
        summary="Απάντηση με παραπομπές (συμβατό με OpenAI· stream=true για SSE)",
        openapi_extra={"requestBody": {"content": {"application/json": {"schema": ChatRequest.model_json_schema()}}}},
    )
    async def chat_completions(request: Request):
        try:
            return await respond(request)
        except OpenAIError as exc:
            return exc.response()
        except KaloError as exc:
            return OpenAIError.of(exc).response()
        except Exception:  # still an OpenAI-shaped answer, so that clients show a message
            log.exception("chat completion failed")
            return BROKEN.response()

    async def respond(request: Request):
        body = await read_request(request)
        if body.model not in models:
            raise unknown_model(body.model)
        question, history = conversation(body.messages)
        if too_long := history_refusal(history, settings):  # before any work (#14)
            raise OpenAIError(422, too_long, "invalid_request_error", param="messages")
        base_url = str(request.base_url)
        completion = Completion(body.model)
        # Start the answer here, so that a missing index or a store that is down is an HTTP error (with
        # its status) and not a stream that breaks off.
        events = assistant().stream(question, models[body.model], history)
        first = await run_in_threadpool(next, events)
        if body.stream:
            return StreamingResponse(
                stream_events(completion, itertools.chain([first], events), base_url),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},  # nginx: do not buffer
            )
        answer = first if isinstance(first, Answer) else await run_in_threadpool(last_answer, events)
        return completion.whole(answer.text + sources_block(answer, base_url), answer_fields(answer, base_url))

    return router


async def read_request(request: Request) -> ChatRequest:
    try:
        return ChatRequest.model_validate(await request.json())
    except ValueError as exc:  # bad JSON, or a ValidationError (a ValueError too)
        param = None
        if isinstance(exc, ValidationError) and exc.errors():
            param = ".".join(str(p) for p in exc.errors()[0].get("loc", ())) or None
        raise OpenAIError(
            400, "Μη έγκυρο αίτημα: χρειάζονται τα πεδία «model» και «messages».", "invalid_request_error", param=param
        ) from None


def unknown_model(model_id: str) -> OpenAIError:
    return OpenAIError(
        404,
        f"Άγνωστο μοντέλο «{model_id}». Δείτε το GET /v1/models.",
        "invalid_request_error",
        code="model_not_found",
        param="model",
    )


def last_answer(events: Iterator) -> Answer:
    final = None
    for event in events:
        if isinstance(event, Answer):
            final = event
    assert final is not None, "Assistant.stream ends with the Answer"
    return final


def stream_events(completion: Completion, events: Iterator, base_url: str) -> Iterator[str]:
    """SSE: a role chunk, the text pieces as they come, the «Πηγές» block, the last chunk with the
    sources, then [DONE]. An error half-way is sent as an OpenAI error event (clients raise it)."""
    yield completion.chunk({"role": "assistant", "content": ""})
    try:
        for event in events:
            if isinstance(event, Answer):
                if block := sources_block(event, base_url):
                    yield completion.chunk({"content": block})
                yield completion.chunk({}, "stop", answer_fields(event, base_url))
                break
            yield completion.chunk({"content": event})
    except KaloError as exc:
        yield sse(OpenAIError.of(exc).body())
        return
    except Exception:  # the client must hear that the answer broke off, not see it end quietly
        log.exception("chat completion stream failed")
        yield sse(BROKEN.body())
        return
    yield "data: [DONE]\n\n"
