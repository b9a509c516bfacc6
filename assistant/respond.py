"""One question, end to end: read it against the conversation → retrieve → gate → compose → cite.

The facade (assistant/service.py) calls `respond`; this module owns the order of the steps and nothing
else: each step is a function of its own module.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

import prompts
from assistant.anchor import after, item_line_section, item_section, lead_with, quoted_from, step_section
from assistant.answer import NOT_FOUND, Answerer, AnswerRequest
from assistant.cite import Renumberer, related, see_also, sources_from, verify
from assistant.core.greek_text import tokens
from assistant.core.safety import without_markup
from assistant.core.settings import Settings
from assistant.core.types import Answer, Retrieval, Source, Turn
from assistant.facts import CONTACTS
from assistant.gate import Coverage, Verdict, assess
from assistant.headings import leaf_title
from assistant.question import OWN_WORDS_MIN, Form, Resolved, asks_whole, forms, need, resolve
from assistant.retrieve import HybridSearch
from assistant.timeframe import without_timeframe

# A follow-up's referent guides retrieval and breaks ties; the user's own words decide the selection.
# An item the user points at («το τελευταίο») is the very topic, so it weighs as much as their words.
REFERENT_WEIGHT = 0.5
ITEM_WEIGHT = 1.0


def nearest_sections(sources: list[Source], n: int = 3) -> list[Source]:
    """What to suggest when nothing answers: the closest passages, one per section."""
    seen: set[tuple[str, str]] = set()
    out = []
    for s in sources:
        if (s.guide_id, s.section) not in seen:
            seen.add((s.guide_id, s.section))
            out.append(s)
    return out[:n]


def _others(resolved: Resolved, retriever: HybridSearch) -> list[dict[str, float]]:
    """The previous answer's other items, when the question points at one of them; a one-word item
    («Συμφωνία») would match too many lines to say that a line is that item."""
    if not resolved.item:
        return []
    others = [_weights(tokens(i), retriever) for i in resolved.items if i != resolved.referent]
    return [w for w in others if len(w) >= 2]


def _weights(keys: list[str], retriever: HybridSearch) -> dict[str, float]:
    """Search keys (typos repaired) → their IDF in the corpus: rare words carry the topic."""
    repair = retriever.index.repair or (lambda k: k)
    repaired = [repair(k) for k in dict.fromkeys(keys) if not k.isdigit()]
    return {k: retriever.index.idf(k) for k in repaired}


@dataclass
class Reading:
    """A question read against the conversation and searched: the steps before the gate."""

    resolved: Resolved
    search: str
    forms: list[Form]
    retrieval: Retrieval
    condensed: str | None = None  # a generative answerer's rewrite of a follow-up
    lead: bool = False  # the first passage's section was placed there as what is asked (what follows, an item)

    @property
    def asks(self) -> str:
        """The turn whose asking sentence is what is asked now: the user's, unless it refers to an item
        of the previous answer or asks what follows it («πες μου περισσότερα για το τρίτο»), when what is
        searched says it."""
        r = self.resolved
        if r.item:
            # «Πες μου για το 2. Πού τους βρίσκουμε;» asks about item 2: its words and the asking sentence.
            return f"{r.referent} {need(r.own or r.question)}"
        return self.search if r.after else r.question


def read(retriever: HybridSearch, answerer: Answerer, question: str, history: list[Turn]) -> Reading:
    resolved = resolve(question, history)
    condensed = answerer.condense(question, history) if history else None
    # When the situation happens is not what it is about (assistant/timeframe.py).
    search = condensed or without_timeframe(resolved.search)
    context = "" if condensed else resolved.context
    asked = forms(question)
    if resolved.follow_up and asked == [Form.GENERAL] and resolved.referent and len(tokens(question)) <= 2:
        asked = forms(resolved.referent)  # «και για τις ΚοιΣΠΕ;» asks what the previous question asked
    # A follow-up asks about part of what was discussed («κι αν…», «το δεύτερο»), not for the whole list
    # again; only a new question is given every part of a procedure or list.
    retrieval = retriever.retrieve(search, whole=asks_whole(asked[0]) and not resolved.follow_up, context=context)
    lead = False
    previous = next((t.content for t in reversed(history) if t.role == "assistant"), "")
    if resolved.after and not condensed:  # a model that rewrote «και μετά;» already said what follows
        retrieval, lead = after(resolved.after, retriever, retrieval), True
    elif resolved.step and (key := step_section(resolved.step, previous, retriever)):
        # «το δεύτερο βήμα» is the guide's step 2, which the previous answer's list need not have shown.
        resolved = replace(resolved, referent=leaf_title(key[1]), item=True)
        retrieval, lead = lead_with(*key, retriever, retrieval), True
    elif resolved.item and (
        key := item_section(resolved.referent, resolved.items, retriever)
        or item_line_section(resolved.referent, retriever, resolved.items)
    ):
        retrieval, lead = lead_with(*key, retriever, retrieval), True  # «πες μου για το 5»: item 5's section
    elif (
        resolved.follow_up
        and len(tokens(question)) < OWN_WORDS_MIN
        and not condensed
        and (key := quoted_from(previous, retriever))
    ):
        # «ποιος το αναλαμβάνει αυτό;»: too few words of its own; «αυτό» is what the last answer quoted.
        retrieval, lead = lead_with(*key, retriever, retrieval), True
    return Reading(resolved, condensed or resolved.topic, asked, retrieval, condensed, lead)


def _meaning(retriever: HybridSearch, retrieval: Retrieval):
    """Texts → their cosine with the question's vector (vectors are L2-normalised by every backend)."""

    def cosines(texts: list[str]) -> list[float]:
        q = retrieval.vector
        return [sum(a * b for a, b in zip(v, q, strict=True)) for v in retriever.index.embeddings.embed_documents(texts)]

    return cosines


def _note(coverage: Coverage) -> str:
    """What the guides do not cover, said plainly after a partly covered answer."""
    if coverage.verdict != Verdict.PARTIAL:
        return ""
    phrases = prompts.phrases("extractive")["text"]
    notes: list[str] = []
    if coverage.missing_facts:
        notes.append(prompts.render(phrases["partial_facts"], facts=facts_text(coverage.missing_facts)))
    if coverage.unknown_words:
        notes.append(prompts.render(phrases["partial_words"], words=_words(coverage.unknown_words, phrases)))
    return " ".join(notes)


def _words(words: list[str], phrases: dict) -> str:
    """The user's words, quoted, as a sentence joins them: «α», «β» ούτε «γ» (not a bare comma list)."""
    quoted = [f"«{w}»" for w in words]
    return phrases["word_join"].join([", ".join(quoted[:-1]), quoted[-1]]) if len(quoted) > 1 else "".join(quoted)


def facts_text(kinds: list[str]) -> str:
    """Kinds of fact as one phrase, each word once: «αριθμούς ή ποσοστά» and «ποσοστά» → «αριθμούς ή ποσοστά»;
    three or more as a list, «αριθμούς, ποσοστά, προθεσμίες ή ημερομηνίες»."""
    parts = list(dict.fromkeys(part for kind in kinds for part in kind.split(" ή ")))
    return " ή ".join(parts) if len(parts) <= 2 else f"{', '.join(parts[:-1])} ή {parts[-1]}"


def _refusal(coverage: Coverage) -> str:
    """The refusal, and why when the gate knows: a figure the guides do not state, words they never use."""
    phrases = prompts.phrases("extractive")["text"]
    if coverage.missing_facts:
        contacts = all(kind == CONTACTS for kind in coverage.missing_facts)
        phrase = phrases["refused_contacts" if contacts else "refused_facts"]
        return f"{NOT_FOUND} " + prompts.render(phrase, facts=facts_text(coverage.missing_facts))
    if coverage.unknown_words:
        return f"{NOT_FOUND} " + prompts.render(phrases["refused_words"], words=_words(coverage.unknown_words, phrases))
    return NOT_FOUND


def respond(
    retriever: HybridSearch,
    answerer: Answerer,
    settings: Settings,
    question: str,
    history: list[Turn],
) -> Iterator[str | Answer]:
    """Yields text pieces as they are produced, then the final verified `Answer`."""
    started = time.perf_counter()
    question = without_markup(question)
    if not re.search(r"\w", question):  # «🤔🙏», «???»: nothing asked, and nothing to search for
        text = prompts.phrases("extractive")["text"]["no_words"]
        yield text
        yield Answer(question=question, text=text, found=False, coverage=Verdict.NOT_COVERED.value, answerer=answerer.name)
        return
    reading = read(retriever, answerer, question, history)
    resolved, asked, retrieval = reading.resolved, reading.forms, reading.retrieval
    coverage = assess(question, retrieval, settings, topic=reading.search, asks=reading.asks)
    sources = retrieved = sources_from(retrieval.passages)  # `retrieved` keeps retrieval's rank order
    text, removed, uncited, extras, pointed = NOT_FOUND, [], [], [], []
    if coverage.answerable:
        request = AnswerRequest(
            question=reading.condensed or question,  # a model that rewrote the follow-up answers the rewrite
            passages=retrieval.passages,
            history=history,
            forms=asked,
            weights=_weights(tokens(resolved.own or question) if resolved.follow_up else retrieval.query.keys, retriever),
            referent={
                k: (ITEM_WEIGHT if resolved.item else REFERENT_WEIGHT) * w
                for k, w in _weights(tokens(resolved.referent), retriever).items()
            },
            shown=resolved.shown,
            item=resolved.item,
            others=_others(resolved, retriever),
            lead=reading.lead,
            after=reading.lead and bool(resolved.after),
            cross_lingual=retrieval.query.cross_lingual,
            preferred=frozenset(settings.audience_guides.get(retriever.audience or "", [])),
            meaning=_meaning(retriever, retrieval) if retrieval.query.cross_lingual else None,
        )
        renumber = Renumberer({s.n for s in sources})
        parts: list[str] = []
        # To a question in another language, first of all: the answer is in the guides' Greek (new-user
        # trial 12 found the note after the answer, which a reader who cannot read Greek never reaches).
        lead = prompts.phrases("extractive")["text"]["cross_lingual"] + "\n\n" if retrieval.query.cross_lingual else ""
        led = False  # shown before the answer's first words, never before a refusal
        for piece in answerer.stream(request):
            if out := renumber.feed(piece):
                if lead and not led and not out.startswith(NOT_FOUND[:20]):
                    led = True
                    yield lead
                parts.append(out)
                yield out
        parts.append(renumber.close())
        sources = renumber.sources(sources)
        body, removed, uncited = verify("".join(parts).strip(), sources)
        removed = sorted(set(removed) | set(renumber.removed))
        pointed = related(body, sources, settings.see_also)
        pointers = see_also(body, sources, settings.see_also, chosen=pointed)
        extras = [x for x in (_note(coverage), pointers) if x]
        head = lead if led and body and not body.startswith(NOT_FOUND[:20]) else ""  # nothing left: no answer to lead
        if body and not body.startswith(NOT_FOUND[:20]) and extras:
            tail = "\n\n" + "\n\n".join(extras)
            yield tail
            text = head + body + tail
        else:
            text, pointed = head + body, []
        extras = [head.strip(), *extras] if head else extras
    else:
        text = _refusal(coverage)
        yield text  # never ask a model to answer from passages that do not cover the question
    found = bool(text) and not text.startswith(NOT_FOUND[:20])
    yield Answer(
        question=question,
        standalone_question=retrieval.query.text,
        text=text if found or text.startswith(NOT_FOUND) else NOT_FOUND,  # a refusal keeps its why
        found=found,
        coverage=coverage.verdict.value if found else Verdict.NOT_COVERED.value,
        not_covered=coverage.missing_facts + coverage.unknown_words,
        sources=sources if found else [],
        suggestions=[] if found else nearest_sections(sources),
        related=pointed if found else [],
        retrieved=retrieved,
        notes=extras if found else [],
        removed_citations=removed,
        uncited_sentences=uncited,
        answerer=answerer.name,
        latency_ms=(time.perf_counter() - started) * 1000,
    )
