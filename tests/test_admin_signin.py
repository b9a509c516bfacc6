"""The «Οδηγοί» tab's admin sign-in backs off per client, as the JSON API does: one client's guesses do not
lock out another, the refusal is in Greek, and each failure is logged with the client's address."""

from __future__ import annotations

import logging

import gradio as gr
import pytest
from gradio.helpers import special_args
from pydantic import SecretStr
from starlette.requests import Request

from assistant.web import admin, layout
from assistant.web.context import WebContext


def _request(host: str) -> gr.Request:
    scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "client": (host, 50000)}
    return gr.Request(request=Request(scope))


@pytest.fixture
def ctx(synthetic_settings, synthetic_assistant) -> WebContext:
    # A first wait of a minute, so that a lock never lapses between two steps of a test on a slow machine.
    settings = synthetic_settings.model_copy(update={"admin_password": SecretStr("σωστός"), "admin_first_wait_s": 60})
    return WebContext(settings, assistant=synthetic_assistant)


def test_guesses_from_one_client_back_off_that_client_only(ctx, caplog):
    guesser, colleague = _request("10.0.0.7"), _request("10.0.0.8")
    with caplog.at_level(logging.WARNING, logger="kalo.web"):
        results = [admin.admin_login(ctx, f"guess{i}", guesser) for i in range(ctx.settings.admin_free_failures + 2)]
    assert [r[0] for r in results] == [False] * (ctx.settings.admin_free_failures + 2)
    assert "Λάθος κωδικός διαχειριστή" in results[0][3]
    assert "Δοκιμάστε ξανά σε" in results[-1][3]  # Greek, with the wait
    assert admin.admin_login(ctx, "σωστός", guesser)[0] is False  # the right password waits its turn too
    assert admin.admin_login(ctx, "σωστός", colleague)[0] is True  # another client is not locked out
    failures = [r.getMessage() for r in caplog.records if "admin sign-in failed" in r.getMessage()]
    assert len(failures) >= ctx.settings.admin_free_failures and all("10.0.0.7" in m for m in failures)


def test_the_tab_and_the_api_share_a_client_s_count(ctx):
    from assistant.web.security import admin_refusal

    for i in range(ctx.settings.admin_free_failures):
        assert admin.admin_login(ctx, f"guess{i}", _request("10.0.0.9"))[0] is False
    status, detail, headers = admin_refusal(ctx, "10.0.0.9", f"guess{ctx.settings.admin_free_failures}")  # one more, over the API
    assert status == 401
    status, detail, headers = admin_refusal(ctx, "10.0.0.9", "σωστός")
    assert status == 429 and "Retry-After" in headers and "Δοκιμάστε ξανά" in detail
    assert admin.admin_login(ctx, "σωστός", _request("10.0.0.10"))[0] is True


def test_the_sign_in_event_is_given_the_client_s_request(ctx):
    """Gradio injects `gr.Request` into the layout's sign-in handler by its type hint: called the way Gradio
    calls it, guesses from one address lock that address and not another."""
    demo = layout.build_ui(ctx)
    (sign_in,) = [b.fn for b in demo.fns.values() if getattr(b.fn, "__name__", "") == "sign_in"]

    def call(password: str, host: str):
        args, *_ = special_args(sign_in, [password], request=Request(_request(host).request.scope))
        return sign_in(*args)

    for i in range(ctx.settings.admin_free_failures + 1):
        call(f"guess{i}", "192.0.2.1")
    assert "Δοκιμάστε ξανά σε" in call("σωστός", "192.0.2.1")[3]
    assert call("σωστός", "192.0.2.2")[0] is True
