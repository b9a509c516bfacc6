"""A conversation with its cited sources as a memo-ready file: Markdown or Word (DOCX, python-docx)."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from assistant.core.types import Answer, Source
from assistant.web.render import greek_time

TITLE = "Συνομιλία με τον Βοηθό Συνεργασίας ΟΤΑ & Φορέων ΚΑΛΟ"
_STEP = re.compile(r"\d{1,2}\. ")  # «1. Καταγράφουμε…»: a numbered item of an answer
# Unsafe in a file name on some system, or stripped by Gradio when it serves the file (` $ ! { }): replaced
# here, so the name downloaded is the one made. Control and format characters (bidi overrides) go too.
_UNSAFE_NAME = re.compile(r'[/\\:*?"<>|`$!{}]')
MAX_NAME = 80  # characters of a file name's stem
NOTE = "Οι απαντήσεις παράγονται αυτόματα από τα κείμενα των οδηγών· ελέγχετε την πηγή πριν από κάθε απόφαση."


def source_line(s: Source) -> str:
    section = " › ".join(part.strip() for part in s.section.split(">") if part.strip())
    return f"[{s.n}] {s.guide_title} — {section}, σελ. {s.pages}"


def file_stem(title: str, fallback: str) -> str:
    """A file name (without its extension) from a conversation's name: Greek kept, words joined by «-»,
    what is unsafe in a file name replaced, at most `MAX_NAME` characters; `fallback` if nothing is left."""
    text = unicodedata.normalize("NFC", title or "")
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in _UNSAFE_NAME.sub(" ", text))
    stem = re.sub(r"-{2,}", "-", "-".join(text.split()))
    # no leading dot (a hidden file), no trailing dot (Windows drops it), nor a question's «;» or a cut's «…»
    return stem[:MAX_NAME].strip("-.;·,…") or fallback


def _heading(title: str) -> tuple[str, str]:
    """(the document's title, what the stamp line says about it): the conversation's name when it has one,
    with the assistant named under it; otherwise the assistant's name."""
    title = " ".join("".join(ch for ch in title or "" if unicodedata.category(ch) != "Cc").split())  # not in XML
    return (title, f"{TITLE} · ") if title else (TITLE, "")


def answer_markdown(answer: Answer) -> str:
    """One answer with its sources (what «Αντιγραφή» should carry: the [n] mean nothing without them)."""
    lines = [answer.text.strip()]
    if answer.found and answer.cited_sources:
        lines += ["", "**Πηγές**", *(f"- {source_line(s)}" for s in answer.cited_sources)]
    return "\n".join(lines)


def conversation_markdown(answers: Iterable[Answer], when: datetime | None = None, title: str = "") -> str:
    when = when or greek_time()  # the clock of the guides table, not the server's zone
    heading, about = _heading(title)
    parts = [f"# {heading}", "", f"_{when:%d/%m/%Y %H:%M}_ · {about}{NOTE}"]
    for i, answer in enumerate(answers, 1):
        parts += ["", f"## {i}. {answer.question.strip()}", "", answer_markdown(answer)]
    return "\n".join(parts) + "\n"


def conversation_docx(answers: Iterable[Answer], when: datetime | None = None, title: str = "") -> bytes:
    from docx import Document  # python-docx, imported only when someone exports

    when = when or greek_time()
    heading, about = _heading(title)
    doc = Document()
    doc.core_properties.title = heading
    doc.core_properties.subject = TITLE
    doc.core_properties.language = "el-GR"
    doc.add_heading(heading, level=1)
    doc.add_paragraph().add_run(f"{when:%d/%m/%Y %H:%M} · {about}{NOTE}").italic = True
    for i, answer in enumerate(answers, 1):
        doc.add_heading(f"{i}. {answer.question.strip()}", level=2)
        for line in (p.strip() for p in answer.text.split("\n") if p.strip()):
            if line.startswith("- "):
                doc.add_paragraph(line[2:], style="List Bullet")
            elif _STEP.match(line):  # its own number: Word's numbering would run on across answers
                doc.add_paragraph(line, style="List Paragraph")
            else:
                doc.add_paragraph(line)
        if answer.found and answer.cited_sources:
            doc.add_heading("Πηγές", level=3)
            for s in answer.cited_sources:
                doc.add_paragraph(source_line(s), style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
