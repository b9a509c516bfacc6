"""Where a document's sections start, from the document's own structure, in this order of trust:
its outline (PDF bookmarks), Markdown marks (Markdown, HTML, DOCX heading styles), legal divisions
(ΜΕΡΟΣ / ΚΕΦΑΛΑΙΟ / ΤΜΗΜΑ / Άρθρο N), numbered headings, then font size and weight. A table of contents
is found too, so that it is neither a section nor an answer passage.

Every rule is about the form of a line and its neighbours, never about what a particular document says:
a heading is short, has no final sentence punctuation, is followed by body text, and (when numbered)
continues the numbering of the headings before it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from assistant.core.documents import Heading, LineStyle, LoadedDocument, style_key

MARKDOWN_KINDS = {"md", "html", "docx"}
MAX_HEADING_CHARS = 120  # longer lines are paragraphs; the longest outline titles of the guides are ~90
MAX_TITLE_LINES = 3  # a heading's title wraps over at most this many lines
SIZE_STEP = 1.1  # a line set this much larger than the body text stands out as a heading

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
# «4.2 Χαρτογράφηση αναγκών»: a section number, then a capitalised title.
_NUMBERED = re.compile(r"^((?:\d{1,2}\.)*\d{1,2})\.?\s+([A-ZΑ-ΩΆ-Ώ«\"].*)$")
_SENTENCE_END = re.compile(r"[.!?;;·:,]$")
_FULL_STOP = re.compile(r"[.!?;;·:]$")  # a comma may end a line of a heading that wraps
_PARAGRAPH_NUMBER = re.compile(r"^(?:\(?\d{1,3}[.)]|\(?[α-ωά-ώ]{1,3}[.)΄'’]|\([ivx]+\)|[-•·▪●◦*–−])\s")
_LOWER_START = re.compile(r"^[a-zα-ωά-ώ]")

# --- Legal texts -----------------------------------------------------------------------------------------
_KERAIA = "΄'’ʹ´"
_ARTICLE = re.compile(
    r"^(?:Άρθρο|Αρθρο|ΑΡΘΡΟ|ΆΡΘΡΟ)\s+"
    r"(?P<num>\d{1,4}(?:\s?[Α-Ωα-ω](?![\w]))?(?:\s?(?:bis|ter))?|[α-ωά-ώ]+(?:\s+[α-ωά-ώ]+){0,2})"
    r"\s*(?:[:.\-–—−]\s*(?P<rest>.*)|(?P<same>[Α-ΩΆ-Ώ«].*))?$"
)
_DIVISIONS = {"ΒΙΒΛΙΟ": 1, "ΜΕΡΟΣ": 2, "ΤΙΤΛΟΣ": 3, "ΚΕΦΑΛΑΙΟ": 4, "ΤΜΗΜΑ": 5, "ΥΠΟΤΜΗΜΑ": 6}
ARTICLE_LEVEL = 7
_DIVISION = re.compile(
    r"^(?P<word>Βιβλίο|Μέρος|Τίτλος|Κεφάλαιο|Τμήμα|Υποτμήμα|ΒΙΒΛΙΟ|ΜΕΡΟΣ|ΤΙΤΛΟΣ|ΚΕΦΑΛΑΙΟ|ΤΜΗΜΑ|ΥΠΟΤΜΗΜΑ)\s+"
    rf"(?P<num>\d{{1,3}}|[IVXLC]{{1,6}}|[Α-ΩΆ-Ώ]{{1,4}}[{_KERAIA}]|[Α-ΩΆ-Ώα-ωά-ώ]{{4,}}(?:\s+[Α-ΩΆ-Ώα-ωά-ώ]{{4,}})?)"
    r"\s*(?:[:.\-–—−]\s*(?P<rest>.*))?$"
)
_UNITS = ["πρωτ", "δευτερ", "τριτ", "τεταρτ", "πεμπτ", "εκτ", "εβδομ", "ογδο", "ενατ"]
_TENS = ["δεκατ", "εικοστ", "τριακοστ", "τεσσαρακοστ", "πεντηκοστ", "εξηκοστ", "εβδομηκοστ", "ογδοηκοστ", "ενενηκοστ"]
_SPECIAL = {"ενδεκατ": 11, "δωδεκατ": 12}
# Acts as the Government Gazette prints them, and their short citation.
_ACT_KINDS = {
    "ΝΟΜΟΣ": "Ν.",
    "ΠΡΟΕΔΡΙΚΟ ΔΙΑΤΑΓΜΑ": "Π.Δ.",
    "ΠΡΑΞΗ ΝΟΜΟΘΕΤΙΚΟΥ ΠΕΡΙΕΧΟΜΕΝΟΥ": "Π.Ν.Π.",
    "ΚΟΙΝΗ ΥΠΟΥΡΓΙΚΗ ΑΠΟΦΑΣΗ": "Κ.Υ.Α.",
    "ΥΠΟΥΡΓΙΚΗ ΑΠΟΦΑΣΗ": "Υ.Α.",
    "ΑΠΟΦΑΣΗ": "Απόφαση",
}
_ACT = re.compile(
    rf"^({'|'.join(sorted(_ACT_KINDS, key=len, reverse=True))})\s+(?:ΥΠ[{_KERAIA}`]?\s*)?ΑΡΙΘ(?:Μ)?\.?\s*"
    r"(?P<num>\d[\d/.]*\d|\d)\b"
)
_DATE_YEAR = re.compile(r"\b\d{1,2}(?:η|ης)?\s+[Α-ΩΆ-Ώα-ωά-ώ]+\s+((?:19|20)\d{2})\b")
_DATE_LINE = re.compile(r"^(?:[Α-ΩΆ-Ώα-ωά-ώ]+,\s*)?\d{1,2}(?:η|ης)?\s+[Α-ΩΆ-Ώα-ωά-ώ]+\s+(?:19|20)\d{2}$")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")

# --- Tables of contents ----------------------------------------------------------------------------------
_TOC_LEADERS = re.compile(r"^(?P<text>\S.*?)\s*(?:[.…·_]\s?){3,}\s*(?P<page>\d{1,4})$")
_TOC_SPACED = re.compile(r"^(?P<text>\S.*?\D)\s+(?P<page>\d{1,4})$")


@dataclass(frozen=True)
class Found:
    line: int  # index in the document's line stream (see `lines_of`)
    span: int  # lines the heading takes (a title on the next line counts)
    heading: Heading


@dataclass
class Structure:
    kind: str  # outline | markdown | legal | numbered | font | none
    headings: list[Found] = field(default_factory=list)
    toc: set[int] = field(default_factory=set)  # line indexes of a table of contents
    toc_pages: list[int] = field(default_factory=list)


def lines_of(doc: LoadedDocument) -> list[tuple[int, str]]:
    """The document as one stream of (page number, line)."""
    return [(p.number, line) for p in doc.pages for line in p.text.split("\n")]


def outline_key(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def article_label(title: str) -> str:
    """«άρθρο 9» for a heading that opens an article («Άρθρο 9 — Άδεια λειτουργίας»), else ""."""
    m = _ARTICLE.match(title)
    return f"άρθρο {m.group('num')}" if m else ""


def detect(doc: LoadedDocument) -> Structure:
    lines = lines_of(doc)
    if doc.kind in MARKDOWN_KINDS and any(_MD_HEADING.match(line) for _, line in lines):
        return Structure("markdown", _merge_article_titles(_markdown(lines)))
    if doc.outline:
        return Structure("outline", _outline(doc, lines))
    toc = _table_of_contents(lines)
    toc_pages = sorted({lines[i][0] for i in toc})
    styles = _Styles(doc)
    legal = _legal(lines, toc, styles)
    if legal:
        return Structure("legal", legal, toc, toc_pages)
    numbered = _numbered(lines, toc, styles)
    if numbered:
        return Structure("numbered", numbered, toc, toc_pages)
    by_font = _by_font(lines, toc, styles)
    return Structure("font" if by_font else "none", by_font, toc, toc_pages)


# --- Declared structure ----------------------------------------------------------------------------------


def _markdown(lines: list[tuple[int, str]]) -> list[Found]:
    found = []
    for i, (_, line) in enumerate(lines):
        m = _MD_HEADING.match(line)
        if m:
            title = m.group(2).strip()
            found.append(Found(i, 1, Heading(len(m.group(1)), title, article_label(title))))
    return found


def _merge_article_titles(found: list[Found]) -> list[Found]:
    """«# Άρθρο 9» straight followed by «# Άδεια λειτουργίας» (two styled paragraphs): one heading."""
    out: list[Found] = []
    for f in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.heading.article
            and not f.heading.article
            and f.line == prev.line + prev.span + 1  # only the blank line between them
            and f.heading.level >= prev.heading.level
            and "—" not in prev.heading.title
        ):
            merged = Heading(prev.heading.level, f"{prev.heading.title} — {f.heading.title}", prev.heading.article)
            out[-1] = Found(prev.line, f.line + f.span - prev.line, merged)
            continue
        out.append(f)
    return out


def _outline(doc: LoadedDocument, lines: list[tuple[int, str]]) -> list[Found]:
    """The outline's titles found in the text, a title wrapped over two lines included."""
    levels = {outline_key(h.title): h.level for h in doc.outline if outline_key(h.title)}
    found: list[Found] = []
    i = 0
    while i < len(lines):
        line = lines[i][1]
        nxt = lines[i + 1][1] if i + 1 < len(lines) else None
        if line:
            key = outline_key(line)
            if key in levels:
                found.append(Found(i, 1, Heading(levels[key], line, article_label(line))))
                i += 1
                continue
            if nxt is not None:
                joined = f"{line} {nxt}"
                if outline_key(joined) in levels:
                    found.append(Found(i, 2, Heading(levels[outline_key(joined)], joined, article_label(joined))))
                    i += 2
                    continue
        i += 1
    return found


# --- Typography -----------------------------------------------------------------------------------------


class _Styles:
    """Line styles of the document and what its body text looks like."""

    def __init__(self, doc: LoadedDocument) -> None:
        self.pages = {p.number: p.styles for p in doc.pages}
        # The body is the style most of the text is set in (counted in characters, not lines).
        counts: Counter[LineStyle] = Counter()
        for p in doc.pages:
            for key, s in p.styles.items():
                if s.size or s.bold:
                    counts[s] += len(key)
        self.body = counts.most_common(1)[0][0] if counts else None

    def of(self, page: int, line: str) -> LineStyle | None:
        return self.pages.get(page, {}).get(style_key(line))

    def stands_out(self, page: int, line: str) -> bool:
        style = self.of(page, line)
        if style is None or self.body is None:
            return False
        larger = bool(style.size and self.body.size and style.size >= self.body.size * SIZE_STEP)
        return larger or (style.bold and not self.body.bold)

    @property
    def known(self) -> bool:
        return self.body is not None


def _heading_like(line: str) -> bool:
    """Short, capitalised, no final sentence punctuation, not a list item or numbered paragraph."""
    return (
        0 < len(line) <= MAX_HEADING_CHARS
        and not _SENTENCE_END.search(line)
        and not _LOWER_START.match(line)
        and not line.startswith(("«", '"', "(", "[", "|"))
        and " | " not in line
    )


def _next_text(lines: list[tuple[int, str]], i: int) -> int | None:
    j = i + 1
    while j < len(lines) and not lines[j][1]:
        j += 1
    return j if j < len(lines) else None


def _continues(lines: list[tuple[int, str]], i: int) -> bool:
    """The line's sentence goes on on the next line (a wrapped paragraph, not a heading)."""
    j = i + 1
    return j < len(lines) and bool(_LOWER_START.match(lines[j][1]))


def _title_lines(lines, start: int, styles: _Styles, style: LineStyle | None, max_lines: int) -> list[int]:
    """The lines after a division or article line that carry its title. When the heading is set apart
    typographically, the title is the lines set like it (a wrapped title goes on in lower case); otherwise
    it is one short line that is neither a paragraph, nor a new division, nor the start of a sentence
    that goes on below."""
    j = _next_text(lines, start - 1)
    typographic = styles.known and style is not None and style != styles.body
    taken: list[int] = []
    heading_page = lines[start - 1][0] if start > 0 else None
    while j is not None and j < len(lines) and lines[j][1] and len(taken) < max_lines:
        page, line = lines[j]
        if page != heading_page:
            break  # a title does not run over to the next page (whose top is its running header)
        if _PARAGRAPH_NUMBER.match(line) or _ARTICLE.match(line) or _is_division(line) or _TOC_LEADERS.match(line):
            break
        if typographic:
            if styles.of(page, line) != style or len(line) > MAX_HEADING_CHARS or _FULL_STOP.search(line):
                break
            if not taken and not _heading_like(line.rstrip(",")):
                break
        elif taken or not _heading_like(line) or _continues(lines, j):
            break
        taken.append(j)
        if not typographic:
            break
        j += 1
    return taken


# --- Legal texts -----------------------------------------------------------------------------------------


def _ordinal(words: str) -> int | None:
    """«πρώτο» → 1, «δέκατο τρίτο» → 13, «ΕΙΚΟΣΤΟ» → 20; None when the words are not an ordinal."""
    total = 0
    for word in words.split():
        w = _plain_upper(word).lower()
        value = next((v for k, v in _SPECIAL.items() if w.startswith(k)), None)
        if value is None:
            value = next((10 * (n + 1) for n, k in enumerate(_TENS) if w.startswith(k)), None)
        if value is None:
            value = next((n + 1 for n, k in enumerate(_UNITS) if w.startswith(k)), None)
        if value is None:
            return None
        total += value
    return total or None


def _article_order(num: str) -> tuple[int, str] | None:
    m = re.match(r"(\d+)\s?(.*)$", num)
    if m:
        return int(m.group(1)), m.group(2).strip().lower()
    value = _ordinal(num)
    return (value, "") if value else None


def _quoted(lines: list[tuple[int, str]]) -> list[bool]:
    """Whether each line starts inside «…»: amending laws quote whole articles, which are not theirs."""
    depth, inside = 0, []
    for _, line in lines:
        inside.append(depth > 0)
        depth = max(0, depth + line.count("«") - line.count("»"))
    return inside


def _longest_increasing(candidates: list[tuple[int, tuple[int, str]]]) -> set[int]:
    """The line indexes of the longest run of article numbers that only goes up: the act's own articles,
    without the ones it quotes or cites out of order."""
    n = len(candidates)
    best = [1] * n
    back = [-1] * n
    for j in range(n):
        for i in range(j):
            if candidates[i][1] < candidates[j][1] and best[i] + 1 > best[j]:
                best[j], back[j] = best[i] + 1, i
    if not n:
        return set()
    j = max(range(n), key=lambda k: best[k])
    keep = set()
    while j != -1:
        keep.add(candidates[j][0])
        j = back[j]
    return keep


def _legal(lines: list[tuple[int, str]], toc: set[int], styles: _Styles) -> list[Found]:
    quoted = _quoted(lines)
    articles: list[tuple[int, tuple[int, str]]] = []
    for i, (_, line) in enumerate(lines):
        m = _ARTICLE.match(line) if line and i not in toc and not quoted[i] else None
        rest = (m.group("rest") or m.group("same") or "") if m else ""
        if m and (not rest or _heading_like(rest)):
            order = _article_order(m.group("num"))
            if order:
                articles.append((i, order))
    if len(articles) < 2 and sum(quoted) > len(lines) // 2:  # unbalanced quotes: do without them
        quoted = [False] * len(lines)
    keep = _longest_increasing(articles)
    alone = [
        i for i in keep if _ARTICLE.fullmatch(lines[i][1].strip()) and not _ARTICLE.match(lines[i][1]).group("rest")
    ]
    if len(keep) < 2 and not alone:
        return []  # one «Άρθρο 5 — …» line in a guide is a quotation; a line «Άρθρο 5» alone opens an article
    found: list[Found] = []
    for i, (page, line) in enumerate(lines):
        if not line or i in toc or quoted[i]:
            continue
        if i in keep:
            m = _ARTICLE.match(line)
            assert m is not None
            label = f"Άρθρο {m.group('num')}"
            rest = (m.group("rest") or m.group("same") or "").strip()
            titles = [] if rest else _title_lines(lines, i + 1, styles, styles.of(page, line), MAX_TITLE_LINES)
            title = rest or " ".join(lines[t][1].strip() for t in titles)
            span = (titles[-1] - i + 1) if titles else 1
            heading = Heading(ARTICLE_LEVEL, f"{label} — {title}" if title else label, f"άρθρο {m.group('num')}")
            found.append(Found(i, span, heading))
            continue
        m = _DIVISION.match(line)
        if m and _division_number(m.group("num")) and (not m.group("rest") or _heading_like(m.group("rest"))):
            if _continues(lines, i):
                continue
            level = _DIVISIONS[_plain_upper(m.group("word"))]
            rest = (m.group("rest") or "").strip()
            titles = [] if rest else _title_lines(lines, i + 1, styles, styles.of(page, line), MAX_TITLE_LINES)
            if not styles.known:  # all-caps titles wrap: take the lines that are still in capitals
                titles = _caps_lines(lines, i + 1) or titles
            title = rest or " ".join(lines[t][1].strip() for t in titles)
            span = (titles[-1] - i + 1) if titles else 1
            name = f"{m.group('word')} {m.group('num')}"
            found.append(Found(i, span, Heading(level, f"{name} — {title}" if title else name)))
    return _drop_overlaps(found)


def _plain_upper(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)).upper()


def _division_number(num: str) -> bool:
    """«Α΄», «ΙΒ΄», «3», «IV», or an ordinal word («ΠΡΩΤΟ», «Δεύτερο»): anything else is not a number."""
    return bool(re.fullmatch(rf"\d+|[IVXLC]+|[Α-ΩΆ-Ώ]{{1,4}}[{_KERAIA}]", num)) or _ordinal(num) is not None


def _is_division(line: str) -> bool:
    m = _DIVISION.match(line)
    return bool(m and _division_number(m.group("num")))


def _caps_lines(lines: list[tuple[int, str]], start: int) -> list[int]:
    taken = []
    j = start
    while j < len(lines) and len(taken) < MAX_TITLE_LINES:
        line = lines[j][1]
        letters = [c for c in line if c.isalpha()]
        if not letters or not all(c.isupper() for c in letters) or _ARTICLE.match(line) or _is_division(line):
            break
        taken.append(j)
        j += 1
    return taken


def _drop_overlaps(found: list[Found]) -> list[Found]:
    out: list[Found] = []
    for f in found:
        if out and f.line < out[-1].line + out[-1].span:
            continue  # inside the previous heading's title lines
        out.append(f)
    return out


# --- Numbered headings ----------------------------------------------------------------------------------


def _follows(prev: tuple[int, ...] | None, nxt: tuple[int, ...]) -> bool:
    """Whether section number `nxt` can come right after `prev`: the next sibling of it or of one of its
    ancestors, or its first child."""
    if prev is None:
        return len(nxt) == 1 or all(n <= 1 for n in nxt[1:])
    if nxt == (*prev, 1):
        return True
    depth = len(nxt)
    return depth <= len(prev) and nxt[:-1] == prev[: depth - 1] and nxt[-1] == prev[depth - 1] + 1


def _numbered(lines: list[tuple[int, str]], toc: set[int], styles: _Styles) -> list[Found]:
    typographic = styles.known and any(
        styles.stands_out(page, line) and _heading_like(line) for page, line in lines if line
    )
    candidates: list[tuple[int, tuple[int, ...]]] = []
    for i, (page, line) in enumerate(lines):
        m = _NUMBERED.match(line) if line and i not in toc else None
        if not m or not _heading_like(line) or _continues(lines, i):
            continue
        if typographic and not styles.stands_out(page, line):
            continue  # the document sets its headings apart: a plain numbered line is a paragraph
        candidates.append((i, tuple(int(n) for n in m.group(1).split("."))))
    # Numbered lines one right after the other at the same depth are a list («1. Χαρτογράφηση αναγκών»,
    # «2. Επιλογή εταίρων»): a heading is followed by its body text, not by the next heading.
    listed: set[int] = set()
    for (i, a), (j, b) in pairwise(candidates):
        if len(a) == len(b) and _next_text(lines, i) == j:
            listed |= {i, j}
    candidates = [c for c in candidates if c[0] not in listed]
    # The longest chain of candidates whose numbering runs on (1, 1.1, 1.2, 2, …): list items numbered
    # 1., 2., 3. inside a section break the chain and drop out.
    n = len(candidates)
    best, back = [0] * n, [-1] * n
    for j in range(n):
        best[j] = 1 if _follows(None, candidates[j][1]) else 0
        for i in range(j):
            if best[i] and _follows(candidates[i][1], candidates[j][1]) and best[i] + 1 > best[j]:
                best[j], back[j] = best[i] + 1, i
    if not n or max(best) == 0:
        return []
    j = max(range(n), key=lambda k: (best[k], k))  # of equally long chains, the one reaching furthest
    keep: list[int] = []
    while j != -1:
        keep.append(j)
        j = back[j]
    found = []
    for k in reversed(keep):
        i, number = candidates[k]
        line = lines[i][1]
        found.append(Found(i, 1, Heading(len(number), line, article_label(line))))
    return found


# --- Font size and weight -------------------------------------------------------------------------------


def _by_font(lines: list[tuple[int, str]], toc: set[int], styles: _Styles) -> list[Found]:
    """Lines set larger or bolder than the body, short, followed by body text. Levels follow the styles:
    the largest is level 1; consecutive lines in the same style are one wrapped heading."""
    if not styles.known:
        return []
    found: list[tuple[int, int, LineStyle, str]] = []
    i = 0
    while i < len(lines):
        page, line = lines[i]
        if not line or i in toc or not styles.stands_out(page, line) or not _heading_like(line):
            i += 1
            continue
        style = styles.of(page, line)
        span = 1
        while (
            span < MAX_TITLE_LINES
            and i + span < len(lines)
            and lines[i + span][1]
            and styles.of(lines[i + span][0], lines[i + span][1]) == style
            and _heading_like(lines[i + span][1])
        ):
            span += 1
        title = " ".join(lines[k][1].strip() for k in range(i, i + span))
        after = _next_text(lines, i + span - 1)
        if after is not None and not _continues(lines, i + span - 1) and len(title) <= MAX_HEADING_CHARS:
            assert style is not None
            found.append((i, span, style, title))
        i += span
    ranks = sorted({s for _, _, s, _ in found}, key=lambda s: (-s.size, not s.bold))
    return [Found(i, span, Heading(ranks.index(s) + 1, t, article_label(t))) for i, span, s, t in found]


# --- Tables of contents ----------------------------------------------------------------------------------


def _table_of_contents(lines: list[tuple[int, str]]) -> set[int]:
    """Runs of at least three lines that end in a page number: after dot leaders, or after a title that
    the document repeats elsewhere as a line of its own (the heading the entry points to)."""
    keys = Counter(outline_key(line) for _, line in lines if line)
    entries: list[int] = []
    for i, (_, line) in enumerate(lines):
        m = _TOC_LEADERS.match(line)
        if not m:
            m = _TOC_SPACED.match(line)
            if not m or keys[outline_key(m.group("text"))] == 0:
                continue
        entries.append(i)
    toc: set[int] = set()
    run: list[int] = []
    for i in [*entries, None]:
        if i is not None and run and i - run[-1] <= 2:  # a wrapped entry may sit between two entries
            run.append(i)
            continue
        if len(run) >= 3:
            toc |= set(range(run[0], run[-1] + 1))
        run = [i] if i is not None else []
    return toc


# --- The act a legal text is -----------------------------------------------------------------------------


def act_of(lines: list[str]) -> tuple[str, str] | None:
    """(«Ν. 3606/2007», «Ν. 3606/2007 — Αγορές χρηματοπιστωτικών μέσων και άλλες διατάξεις») from the
    first lines of a Government Gazette act: its kind and number, the year of its date, its subject."""
    for i, raw in enumerate(lines):
        line = raw.strip()
        if _ARTICLE.match(line):
            return None  # the articles began: nothing above them named the act
        m = _ACT.match(line)
        if not m:
            continue
        kind = _ACT_KINDS[m.group(1)]
        number = m.group("num").rstrip(".")
        if "/" not in number:
            window = " ".join(lines[max(0, i - 8) : i + 6])
            year = _DATE_YEAR.search(window) or _YEAR.search(window)
            number = f"{number}/{year.group(1)}" if year else number
        short = f"{kind} {number}"
        subject: list[str] = []
        for nxt in lines[i + 1 : i + 12]:
            text = nxt.strip()
            if not text or _DATE_LINE.match(text):
                continue  # a blank line or the date, printed beside the act's name
            letters = [c for c in text if c.isalpha()]
            if (letters and all(c.isupper() for c in letters)) or _ARTICLE.match(text) or len(subject) >= 4:
                break
            subject.append(text)
            if text.endswith("."):
                break
        title = " ".join(subject).rstrip(".").strip()
        return short, f"{short} — {title}" if title else short
    return None
