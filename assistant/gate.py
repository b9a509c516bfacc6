"""The relevance gate: do the retrieved passages cover the question, part of it, or nothing?

Evidence a reader would accept, each independent of any one corpus:
- standout: how far the best passage's cosine lies above the corpus' own median for this query, in
  robust spreads (raw e5 cosines are compressed and shift from corpus to corpus; the standout does not);
- coverage: the IDF-weighted share of the question's search keys found in the top passages (rare words
  carry the topic; «πώς», «μπορούμε» carry little);
- unknown words: the share of the question's IDF mass on keys the corpus never uses («σύνταξη» in
  guides that never mention pensions); an unknown verb («να μας γράψει») counts less than an unknown
  noun, since users say what they do in their own words;
- asked facts: a question that asks for an amount, a deadline, a phone or an article number is only
  answered by passages that state one.
A question written in another language is judged by the standout alone (no shared words to count).
Each threshold is a named setting chosen on the dev split (`python -m eval.calibrate`). The rules read the
asking sentence apart from a situation told before it: «Πουλάμε ψωμί σε ταβέρνες. Μετράει ως δικτύωση;»
may name things the guides never mention, as long as what it asks is in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from assistant.core.greek_text import fold, same_stem, tokens
from assistant.core.settings import Settings
from assistant.core.types import Retrieval
from assistant.facts import NUMERAL_KEYS, asked_facts, states_fact
from assistant.question import OWN_WORDS_MIN, clauses, form_keys, need, situation, verb_keys


class Verdict(StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    NOT_COVERED = "not_covered"


@dataclass
class Coverage:
    verdict: Verdict
    standout: float = 0.0
    coverage: float = 0.0
    unknown_share: float = 0.0
    unknown_words: list[str] = field(default_factory=list)  # as typed
    missing_facts: list[str] = field(default_factory=list)  # kinds of fact asked and not stated
    reason: str = ""

    @property
    def answerable(self) -> bool:
        return self.verdict != Verdict.NOT_COVERED


def matches(key: str, keys: set[str]) -> bool:
    """A key is in a text's keys, or another key of the same word is (`same_stem`)."""
    return key in keys or (len(key) >= 5 and any(same_stem(key, k) for k in keys))


def key_coverage(weights: dict[str, float], keys: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for k, w in weights.items() if matches(k, keys)) / total if total else 0.0


# Endings of Greek verbs in the third person and the passive («παίρνει», «ρωτάει», «δικαιούται», «χτύπησε»):
# a verb is what happens in the user's story, not a topic the guides lack.
_VERB_ENDING = re.compile(r"(?:ει|ουν|ουνε|ται|νται|ηκε|ηκαν|ησε|ησαν|ασε|αει|ιζε|ουσε)$")


def _typed_words(question: str, unknown: set[str]) -> list[str]:
    """The question's words, as typed, that the corpus never uses; verbs are left out («βγάζουμε»): what a
    user does is said in their own words, what is missing is the thing («διαβατήριο»). Unknown words next
    to each other are one phrase («άδεια μητρότητας»), not two things the guides lack."""
    out: list[str] = []
    verbs, last = verb_keys(question), -2
    for at, word in enumerate(re.findall(r"\w+", question)):
        keys = tokens(word)
        if keys and keys[0] in unknown and keys[0] not in verbs and not _VERB_ENDING.search(fold(word)) and word not in out:
            if at == last + 1 and out:
                out[-1] = f"{out[-1]} {word}"
            else:
                out.append(word)
            last = at
    return out


def unknown_weights(question: str, retrieval: Retrieval, settings: Settings) -> dict[str, float]:
    """How unknown each search key is: a word the corpus never uses counts whole, a verb less (what a user
    does is said in their own words), and a word repaired into one the corpus has half — it may have been
    a real word the corpus lacks («συνταγή» → «σύνταξη»)."""
    repaired = dict(zip(retrieval.query.raw_keys, retrieval.query.keys, strict=False))
    unknown = {k: 1.0 for k in retrieval.unknown} | {
        k: 0.5 for raw, k in repaired.items() if raw != k and k not in retrieval.unknown
    }
    for raw in verb_keys(question):
        if (k := repaired.get(raw, raw)) in unknown:
            unknown[k] *= settings.gate_verb_unknown
    return unknown


def lacking_asks(question: str, retrieval: Retrieval, settings: Settings) -> list[str]:
    """The asks of a question (`clauses`) about something the corpus never names, as the whole asking
    sentence is judged: more than `gate_max_need_unknown` of the IDF mass of their nouns (two at least) unknown («τι εισφορές πληρώνουμε
    στον ΕΦΚΑ»). Verbs are left out: a user says what they do in their own words («τρώμε χρόνο»)."""
    repaired = dict(zip(retrieval.query.raw_keys, retrieval.query.keys, strict=False))
    unknown = set(retrieval.unknown)
    out = []
    for ask in clauses(question):
        verbs = verb_keys(ask) | {k for w in re.findall(r"\w+", ask) if _VERB_ENDING.search(w) for k in tokens(w)}
        nouns = {k: retrieval.idf[k] for raw in tokens(ask) if raw not in verbs and (k := repaired.get(raw, raw)) in retrieval.idf}
        nouns = {k: w for k, w in nouns.items() if k not in NUMERAL_KEYS}
        if len(nouns) >= 2 and _share(nouns, unknown) > settings.gate_max_need_unknown:
            out.append(ask)
    return out


def features(question: str, retrieval: Retrieval, settings: Settings, own: str = "") -> dict[str, float]:
    """The evidence the gate weighs, each a share of the question's IDF mass (thresholds in Settings).
    `question` is everything searched; `own` the user's new turn, whose asking sentence is the need (a
    follow-up's previous question is context, not what is asked now)."""
    passages = retrieval.passages
    standout = retrieval.standout
    if retrieval.query.cross_lingual:
        return {"cross_lingual": 1.0, "cross_lingual_standout": standout}
    top = passages[: settings.gate_top_passages]
    keys = set().union(*(set(tokens(f"{p.section}\n{p.text}")) for p in top))
    weights = {k: w for k, w in retrieval.idf.items() if k not in NUMERAL_KEYS}
    repaired = dict(zip(retrieval.query.raw_keys, retrieval.query.keys, strict=False))
    unknown = unknown_weights(question, retrieval, settings)
    # The same evidence on the asking sentence alone, when the question first describes a situation.
    asking = {k: weights[k] for raw in tokens(_asking(own, question)) if (k := repaired.get(raw, raw)) in weights}
    # …and a repaired word found in the passages is half evidence too: the repair, not the user, matched it.
    trust = {k: (0.5 if unknown.get(k) == 0.5 else 1.0) * w for k, w in weights.items()}

    def covered(ws: dict[str, float]) -> float:
        total = sum(ws.values())
        return sum(trust.get(k, w) for k, w in ws.items() if matches(k, keys)) / total if total else 0.0

    return {
        "standout": standout,
        "coverage": covered(weights),
        "unknown": _share(weights, unknown),
        "need_coverage": covered(asking) if asking else covered(weights),
        "need_unknown": _share(asking, unknown) if asking else _share(weights, unknown),
        "need_keys": float(len(asking) or len(weights)),
    }


def _asking(own: str, topic: str) -> str:
    """The asking sentence: the user's new turn's, unless it has too few words of its own to ask anything
    («πες μου για το 5») and the topic's asking sentence has more, when what it refers to asks it."""
    if not own:
        return need(topic)
    short = len(tokens(own)) < OWN_WORDS_MIN and len(tokens(need(topic))) > len(tokens(own))
    return need(topic) if short else need(own)


def _share(weights: dict[str, float], keys: set[str] | dict[str, float]) -> float:
    """IDF-weighted share of `weights` on `keys` (a dict gives each key a fraction of its weight)."""
    total = sum(weights.values())
    part = keys if isinstance(keys, dict) else dict.fromkeys(keys, 1.0)
    return sum(w * part.get(k, 0.0) for k, w in weights.items()) / total if total else 0.0


def assess(
    question: str,
    retrieval: Retrieval,
    settings: Settings,
    evidence: dict[str, float] | None = None,
    topic: str | None = None,
    asks: str | None = None,
) -> Coverage:
    """Judge coverage from the retrieval's evidence. `question` is the user's own words (what facts it
    asks for); `topic` is what was searched, which for a follow-up includes what the conversation refers
    to («πες μου για το 2» is about item 2); `asks` is the turn whose asking sentence is what is asked now
    (the question, unless it refers to an item or what follows, when the topic asks it). `evidence` may
    be passed when `features` was already computed (calibration replays the gate many times)."""
    if not retrieval.passages:
        return Coverage(Verdict.NOT_COVERED, reason="no passages")
    topic = topic or question
    asks = question if asks is None else asks
    ev = evidence or features(topic, retrieval, settings, own=asks)
    result = Coverage(Verdict.COVERED, retrieval.standout, ev.get("coverage", 0.0), ev.get("unknown", 0.0))
    unknown = set(retrieval.unknown)
    asking = _asking(asks, topic)
    if retrieval.query.cross_lingual:
        if retrieval.standout < settings.gate_cross_lingual_standout:
            return _refuse(result, "nothing stands out for a question in another language")
    else:
        if retrieval.standout < settings.gate_min_standout:
            return _refuse(result, "nothing in the corpus stands out for this question")
        # «Ποια πεδία συμπληρώνουμε στην πλατφόρμα…;»: words the corpus uses, but not in the passages found.
        low = max(ev["coverage"], ev["need_coverage"]) < settings.gate_min_coverage
        if low and retrieval.standout < settings.gate_strong_standout:
            result.unknown_words = _typed_words(asking, unknown)
            return _refuse(result, "the passages hold almost none of what the question is about")
        if ev["need_keys"] >= 2 and ev["need_unknown"] > settings.gate_max_need_unknown:
            result.unknown_words = _typed_words(asking, unknown)
            return _refuse(result, "the asking sentence is about something the corpus never names")
        if ev["unknown"] > settings.gate_max_unknown and ev["need_coverage"] < settings.gate_min_need_coverage:
            result.unknown_words = _typed_words(topic, unknown)
            return _refuse(result, "the question's topic is not in the corpus")
        # A follow-up refers back to names its earlier turns were already judged on («δώσε ένα
        # παράδειγμα» after «Ο Δήμαρχος μας ζήτησε…»): only a name typed in this turn can refuse it.
        names = [n for n in _unknown_names(asking, retrieval) if n in asks]
        if names:
            result.unknown_words = names
            return _refuse(result, "the question asks about a named place or body the corpus never mentions")
        # «Τι ασφαλιστικές εισφορές…;»: the thing asked for, right after the interrogative, is words the
        # corpus never uses, however well the situation told before it is covered.
        if head := _asked_head(asking, retrieval):
            result.unknown_words = head
            return _refuse(result, "what the question asks for is words the corpus never uses")
    # «…τι εισφορές πληρώνουν στον ΕΦΚΑ και πώς φορολογούνται τα κέρδη;»: an ask whose topic the corpus
    # never names is not covered though another is; the rest is answered, and the note says which is not.
    own = need(question)  # the user's own asks: a follow-up's previous question was answered before
    parts = clauses(own)
    lacking = lacking_asks(own, retrieval, settings) if len(parts) > 1 and not retrieval.query.cross_lingual else []
    if lacking:
        lacking_keys = set(tokens(" ".join(lacking)))  # clauses are folded: the words are shown as typed
        result.unknown_words = [w for w in _typed_words(own, unknown) if set(tokens(w)) & lacking_keys]
        if not any(_clause_covered(c, retrieval, settings) for c in parts if c not in lacking):
            return _refuse(result, "the asks the corpus could answer are not in the passages")
        result.verdict, result.reason = Verdict.PARTIAL, "an ask is about something the corpus never names"
    all_text = "\n".join(p.text for p in retrieval.passages)
    missing = [kind for kind in asked_facts(own) if not states_fact(kind, all_text, own)]
    if missing:
        result.missing_facts = missing
        # «Θέλουμε κοινοπραξία για έναν διαγωνισμό. Τι να προσέξουμε και πόσο κοστίζει;»: an ask that
        # names nothing but its form («τι να προσέξουμε») is about the situation told before it.
        told = situation(question)
        # An ask whose figure is stated («πόσο συχνά…;» answered by «μία φορά τον χρόνο») is answerable too.
        others = [c if _names_something(c) else f"{told} {c}" for c in clauses(own) if not set(asked_facts(c)) & set(missing)]
        if not any(_clause_covered(c, retrieval, settings) for c in others):
            return _refuse(result, "the fact asked for is not stated")
        # A part is answered only of a question whose topic the corpus has: when most of what it is about
        # is unknown («άδεια μητρότητας»), what matched the other ask («αποδοχές») matched by chance.
        if ev.get("unknown", 0.0) > settings.gate_max_unknown:
            return _refuse(result, "the fact asked for is not stated, and the question's topic is not in the corpus")
        result.verdict = Verdict.PARTIAL
        result.reason = "a fact asked for is not stated; the rest is covered"
    return result


def _names_something(clause: str) -> bool:
    """Whether an ask has words of its own besides those that give it its form."""
    form = form_keys(clause)
    return any(k not in form and not k.isdigit() for k in tokens(clause))


def _clause_covered(clause: str, retrieval: Retrieval, settings: Settings) -> bool:
    """Whether one ask of a multi-part question is itself in the top passages."""
    repaired = dict(zip(retrieval.query.raw_keys, retrieval.query.keys, strict=False))
    weights = {k: retrieval.idf[k] for raw in tokens(clause) if (k := repaired.get(raw, raw)) in retrieval.idf}
    if not weights:
        return False
    top = retrieval.passages[: settings.gate_top_passages]
    keys = set().union(*(set(tokens(f"{p.section}\n{p.text}")) for p in top))
    unknown = _share(weights, set(retrieval.unknown))
    return key_coverage(weights, keys) >= settings.gate_min_need_coverage and unknown <= settings.gate_max_need_unknown


_NAME = re.compile(r"(?<![.;;!?]\s)(?<!^)\b([Α-ΩΆ-Ώ][α-ωά-ώϊϋΐΰς]{3,})\b")
# An abbreviation the question asks for by an interrogative («σε ποιους ΚΑΔ…;»): what is asked is named by
# it. (Abbreviations elsewhere are mostly the setting, «στα ΚΑΠΗ», and need not be in the guides.)
_ASKED_ABBREVIATION = re.compile(r"\b(?i:ποι(?:ο|α|οσ|ος|ου|ουσ|ους|εσ|ες|οι|ων)|τι)\s+([Α-Ω]{2,}[Α-Ωα-ω]*)\b")


def _unknown_names(text: str, retrieval: Retrieval) -> list[str]:
    """Capitalised words inside a sentence (proper names: «Δήμο Λαρισαίων») that the corpus never uses,
    as typed — before spelling repair, which would map a name onto some nearby word."""
    typed = set(retrieval.typed_unknown)
    found = [m.group(1) for m in (*_NAME.finditer(text.strip()), *_ASKED_ABBREVIATION.finditer(text))]
    return [w for w in dict.fromkeys(found) if (keys := tokens(w)) and keys[0] in typed]


# «Τι / Ποια / Ποιες … X;»: up to three words after the interrogative, up to a verb or a preposition.
_INTERROGATIVE = re.compile(r"\b(?:τι|ποι(?:ο|α|οσ|οι|εσ|ουσ|ων|ου))\s+((?:[^\W\d_]+\s*){1,3})")
_HEAD_STOP = {"θα", "να", "δεν", "μπορει", "πρεπει", "ειναι", "στο", "στον", "στη", "στην", "στα", "στουσ", "στισ",
              "σε", "για", "με", "απο", "του", "τησ", "των", "που", "και", "η", "ο", "το", "τα", "οι",
              "μου", "σου", "μασ", "σασ", "τουσ", "τισ", "τον", "την", "τη"}  # fmt: skip
_PERSONAL_VERB = re.compile(r"(?:ω|εισ|ουμε|εμε|ετε|ουν|ουμαστε|ομαστε|εστε|αμε|ατε|αν|ησα|ισα|ωσ)$")  # and «-ως» adverbs


def _asked_head(asking: str, retrieval: Retrieval) -> list[str]:
    """The words of what is asked for («Τι ασφαλιστικές εισφορές…»), as typed, when every one of them is a
    word the corpus never uses (two or more keys: one unknown word may be a synonym of the guide's)."""
    typed = set(retrieval.typed_unknown)
    for m in _INTERROGATIVE.finditer(fold(asking)):
        head = []
        for word in m.group(1).split():
            if word in _HEAD_STOP or _VERB_ENDING.search(word) or _PERSONAL_VERB.search(word):
                break
            head.append(word)
        keys = [k for w in head for k in tokens(w)]
        if len(keys) >= 2 and all(k in typed for k in keys):
            return _typed_words(asking, set(keys))
    return []


def _refuse(evidence: Coverage, reason: str) -> Coverage:
    evidence.verdict = Verdict.NOT_COVERED
    evidence.reason = reason
    return evidence
