"""Greek search keys: folding, tokens, stop-words, stemming, Greeklish detection and transliteration."""

from __future__ import annotations

import unicodedata

import pytest

from assistant.core.greek_text import fold, greeklish_to_greek, looks_latin, stem, stopwords, tokens
from assistant.retrieve import prepare_query


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ΣΥΝΕΡΓΑΣΊΕΣ", "συνεργασιεσ"),  # casefold, tonos, final sigma
        ("Συνεργασία", "συνεργασια"),
        ("Δήμος", "δημοσ"),  # final sigma becomes σ
        ("ΔΗΜΟΣ", "δημοσ"),
        ("Πρωτεΐνη", "πρωτεινη"),  # dialytika with tonos
        ("ΠΡΩΤΕΪΝΗ", "πρωτεινη"),  # dialytika on a capital
        ("ευφυΐα ΰ ϋ ϊ", "ευφυια υ υ ι"),
        ("Ἀθῆναι", "αθηναι"),  # polytonic breathing and perispomeni
        ("ΚΑΛΟ", "καλο"),
        ("Mission Drift", "mission drift"),  # Latin is only lower-cased
        ("ν. 4430/2016", "ν. 4430/2016"),  # punctuation and digits untouched
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_treats_decomposed_input_like_composed():
    for word in ("Συνεργασίες", "ΠΡΩΤΕΪΝΗ", "Ἀθῆναι", "αλληλέγγυας"):
        nfd = unicodedata.normalize("NFD", word)
        assert nfd != word or word.isascii()
        assert fold(nfd) == fold(word)
        assert unicodedata.is_normalized("NFC", fold(nfd))


def test_fold_is_idempotent():
    text = "Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;"
    assert fold(fold(text)) == fold(text)


def test_inflections_and_spellings_share_one_key():
    forms = ["συνεργασία", "ΣΥΝΕΡΓΑΣΙΕΣ", "συνεργασιες", "Συνεργασίας", "συνεργασιών", "ΣΥΝΕΡΓΑΣΊΑ"]
    keys = {tuple(tokens(f)) for f in forms}
    assert len(keys) == 1
    (key,) = keys
    assert len(key) == 1 and key[0].startswith("συνεργασ")


def test_three_letter_inflections_meet_their_longer_forms():
    """«νέο», «νέα» are forms of «νέος», «νέων»: a question about «έναν νέο φορέα» must find «Ένας νέος
    φορέας» (before, a three-letter word was never stemmed and kept a key of its own)."""
    for forms in (["νέος", "νέου", "νέο", "νέα", "νέοι", "νέων", "νέες"], ["ίση", "ίσης", "ίσο"]):
        assert len({tuple(tokens(f)) for f in forms}) == 1, forms
    assert all(tokens(w) for w in ["ίσες", "ίσα", "νέε"])  # a stem is never empty (Snowball's «ίσες» → «»)


@pytest.mark.parametrize(
    "variant",
    [
        "πως ξεκιναει ενας δημος συνεργασια με φορεα καλο",
        "ΠΩΣ ΞΕΚΙΝΑΕΙ ΕΝΑΣ ΔΗΜΟΣ ΣΥΝΕΡΓΑΣΙΑ ΜΕ ΦΟΡΕΑ ΚΑΛΟ;",
        unicodedata.normalize("NFD", "Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;"),
        "Πώς   ξεκινάει ένας Δήμος\nσυνεργασία με φορέα ΚΑΛΟ ;",
    ],
)
def test_question_variants_give_the_same_keys(variant):
    assert tokens(variant) == tokens("Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;")


def test_stop_words_are_removed():
    keys = tokens("Ποια είναι τα βήματα και οι φορείς με τους οποίους θα συνεργαστεί ο Δήμος;")
    for stop in ("και", "με", "τα", "οι", "ο", "θα", "ειναι", "ποια"):
        assert stop in stopwords() or stop == "ποια"
        assert stop not in keys
    assert {stem("βήματα"), stem("φορείς"), stem("δήμος")} <= set(keys)
    assert tokens("και με τα οι ο θα") == []


def test_stop_word_list_is_folded_greek():
    words = stopwords()
    assert len(words) > 50
    assert all(w == fold(w) for w in words)
    assert {"και", "με", "για", "απο"} <= words


def test_tokens_are_unicode_words_not_ascii():
    keys = tokens("Δήμος, φορέας· ΚΑΛΟ! (συνεργασία) «κοινωνική» οικονομία")
    assert len(keys) == 6
    assert all(any("\u0370" <= c <= "\u03ff" for c in k) for k in keys)
    assert all(not k.isascii() for k in keys)
    assert tokens("ν. 4430/2016") == ["4430", "2016"]  # numbers are kept; a lone letter is not


def test_stem_leaves_short_and_latin_words_alone():
    assert stem("καλ") == "καλ"
    assert stem("drift") == "drift"
    assert stem("4430") == "4430"
    assert stem("δικτυων") == stem("δικτυα") == stem("δικτυο")


# --- Greeklish ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("pws ksekinaw synergasia me forea kalo", True),
        ("How does a municipality start a partnership?", True),
        ("Πώς ξεκινάω συνεργασία;", False),
        ("Τι είναι το mission drift;", False),  # any Greek letter: the user writes Greek
        ("2016", False),
        ("", False),
    ],
)
def test_looks_latin(text, latin):
    assert looks_latin(text) is latin


def test_greeklish_question_becomes_the_greek_question():
    greek = greeklish_to_greek("pws ksekinaw synergasia me forea kalo")
    assert greek == "πως ξεκιναω συνεργασια με φορεα καλο"
    assert tokens(greek) == tokens("Πώς ξεκινάω συνεργασία με φορέα ΚΑΛΟ;")


@pytest.mark.parametrize(
    ("latin", "greek"),
    [
        ("dimos", "διμος"),  # final sigma at the end of a word
        ("ti typoi diktywn yparxoun", "τι τυποι δικτυων υπαρχουν"),
        ("8ema", "θεμα"),  # digits inside a word are letters
        ("3ero", "ξερο"),
        ("o nomos 4430 tou 2016", "ο νομος 4430 του 2016"),  # standalone numbers are kept
        ("afto", "αυτο"),  # af before a consonant is αυ
        ("afou", "αφου"),  # but before a vowel it is α + φ
        ("eftase", "ευτασε"),
        ("psixi thesi", "ψιχι θεσι"),  # x is χ (ks is ξ)
        ("kalo!", "καλο!"),
    ],
)
def test_greeklish_transliteration(latin, greek):
    assert greeklish_to_greek(latin) == greek


def test_prepare_query_transliterates_greeklish_when_it_finds_more_known_words():
    vocab = set(tokens("Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ; απόκλιση (mission drift)"))
    prepared = prepare_query("pws ksekinaw synergasia me forea kalo", vocab)
    assert prepared.transliterated
    assert prepared.text == "πως ξεκιναω συνεργασια με φορεα καλο"
    assert prepared.keys == tokens("Πώς ξεκινάω συνεργασία με φορέα ΚΑΛΟ;")


@pytest.mark.parametrize("english", ["What is mission drift?", "How does a municipality start a partnership?"])
def test_prepare_query_leaves_english_alone(english):
    """English text is not turned into Greek letters unless that makes more words known to the index."""
    vocab = set(tokens("Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ; απόκλιση (mission drift)"))
    prepared = prepare_query(english, vocab)
    assert not prepared.transliterated
    assert prepared.text == english
    assert all(k.isascii() for k in prepared.keys)


def test_english_quoting_a_greek_term_is_another_language_and_the_term_is_kept():
    """«…the use of a municipal shop (παραχώρηση χρήσης)…» is English with a Greek term in it, not Greek
    with unknown words (new-user trial 14 was refused on «What is the difference between granting»)."""
    vocab = set(tokens("Ο Δήμος μπορεί να παραχωρεί τη χρήση ακινήτων σε φορείς ΚΑΛΟ (παραχώρηση χρήσης)."))
    question = "What is the difference between granting a co-op the use of a shop (παραχώρηση χρήσης) and leasing it?"
    prepared = prepare_query(question, vocab)
    assert prepared.cross_lingual and not prepared.transliterated
    assert set(tokens("παραχώρηση χρήσης")) <= set(prepared.keys)
    # Greek with one English word stays Greek
    assert not prepare_query("Τι είναι το mission drift για τον Δήμο;", vocab).cross_lingual


def test_prepare_query_repairs_a_typo_but_keeps_the_raw_keys():
    vocab = set(tokens("Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;"))
    prepared = prepare_query("Πώς ξεκινάει ένας Δήμος συνεργσία με φορέα ΚΑΛΟ;", vocab)
    assert stem("συνεργασία") in prepared.keys
    assert stem("συνεργσία") in prepared.raw_keys and stem("συνεργσία") not in prepared.keys
    assert not prepared.transliterated


def test_only_a_plausible_typo_is_repaired_not_a_word_the_corpus_lacks():
    """A typo is a letter left out or doubled, two letters swapped, a letter of the same sound (ι/η/υ, ο/ω,
    ε/αι) or a neighbouring key: «δικτίωση», «συνεργσία» are repaired. A real word one letter away from a
    corpus word is left alone: «παραλίας» is not «παράγουν» (λ and γ are neither), and would otherwise
    match the corpus on a word the user never said."""
    vocab = set(tokens("Η δικτύωση και η συνεργασία των φορέων που παράγουν τοπικά προϊόντα."))
    assert stem("δικτύωση") in prepare_query("Πώς βοηθά η δικτίωση;", vocab).keys
    assert stem("συνεργασία") in prepare_query("Τι είναι η συνεργσία;", vocab).keys
    # a stem's last consonant as inflection changes it («συνδεθεί» is «σύνδεση» to a reader)
    assert stem("σύνδεση") in prepare_query("Πώς θα συνδεθεί ο φορέας;", set(tokens("Η σύνδεση των φορέων."))).keys
    assert stem("παράγουν") not in prepare_query("Καθαρίζουμε τα παρτέρια της παραλίας.", vocab).keys


def test_prepare_query_squashes_whitespace():
    prepared = prepare_query("  Τι   τύποι\nδικτύων   υπάρχουν; ", set())
    assert prepared.text == "Τι τύποι δικτύων υπάρχουν;"


def test_phonetic_merges_the_letters_greeklish_cannot_tell_apart():
    from assistant.core.greek_text import phonetic

    assert phonetic("ασθενις") == phonetic("ασθενείς") == phonetic("ΑΣΘΕΝΕΙΣ")
    assert phonetic("περιοχι") == phonetic("περιοχή")
    assert phonetic("στιν") == phonetic("στην")
    assert phonetic("συνεργασία") != phonetic("συνεργάτης")


def test_orthography_restores_the_guides_spelling():
    from assistant.retrieve import Orthography

    spell = Orthography(["Τι είναι οι ασθενείς δεσμοί; Η περιοχή του φορέα ΚΑΛΟ.", "Η ΚΑΛΟ στην περιοχή."])
    assert spell("τι ειναι οι ασθενεις δεσμοι") == "τι είναι οι ασθενείς δεσμοί"
    assert spell("στιν περιοχι του φορεα καλο") == "στην περιοχή του φορέα ΚΑΛΟ"
    assert spell("άγνωστη λέξη") == "άγνωστη λέξη"


def test_an_abbreviation_typed_without_its_full_stops_is_written_as_the_guides_write_it():
    """«κοινσεπ», «ΚοινΣΕπ» are the guides' «Κοιν.Σ.Επ.» (dense search otherwise sees an unknown word, closer
    to another form's abbreviation); an abbreviation written without stops in the guides stays as it is."""
    from assistant.retrieve import Orthography

    spell = Orthography(["Η Κοιν.Σ.Επ. συνεργάζεται με τον Δήμο.", "Ο Δήμος, ο ΚοιΣΠΕ και η Α.Μ.Κ.Ε. της περιοχής."])
    assert spell("πως συνεργαζεται μια κοινσεπ") == "πως συνεργάζεται μια Κοιν.Σ.Επ."
    assert spell("Η ΚοινΣΕπ και την αμκε") == "Η Κοιν.Σ.Επ. και την Α.Μ.Κ.Ε."
    assert spell("με τον κοισπε") == "με τον ΚοιΣΠΕ"
    assert spell("Η Κοιν.Σ.Επ. της περιοχής") == "Η Κοιν.Σ.Επ. της περιοχής"  # written right: unchanged


def test_unaccented_and_greeklish_questions_are_embedded_in_the_guides_spelling(bundled_settings):
    from support.shared import shared_assistant

    index = shared_assistant(bundled_settings).index
    for typed in ("pws vriskw forea kalo stin periochi mou", "ΠΩΣ ΒΡΙΣΚΩ ΦΟΡΕΑ ΚΑΛΟ ΣΤΗΝ ΠΕΡΙΟΧΗ ΜΟΥ"):
        text = prepare_query(typed, index.lexical.vocab, index.repair, index.orthography).text
        assert "φορέα ΚΑΛΟ στην περιοχή" in text, text
    accented = "Πώς βρίσκω φορέα ΚΑΛΟ στην περιοχή μου;"
    assert prepare_query(accented, index.lexical.vocab, index.repair, index.orthography).text == accented


def test_folding_deletes_exactly_the_combining_marks_in_every_script():
    """The regex fast path (code points below U+3000) and the loop beyond it agree with the definition."""
    import random
    import unicodedata

    from assistant.core.greek_text import _strip_marks

    rng = random.Random(13)
    samples = ["Ἀθῆναι", "ΣΥΝΕΡΓΑΣΊΕΣ ΚΑΙ ΠΡΩΤΟΒΟΥΛΊΕΣ", "naïve café", "ё й", "שָׁלוֹם", "क़", "a\u034fb", "漢字\u0301", "😀\u0308"]
    for top in (0x80, 0x400, 0x3000, 0x30000):
        samples += ["".join(chr(rng.randrange(top)) for _ in range(80)) for _ in range(300)]
    for text in samples:
        nfd = unicodedata.normalize("NFD", text)
        assert _strip_marks(nfd) == "".join(c for c in nfd if not unicodedata.combining(c))
    assert fold("Ἀθῆναι") == "αθηναι" and fold("ΠΡΩΤΟΒΟΥΛΊΕΣ") == "πρωτοβουλιεσ"


def test_stemming_from_many_threads_gives_the_same_keys_as_from_one():
    """A server answers questions in several threads at once; the stemmer must not mix their words."""
    import threading

    from assistant.core import greek_text

    endings = ["ία", "ίες", "ιών", "ισμός", "ισμού", "ότητα", "ότητες", "ικός", "ικής", "ούμε", "ουμε", "ήσεις"]
    roots = ["συνεργασ", "κοινωνικ", "αλληλεγγ", "δημοτικ", "ενεργει", "εθελοντ", "παντοπωλ", "χρηματοδοτ"]
    words = [f"{r}{'α' * (n % 5)}{e}" for n in range(60) for r in roots for e in endings]
    greek_text._STEMS.clear()
    expected = {w: greek_text.stem(w) for w in words}
    failures: list[str] = []

    def work(offset: int) -> None:
        for _ in range(3):
            greek_text._STEMS.clear()  # every call reaches the stemmer itself
            for w in words[offset:] + words[:offset]:
                try:
                    if greek_text.stem(w) != expected[w]:
                        failures.append(w)
                except Exception as exc:  # the shared stemmer raised IndexError here
                    failures.append(f"{w}: {type(exc).__name__}")

    threads = [threading.Thread(target=work, args=(k * 97,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_the_greek_stemmer_alone_stems_as_the_whole_snowball_package_does(synthetic_settings):
    """`greek_text` loads only snowballstemmer's Greek module (the package's __init__ imports ~38 languages);
    its stems are the package's `stemmer("greek")`, word for word, over every word of the synthetic guides."""
    import snowballstemmer

    from assistant.core import greek_text

    guides = sorted(p for p in synthetic_settings.corpus_dir.rglob("*") if p.suffix in {".md", ".txt"})
    text = " ".join(p.read_text(encoding="utf-8") for p in guides)
    words = [*sorted({w for w in greek_text.words(text) if len(w) > 3}), "συνεργασίες", "παραχωρηση", "ακινητου"]
    assert len(words) > 100
    package = snowballstemmer.stemmer("greek")
    assert [greek_text._stemmer().stemWord(w) for w in words] == [package.stemWord(w) for w in words]
    assert type(greek_text._stemmer()).__name__ == type(package).__name__ == "GreekStemmer"


# --- abbreviations a corpus defines («… (ΚΑΛΟ)»): two shapes, a guide and a Government Gazette ---------------
GUIDE = [
    "Ο Οδηγός απευθύνεται σε φορείς του τομέα της Κοινωνικής και Αλληλέγγυας Οικονομίας (ΚΑΛΟ) και σε Δήμους.",
    "### 2.3 Κοινωνική Συνεταιριστική Επιχείρηση (Κοιν.Σ.Επ.)",
    "Οι Κοινωνικοί Συνεταιρισμοί Περιορισμένης Ευθύνης (ΚοιΣΠΕ) θεσμοθετήθηκαν το 1999.",
]
GAZETTE = [  # as in ΦΕΚ Α' 195/2007 (ν. 3606/2007), tests/fixtures/3606_2007.pdf
    "Για την εφαρμογή του παρόντος νοούνται ως: 1. «Επιχείρηση Παροχής Επενδυτικών Υπηρεσιών» (ΕΠΕΥ): κάθε νομικό πρόσωπο",
    "κυρώσει τη Συμφωνία για τον Ευρωπαϊκό Οικονομικό Χώρο (Ε.Ο.Χ.) και",
    "σύμφωνα με τον Κανονισμό (ΕΚ) αριθ. 1287/2006 της Επιτροπής",
    "και της Ανώνυμης Εταιρίας Διαχείρισης Αμοιβαίων Κεφαλαίων (ΑΕΔΑΚ) που",
]


def test_the_long_forms_a_corpus_defines_are_found_in_either_shape():
    from assistant.query import long_forms

    assert long_forms(GUIDE) == {
        "καλο": "Κοινωνικής και Αλληλέγγυας Οικονομίας",  # letters inside words, «και» not its start
        "κοινσεπ": "Κοινωνική Συνεταιριστική Επιχείρηση",
        "κοισπε": "Κοινωνικοί Συνεταιρισμοί Περιορισμένης Ευθύνης",
    }
    assert long_forms(GAZETTE) == {
        "επευ": "Επιχείρηση Παροχής Επενδυτικών Υπηρεσιών",  # each part opens a word: not the shortest match
        "εοχ": "Ευρωπαϊκό Οικονομικό Χώρο",
        "αεδακ": "Ανώνυμης Εταιρίας Διαχείρισης Αμοιβαίων Κεφαλαίων",
    }  # «Κανονισμό (ΕΚ)» is a reference, not a definition


def test_the_asked_abbreviation_is_searched_with_its_long_form():
    from assistant.query import Orthography

    spelling = Orthography(GUIDE + GAZETTE)
    assert spelling.with_long_forms("Τι είναι η ΚΑΛΟ;", "ΚΑΛΟ") == "Τι είναι η ΚΑΛΟ (Κοινωνικής και Αλληλέγγυας Οικονομίας);"
    assert spelling.with_long_forms("Τι είναι η ΕΠΕΥ;", "ΕΠΕΥ") == "Τι είναι η ΕΠΕΥ (Επιχείρηση Παροχής Επενδυτικών Υπηρεσιών);"
    # only the word asked about, not another abbreviation beside it; and not twice
    assert spelling.with_long_forms("Τι είναι μια Κοιν.Σ.Επ. της ΚΑΛΟ;", "Κοιν.Σ.Επ.") == (
        "Τι είναι μια Κοιν.Σ.Επ. (Κοινωνική Συνεταιριστική Επιχείρηση) της ΚΑΛΟ;"
    )
    already = "Τι είναι η ΚΑΛΟ (Κοινωνική και Αλληλέγγυα Οικονομία);"
    assert spelling.with_long_forms(already, "ΚΑΛΟ") == already  # in another case, the same words
    assert spelling.with_long_forms("Τι είναι η ΟΤΑ;", "ΟΤΑ") == "Τι είναι η ΟΤΑ;"  # never defined


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("υπογραψ", "υπογραφ", True),  # υπογράψουμε / υπογραφή
        ("συνδεθ", "συνδεσ", True),  # συνδεθεί / σύνδεση
        ("αξιολογ", "αξιολογησ", True),  # a stem and its longer form
        ("υπογραψ", "υπογραμ", False),  # another word
        ("γραψ", "γραφ", False),  # too short to tell
        ("προσφορ", "προσφυγ", False),
        # a neuter noun in «-μα», singular and plural: «βήμα» / «βήματα», «θέμα» / «θέματα»
        ("βημ", "βηματ", True),
        ("θεμ", "θεματ", True),
        ("βημ", "βημοσ", False),
    ],
)
def test_same_stem_is_one_word_as_greek_inflects_it(a, b, same):
    from assistant.core.greek_text import same_stem

    assert same_stem(a, b) is same and same_stem(b, a) is same
