"""How a question's words meet a section's heading. Stems count when one is a prefix of the other: the
stemmer leaves «αξιολογούμε» and «αξιολόγηση» as «αξιολογ» and «αξιολογησ»."""

from __future__ import annotations

from assistant.core.greek_text import tokens


def leaf_title(section: str) -> str:
    return section.rsplit(" > ", 1)[-1]


def title_keys(section: str) -> set[str]:
    """The search keys of a section's own title, without its number («5.2 Προγραμματικές συμβάσεις»)."""
    return {k for k in tokens(leaf_title(section)) if not any(c.isdigit() for c in k)}


def is_question(section: str) -> bool:
    return leaf_title(section).rstrip().endswith((";", ";", "?"))


def stem_in(key: str, keys: set[str]) -> bool:
    """A key among `keys`, exactly or as a stem prefix (both at least five letters), as the gate matches."""
    return key in keys or (len(key) >= 5 and any(len(k) >= 5 and (k.startswith(key) or key.startswith(k)) for k in keys))


def names(ask: set[str], section: str) -> bool:
    """Every word of a section's title is in the ask."""
    words = [t for t in tokens(leaf_title(section)) if not t.isdigit()]
    return bool(words) and all(stem_in(t, ask) for t in words)


def shared_words(keys: set[str], title: str) -> int:
    """How many search keys a heading shares, a stem counting when one is a prefix of the other."""
    title_keys = [t for t in tokens(title) if not t.isdigit()]
    return sum(
        1 for k in keys if any(t.startswith(k) or k.startswith(t) for t in title_keys if min(len(t), len(k)) >= 4)
    )
