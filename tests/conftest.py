"""Shared fixtures: isolated settings, a session-wide ingested copy of the bundled corpus, no network."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.config import Settings

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "corpus" / "guides"

# Nothing in the suite may fetch weights: make the hubs refuse instead of downloading.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


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


@pytest.fixture(scope="session")
def bundled_settings(tmp_path_factory) -> Settings:
    """The bundled corpus ingested once per session into a private store (read-only for tests)."""
    from ingest.pipeline import Ingestor

    root = tmp_path_factory.mktemp("bundled")
    corpus = root / "corpus"
    shutil.copytree(BUNDLED, corpus)
    old = os.environ.pop("KALO_CONFIG", None)
    os.environ["KALO_CONFIG"] = str(root / "none.toml")
    try:
        settings = Settings(corpus_dir=corpus, data_dir=root / "data")
        report = Ingestor(settings).run()
    finally:
        os.environ.pop("KALO_CONFIG", None)
        if old is not None:
            os.environ["KALO_CONFIG"] = old
    assert not report.failed, report.failed
    return settings


@pytest.fixture
def copy_bundled(tmp_path) -> Path:
    """A writable copy of the bundled guides, for tests that edit or delete files."""
    target = tmp_path / "corpus"
    shutil.copytree(BUNDLED, target)
    return target
