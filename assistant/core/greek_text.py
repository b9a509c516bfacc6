"""Greek text analysis for lexical search: fold, tokenise, drop stop-words, stem; Greeklish to Greek.

Stored text is never changed by this module: it only produces search keys.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
import types
import unicodedata
from functools import cache, lru_cache
from importlib import resources

_WORD = re.compile(r"\w+")  # Unicode-aware: an ASCII-only pattern silently drops every Greek word
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_LATIN = re.compile(r"[A-Za-z]")
_VOWEL_TAIL = re.compile(r"[αεηιουω]+$")
_VOWEL = re.compile(r"[αεηιουω]")


# Combining marks (tonos, dialytika…) are deleted by one regex over the code points below U+3000 (every
# European script, punctuation, symbols), each judged by `unicodedata.combining` once at import; a text with
# anything beyond them takes the per-character loop. Same result, about six times faster than the loop.
_FAST_END = 0x3000
_MARK = re.compile("[" + "".join(f"\\u{c:04x}" for c in range(_FAST_END) if unicodedata.combining(chr(c))) + "]")
_BEYOND_FAST = re.compile(f"[^\\u0000-\\u{_FAST_END - 1:04x}]")


def _strip_marks(text: str) -> str:
    if _BEYOND_FAST.search(text):
        return "".join(c for c in text if not unicodedata.combining(c))
    return _MARK.sub("", text)


def fold(text: str) -> str:
    """NFC → casefold → strip tonos/dialytika → final sigma as σ → look-alike letters inside Greek words
    as Greek. «ΣΥΝΕΡΓΑΣΊΕΣ» → «συνεργασιεσ», «TΗΣ» (Latin T) → «τησ», «∆ήμος» (U+2206) → «δημοσ»."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold())
    text = _strip_marks(text)
    text = unicodedata.normalize("NFC", text).replace("ς", "σ")
    if _LATIN.search(text) or _SYMBOL.search(text):
        text = _LETTERS.sub(_fold_mixed_word, text)
    return text


# --- Look-alike letters ---------------------------------------------------------------------------------
# PDFs made with old Greek fonts (and OCR) mix scripts inside a word: a Latin «T» in «TΗΣ», a Latin «o» in
# «τoυ», the math sign ∆ (U+2206) for Δ, the micro sign µ for μ. They look right and defeat every search.

_LATIN_TO_GREEK = dict(zip("ABEHIKMNOPTXYZo", "ΑΒΕΗΙΚΜΝΟΡΤΧΥΖο", strict=True))
_GREEK_TO_LATIN = {g: latin for latin, g in _LATIN_TO_GREEK.items()}
_SYMBOL_TO_GREEK = {"\u2206": "Δ", "\u00b5": "μ", "\u2126": "Ω"}
# Only for search keys (after casefold): every Latin letter that passes for a Greek one in some font or OCR.
_FOLD_LATIN = dict(zip("abehikmnoptxyzuv", "αβεηικμνορτχυζυν", strict=True))
_FOLD_GREEK = dict(zip("αβεικμνορτχυζ", "abeikmnoptxyz", strict=True))
_FOLD_SYMBOL = {"\u2206": "δ", "\u00b5": "μ", "\u2126": "ω"}
_SYMBOL = re.compile("[\u2206\u00b5\u2126]")
_LETTERS = re.compile(r"(?:[^\W\d_]|[\u2206\u00b5\u2126])+")
_KERAIA = "\u0374\u0384\u00b4'’"  # Greek numeral sign and its stand-ins: «Α΄», «ΚΕΦΑΛΑΙΟ Β΄»


def _is_greek(c: str) -> bool:
    return "\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff"


def _fold_mixed_word(m: re.Match) -> str:
    word = m.group(0)
    greek = sum(1 for c in word if _is_greek(c))
    if not greek and not _SYMBOL.fullmatch(word):
        return word  # a Latin word stays Latin
    if greek * 2 < len(word) and all(c in _FOLD_GREEK for c in word if _is_greek(c)):
        return "".join(_FOLD_GREEK.get(c, c) for c in word)  # «cοmmission» with a Greek ο
    return "".join(_FOLD_SYMBOL.get(c) or _FOLD_LATIN.get(c, c) for c in word)


def _repair_word(word: str, prefer_greek: bool, keraia_follows: bool) -> str:
    greek = [c for c in word if _is_greek(c)]
    latin = [c for c in word if c.isascii()]
    symbols = [c for c in word if c in _SYMBOL_TO_GREEK]
    if not latin and not symbols:
        return word
    if not greek and not symbols:
        # A lone look-alike capital before a numeral sign is a Greek numeral: «A΄» → «Α΄».
        if keraia_follows and len(word) == 1 and word in _LATIN_TO_GREEK:
            return _LATIN_TO_GREEK[word]
        return word
    if not greek and latin:
        return word  # «µm»: a Latin word with a micro sign is left as written
    to_greek = all(c in _LATIN_TO_GREEK for c in latin)
    to_latin = bool(latin) and all(c in _GREEK_TO_LATIN for c in greek) and not symbols
    if to_greek and (prefer_greek or not to_latin):
        return "".join(_SYMBOL_TO_GREEK.get(c) or _LATIN_TO_GREEK.get(c, c) for c in word)
    if to_latin and len(latin) > len(greek):
        return "".join(_GREEK_TO_LATIN.get(c, c) for c in word)  # «Cοmmission» with a Greek ο
    return word  # genuinely mixed or ambiguous: keep as written


def repair_lookalikes(text: str, prefer_greek: bool = True) -> tuple[str, int]:
    """Stored-text repair, only where unambiguous: inside a word that has Greek letters, Latin look-alike
    capitals (A B E H I K M N O P T X Y Z) and «o» become Greek, as do ∆ µ Ω; a word whose Latin letters
    have no Greek twin is left alone. Returns the text and how many words were changed."""
    if not (_LATIN.search(text) and _GREEK.search(text)) and not _SYMBOL.search(text):
        return text, 0
    changed = 0

    def fix(m: re.Match) -> str:
        nonlocal changed
        word = m.group(0)
        after = text[m.end() : m.end() + 1]
        repaired = _repair_word(word, prefer_greek, bool(after) and after in _KERAIA)
        changed += repaired != word
        return repaired

    return _LETTERS.sub(fix, text), changed


@cache
def stopwords() -> frozenset[str]:
    text = resources.files("assistant.core").joinpath("data/stopwords_el.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


_THREAD = threading.local()


def _stemmer():
    """One Snowball stemmer per thread: `stemWord` keeps its work in the object, so two threads sharing one
    (a server's concurrent questions) corrupt each other's words (IndexError inside the stemmer)."""
    stemmer = getattr(_THREAD, "stemmer", None)
    if stemmer is None:
        stemmer = _THREAD.stemmer = _greek_stemmer_class()()
    return stemmer


_SNOWBALL_GREEK = "_kalo_snowball"  # a private name for snowballstemmer's folder: see below
_LOADING = threading.Lock()


def _greek_stemmer_class() -> type:
    """snowballstemmer's `GreekStemmer` (what `snowballstemmer.stemmer("greek")` builds without PyStemmer,
    as here; ingestion and queries both stem through this, so their keys agree), without importing
    the package: its __init__ imports the stemmers of all ~38 languages (30–50 ms of a cold `kalo ask`
    whose question has a word the snapshot's stems lack). Its folder is mounted under a private package
    name whose __init__ is never run, so only greek_stemmer.py and the two modules it imports load, and
    `import snowballstemmer` elsewhere still gets the whole, untouched package."""
    with _LOADING:  # two threads' first words: one mounts the folder
        package = sys.modules.get(_SNOWBALL_GREEK)
        if package is None:
            spec = importlib.util.find_spec("snowballstemmer")  # finds, does not import
            if spec is None or not spec.submodule_search_locations:
                raise ModuleNotFoundError("snowballstemmer", name="snowballstemmer")
            package = types.ModuleType(_SNOWBALL_GREEK)
            package.__path__ = list(spec.submodule_search_locations)
            sys.modules[_SNOWBALL_GREEK] = package
        return importlib.import_module(f"{_SNOWBALL_GREEK}.greek_stemmer").GreekStemmer


# Every word's stem, computed once per process (Snowball is the costliest step of a query); seeded with the
# corpus' words from the query-time snapshot (`remember_stems`), so a new process does not stem them again.
_STEMS: dict[str, str] = {}
_STEMS_MAX = 1 << 18  # words kept (≈ 40 MB): a long-running server's stream of new words cannot grow it further


def stem(word: str) -> str:
    """Snowball's Greek stemmer, then trailing vowels trimmed, so that its few inconsistencies
    («συνεργασία» → συνεργασ, «συνεργασίες» → συνεργασι) meet on one key."""
    got = _STEMS.get(word)
    if got is None:
        got = _stem(word)
        if len(_STEMS) < _STEMS_MAX:
            _STEMS[word] = got
    return got


def _stem(word: str) -> str:
    if not _GREEK.search(word) or len(word) < 3:
        return word
    stemmed = _stemmer().stemWord(word)
    if len(stemmed) < 2:  # Snowball leaves nothing of a few words («ίσες» → «»): an empty key matches nothing
        return word
    if len(word) == 3:
        # «νέο», «νέα», «ίση» are forms of «νέος», «ίσης»: the ending goes, two letters with a vowel stay.
        # An abbreviation («ΜΚΟ», «ΦΠΑ») has no vowel before its last letter: it is kept whole.
        return stemmed if len(stemmed) == 2 and _VOWEL.search(stemmed) else word
    trimmed = _VOWEL_TAIL.sub("", stemmed)
    return trimmed if len(trimmed) >= 3 else stemmed


def remember_stems(stems: dict[str, str]) -> None:
    """Stems computed elsewhere by `stem` (the snapshot's, of the corpus' words): not computed again."""
    _STEMS.update(stems)


# What Greek inflection does to a stem's last consonant («υπογράψουμε» / «υπογραφή», «συνδεθεί» / «σύνδεση»).
STEM_FINAL = ("πβφψ", "κγχξ", "τδθσζ")


def neuter_forms(a: str, b: str) -> bool:
    """Singular and plural of a neuter noun in «-μα»: the stemmer leaves «βήμα» as «βημ» and «βήματα» as
    «βηματ» («θέμα»/«θέματα», «πρόγραμμα»/«προγράμματα»)."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and short.endswith("μ") and long == f"{short}ατ"


def same_stem(a: str, b: str) -> bool:
    """Two search keys of one word: equal, one a prefix of the other (both at least five letters: the
    stemmer leaves «αξιολογούμε» and «αξιολόγηση» as «αξιολογ», «αξιολογησ»), or, as long, apart only in
    a last consonant that inflection changes («υπογραψ», «υπογραφ»)."""
    if a == b or neuter_forms(a, b):
        return True
    if len(a) < 5 or len(b) < 5:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    return len(a) == len(b) and a[:-1] == b[:-1] and any(a[-1] in g and b[-1] in g for g in STEM_FINAL)


# Bump when `tokens` changes: persisted lexical indexes built with another version are rebuilt.
TOKENS_VERSION = 3  # 3: three-letter words stemmed too («νέο» meets «νέος»)
# «Κοιν.Σ.Επ.», «Ν.Π.Δ.Δ.»: the dots inside an abbreviation do not separate words («ΚοινΣΕπ» is the same key).
_INNER_DOT = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_])")
# Texts whose keys are kept: the passages of a corpus are tokenised again by every question that retrieves
# them (composer, gate, citations), and folding is per character. Mostly sentences: a few tens of MB at most.
TOKENS_CACHE = 1 << 14


def words(text: str) -> list[str]:
    """The words `tokens` stems: folded, minus stop-words (removed before stemming, which collapses short
    words) and single letters."""
    stop = stopwords()
    found = _WORD.findall(_INNER_DOT.sub("", fold(text)))
    return [w for w in found if w not in stop and not (len(w) == 1 and w.isalpha())]


def tokens(text: str) -> list[str]:
    """Search keys of a text: folded words minus stop-words, then stemmed."""
    return list(_tokens(text))


@lru_cache(maxsize=TOKENS_CACHE)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(text))


# --- Greeklish ------------------------------------------------------------------------------------------

_SAME_SOUND = (
    ("ου", "\0"),
    ("ει", "ι"),
    ("οι", "ι"),
    ("υι", "ι"),
    ("αι", "ε"),
    ("η", "ι"),
    ("υ", "ι"),
    ("ω", "ο"),
    ("\0", "ου"),
)


def phonetic(word: str) -> str:
    """A folded word as it sounds: the letters Greeklish cannot tell apart are merged (ι/η/υ/ει/οι → ι,
    ο/ω → ο, αι → ε) and doubled letters single. «ασθενις» and «ασθενείς» share «ασθενις»."""
    word = fold(word)
    for spelled, sound in _SAME_SOUND:
        word = word.replace(spelled, sound)
    return re.sub(r"(.)\1", r"\1", word)


_DIGRAPHS = {
    "th": "θ",
    "ps": "ψ",
    "ks": "ξ",
    "kh": "χ",
    "ch": "χ",
    "ou": "ου",
    "mp": "μπ",
    "nt": "ντ",
    "gk": "γκ",
    "gg": "γγ",
    "ei": "ει",
    "oi": "οι",
    "ai": "αι",
    "au": "αυ",
    "eu": "ευ",
    "af": "αυ",
    "ef": "ευ",
}
_SINGLE = {
    "a": "α",
    "b": "β",
    "c": "κ",
    "d": "δ",
    "e": "ε",
    "f": "φ",
    "g": "γ",
    "h": "η",
    "i": "ι",
    "j": "ξ",
    "k": "κ",
    "l": "λ",
    "m": "μ",
    "n": "ν",
    "o": "ο",
    "p": "π",
    "q": "κ",
    "r": "ρ",
    "s": "σ",
    "t": "τ",
    "u": "υ",
    "v": "β",
    "w": "ω",
    "x": "χ",
    "y": "υ",
    "z": "ζ",
    "8": "θ",
    "3": "ξ",
}
# «af»/«ef» are Greeklish for αυ/ευ only before a consonant; elsewhere they are α+φ, ε+φ.
_KEEP_F_BEFORE = set("aeiouyw")


def mostly_latin(text: str) -> bool:
    """More than 60 % of the letters are Latin: Greeklish, or another language, perhaps quoting a Greek term."""
    letters = [c for c in text if c.isalpha()]
    latin = sum(1 for c in letters if _LATIN.match(c))
    return bool(letters) and latin / len(letters) > 0.6


def looks_latin(text: str) -> bool:
    """Latin script only: what Greeklish looks like (it never mixes in Greek letters)."""
    return mostly_latin(text) and not _GREEK.search(text)


def latin_words(text: str) -> str:
    """The words of `text` with no Greek letter in them."""
    return " ".join(w for w in text.split() if not _GREEK.search(w))


def greeklish_to_greek(text: str) -> str:
    """Transliterate Latin-script Greek («pws ksekinaw synergasia») to Greek script (unaccented).
    Digits are kept unless inside a word (Greeklish «8» for θ)."""
    out: list[str] = []
    low = text.lower()
    i = 0
    while i < len(low):
        pair = low[i : i + 2]
        nxt = low[i + 2 : i + 3]
        if pair in _DIGRAPHS and not (pair in {"af", "ef"} and (not nxt or nxt in _KEEP_F_BEFORE)):
            out.append(_DIGRAPHS[pair])
            i += 2
            continue
        ch = low[i]
        in_word = (i > 0 and low[i - 1].isalpha()) or (i + 1 < len(low) and low[i + 1].isalpha())
        if ch.isdigit() and not in_word:
            out.append(ch)
        else:
            out.append(_SINGLE.get(ch, ch))
        i += 1
    return re.sub(r"σ\b", "ς", "".join(out))


# Sentences: a split after . ! ? ; (Greek question mark too) before a capital, never after an abbreviation.
_SENTENCES = re.compile(r"(?<=[.!?;;])\s+(?=[«\"(]?[A-ZΑ-ΩΆ-Ώ])")
# A sentence never ends on an abbreviation: «ν. 4430/2016», «π.χ.», «παρ.», «(βλ. …)», «Κοιν.Σ.Επ. Ένταξης».
_ABBREVIATION = re.compile(
    r"(?:^|[\s(«\"])(?:(?:ν|παρ|αρ|αριθ|άρθ|άρθρ|σελ|βλ|δηλ|περ|κλπ|κ|υπ|εδ|στ|σημ|τ)\.|\w+\.\w+\.(?:\w+\.)*)$", re.IGNORECASE
)


def ends_with_abbreviation(text: str) -> bool:
    return bool(_ABBREVIATION.search(text))


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for piece in _SENTENCES.split(text):
        if sentences and ends_with_abbreviation(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        elif piece.strip():
            sentences.append(piece)
    return sentences
