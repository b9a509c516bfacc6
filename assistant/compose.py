"""The extractive answerer: composes an answer from the guides' own sentences, each with its citation.

Answer units are sections, not loose sentences. Sentences are scored by the question's informative words
(IDF-weighted Greek stems), the section they sit in and the rank retrieval gave it; a question that asks
for a whole list or procedure gets the list whole, in the guide's order; otherwise a few sentences are
chosen with redundancy removed (MMR), the most direct one first. Framing sentences, rhetorical questions
and hypothetical examples are left out unless the question asks for them. What the answer leaves out is
pointed to («Δείτε επίσης»), not padded in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import prompts
from assistant.answer import NOT_FOUND, AnswerRequest, register
from assistant.core.documents import is_example_section
from assistant.core.greek_text import fold, split_sentences, tokens
from assistant.core.safety import is_instruction
from assistant.core.settings import Settings
from assistant.core.types import Passage, Turn
from assistant.gate import matches
from assistant.question import Form, asks_whole

PHRASES = prompts.phrases("extractive")
_ITEM = re.compile(r"^\s*(?:[-•·▪●◦*☐☑✓–]\s+|\d{1,2}[).]\s+|[α-ω][).]\s+)")
# Structure, not wording: a document speaks of itself in standard ways.
_SELF_REFERENCE = re.compile(r"\b(?:ο|του|τον|στον) (?:παρων |παροντοσ )?οδηγ\w*|\bενοτητ\w* \d|\bκεφαλαι\w* \d")
_END = ".;;!?»)"
CAPTION_MAX_WORDS = 6  # a line of its own this short, right above a list, is the list's caption
RUN_IN_MAX_WORDS = 3  # a line opening with a «sentence» this short has a run-in heading («Ποιος το κάνει.»)
_NUMBER = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3})*(?![\d/])")


@dataclass
class Line:
    """One sentence of a section, where it came from and what it is."""

    n: int  # the passage it is cited from (1-based)
    unit: int  # rank of its section among the answer units (0 = best)
    order: tuple[int, int, int]  # reading order: chunk index, line, sentence
    text: str
    keys: set[str]
    item: int  # which list it belongs to (-1: running text)
    head: bool  # first sentence of its line (an item's own statement)
    intro: bool  # ends with «:» (introduces what follows)

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class Block:
    """A list with the sentence that introduces it (or its caption), as one candidate of an answer."""

    whole: Line  # stands for the list among the candidates: all its words, the introduction's place
    intro: Line
    items: list[Line]
    value: float  # its score on all its words
    direct: float  # its best item's score: how directly it answers, for the answer's opening
    total: int  # items in the guide's list (more than `items` past max_list_items)


def _finish(text: str) -> str:
    text = text.rstrip(" ,·")
    return text if text.endswith(tuple(_END)) else text.rstrip(":") + "."


class _Units:
    """The passages grouped into sections (answer units), ranked by their best passage, with their
    sentences in reading order and their lists (consecutive item lines, with the line introducing them)."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.keys: list[tuple[str, str]] = []
        by_unit: dict[tuple[str, str], list[int]] = {}
        for n, p in enumerate(passages, start=1):
            key = (p.guide_id, p.section)
            if key not in by_unit:
                self.keys.append(key)
            by_unit.setdefault(key, []).append(n)
        self.lines: list[Line] = []
        self.lists: dict[int, list[Line]] = {}
        seen: set[str] = set()
        list_id = 0
        for unit, key in enumerate(self.keys):
            ns = sorted(by_unit[key], key=lambda n: passages[n - 1].chunk_index)
            open_list = False
            for n in ns:
                p = passages[n - 1]
                for li, raw in enumerate(line for line in p.text.split("\n") if line.strip()):
                    is_item = bool(_ITEM.match(raw))
                    body = _ITEM.sub("", raw).strip()
                    folded = fold(body)
                    if folded in seen:  # chunk overlap repeats the tail of the previous chunk
                        continue
                    seen.add(folded)
                    if is_item and not open_list:
                        list_id += 1
                        open_list = True
                    elif not is_item:
                        open_list = False
                    for si, sentence in enumerate(_run_in(split_sentences(body), is_item)):
                        sentence = sentence.strip()
                        if is_instruction(sentence):
                            continue  # «Αγνόησε τις οδηγίες…», a password, a link: never quoted, in any form
                        if si == 0 and not is_item and self._continues(sentence, unit):
                            continue
                        line = Line(
                            n, unit, (p.chunk_index, li, si), sentence, set(tokens(sentence)),
                            list_id if is_item else -1, si == 0, sentence.endswith(":"),
                        )  # fmt: skip
                        self.lines.append(line)
                        if is_item:
                            self.lists.setdefault(list_id, []).append(line)

    def _continues(self, sentence: str, unit: int) -> bool:
        """«Ένας πρακτικός κανόνας είναι:» ⏎ «τουλάχιστον ένα δίκτυο…»: a lower-case line after an
        introduction that ends with «:» (not a list) finishes that sentence, so it is joined to it."""
        last = self.lines[-1] if self.lines else None
        if last is None or last.unit != unit or not last.intro or last.item >= 0 or not sentence[:1].islower():
            return False
        last.text = f"{last.text} {sentence}"
        last.keys |= set(tokens(sentence))
        last.intro = last.text.endswith(":")
        return True

    def passage(self, line: Line) -> Passage:
        return self.passages[line.n - 1]

    def blocks(self) -> list[tuple[Line, list[Line]]]:
        """Each list with the sentence introducing it («Η αξιολόγηση εξετάζει:»): together they are one
        statement, whose items, lowercase continuations of the introduction, do not stand alone."""
        out = []
        for list_id, members in self.lists.items():
            intro = self.intro_of(list_id)
            heads = [ln for ln in members if ln.head]
            if intro is not None and len(heads) >= 2:
                out.append((intro, heads))
        return out

    def intro_of(self, list_id: int) -> Line | None:
        """The sentence right before a list, when it introduces it («…διακρίνονται στα εξής είδη:») or is
        its caption: a short line of its own right above it («Συνηθισμένα λάθη.»)."""
        first = self.lists[list_id][0]
        before = [ln for ln in self.lines if ln.unit == first.unit and ln.order < first.order and ln.item == -1]
        if not before:
            return None
        last = before[-1]
        alone = last.head and not any(ln.n == last.n and ln.order[:2] == last.order[:2] and ln is not last for ln in self.lines)
        caption = alone and last.words <= CAPTION_MAX_WORDS and last.order[:2] == (first.order[0], first.order[1] - 1)
        return last if last.intro or caption else None


@register("extractive")
class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def condense(self, question: str, history: list[Turn]) -> str | None:
        return None  # the conversation is read by assistant/question.py

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        # Sentence by sentence, so the interfaces can show the answer as it is composed.
        yield from re.findall(r".+?(?:\]\s+|$)", self.compose(request), flags=re.S)

    # -- scoring ---------------------------------------------------------------------------------------
    def _scorer(self, request: AnswerRequest, units: _Units):
        weights, referent = request.weights, request.referent
        total, ref_total = sum(weights.values()), sum(referent.values())
        asks_example = Form.EXAMPLE in request.forms
        mentions_guide = "οδηγ" in fold(request.question)
        shown = [set(tokens(s)) for s in request.shown]
        title_keys = {key: set(tokens(key[1])) for key in units.keys}
        # «Τι προβλέπει το άρθρο 11;», «τι λέει η ενότητα 5.3;»: a number the question names picks its section.
        named = set(_NUMBER.findall(request.question))
        named_units = {key for key in units.keys if named & set(_NUMBER.findall(key[1].rsplit(" > ", 1)[-1]))}

        def coverage(w: dict[str, float], tot: float, keys: set[str]) -> float:
            return sum(v for k, v in w.items() if matches(k, keys)) / tot if tot else 0.0

        def score(line: Line) -> float | None:
            """None: never part of an answer (fragment, table row, rhetorical question, already said)."""
            p = units.passage(line)
            # Fragments, table rows (flattened or not) and rhetorical questions are not answers.
            if len(line.keys) < 3 or line.words > 60 or " | " in line.text or line.text.endswith((";", ";")):
                return None
            # A continuation fragment, or what the previous answer already said, is never part of an answer.
            if line.text[0].islower() or any(_contained(line.keys, keys) for keys in shown):
                return None
            value = coverage(weights, total, line.keys)
            value += 0.35 * coverage(weights, total, title_keys[(p.guide_id, p.section)])
            value += 0.3 * coverage(referent, ref_total, line.keys)
            if request.item:  # «πες μου για το δεύτερο»: the section that item names is the answer
                value += 0.6 * coverage(referent, ref_total, title_keys[(p.guide_id, p.section)] | line.keys)
            value += 0.15 / (1 + line.unit)
            if (p.guide_id, p.section) in named_units:
                value += 1.0  # as much as a sentence with every word of the question: it is the answer
            if line.order[1:] == (0, 0) and line.head:
                value += 0.05  # a section's or chunk's opening sentence states its topic
            example = is_example_section(p.leaf)
            if example and not asks_example:
                return None  # a hypothetical story is not an answer unless an example is asked for
            if example:
                value += 0.3
            if not mentions_guide and _SELF_REFERENCE.search(fold(line.text)):
                value -= 0.3  # «Ο Οδηγός…», «Η ενότητα 6…»: the guide speaking of itself
            return value

        return score

    # -- composition -----------------------------------------------------------------------------------
    def compose(self, request: AnswerRequest) -> str:
        if not request.passages:
            return NOT_FOUND
        units = _Units(request.passages)
        score = self._scorer(request, units)
        scored = [(s, ln) for ln in units.lines if (s := score(ln)) is not None]
        blocks = self._blocks(units, score)  # a section may be only an introduction and its list
        if not scored and not blocks:
            return NOT_FOUND
        form = request.forms[0]
        parts = [n for n, p in enumerate(request.passages, start=1) if p.part]
        if scored and asks_whole(form) and len(parts) >= 3:
            body, _used = self._parts(request, units, dict((id(ln), s) for s, ln in scored), parts, form)
            return body
        best_score, best = max(scored, key=lambda t: t[0]) if scored else (0.0, None)
        listed = self._list_of(units, best, form) if best is not None else None
        if listed is not None:
            body, _used = self._render_items(request, units, *listed, form)
        else:
            body, _used = self._free(scored, best_score, blocks)
        return body

    def _blocks(self, units: _Units, score) -> dict[int, Block]:
        """Lists with their introduction as candidates of their own, scored on all their words: the
        question «τι εξετάζει η αξιολόγηση;» is answered by the list the introduction opens, not by it."""
        cap = self.settings.max_list_items
        out = {}
        for intro, every in units.blocks():
            items = every[:cap]
            # A caption («Τι κάνουμε.») labels the list; only an introduction is part of what it says.
            lead = intro.keys if intro.intro else set()
            whole = Line(intro.n, intro.unit, intro.order, intro.text, lead.union(*(ln.keys for ln in items)), -1, True, True)
            if (value := score(whole)) is None:
                continue
            read = [Line(it.n, it.unit, it.order, it.text, lead | it.keys, -1, True, False) for it in items]
            direct = max((v for ln in read if (v := score(ln)) is not None), default=0.0)
            out[id(whole)] = Block(whole, intro, items, value, direct, len(every))
        return out

    def _parts(self, request, units: _Units, scores: dict[int, float], parts: list[int], form: Form):
        """One item per part (step, kind): the part's best sentence, preferring its opening ones."""
        items: list[Line] = []
        for n in parts:
            own = [ln for ln in units.lines if ln.n == n and id(ln) in scores and not ln.intro]
            if own:
                items.append(max(own, key=lambda ln: scores[id(ln)] - 0.1 * ln.order[1] - 0.05 * ln.order[2]))
        return self._render_items(request, units, None, items, form)

    def _list_of(self, units: _Units, best: Line, form: Form) -> tuple[Line | None, list[Line]] | None:
        """The list the best sentence introduces or belongs to, when the answer should be that list."""
        list_id = best.item
        if best.intro:
            after = [ln for ln in units.lines if ln.unit == best.unit and ln.order > best.order]
            list_id = after[0].item if after and after[0].item >= 0 else -1
        # A list is the answer when the best sentence introduces it, or when the question asks for a whole
        # list and the list says what it is (its introduction or caption): a list of mistakes is not steps.
        intro = units.intro_of(list_id) if list_id >= 0 else None
        if intro is None or not (asks_whole(form) or best.intro):
            return None
        heads = [ln for ln in units.lists[list_id] if ln.head]
        if len(heads) < 2:
            return None
        return intro, heads

    def _render_items(self, request, units: _Units, intro: Line | None, items: list[Line], form: Form):
        cap = self.settings.max_list_items
        shown, rest = items[:cap], len(items) - cap
        if intro is not None:
            lines = [f"{_as_intro(intro.text)} [{intro.n}]"]
        else:
            guide = units.passage(shown[0]).guide_title if shown else ""
            lead = PHRASES["lead"].get(form.value, PHRASES["lead"]["general"])
            lines = [prompts.render(lead, guide=guide)]
        numbered = form == Form.PROCEDURE
        for i, ln in enumerate(shown, start=1):
            lines.append(f"{f'{i}.' if numbered else '-'} {_finish(ln.text)} [{ln.n}]")
        if rest > 0:
            lines.append(prompts.render(PHRASES["text"]["more_items"], count=rest))
        used = shown + ([intro] if intro else [])
        return "\n".join(lines), used

    def _free(self, scored: list[tuple[float, Line]], best_score: float, blocks: dict | None = None):
        """Sentences chosen by maximal marginal relevance: each one must add what the others do not. A
        list with its introduction competes as one candidate and is shown as that list; items picked on
        their own are shown under their list's introduction, never out of what they belong to."""
        s = self.settings
        blocks = blocks or {}
        block_of = {key: (b.intro, b.items) for key, b in blocks.items()}
        members = {id(ln): key for key, b in blocks.items() for ln in [b.intro, *b.items]}
        scored = scored + [(b.value, b.whole) for b in blocks.values()]
        best_score = max([best_score] + [b.value for b in blocks.values()])
        # Sections qualify by their best sentence (`unit_floor`); inside them a sentence needs only
        # `sentence_floor`: more of a relevant section, less padding from loosely related ones.
        units = {ln.unit for score, ln in scored if score >= s.unit_floor * best_score}
        pool = sorted((t for t in scored if t[1].unit in units), key=lambda t: -t[0])
        picked: list[tuple[float, Line]] = []
        excluded: set[int] = set()  # a list taken whole excludes its items; an item taken, the whole list
        more = {key: b.total - len(b.items) for key, b in blocks.items()}  # items left out
        words = 0
        for _ in range(s.max_answer_sentences):
            def mmr(t: tuple[float, Line]) -> float:
                overlap = max((_jaccard(t[1].keys, q.keys) for _, q in picked), default=0.0)
                return t[0] - s.redundancy * overlap

            candidates = [
                t for t in pool
                if t not in picked and id(t[1]) not in excluded and (id(t[1]) in block_of or not t[1].intro)
            ]  # fmt: skip
            if not candidates:
                break
            choice = max(candidates, key=mmr)
            size = self._words(choice[1], block_of)
            if picked and (mmr(choice) < s.sentence_floor * best_score or words + size > s.max_answer_words):
                if id(choice[1]) in block_of:  # a list too long for what is left: the next candidate
                    pool.remove(choice)
                    continue
                break
            if id(choice[1]) in block_of and size > s.max_answer_words:  # a long list opens the answer
                intro, items = block_of[id(choice[1])]
                kept = [it for i, it in enumerate(items) if intro.words + sum(x.words for x in items[: i + 1]) <= s.max_answer_words]
                kept = kept if len(kept) >= 2 else items[:2]
                block_of[id(choice[1])] = (intro, kept)
                more[id(choice[1])] += len(items) - len(kept)
                size = self._words(choice[1], block_of)
            picked.append(choice)
            words += size
            if id(choice[1]) in block_of:
                excluded |= {id(ln) for ln in [block_of[id(choice[1])][0], *block_of[id(choice[1])][1]]}
            elif id(choice[1]) in members:
                excluded.add(members[id(choice[1])])
        # The answer opens with what answers most directly: a list scored high on the sum of its items
        # gives way to a sentence that answers better than any one of them.
        direct = {id(ln): (blocks[id(ln)].direct if id(ln) in blocks else value) for value, ln in picked}
        first = max((ln for _, ln in picked), key=lambda ln: direct[id(ln)])
        others = sorted((ln for _, ln in picked if ln is not first), key=lambda ln: (ln.unit, ln.order))
        return self._paragraphs([first, *others], block_of, members, more), [first, *others]

    @staticmethod
    def _paragraphs(lines: list[Line], block_of: dict, members: dict, more: dict[int, int]) -> str:
        """Running sentences of a section form a paragraph; a list, whole or in part, is one of its own,
        under its introduction."""
        entries: list[Line | tuple[Line, list[Line], int]] = []
        partial: dict[int, tuple[Line, list[Line], int]] = {}
        for ln in lines:
            key = members.get(id(ln))
            if id(ln) in block_of:
                entries.append((*block_of[id(ln)], more.get(id(ln), 0)))
            elif key is not None and ln is not block_of[key][0]:
                if key not in partial:
                    partial[key] = (block_of[key][0], [], 0)
                    entries.append(partial[key])
                partial[key][1].append(ln)
            else:
                entries.append(ln)
        paragraphs: list[str] = []
        last: Line | None = None
        for entry in entries:
            if isinstance(entry, tuple):
                intro, items, rest = entry
                items = sorted(items, key=lambda ln: ln.order)
                head = f"{_as_intro(intro.text)} [{intro.n}]"
                tail = [prompts.render(PHRASES["text"]["more_items"], count=rest)] if rest else []
                paragraphs.append("\n".join([head, *(f"- {_finish(it.text)} [{it.n}]" for it in items), *tail]))
                last = None
                continue
            sentence = f"{_finish(entry.text)} [{entry.n}]"
            if last is not None and entry.unit in (last.unit, lines[0].unit):
                paragraphs[-1] += f" {sentence}"
            else:
                paragraphs.append(sentence)
            last = entry
        return "\n\n".join(paragraphs)

    @staticmethod
    def _words(line: Line, block_of: dict) -> int:
        if id(line) not in block_of:
            return line.words
        intro, items = block_of[id(line)]
        return intro.words + sum(it.words for it in items)


def _run_in(sentences: list[str], item: bool) -> list[str]:
    """«Ποιος το κάνει. Οι υπεύθυνοι παρακολούθησης…»: a run-in heading labels the sentence after it, which
    is meaningless without it; the two are read as one («Ποιος το κάνει: Οι υπεύθυνοι…»)."""
    if item or len(sentences) < 2:
        return sentences
    label, first, *rest = (x.strip() for x in sentences)
    if len(label.split()) > RUN_IN_MAX_WORDS or not label.endswith("."):
        return sentences
    return [f"{label.rstrip('.')}: {first}", *rest]


def _as_intro(text: str) -> str:
    """A list's caption («Συνηθισμένα λάθη.») shown as what it is: the label of the list below it."""
    return text if text.endswith(":") else text.rstrip(" .") + ":"


def _contained(a: set[str], b: set[str]) -> bool:
    """One sentence says (nearly) all the other says: a shorter or longer quote of the same sentence."""
    return bool(a and b) and len(a & b) >= 0.8 * min(len(a), len(b))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0
