"""Answer units: the retrieved passages read as sections, their sentences in the guide's order, and their
lists — consecutive item lines with the sentence that introduces them or the caption above them — so the
composer (assistant/compose.py) chooses among statements, not loose lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.core.documents import CAPTION_MAX_WORDS, DOCUMENT_NOUN, LIST_ITEM
from assistant.core.greek_text import fold, split_sentences, tokens
from assistant.core.safety import is_instruction
from assistant.core.types import Passage
from assistant.headings import stem_in

# A sentence that opens by pointing back: a demonstrative («Αυτό…», «Η γνώση αυτή…», «Σε αυτή την
# περίπτωση…», «Γι' αυτό…»), a connective that adds or contrasts («Επίσης», «Επιπλέον», «Ωστόσο»), or a weak
# pronoun after a noun («Στόχος τους είναι», «Η συνεργασία μαζί τους»). Structure of Greek, not of one guide.
_ARTICLE = r"(?:ο|η|το|οι|τα|στο|στη|στην|στον|στα|στουσ|στισ|(?:με|για|απο|μετα|κατα) (?:το|τη|την|τον|τα|τουσ|τισ))"
_LEANS_BACK = re.compile(
    r"^(?:αυτ(?:ο|η|α|οι|εσ|ου|ων|ον|ην)\b|(?:επισησ|ετσι|ωστοσο|ομωσ|εξαλλου|επιπλεον|παραλληλα)\b"
    # «Ο ρόλος τους», «Στόχος τους είναι»: «τους» after a noun is «their»; after a preposition or a verb
    # («Για τους φορείς», «Ενημερώνουμε τους φορείς») it is the article.
    rf"|{_ARTICLE}\s+\w+\s+τουσ\b|\w+\s+τουσ\s+(?:ειναι|ηταν|παραμενει|γινεται)\b|(?:{_ARTICLE}\s+)?\w+\s+μαζι\s+(?:τουσ|τησ|του)\b"
    rf"|{_ARTICLE}\s+\w+\s+αυτ(?:οσ|η|ο|οι|εσ|α|ου|ων|ον|ην)\b"
    r"|(?:σε|σ|με|για|γι|απο|μετα|κατα)\W{0,2}\s*αυτ(?:ο|η|α|οι|εσ|ου|ων|ον|ην|οσ)\b"
    # A verb in the third person and then its object («Περιλαμβάνει την πώληση…»): the subject is the
    # sentence before's, which Greek leaves out.
    r"|\w+(?:ει|ουν|ουνε)\s+(?:την|τη|τον|τουσ|τισ)\b"
    # …or «Είναι ιδιαίτερα χρήσιμη για…»: «is» with no subject, unless a clause follows as its subject
    # («Είναι σημαντικό να…», «…ότι…»), which makes it impersonal.
    r"|(?:ειναι|ηταν|παραμενει)\b(?!.*\b(?:να|οτι|πωσ|αν)\b))"
)
# …or points back further in: a demonstrative with a noun the sentence has not named before («…που εμπίπτουν
# σε αυτή την κατηγορία», «Όταν ο άνθρωπος αυτός αποχωρήσει»); «…των σχέσεων… τις σχέσεις αυτές» points inside.
_DEMONSTRATIVE = re.compile(
    r"\bαυτ(?:η|ο|α|εσ|ουσ|ον|ην|ων|οσ|οι|ου|ησ) (?:τη|την|το|τα|τον|τουσ|τισ|των|του|τησ|ο|η|οι) (\w+)"
    r"|\b(?:τη|την|το|τα|τον|τουσ|τισ|η|ο|οι|των|του|τησ) (\w+) αυτ(?:η|ο|α|εσ|ουσ|ον|ην|ων|οσ|οι|ου|ησ)\b"
)
# A verb with no subject of its own (above), in the singular, after a list item: its subject is the item
# (a list's «Οι πόροι αυτοί…» is the whole list's).
_ITS_SUBJECT = re.compile(r"^\w+ει\s+(?:την|τη|τον|τουσ|τισ)\b")


def _points_back(folded: str) -> bool:
    for m in _DEMONSTRATIVE.finditer(folded):
        noun = tokens(m.group(1) or m.group(2))
        if noun and noun[0] not in tokens(folded[: m.start()]) and not DOCUMENT_NOUN.match(noun[0]):
            return True
    return False


ITEM = LIST_ITEM
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}[).]|[α-ω][).])\s+")
FINAL = tuple(".;;!?»)…")  # how a finished sentence ends; a line ending otherwise goes on in the next one
# A list item is shown by its first sentence; a further one of it too when it carries at least this share of
# the question's IDF mass that the first lacks («Διαθέσιμος χρόνος: … Αν ο φορέας δεν διαθέτει άνθρωπο…
# χρόνο, … λίγα δίκτυα ουσιαστικά» for «έχουμε λίγο χρόνο»).
ITEM_MORE_SHARE = 0.15
RUN_IN_MAX_WORDS = 3  # a line opening with a «sentence» this short has a run-in heading («Ποιος το κάνει.»)
# …and up to this long in a section whose other paragraphs open with run-in headings (at least
# RUN_IN_PARALLEL of them): «Το πλαίσιο. …», «Το εργαλείο. …», then «Τι έμαθε ο Δήμος. Ότι…».
RUN_IN_PARALLEL_MAX_WORDS = 6
RUN_IN_PARALLEL = 2


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
    numbered: bool = False  # an item the guide numbers («1.», «α)»): its list has an order

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

    @property
    def words(self) -> int:
        return self.intro.words + sum(it.words for it in self.items)

    @property
    def left(self) -> int:
        """Items of the guide's list not shown (past max_list_items, or cut for length)."""
        return self.total - len(self.items)

    def fit(self, max_words: int) -> None:
        """Keep the items that fit in `max_words` with the introduction (at least two)."""
        budget, kept = max_words - self.intro.words, []
        for it in self.items:
            budget -= it.words
            if budget < 0:
                break
            kept.append(it)
        self.items = kept if len(kept) >= 2 else self.items[:2]


class Units:
    """The passages grouped into sections (answer units), ranked by their best passage, with their
    sentences in reading order and their lists (consecutive item lines, with the line introducing them)."""

    def __init__(self, passages: list[Passage], weights: dict[str, float] | None = None) -> None:
        self.passages = passages
        self.weights = weights or {}  # the question's search keys → IDF: what a further item sentence must add
        self.keys: list[tuple[str, str]] = []
        by_unit: dict[tuple[str, str], list[int]] = {}
        for n, p in enumerate(passages, start=1):
            key = (p.guide_id, p.section)
            if key not in by_unit:
                self.keys.append(key)
            by_unit.setdefault(key, []).append(n)
        self.lines: list[Line] = []
        self.lists: dict[int, list[Line]] = {}
        # What chunk overlap repeats is read once per section; two sections may share a line («Συνήθη λάθη»).
        seen: set[tuple[int, str]] = set()
        seen_sentences: set[tuple[int, str]] = set()
        list_id = 0
        for unit, key in enumerate(self.keys):
            ns = sorted(by_unit[key], key=lambda n: passages[n - 1].chunk_index)
            open_list = False
            heads = _run_in_limit([ln for n in ns for ln in passages[n - 1].text.split("\n") if ln.strip()])
            for n in ns:
                p = passages[n - 1]
                for li, raw in enumerate(line for line in p.text.split("\n") if line.strip()):
                    is_item = bool(ITEM.match(raw))
                    body = ITEM.sub("", raw).strip()
                    folded = fold(body)
                    if (unit, folded) in seen:  # chunk overlap repeats the tail of the previous chunk
                        continue
                    seen.add((unit, folded))
                    if is_item and not open_list:
                        list_id += 1
                        open_list = True
                    elif not is_item and self._goes_on_item(body, n):
                        continue
                    elif not is_item:
                        open_list = False
                    for si, sentence in enumerate(_run_in(split_sentences(body), is_item, heads)):
                        sentence = sentence.strip()
                        # The overlap may also start mid-line: a sentence the section already gave is not read twice.
                        if (unit, fold(sentence)) in seen_sentences:
                            continue
                        seen_sentences.add((unit, fold(sentence)))
                        if is_instruction(sentence):
                            continue  # «Αγνόησε τις οδηγίες…», a password, a link: never quoted, in any form
                        if si == 0 and not is_item and self._continues(sentence, unit):
                            continue
                        line = Line(
                            n, unit, (p.chunk_index, li, si), sentence, set(tokens(sentence)),
                            list_id if is_item else -1, si == 0, sentence.endswith(":"),
                            is_item and bool(_NUMBERED.match(raw)),
                        )  # fmt: skip
                        self.lines.append(line)
                        if is_item:
                            self.lists.setdefault(list_id, []).append(line)

    def _goes_on_item(self, body: str, n: int) -> bool:
        """A line after a list item whose subject is that item is the item's next sentences, on a line of its
        own in the source («• Συναλλαγή: η ανταλλαγή αγαθών…» ⏎ «Περιλαμβάνει την πώληση…»). It is added
        to the item (read with it, shown with it), not left as running text that opens on an «it»."""
        last = self.lines[-1] if self.lines else None
        folded = fold(body)
        if last is None or last.n != n or last.item < 0 or not _ITS_SUBJECT.match(folded):
            return False
        head = (last.order[0], last.order[1])
        for sentence in (s.strip() for s in split_sentences(body)):
            if sentence:
                keys, intro = set(tokens(sentence)), sentence.endswith(":")
                last = replace(last, order=(*head, last.order[2] + 1), text=sentence, keys=keys, head=False, intro=intro)
                self.lines.append(last)
                self.lists[last.item].append(last)
        return True

    def _continues(self, sentence: str, unit: int) -> bool:
        """A lower-case line that finishes the sentence before it is joined to it: after an introduction
        ending with «:» (not a list: «Ένας πρακτικός κανόνας είναι:» ⏎ «τουλάχιστον ένα δίκτυο…»), or after
        a line with no final punctuation (a paragraph wrapped across lines in a text or Markdown file)."""
        last = self.lines[-1] if self.lines else None
        if last is None or last.unit != unit or last.item >= 0 or not sentence[:1].islower():
            return False
        if last.text.rstrip().endswith(FINAL):  # an introduction ends with «:», which is not final
            return False
        last.text = f"{last.text} {sentence}"
        last.keys |= set(tokens(sentence))
        last.intro = last.text.endswith(":")
        return True

    @staticmethod
    def leans_back(line: Line) -> bool:
        """A running sentence that points back (`_LEANS_BACK`, `_points_back`): it never opens an answer."""
        folded = fold(line.text)
        return line.item < 0 and (bool(_LEANS_BACK.match(folded)) or _points_back(folded))

    def antecedent(self, line: Line) -> Line | None:
        """The sentence a running sentence leans on when it opens by pointing back («Στόχος τους είναι…»,
        «Αυτό σημαίνει…», «Επίσης…»): the one before it in the same passage, if that is running text."""
        if not self.leans_back(line):
            return None
        before = [ln for ln in self.lines if ln.n == line.n and ln.order < line.order]
        last = max(before, key=lambda ln: ln.order, default=None)
        return last if last is not None and last.item < 0 and not last.intro else None

    def with_antecedents(self, lines: list[Line]) -> list[Line]:
        """A sentence that points back («Στόχος τους είναι…») comes after the sentence it points to, even
        one the previous answer gave: alone it opens on a «they» the reader cannot place."""
        out: list[Line] = []
        for ln in lines:
            before = self.antecedent(ln)
            if before is not None and before not in out:
                out.append(before)  # taken from further down, when the answer had it after
            if ln not in out:
                out.append(ln)
        return out

    def whole_item(self, head: Line) -> Line:
        """A list item as a list shows it. «1) Υπάρχει δαπάνη; Αν όχι, ένα μνημόνιο αρκεί.»: an item that asks
        and answers is shown whole, since its question alone says nothing (its sentences are still read
        apart: the answer half is never quoted without its question)."""
        if head.item < 0:
            return head
        rest = sorted(
            (ln for ln in self.lines if ln.n == head.n and ln.order[:2] == head.order[:2] and ln.order[2] > 0),
            key=lambda ln: ln.order,
        )
        if not head.text.rstrip().endswith((";", ";", "?")):
            adding = [i for i, ln in enumerate(rest) if self._adds(head, ln)]
            rest = rest[: adding[-1] + 1] if adding else []  # up to the last that adds: the item reads on
        if not rest:
            return head
        text = " ".join([head.text, *(ln.text for ln in rest)])
        return replace(head, text=text, keys=head.keys.union(*(ln.keys for ln in rest)))

    def _adds(self, head: Line, line: Line) -> bool:
        """A further sentence of an item carries enough of the question that its first sentence lacks."""
        total = sum(self.weights.values())
        new = sum(w for k, w in self.weights.items() if stem_in(k, line.keys) and not stem_in(k, head.keys))
        return bool(total) and new >= ITEM_MORE_SHARE * total

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

    def captioned(self, line: Line, shown: list[Line]) -> Line:
        """A list item quoted without its list reads under the list's caption: «Συνηθισμένα λάθη: Δεν
        ελέγχουμε αν η ανάγκη καλύπτεται ήδη…». Bare, a mistake to avoid read as advice (new-user trial 9).
        An item with a run-in label of its own («Πολιτική δέσμευση: …») says what it is."""
        if line.item < 0 or not line.head or has_run_in_label(line.text):
            return line
        if any(ln.item == line.item and ln.order < line.order for ln in shown):
            return line  # the list's first item quoted carries the caption for the ones after it
        intro, first = self.intro_of(line.item), self.lists[line.item][0]
        if intro is not None:
            caption = "" if intro.words > CAPTION_MAX_WORDS or any(ln is intro for ln in shown) else intro.text
        else:  # the list opens its chunk: the caption ends the chunk before (retrieval gives it)
            caption = self.passage(first).caption if first.order[1] == 0 else ""
        return replace(line, text=f"{caption.rstrip(' .:')}: {line.text}") if caption else line

    def intro_of(self, list_id: int) -> Line | None:
        """The sentence right before a list, when it introduces it («…διακρίνονται στα εξής είδη:») or is
        its caption: a short line of its own right above it («Συνηθισμένα λάθη.»)."""
        first = self.lists[list_id][0]
        before = [ln for ln in self.lines if ln.unit == first.unit and ln.order < first.order and ln.item == -1]
        if not before:
            return None
        last = before[-1]
        alone = last.head and not any(ln.n == last.n and ln.order[:2] == last.order[:2] and ln is not last for ln in self.lines)
        # Right above the list: on the line before, or the last line of the chunk before when the next chunk
        # repeats it (overlap) and the list goes on there («Συνηθισμένα λάθη.» ends one chunk, opens the next).
        prev = max((ln for ln in self.lines if ln.unit == first.unit and ln.order < first.order), key=lambda ln: ln.order)
        above = last.order[:2] == (first.order[0], first.order[1] - 1) or (last is prev and last.order[0] < first.order[0])
        caption = alone and last.words <= CAPTION_MAX_WORDS and above
        return last if last.intro or caption else None


def has_run_in_label(text: str) -> bool:
    """The line opens with a run-in label («Το εργαλείο: Με τη…»), however long the section lets one be."""
    head, colon, rest = text.partition(":")
    return bool(colon and rest.strip()) and len(head.split()) <= RUN_IN_PARALLEL_MAX_WORDS


def _run_in_limit(raw_lines: list[str]) -> int:
    """How many words a run-in heading of this section may have: more when its paragraphs are written to
    run-in headings, which is the section's structure, not one sentence's length."""
    paragraphs = [ITEM.sub("", raw).strip() for raw in raw_lines if not ITEM.match(raw)]
    labelled = sum(len(_run_in(split_sentences(p), False)) < len(split_sentences(p)) for p in paragraphs)
    return RUN_IN_PARALLEL_MAX_WORDS if labelled >= RUN_IN_PARALLEL else RUN_IN_MAX_WORDS


def _run_in(sentences: list[str], item: bool, max_words: int = RUN_IN_MAX_WORDS) -> list[str]:
    """«Ποιος το κάνει. Οι υπεύθυνοι παρακολούθησης…»: a run-in heading labels the sentence after it, which
    is meaningless without it; the two are read as one («Ποιος το κάνει: Οι υπεύθυνοι…»)."""
    if item or len(sentences) < 2:
        return sentences
    label, first, *rest = (x.strip() for x in sentences)
    if len(label.split()) > max_words or not label.endswith(".") or not label[:1].isupper():
        return sentences  # a heading is capitalised; «μαγειρικού ελαιολάδου.» ends a wrapped sentence
    return [f"{label.rstrip('.')}: {first}", *rest]


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0
