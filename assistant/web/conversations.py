"""The conversations a browser keeps (gr.BrowserState, in localStorage): a list to switch between, rename
and delete, each with its chat, the turns follow-ups need and its answers with their sources. Pure
functions over the kept JSON value; the events that use them are in web/history.py."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime

VERSION = 2
UNTITLED = "Νέα συνομιλία"
MAX_TITLE = 80  # characters of a name, typed or taken from the first question
# localStorage holds about 5 MB per origin; a conversation with ten answers and their sources is ~60 KB,
# so the oldest beyond this many are dropped rather than have the browser refuse to keep any.
MAX_CONVERSATIONS = 40
_NUMBER = re.compile(r" \((\d+)\)$")  # the « (2)» that tells two conversations of one name apart


def empty() -> dict:
    return {"version": VERSION, "current": None, "conversations": []}


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _record(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("id"), str) and isinstance(value.get("messages", []), list)


def load(kept) -> dict:
    """The kept value as a conversation list; a single conversation kept by the previous version (1) becomes
    the list's only entry; anything unreadable, an empty list."""
    if isinstance(kept, dict) and kept.get("version") == VERSION and isinstance(kept.get("conversations"), list):
        convs = [dict(c) for c in kept["conversations"] if _record(c)]
        ids = {c["id"] for c in convs}
        current = kept.get("current") if kept.get("current") in ids else (convs[0]["id"] if convs else None)
        return {"version": VERSION, "current": current, "conversations": convs}
    if isinstance(kept, dict) and kept.get("version") == 1 and kept.get("messages"):
        record = {k: kept[k] for k in ("messages", "turns", "answers") if k in kept}
        record |= {"id": new_id(), "title": title_from(kept["messages"]), "named": False, "updated": _now()}
        return {"version": VERSION, "current": record["id"], "conversations": [record]}
    return empty()


def _text(content) -> str:
    if isinstance(content, list):  # Gradio's normalised content: [{"type": "text", "text": …}]
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content or "")


def title_from(messages: list) -> str:
    """A conversation's default name: its first question (as typed: the chat holds it HTML-escaped)."""
    for m in messages or []:
        if isinstance(m, dict) and m.get("role") == "user":
            text = " ".join(html.unescape(_text(m.get("content"))).split())
            if text:
                return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1].rstrip() + "…"
    return UNTITLED


def editable_title(record: dict) -> str:
    """What the rename box offers: the chosen name, or the first question cut at a word within
    `MAX_TITLE` without the list's «…» (saved as offered, the mark would be part of the name); nothing for
    a conversation with no question yet."""
    if record.get("named"):
        return str(record.get("title", ""))
    for m in record.get("messages") or []:
        if isinstance(m, dict) and m.get("role") == "user":
            text = " ".join(html.unescape(_text(m.get("content"))).split())
            if len(text) > MAX_TITLE:
                cut = text[: MAX_TITLE + 1].rsplit(" ", 1)[0]
                text = (cut if cut != text[: MAX_TITLE + 1] else text[:MAX_TITLE]).rstrip(" ,·:")
            if text:
                return text
    return ""


def _suffixed(title: str, n: int) -> str:
    """`title` with « (n)», cut (and marked «…») so that the whole stays within `MAX_TITLE`."""
    suffix = f" ({n})"
    room = MAX_TITLE - len(suffix)
    if len(title) > room:
        title = title[: room - 1].rstrip() + "…"
    return title + suffix


def unique_title(title: str, taken: set[str]) -> str:
    """`title`, or the first of «title (2)», «title (3)»… not in `taken` (as file managers name copies):
    two conversations listed under one name cannot be told apart."""
    n = 1
    candidate = title
    while candidate in taken:
        n += 1
        candidate = _suffixed(title, n)
    return candidate


def _titles(lib: dict, besides: str | None) -> set[str]:
    return {c.get("title") or UNTITLED for c in lib["conversations"] if c["id"] != besides}


def _derived(old_title: str | None, base: str, taken: set[str]) -> str:
    """The name that follows the first question: kept as it is while it is still that question's
    (numbered or not) and free, so a name does not change under the user when another one goes."""
    number = _NUMBER.search(old_title or "")
    ours = old_title == base or (number is not None and old_title == _suffixed(base, int(number[1])))
    if ours and old_title not in taken:
        return old_title
    return unique_title(base, taken)


def find(lib: dict, cid: str | None) -> dict | None:
    return next((c for c in lib["conversations"] if c["id"] == cid), None)


def put(lib: dict, cid: str, content: dict) -> dict:
    """The conversation `cid` with new content (messages, turns, answers), first in the list and current;
    its name follows the first question until the user renames it."""
    old = find(lib, cid) or {"id": cid, "named": False}
    record = {**old, **content, "updated": _now()}
    if not record.get("named"):
        base = title_from(record.get("messages", []))
        record["title"] = _derived(old.get("title"), base, _titles(lib, cid))
    others = [c for c in lib["conversations"] if c["id"] != cid]
    return {"version": VERSION, "current": cid, "conversations": [record, *others][:MAX_CONVERSATIONS]}


def fresh(lib: dict) -> tuple[dict, dict]:
    """«Νέα συνομιλία»: a new empty entry, current; the current one is reused if it is still empty."""
    current = find(lib, lib["current"])
    if current is not None and not current.get("messages"):
        return lib, current
    title = unique_title(UNTITLED, _titles(lib, None))
    record = {"id": new_id(), "title": title, "named": False, "updated": _now(), "messages": []}
    convs = [record, *lib["conversations"]][:MAX_CONVERSATIONS]
    return {"version": VERSION, "current": record["id"], "conversations": convs}, record


def select(lib: dict, cid: str) -> dict:
    return {**lib, "current": cid} if find(lib, cid) is not None else lib


def typed_title(title: str | None) -> str:
    """A name as typed, made a title: spaces squashed, at most `MAX_TITLE` characters, no trailing space."""
    return " ".join((title or "").split())[:MAX_TITLE].rstrip()


def rename(lib: dict, cid: str, title: str) -> dict:
    """A name the user chose (kept from then on), numbered like a derived one if another conversation
    has it; a blank one is refused with ValueError."""
    title = typed_title(title)
    if not title:
        raise ValueError("blank title")
    title = unique_title(title, _titles(lib, cid))
    convs = [{**c, "title": title, "named": True} if c["id"] == cid else c for c in lib["conversations"]]
    return {**lib, "conversations": convs}


def delete(lib: dict, cid: str) -> dict:
    """Without `cid`; the current one becomes the most recent that is left (or none)."""
    convs = [c for c in lib["conversations"] if c["id"] != cid]
    current = lib["current"] if lib["current"] != cid else (convs[0]["id"] if convs else None)
    return {"version": VERSION, "current": current, "conversations": convs}


def choices(lib: dict) -> list[tuple[str, str]]:
    """(name, id) for the list, most recent first."""
    return [(c.get("title") or UNTITLED, c["id"]) for c in lib["conversations"]]
