"""The answerer interface and its one registry. Built-in answerers: `extractive` (assistant/compose.py,
the offline default) and the generative `openai` and `ollama` (assistant/generative.py); a new answerer is
one module that registers itself with `@register("name")` and is listed in `BUILTIN` under that name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import prompts
from assistant.core.registry import Registry
from assistant.core.settings import Settings
from assistant.core.types import Passage, Turn
from assistant.question import Form

NOT_FOUND = prompts.phrases("extractive")["text"]["not_found"]


@dataclass
class AnswerRequest:
    """What an answerer is given: the user's own question, the chosen passages (cited as [n], n = 1-based
    position), the conversation, what the question asks, and what the previous answer already said."""

    question: str
    passages: list[Passage]
    history: list[Turn] = field(default_factory=list)
    forms: list[Form] = field(default_factory=lambda: [Form.GENERAL])
    weights: dict[str, float] = field(default_factory=dict)  # the question's search keys → IDF
    referent: dict[str, float] = field(default_factory=dict)  # keys the history supplies, lower weight
    shown: list[str] = field(default_factory=list)  # sentences the previous answer gave
    item: bool = False  # the referent is one item of the previous answer: its section is the answer
    others: list[dict[str, float]] = field(default_factory=list)  # that answer's other items (keys → IDF)
    lead: bool = False  # the first passage's section is what is asked («πες μου για το 2», «και μετά;»)
    after: bool = False  # …as the one that follows the step the question's words name («και μετά;»)
    cross_lingual: bool = False
    # The guides written for the asker (settings.audience_guides): another guide's sentence is quoted only
    # where it answers better than anything in these.
    preferred: frozenset[str] = frozenset()
    # For a question in another language, which shares no words with the guides: each text's closeness
    # to the question by meaning (the embeddings' cosine), so that sentences can be chosen at all.
    meaning: Callable[[list[str]], list[float]] | None = None


class Answerer(Protocol):
    name: str

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        """The answer text, piece by piece, citing passages as [n]."""
        ...

    def condense(self, question: str, history: list[Turn]) -> str | None:
        """A follow-up rewritten to stand alone, or None to use the conversation reading of
        assistant/question.py (the extractive answerer has no model to rewrite with)."""
        ...


ANSWERERS: Registry[Callable[[Settings], Answerer]] = Registry("answerer", "σύστημα απάντησης")
register = ANSWERERS.register
# Answerer name → the module that registers it. Only the chosen one is imported: the generative module
# loads LangChain's prompt machinery, which the offline extractive default does not need.
BUILTIN = {"extractive": "assistant.compose", "openai": "assistant.generative", "ollama": "assistant.generative"}


def get_answerer(settings: Settings) -> Answerer:
    # Importing a module registers its answerers; an unknown name imports them all, so that the registry's
    # error lists every choice.
    for module in dict.fromkeys([BUILTIN[settings.answerer]] if settings.answerer in BUILTIN else BUILTIN.values()):
        importlib.import_module(module)
    return ANSWERERS.get(settings.answerer)(settings)
