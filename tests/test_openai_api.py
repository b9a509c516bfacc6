"""The OpenAI-compatible API (/v1) driven by the official `openai` client against a real uvicorn server on
loopback: models, answers with their sources (streamed and not), follow-ups from `messages`, the bearer
key, and errors in OpenAI's shape with Greek messages."""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager

import httpx
import openai
import pytest
from pydantic import SecretStr
from support.servers import free_port
from support.shared import shared_assistant

from assistant.core.settings import Settings
from assistant.core.types import Turn

QUESTION = "Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;"
FOLLOW_UP = "Και μετά;"  # means nothing without the question before it
MODELS = ["kalo-assistant", "kalo-assistant-municipal", "kalo-assistant-kalo"]


def build_app(settings: Settings, assistant):
    """The app `kalo serve` runs, over the given `Assistant`."""
    from fastapi import FastAPI

    from assistant.openai_api import mount

    app = FastAPI()
    mount(app, settings, lambda: assistant)
    return app


@contextmanager
def serving(app):
    """uvicorn in a thread on a free loopback port; yields the base URL once it accepts connections."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            thread.join(0.05)
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def assistant(bundled_settings):
    return shared_assistant(bundled_settings)


@pytest.fixture(scope="module")
def base_url(bundled_settings, assistant):
    with serving(build_app(bundled_settings, assistant)) as url:
        yield url


@pytest.fixture(scope="module")
def keyed_url(bundled_settings, assistant):
    settings = bundled_settings.model_copy(update={"api_key": SecretStr("kalo-test-key-42")})
    with serving(build_app(settings, assistant)) as url:
        yield url


@pytest.fixture
def client(base_url):
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0, timeout=60)


def cited_numbers(text: str) -> set[int]:
    return {int(n) for group in re.findall(r"\[(\d+(?:,\s*\d+)*)\]", text) for n in group.split(",")}


def test_models_are_the_assistant_per_audience(client):
    assert [m.id for m in client.models.list()] == MODELS
    assert client.models.retrieve("kalo-assistant-kalo").id == "kalo-assistant-kalo"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_answer_keeps_citations_and_carries_its_sources(client, assistant):
    response = client.chat.completions.create(
        model="kalo-assistant-municipal",
        messages=[{"role": "system", "content": "Απάντα σύντομα."}, {"role": "user", "content": QUESTION}],
    )
    text = response.choices[0].message.content
    extra = response.model_extra
    assert response.object == "chat.completion" and response.choices[0].finish_reason == "stop"
    assert extra["found"] is True
    direct = assistant.ask(QUESTION, "municipal")  # the system message changes nothing
    assert extra["answer"] == direct.text and text.startswith(direct.text)

    sources = extra["sources"]
    assert sources and [s["n"] for s in sources] == [s.n for s in direct.cited_sources]
    assert cited_numbers(extra["answer"]) <= {s["n"] for s in sources}
    for s in sources:
        assert s["guide_title"] and s["section"] and s["excerpt"] and s["page_start"] >= 1
        assert s["url"].startswith(str(client.base_url).removesuffix("v1/") + "guides/")
    # Clients that only show text still see where each [n] comes from.
    block = text[len(direct.text) :]
    assert block.startswith("\n\n**Πηγές**\n")
    for s in sources:
        assert f"- [{s['n']}] {s['guide_title']}, {s['section']}, σελ. {s['pages']} — {s['url']}" in block


def test_follow_up_history_comes_from_messages(client, assistant):
    first = client.chat.completions.create(model="kalo-assistant", messages=[{"role": "user", "content": QUESTION}])
    shown = first.choices[0].message.content  # with its «Πηγές» block, as a front-end sends it back
    messages = [
        {"role": "system", "content": "Είσαι βοηθός."},
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": shown},
        {"role": "user", "content": [{"type": "text", "text": FOLLOW_UP}]},  # content parts are accepted
    ]
    follow = client.chat.completions.create(model="kalo-assistant", messages=messages).model_extra
    history = [Turn(role="user", content=QUESTION), Turn(role="assistant", content=first.model_extra["answer"])]
    expected = assistant.ask(FOLLOW_UP, None, history)
    assert follow["found"] is True and follow["answer"] == expected.text
    assert follow["standalone_question"] == expected.standalone_question != FOLLOW_UP
    alone = client.chat.completions.create(model="kalo-assistant", messages=[{"role": "user", "content": FOLLOW_UP}])
    assert alone.model_extra["answer"] != follow["answer"]


def test_streaming_gives_the_same_answer_and_sources_last(client):
    messages = [{"role": "user", "content": QUESTION}]
    whole = client.chat.completions.create(model="kalo-assistant-municipal", messages=messages)
    chunks = list(client.chat.completions.create(model="kalo-assistant-municipal", messages=messages, stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert {c.id for c in chunks} == {chunks[0].id} and all(c.object == "chat.completion.chunk" for c in chunks)
    assert len(chunks) > 4  # the answer arrives in pieces
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == whole.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert last.model_extra["sources"] == whole.model_extra["sources"]
    assert last.model_extra["answer"] == whole.model_extra["answer"]


def test_stream_is_server_sent_events_ending_with_done(base_url):
    body = {"model": "kalo-assistant", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.stream("POST", f"{base_url}/v1/chat/completions", json=body, timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line for line in response.iter_lines() if line]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]" and '"sources"' in events[-2]


def test_not_covered_question_says_so_with_nearest_sections(client):
    response = client.chat.completions.create(
        model="kalo-assistant", messages=[{"role": "user", "content": "Τι καιρό θα κάνει αύριο στην Αθήνα;"}]
    )
    extra = response.model_extra
    assert extra["found"] is False and extra["sources"] == []
    assert response.choices[0].message.content.startswith("Δεν βρήκα απάντηση στους οδηγούς.")


def test_bearer_key(keyed_url):
    def client(key: str) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{keyed_url}/v1", api_key=key, max_retries=0, timeout=60)

    wrong = client("wrong-key")
    with pytest.raises(openai.AuthenticationError) as info:
        wrong.chat.completions.create(model="kalo-assistant", messages=[{"role": "user", "content": QUESTION}])
    assert info.value.status_code == 401 and info.value.code == "invalid_api_key"
    assert "κλειδί API" in info.value.message
    with pytest.raises(openai.AuthenticationError):
        wrong.models.list()
    missing = httpx.get(f"{keyed_url}/v1/models", timeout=30)  # no Authorization header at all
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "invalid_api_key"
    assert missing.headers["www-authenticate"] == "Bearer"
    good = client("kalo-test-key-42")
    assert [m.id for m in good.models.list()] == MODELS
    answer = good.chat.completions.create(model="kalo-assistant", messages=[{"role": "user", "content": QUESTION}])
    assert answer.model_extra["found"] is True


def test_errors_are_in_openai_shape_with_greek_messages(client, base_url, make_settings):
    from assistant.service import Assistant

    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert info.value.code == "model_not_found" and "Άγνωστο μοντέλο" in info.value.message
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="kalo-assistant", messages=[{"role": "system", "content": "Γεια"}])
    assert "τελευταίο μήνυμα" in info.value.message
    raw = httpx.post(f"{base_url}/v1/chat/completions", content=b"{not json", timeout=30)
    assert raw.status_code == 400 and raw.json()["error"]["type"] == "invalid_request_error"

    empty = make_settings()  # no index yet
    with serving(build_app(empty, Assistant(empty))) as url:
        fresh = openai.OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0, timeout=60)
        for stream in (False, True):
            with pytest.raises(openai.APIStatusError) as info:
                fresh.chat.completions.create(
                    model="kalo-assistant", messages=[{"role": "user", "content": QUESTION}], stream=stream
                )
            assert info.value.status_code == 503 and info.value.code == "index_missing"
            assert "ευρετήριο" in info.value.message and "kalo ingest" in info.value.message
