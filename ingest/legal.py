"""Legal texts: divisions (ΒΙΒΛΙΟ, ΜΕΡΟΣ, ΤΙΤΛΟΣ, ΚΕΦΑΛΑΙΟ, ΤΜΗΜΑ) and articles («Άρθρο 11» with its title on
the same or the next lines), the act a Government Gazette issue prints («ΝΟΜΟΣ ΥΠ’ ΑΡΙΘΜ. 3606»).

An act's own articles are the longest run of article lines whose numbers only go up; the articles an
amending law quotes («Άρθρο 7 …» inside «…») and article lines cited out of order are text, not headings.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.core.documents import Heading, LineStyle
from ingest.lines import (
    FULL_STOP,
    MAX_HEADING_CHARS,
    MAX_TITLE_LINES,
    PARAGRAPH_NUMBER,
    TOC_LEADERS,
    Found,
    Lines,
    Styles,
    continues,
    heading_like,
    next_text,
)

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


def article_label(title: str) -> str:
    """«άρθρο 9» for a heading that opens an article («Άρθρο 9 — Άδεια λειτουργίας»), else ""."""
    m = _ARTICLE.match(title)
    return f"άρθρο {m.group('num')}" if m else ""


def _title_lines(lines, start: int, styles: Styles, style: LineStyle | None, max_lines: int) -> list[int]:
    """The lines after a division or article line that carry its title. When the heading is set apart
    typographically, the title is the lines set like it (a wrapped title goes on in lower case); otherwise
    it is one short line that is neither a paragraph, nor a new division, nor the start of a sentence
    that goes on below."""
    j = next_text(lines, start - 1)
    typographic = styles.known and style is not None and style != styles.body
    taken: list[int] = []
    heading_page = lines[start - 1][0] if start > 0 else None
    while j is not None and j < len(lines) and lines[j][1] and len(taken) < max_lines:
        page, line = lines[j]
        if page != heading_page:
            break  # a title does not run over to the next page (whose top is its running header)
        if PARAGRAPH_NUMBER.match(line) or _ARTICLE.match(line) or _is_division(line) or TOC_LEADERS.match(line):
            break
        if typographic:
            if styles.of(page, line) != style or len(line) > MAX_HEADING_CHARS or FULL_STOP.search(line):
                break
            if not taken and not heading_like(line.rstrip(",")):
                break
        elif taken or not heading_like(line) or continues(lines, j):
            break
        taken.append(j)
        if not typographic:
            break
        j += 1
    return taken


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


def legal_headings(lines: Lines, toc: set[int], styles: Styles) -> list[Found]:
    """Divisions and the act's own articles; [] when the text is not laid out as a legal text."""
    quoted = _quoted(lines)
    articles: list[tuple[int, tuple[int, str]]] = []
    for i, (_, line) in enumerate(lines):
        m = _ARTICLE.match(line) if line and i not in toc and not quoted[i] else None
        rest = (m.group("rest") or m.group("same") or "") if m else ""
        if m and (not rest or heading_like(rest)):
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
        if m and _division_number(m.group("num")) and (not m.group("rest") or heading_like(m.group("rest"))):
            if continues(lines, i):
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
