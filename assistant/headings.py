"""How a question's words meet a section's heading. Stems count when one is a prefix of the other: the
stemmer leaves «αξιολογούμε» and «αξιολόγηση» as «αξιολογ» and «αξιολογησ»."""

from __future__ import annotations

from collections import Counter

from assistant.core.documents import FRONT_MATTER
from assistant.core.greek_text import neuter_forms, same_stem, tokens

# Text before the first heading of a document that has headings, this short, is its cover (title, audience,
# edition): the metadata carry the title, and a cover states nothing to answer with.
COVER_MAX_WORDS = 40


def leaf_title(section: str) -> str:
    return section.rsplit(" > ", 1)[-1]


def title_keys(section: str) -> set[str]:
    """The search keys of a section's own title, without its number («5.2 Προγραμματικές συμβάσεις»)."""
    return {k for k in tokens(leaf_title(section)) if not any(c.isdigit() for c in k)}


def is_question(section: str) -> bool:
    return leaf_title(section).rstrip().endswith((";", ";", "?"))


def stem_in(key: str, keys: set[str]) -> bool:
    """A key among `keys`, or another key of the same word (`same_stem`)."""
    return key in keys or any(same_stem(key, k) for k in keys if len(key) >= 5 or neuter_forms(key, k))


def names(ask: set[str], section: str) -> bool:
    """Every word of a section's title is in the ask."""
    words = [t for t in tokens(leaf_title(section)) if not t.isdigit()]
    return bool(words) and all(stem_in(t, ask) for t in words)


def defines(section: str, abbreviation: str, long_form: str) -> bool:
    """A section titled by an abbreviation or by all the words of its long form («2.3 Κοινωνική
    Συνεταιριστική Επιχείρηση (Κοιν.Σ.Επ.)») is where the corpus says what that kind of thing is."""
    title = title_keys(section)
    long = tokens(long_form)
    return bool(set(tokens(abbreviation)) & title) or (bool(long) and all(stem_in(k, title) for k in long))


def covers(sections: dict[tuple[str, str], list[str]], texts: dict[str, str]) -> set[str]:
    """The chunk ids of every document's cover. A document without headings is all front matter, and
    all of it is content."""
    guides = Counter(guide for guide, _ in sections)
    return {
        cid
        for (guide, section), ids in sections.items()
        if section == FRONT_MATTER and guides[guide] > 1 and sum(len(texts.get(c, "").split()) for c in ids) < COVER_MAX_WORDS
        for cid in ids
    }


def shared_words(keys: set[str], title: str) -> int:
    """How many search keys a heading shares: the same key (a short one too: «βημ»), the two numbers of a
    «-μα» noun, or a stem that is a prefix of the other."""
    title_keys = [t for t in tokens(title) if not t.isdigit()]
    return sum(
        1
        for k in keys
        if any(
            t == k or neuter_forms(t, k) or (min(len(t), len(k)) >= 4 and (t.startswith(k) or k.startswith(t)))
            for t in title_keys
        )
    )


# A part that names this many of its siblings' titles, and at least this share of them, sums them up (a
# comparison table, a «synopsis»): structure, since an item of a list rarely names the other items.
OVERVIEW_MIN_NAMED = 3
OVERVIEW_MIN_SHARE = 1 / 3


def overviews(parts: list[str], texts: dict[str, str]) -> set[str]:
    """The parts (section paths) whose text (`texts[part]`) names the titles of several of their siblings:
    overviews of the list, not items of it."""
    keys = {part: set(tokens(texts.get(part, ""))) for part in parts}
    titles = {part: title_keys(part) for part in parts}
    out = set()
    for part in parts:
        named = sum(
            1 for other in parts if other != part and titles[other] and all(stem_in(k, keys[part]) for k in titles[other])
        )
        if named >= OVERVIEW_MIN_NAMED and named >= OVERVIEW_MIN_SHARE * (len(parts) - 1):
            out.add(part)
    return out


def list_parts(kids: list[tuple[str, str]], get) -> list[tuple[str, str]]:
    """A chapter's (part, first chunk id) that are items of its list: not a part titled as a question
    («Ποιος τύπος μας ταιριάζει;» discusses the parts), not an overview of the others (a comparison table).
    `get` maps chunk ids to (text, metadata)."""
    kids = [kid for kid in kids if not is_question(kid[0])]
    found = get([cid for _, cid in kids])
    texts = {part: found[cid][0] for part, cid in kids if cid in found}
    summing = overviews([part for part, _ in kids], texts)
    return [kid for kid in kids if kid[0] not in summing]


def compared(ask: set[str], sections: list[str], top: int) -> set[str]:
    """«Ποια η διαφορά ανάμεσα σε μνημόνιο και προγραμματική σύμβαση;»: among the first `top` sections, the
    first two whose own titles each name something else the question names. A difference has two sides,
    and neither is the secondary one; fewer than two: none."""
    found: list[tuple[str, set[str]]] = []
    for section in sections[:top]:
        named = {k for k in ask if stem_in(k, title_keys(section))}
        if named and all(named - other and other - named for _, other in found):
            found.append((section, named))
    return {section for section, _ in found[:2]} if len(found) >= 2 else set()
