"""The generative path end to end against a real OpenAI-compatible HTTP server on loopback: streaming,
the prompts it receives, citation verification of what it says, condensation, timeouts and a dead port."""

from __future__ import annotations

import re

import pytest
from support.fake_llm import closed_port, running
from support.shared import shared_assistant, with_settings

import prompts
from assistant.answer import NOT_FOUND, get_answerer
from assistant.core.errors import ConfigError, LLMError
from assistant.core.settings import Settings
from assistant.core.types import Answer, Turn
from assistant.generative import format_context

START = "Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;"
NETWORKS = "Τι τύποι δικτύων υπάρχουν;"
GOOD = (
    "Τα δίκτυα διακρίνονται σε άτυπα και τυπικά, ανάλογα με το αν έχουν γραπτούς κανόνες [1]. "
    "Διακρίνονται επίσης σε οριζόντια και κάθετα, καθώς και σε θεματικά, χωρικά και κλαδικά [2]."
)


@pytest.fixture(scope="module")
def llm():
    with running() as server:
        yield server


@pytest.fixture(scope="module")
def base(bundled_settings):
    return shared_assistant(bundled_settings)


@pytest.fixture(scope="module")
def generative(base, llm):
    return with_settings(base, answerer="openai", llm_model="test-model", llm_base_url=llm.base_url, llm_timeout=2.0)


@pytest.fixture(autouse=True)
def fresh_server(llm):
    llm.script()
    llm.hang = False
    yield
    llm.hang = False


def numbered_headers(context: str) -> list[tuple[int, str]]:
    return [(int(n), section) for n, section in re.findall(r"^\[(\d+)\] «.+?» — (.+) \(σελ\. [\d–]+\)$", context, re.M)]


def test_a_good_answer_streams_and_keeps_its_citations(generative, llm):
    llm.script(GOOD)
    events = list(generative.stream(NETWORKS))
    pieces, final = events[:-1], events[-1]
    assert isinstance(final, Answer)
    text_pieces = [p for p in pieces if p]
    assert len(text_pieces) >= 5 and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces).startswith(GOOD)  # every piece was yielded as it arrived, none held back
    assert final.found and final.answerer == "openai"
    assert final.text == "".join(pieces)  # the model's answer, then «Δείτε επίσης» pointers
    assert final.text[len(GOOD) :].strip().startswith("Δείτε επίσης:")
    assert final.removed_citations == [] and final.uncited_sentences == []
    assert [s.n for s in final.cited_sources] == [1, 2]
    for source in final.cited_sources:
        assert source.excerpt and all(part in source.text for part in source.excerpt.split(" … "))
    assert len(llm.requests) == 1  # one question, one model call


def test_the_server_receives_the_greek_prompts_and_the_numbered_context(generative, llm):
    llm.script(GOOD)
    answer = generative.ask(NETWORKS)
    (request,) = llm.requests
    assert request["model"] == "test-model"
    assert request["stream"] is True
    system, user = request["messages"]
    assert system["role"] == "system" and system["content"] == prompts.load("system")
    assert system["content"].startswith("Είσαι ο «Βοηθός ΚΑΛΟ»")
    assert user["role"] == "user"
    assert f"Ερώτηση: {NETWORKS}" in user["content"]
    assert "Απάντησε στα ελληνικά" in user["content"]
    # The numbers the model sees are the numbers of the sources the answer is verified against.
    headers = numbered_headers(user["content"])
    assert headers == [(s.n, s.section) for s in answer.sources]
    for source in answer.sources:
        assert (
            f"[{source.n}] «{source.guide_title}» — {source.section} (σελ. {source.pages})\n<<<\n{source.text}\n>>>"
            in (user["content"])
        )
    assert format_context(answer.sources) in user["content"]


def test_an_invented_citation_is_removed_and_reported(generative, llm):
    llm.script(
        "Τα δίκτυα μπορεί να είναι άτυπα ή τυπικά [1]. "
        "Ο νόμος 9999/2030 ορίζει υποχρεωτική εγγραφή όλων των δικτύων σε ειδικό μητρώο [42]."
    )
    answer = generative.ask(NETWORKS)
    assert len(answer.sources) < 42  # so [42] names no passage
    assert answer.removed_citations == [42]
    assert "[42]" not in answer.text and "[1]" in answer.text
    assert answer.uncited_sentences == [
        "Ο νόμος 9999/2030 ορίζει υποχρεωτική εγγραφή όλων των δικτύων σε ειδικό μητρώο."
    ]
    assert [s.n for s in answer.cited_sources] == [1]
    assert answer.found


def test_a_model_that_finds_nothing_gives_the_not_found_answer(generative, llm):
    llm.script(NOT_FOUND)
    answer = generative.ask(NETWORKS)
    assert not answer.found
    assert answer.text == NOT_FOUND
    assert answer.sources == [] and 1 <= len(answer.suggestions) <= 3


@pytest.mark.parametrize("question", ["Τι καιρό θα κάνει αύριο;", "Ποια ομάδα κέρδισε το πρωτάθλημα ποδοσφαίρου;"])
def test_the_model_is_not_called_for_an_out_of_scope_question(generative, llm, question):
    llm.script(GOOD)
    answer = generative.ask(question)
    assert llm.requests == []
    assert not answer.found and answer.text.startswith(NOT_FOUND)  # and why: «Οι οδηγοί δεν αναφέρουν…»
    assert answer.sources == [] and answer.suggestions


def test_a_follow_up_is_condensed_by_the_model_first(generative, llm):
    condensed = "Ποιο είναι το βήμα μετά τη χαρτογράφηση αναγκών, όταν ένας Δήμος ξεκινά συνεργασία με φορέα ΚΑΛΟ;"
    llm.script(condensed, "Μετά τη χαρτογράφηση αναγκών ακολουθεί ο εντοπισμός φορέων [2].")
    history = [
        Turn(role="user", content=START),
        Turn(role="assistant", content="Πρώτο βήμα είναι η χαρτογράφηση αναγκών [1]."),
    ]
    answer = generative.ask("και μετά;", history=history)
    assert len(llm.requests) == 2
    condense, reply = llm.requests
    # First the condense prompt (no system prompt, not streamed), with the conversation in it.
    assert [m["role"] for m in condense["messages"]] == ["user"]
    condense_text = condense["messages"][0]["content"]
    assert condense_text.startswith(prompts.load("condense").split("\n", 1)[0])
    assert f"Χρήστης: {START}" in condense_text and "Βοηθός: Πρώτο βήμα" in condense_text
    assert "Τελευταία ερώτηση: και μετά;" in condense_text
    assert not condense.get("stream")
    # Then the answer, for the standalone question, retrieved from the same guide.
    assert [m["role"] for m in reply["messages"]] == ["system", "user"]
    assert f"Ερώτηση: {condensed}" in reply["messages"][1]["content"]
    assert answer.question == "και μετά;"
    assert answer.standalone_question == condensed
    assert answer.sources[0].guide_id == "synergasia-ota-kalo"
    assert answer.sources[0].section.startswith("6. Βήμα προς βήμα")
    # The model cited its passage [2]; the reader sees it as [1], the first (and only) source cited.
    assert [s.n for s in answer.cited_sources] == [1] and "[1]" in answer.text and "[2]" not in answer.text


def test_no_condensation_without_a_previous_question(generative, llm):
    llm.script(GOOD)
    generative.ask(NETWORKS, history=[Turn(role="assistant", content="Καλώς ήρθατε.")])
    assert len(llm.requests) == 1 and llm.requests[0]["messages"][0]["role"] == "system"


def test_a_slow_server_times_out_with_a_greek_message(base, llm):
    llm.hang = True  # the server holds the request open; the client gives up after llm_timeout
    slow = with_settings(base, answerer="openai", llm_model="test-model", llm_base_url=llm.base_url, llm_timeout=0.5)
    with pytest.raises(LLMError) as caught:
        slow.ask(NETWORKS)
    assert len(llm.requests) == 1
    error = caught.value
    assert "did not answer within 0.5s" in error.en
    assert "εγκαίρως" in error.el and "γλωσσικό μοντέλο" in error.el
    # Through the streaming interface the same error arrives, not a truncated answer.
    with pytest.raises(LLMError, match="did not answer"):
        for event in slow.stream(NETWORKS):
            assert not isinstance(event, Answer)


def test_a_closed_port_is_reported_unreachable(base):
    port = closed_port()
    dead = with_settings(
        base, answerer="openai", llm_model="test-model", llm_base_url=f"http://127.0.0.1:{port}/v1", llm_timeout=2.0
    )
    with pytest.raises(LLMError) as caught:
        dead.ask(NETWORKS)
    assert "unreachable" in caught.value.en and str(port) in caught.value.en
    assert "Δεν ήταν δυνατή η επικοινωνία με το γλωσσικό μοντέλο" in caught.value.el
    with pytest.raises(LLMError, match="unreachable"):
        dead.ask("και μετά;", history=[Turn(role="user", content=START)])  # condensation fails the same way


def test_generative_answerers_need_a_model_name(bundled_settings):
    with pytest.raises(ConfigError) as caught:
        get_answerer(bundled_settings.model_copy(update={"answerer": "openai", "llm_model": ""}))
    assert "KALO_LLM_MODEL" in caught.value.en and "KALO_LLM_MODEL" in caught.value.el


def test_an_unknown_answerer_is_a_config_error(bundled_settings):
    with pytest.raises(ConfigError, match="Unknown answerer 'gpt-magic'"):
        get_answerer(bundled_settings.model_copy(update={"answerer": "gpt-magic"}))


def test_settings_select_the_generative_answerer(llm, tmp_path):
    settings = Settings(
        data_dir=tmp_path, answerer="openai", llm_model="test-model", llm_base_url=llm.base_url, llm_timeout=1.0
    )
    answerer = get_answerer(settings)
    assert answerer.name == "openai"
    assert answerer.condense("Τι τύποι δικτύων υπάρχουν;", []) is None  # nothing to rewrite without history
    assert llm.requests == []  # nothing to condense without history: no call
