"""Make extracted text Greek-safe: NFC, re-joined hyphenation (any dash), look-alike letters repaired, no
running headers/footers (page numbers on alternating sides included), no signature stamps or printer's
imprint; then the document's title from the document itself.

Text is stored as written (tonos and final sigma kept); folding for search happens at retrieval.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from itertools import pairwise

from assistant.core.documents import IngestNotes, LoadedDocument, Page
from assistant.core.greek_text import fold, repair_lookalikes
from ingest.titles import choose_title

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# A soft hyphen only ever marks a break inside a word: at a line end it joins whatever follows.
_SOFT_BREAK = re.compile(r"\u00ad[ \t]*\r?\n[ \t]*")
# A word broken at the end of a line with any dash: "συνεργα-\nσία", «Συμ−\nβουλίου» (U+2212), «Προ–\nκειμένου».
# Only a dash stuck to a letter, followed by a line that starts with a letter: «2021-\n2027» and a spaced
# dash («κράτος −\nμέλος», a list marker) keep theirs. Whether the two parts are one word is decided below.
_DASHES = "-\u2010\u2011\u2012\u2013\u2212"
_HYPHENATED = re.compile(rf"([^\W\d_]+)[{_DASHES}]\n(?=([^\W\d_]+))")
_LINE_END_PART = re.compile(rf"([^\W\d_]+)[{_DASHES}]$")
_LINE_START_PART = re.compile(r"^([^\W\d_]+)")
_WORDS = re.compile(r"[^\W\d_]+")
# A break left inside a line by the typesetter («ελε−γκτές»): Greek on both sides, lower case after.
_IN_LINE_BREAK = re.compile(rf"([\u0370-\u03ff\u1f00-\u1fff]+)[{_DASHES}]([α-ωά-ώϊϋΐΰ][\u0370-\u03ff\u1f00-\u1fff]*)")
_IN_LINE_COMPOUND = re.compile(rf"[^\W\d_]+[{_DASHES}][^\W\d_]+")
# Letters with a tonos (dialytika alone is not an accent): «ΐ», «ΰ» count, «ϊ», «ϋ» do not.
_LOWER_START = re.compile(r"^[^\W\d_A-ZΑ-ΩΆ-Ώ]")
_TONOS = re.compile("[\u0386\u0388-\u038a\u038c\u038e-\u0390\u03ac-\u03b0\u03cc-\u03ce]")
_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:σελ(?:ίδα|\.)?|page)?\s*\d+(?:\s*(?:/|από|of)\s*\d+)?[-–—\s]*$", re.I)
_DIGITS = re.compile(r"\d+")
# Page numbers printed at either end of a running header («4174 ΕΦΗΜΕΡΙΣ …» / «ΕΦΗΜΕΡΙΣ … 4175»,
# «4180−1»): dropped before headers are compared, so odd and even pages count as one header.
_EDGE_NUMBER = re.compile(rf"^\s*\d+(?:[{_DASHES}/.]\d+)*\s+|\s+\d+(?:[{_DASHES}/.]\d+)*\s*$")
_EDGE = 2  # running headers/footers live in the first or last two lines of a page
_RUNNING_EXTRA = 12  # a header with a few more characters on some pages («ΦΕΚ 195 …») is the same header
# Signature appearances (Acrobat and the Greek e-signature services) flattened into the page or OCR'd.
_STAMP = re.compile(
    r"^(?:Digitally signed by|Signature (?:Not )?Verified|Signature valid|Date:\s*\d{4}[.\-/]\d{2}|Reason:|"
    r"Location:|Ψηφιακά υπογεγραμμένο|Ψηφιακή υπογραφή|Υπογραφή από)",
    re.I,
)
# The printer's imprint closing a gazette issue: web address, e-mail, barcode, telephone digits.
_CONTACT = re.compile(r"https?://|www\.|[\w.-]+@[\w-]+\.\w|\*\d{8,}\*|(?:\d{2,4}\s){3,}\d{2,4}")


@dataclass
class _Words:
    """What the document itself says about its words: each word it contains (folded), each compound it
    writes with a dash inside a line, and how many line-end breaks were re-joined."""

    lexicon: frozenset[str] = frozenset()
    compounds: frozenset[str] = frozenset()
    joined: int = 0

    def one_word(self, head: str, tail: str) -> bool:
        if fold(head + tail) in self.lexicon:
            return True  # the document writes the whole word elsewhere («ΑΕ−\nΠΕΥ» → ΑΕΠΕΥ)
        if f"{head}-{tail}".casefold() in self.compounds:
            return False  # written with its dash (and never without) elsewhere: a compound
        if head.endswith("ς"):
            return False  # a final sigma ends a word: «κράτος-\nμέλος» is two words
        if not _LOWER_START.match(tail):
            return False  # «ΟΤΑ-\nΚΑΛΟ», «ΕΣΠΑ-\nΠρόγραμμα»: a capital after a dash starts a word
        # One accent per word («διαχεί−\nρισής» with its enclitic accent is found in the lexicon above).
        return not (_TONOS.search(head) and _TONOS.search(tail))

    def rejoin_in_line(self, m: re.Match) -> str:
        head, tail = m.group(1), m.group(2)
        # Greek compounds join their parts with a linking «ο» («κοινωνικο-οικονομικός»); a typesetter's
        # break falls before a consonant («απαι−τούν»). The whole word written elsewhere settles it.
        # Two accents are two words («ομάδα-στόχος», «εργαζόμενοι-μέλη»).
        syllable_break = (
            len(head) >= 2
            and not fold(head).endswith("ο")
            and fold(tail[0]) not in "αεηιουω"
            and not (_TONOS.search(head) and _TONOS.search(tail))
        )
        if fold(head + tail) not in self.lexicon and not syllable_break:
            return m.group(0)
        self.joined += 1
        return m.group(1) + m.group(2)

    def rejoin(self, m: re.Match) -> str:
        if not self.one_word(m.group(1), m.group(2)):
            return m.group(0)
        self.joined += 1
        return m.group(1)


def _words_of(text: str) -> _Words:
    text = unicodedata.normalize("NFC", text)
    compounds = frozenset(re.sub(rf"[{_DASHES}]", "-", w).casefold() for w in _IN_LINE_COMPOUND.findall(text))
    return _Words(frozenset(fold(w) for w in set(_WORDS.findall(text))), compounds)


def normalize(text: str, words: _Words | None = None) -> str:
    words = words if words is not None else _Words()
    text = _SOFT_BREAK.sub("", unicodedata.normalize("NFC", text)).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _HYPHENATED.sub(words.rejoin, text)
    if words.lexicon:
        text = _IN_LINE_BREAK.sub(words.rejoin_in_line, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _rejoin_across_pages(pages: list[list[str]], words: _Words) -> None:
    """A word broken at the foot of a page goes on at the top of the next: it is kept whole on the page
    where it starts."""
    for before, after in pairwise(pages):
        last = next((i for i in range(len(before) - 1, -1, -1) if before[i].strip()), None)
        first = next((i for i, line in enumerate(after) if line.strip()), None)
        if last is None or first is None:
            continue
        head, tail = _LINE_END_PART.search(before[last]), _LINE_START_PART.match(after[first])
        if head and tail and words.one_word(head.group(1), tail.group(1)):
            before[last] = before[last][: head.end(1)] + tail.group(1)
            after[first] = after[first][tail.end(1) :].strip()
            words.joined += 1


def _edge_lines(lines: list[str]) -> list[str]:
    non_empty = [line for line in lines if line.strip()]
    return non_empty[:_EDGE] + non_empty[-_EDGE:]


def _running_key(line: str) -> str:
    return _DIGITS.sub("#", _EDGE_NUMBER.sub("", line)).strip()


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines (page numbers dropped, digits masked) that recur at the top or bottom of at least half the
    pages."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_running_key(line) for line in _edge_lines(lines)})
    threshold = max(2, len(pages) // 2)
    return {key for key, n in counts.items() if n >= threshold and key.strip() and not _PAGE_NUMBER.match(key)}


def is_running_line(line: str, running: set[str]) -> bool:
    key = _running_key(line)
    if key in running:
        return True
    # The same header with a prefix on some pages («ΦΕΚ 195 ΕΦΗΜΕΡΙΣ …»), or the masthead it is cut from.
    return any(
        (r in key and len(key) - len(r) <= _RUNNING_EXTRA) or (key in r and len(key) >= 0.6 * len(r))
        for r in running
        if len(r) >= 8
    )


def _drop_stamps(lines: list[str]) -> tuple[list[str], int]:
    """A signature stamp: its marker lines and the short Latin-script lines that go with them."""
    kept: list[str] = []
    dropped, in_stamp = 0, 0
    for line in lines:
        greek = any("\u0370" <= c <= "\u03ff" for c in line)
        if _STAMP.match(line) or (in_stamp and line and not greek and len(line) <= 40):
            dropped += 1
            in_stamp = 3 if _STAMP.match(line) else in_stamp - 1
            continue
        in_stamp = 0
        kept.append(line)
    return kept, dropped


def _imprint_line(line: str) -> bool:
    # A printer's imprint is set in capitals («ΚΑΠΟΔΙΣΤΡΙΟΥ 34 * ΑΘΗΝΑ … ΤΗΛ. 210 52 79 000»); a guide's own
    # «Επικοινωνία: info@…» line is ordinary text and stays.
    return bool(_CONTACT.search(line)) and not re.search("[α-ωά-ώ]", line)


def _drop_imprint(lines: list[str]) -> tuple[list[str], int]:
    """The contact block at the very end of a publication, and the one capitals line that heads it."""
    end = len(lines)
    while end and (not lines[end - 1].strip() or _imprint_line(lines[end - 1])):
        end -= 1
    if end == len(lines) or not any(_imprint_line(line) for line in lines[end:]):
        return lines, 0
    letters = [c for c in lines[end - 1] if c.isalpha()] if end else []
    if letters and all(c.isupper() for c in letters) and not _DIGITS.search(lines[end - 1]):
        end -= 1
    return lines[:end], sum(1 for line in lines[end:] if line.strip())


def clean_document(doc: LoadedDocument) -> LoadedDocument:
    notes: IngestNotes = replace(doc.notes)
    words = _words_of("\n".join(p.text for p in doc.pages))
    page_lines = [normalize(p.text, words).split("\n") for p in doc.pages]
    # Stamps first: a signature block at the top of a page would hide the running header beneath it.
    stamped = [_drop_stamps(lines) for lines in page_lines]
    page_lines = [lines for lines, _ in stamped]
    notes.stamps = sum(n for _, n in stamped)
    running = _running_lines(page_lines)
    letters = "".join(c for lines in page_lines for line in lines for c in line if c.isalpha())
    prefer_greek = sum(1 for c in letters if c.isascii()) * 2 < len(letters)
    removed: Counter[str] = Counter()
    kept_pages: list[list[str]] = []
    for n, lines in enumerate(page_lines):
        edges = set(_edge_lines(lines))
        kept = []
        for line in lines:
            if line in edges and (is_running_line(line, running) or _PAGE_NUMBER.match(line)):
                removed[line] += 1
                continue
            kept.append(line)
        if n == len(page_lines) - 1 and len(page_lines) > 1:
            kept, imprint = _drop_imprint(kept)
            notes.stamps += imprint
        kept_pages.append(kept)
    _rejoin_across_pages(kept_pages, words)
    notes.hyphenations = words.joined
    pages: list[Page] = []
    for page, kept in zip(doc.pages, kept_pages, strict=True):
        text, repaired = repair_lookalikes("\n".join(kept).strip(), prefer_greek)
        notes.lookalikes += repaired
        pages.append(Page(page.number, text, page.styles))
    notes.running_lines = [line for line, _ in removed.most_common() if not _PAGE_NUMBER.match(line)][:5]
    cleaned = LoadedDocument(
        doc.source,
        normalize(doc.title),
        pages,
        doc.kind,
        doc.outline,
        meta_title=normalize(doc.meta_title),
        act=doc.act,
        notes=notes,
    )
    return choose_title(cleaned, lambda line: is_running_line(line, running))
