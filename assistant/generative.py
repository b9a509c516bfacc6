"""Generative answerers: LangChain chat models (any OpenAI-compatible server, Ollama) driven by the
prompts in prompts/, given exactly the passages the extractive answerer would use."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

import prompts
from assistant.answer import NOT_FOUND, AnswerRequest, register
from assistant.core.errors import ConfigError, LLMError
from assistant.core.registry import Registry
from assistant.core.settings import Settings
from assistant.core.types import Passage, Source, Turn, page_range

# Chat-model factories by answerer name (also used by the evaluation's LLM judge).
CHAT_MODELS: Registry[Callable[[Settings, float], object]] = Registry("chat model", "γλωσσικό μοντέλο")


def format_context(passages: Sequence[Passage | Source]) -> str:
    """Numbered passages exactly as the sources are numbered in the answer (1-based). Each passage is
    fenced: what is inside is quoted material from a guide, never an instruction to the model."""
    parts = []
    for n, p in enumerate(passages, start=1):
        where = f"«{p.guide_title}» — {p.section} (σελ. {page_range(p.page_start, p.page_end)})"
        parts.append(f"[{n}] {where}\n<<<\n{p.text}\n>>>")
    return "\n\n".join(parts)


def format_history(history: list[Turn]) -> str:
    names = {"user": "Χρήστης", "assistant": "Βοηθός"}
    return "\n".join(f"{names[t.role]}: {t.content}" for t in history[-6:])


class ChatAnswerer:
    """A LangChain chat model behind the prompts in prompts/ (LCEL: prompt | model | parser)."""

    def __init__(self, settings: Settings, model, name: str) -> None:
        self.name = name
        self.where = settings.llm_base_url or "(default)"
        self.timeout = settings.llm_timeout
        parser = StrOutputParser()
        self.answer_chain = (
            ChatPromptTemplate.from_messages([("system", prompts.load("system")), ("human", prompts.load("answer"))])
            | model
            | parser
        )
        self.condense_chain = ChatPromptTemplate.from_messages([("human", prompts.load("condense"))]) | model | parser

    def _llm_error(self, exc: Exception) -> LLMError:
        text = f"{type(exc).__name__}: {exc}"
        if "timeout" in text.lower() or "timed out" in text.lower():
            return LLMError(
                f"The language model at {self.where} did not answer within {self.timeout:g}s",
                "Το γλωσσικό μοντέλο δεν απάντησε εγκαίρως. Δοκιμάστε ξανά σε λίγο.",
            )
        return LLMError(
            f"The language model at {self.where} failed or is unreachable ({text[:200]})",
            "Δεν ήταν δυνατή η επικοινωνία με το γλωσσικό μοντέλο. Ελέγξτε ότι ο διακομιστής λειτουργεί.",
        )

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        if not request.passages:  # never ask a model to answer from nothing
            yield NOT_FOUND
            return
        try:
            yield from self.answer_chain.stream(
                {"context": format_context(request.passages), "question": request.question}
            )
        except LLMError:
            raise
        except Exception as exc:
            raise self._llm_error(exc) from exc

    def condense(self, question: str, history: list[Turn]) -> str | None:
        if not any(t.role == "user" for t in history):
            return None
        try:
            text = self.condense_chain.invoke({"history": format_history(history), "question": question})
        except Exception as exc:
            raise self._llm_error(exc) from exc
        return text.strip().strip('«»"') or None


def _need_model(settings: Settings) -> None:
    if not settings.llm_model:
        raise ConfigError(
            f"KALO_LLM_MODEL must be set for the '{settings.answerer}' answerer",
            f"Ορίστε το KALO_LLM_MODEL για τον τρόπο απάντησης «{settings.answerer}»",
        )


@CHAT_MODELS.register("openai")
def _openai_model(settings: Settings, temperature: float):
    """Any OpenAI-compatible server: vLLM, llama.cpp server, LM Studio, OpenAI."""
    from langchain_openai import ChatOpenAI  # the client library loads only when this backend is used

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url or None,
        api_key=settings.llm_api_key.get_secret_value() or "not-needed",
        timeout=settings.llm_timeout,
        max_retries=0,  # a timeout should reach the user now, not after silent retries
        temperature=temperature,
    )


@CHAT_MODELS.register("ollama")
def _ollama_model(settings: Settings, temperature: float):
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.llm_base_url or settings.ollama_base_url,
        temperature=temperature,
        client_kwargs={"timeout": settings.llm_timeout},
    )


def chat_model(settings: Settings, temperature: float | None = None):
    """The LangChain chat model the settings name (also used by the evaluation's LLM judge)."""
    if settings.answerer not in CHAT_MODELS:
        known = ", ".join(CHAT_MODELS)
        raise ConfigError(
            f"'{settings.answerer}' is not a generative answerer (choose one of: {known})",
            f"Ο τρόπος απάντησης «{settings.answerer}» δεν χρησιμοποιεί γλωσσικό μοντέλο ({known})",
        )
    _need_model(settings)
    factory = CHAT_MODELS.get(settings.answerer)
    return factory(settings, settings.llm_temperature if temperature is None else temperature)


@register("openai")
def openai_answerer(settings: Settings) -> ChatAnswerer:
    return ChatAnswerer(settings, chat_model(settings), "openai")


@register("ollama")
def ollama_answerer(settings: Settings) -> ChatAnswerer:
    return ChatAnswerer(settings, chat_model(settings), "ollama")
