"""Markdown and plain-text guides, and how their bytes are decoded (UTF-8/16/32 or a Greek 8-bit
encoding); the HTML loader and the web app's guide viewer read text with `read_text` too."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from assistant.core.documents import LoadedDocument, Page
from ingest.loaders.base import fail, loader, title_from_lines

_BOMS = (  # longest first: the UTF-32-LE BOM begins with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GREEK_LETTER = rb"[\xc1-\xfe]"  # α–ω, Α–Ω and accented letters in both Greek 8-bit encodings
# «Ά» is 0xA2 in cp1253 and 0xB6 in ISO-8859-7 (where 0xA2 is «’» and 0xB6 in cp1253 is «¶»); 0x80–0x9F
# are quotes and dashes in cp1253 and control codes in ISO-8859-7. Each such byte before a letter votes.
_CP1253_VOTES = re.compile(rb"[\x80-\x9f]|\xa2" + _GREEK_LETTER)
_ISO_VOTES = re.compile(rb"\xb6" + _GREEK_LETTER)  # (Έ Ή Ί Ό Ύ Ώ are the same bytes in both)


def _utf16_32_without_bom(raw: bytes) -> str | None:
    """UTF-16/32 text written without a BOM, from where its NUL bytes fall (UTF-8 and the 8-bit Greek
    encodings never contain NUL): ASCII letters, digits and spaces leave a zero in the high byte."""
    sample = raw[:65536]
    if b"\0" not in sample or len(sample) < 4:
        return None
    n = len(sample) - len(sample) % 4
    quads = [sample[i:n:4].count(0) / (n / 4) for i in range(4)]
    if quads[2] > 0.95 and quads[3] > 0.95:
        return "utf-32-le"
    if quads[0] > 0.95 and quads[1] > 0.95:
        return "utf-32-be"
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.05 and even < 0.01:
        return "utf-16-le"
    if even > 0.05 and odd < 0.01:
        return "utf-16-be"
    return None


def text_encoding(raw: bytes) -> str:
    """The encoding of a text guide: a BOM, then UTF-16/32 by its NULs, UTF-8, else the Greek 8-bit
    encoding the bytes where cp1253 and ISO-8859-7 differ point to."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding + ("-sig" if encoding == "utf-8" else "")
    wide = _utf16_32_without_bom(raw)
    if wide:
        return wide
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    cp, iso = len(_CP1253_VOTES.findall(raw)), len(_ISO_VOTES.findall(raw))
    return "iso-8859-7" if iso > cp else "cp1253"


def read_text(path: Path) -> str:
    """A text guide as the loaders read it (see `text_encoding`); the web app serves text guides with it."""
    raw = path.read_bytes()
    encoding = text_encoding(raw)
    for candidate in dict.fromkeys([encoding, "cp1253", "iso-8859-7"]):
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError:
            continue
        if candidate.startswith("utf-32") or candidate.startswith("utf-16"):
            text = text.removeprefix("\ufeff")
        return text
    raise fail("text is not UTF-8 or a Greek encoding", "το κείμενο δεν είναι σε UTF-8 ή ελληνική κωδικοποίηση")


_FORM_FEED = re.compile(r"\f")


def _pages_from_text(text: str) -> list[Page]:
    # A form feed is the one page mark plain text has.
    return [Page(i + 1, part) for i, part in enumerate(_FORM_FEED.split(text))]


@loader(".md", ".markdown")
def load_markdown(path: Path, source: str) -> LoadedDocument:
    text = read_text(path)
    return LoadedDocument(source, title_from_lines(text, path.stem), _pages_from_text(text), "md")


@loader(".txt")
def load_text(path: Path, source: str) -> LoadedDocument:
    text = read_text(path)
    return LoadedDocument(source, title_from_lines(text, path.stem), _pages_from_text(text), "txt")
