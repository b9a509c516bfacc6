"""Answerers behind one interface and registry: `extractive` (default, offline) and generative
LangChain chat models (`openai`-compatible servers, `ollama`). Adding one touches only this file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Protocol

from langchain_core.documents import Document

import prompts
from assistant.cite import passage_sentences
from assistant.core.errors import ConfigError, LLMError
from assistant.core.greek_text import fold, tokens
from assistant.core.registry import Registry
from assistant.core.settings import Settings
from assistant.core.types import Turn
from assistant.retrieve import is_process_question

NOT_FOUND = "Δεν βρήκα απάντηση στους οδηγούς."


class Answerer(Protocol):
    name: str

    def stream(self, question: str, docs: list[Document], history: list[Turn]) -> Iterator[str]:
        """The answer text, piece by piece, citing passages as [n] (n = 1-based position in docs)."""
        ...

    def condense(self, question: str, history: list[Turn]) -> str:
        """A follow-up question rewritten to stand alone."""
        ...


ANSWERERS: Registry[Callable[[Settings], Answerer]] = Registry("answerer", "σύστημα απάντησης")
register = ANSWERERS.register


def get_answerer(settings: Settings) -> Answerer:
    return ANSWERERS.get(settings.answerer)(settings)


# --- follow-ups -----------------------------------------------------------------------------------------

_FOLLOW_UP = re.compile(
    r"^(?:και|κι|ενω|ομωσ|τοτε|μετα|επειτα|επισησ)\b|\b(?:αυτ\w*|επομεν\w*|μετα|επειτα|αλλ[οαεη]\w*|ακομη|ακομα|εκει)\b"
)


def is_follow_up(question: str) -> bool:
    folded = fold(question)
    return bool(_FOLLOW_UP.search(folded)) or len(tokens(question)) < 2


def heuristic_condense(question: str, history: list[Turn]) -> str:
    """Extractive mode has no model to rewrite a follow-up: prefix the previous question when the
    new one leans on it («και ποια είναι τα επόμενα βήματα;»)."""
    previous = next((t.content for t in reversed(history) if t.role == "user"), "")
    if previous and is_follow_up(question):
        return f"{previous} {question}"
    return question


# --- extractive -----------------------------------------------------------------------------------------

_LIST_MARK = re.compile(r"^(?:[-•·▪●◦*☐☑–]\s*|\d{1,2}[).]\s*|[α-ω][).]\s*)")


@register("extractive")
class ExtractiveAnswerer:
    """Composes the answer from the passages' own sentences, each with its citation; steps and lists
    stay in the guide's order, and each point is labelled with its section."""

    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.max_sentences = settings.max_answer_sentences

    def condense(self, question: str, history: list[Turn]) -> str:
        return heuristic_condense(question, history)

    def _candidates(self, question: str, docs: list[Document]) -> list[tuple[float, int, int, str]]:
        keys = set(tokens(question))
        out = []
        for n, doc in enumerate(docs, start=1):
            prior = 1.0 / (n + 1)  # retrieval rank still counts: the fused ranking saw more than words
            for pos, sentence in enumerate(passage_sentences(doc.page_content)):
                body = _LIST_MARK.sub("", sentence)
                sent_keys = set(tokens(body))
                # Fragments, table rows and whole flattened tables read badly on their own.
                if len(sent_keys) < 3 or " | " in body or len(body) > 400:
                    continue
                match = len(keys & sent_keys) / max(len(keys), 1)
                section_match = len(keys & set(tokens(doc.metadata.get("section", "")))) / max(len(keys), 1)
                # The guides' own rhetorical questions («Τι θέλουμε να πετύχουμε;») are prompts, not answers.
                asks = 0.3 if body.endswith((";", ";")) else 0.0
                out.append((match + 0.5 * section_match + prior - asks, n, pos, body))
        return out

    def _steps(self, question: str, docs: list[Document]) -> list[tuple[float, int, int, str]]:
        """One sentence per step passage, preferring its opening sentences (where a step is defined)."""
        picked = []
        by_passage: dict[int, list[tuple[float, int, int, str]]] = {}
        for cand in self._candidates(question, docs):
            if docs[cand[1] - 1].metadata.get("step"):
                by_passage.setdefault(cand[1], []).append(cand)
        for n in sorted(by_passage):
            # Prefer the opening sentences (where a step is defined), whole sentences over list fragments.
            best = max(
                by_passage[n],
                key=lambda c: (
                    c[0] - 0.15 * c[2] - (0.3 if c[3].endswith(":") else 0.0) - (0.2 if c[3][0].islower() else 0.0)
                ),
            )
            picked.append(best)
        return picked

    def compose(self, question: str, docs: list[Document]) -> str:
        if not docs:
            return NOT_FOUND
        if sum(1 for d in docs if d.metadata.get("step")) >= 3:
            return self._render(question, docs, self._steps(question, docs), numbered=True)
        picked: list[tuple[float, int, int, str]] = []
        per_passage: dict[int, int] = {}
        ranked = sorted(self._candidates(question, docs), key=lambda c: -c[0])
        floor = ranked[0][0] * 0.7 if ranked else 0.0  # weak matches only pad an answer out
        for cand in ranked:
            if per_passage.get(cand[1], 0) >= 2 or cand[3].endswith(":"):
                continue
            if cand[0] < floor and len(picked) >= 2:
                break
            per_passage[cand[1]] = per_passage.get(cand[1], 0) + 1
            picked.append(cand)
            if len(picked) == self.max_sentences:
                break
        if not picked:
            return NOT_FOUND

        # Guide order: the best passage's guide first, then each guide in reading order, so steps stay in sequence.
        # Points are grouped by chapter (guide + top-level section), best-ranked chapter first, and read in
        # the guide's order inside a chapter, so that lists and steps keep their sequence.
        def chapter(n: int) -> tuple[str, str]:
            meta = docs[n - 1].metadata
            return str(meta.get("guide_id")), str(meta.get("section", "")).split(" > ")[0]

        chapter_rank: dict[tuple[str, str], int] = {}
        for cand in sorted(picked, key=lambda c: c[1]):
            chapter_rank.setdefault(chapter(cand[1]), cand[1])

        def reading_order(c):
            return chapter_rank[chapter(c[1])], int(docs[c[1] - 1].metadata.get("chunk_index", 0)), c[2]

        picked.sort(key=reading_order)
        return self._render(question, docs, picked, numbered=is_process_question(question))

    def _render(self, question: str, docs: list[Document], picked, numbered: bool) -> str:
        if not picked:
            return NOT_FOUND
        titles = list(dict.fromkeys(str(docs[c[1] - 1].metadata.get("guide_title")) for c in picked))
        intro = (
            f"Σύμφωνα με τον οδηγό «{titles[0]}»:"
            if len(titles) == 1
            else "Σύμφωνα με τους οδηγούς «" + "» και «".join(titles) + "»:"
        )
        lines, last_section = [intro, ""], None
        for i, (_score, n, _pos, body) in enumerate(picked, start=1):
            section = str(docs[n - 1].metadata.get("section", "")).split(" > ")[-1]
            label = f"**{section}** — " if section and section != last_section else ""
            last_section = section
            bullet = f"{i}." if numbered else "-"
            body = body.rstrip(":·;, ") if body.endswith((":", "·", ",")) else body
            body = body if body[-1] in ".;;!?»)" else body + "."
            lines.append(f"{bullet} {label}{body} [{n}]")
        return "\n".join(lines)

    def stream(self, question: str, docs: list[Document], history: list[Turn]) -> Iterator[str]:
        yield from self.compose(question, docs).splitlines(keepends=True)


# --- generative -----------------------------------------------------------------------------------------


def format_context(docs: list[Document]) -> str:
    """Numbered passages exactly as the sources are numbered in the answer (1-based)."""
    parts = []
    for n, d in enumerate(docs, start=1):
        m = d.metadata
        pages = (
            m.get("page_start")
            if m.get("page_start") == m.get("page_end")
            else f"{m.get('page_start')}–{m.get('page_end')}"
        )
        parts.append(f"[{n}] «{m.get('guide_title')}» — {m.get('section')} (σελ. {pages})\n{d.page_content}")
    return "\n\n".join(parts)


def format_history(history: list[Turn]) -> str:
    names = {"user": "Χρήστης", "assistant": "Βοηθός"}
    return "\n".join(f"{names[t.role]}: {t.content}" for t in history[-6:])


class ChatAnswerer:
    """A LangChain chat model driven by the prompts in prompts/ (LCEL: prompt | model | parser)."""

    name = "chat"

    def __init__(self, settings: Settings, model) -> None:
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate

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

    def stream(self, question: str, docs: list[Document], history: list[Turn]) -> Iterator[str]:
        if not docs:  # never ask a model to answer from nothing
            yield NOT_FOUND
            return
        try:
            yield from self.answer_chain.stream({"context": format_context(docs), "question": question})
        except LLMError:
            raise
        except Exception as exc:
            raise self._llm_error(exc) from exc

    def condense(self, question: str, history: list[Turn]) -> str:
        if not any(t.role == "user" for t in history):
            return question
        try:
            text = self.condense_chain.invoke({"history": format_history(history), "question": question})
        except Exception as exc:
            raise self._llm_error(exc) from exc
        return text.strip().strip('«»"') or question


def _need_model(settings: Settings) -> None:
    if not settings.llm_model:
        raise ConfigError(
            f"KALO_LLM_MODEL must be set for the '{settings.answerer}' answerer",
            f"Ορίστε το KALO_LLM_MODEL για τον τρόπο απάντησης «{settings.answerer}»",
        )


def _openai_model(settings: Settings, temperature: float):
    """Any OpenAI-compatible server: vLLM, llama.cpp server, LM Studio, OpenAI."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url or None,
        api_key=settings.llm_api_key.get_secret_value() or "not-needed",
        timeout=settings.llm_timeout,
        max_retries=0,  # a timeout should reach the user now, not after silent retries
        temperature=temperature,
    )


def _ollama_model(settings: Settings, temperature: float):
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.llm_base_url or "http://127.0.0.1:11434",
        temperature=temperature,
        client_kwargs={"timeout": settings.llm_timeout},
    )


CHAT_MODELS = {"openai": _openai_model, "ollama": _ollama_model}


def chat_model(settings: Settings, temperature: float | None = None):
    """The LangChain chat model the settings name (also used by the evaluation's LLM judge)."""
    if settings.answerer not in CHAT_MODELS:
        raise ConfigError(
            f"'{settings.answerer}' is not a generative answerer (choose one of: {', '.join(CHAT_MODELS)})",
            f"Ο τρόπος απάντησης «{settings.answerer}» δεν χρησιμοποιεί γλωσσικό μοντέλο ({', '.join(CHAT_MODELS)})",
        )
    _need_model(settings)
    return CHAT_MODELS[settings.answerer](settings, settings.llm_temperature if temperature is None else temperature)


for _name in CHAT_MODELS:

    @register(_name)
    def _chat_answerer(settings: Settings, _name: str = _name) -> ChatAnswerer:
        answerer = ChatAnswerer(settings, chat_model(settings))
        answerer.name = _name
        return answerer
