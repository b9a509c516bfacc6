"""Query preparation: the question put into the guides' spelling (accents, Greeklish, typos) and its
search keys, before any search runs."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Container
from functools import cached_property

from assistant.core.greek_text import (
    STEM_FINAL,
    fold,
    greeklish_to_greek,
    latin_words,
    looks_latin,
    mostly_latin,
    phonetic,
    stopwords,
    tokens,
)
from assistant.core.types import PreparedQuery
from assistant.question import Form, clauses, forms, verb_keys

_WORDS = re.compile(r"\w+")
# Two or more short letter groups, each closed by a full stop: «Κοιν.Σ.Επ.», «Α.Μ.Κ.Ε.», «π.χ.».
_ABBREVIATION = re.compile(r"(?<![\w.])(?:[^\W\d_]{1,4}\.){2,}")
_ACCENTED = re.compile(r"[άέήίόύώΐΰΆΈΉΊΌΎΏ]")


# An abbreviation defined in parentheses after its long form: «Κοινωνικής και Αλληλέγγυας Οικονομίας (ΚΑΛΟ)»,
# «Επιχείρηση Παροχής Επενδυτικών Υπηρεσιών (ΕΠΕΥ)»: letters and full stops, two capitals at least.
_DEFINED = re.compile(r"\(((?=(?:[^()\s]*[Α-ΩA-Z]){2})[^\W\d_][^\W\d_.]*(?:\.[^\W\d_]*)*\.?)\)")
_EDGE = "«»\"“”'‘’,;:·()[]"


def long_form(before: str, abbreviation: str) -> str | None:
    """The words before «(ABBR)» that the abbreviation stands for, or None. Its parts (a capital and what
    follows it up to the next capital or full stop: «Κοιν.Σ.Επ.» → Κοιν, Σ, Επ) open the last words before
    it, stop-words («και», «της») aside; else, as in Schwartz & Hearst's algorithm, its letters are found in
    order, from the end, in the fewest words before it, the first one opening a word that is no stop-word."""
    letters = [c for c in fold(abbreviation) if c.isalpha()]
    words = before.split()[-min(len(letters) + 5, 2 * len(letters)) :]
    folded = [fold(w.strip(_EDGE)) for w in words]
    stop = stopwords()
    parts = [fold(x) for x in re.findall(r"[^\W\d_][^\W\d_.]*?(?=[Α-ΩΆ-ΏA-Z]|\.|$)", abbreviation)]
    wi, matched = len(folded) - 1, 0
    for part in reversed(parts):
        while wi >= 0 and folded[wi] in stop:
            wi -= 1
        if wi < 0 or not folded[wi].startswith(part):
            break
        matched += 1
        wi -= 1
    if matched == len(parts) >= 2:
        return " ".join(w.strip(_EDGE) for w in words[wi + 1 :])
    wi, ci = len(folded) - 1, len(folded[-1]) - 1 if folded else -1
    for n in range(len(letters) - 1, -1, -1):
        first = n == 0
        while wi >= 0:
            word = folded[wi]
            if first:
                found = ci >= 0 and word[:1] == letters[0] and word not in stop
            else:
                found = ci >= 0 and word[ci] == letters[n]
            if found:
                break
            if first or ci <= 0:
                wi -= 1
                ci = len(folded[wi]) - 1 if wi >= 0 else -1
            else:
                ci -= 1
        if wi < 0:
            return None
        if not first:
            ci -= 1
            if ci < 0:
                wi -= 1
                ci = len(folded[wi]) - 1 if wi >= 0 else -1
    found = [w.strip(_EDGE) for w in words[wi:]]
    return " ".join(found) if len(found) >= 2 else None


def long_forms(texts: list[str]) -> dict[str, str]:
    """Every abbreviation a corpus defines («καλο» → «Κοινωνικής και Αλληλέγγυας Οικονομίας»), keyed by its
    folded letters, with its most frequent long form."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        flat = " ".join(unicodedata.normalize("NFC", text).split())
        for m in _DEFINED.finditer(flat):
            if found := long_form(flat[max(0, m.start() - 300) : m.start()], m.group(1)):
                seen[fold(m.group(1).replace(".", ""))][found] += 1
    return {abbr: c.most_common(1)[0][0] for abbr, c in seen.items()}


# What typing gets wrong (folded text): a letter of the same sound, or a key beside the one meant on the Greek
# keyboard (rows as laid out, each key's neighbours on its row and the rows above and below).
_SAME_SOUND = ("ιηυ", "οω", "εαι")
# A stem one last consonant from a corpus word, as inflection changes it (STEM_FINAL), is that word too.
_KEY_ROWS = ("ςερτυθιοπ", "ασδφγηξκλ", "ζχψωβνμ")


def _neighbours(a: str, b: str) -> bool:
    for r, row in enumerate(_KEY_ROWS):
        if (i := row.find(a)) >= 0:
            return any(b in near[max(0, i - 1) : i + 2] for near in _KEY_ROWS[max(0, r - 1) : r + 2])
    return False


def plausible_typo(typed: str, known: str) -> bool:
    """Whether `known` (one edit from `typed`) is what a slip of typing or inflection makes of it: a letter
    left out or doubled, two letters swapped, a letter of the same sound, a neighbouring key, or a stem's
    last consonant as inflection changes it. «παραλ» is not «παραγ»: λ and γ are none of these."""
    if len(typed) != len(known):
        return True
    diff = [i for i, (x, y) in enumerate(zip(typed, known, strict=True)) if x != y]
    if len(diff) == 2:
        i, j = diff
        return j == i + 1 and typed[i] == known[j] and typed[j] == known[i]
    if len(diff) != 1:
        return False
    a, b = typed[diff[0]], known[diff[0]]
    final = diff[0] == len(typed) - 1 and any(a in group and b in group for group in STEM_FINAL)
    return final or any(a in group and b in group for group in _SAME_SOUND) or _neighbours(a, b) or _neighbours(b, a)


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class Orthography:
    """Puts an unaccented or transliterated question back into the guides' own spelling, word by word:
    a word the corpus has gets its accents back («ειναι» → «είναι»), any other word is matched by its
    sound (Greeklish «periochi» → «περιοχι» → «περιοχή», «stin» → «στην»). Dense search needs this: e5
    scores unaccented Greek noticeably lower than the same words written properly."""

    def __init__(self, texts: list[str]) -> None:
        by_form: dict[str, Counter[str]] = defaultdict(Counter)
        by_sound: dict[str, Counter[str]] = defaultdict(Counter)
        for text in texts:
            text = unicodedata.normalize("NFC", text)
            for word in _WORDS.findall(text):
                by_form[fold(word)][word] += 1
                by_sound[phonetic(word)][word] += 1
            # «Κοιν.Σ.Επ.» is typed «κοινσεπ» or «ΚοινΣΕπ»: one word, which the search keys already join
            for abbreviation in _ABBREVIATION.findall(text):
                by_form[fold(abbreviation.replace(".", ""))][abbreviation] += 1
        self.by_form = {form: c.most_common(1)[0][0] for form, c in by_form.items()}
        self.by_sound = {sound: c.most_common(1)[0][0] for sound, c in by_sound.items()}
        self.long_forms = long_forms(texts)

    def with_long_forms(self, text: str, word: str) -> str:
        """«Τι είναι η ΚΑΛΟ;» → «Τι είναι η ΚΑΛΟ (Κοινωνικής και Αλληλέγγυας Οικονομίας);»: `word`, when it is
        an abbreviation the corpus defines, followed by its long form unless the text already has its words."""
        asked = fold(word.replace(".", ""))

        def expand(m: re.Match) -> str:
            found = m.group(0)
            key = fold(found.replace(".", ""))
            long = self.long_forms.get(key)
            if key != asked or not long or found.islower() or set(tokens(long)) <= set(tokens(text)):
                return found
            return f"{found} ({long})"

        return re.sub(r"(?<![\w.])[^\W\d_][\w.]*[^\W\d_.]\.?", expand, text)

    def word(self, word: str) -> str:
        folded = fold(word)
        spelled = self.by_form.get(folded) or self.by_sound.get(phonetic(folded)) or word
        # The typed case wins over a sentence-initial capital; acronyms and abbreviations (ΚΑΛΟ, ΚοιΣΠΕ,
        # Κοιν.Σ.Επ.) stay as the guides write them.
        abbreviation = spelled.isupper() or "." in spelled or any(c.isupper() for c in spelled[1:])
        return spelled.lower() if word.islower() and not abbreviation else spelled

    def __call__(self, text: str) -> str:
        return _WORDS.sub(lambda m: self.word(m.group(0)), text)


def orthography_maps(docs: list[str]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """What the index snapshot keeps of the corpus' spelling (`Orthography` is rebuilt from it)."""
    spelling = Orthography(docs)
    return spelling.by_form, spelling.by_sound, spelling.long_forms


class SpellRepair:
    """Maps an unknown search key to the indexed key one typo away. A symmetric-delete map (as in
    SymSpell): two words one edit apart share a one-deletion form, so repair is a few dictionary
    lookups instead of a scan of the vocabulary."""

    def __init__(self, vocab: set[str]) -> None:
        self.vocab = vocab

    @cached_property
    def near(self) -> dict[str, set[str]]:
        # Built on the first word that needs repair, not at start-up: a process that answers one question
        # without a typo (`kalo ask`) never pays for it (≈ 30 ms for the bundled corpus).
        near: dict[str, set[str]] = defaultdict(set)
        for word in self.vocab:
            if len(word) >= 4 and not word.isdigit():
                for form in _deletions(word):
                    near[form].add(word)
        return near

    def __call__(self, key: str) -> str:
        # Short keys are left alone: one letter changes a four-letter stem into another word («καιρ» →
        # «κτιρ»), and a wrong repair is worse than none (the gate then sees an unknown word honestly).
        if key in self.vocab or len(key) < 5 or key.isdigit():
            return key
        candidates = set().union(*(self.near.get(form, set()) for form in _deletions(key)))
        if not candidates:
            return key
        ratio = {c: difflib.SequenceMatcher(None, key, c).ratio() for c in sorted(candidates) if plausible_typo(key, c)}
        if not ratio:
            return key  # one letter from a corpus word, but not by a slip: a word the corpus lacks
        best = max(ratio, key=ratio.__getitem__)
        return best if ratio[best] >= 0.8 else key


def prepare_query(
    question: str, vocab: set[str], repair: SpellRepair | None = None, orthography: Orthography | None = None
) -> PreparedQuery:
    """Greeklish → Greek when that makes more words known to the index; unknown words are mapped by
    `repair` to the closest indexed key (a typo costs one letter, not the whole word)."""
    text = " ".join(question.split())
    transliterated = cross_lingual = False
    if looks_latin(text):
        greek = greeklish_to_greek(text)
        greek = orthography(greek) if orthography else greek
        known_greek = sum(k in vocab for k in tokens(greek))
        # Latin script that transliterates into words the corpus mostly does not have is another language
        # (English): it is embedded as typed (e5 is multilingual) and judged by dense evidence alone.
        cross_lingual = known_greek < len(tokens(greek)) / 3
        if not cross_lingual and known_greek > sum(k in vocab for k in tokens(text)):
            text, transliterated = greek, True
    elif mostly_latin(text):
        # Another language quoting a Greek term («…the use of a municipal shop (παραχώρηση χρήσης)…», new-user
        # trial 14): judged by its Latin words as above, and the term is searched as the corpus spells it.
        greek = greeklish_to_greek(latin_words(text))
        greek = orthography(greek) if orthography else greek
        cross_lingual = sum(k in vocab for k in tokens(greek)) < len(tokens(greek)) / 3
    elif orthography and not _ACCENTED.search(text):
        text = orthography(text)  # typed without accents (or in capitals): restore the guides' spelling
    raw_keys = tokens(text)
    repair = repair or SpellRepair(vocab)
    keys = raw_keys if cross_lingual else [repair(key) for key in raw_keys]
    return PreparedQuery(text, keys, raw_keys, transliterated, cross_lingual)


# An indefinite article, and at most one word (an adjective) before the noun: «μια Κοιν.Σ.Επ.», «ενός
# μικρού ΚοιΣΠΕ»; or the user saying what they are: «Είμαστε (μια) πολύ μικρή Κοιν.Σ.Επ.» (folded: σ for ς).
_INDEFINITE = (
    r"(?:\b(?:ενασ|ενα|εναν|ενοσ|μια|μιασ|μιαν)\s+(?:[^\W\d_]+\s+)?"
    r"|\b(?:ειμαστε|ειμαι)\s+(?:(?:ενασ|ενα|μια)\s+)?(?:[^\W\d_]+\s+){0,2})"
)


def instances(question: str, long_forms: dict[str, str]) -> set[str]:
    """The abbreviations a corpus defines (keys of `long_forms`) that the question introduces as one of
    their kind («Μια Κοιν.Σ.Επ. μάς ζήτησε…», «ένας Κοινωνικός Συνεταιρισμός…»): a story about an instance
    asks what to do about it, not what the kind is — unless it asks just that («Τι είναι μια ΚοιΣΠΕ;»)."""
    flat = fold(question).replace(".", "")
    asked = fold(asks_what(question).replace(".", ""))
    found = set()
    for abbreviation, long in long_forms.items():
        # The long form's stems in order, a short word («και», «της») allowed between them.
        spelled = r"[^\W\d_]*\s+(?:[^\W\d_]{1,3}\s+)?".join(re.escape(k) for k in tokens(long))
        name = "(?:" + re.escape(abbreviation) + r"\b|" + spelled + ")"
        if abbreviation != asked and re.search(_INDEFINITE + name, flat):
            found.add(abbreviation)
    return found


# «Τι είναι (η) Χ;», «Τι σημαίνει Χ;»: what is asked about is the word after the definition's verb.
_WHAT_IS = re.compile(r"^\W*(?:και\s+)?τι\s+(?:ειναι|σημαινει|εννοουμε\s+με)\s+(?:(?:ο|η|το|οι|τα|ενας|μια|ενα)\s+)?([^\W\d_][\w.]*)")


def asks_what(question: str) -> str:
    """The one word a question asks the meaning of («Τι είναι οι ΚοιΣΠΕ;» → «ΚοιΣΠΕ», as typed), or "" —
    also when it asks something more («…και ποιος τους εποπτεύει;»)."""
    if len(clauses(question)) != 1:
        return ""
    m = _WHAT_IS.match(fold(question))
    if not m:
        return ""
    typed = re.findall(r"[^\W\d_][\w.]*", question)
    folded = [fold(w) for w in typed]
    return typed[folded.index(m.group(1))] if m.group(1) in folded else ""


# A short quotation in a question that asks what something means is the term the user heard and wants
# explained («μας είπε να μπούμε σε «κάθετο δίκτυο». Τι είναι αυτό;»). Elsewhere a quotation names a
# programme or reports what someone said («το «Βοήθεια στο Σπίτι»», «τα χαρτιά τα κάνουμε μετά»).
_QUOTE = re.compile(r"[«\"“]([^«»\"“”]+)[»\"”]")
QUOTED_TERM_WORDS = 4


def quoted_terms(question: str, vocab: Container[str] | None = None) -> list[str]:
    """The terms a question that asks for a meaning quotes, as typed; a scare-quoted verb is not a term,
    nor, given the corpus' `vocab`, a phrase with a word it never uses («ο «φτωχός συγγενής»»: «φτώχεια» is
    in the guides, «συγγενής» is not): the guides cannot explain what they never say."""
    if Form.DEFINITION not in forms(question):
        return []
    verbs = verb_keys(question)
    return [
        term.strip()
        for term in _QUOTE.findall(question)
        if len(term.split()) <= QUOTED_TERM_WORDS and (keys := set(tokens(term)) - verbs)
        and (vocab is None or all(k in vocab for k in keys))
    ]  # fmt: skip
