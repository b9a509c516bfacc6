"""The app's outer guard (ASGI middleware): request body size counted as it arrives (chunked too), JSON
shape limits (depth, number size, NaN, lone surrogates), security headers, and the admin sign-in throttle."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.core.settings import Settings
from assistant.web.render import count_of

log = logging.getLogger("kalo.web")

UPLOAD_PATHS = ("/api/guides", "/gradio_api/upload", "/upload")  # multipart bodies: the upload cap applies
JSON_PREFIXES = ("/api/", "/v1/")  # JSON bodies parsed by us before the app sees them
CORS_HEADERS = ["content-type", "authorization", "x-chat-password", "x-admin-password"]
MAX_JSON_DEPTH = 32  # our requests nest 4 levels (messages → content parts → fields)
MAX_NUMBER_CHARS = 32  # a number longer than this is no audience, page or temperature
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class BadJSON(ValueError):
    """A JSON body we refuse to hand to the app; `el` is the Greek detail."""

    def __init__(self, el: str) -> None:
        super().__init__(el)
        self.el = el


def _number(text: str):
    if len(text) > MAX_NUMBER_CHARS:
        raise BadJSON(f"Μη έγκυρο αίτημα: αριθμός με περισσότερα από {MAX_NUMBER_CHARS} ψηφία.")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _constant(_name: str):
    raise BadJSON("Μη έγκυρο αίτημα: οι τιμές NaN και Infinity δεν επιτρέπονται.")


def _check_strings(value) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadJSON(
                "Μη έγκυρο αίτημα: το κείμενο περιέχει μη έγκυρους χαρακτήρες (μισό ζεύγος UTF-16)."
            ) from None
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_strings(k)
            _check_strings(v)
    elif isinstance(value, list):
        for v in value:
            _check_strings(v)


def check_json(body: bytes) -> None:
    """Refuse, in linear time and without recursion, what would crash or stall a JSON parser downstream."""
    depth = peak = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b"", body)):
        depth += 1 if bracket in b"[{" else -1
        peak = max(peak, depth)
        if peak > MAX_JSON_DEPTH:
            raise BadJSON(f"Μη έγκυρο αίτημα: το JSON έχει βάθος πάνω από {MAX_JSON_DEPTH} επίπεδα.")
    try:
        value = json.loads(body, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, BadJSON):
            raise
        raise BadJSON("Μη έγκυρο αίτημα: το σώμα δεν είναι έγκυρο JSON σε UTF-8.") from None
    _check_strings(value)


# -- admin sign-in throttle ------------------------------------------------------------------------------------
class SignInThrottle:
    """Per-client exponential back-off after repeated wrong passwords: `free` failures, then `first` seconds
    (1 s), twice that, four times … up to `ceiling` seconds. Remembers at most `clients` addresses (least
    recently failed forgotten)."""

    def __init__(
        self,
        free: int = 5,
        ceiling: float = 900.0,
        clients: int = 10_000,
        clock=time.monotonic,
        first: float = 1.0,
    ) -> None:
        self.free, self.ceiling, self.clients, self.clock, self.first = free, ceiling, clients, clock, first
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # client → (count, locked until)
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> float:
        """Seconds this client must wait before its next attempt (0: it may try now)."""
        with self._lock:
            _count, until = self._failures.get(client, (0, 0.0))
        return max(0.0, until - self.clock())

    def failed(self, client: str) -> None:
        with self._lock:
            count, _ = self._failures.pop(client, (0, 0.0))
            count += 1
            wait = 0.0 if count <= self.free else min(self.ceiling, self.first * 2.0 ** (count - self.free - 1))
            self._failures[client] = (count, self.clock() + wait)
            while len(self._failures) > self.clients:
                self._failures.popitem(last=False)
        log.warning("admin sign-in failed from %s (%d in a row; next attempt in %.0f s)", client, count, wait)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


_THROTTLE_LOCK = threading.Lock()


def admin_throttle(owner) -> SignInThrottle:
    """The throttle of one app (kept on its shared context, so API and UI count the same failures)."""
    with _THROTTLE_LOCK:
        throttle = getattr(owner, "_admin_throttle", None)
        if throttle is None:
            settings = getattr(owner, "settings", None)
            throttle = (
                SignInThrottle(
                    settings.admin_free_failures, settings.admin_max_wait_s, first=settings.admin_first_wait_s
                )
                if settings is not None
                else SignInThrottle()
            )
            owner._admin_throttle = throttle
        return throttle


def wait_detail(seconds: float) -> str:
    wait = count_of(max(1, round(seconds)), "δευτερόλεπτο", "δευτερόλεπτα")
    return f"Πολλές αποτυχημένες προσπάθειες σύνδεσης. Δοκιμάστε ξανά σε {wait}."


def admin_refusal(ctx, client: str, password: str) -> tuple[int, str, dict[str, str]] | None:
    """None when `password` is the admin password and the client is not throttled; else (status, Greek
    detail, headers). Counts the failure."""
    if not ctx.admin_enabled:
        return 403, "Η διαχείριση οδηγών είναι απενεργοποιημένη: ορίστε τη μεταβλητή KALO_ADMIN_PASSWORD.", {}
    throttle = admin_throttle(ctx)
    wait = throttle.retry_after(client)
    if wait > 0:
        return 429, wait_detail(wait), {"Retry-After": str(max(1, round(wait)))}
    if not ctx.is_admin(password):
        throttle.failed(client)
        return 401, "Λάθος ή κενός κωδικός διαχειριστή (κεφαλίδα X-Admin-Password).", {}
    throttle.succeeded(client)
    return None


def client_of(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


# -- the middleware --------------------------------------------------------------------------------------------
class _TooLarge(Exception):
    pass


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


async def _json_response(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": _with_security(raw, "/api/")})
    await send({"type": "http.response.body", "body": body})


def _with_security(headers: list, path: str) -> list:
    names = {k.lower() for k, _ in headers}
    framed = path.startswith(("/guides/", "/viewer/"))  # guides open in the app's own viewer (an iframe of this origin)
    extra = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"SAMEORIGIN" if framed else b"DENY")]
    ancestors = b"frame-ancestors 'self'" if framed else b"frame-ancestors 'none'"
    out = [(k, v) for k, v in headers if k.lower() != b"content-security-policy"]
    policies = [v for k, v in headers if k.lower() == b"content-security-policy"]
    out.append((b"content-security-policy", b"; ".join([*policies, ancestors]) if policies else ancestors))
    out += [(k, v) for k, v in extra if k not in names]
    out.append((b"referrer-policy", b"same-origin")) if b"referrer-policy" not in names else None
    return out


class Guard:
    """Pure ASGI middleware (registered with `app.add_middleware(Guard, settings=…, context=…)`)."""

    def __init__(self, app: ASGIApp, settings: Settings, context=None) -> None:
        self.app = app
        self.settings = settings
        self.context = context

    def _limit(self, path: str) -> int:
        if path.startswith(UPLOAD_PATHS):
            return int(self.settings.max_upload_mb * 4 * 1024 * 1024)  # several files per request
        return int(self.settings.max_request_kb * 1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self._limit(path)
        too_large = f"Το αίτημα είναι πολύ μεγάλο (όριο {limit // 1024} KB)."
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            await _json_response(send, 413, too_large)
            return
        method = scope.get("method", "GET")
        # Uploads are authenticated before a byte of them is read (never spooled to disk for a stranger).
        if method == "POST" and path.rstrip("/") == "/api/guides" and self.context is not None:
            from assistant.web.context import header_text

            refusal = admin_refusal(self.context, client_of(scope), header_text(_header(scope, b"x-admin-password")))
            if refusal is not None:
                await _json_response(send, *refusal)
                return
            scope.setdefault("state", {})["admin_checked"] = True

        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        inner_receive: Receive = counted
        json_body = method in ("POST", "PUT", "PATCH") and path.startswith(JSON_PREFIXES)
        if json_body and "json" in _header(scope, b"content-type"):
            chunks = []
            try:
                while True:
                    message = await counted()
                    if message["type"] != "http.request":
                        break
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        break
            except _TooLarge:
                await _json_response(send, 413, too_large)
                return
            body = b"".join(chunks)
            try:
                check_json(body)
            except BadJSON as exc:
                await _json_response(send, 422, exc.el)
                return
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            inner_receive = replay

        started = overflowed = False

        async def guarded() -> Message:
            nonlocal overflowed
            try:
                return await inner_receive()
            except _TooLarge:
                overflowed = True
                raise

        async def secured(message: Message) -> None:
            nonlocal started
            if overflowed:  # whatever the app says about a body it could not finish reading, it was too large
                if not started:
                    started = True
                    await _json_response(send, 413, too_large)
                return
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": _with_security(list(message.get("headers", [])), path)}
            await send(message)

        try:
            await self.app(scope, guarded, secured)
        except _TooLarge:
            if not started:
                await _json_response(send, 413, too_large)
        except Exception:
            if overflowed and not started:
                await _json_response(send, 413, too_large)
                return
            raise


def history_refusal(history, settings: Settings) -> str:
    """The Greek reason a conversation's history is too long to take (empty: it is fine). Never echoes it."""
    if len(history) > settings.max_history_turns:
        return f"Το ιστορικό της συζήτησης έχει {len(history)} μηνύματα· το όριο είναι {settings.max_history_turns}."
    chars = sum(len(t.content) for t in history)
    if chars > settings.max_history_chars:
        return (
            f"Το ιστορικό της συζήτησης είναι πολύ μεγάλο ({chars} χαρακτήρες· όριο {settings.max_history_chars}). "
            "Ξεκινήστε νέα συζήτηση."
        )
    return ""
