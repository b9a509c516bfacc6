"""Mechanical readability checks of an answer's form: heading-led bullets, sentence fragments, citation
numbering, length. Formulas in eval/README.md («Readability»); nothing here judges content."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eval.text import CITATION, answer_sentences, citation_numbers, plain, words

FRAGMENT_MIN_WORDS = 4  # a sentence of fewer words is a fragment (the definition)
HEADING_MAX_WORDS = 12  # a label before « — » longer than this is prose, not a heading

_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+(?P<text>\S.*)$")
_BOLD_HEAD = re.compile(r"^\*\*[^*\n]+\*\*")
_DASH_HEAD = re.compile(r"^(?P<head>[^—–\n]{1,120}?)\s[—–]\s+\S")
_FINAL = re.compile(r"[.!?;;…][\"»”’')\]]*$")
_OPENERS = "«\"“‘'([ "


def heading_of(bullet_text: str) -> str | None:
    """The heading a bullet starts with: «**6.1 Χαρτογράφηση**» or «Χαρτογράφηση αναγκών — …»; else None."""
    text = CITATION.sub("", bullet_text).strip()
    bold = _BOLD_HEAD.match(text)
    if bold:
        return bold.group(0).strip("*").strip()
    dash = _DASH_HEAD.match(text)
    if dash:
        head = dash.group("head").strip()
        if head and not _FINAL.search(head) and len(words(head)) <= HEADING_MAX_WORDS:
            return head
    return None


def _without_lead(sentence: str) -> str:
    """A sentence without its list mark and, on a bullet, the heading label before the point."""
    m = _BULLET.match(sentence)
    text = m.group("text") if m else sentence
    if heading_of(text) is not None:
        lead = _BOLD_HEAD.match(text) or _DASH_HEAD.match(text)
        text = text[lead.end() if lead.re is _BOLD_HEAD else lead.end("head") :].lstrip(" —–-:")
    return text


def fragment_reason(sentence: str) -> str | None:
    """Why a sentence reads as a fragment («short», «lower-case», «no final punctuation»), or None; list intros
    ending with ':' are not sentences and return None."""
    text = plain(_without_lead(sentence)).strip()
    if not text or text.endswith(":"):
        return None
    if len(words(text)) < FRAGMENT_MIN_WORDS:
        return "short"
    first = text.lstrip(_OPENERS)[:1]
    if first.isalpha() and first.islower():
        return "lower-case"
    if not _FINAL.search(text):
        return "no final punctuation"
    return None


def first_appearance(numbers: list[int]) -> list[int]:
    return list(dict.fromkeys(numbers))


def numbering_gap(text: str) -> bool | None:
    """True when the distinct [n] in order of first appearance are not 1, 2, …, m; None without citations."""
    order = first_appearance(citation_numbers(text))
    if not order:
        return None
    return order != list(range(1, len(order) + 1))


@dataclass
class Readability:
    words: int
    bullets: int
    heading_bullets: list[str] = field(default_factory=list)  # the headings found
    sentences: int = 0  # sentences counted (list intros excluded)
    fragments: list[dict] = field(default_factory=list)  # {sentence, reason}
    citation_order: list[int] = field(default_factory=list)
    gap: bool | None = None

    @property
    def heading_share(self) -> float | None:
        return len(self.heading_bullets) / self.bullets if self.bullets else None

    @property
    def fragment_share(self) -> float | None:
        return len(self.fragments) / self.sentences if self.sentences else None

    def record(self) -> dict:
        return {
            "words": self.words,
            "bullets": self.bullets,
            "heading_bullets": self.heading_bullets,
            "sentences": self.sentences,
            "fragments": self.fragments,
            "citation_order": self.citation_order,
        }


def check(answer: str) -> Readability:
    """Every readability check of one answer."""
    bullets = [m.group("text") for line in answer.split("\n") if (m := _BULLET.match(line))]
    heads = [h for h in (heading_of(b) for b in bullets) if h is not None]
    counted, fragments = 0, []
    intro: set[int] = set()  # the citations of the guide's own sentence introducing the list («…εξετάζει: [1]»)
    for line in answer.split("\n"):
        if not line.strip():
            continue
        item = bool(_BULLET.match(line))
        if not item:
            intro = set(citation_numbers(line)) if plain(line).strip().endswith(":") else set()
        for sentence in answer_sentences(line):
            text = plain(_without_lead(sentence)).strip()
            if not text or text.endswith(":"):
                continue
            counted += 1
            reason = fragment_reason(sentence)
            if reason == "lower-case" and item and intro and set(citation_numbers(line)) <= intro:
                continue  # «Η αξιολόγηση εξετάζει: [1]» ⏎ «- αν επιτεύχθηκε… [1]»: it continues the quoted intro
            if reason:
                fragments.append({"sentence": text, "reason": reason})
    return Readability(
        words=len(words(answer)),
        bullets=len(bullets),
        heading_bullets=heads,
        sentences=counted,
        fragments=fragments,
        citation_order=first_appearance(citation_numbers(answer)),
        gap=numbering_gap(answer),
    )
