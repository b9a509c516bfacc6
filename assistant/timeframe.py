"""When a situation happens is not what it is about: «Μια αλυσίδα καφέ θέλει από τον επόμενο μήνα…»,
«Τα τελευταία δύο χρόνια υπογράψαμε…», «…μέχρι την Παρασκευή». Searched as typed, such words find the
guide's own time phrases («…προτεραιότητες για τους επόμενους μήνες») instead of the topic. They are
taken out of the sentences that tell the situation; a sentence that asks keeps them («Και μετά τους 18
μήνες;», «Σε πόσες μέρες…;»), since there the time is what is asked.

The words are Greek's calendar nouns and month names (a closed class of the language, not of any guide). Ordinals that
spell like weekdays («η τρίτη», «η πέμπτη») are left alone.
"""

from __future__ import annotations

import re

from assistant.core.greek_text import fold, split_sentences

_TIME = re.compile(
    r"(?:μην(?:α|ασ|εσ|ων)|εβδομαδ(?:α|ασ|εσ|ων)|χρον(?:ο|οσ|ου|ια|ιασ|ιεσ|ων)|(?:η)?μερ(?:α|ασ|εσ|ων)"
    r"|δευτερα|παρασκευη|σαββατο|κυριακη|σημερα|αυριο|χθεσ|καλοκαιρι|χειμωνα|φθινοπωρο|ανοιξη"
    r"|εξαμην(?:ο|ου|α)|τριμην(?:ο|ου|α)"
    r"|(?:ιανουαρ|φεβρουαρ|μαρτ|απριλ|ιουν|ιουλ|αυγουστ|σεπτεμβρ|οκτωβρ|νοεμβρ|δεκεμβρ)(?:ιοσ|ιου|ιο)|μαι(?:οσ|ου|ο)"
    r"|πασχα|χριστουγεννα)"
)
_ARTICLES = r"τ(?:ο|ον|ην|η|α|ισ|ουσ|ου|ησ|ων)"
# What leads into a time noun: articles, prepositions, «κάθε», counts and the adjectives of time.
_LEAD = re.compile(
    rf"(?:{_ARTICLES}|στ(?:ο|ον|ην|η|α|ισ|ουσ)|σε|απο|εδω|πριν|μετα|για|μεχρι|εωσ|καθε"
    r"|επομεν\w*|προηγουμεν\w*|τελευται\w*|αλλ(?:ο|η|ουσ|εσ)|ερχομεν\w*|περασμεν\w*|λιγ(?:ο|η|α|ουσ|εσ)"
    r"|πολλ(?:ουσ|εσ|α)|περισσοτερ\w*|δυο|τρει?σ|τρια|τεσσερ\w*|πεντε|εξι|\d+)"
)
# «χρόνος» in the singular is also time as a resource («Δεν έχουμε χρόνο», «μας λείπει ο χρόνος»): it is a
# timeframe only when a count, «κάθε», a preposition or an adjective of time leads into it, not an article alone.
_RESOURCE = re.compile(r"χρον(?:ο|οσ|ου)")
_ARTICLE = re.compile(rf"{_ARTICLES}|ο|η|οι")
_WORD = re.compile(r"\S+")
_EDGE = re.compile(r"^\W+|\W+$")  # punctuation and quotes around a word


def _strip(sentence: str) -> str:
    words = _WORD.findall(sentence)
    bare = [_EDGE.sub("", fold(w)) for w in words]
    drop: set[int] = set()
    for i, w in enumerate(bare):
        if not _TIME.fullmatch(w):
            continue
        start = i
        while start > 0 and (_LEAD.fullmatch(bare[start - 1]) or (bare[start - 1] == "και" and start > 1 and bare[start - 2] == "εδω")):
            start -= 1
        next_year = w == "χρονου" and bare[i - 1 : i] == ["του"]  # «του χρόνου» is the idiom for next year
        if _RESOURCE.fullmatch(w) and all(_ARTICLE.fullmatch(b) for b in bare[start:i]) and not next_year:
            continue
        drop.update(range(start, i + 1))
    if not drop:
        return sentence
    kept = [w for i, w in enumerate(words) if i not in drop]
    if 0 in drop and kept:  # the sentence began with the time phrase: it still begins with a capital
        kept[0] = kept[0][:1].upper() + kept[0][1:]
    # Punctuation carried by a dropped last word stays with the sentence.
    if max(drop) == len(words) - 1 and (end := re.search(r"[.,;;:!?]+$", words[-1])):
        kept[-1:] = [kept[-1] + end.group(0)] if kept else []
    return " ".join(kept)


def without_timeframe(question: str) -> str:
    """The question with the time phrases of its telling sentences taken out (see the module's note)."""
    sentences = [s.strip() for s in split_sentences(question.strip()) if s.strip()]
    if len(sentences) < 2 or not any(s.endswith((";", ";", "?")) for s in sentences):
        return question
    out = [s if s.endswith((";", ";", "?")) else _strip(s) for s in sentences]
    return " ".join(s for s in out if s)
