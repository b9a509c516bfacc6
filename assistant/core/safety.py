"""Sentences of a guide that must never be repeated as advice: instructions addressed to an assistant or a
model (prompt injection), credentials, and links (a guide's text is quoted; its links are not ours to give)."""

from __future__ import annotations

import re

from assistant.core.greek_text import fold

# Matched on folded text (lower case, no accents, final sigma as σ): «Αγνόησε» and «αγνοησε» alike.
_META = re.compile(
    r"\bαγνοησ(?:ε|τε)\b.{0,40}\b(?:οδηγι|εντολ|κανον|περιορισμ|προηγουμεν)"
    r"|\bξεχασ(?:ε|τε)\b.{0,40}\b(?:οδηγι|εντολ|κανον|προηγουμεν)"
    r"|\bαπαντ(?:ησε|ηστε|ατε|ησετε)\s+μονο\b"
    r"|\bεισαι\s+(?:πλεον|τωρα)\b"
    r"|\b(?:ως|σαν)\s+(?:γλωσσικο\s+)?μοντελο\b"
    r"|\bignore\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|your)\b"
    r"|\bdisregard\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|your)\b"
    r"|\bforget\s+(?:all\s+|your\s+)?(?:previous\s+)?instructions\b"
    r"|\byou\s+are\s+now\b"
    r"|\bsystem\s+prompt\b"
    r"|\bsystem\s*:"
    r"|\b(?:answer|respond|reply)\s+only\b"
    r"|\bjailbreak\b"
    r"|\bdeveloper\s+mode\b"
    r"|\bπροτροπη\s+συστηματοσ\b"
    r"|\bοδηγιεσ\s+συστηματοσ\b",
)
# A credential given in the text: a label followed by a value.
_CREDENTIAL = re.compile(
    r"\b(?:κωδικοσ(?:\s+προσβασησ)?|συνθηματικο|password|passwd|passcode|pwd|api[\s_-]?key|secret|token)\s*[:=]\s*\S",
)
# Key-shaped strings: OpenAI/GitHub/Slack/AWS-style tokens and long opaque runs of letters and digits.
_KEY = re.compile(
    r"\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b"
    r"|\b(?=[A-Za-z0-9_-]{32,}\b)(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}\b"
)
_LINK = re.compile(r"(?:https?|ftp)://|\bwww\.[^\s.]+\.", re.IGNORECASE)


def is_instruction(sentence: str) -> bool:
    """True for a sentence never to be repeated as advice: an instruction to an assistant or model, a
    credential (password, key, token) or a link."""
    if not sentence:
        return False
    if _LINK.search(sentence) or _KEY.search(sentence):
        return True
    folded = fold(sentence)
    return bool(_META.search(folded) or _CREDENTIAL.search(folded))


def why(sentence: str) -> str:
    """Which kind of unsafe content a sentence holds ("" when none), for `kalo inspect`."""
    if _LINK.search(sentence):
        return "link"
    folded = fold(sentence)
    if _KEY.search(sentence) or _CREDENTIAL.search(folded):
        return "credential"
    if _META.search(folded):
        return "instruction to an assistant"
    return ""


# Markup pasted or typed into a question («<b>ΚΑΛΟ</b>», a script copied from a page) is not part of what
# is asked: its words would count as words the guides never use. Elements whose content is code go whole.
_CODE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")


def without_markup(text: str) -> str:
    """The question's own words: HTML elements of code removed, other tags dropped, their text kept."""
    return " ".join(_TAG.sub(" ", _CODE.sub(" ", text)).split())
