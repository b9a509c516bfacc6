"""The objects that cross the ingestion arrows, defined once."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from assistant.core.greek_text import fold, repair_lookalikes

_NON_WORD = re.compile(r"\W+")
LIST_ITEM = re.compile(r"^\s*(?:[-•·▪●◦*☐☑✓–]\s+|\d{1,2}[).]\s+|[α-ω][).]\s+)")  # a bullet or «1.», «α)»
CAPTION_MAX_WORDS = 6  # a line of its own this short, right above a list, is the list's caption


def list_caption(text: str) -> str:
    """The caption or introduction of the list that `text` (a chunk) ends in: the line right above its
    last run of items, when that line is short («Συνηθισμένα λάθη.») or introduces («…τα εξής:»)."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    while lines and LIST_ITEM.match(lines[-1]):
        lines.pop()
    if not lines or len(lines) == len([ln for ln in text.split("\n") if ln.strip()]):
        return ""  # the chunk does not end in a list
    last = lines[-1]
    return last if len(last.split()) <= CAPTION_MAX_WORDS or last.endswith(":") else ""


def style_key(line: str) -> str:
    """How a line is looked up in `Page.styles`: its letters and digits, as written but with look-alikes
    repaired, so that the key survives cleaning between the loader that measured the line and the reader
    (case is kept: «ΑΓΟΡΕΣ» in bold and «Αγορές» in italics are different lines)."""
    return _NON_WORD.sub("", repair_lookalikes(unicodedata.normalize("NFC", line))[0])


@dataclass(frozen=True)
class LineStyle:
    size: float  # font size in points, as rendered
    bold: bool = False


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, as printed in a viewer
    text: str
    # PDF only: the font of each line of the page, by style_key(line). Empty when unknown.
    styles: dict[str, LineStyle] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = top-level section
    title: str
    article: str = ""  # «άρθρο 9» when the heading opens an article of a legal text


@dataclass
class IngestNotes:
    """What loading and cleaning did to a file, for `kalo inspect` and the ingest report."""

    no_text_pages: list[int] = field(default_factory=list)  # pages without a text layer
    ocr_pages: list[int] = field(default_factory=list)  # pages whose text came from OCR
    reordered_pages: list[int] = field(default_factory=list)  # multi-column pages put in reading order
    hyphenations: int = 0  # words broken at a line end, re-joined
    lookalikes: int = 0  # words with Latin/symbol look-alike letters, repaired
    running_lines: list[str] = field(default_factory=list)  # running headers/footers removed
    stamps: int = 0  # signature-stamp and printer's-imprint lines removed
    warnings: list[str] = field(default_factory=list)  # anything a user should know, in English


@dataclass
class LoadedDocument:
    """A file as read by a loader: its pages and whatever structure the format declares."""

    source: str  # path relative to the corpus dir, POSIX style
    title: str
    pages: list[Page]
    kind: str  # pdf | docx | md | txt | html
    # Headings the format states explicitly (PDF outline, DOCX heading styles);
    # for Markdown-like text the lines themselves carry "#" marks.
    outline: list[Heading] = field(default_factory=list)
    meta_title: str = ""  # the title the file's metadata declares (PDF /Title, DOCX core properties)
    act: str = ""  # for a legal text, its short citation: «Ν. 3606/2007»
    notes: IngestNotes = field(default_factory=IngestNotes)


# Where a chunk comes from: stored with it in Chroma and handed on with each passage (the same keys).
PROVENANCE = ("guide_id", "guide_title", "source", "section", "page_start", "page_end")


def provenance(item) -> dict[str, str | int]:
    return {name: getattr(item, name) for name in PROVENANCE}


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str
    guide_id: str
    guide_title: str
    source: str
    section: str  # "4. Βήματα > 4.2 Χαρτογράφηση"
    page_start: int
    page_end: int
    index: int  # position of the chunk in its document
    content_hash: str
    article: str = ""  # «άρθρο 9»: the article of a legal text the chunk belongs to
    act: str = ""  # «Ν. 3606/2007»: the legal text's short citation

    def metadata(self) -> dict[str, str | int]:
        meta: dict[str, str | int] = provenance(self) | {
            "chunk_index": self.index,
            "content_hash": self.content_hash,
            "text_key": text_key(self.text),
        }
        # Legal provenance only where there is some: guides' metadata stays as it was.
        if self.article:
            meta["article"] = self.article
        if self.act:
            meta["act"] = self.act
        return meta

    def embedding_text(self) -> str:
        # The section path gives short chunks their context («4.2 Χαρτογράφηση» alone says little).
        return f"{self.guide_title} — {self.section}\n{self.text}"


def text_key(text: str) -> str:
    """The same passage read from two files (DOCX and PDF) gets the same key: folded words only, so line
    breaks, bullets, hyphenation marks and spacing do not count."""
    return hashlib.sha1(" ".join(_NON_WORD.sub(" ", fold(text)).split()).encode("utf-8")).hexdigest()[:16]


FRONT_MATTER = "Αρχή του οδηγού"  # section name for text before the first heading (cover, preface)

# Structure, not wording: documents label their examples («Υποθετικό παράδειγμα», «Case study»).
_EXAMPLE_TITLE = re.compile(r"παραδειγμ|υποθετικ|example|case stud|μελετ\w* περιπτωσ")


# …and illustrate a point inside running text with a standard marker («Όταν, για παράδειγμα, …», «π.χ.»).
_ILLUSTRATION = re.compile(r"\bγια παραδειγμα\b|\bπ\.\s?χ\.|\bλογου χαρη\b|\bfor (?:example|instance)\b|\be\.g\.")


def illustrates(text: str) -> bool:
    """A sentence that gives an example of its section's point rather than the point itself."""
    return bool(_ILLUSTRATION.search(fold(text)))


def is_example_section(title: str) -> bool:
    """Whether a section's own title says it is an example (matched on folded text)."""
    return bool(_EXAMPLE_TITLE.search(fold(title)))


# Structure, not wording: a document speaks of itself in standard ways («Ο Οδηγός…», «η ενότητα 6»)…
SELF_REFERENCE = re.compile(r"\b(?:ο|του|τον|στον) (?:παρων |παροντοσ )?οδηγ\w*|\bενοτητ\w* \d|\bκεφαλαι\w* \d")
# …opens a section on itself («Ο Οδηγός απευθύνεται…», «Ο παρών οδηγός…»)…
_OPENS_ON_ITSELF = re.compile(r"(?:ο|η|το) (?:παρων |παρουσα |παρον )?οδηγ")
# …and names itself or its parts by these nouns' stems («του νόμου αυτού», «το άρθρο αυτό»).
DOCUMENT_NOUN = re.compile(r"^(?:νομ|αρθρ|οδηγ|κεφαλαι|ενοτητ|παραγραφ|εδαφι)")


# «λέει ο οδηγός», «ο οδηγός προτείνει», «σύμφωνα με τον οδηγό», «στον οδηγό»: the guide as the source.
_SAYS = r"(?:λεει|λενε|αναφερει|αναφερουν|προτεινει|προτεινουν|συστηνει|γραφει|προβλεπει|συμβουλευει)"
_AS_SOURCE = re.compile(
    rf"\b{_SAYS}\s+(?:ο|οι)\s+οδηγ\w*|\b(?:ο|οι)\s+οδηγ\w*\s+{_SAYS}"
    r"|\b(?:κατα|συμφωνα με)\s+(?:τον|τουσ)\s+οδηγ\w*|\bστο(?:ν|υσ)\s+οδηγ\w*"
)


def asks_about_document(question: str) -> bool:
    """The question is about the guide or its parts («Σε ποιους απευθύνεται ο οδηγός;», «τι λέει η
    ενότητα 5;»), not naming it as the source of an answer on the subject («τι λέει ο οδηγός για…»)."""
    return bool(re.search(r"οδηγ|ενοτητ|κεφαλαι", _AS_SOURCE.sub(" ", fold(question))))


def speaks_of_itself(title: str, text: str) -> bool:
    """A section about the document rather than its subject: its title names the document («Σκοπός του
    Οδηγού») or its text opens on it («Ο Οδηγός απευθύνεται…»)."""
    opening = fold(text.lstrip("•-* \n")[:80])
    return bool(SELF_REFERENCE.search(fold(title)) or _OPENS_ON_ITSELF.match(opening))


# Tables are never quoted (the composer leaves their rows out): a sentence about «the table» points at nothing.
_TABLE_REFERENCE = re.compile(
    r"^(?:ο|στον|απο τον) (?:παρακατω |παραπανω |ακολουθοσ |συγκριτικοσ )?πινακ\w*|^(?:το|στο) (?:παρακατω |παραπανω )?(?:σχημα|διαγραμμα)\b"
)
# …and a sentence that announces what follows («Παρακάτω παρουσιάζονται οι λόγοι…», «Ακολουθούν…») says
# nothing without it. One that introduces its list («…τα εξής:») is read with the list instead.
_ANNOUNCES = re.compile(
    r"^(?:παρακατω|ακολουθωσ|ακολουθουν|στη συνεχεια (?:παρουσιαζ|περιγραφ|εξεταζ|αναλυ)\w*|στισ (?:επομενεσ|ακολουθεσ) (?:ενοτητ|σελιδ))"
)


def points_elsewhere(text: str) -> bool:
    """A sentence about a table or figure, or one announcing what follows without introducing it: alone, it
    points at what is not quoted."""
    folded = fold(text)
    return bool(_TABLE_REFERENCE.match(folded) or (_ANNOUNCES.match(folded) and not text.endswith(":")))
