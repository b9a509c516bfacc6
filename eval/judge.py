"""Optional LLM-judge metrics (RAGAS-style faithfulness and answer relevance), off by default.

They need a generative answerer's model (openai | ollama); the offline metrics never depend on them, and the
summary keeps them apart under "llm_judge".
"""

from __future__ import annotations

import json
import re

import prompts
from assistant.core.errors import ConfigError, LLMError
from assistant.core.settings import Settings
from assistant.core.types import Answer
from assistant.generative import chat_model, format_context
from eval.metrics import mean

_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def is_generative(settings: Settings) -> bool:
    return settings.answerer != "extractive"


def judge_model(settings: Settings):
    """A chat model for the judge, configured like the answerer (same server, model and timeout), at
    temperature 0."""
    if not is_generative(settings):
        raise ConfigError(
            "The LLM judge needs a generative answerer (answerer = openai or ollama, with llm_model set)",
            "Η κρίση από γλωσσικό μοντέλο απαιτεί γενετικό τρόπο απάντησης (openai ή ollama, με llm_model)",
        )
    return chat_model(settings, temperature=0)


def parse_claims(text: str) -> tuple[int, int] | None:
    """(claims, supported) from the faithfulness judge's JSON, or None when it is unreadable."""
    m = _JSON_OBJECT.search(text)
    if not m:
        return None
    try:
        data = json.loads(m.group(0))
    except json.JSONDecodeError:
        return None
    items = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    verdicts = [bool(i.get("supported")) for i in items if isinstance(i, dict)]
    return len(verdicts), sum(verdicts)


def parse_questions(text: str) -> list[str]:
    lines = [re.sub(r"^\s*(?:\d+[.)]|[-•*])\s*", "", line).strip() for line in text.splitlines()]
    return [line for line in lines if len(line) > 3][:5]


class LLMJudge:
    """Faithfulness: the share of the answer's claims that the cited passages support (the judge lists and
    checks the claims). Answer relevance: the judge writes questions the answer would answer; the score is
    their mean rescaled cosine with the real question (assistant embeddings)."""

    def __init__(self, model, name: str = "") -> None:
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate

        parser = StrOutputParser()
        self.name = name or getattr(model, "model_name", "") or getattr(model, "model", "") or type(model).__name__
        self.faithfulness_chain = (
            ChatPromptTemplate.from_messages([("human", prompts.load("judge_faithfulness"))]) | model | parser
        )
        self.relevance_chain = (
            ChatPromptTemplate.from_messages([("human", prompts.load("judge_relevance"))]) | model | parser
        )

    def score(self, question: str, answer: Answer, similarity) -> dict:
        used = answer.cited_sources or answer.sources
        try:
            raw = self.faithfulness_chain.invoke({"context": format_context(used), "answer": answer.text})
            generated = parse_questions(self.relevance_chain.invoke({"answer": answer.text}))
        except Exception as exc:  # a judge failure must not cost the offline scores
            return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
        parsed = parse_claims(raw)
        faithfulness = parsed[1] / parsed[0] if parsed and parsed[0] else None
        relevance = mean(similarity(question, q) for q in generated) if generated else None
        return {
            "faithfulness": faithfulness,
            "claims": parsed[0] if parsed else None,
            "supported_claims": parsed[1] if parsed else None,
            "answer_relevance": relevance,
            "generated_questions": generated,
        }


def make_judge(settings: Settings) -> LLMJudge:
    try:
        return LLMJudge(judge_model(settings), settings.llm_model)
    except ConfigError:
        raise
    except Exception as exc:
        raise LLMError(f"Cannot set up the LLM judge: {exc}", "Δεν ήταν δυνατή η ρύθμιση του κριτή") from exc


def aggregate_judge(records: list[dict], judge: LLMJudge) -> dict:
    judged = [r["llm_judge"] for r in records if r.get("llm_judge")]
    return {
        "faithfulness": mean(j.get("faithfulness") for j in judged),
        "answer_relevance": mean(j.get("answer_relevance") for j in judged),
        "n": len(judged),
        "errors": sum(1 for j in judged if j.get("error")),
        "model": judge.name,
    }
