"""Saved web pages: the main content's headings, paragraphs, list items and table rows, without page chrome."""

from __future__ import annotations

from pathlib import Path

from assistant.core.documents import LoadedDocument, Page
from ingest.loaders.base import loader, title_from_lines
from ingest.loaders.text import read_text


@loader(".html", ".htm")
def load_html(path: Path, source: str) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(read_text(path), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form", "template"]):
        tag.decompose()  # page chrome and code are not guide text
    root = soup.find("main") or soup.find("article") or soup.body or soup
    lines: list[str] = []
    for el in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre", "blockquote"]):
        if el.find_parent(["li", "tr", "p"]) is not None:
            continue  # nested content is taken with its parent
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name[0] == "h" and el.name[1:].isdigit():
            lines += ["", "#" * int(el.name[1]) + " " + text, ""]
        elif el.name == "li":
            lines.append("- " + text)
        elif el.name == "tr":
            lines.append(" | ".join(c.get_text(" ", strip=True) for c in el.find_all(["td", "th"])))
        else:
            lines += [text, ""]
    text = "\n".join(lines)
    title = (soup.title.get_text(strip=True) if soup.title else "") or title_from_lines(text, path.stem)
    return LoadedDocument(source, title, [Page(1, text)], "html")
