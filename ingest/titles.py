"""A document's title from the document itself, a title the user sets, and titles unique in the index.

Order of trust: the act a legal text declares («ΝΟΜΟΣ ΥΠ’ ΑΡΙΘΜ. 3606» + its subject), the file's metadata
when it names something (not «Microsoft Word - x.doc», not the file name), the largest heading on the
first page, the first line that is not a running header, the file name.

Users override titles in `titles.toml` at the top of the corpus folder (file path = "title"):

    "3606_2007.pdf" = "Ν. 3606/2007 — Αγορές χρηματοπιστωτικών μέσων"
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from assistant.core.documents import LoadedDocument, style_key
from assistant.core.errors import IngestError
from assistant.core.greek_text import repair_lookalikes
from ingest.legal import act_of

TITLES_FILE = "titles.toml"
MAX_TITLE_CHARS = 200
_FIRST_LINES = 80  # the act's name is on its first page, before the articles
_GENERIC = re.compile(
    r"^(?:untitled|document\s*\d*|έγγραφο\s*\d*|χωρίς τίτλο|microsoft word\s*-.*|.*\.(?:docx?|pdf|rtf|odt|txt))$",
    re.I,
)
_SIZE_STEP = 1.1


def _meaningful(title: str, source: str) -> bool:
    stem = PurePosixPath(source).stem
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 3 and not _GENERIC.match(title.strip()) and title.strip().casefold() != stem.casefold()


def _cover_title(doc: LoadedDocument) -> str:
    """The first page's largest line (with the lines after it set the same way: a wrapped title)."""
    if not doc.pages or not doc.pages[0].styles:
        return ""
    page = doc.pages[0]
    sizes = [s.size for p in doc.pages for s in p.styles.values() if s.size]
    if not sizes:
        return ""
    body = max(set(sizes), key=sizes.count)
    lines = [line for line in page.text.split("\n") if line.strip()]
    styled = [(line, page.styles.get(style_key(line))) for line in lines]
    best = max((s.size for _, s in styled if s is not None), default=0.0)
    if best < body * _SIZE_STEP:
        return ""
    for i, (_, style) in enumerate(styled):
        if style is not None and style.size == best:
            run = [styled[i][0]]
            for line, other in styled[i + 1 : i + 3]:
                if other != style:
                    break
                run.append(line)
            return " ".join(run).strip()
    return ""


def _first_line(doc: LoadedDocument, is_running: Callable[[str], bool]) -> str:
    for page in doc.pages[:2]:
        for line in page.text.split("\n"):
            line = line.strip().lstrip("#").strip()
            if line and sum(c.isalpha() for c in line) >= 3 and not is_running(line):
                return line
    return ""


def choose_title(doc: LoadedDocument, is_running: Callable[[str], bool]) -> LoadedDocument:
    """The document with its title (and, for a legal text, its act) decided; `is_running` tells a running
    header or footer, which is never a title."""
    head = [line for page in doc.pages for line in page.text.split("\n")][:_FIRST_LINES]
    act = act_of(head)
    if act:
        short, title = act
        return replace(doc, title=title[:MAX_TITLE_CHARS], act=short)
    if doc.kind != "pdf":
        return doc  # DOCX, Markdown, HTML and text loaders read the title their format declares
    given = doc.title if doc.title != doc.meta_title and not is_running(doc.title) else ""
    candidates = [doc.meta_title, _cover_title(doc), given, _first_line(doc, is_running)]
    candidates = [c for c in candidates if _meaningful(c, doc.source)]
    title = next((c for c in candidates if c), PurePosixPath(doc.source).stem)
    return replace(doc, title=repair_lookalikes(title)[0][:MAX_TITLE_CHARS])


def title_overrides(corpus_dir: Path) -> dict[str, str]:
    """The titles a user set in `<corpus>/titles.toml` (file path relative to the corpus → title)."""
    path = corpus_dir / TITLES_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(
            f'{TITLES_FILE} is not valid TOML ({exc}): write one line per file, "file.pdf" = "Title"',
            f'το {TITLES_FILE} δεν είναι έγκυρο TOML: μία γραμμή ανά αρχείο, "αρχείο.pdf" = "Τίτλος"',
        ) from exc
    return {str(k): str(v).strip() for k, v in data.items() if isinstance(v, str) and v.strip()}


def unique_title(title: str, source: str, taken: set[str]) -> str:
    """`title`, or `title (file name)` when another file in the index already has it."""
    used = {t.casefold() for t in taken}
    if title.casefold() not in used:
        return title
    candidate = f"{title} ({PurePosixPath(source).name})"
    n = 2
    while candidate.casefold() in used:
        candidate = f"{title} ({PurePosixPath(source).name}, {n})"
        n += 1
    return candidate
