"""A PDF page as text in reading order, with the font size and weight of every line (pypdf's visitor).

pypdf's plain extraction follows the content stream, which is the reading order for what Word, Acrobat
Distiller and most producers write, one column after the other. Some producers write multi-column pages
line by line across the columns; only then is the page rebuilt from the positions of its text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from assistant.core.documents import LineStyle, style_key

# A gutter is looked for in the middle of the page only (x as a share of the page width).
GUTTER_SEARCH = (0.25, 0.75)
# A page is in columns when at least MIN_SIDE_LINES fragments and MIN_SIDE_SHARE of its text lie wholly
# on each side of the gutter, at most MAX_SPANNING of it crosses the gutter (titles, running headers), and
# each side reads as prose: most of its lines fill the column (table cells do not), FULL_LINE of its width.
MIN_SIDE_LINES = 5
MIN_SIDE_SHARE = 0.08
MAX_SPANNING = 0.25
FULL_LINE = 0.6
# A blank this many line pitches tall across both columns separates what is above from the columns.
BLANK_BAND = 2.5
# Average glyph width in em, for fonts whose widths pypdf cannot map back to characters.
FALLBACK_GLYPH_EM = 0.5
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi", "extrabold")


@dataclass
class Fragment:
    text: str
    x0: float
    x1: float
    y: float
    size: float
    bold: bool


@dataclass
class PageText:
    text: str
    styles: dict[str, LineStyle]
    reordered: bool = False  # rebuilt column by column from positions


class _Fonts:
    """Per-font facts the visitor needs: is it bold, and how wide each character is (in 1/1000 em)."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[object, bool, dict[str, float], float]] = {}

    def get(self, font) -> tuple[bool, dict[str, float], float]:
        hit = self._cache.get(id(font))
        if hit is None or hit[0] is not font:
            hit = (font, _is_bold(font), *_widths(font))
            self._cache[id(font)] = hit  # the font object is kept, so its id cannot be reused
        return hit[1], hit[2], hit[3]


def _is_bold(font) -> bool:
    if not font:
        return False
    name = str(font.get("/BaseFont", "")).lower()
    if any(mark in name for mark in _BOLD_NAMES):
        return True
    try:
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else None
        if descriptor is None and "/DescendantFonts" in font:
            descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else None
        if descriptor is not None:
            weight = float(descriptor.get("/FontWeight", 400))
            force_bold = int(descriptor.get("/Flags", 0)) & (1 << 18)
            return weight >= 600 or bool(force_bold)
    except Exception:  # a malformed descriptor only costs us the weight
        return False
    return False


def _widths(font) -> tuple[dict[str, float], float]:
    """Character → width, by mapping the font's codes back through its character map. Uses pypdf's
    font parser (private module); without it, every glyph counts FALLBACK_GLYPH_EM."""
    if not font:
        return {}, FALLBACK_GLYPH_EM * 1000
    try:
        from pypdf.generic._font import Font

        parsed = Font.from_font_resource(font)
        widths = {
            uni: float(parsed.character_widths[code])
            for code, uni in parsed.character_map.items()
            if isinstance(uni, str) and len(uni) == 1 and code in parsed.character_widths
        }
        default = float(parsed.character_widths.get("default", FALLBACK_GLYPH_EM * 1000))
        return widths, default
    except Exception:
        return {}, FALLBACK_GLYPH_EM * 1000


def _multiply(m: list[float], n: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]


def read_page(page) -> PageText:
    """The page's text (pypdf's own, unless its columns are interleaved) and each line's style."""
    fonts = _Fonts()
    pieces: list[tuple[str, float, bool]] = []  # text as extracted, with its size and weight
    fragments: list[Fragment] = []

    def visit(text, cm, tm, font, size) -> None:
        matrix = _multiply(list(tm), list(cm))
        rendered = abs(size) * math.hypot(matrix[2], matrix[3])
        bold, widths, default = fonts.get(font)
        pieces.append((text, rendered, bold))
        shown = text.replace("\n", "")
        if shown.strip():
            scale = abs(size) * math.hypot(matrix[0], matrix[1]) / 1000
            width = sum(widths.get(ch, default) for ch in shown) * scale
            fragments.append(Fragment(shown, matrix[4], matrix[4] + width, matrix[5], rendered, bold))

    text = page.extract_text(visitor_text=visit) or ""
    width = float(page.mediabox.width) or 595.0
    ordered = _column_order(fragments, width)
    if ordered is not None:
        return PageText(*_lines_from_fragments(ordered), reordered=True)
    return PageText(text, _styles_of_pieces(pieces))


def _styles_of_pieces(pieces: list[tuple[str, float, bool]]) -> dict[str, LineStyle]:
    """The visitor sees exactly the extracted text, piece by piece: cut it into lines again."""
    styles: dict[str, LineStyle] = {}
    line: list[tuple[str, float, bool]] = []

    def close() -> None:
        shown = "".join(t for t, _, _ in line)
        key = style_key(shown)
        if key and key not in styles:
            styles[key] = _style(line)
        line.clear()

    for text, size, bold in pieces:
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if part:
                line.append((part, size, bold))
            if i < len(parts) - 1:
                close()
    close()
    return styles


def _style(parts: list[tuple[str, float, bool]]) -> LineStyle:
    visible = [(t, s, b) for t, s, b in parts if t.strip()]
    if not visible:
        return LineStyle(0.0)
    size = max(visible, key=lambda p: len(p[0].strip()))[1]  # the size most of the line is set in
    return LineStyle(round(size, 1), all(b for _, _, b in visible))


# --- Columns -----------------------------------------------------------------------------------------


def _gutter(fragments: list[Fragment], page_width: float) -> float | None:
    """An x that text stays clear of: most fragments lie wholly left or right of it."""
    n = len(fragments)
    if n < 8:
        return None
    best: tuple[int, int, float] | None = None
    lo, hi = (int(page_width * share) for share in GUTTER_SEARCH)
    for x in range(lo, hi, 2):
        left = sum(1 for f in fragments if f.x1 <= x)
        right = sum(1 for f in fragments if f.x0 >= x)
        spanning = n - left - right
        if min(left, right) < max(MIN_SIDE_LINES, MIN_SIDE_SHARE * n) or spanning > MAX_SPANNING * n:
            continue
        key = (spanning, -min(left, right), float(x))
        if best is None or key < best:
            best = key
    if best is None:
        return None
    gutter = best[2]
    sides = ([f for f in fragments if f.x1 <= gutter], [f for f in fragments if f.x0 >= gutter])
    for side in sides:
        start, end = min(f.x0 for f in side), max(f.x1 for f in side)
        widths = sorted(f.x1 - f.x0 for f in side)
        if widths[len(widths) // 2] < FULL_LINE * (end - start):
            return None  # short cells side by side: a table, read row by row as the stream has it
    return gutter


def _column_order(fragments: list[Fragment], page_width: float) -> list[list[Fragment]] | None:
    """Fragments grouped in reading order (full-width bands, and within a band the left column, then
    the right), or None when the content stream already reads that way."""
    gutter = _gutter(fragments, page_width)
    if gutter is None:
        return None
    side = ["L" if f.x1 <= gutter else "R" if f.x0 >= gutter else "S" for f in fragments]
    # Bands: runs of the page between full-width fragments, top to bottom.
    spanning_y = sorted({round(f.y) for f, s in zip(fragments, side, strict=True) if s == "S"}, reverse=True)
    bands = len(spanning_y) + 1
    columns = [s for s in side if s != "S"]
    switches = sum(1 for a, b in pairwise(columns) if a != b)
    if switches <= 2 * bands + 2:
        return None  # one column after the other: the stream is in reading order already

    # A band also ends where both columns leave a wide blank: the masthead above the columns of a first
    # page, a date printed at the top right, are not the first lines of the right column.
    ys = sorted({round(f.y, 1) for f in fragments}, reverse=True)
    steps = sorted(a - b for a, b in pairwise(ys))
    pitch = steps[len(steps) // 2] if steps else 0.0
    blanks = [(a + b) / 2 for a, b in pairwise(ys) if pitch and a - b > BLANK_BAND * pitch]

    def band_of(f: Fragment, spanning: bool) -> int:
        # A full-width line opens the band below it; other lines belong to the band they sit in.
        above = sum(1 for y in spanning_y if (y >= f.y - 0.5 if spanning else y > f.y + 0.5))
        return above * (len(blanks) + 1) + sum(1 for y in blanks if y > f.y)

    groups: dict[tuple[int, int], list[Fragment]] = {}
    for f, s in zip(fragments, side, strict=True):
        band = band_of(f, s == "S")
        if s == "S":
            groups.setdefault((band, 0), []).append(f)  # the full-width line itself opens its band
        else:
            groups.setdefault((band, 1 if s == "L" else 2), []).append(f)
    return [sorted(groups[k], key=lambda f: (-f.y, f.x0)) for k in sorted(groups)]


def _join(line: list[Fragment]) -> str:
    line.sort(key=lambda g: g.x0)
    text = line[0].text
    for prev, frag in pairwise(line):
        touching = frag.x0 - prev.x1 < 0.15 * frag.size or text.endswith(" ") or frag.text.startswith(" ")
        text += ("" if touching else " ") + frag.text
    return text.strip()


def _lines_from_fragments(groups: list[list[Fragment]]) -> tuple[str, dict[str, LineStyle]]:
    lines: list[str] = []
    styles: dict[str, LineStyle] = {}
    for group in groups:
        rows: list[list[Fragment]] = []
        for f in group:  # sorted top to bottom: a fragment on the previous one's baseline joins its line
            if rows and abs(rows[-1][-1].y - f.y) < 0.4 * max(f.size, 1.0):
                rows[-1].append(f)
            else:
                rows.append([f])
        for row in rows:
            text = _join(row)
            lines.append(text)
            key = style_key(text)
            if key and key not in styles:
                styles[key] = _style([(g.text, g.size, g.bold) for g in row])
    return "\n".join(lines), styles
