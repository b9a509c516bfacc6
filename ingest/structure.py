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
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from assistant.core.documents import Heading, LineStyle, LoadedDocument
from ingest.legal import act_of, article_label, legal_headings
from ingest.lines import (
    MAX_HEADING_CHARS,
    MAX_TITLE_LINES,
    TOC_LEADERS,
    Found,
    Styles,
    continues,
    heading_like,
    next_text,
)

__all__ = ["MARKDOWN_KINDS", "Found", "Structure", "act_of", "article_label", "detect", "lines_of", "outline_key"]

MARKDOWN_KINDS = {"md", "html", "docx"}

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
# «4.2 Χαρτογράφηση αναγκών»: a section number, then a capitalised title.
_NUMBERED = re.compile(r"^((?:\d{1,2}\.)*\d{1,2})\.?\s+([A-ZΑ-ΩΆ-Ώ«\"].*)$")
_TOC_SPACED = re.compile(r"^(?P<text>\S.*?\D)\s+(?P<page>\d{1,4})$")


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


def detect(doc: LoadedDocument) -> Structure:
    lines = lines_of(doc)
    if doc.kind in MARKDOWN_KINDS and any(_MD_HEADING.match(line) for _, line in lines):
        return Structure("markdown", _merge_article_titles(_markdown(lines)))
    if doc.outline:
        return Structure("outline", _outline(doc, lines))
    toc = _table_of_contents(lines)
    toc_pages = sorted({lines[i][0] for i in toc})
    styles = Styles(doc)
    legal = legal_headings(lines, toc, styles)
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


def _numbered(lines: list[tuple[int, str]], toc: set[int], styles: Styles) -> list[Found]:
    typographic = styles.known and any(
        styles.stands_out(page, line) and heading_like(line) for page, line in lines if line
    )
    candidates: list[tuple[int, tuple[int, ...]]] = []
    for i, (page, line) in enumerate(lines):
        m = _NUMBERED.match(line) if line and i not in toc else None
        if not m or not heading_like(line) or continues(lines, i):
            continue
        if typographic and not styles.stands_out(page, line):
            continue  # the document sets its headings apart: a plain numbered line is a paragraph
        candidates.append((i, tuple(int(n) for n in m.group(1).split("."))))
    # Numbered lines one right after the other at the same depth are a list («1. Χαρτογράφηση αναγκών»,
    # «2. Επιλογή εταίρων»): a heading is followed by its body text, not by the next heading.
    listed: set[int] = set()
    for (i, a), (j, b) in pairwise(candidates):
        if len(a) == len(b) and next_text(lines, i) == j:
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


def _by_font(lines: list[tuple[int, str]], toc: set[int], styles: Styles) -> list[Found]:
    """Lines set larger or bolder than the body, short, followed by body text. Levels follow the styles:
    the largest is level 1; consecutive lines in the same style are one wrapped heading."""
    if not styles.known:
        return []
    found: list[tuple[int, int, LineStyle, str]] = []
    i = 0
    while i < len(lines):
        page, line = lines[i]
        if not line or i in toc or not styles.stands_out(page, line) or not heading_like(line):
            i += 1
            continue
        style = styles.of(page, line)
        span = 1
        while (
            span < MAX_TITLE_LINES
            and i + span < len(lines)
            and lines[i + span][1]
            and styles.of(lines[i + span][0], lines[i + span][1]) == style
            and heading_like(lines[i + span][1])
        ):
            span += 1
        title = " ".join(lines[k][1].strip() for k in range(i, i + span))
        after = next_text(lines, i + span - 1)
        if after is not None and not continues(lines, i + span - 1) and len(title) <= MAX_HEADING_CHARS:
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
        m = TOC_LEADERS.match(line)
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
