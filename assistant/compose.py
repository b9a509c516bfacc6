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
from dataclasses import replace

import prompts
from assistant.answer import NOT_FOUND, AnswerRequest, register
from assistant.audience import for_asker
from assistant.core.documents import illustrates
from assistant.core.greek_text import tokens
from assistant.core.settings import Settings
from assistant.core.types import Turn
from assistant.gate import key_coverage, matches
from assistant.headings import title_keys
from assistant.labels import label_forms, labels_other_ask, parallel_label, run_in, unlabelled, without_label
from assistant.layout import intro_text, list_text, paragraphs
from assistant.question import Form, asks_whole
from assistant.said import ITEM_MATCH, another_item, asked_item, contained, covered
from assistant.sentence_scores import scorer
from assistant.units import Block, Line, Units, jaccard

PHRASES = prompts.phrases("extractive")
# A list that fills less than this share of `max_answer_words` leaves room: the answer goes on with what else
# answers («Συνηθισμένα λάθη» and three items, then «…προτιμούμε ανοιχτή ενημερωτική συνάντηση…»).
LIST_ROOM_SHARE = 0.5
# A list answered by parts (one item per part): the item says what its part is. A sentence gains up to
# PART_TITLE (as much as every word of the question) for its share of the part's title words, and loses
# PART_PLACE per sentence before it in the part (a section states its topic first). Before, the sentence
# sharing most words with the question won, and it often left the part unnamed. Flat on every split.
PART_TITLE = 1.0
PART_PLACE = 0.2


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

    # -- composition -----------------------------------------------------------------------------------
    def compose(self, request: AnswerRequest) -> str:
        if not request.passages:
            return NOT_FOUND
        units = Units(request.passages, request.weights)
        shown = [set(tokens(x)) for x in request.shown]

        def said(line: Line) -> bool:  # the previous answer gave it: never repeated, a list goes on without it
            quoted = covered if asked_item(request, line.keys) else contained
            return any(quoted(line.keys, keys) for keys in shown) or another_item(request, line.keys)

        score = scorer(request, units, said)
        scored = [(s, ln) for ln in units.lines if (s := score(ln)) is not None and s > 0]  # below 0: penalties only
        blocks = self._blocks(units, score, said)  # a section may be only an introduction and its list
        scored, blocks = for_asker(request, units, scored, blocks)
        # «Πες μου για το δεύτερο» where the item's section says no more than was shown, and no other section's
        # title names it: said plainly, with the item's line, not answered from a section sharing a word with it.
        if request.item and request.lead and not any(ln.unit == 0 for _, ln in scored):
            titled = any(key_coverage(request.referent, title_keys(key[1])) for key in units.keys[1:])
            if not titled and (carried := [ln for ln in units.lines if ln.unit == 0 and key_coverage(request.referent, ln.keys) >= ITEM_MATCH]):
                return list_text(PHRASES["text"]["item_said"], carried[:1], 0)
        if not scored and not blocks:
            return NOT_FOUND
        form = request.forms[0]
        parts = [n for n, p in enumerate(request.passages, start=1) if p.part]
        # Parts written as steps (each with its «what we do» label) do not answer «which kind?» or «why?».
        steps = form != Form.PROCEDURE and parallel_label(units, parts, Form.PROCEDURE) is not None
        if scored and asks_whole(form) and len(parts) >= 3 and not steps:
            body, _used = self._parts(request, units, dict((id(ln), s) for s, ln in scored), parts, form)
            return body
        best_score, best = max(scored, key=lambda t: t[0]) if scored else (0.0, None)
        # The list a caption of another question's labels («Συνηθισμένα λάθη:» for «και μετά;») is not the
        # answer whole: it competes with the rest, and does not open the answer.
        other = best is not None and labels_other_ask(best, units, request.forms)
        listed = self._list_of(units, best, form, said) if best is not None and not other else None
        if listed is not None:
            body, used = self._render_items(request, units, *listed, form)
            room = self.settings.max_answer_words - len(body.split())
            if room >= LIST_ROOM_SHARE * self.settings.max_answer_words:
                body = self._after_list(body, used, scored, best_score, units, room)
        else:
            body, _used = self._free(scored, best_score, blocks, units, forms=request.forms)
        return body

    def _blocks(self, units: Units, score, said) -> dict[int, Block]:
        """Lists with their introduction as candidates of their own, scored on all their words: the
        question «τι εξετάζει η αξιολόγηση;» is answered by the list the introduction opens, not by it.
        Items already `said` (by the previous answer) are left out; a list left with fewer than two is no
        candidate."""
        cap = self.settings.max_list_items
        out = {}
        for intro, listed in units.blocks():
            every = [ln for ln in listed if not said(ln)]
            if len(every) < 2:
                continue
            items = [units.whole_item(ln) for ln in every[:cap]]
            # A caption («Τι κάνουμε.») labels the list; only an introduction is part of what it says.
            lead = intro.keys if intro.intro else set()
            whole = Line(intro.n, intro.unit, intro.order, intro.text, lead.union(*(ln.keys for ln in items)), -1, True, True)
            if (value := score(whole)) is None or value <= 0:
                continue
            read = [Line(it.n, it.unit, it.order, it.text, lead | it.keys, -1, True, False) for it in items]
            direct = max((v for ln in read if (v := score(ln)) is not None), default=0.0)
            out[id(whole)] = Block(whole, intro, items, value, direct, len(every))
        return out

    def _parts(self, request, units: Units, scores: dict[int, float], parts: list[int], form: Form):
        """One item per part (step, kind): the part's best sentence, preferring its opening ones. Parts
        written to one pattern (the same run-in labels in each: «Τι κάνουμε:», «Ποιος το κάνει:») give the
        line under the shared label of the asked form, and the label, the same on every item, is not shown."""
        label = parallel_label(units, parts, form)
        items: list[Line] = []
        for n in parts:
            own = [ln for ln in units.lines if ln.n == n and id(ln) in scores]
            under = [ln for ln in own if label and run_in(ln.text) == label]
            if under:
                first = min(under, key=lambda ln: ln.order)
                items.append(replace(first, text=without_label(first.text)))
                continue
            own = [ln for ln in own if not ln.intro]
            if own:
                # The part's item says what the part is (PART_TITLE, PART_PLACE above).
                title = title_keys(request.passages[n - 1].section)
                place = {id(ln): i for i, ln in enumerate(sorted(own, key=lambda ln: ln.order))}
                items.append(
                    max(
                        own,
                        key=lambda ln, t=title: scores[id(ln)]
                        + PART_TITLE * (sum(matches(k, ln.keys) for k in t) / len(t) if t else 0.0)
                        - PART_PLACE * place[id(ln)],
                    )
                )
        return self._render_items(request, units, None, items, form)

    def _list_of(self, units: Units, best: Line, form: Form, said) -> tuple[Line | None, list[Line]] | None:
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
        heads = [units.whole_item(ln) for ln in units.lists[list_id] if ln.head and not said(ln)]
        if len(heads) < 2:
            return None
        return intro, heads

    def _render_items(self, request, units: Units, intro: Line | None, items: list[Line], form: Form):
        cap = self.settings.max_list_items
        shown, rest = items[:cap], len(items) - cap
        if intro is not None:
            head = intro_text(intro)
        else:
            guide = units.passage(shown[0]).guide_title if shown else ""
            head = prompts.render(PHRASES["lead"].get(form.value, PHRASES["lead"]["general"]), guide=guide)
        used = shown + ([intro] if intro else [])
        # A guide's list keeps its own marks (numbers give an order, bullets none); parts answering «how?»
        # are the section's steps, in order.
        numbered = all(ln.numbered for ln in shown) if intro is not None else form == Form.PROCEDURE
        return list_text(head, shown, rest, numbered=numbered), used

    def _after_list(self, body: str, used: list[Line], scored, best_score: float, units: Units, room: int) -> str:
        """What else answers, after a short list, within `room` words: running sentences and items of lists
        with no introduction (tips, each standing alone), not another introduced list (another question's)."""
        left = [(v, ln) for v, ln in scored if ln not in used and (ln.item < 0 or (ln.head and units.intro_of(ln.item) is None))]
        extra, _ = self._free(left, best_score, {}, units, room) if left else (NOT_FOUND, [])
        return body if extra in (NOT_FOUND, "") else f"{body}\n\n{extra}"

    def _free(
        self,
        scored: list[tuple[float, Line]],
        best_score: float,
        blocks: dict[int, Block],
        read: Units,
        budget: int = 0,
        forms: list[Form] | None = None,
    ):
        """Sentences chosen by maximal marginal relevance: each one must add what the others do not. A
        list with its introduction competes as one candidate and is shown as that list; items picked on
        their own are shown under their list's introduction, never out of what they belong to. `budget`:
        words, `max_answer_words` unless given; `forms`: what the question asks, for the answer's opening."""
        s = self.settings
        budget = budget or s.max_answer_words
        members = {id(ln): key for key, b in blocks.items() for ln in [b.intro, *b.items]}
        scored = scored + [(b.value, b.whole) for b in blocks.values()]
        best_score = max([best_score] + [b.value for b in blocks.values()])
        # Sections qualify by their best sentence (`unit_floor`); inside them a sentence needs only
        # `sentence_floor`: more of a relevant section, less padding from loosely related ones.
        units = {ln.unit for score, ln in scored if score >= s.unit_floor * best_score}
        pool = sorted((t for t in scored if t[1].unit in units), key=lambda t: -t[0])
        picked: list[tuple[float, Line]] = []
        excluded: set[int] = set()  # a list taken whole excludes every sentence of its items; an item, the list
        words = 0
        for _ in range(s.max_answer_sentences):
            def mmr(t: tuple[float, Line]) -> float:
                overlap = max((jaccard(t[1].keys, q.keys) for _, q in picked), default=0.0)
                return t[0] - s.redundancy * overlap

            quoted = {q.text for _, q in picked}  # the same sentence in two sections is quoted once
            candidates = [
                t for t in pool
                if t not in picked and id(t[1]) not in excluded and (id(t[1]) in blocks or not t[1].intro)
                and t[1].text not in quoted
            ]  # fmt: skip
            if not candidates:
                break
            choice = max(candidates, key=mmr)
            block = blocks.get(id(choice[1]))
            size = block.words if block else choice[1].words
            if picked and (mmr(choice) < s.sentence_floor * best_score or words + size > budget):
                if block:  # a list too long for what is left: the next candidate
                    pool.remove(choice)
                    continue
                break
            if block and size > budget:  # a long list opens the answer: cut to the bound
                block.fit(budget)
                size = block.words
            picked.append(choice)
            words += size
            if block:
                excluded |= {id(ln) for ln in [block.intro, *read.lines] if ln is block.intro or ln.item == block.items[0].item}
            elif id(choice[1]) in members:
                excluded.add(members[id(choice[1])])
            # A paragraph that goes on under a run-in label («… ευάλωτο στη λήξη της σχέσης. Διαχείριση: …»)
            # is one statement in two halves: the labelled half follows the first.
            if not block and (half := _labelled_half(choice[1], pool)) is not None and half not in picked:
                if words + half[1].words <= budget:
                    picked.append(half)
                    words += half[1].words
        if not picked:  # only a list's introduction matched, and its items were all said before
            return NOT_FOUND, []
        # The answer opens with what answers most directly: a list scored high on the sum of its items
        # gives way to a sentence that answers better than any one of them.
        direct = {id(ln): (blocks[id(ln)].direct if id(ln) in blocks else value) for value, ln in picked}
        # …by a sentence that stands on its own: one pointing back («Η γνώση αυτή…», «Έτσι…» after a list)
        # follows what it points to, or at least does not open the answer.
        # …nor, unless asked, by an illustration («Όταν, για παράδειγμα, …»), which shows the point, not states
        # it. The guide's own answer to the question's form («Ποιος το κάνει: …» for «ποιος…;») opens first.
        asked, example = (forms or [Form.GENERAL])[0], Form.EXAMPLE in (forms or [])
        first = max(
            (ln for _, ln in picked),
            key=lambda ln: (
                not read.leans_back(ln),
                not labels_other_ask(ln, read, forms or [Form.GENERAL]),
                asked != Form.GENERAL and run_in(ln.text) is not None and asked in label_forms(ln.text),
                example or not illustrates(ln.text),
                direct[id(ln)],
            ),
        )
        # The rest of the opening sentence's section follows it, then the other sections in rank order.
        others = sorted((ln for _, ln in picked if ln is not first), key=lambda ln: (ln.unit != first.unit, ln.unit, ln.order))
        lines = read.with_antecedents([first, *others])
        shown = [ln if id(ln) in members or id(ln) in blocks else unlabelled(read.captioned(unlabelled(ln), lines)) for ln in lines]
        return paragraphs(shown, blocks, members), lines


def _labelled_half(line: Line, pool: list[tuple[float, Line]]) -> tuple[float, Line] | None:
    """The sentence after `line` in its paragraph when it opens on a run-in label."""
    if run_in(line.text) is not None:
        return None
    chunk, row, sentence = line.order
    return next(
        (t for t in pool if t[1].n == line.n and t[1].order == (chunk, row, sentence + 1) and run_in(t[1].text) is not None),
        None,
    )
