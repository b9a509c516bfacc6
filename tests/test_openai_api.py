"""The OpenAI-compatible API (/v1) driven by the official `openai` client against the whole app served by
uvicorn on loopback (synthetic guides, fake-hash embeddings): models, answers with their sources (streamed
and not), follow-ups from `messages`, the bearer key, and errors in OpenAI's shape with Greek messages."""

from __future__ import annotations

import re

import httpx
import openai
import pytest
from pydantic import SecretStr
from support.synthetic import ENERGY, PANTRIES
from support.web import serve

from assistant.core.types import Turn

pytestmark = pytest.mark.slow  # starts servers (fast nonetheless: fake-hash embeddings)

QUESTION = "Ποια είναι η μέγιστη επιχορήγηση του προγράμματος Ηλιαχτίδα;"
FIRST = "Τι είναι μια ενεργειακή κοινότητα;"
FOLLOW_UP = "Και πώς τη χρηματοδοτούμε;"  # «τη»: the community of the question before
MODELS = ["kalo-assistant", "kalo-assistant-municipal", "kalo-assistant-kalo"]
OPEN = {"admin_password": SecretStr(""), "chat_password": SecretStr(""), "api_key": SecretStr("")}


@pytest.fixture(scope="module")
def assistant(synthetic_assistant):
    return synthetic_assistant


@pytest.fixture(scope="module")
def base_url(synthetic_settings, assistant):
    with serve(synthetic_settings.model_copy(update=OPEN), assistant) as url:
        yield url


@pytest.fixture
def client(base_url):
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0, timeout=60)


def ask(client, question: str, model: str = "kalo-assistant", **kwargs):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": question}], **kwargs)


def cited_numbers(text: str) -> set[int]:
    return {int(n) for group in re.findall(r"\[(\d+(?:,\s*\d+)*)\]", text) for n in group.split(",")}


def test_models_are_the_assistant_per_audience(client):
    assert [m.id for m in client.models.list()] == MODELS
    assert client.models.retrieve("kalo-assistant-kalo").id == "kalo-assistant-kalo"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_answer_keeps_citations_and_carries_its_sources(client, base_url, assistant):
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
    assert cited_numbers(direct.text)

    sources = extra["sources"]
    assert [s["n"] for s in sources] == [s.n for s in direct.cited_sources]
    assert cited_numbers(extra["answer"]) == {s["n"] for s in sources}
    assert sources[0]["source"] == f"{ENERGY}.md" and sources[0]["url"] == f"{base_url}/guides/{ENERGY}.md"
    for s in sources:
        assert s["guide_title"] and s["section"] and s["excerpt"] and s["page_start"] >= 1
    # Clients that only show text still see where each [n] comes from.
    block = text[len(direct.text) :]
    assert block.startswith("\n\n**Πηγές**\n")
    for s in sources:
        assert f"- [{s['n']}] {s['guide_title']}, {s['section']}, σελ. {s['pages']} — {s['url']}" in block
    assert httpx.get(sources[0]["url"], timeout=30).status_code == 200  # the link works


def test_pdf_sources_link_to_the_cited_page(client, base_url):
    extra = ask(client, "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;", "kalo-assistant-kalo").model_extra
    assert f"{base_url}/guides/{PANTRIES}.pdf#page=2" in [s["url"] for s in extra["sources"]]


def test_follow_up_history_comes_from_messages(client, assistant):
    first = ask(client, FIRST)
    shown = first.choices[0].message.content  # with its «Πηγές» block, as a front-end sends it back
    messages = [
        {"role": "system", "content": "Είσαι βοηθός."},
        {"role": "user", "content": FIRST},
        {"role": "assistant", "content": shown},
        {"role": "user", "content": [{"type": "text", "text": FOLLOW_UP}]},  # content parts are accepted
    ]
    follow = client.chat.completions.create(model="kalo-assistant", messages=messages).model_extra
    history = [Turn(role="user", content=FIRST), Turn(role="assistant", content=first.model_extra["answer"])]
    expected = assistant.ask(FOLLOW_UP, None, history)
    assert follow["found"] is True and follow["answer"] == expected.text
    assert follow["standalone_question"] == expected.standalone_question != FOLLOW_UP
    alone = ask(client, FOLLOW_UP).model_extra
    assert alone["standalone_question"] == FOLLOW_UP and alone["answer"] != follow["answer"]


def test_streaming_gives_the_same_answer_and_sources_last(client):
    whole = ask(client, FIRST, "kalo-assistant-municipal")
    chunks = list(ask(client, FIRST, "kalo-assistant-municipal", stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert {c.id for c in chunks} == {chunks[0].id} and all(c.object == "chat.completion.chunk" for c in chunks)
    assert len(chunks) >= 4  # role, the answer in pieces, the «Πηγές» block, the last chunk
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == whole.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert last.model_extra["sources"] == whole.model_extra["sources"] != []
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
    response = ask(client, "Ποιος κέρδισε το πρωτάθλημα ποδοσφαίρου πέρσι;")  # the gate itself: test_web_api, eval
    extra = response.model_extra
    assert extra["found"] is False and extra["sources"] == [] and extra["suggestions"]
    text = response.choices[0].message.content
    assert text.startswith("Δεν βρήκα απάντηση στους οδηγούς.") and "**Σχετικές ενότητες των οδηγών**" in text


def test_bearer_key(synthetic_settings, assistant):
    settings = synthetic_settings.model_copy(update=OPEN | {"api_key": SecretStr("kalo-test-key-42")})
    with serve(settings, assistant) as url:
        wrong = openai.OpenAI(base_url=f"{url}/v1", api_key="wrong-key", max_retries=0, timeout=60)
        with pytest.raises(openai.AuthenticationError) as info:
            ask(wrong, QUESTION)
        assert info.value.status_code == 401 and info.value.code == "invalid_api_key"
        assert "κλειδί API" in info.value.message
        with pytest.raises(openai.AuthenticationError):
            wrong.models.list()
        missing = httpx.get(f"{url}/v1/models", timeout=30)  # no Authorization header at all
        assert missing.status_code == 401 and missing.json()["error"]["code"] == "invalid_api_key"
        assert missing.headers["www-authenticate"] == "Bearer"
        good = openai.OpenAI(base_url=f"{url}/v1", api_key="kalo-test-key-42", max_retries=0, timeout=60)
        assert [m.id for m in good.models.list()] == MODELS
        assert ask(good, QUESTION).model_extra["found"] is True


def test_without_a_key_the_chat_password_guards_v1(synthetic_settings, assistant):
    settings = synthetic_settings.model_copy(update=OPEN | {"chat_password": SecretStr("chat-secret")})
    with serve(settings, assistant) as url:
        closed = httpx.get(f"{url}/v1/models", timeout=30)  # an OpenAI error, not the sign-in redirect
        assert closed.status_code == 401 and closed.json()["error"]["code"] == "invalid_api_key"
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="chat-secret", max_retries=0, timeout=60)
        assert ask(client, QUESTION).model_extra["found"] is True


def test_errors_are_in_openai_shape_with_greek_messages(client, base_url, fast_settings):
    with pytest.raises(openai.NotFoundError) as info:
        ask(client, QUESTION, model="gpt-4o")
    assert info.value.code == "model_not_found" and "Άγνωστο μοντέλο" in info.value.message
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="kalo-assistant", messages=[{"role": "system", "content": "Γεια"}])
    assert "τελευταίο μήνυμα" in info.value.message
    with pytest.raises(openai.BadRequestError) as info:  # a pasted document: the web app's limit and words
        ask(client, "Πώς ξεκινά μια συνεργασία; " * 100)
    assert "Η ερώτηση είναι πολύ μεγάλη" in info.value.message
    raw = httpx.post(f"{base_url}/v1/chat/completions", content=b"{not json", timeout=30)
    assert raw.status_code == 400 and raw.json()["error"]["type"] == "invalid_request_error"

    with serve(fast_settings()) as url:  # no index yet
        fresh = openai.OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0, timeout=60)
        for stream in (False, True):
            with pytest.raises(openai.APIStatusError) as info:
                ask(fresh, QUESTION, stream=stream)
            assert info.value.status_code == 503 and info.value.code == "index_missing"
            assert "ευρετήριο" in info.value.message and "kalo ingest" in info.value.message
